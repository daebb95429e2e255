package edge

import (
	"encoding/json"
	"path/filepath"
	"testing"
)

func TestRelayPersistsBeforeBroadcast(t *testing.T) {
	store, err := openDatabase(filepath.Join(t.TempDir(), "relays.sqlite"), relaySchema)
	if err != nil {
		t.Fatal(err)
	}
	defer store.close()
	n := newRelays(store, newMeters())
	defer n.close()
	s := &socket{frames: make(chan []byte, socketQueue), slow: make(chan struct{})}
	r, err := n.attach("room", s)
	if err != nil {
		t.Fatal(err)
	}
	defer n.serving.Done()
	defer r.detach(s)
	stored := func(seq int64) bool {
		res, err := store.batch([]statement{{SQL: `SELECT seq FROM messages WHERE channel = 'room' AND seq = ?1`, Params: []any{seq}}})
		if err != nil {
			t.Fatal(err)
		}
		return len(res[0].Rows) == 1
	}

	t.Run("a broadcast message is already in storage", func(t *testing.T) {
		if _, err := n.publish("room", json.RawMessage(`"one"`)); err != nil {
			t.Fatal(err)
		}
		var m struct{ Seq int64 }
		json.Unmarshal(<-s.frames, &m)
		if m.Seq != 1 || !stored(1) {
			t.Errorf("frame seq %d, stored %v: want seq 1 stored", m.Seq, stored(1))
		}
	})
	t.Run("a message whose commit fails is never broadcast", func(t *testing.T) {
		// Take seq 2 behind the actor's back: its insert must now fail.
		if _, err := store.batch([]statement{{SQL: `INSERT INTO messages VALUES ('room', 2, '"intruder"', 0)`}}); err != nil {
			t.Fatal(err)
		}
		if _, err := n.publish("room", json.RawMessage(`"two"`)); err == nil {
			t.Fatal("publish succeeded although its commit failed")
		}
		select {
		case f := <-s.frames:
			t.Errorf("frame %s broadcast without a commit", f)
		default:
		}
	})
	t.Run("sequence numbers survive a new actor", func(t *testing.T) {
		again := newRelays(store, newMeters())
		defer again.close()
		ack, err := again.publish("room", json.RawMessage(`"three"`))
		if err != nil {
			t.Fatal(err)
		}
		if ack.Seq != 3 {
			t.Errorf("seq = %d, want 3 after the stored 1 and 2", ack.Seq)
		}
	})
}
