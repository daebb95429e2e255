package crashtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"
)

func TestTallyEvents(t *testing.T) {
	tests := []struct {
		name   string
		sent   []string
		acked  []string
		counts map[string]int64
		want   Events
	}{
		{"an acknowledged event stored once is neither lost nor doubled",
			[]string{"a"}, []string{"a"}, map[string]int64{"a": 1},
			Events{Sent: 1, Acked: 1, Stored: 1, Doubled: map[string]int64{}}},
		{"an acknowledged event not stored is lost",
			[]string{"a", "b"}, []string{"a", "b"}, map[string]int64{"a": 1},
			Events{Sent: 2, Acked: 2, Stored: 1, Lost: []string{"b"}, Doubled: map[string]int64{}}},
		{"an event stored twice is doubled, acknowledged or not",
			[]string{"a", "b"}, []string{"a"}, map[string]int64{"a": 2, "b": 3},
			Events{Sent: 2, Acked: 1, Stored: 2, StoredUnacked: 1, Doubled: map[string]int64{"a": 2, "b": 3}}},
		{"an unacknowledged event stored once was in flight at the kill",
			[]string{"a", "b", "c"}, []string{"a"}, map[string]int64{"a": 1, "b": 1},
			Events{Sent: 3, Acked: 1, Stored: 2, StoredUnacked: 1, Doubled: map[string]int64{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tallyEvents(tt.sent, tt.acked, tt.counts); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("tallyEvents = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestTallyJobs(t *testing.T) {
	at := func(ms float64) *float64 { return &ms }
	tests := []struct {
		name string
		jobs map[string]jobView
		want JobRuns
	}{
		{"a job run once on time fired once",
			map[string]jobView{"j": {ID: "j", ScheduledFor: 100, FiredAt: at(100), Runs: 1}},
			JobRuns{Scheduled: 1, Fired: 1, FiredOnce: 1, Twice: map[string]int64{}, firedAt: []float64{100}}},
		{"a job the target does not know is lost",
			map[string]jobView{},
			JobRuns{Scheduled: 1, Lost: []string{"j"}, Twice: map[string]int64{}}},
		{"a job not run yet is unfired",
			map[string]jobView{"j": {ID: "j", ScheduledFor: 100}},
			JobRuns{Scheduled: 1, Unfired: []string{"j"}, Twice: map[string]int64{}}},
		{"a job run twice is counted with its runs",
			map[string]jobView{"j": {ID: "j", ScheduledFor: 100, FiredAt: at(150), Runs: 2}},
			JobRuns{Scheduled: 1, Fired: 1, Twice: map[string]int64{"j": 2}, firedAt: []float64{150}}},
		{"a job run before its time is early",
			map[string]jobView{"j": {ID: "j", ScheduledFor: 100, FiredAt: at(99), Runs: 1}},
			JobRuns{Scheduled: 1, Fired: 1, Early: []string{"j"}, Twice: map[string]int64{}, firedAt: []float64{99}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tallyJobs([]string{"j"}, tt.jobs); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("tallyJobs = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestFiredBeforeCountsJobsThatRanBeforeTheTime(t *testing.T) {
	kill := time.UnixMilli(2000)
	r := JobRuns{firedAt: []float64{1000, 1999.5, 2000, 3000}}
	if got := r.FiredBefore(kill); got != 2 {
		t.Errorf("FiredBefore = %d, want 2", got)
	}
}

func TestCountEventsAsksAThousandIdsAtATime(t *testing.T) {
	var batches []int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct{ IDs []string }
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		batches = append(batches, len(in.IDs))
		counts := map[string]int64{}
		for _, id := range in.IDs {
			counts[id] = 1
		}
		json.NewEncoder(w).Encode(map[string]any{"counts": counts})
	}))
	defer srv.Close()
	var ids []string
	for i := range 2500 {
		ids = append(ids, fmt.Sprintf("evt_%d", i))
	}
	got := CountEvents(t, srv.URL, ids, ids)
	if !reflect.DeepEqual(batches, []int{1000, 1000, 500}) {
		t.Errorf("batches of %v ids, want [1000 1000 500]", batches)
	}
	if got.Stored != 2500 || len(got.Lost) != 0 {
		t.Errorf("CountEvents = %d stored, %d lost; want 2500 and 0", got.Stored, len(got.Lost))
	}
}
