package scenarios

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"
	"sync"
	"time"

	"versus/results"
	"versus/targets"
)

// ScheduleScenario schedules jobs with delays through the target's
// mechanisms and measures how late they fire (kind schedule).
type ScheduleScenario struct {
	Base   `yaml:",inline"`
	Delays []time.Duration `yaml:"delays"`
	Jobs   int             `yaml:"jobs"`
	Rate   float64         `yaml:"rate"`
	// Via lists mechanisms; empty means every one the target offers.
	Via     []string      `yaml:"via"`
	Timeout time.Duration `yaml:"timeout"`
	// FireWait is how long past its due time a job may take before it is
	// missed (0: 10 s, plus the cron period for cron).
	FireWait time.Duration `yaml:"fire_wait"`
}

func init() {
	register(Kind{
		Name:    "schedule",
		Summary: "jobs with delays through each scheduling mechanism; metrics lateness_server, lateness_observed",
		Fields: map[string]string{
			"delays":    "list of delays, e.g. [0ms, 100ms, 1s] (required, each 0..24h)",
			"jobs":      "jobs per mechanism and trial (default 100)",
			"rate":      "jobs scheduled per second (default 20)",
			"via":       "mechanisms, e.g. [alarm, cron, queue] (default: all the target offers)",
			"timeout":   "per scheduling request (default 10s)",
			"fire_wait": "how long past due before a job counts as missed (default 10s, plus the cron period for cron)",
		},
		New: func() Scenario { return &ScheduleScenario{Jobs: 100, Rate: 20, Timeout: 10 * time.Second} },
	})
}

// Validate checks the fields.
func (s *ScheduleScenario) Validate() []FieldError {
	var errs []FieldError
	if len(s.Delays) == 0 {
		errs = append(errs, fieldErr("delays", "missing: list the delays, e.g. [0ms, 100ms, 1s]"))
	}
	for i, d := range s.Delays {
		if d < 0 || d > 24*time.Hour {
			errs = append(errs, fieldErr(fmt.Sprintf("delays[%d]", i), "%v: must be between 0 and 24h", d))
		}
	}
	if s.Jobs < 1 {
		errs = append(errs, fieldErr("jobs", "%d: must be at least 1", s.Jobs))
	}
	errs = append(errs, validateLoad(s.Rate, time.Second, 0, s.Timeout)...)
	if s.FireWait < 0 {
		errs = append(errs, fieldErr("fire_wait", "%v: must not be negative", s.FireWait))
	}
	for i, v := range s.Via {
		if v == "" {
			errs = append(errs, fieldErr(fmt.Sprintf("via[%d]", i), "empty mechanism"))
		}
	}
	return errs
}

// Needs lists the capabilities.
func (s *ScheduleScenario) Needs() []string { return []string{targets.CapSchedule} }

// Preflight refuses a mechanism the target does not offer, before load.
func (s *ScheduleScenario) Preflight(d targets.Discovery) (string, error) {
	for _, v := range s.Via {
		if !d.Offers(v) {
			return "", fmt.Errorf("via %q is not offered by target %s (it offers: %s)", v, d.Name, strings.Join(d.ScheduleVia, ", "))
		}
	}
	return "", nil
}

func (s *ScheduleScenario) shorten() {
	s.Jobs = min(s.Jobs, 20)
	var keep []time.Duration
	for _, d := range s.Delays {
		if d <= time.Second {
			keep = append(keep, d)
		}
	}
	if len(keep) > 0 {
		s.Delays = keep
	}
}

// job is one scheduled job as the harness saw it.
type job struct {
	id       string
	via      string
	delay    time.Duration
	sent     time.Time // harness clock, actual send of POST /jobs
	accepted bool
	observed time.Time // arrival of its `jobs` notification
	notified int
}

