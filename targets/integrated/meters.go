package integrated

import (
	"math"
	"sync/atomic"
	"time"
)

// Meter unit names, as the cost model's Convex catalog has them.
const (
	unitFunctionCalls = "convex_function_calls"
	unitBytesRead     = "convex_db_bytes_read"
	unitBytesWritten  = "convex_db_bytes_written"
	unitActionGBHours = "convex_action_gb_hours"
)

// actionMemoryGB is what Convex bills an action in its own runtime
// (64 MiB), the runtime HTTP actions run in.
const actionMemoryGB = 64.0 / 1024

// documentOverhead approximates the system fields Convex stores with each
// document (_id, _creationTime) on top of the user's fields; database I/O
// is billed on document and index bytes, which this model approximates as
// the document's size.
const documentOverhead = 40

// meters counts Convex's billable units as the model incurs them.
type meters struct {
	since         float64
	functionCalls atomic.Int64
	bytesRead     atomic.Int64
	bytesWritten  atomic.Int64
	actionNanos   atomic.Int64
}

func newMeters() *meters { return &meters{since: nowMS()} }

func (m *meters) calls(n int)            { m.functionCalls.Add(int64(n)) }
func (m *meters) read(n int)             { m.bytesRead.Add(int64(n)) }
func (m *meters) wrote(n int)            { m.bytesWritten.Add(int64(n)) }
func (m *meters) action(d time.Duration) { m.actionNanos.Add(int64(d)) }

func (m *meters) snapshot() (float64, map[string]float64) {
	hours := time.Duration(m.actionNanos.Load()).Hours()
	return m.since, map[string]float64{
		unitFunctionCalls: float64(m.functionCalls.Load()),
		unitBytesRead:     float64(m.bytesRead.Load()),
		unitBytesWritten:  float64(m.bytesWritten.Load()),
		unitActionGBHours: math.Round(hours*actionMemoryGB*1e12) / 1e12,
	}
}

// docSize is the billed size of a document with these field bytes.
func docSize(fields ...int) int {
	n := documentOverhead
	for _, f := range fields {
		n += f
	}
	return n
}

// nowMS is the target's clock as contract v1 reports it: epoch ms.
func nowMS() float64 { return float64(time.Now().UnixMicro()) / 1000 }
