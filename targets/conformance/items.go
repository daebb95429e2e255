package conformance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"versus/targets"
)

// Limits of contract v1.
const (
	maxIDLen = 128
	maxBody  = 64 << 10
)

// item is a stored item as GET /items/{id} answers it.
type item struct {
	ID      string          `json:"id"`
	Value   json.RawMessage `json:"value"`
	Version *float64        `json:"version"`
}

// putAnswer is the answer of PUT /items/{id}.
type putAnswer struct {
	ID      string   `json:"id"`
	Version *float64 `json:"version"`
}

func itemPath(id string) string { return "/items/" + url.PathEscape(id) }

func (v *verifier) putItem(ctx context.Context, id string, value string) (putAnswer, error) {
	a, err := v.send(ctx, http.MethodPut, itemPath(id), []byte(`{"value":`+value+`}`), nil)
	if err != nil {
		return putAnswer{}, err
	}
	if err := a.want(http.StatusOK); err != nil {
		return putAnswer{}, err
	}
	var p putAnswer
	if err := a.decode(&p); err != nil {
		return putAnswer{}, err
	}
	if p.ID != id {
		return putAnswer{}, fmt.Errorf("answered id %q, want %q", p.ID, id)
	}
	if p.Version == nil {
		return putAnswer{}, fmt.Errorf("answer %s has no version number", snippet(a.body))
	}
	return p, nil
}

// getItem reads an item (query may be "" or "?reads=N") and checks that
// it holds value at version.
func (v *verifier) getItem(ctx context.Context, id, query, value string, version float64) error {
	a, err := v.send(ctx, http.MethodGet, itemPath(id)+query, nil, nil)
	if err != nil {
		return err
	}
	if err := a.want(http.StatusOK); err != nil {
		return err
	}
	var it item
	if err := a.decode(&it); err != nil {
		return err
	}
	switch {
	case it.ID != id:
		return fmt.Errorf("answered id %q, want %q", it.ID, id)
	case it.Version == nil:
		return fmt.Errorf("answer %s has no version number", snippet(a.body))
	case *it.Version != version:
		return fmt.Errorf("answered version %v, want %v", *it.Version, version)
	case !sameJSON(it.Value, []byte(value)):
		return fmt.Errorf("answered value %s, want %s", snippet(it.Value), value)
	}
	return nil
}

