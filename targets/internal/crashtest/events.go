package crashtest

import (
	"testing"
)

// Events is what reading a webhook stream back found.
type Events struct {
	Sent, Acked int
	// Stored counts the sent events stored at least once; StoredUnacked,
	// those of them never acknowledged: in flight at the kill.
	Stored, StoredUnacked int
	// Lost are the acknowledged events not stored.
	Lost []string
	// Doubled are the events, acknowledged or not, stored more than once,
	// with how many times.
	Doubled map[string]int64
}

// CountEvents reads back, through POST /webhooks/events/check, how many
// times each sent event is stored, and counts them against the
// acknowledged ones (a subset of sent).
func CountEvents(t testing.TB, base string, sent, acked []string) Events {
	t.Helper()
	counts := map[string]int64{}
	checkInBatches(t, base+"/webhooks/events/check", sent, func(out struct {
		Counts map[string]int64 `json:"counts"`
	}) {
		for id, n := range out.Counts {
			counts[id] = n
		}
	})
	return tallyEvents(sent, acked, counts)
}

// tallyEvents counts sent and acked ids against the rows stored per id.
func tallyEvents(sent, acked []string, counts map[string]int64) Events {
	e := Events{Sent: len(sent), Acked: len(acked), Doubled: map[string]int64{}}
	isAcked := map[string]bool{}
	for _, id := range acked {
		isAcked[id] = true
		if counts[id] == 0 {
			e.Lost = append(e.Lost, id)
		}
	}
	for _, id := range sent {
		n := counts[id]
		if n > 0 {
			e.Stored++
			if !isAcked[id] {
				e.StoredUnacked++
			}
		}
		if n > 1 {
			e.Doubled[id] = n
		}
	}
	return e
}