// Run schedules the jobs, waits for them, reads them back.
func (s *ScheduleScenario) Run(ctx context.Context, env *Env) error {
	vias := s.Via
	if len(vias) == 0 {
		vias = env.Target.Discovery().ScheduleVia
	}
	if len(vias) == 0 {
		return fmt.Errorf("target %s declares schedule but no schedule_via", env.TargetName)
	}
	tag := newRunTag()
	total := s.Jobs * len(vias)
	jobs := make([]job, total)
	index := map[string]int{}
	for n := range jobs {
		j := &jobs[n]
		j.via = vias[n%len(vias)]
		j.delay = s.Delays[(n/len(vias))%len(s.Delays)]
		j.id = fmt.Sprintf("job_%s_%d_%d", tag, env.Trial, n)
		index[j.id] = n
	}
	cells := map[string]*results.Cell{}
	cellOf := func(j *job) *results.Cell {
		key := j.via + "\x00" + j.delay.String()
		if c, ok := cells[key]; ok {
			return c
		}
		c := env.Cell(map[string]string{"via": j.via, "delay": j.delay.String()})
		zero(c, "scheduled", "fired", "missed", "duplicate_runs")
		cells[key] = c
		return c
	}
	for n := range jobs {
		cellOf(&jobs[n])
	}
	var mu sync.Mutex
	watch, err := targets.SubscriberFor(env.Target).Subscribe(ctx, "jobs", func(m targets.Message) {
		var note struct {
			Job string `json:"job"`
		}
		if json.Unmarshal(m.Payload, &note) != nil {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if n, ok := index[note.Job]; ok {
			jobs[n].notified++
			if jobs[n].notified == 1 {
				jobs[n].observed = m.Received
			}
		}
	})
	if err != nil {
		return fmt.Errorf("subscribe to channel jobs: %w", err)
	}
	defer watch.Close()

	load := Load{Rate: s.Rate, Duration: time.Duration(float64(total) / s.Rate * float64(time.Second)), Timeout: s.Timeout}
	env.Logf("%s on %s: scheduling %d jobs via %s", s.Name, env.TargetName, total, strings.Join(vias, ", "))
	err = env.Driver.Pace(ctx, load, func(ctx context.Context, h Hit) {
		if h.N >= uint64(total) {
			return
		}
		j := &jobs[h.N]
		c := cellOf(j)
		body, _ := json.Marshal(map[string]any{"id": j.id, "delay_ms": j.delay.Milliseconds(), "via": j.via})
		rctx, cancel := context.WithTimeout(ctx, s.Timeout)
		defer cancel()
		req, _ := http.NewRequestWithContext(rctx, http.MethodPost, env.Target.URL()+"/jobs", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		sent := time.Now()
		resp, err := env.Client.Do(req)
		if err != nil {
			c.Error(transportClass(err.Error()))
			return
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted {
			c.Error(statusClass(resp.StatusCode))
			return
		}
		mu.Lock()
		j.sent, j.accepted = sent, true
		mu.Unlock()
		c.Add("scheduled", 1)
	})
	if err != nil {
		return err
	}
	wait := s.FireWait
	if wait == 0 {
		wait = 10 * time.Second
		for _, v := range vias {
			if v == "cron" {
				// A cron job waits for the next tick: up to a period.
				period := env.CronPeriod
				if period == 0 {
					period = time.Minute
				}
				wait += period
			}
		}
	}
	maxDelay := time.Duration(0)
	for _, d := range s.Delays {
		maxDelay = max(maxDelay, d)
	}
	env.Logf("%s on %s: waiting up to %v for jobs to fire", s.Name, env.TargetName, (maxDelay + wait).Round(time.Second))
	waitDelivered(ctx, maxDelay+wait, func() bool {
		mu.Lock()
		defer mu.Unlock()
		for i := range jobs {
			if jobs[i].accepted && jobs[i].notified == 0 {
				return false
			}
		}
		return true
	})
	// Give duplicate runs and late notifications a moment to show.
	time.Sleep(200 * time.Millisecond)
	return s.readBack(ctx, env, jobs, &mu, cellOf)
}

// readBack asks the target for every accepted job: fired_at against
// scheduled_for (target clock), and how many times it ran.
func (s *ScheduleScenario) readBack(ctx context.Context, env *Env, jobs []job, mu *sync.Mutex, cellOf func(*job) *results.Cell) error {
	mu.Lock()
	var ids []string
	byID := map[string]*job{}
	for i := range jobs {
		if jobs[i].accepted {
			ids = append(ids, jobs[i].id)
			byID[jobs[i].id] = &jobs[i]
		}
	}
	mu.Unlock()
	for len(ids) > 0 {
		batch := ids[:min(1000, len(ids))]
		ids = ids[len(batch):]
		body, _ := json.Marshal(map[string][]string{"ids": batch})
		var out struct {
			Jobs []struct {
				ID           string   `json:"id"`
				ScheduledFor float64  `json:"scheduled_for"`
				FiredAt      *float64 `json:"fired_at"`
				Runs         int64    `json:"runs"`
			} `json:"jobs"`
		}
		if err := postJSON(ctx, env, "/jobs/check", body, &out); err != nil {
			return fmt.Errorf("read-back: %w", err)
		}
		seen := map[string]bool{}
		for _, r := range out.Jobs {
			j, ok := byID[r.ID]
			if !ok || seen[r.ID] {
				continue
			}
			seen[r.ID] = true
			c := cellOf(j)
			if r.FiredAt == nil || r.Runs == 0 {
				c.Add("missed", 1)
				continue
			}
			c.Add("fired", 1)
			if r.Runs > 1 {
				c.Add("duplicate_runs", r.Runs-1)
			}
			late := time.Duration(math.Round((*r.FiredAt - r.ScheduledFor) * float64(time.Millisecond)))
			if late < 0 {
				c.Add("fired_early", 1)
				late = 0
			}
			at := j.sent.Add(j.delay)
			c.Observe("lateness_server", at, late)
			if !j.observed.IsZero() {
				c.Observe("lateness_observed", at, max(0, j.observed.Sub(at)))
			} else {
				c.Add("not_notified", 1)
			}
		}
		for _, id := range batch {
			if !seen[id] {
				cellOf(byID[id]).Add("missed", 1)
			}
		}
	}
	return nil
}
