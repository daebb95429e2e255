package convex

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
)

// Timestamp is a Convex commit timestamp: nanoseconds since the Unix epoch,
// a u64 that the protocol carries as the base64 of its eight little-endian
// bytes (JSON numbers cannot hold 64 bits exactly).
type Timestamp uint64

// encodedTimestampLen is the length of base64 (with padding) of 8 bytes.
const encodedTimestampLen = 12

// EncodeTimestamp returns the wire form of t.
func EncodeTimestamp(t Timestamp) string {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(t))
	return base64.StdEncoding.EncodeToString(b[:])
}

// DecodeTimestamp parses the wire form of a timestamp. It accepts only the
// canonical encoding (standard alphabet, padded, exactly eight bytes), so a
// value that decodes always re-encodes to the same string.
func DecodeTimestamp(s string) (Timestamp, error) {
	if len(s) != encodedTimestampLen {
		return 0, fmt.Errorf("timestamp %q: want %d base64 characters (8 little-endian bytes), got %d", s, encodedTimestampLen, len(s))
	}
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil {
		return 0, fmt.Errorf("timestamp %q: %w", s, err)
	}
	if len(b) != 8 {
		return 0, fmt.Errorf("timestamp %q: decodes to %d bytes, want 8", s, len(b))
	}
	t := Timestamp(binary.LittleEndian.Uint64(b))
	// The standard decoder skips CR and LF; refusing what does not
	// round-trip keeps one timestamp one string.
	if EncodeTimestamp(t) != s {
		return 0, fmt.Errorf("timestamp %q: not in canonical base64", s)
	}
	return t, nil
}

// MarshalJSON encodes t as its wire string.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	return json.Marshal(EncodeTimestamp(t))
}

// UnmarshalJSON decodes t from its wire string.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("timestamp: want a base64 string, got %s", truncate(string(b), 40))
	}
	v, err := DecodeTimestamp(s)
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// truncate shortens s for an error message.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