// items checks PUT and GET /items/{id}: round trip, versions, and the
// refusals of ids and bodies contract v1 does not allow.
func (v *verifier) items(ctx context.Context, r *Report) storedItem {
	s := v.section(ctx, r, targets.CapItems)
	const put, get = "PUT /items/{id}", "GET /items/{id}"
	if !s.declared {
		v.undeclared(ctx, s, probe{route: put, method: http.MethodPut, path: itemPath(v.id("probe")), body: []byte(`{"value":`)})
		return storedItem{}
	}
	id := v.id("item")
	first, second := `{"n":1,"tags":["a","b"],"ok":true}`, `{"n":2,"text":"versus"}`
	var p1, p2 putAnswer
	stored := false

	s.check(put, "stores a value and answers {id, version}", func() error {
		var err error
		p1, err = v.putItem(ctx, id, first)
		stored = err == nil
		return err
	})
	s.check(get, "answers the stored value and version", func() error {
		if !stored {
			return after("the first PUT")
		}
		return v.getItem(ctx, id, "", first, *p1.Version)
	})
	s.check(put, "a second PUT raises the version and replaces the value", func() error {
		if !stored {
			return after("the first PUT")
		}
		var err error
		if p2, err = v.putItem(ctx, id, second); err != nil {
			stored = false
			return err
		}
		if *p2.Version <= *p1.Version {
			stored = false
			return fmt.Errorf("version went from %v to %v; it must increase", *p1.Version, *p2.Version)
		}
		return v.getItem(ctx, id, "", second, *p2.Version)
	})
	s.check(get, "answers 404 for an unknown id", func() error {
		a, err := v.send(ctx, http.MethodGet, itemPath(v.id("never-stored")), nil, nil)
		if err != nil {
			return err
		}
		return a.want(http.StatusNotFound)
	})
	s.check(put, "accepts an id of exactly 128 bytes", func() error {
		long := v.id("")
		long += strings.Repeat("x", maxIDLen-len(long))
		_, err := v.putItem(ctx, long, "1")
		return err
	})
	s.check(put, "refuses an id of 129 bytes with 400 {error}", func() error {
		long := v.id("")
		long += strings.Repeat("x", maxIDLen+1-len(long))
		return v.refusedPut(ctx, itemPath(long), []byte(`{"value":1}`))
	})
	s.check(put, "refuses ids with characters outside [A-Za-z0-9_:.-] with 400 {error}", func() error {
		for _, bad := range []string{"has space", "bang!", "ünïcode"} {
			if err := v.refusedPut(ctx, itemPath(v.id(bad)), []byte(`{"value":1}`)); err != nil {
				return fmt.Errorf("id %q: %w", v.id(bad), err)
			}
		}
		return nil
	})
	s.check(put, "accepts a body of exactly 64 KiB", func() error {
		_, err := v.putItem(ctx, v.id("full-body"), bodyValue(maxBody))
		return err
	})
	refusals := []struct{ name, value string }{
		{"refuses a body over 64 KiB with 400 {error} and changes nothing", bodyValue(maxBody + 1)},
		{"refuses malformed JSON with 400 {error} and changes nothing", `{"value": {"n": 3`},
	}
	for _, c := range refusals {
		s.check(put, c.name, func() error {
			if !stored {
				return after("the PUTs before it")
			}
			a, err := v.send(ctx, http.MethodPut, itemPath(id), []byte(`{"value":`+c.value+`}`), nil)
			if err != nil {
				return err
			}
			if err := a.wantError(http.StatusBadRequest); err != nil {
				return err
			}
			if err := v.getItem(ctx, id, "", second, *p2.Version); err != nil {
				return fmt.Errorf("the refused PUT changed the item: %w", err)
			}
			return nil
		})
	}
	if !stored {
		return storedItem{}
	}
	return storedItem{id: id, value: second, version: *p2.Version}
}

// storedItem is an item the items checks left in place, for the
// items.reads checks to read.
type storedItem struct {
	id, value string
	version   float64
}

// bodyValue returns a JSON string literal that makes `{"value":<it>}`
// exactly n bytes long.
func bodyValue(n int) string {
	const frame = len(`{"value":""}`)
	return `"` + strings.Repeat("x", n-frame) + `"`
}

// refusedPut sends a PUT that contract v1 refuses and checks the 400.
func (v *verifier) refusedPut(ctx context.Context, path string, body []byte) error {
	a, err := v.send(ctx, http.MethodPut, path, body, nil)
	if err != nil {
		return err
	}
	return a.wantError(http.StatusBadRequest)
}

// itemsReads checks the items.reads extension on the item items stored.
func (v *verifier) itemsReads(ctx context.Context, r *Report, it storedItem) {
	s := v.section(ctx, r, targets.CapItemsReads)
	const get = "GET /items/{id}?reads=N"
	if !s.declared {
		// An extension a plain contract v1 server may ignore: a 200 to
		// an unknown query parameter is no fault, so there is no probe.
		s.check(get, "performs N reads and answers the item", func() error { return notDeclared(targets.CapItemsReads) })
		return
	}
	if !v.declared.Has(targets.CapItems) {
		s.check(get, "performs N reads and answers the item", func() error {
			return errors.New(`"items.reads" is declared without "items"`)
		})
		return
	}
	s.check(get, "reads=3 answers the same item", func() error {
		if it.id == "" {
			return after("the items checks")
		}
		return v.getItem(ctx, it.id, "?reads=3", it.value, it.version)
	})
	for _, q := range []string{"0", "junk"} {
		s.check(get, "refuses reads="+q+" with 400 {error}", func() error {
			if it.id == "" {
				return after("the items checks")
			}
			a, err := v.send(ctx, http.MethodGet, itemPath(it.id)+"?reads="+q, nil, nil)
			if err != nil {
				return err
			}
			return a.wantError(http.StatusBadRequest)
		})
	}
}
