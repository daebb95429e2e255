package convex

import (
	"encoding/json"
	"math"
	"testing"
)

func TestTimestampCodec(t *testing.T) {
	known := []struct {
		name string
		ts   Timestamp
		wire string
	}{
		{"zero is eight zero bytes", 0, "AAAAAAAAAAA="},
		{"one is little-endian", 1, "AQAAAAAAAAA="},
		{"the largest u64 fits", math.MaxUint64, "//////////8="},
		{"a 2026 commit time round-trips", 1_780_000_000_123_456_789, EncodeTimestamp(1_780_000_000_123_456_789)},
	}
	for _, tc := range known {
		t.Run(tc.name, func(t *testing.T) {
			if got := EncodeTimestamp(tc.ts); got != tc.wire {
				t.Fatalf("EncodeTimestamp(%d) = %q, want %q", tc.ts, got, tc.wire)
			}
			got, err := DecodeTimestamp(tc.wire)
			if err != nil || got != tc.ts {
				t.Fatalf("DecodeTimestamp(%q) = %d, %v; want %d", tc.wire, got, err, tc.ts)
			}
		})
	}
	rejected := []struct {
		name, wire string
	}{
		{"an empty string is no timestamp", ""},
		{"four bytes are too few", "AAAAAA=="},
		{"nine bytes are too many", "AAAAAAAAAAAA"},
		{"characters outside base64 fail", "AAAAAAAAAA!="},
		{"unpadded forms are not canonical", "AAAAAAAAAAA"},
		{"non-zero padding bits are not canonical", "AAAAAAAAAAB="},
		{"a line break inside is not canonical", "AAAAAAAAAA\n="},
	}
	for _, tc := range rejected {
		t.Run(tc.name, func(t *testing.T) {
			if ts, err := DecodeTimestamp(tc.wire); err == nil {
				t.Fatalf("DecodeTimestamp(%q) = %d, want an error", tc.wire, ts)
			}
		})
	}
	t.Run("JSON carries the wire string", func(t *testing.T) {
		b, err := json.Marshal(struct {
			TS Timestamp `json:"ts"`
		}{1})
		if err != nil || string(b) != `{"ts":"AQAAAAAAAAA="}` {
			t.Fatalf("Marshal = %s, %v", b, err)
		}
		var back struct {
			TS Timestamp `json:"ts"`
		}
		if err := json.Unmarshal(b, &back); err != nil || back.TS != 1 {
			t.Fatalf("Unmarshal = %d, %v", back.TS, err)
		}
		if err := json.Unmarshal([]byte(`{"ts":12}`), &back); err == nil {
			t.Fatal("a JSON number was accepted as a timestamp")
		}
	})
}

func FuzzTimestampRoundTrip(f *testing.F) {
	for _, seed := range []uint64{0, 1, 255, 256, 1 << 63, math.MaxUint64} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, n uint64) {
		wire := EncodeTimestamp(Timestamp(n))
		if len(wire) != encodedTimestampLen {
			t.Fatalf("EncodeTimestamp(%d) = %q, %d characters", n, wire, len(wire))
		}
		got, err := DecodeTimestamp(wire)
		if err != nil || got != Timestamp(n) {
			t.Fatalf("round trip of %d: got %d, %v", n, got, err)
		}
	})
}

func FuzzDecodeTimestamp(f *testing.F) {
	for _, seed := range []string{"AAAAAAAAAAA=", "//////////8=", "AAAAAAAAAAB=", "AAAA", "", "AAAAAAAAAA\r="} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ts, err := DecodeTimestamp(s)
		if err != nil {
			return
		}
		if again := EncodeTimestamp(ts); again != s {
			t.Fatalf("DecodeTimestamp(%q) = %d, which encodes as %q", s, ts, again)
		}
	})
}
