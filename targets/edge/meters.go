package edge

import (
	"sync/atomic"
	"time"
)

// meters counts billable units the way Cloudflare bills them. There is no
// worker_cpu_ms: the handlers share goroutines and cores with everything
// else in the process, and no cheap per-invocation CPU clock exists.
// Durable Object storage rows (the relay's messages) have no unit of
// their own in the catalog and are not counted.
type meters struct {
	since           time.Time
	workerRequests  atomic.Int64 // HTTP requests incl. WebSocket upgrades, cron ticks, queue consumer batches
	d1RowsRead      atomic.Int64
	d1RowsWritten   atomic.Int64
	doRequests      atomic.Int64 // requests and alarm invocations reaching a Durable Object
	doWSMessagesIn  atomic.Int64 // WebSocket messages a Durable Object received
	queueOperations atomic.Int64 // write, read and delete: 3 per delivered message
}

func newMeters() *meters { return &meters{since: time.Now()} }

// d1 adds what a D1 statement cost.
func (m *meters) d1(c meta) {
	m.d1RowsRead.Add(c.RowsRead)
	m.d1RowsWritten.Add(c.RowsWritten)
}

func (m *meters) snapshot() (since float64, units map[string]float64) {
	return epochMS(m.since), map[string]float64{
		"worker_requests":   float64(m.workerRequests.Load()),
		"d1_rows_read":      float64(m.d1RowsRead.Load()),
		"d1_rows_written":   float64(m.d1RowsWritten.Load()),
		"do_requests":       float64(m.doRequests.Load()),
		"do_ws_messages_in": float64(m.doWSMessagesIn.Load()),
		"queue_operations":  float64(m.queueOperations.Load()),
	}
}

// epochMS is t in Unix milliseconds, the contract's time unit.
func epochMS(t time.Time) float64 {
	return float64(t.UnixNano()) / float64(time.Millisecond)
}

// fromEpochMS is the inverse of epochMS.
func fromEpochMS(ms float64) time.Time {
	return time.Unix(0, int64(ms*float64(time.Millisecond)))
}
