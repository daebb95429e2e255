package convexfake

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strconv"
)

// The fake's own reading of protocol.ts, kept apart from the client's so a
// misreading shared by both cannot hide.

// clientMessage holds any message a client sends; pointers tell a missing
// field from a zero one.
type clientMessage struct {
	Type string `json:"type"`

	// Connect
	SessionID            string  `json:"sessionId"`
	ConnectionCount      *int    `json:"connectionCount"`
	LastCloseReason      *string `json:"lastCloseReason"`
	MaxObservedTimestamp *string `json:"maxObservedTimestamp"`
	ClientTs             *int64  `json:"clientTs"`

	// Authenticate
	TokenType   string `json:"tokenType"`
	Value       string `json:"value"`
	BaseVersion *int   `json:"baseVersion"`

	// ModifyQuerySet
	NewVersion    *int           `json:"newVersion"`
	Modifications []modification `json:"modifications"`

	// Mutation
	RequestID *int64            `json:"requestId"`
	UdfPath   string            `json:"udfPath"`
	Args      []json.RawMessage `json:"args"`
}

type modification struct {
	Type    string            `json:"type"` // Add | Remove
	QueryID *int              `json:"queryId"`
	UdfPath string            `json:"udfPath"`
	Args    []json.RawMessage `json:"args"`
}

// version is a StateVersion; its ts goes on the wire encoded.
type version struct {
	querySet int
	identity int
	ts       uint64
}

func (v version) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]any{"querySet": v.querySet, "identity": v.identity, "ts": encodeTS(v.ts)})
}

func encodeTS(ts uint64) string {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], ts)
	return base64.StdEncoding.EncodeToString(b[:])
}

func decodeTS(s string) (uint64, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != 8 {
		return 0, fmt.Errorf("timestamp %q is not base64 of 8 bytes", s)
	}
	return binary.LittleEndian.Uint64(b), nil
}

// convexNumber writes a float64 as Convex's backend does (a Convex number
// is an f64, and serde_json prints an integral f64 with a trailing ".0"),
// so a client that decodes numbers into integers fails here as it would
// against Convex.
type convexNumber float64

func (n convexNumber) MarshalJSON() ([]byte, error) {
	s := strconv.FormatFloat(float64(n), 'f', -1, 64)
	for _, c := range s {
		if c == '.' {
			return []byte(s), nil
		}
	}
	return []byte(s + ".0"), nil
}
