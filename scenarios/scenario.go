package scenarios

import (
	"context"
	"net/http"
	"sort"
	"sync"
	"time"

	"versus/results"
	"versus/targets"
)

// Base holds the fields every scenario has.
type Base struct {
	Name string `yaml:"name"`
	Kind string `yaml:"kind"`
	// Targets limits the scenario to some of the suite's targets.
	Targets []string `yaml:"targets"`
}

// base lets every kind, which embeds Base, satisfy Scenario.
func (b *Base) base() *Base { return b }

// Runs reports whether the scenario runs on the named target.
func (b *Base) Runs(target string) bool {
	if len(b.Targets) == 0 {
		return true
	}
	for _, t := range b.Targets {
		if t == target {
			return true
		}
	}
	return false
}

// Scenario is one entry of a suite's scenario list.
type Scenario interface {
	base() *Base
	// Validate checks the fields; each error names its field.
	Validate() []FieldError
	// Needs lists the capabilities a target must declare.
	Needs() []string
	// Preflight checks a started target before any load: a reason to skip
	// (a missing optional feature), or an error that stops the run (a
	// suite asking for what the target cannot do).
	Preflight(d targets.Discovery) (skip string, err error)
	// Run performs one trial against one target, recording into cells it
	// gets from env.Cell.
	Run(ctx context.Context, env *Env) error
}

// Info returns the common fields of s.
func Info(s Scenario) *Base { return s.base() }

// Env is what the runner gives a scenario for one trial on one target.
type Env struct {
	Target     targets.Instance
	TargetName string
	Trial      int
	// Secret signs webhooks. It is never written anywhere.
	Secret []byte
	Driver Driver
	// Cell opens the cell for these parameters (nil or empty: none).
	Cell func(params map[string]string) *results.Cell
	// Logf prints a status line (the runner routes it past the progress
	// display).
	Logf func(format string, args ...any)
	// MaxSubscribers is the suite's connection limit.
	MaxSubscribers int
	// CronPeriod is the suite's cron period (0: the targets' default).
	CronPeriod time.Duration
	// Meter starts a window over the target's own meters (GET /meters);
	// the returned stop records the units counted meanwhile into cell.
	// Nil when the target meters nothing.
	Meter func(cell *results.Cell) (stop func())
	// Client is for a scenario's own calls (read-backs, checks): not timed.
	Client *http.Client
}

// Load is an open-model load: Rate operations per second for Warmup then
// Duration. Warm-up operations are sent but not recorded.
type Load struct {
	Rate     float64
	Duration time.Duration
	Warmup   time.Duration
	Timeout  time.Duration
	// MaxInFlight bounds concurrent operations (0: the runner's default).
	MaxInFlight int
	// OnMeasured, if set, is called once, as the first measured operation
	// is sent: the end of the warm-up.
	OnMeasured func()
}

// Hits is the number of operations the load sends, warm-up included.
func (l Load) Hits() uint64 {
	return uint64(l.Rate*(l.Duration+l.Warmup).Seconds() + 0.5)
}

// WarmupHits is the number of warm-up operations at the start.
func (l Load) WarmupHits() uint64 { return uint64(l.Rate*l.Warmup.Seconds() + 0.5) }

// Hit is one paced operation: its number and the instant it was due.
type Hit struct {
	N        uint64
	Intended time.Time
	Warmup   bool
}

// Request is one HTTP request of an HTTP load. Meta travels to the judge.
type Request struct {
	Method string
	URL    string
	Header http.Header
	Body   []byte
	Meta   any
}

// Response is what the judge sees of one request.
type Response struct {
	Hit  Hit
	Meta any
	Code int
	Body []byte
	Err  string // transport error ("" when a response arrived)
	Sent time.Time
	Done time.Time
}

// Verdict is the judge's word on one response: OK responses are timed
// (unless Untimed: a correct answer on another path, like a refusal, that
// would blur the latency of the path measured); others are counted as
// errors of Class and never timed.
type Verdict struct {
	OK      bool
	Untimed bool
	Class   string
}

// Driver generates load. The runner implements it on vegeta.
type Driver interface {
	// HTTP sends the requests next builds at load's rate, open model.
	// For each non-warm-up response judged OK it records `latency` (from
	// the intended send time) and `service_time` (from the actual send)
	// in cell; a response not OK counts as an error of its class. The
	// judge runs on one goroutine, in completion order.
	HTTP(ctx context.Context, cell *results.Cell, load Load, next func(n uint64) Request, judge func(Response) Verdict) error
	// Pace calls op at load's rate, each call on its own goroutine (at
	// most load.MaxInFlight at once), and waits for all to return. op
	// does its own timing.
	Pace(ctx context.Context, load Load, op func(ctx context.Context, hit Hit)) error
}

// Kind describes a scenario kind for `versus scenarios`.
type Kind struct {
	Name    string
	Summary string
	// Fields maps each field to a line of help, defaults included.
	Fields map[string]string
	New    func() Scenario
}

var kinds = map[string]Kind{}

func register(k Kind) { kinds[k.Name] = k }

// Kinds lists the scenario kinds by name.
func Kinds() []Kind {
	out := make([]Kind, 0, len(kinds))
	for _, k := range kinds {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// missing reports which of needs d lacks.
func missing(d targets.Discovery, needs []string) []string {
	var out []string
	for _, c := range needs {
		if !d.Has(c) {
			out = append(out, c)
		}
	}
	return out
}

// Missing lists the capabilities s needs that d does not declare.
func Missing(s Scenario, d targets.Discovery) []string { return missing(d, s.Needs()) }

// meterWindow is a window over the target's meters that a scenario opens
// when its measured phase starts (often on a driver's goroutine) and
// closes when the phase's effects are over.
type meterWindow struct {
	mu   sync.Mutex
	stop func()
}

// open starts the window once; later calls do nothing.
func (w *meterWindow) open(env *Env, cell *results.Cell) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stop == nil && env.Meter != nil {
		w.stop = env.Meter(cell)
	}
}

// close records the window's units, if it was opened.
func (w *meterWindow) close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stop != nil {
		w.stop()
		w.stop = nil
	}
}

// zero makes counters appear in results even when nothing happened: a
// correctness counter at 0 is a finding, not a gap.
func zero(cell *results.Cell, names ...string) {
	for _, n := range names {
		cell.Add(n, 0)
	}
}

// timelineStep is the resolution a phase of this length is plotted at:
// per second, unless that leaves too few points to see a stall.
func timelineStep(phase time.Duration) time.Duration {
	if phase < 5*time.Second {
		return 100 * time.Millisecond
	}
	return results.DefaultStep
}
