package convexfake

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
)

// writeJSON answers with a JSON body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// serveAPI is POST /api/query and /api/mutation: {"path", "args",
// "format"} in; {"status": "success", "value"} or {"status": "error",
// "errorMessage"} out, both at HTTP 200. Credentials are optional (the
// app's functions are public); a wrong admin key is a 401.
func (s *Server) serveAPI(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if auth := r.Header.Get("Authorization"); auth != "" {
			key, ok := strings.CutPrefix(auth, "Convex ")
			if !ok || s.cfg.adminKey == "" || key != s.cfg.adminKey {
				writeJSON(w, http.StatusUnauthorized, map[string]string{"code": "BadAdminKey", "message": "The provided admin key was invalid for this instance"})
				return
			}
		}
		var body struct {
			Path   string          `json:"path"`
			Args   json.RawMessage `json:"args"`
			Format string          `json:"format"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 16<<20)).Decode(&body); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"code": "BadJsonBody", "message": "Failed to parse the JSON body: " + err.Error()})
			return
		}
		args := []json.RawMessage{body.Args}
		var out outcome
		if kind == kindQuery {
			out = s.store.query(body.Path, args)
		} else {
			out = s.store.mutate("", body.Path, args)
		}
		if out.err != "" {
			writeJSON(w, http.StatusOK, map[string]any{"status": "error", "errorMessage": out.err, "logLines": []string{}})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"status": "success", "value": out.value, "logLines": []string{}})
	}
}

// siteHandler serves the HTTP actions: the contract routes the adapter
// uses. A deployment without the app has no routes at all.
func (s *Server) siteHandler() http.Handler {
	if s.cfg.withoutApp {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "No matching routes found", http.StatusNotFound)
		})
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /contract", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{
			"contract": 1, "name": "convexfake", "model": "integrated",
			"capabilities": []string{"http", "subscribe"},
		})
	})
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
	})
	mux.HandleFunc("POST /channels/{name}/messages", func(w http.ResponseWriter, r *http.Request) {
		ch := r.PathValue("name")
		if !idPattern.MatchString(ch) {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "channel name must be 1 to 128 of [A-Za-z0-9_:.-]"})
			return
		}
		var body struct {
			Payload json.RawMessage `json:"payload"`
		}
		var text bytes.Buffer
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&body); err != nil || body.Payload == nil || json.Compact(&text, body.Payload) != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": `body must be {"payload": any}, at most 64 KiB`})
			return
		}
		// The app stores JSON.stringify(payload): compact JSON text.
		m, _ := s.store.commit(ch, text.String())
		writeJSON(w, http.StatusOK, map[string]any{"seq": int64(m.Seq), "committed_at": float64(m.CommittedAt)})
	})
	return mux
}
