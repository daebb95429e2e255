package runner

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"versus/results"
	"versus/scenarios"
	"versus/targets"
)

// Options configure a run.
type Options struct {
	// Dir is the run directory (results/<run-id> by default: see RunDir).
	Dir   string
	RunID string
	// Version is versus's own version, recorded in the run.
	Version string
	// Progress receives progress and status lines (stderr).
	Progress io.Writer
	// Interactive draws progress bars (a terminal); otherwise plain lines.
	Interactive bool
	// Shard is "i/n" when this run is one of n load-generating shards
	// (the suite was split with scenarios.Shard).
	Shard string
	// Notes are added to the run's notes (what sharding split, say).
	Notes []string
}

// NewRunID names a run by its start time, sortable and unique enough for
// one machine.
func NewRunID(t time.Time) string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return t.UTC().Format("20060102-150405") + "-" + hex.EncodeToString(b[:])
}

// ErrInterrupted is returned when the context ended the run early.
var ErrInterrupted = errors.New("run interrupted")

// started is a target running for this run.
type started struct {
	cfg  targets.Config
	inst targets.Instance
	disc targets.Discovery
}

// Run executes the suite and saves results into opts.Dir after every cell.
// On cancellation it stops sending, keeps every finished cell, marks the
// run interrupted, and returns ErrInterrupted with the run.
func Run(ctx context.Context, suite *scenarios.Suite, opts Options) (result *results.Run, err error) {
	if opts.Progress == nil {
		opts.Progress = io.Discard
	}
	if _, serr := os.Stat(opts.Dir); os.IsNotExist(serr) {
		// A run that fails before its first cell leaves nothing behind.
		defer func() {
			if result == nil {
				os.RemoveAll(opts.Dir)
			}
		}()
	}
	run := &results.Run{ID: opts.RunID, Suite: suite.Name, SuiteYAML: string(suite.Text),
		Started: time.Now(), Host: results.ThisHost(opts.Version)}
	run.Shard, run.Notes = opts.Shard, append(run.Notes, opts.Notes...)
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("results directory: %w", err)
	}
	secret, err := newSecret()
	if err != nil {
		return nil, err
	}
	net, err := newNetwork(suite.Topology)
	if err != nil {
		return nil, err
	}
	defer net.Close()

	prog := newProgress(opts.Progress, opts.Interactive)
	defer prog.Close()

	var live []started
	var logs []*maskWriter
	defer func() {
		// Targets first: what they say while stopping reaches their logs.
		for _, s := range live {
			s.inst.Close()
		}
		for _, l := range logs {
			l.Close()
		}
	}()
	secrets := map[string][]byte{}
	for _, cfg := range suite.Targets {
		t, err := targets.New(cfg)
		if err != nil {
			return nil, fmt.Errorf("target %s: %w", cfg.Name, err)
		}
		key := secret
		if external(cfg) {
			key, err = externalSecret(suite, cfg, needsWebhook(suite, cfg.Name))
			if err != nil {
				return nil, err
			}
		}
		secrets[cfg.Name] = key
		logf, err := os.Create(filepath.Join(opts.Dir, "target-"+safeName(cfg.Name)+".log"))
		if err != nil {
			return nil, err
		}
		log := &maskWriter{w: logf, secret: key}
		logs = append(logs, log)
		env := targets.Env{WebhookSecret: string(key), CronPeriod: suite.CronPeriod,
			Log: log, StateLink: net.stateLink(cfg.Name)}
		prog.Logf("starting target %s (%s)", cfg.Name, kindOf(cfg))
		inst, err := t.Start(ctx, env)
		if err != nil {
			return nil, fmt.Errorf("target %s: %s", cfg.Name, mask(err.Error(), key))
		}
		disc := inst.Discovery()
		inst, err = net.clientLink(cfg.Name, inst)
		if err != nil {
			return nil, err
		}
		live = append(live, started{cfg: cfg, inst: inst, disc: disc})
		run.Targets = append(run.Targets, results.TargetInfo{Name: cfg.Name, Kind: kindOf(cfg), Model: disc.Model,
			Version: disc.Version, Capabilities: disc.Capabilities, ScheduleVia: disc.ScheduleVia, Location: location(cfg)})
	}
	if err := net.check(live); err != nil {
		return nil, err
	}
	if b, err := json.Marshal(net.describe(live)); err == nil && suite.Topology != nil {
		run.Topology = b
	}

	// Preflight everything before any load: a suite asking a target for
	// what it cannot do stops here, not halfway through.
	skip := map[string]string{}
	for _, sc := range suite.Scenarios {
		info := scenarios.Info(sc)
		for _, s := range live {
			if !info.Runs(s.cfg.Name) {
				continue
			}
			key := info.Name + "\x00" + s.cfg.Name
			if m := scenarios.Missing(sc, s.disc); len(m) > 0 {
				skip[key] = fmt.Sprintf("target lacks capability %s", strings.Join(m, ", "))
				continue
			}
			reason, err := sc.Preflight(s.disc)
			if err != nil {
				return nil, fmt.Errorf("scenario %s on target %s: %w", info.Name, s.cfg.Name, err)
			}
			if reason != "" {
				skip[key] = reason
			}
		}
	}
	for _, sc := range suite.Scenarios {
		info := scenarios.Info(sc)
		for _, s := range live {
			if reason, ok := skip[info.Name+"\x00"+s.cfg.Name]; ok {
				c := results.NewCell(info.Name, info.Kind, s.cfg.Name, 0, nil, time.Now())
				c.Skipped = reason
				run.Cells = append(run.Cells, c)
				prog.Logf("skip %s on %s: %s", info.Name, s.cfg.Name, reason)
			}
		}
	}

	save := func() error {
		if err := run.Save(opts.Dir); err != nil {
			return fmt.Errorf("save results: %w", err)
		}
		return nil
	}
	client := &http.Client{Timeout: 30 * time.Second}
	for trial := 1; trial <= suite.Trials; trial++ {
		for _, sc := range suite.Scenarios {
			info := scenarios.Info(sc)
			// Rotate the first target each trial, so no target always
			// runs first (or right after a heavy neighbour).
			for i := range live {
				s := live[(i+trial-1)%len(live)]
				if !info.Runs(s.cfg.Name) {
					continue
				}
				if _, skipped := skip[info.Name+"\x00"+s.cfg.Name]; skipped {
					continue
				}
				if ctx.Err() != nil {
					return interrupted(run, save)
				}
				label := fmt.Sprintf("trial %d/%d %s on %s", trial, suite.Trials, info.Name, s.cfg.Name)
				bar := prog.Bar(label)
				var cells []*results.Cell
				env := &scenarios.Env{Target: s.inst, TargetName: s.cfg.Name, Trial: trial,
					Secret: secrets[s.cfg.Name], Driver: &driver{tick: bar.Add}, Client: client,
					MaxSubscribers: suite.MaxSubscribers, CronPeriod: suite.CronPeriod, Logf: prog.Logf,
					Meter: meterFor(ctx, s.inst, s.disc, client, prog.Logf),
					Cell: func(params map[string]string) *results.Cell {
						c := results.NewCell(info.Name, info.Kind, s.cfg.Name, trial, params, time.Now())
						cells = append(cells, c)
						run.Cells = append(run.Cells, c)
						return c
					}}
				err := sc.Run(ctx, env)
				now := time.Now()
				for _, c := range cells {
					c.Finish(now)
				}
				bar.Done(summaryLine(cells))
				if err != nil && ctx.Err() == nil {
					msg := mask(err.Error(), secrets[s.cfg.Name])
					for _, c := range cells {
						c.Failed = msg
					}
					run.Notes = append(run.Notes, fmt.Sprintf("%s: failed: %s", label, msg))
					prog.Logf("%s: failed: %s", label, msg)
				}
				if ctx.Err() != nil {
					return interrupted(run, save)
				}
				run.Ended = time.Now()
				if err := save(); err != nil {
					return run, err
				}
			}
		}
	}
	run.Ended = time.Now()
	return run, save()
}

func interrupted(run *results.Run, save func() error) (*results.Run, error) {
	run.Interrupted = true
	run.Ended = time.Now()
	if err := save(); err != nil {
		return run, err
	}
	return run, ErrInterrupted
}

// summaryLine is the plain-text line printed when a cell ends.
func summaryLine(cells []*results.Cell) string {
	var parts []string
	for _, c := range cells {
		for _, m := range []string{"latency", "propagation", "last_delivery", "lateness_server"} {
			if h := c.Histogram(m); h != nil && h.Count() > 0 {
				p := ""
				if len(c.Params) > 0 {
					p = " [" + results.ParamsKey(c.Params) + "]"
				}
				parts = append(parts, fmt.Sprintf("%s%s n=%d p50=%.2fms p99=%.2fms errors=%d", m, p, h.Count(),
					float64(h.Quantile(0.5).Microseconds())/1000, float64(h.Quantile(0.99).Microseconds())/1000, c.ErrorCount()))
				break
			}
		}
	}
	return strings.Join(parts, "; ")
}

func newSecret() ([]byte, error) {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("webhook secret: %w", err)
	}
	return []byte("whsec_" + hex.EncodeToString(b[:])), nil
}

// external reports whether the harness does not start the target itself,
// so its webhook secret must come from the environment.
func external(cfg targets.Config) bool { return cfg.URL != "" }

func externalSecret(suite *scenarios.Suite, cfg targets.Config, needed bool) ([]byte, error) {
	name := suite.SecretEnv
	if v := cfg.Options["secret_env"]; v != "" {
		name = v
	}
	v := os.Getenv(name)
	if v == "" && needed {
		return nil, fmt.Errorf("target %s: environment variable %s is unset: export the webhook secret the target was deployed with (or set secret_env)", cfg.Name, name)
	}
	return []byte(v), nil
}

func needsWebhook(suite *scenarios.Suite, target string) bool {
	for _, sc := range suite.Scenarios {
		info := scenarios.Info(sc)
		if info.Kind == "webhook" && info.Runs(target) {
			return true
		}
	}
	return false
}

func kindOf(cfg targets.Config) string {
	if cfg.Kind != "" {
		return cfg.Kind
	}
	return cfg.Name
}

func location(cfg targets.Config) string {
	if cfg.URL == "" {
		return "local"
	}
	if i := strings.Index(cfg.URL, "://"); i >= 0 {
		host := cfg.URL[i+3:]
		if j := strings.IndexAny(host, "/?#"); j >= 0 {
			host = host[:j]
		}
		if k := strings.LastIndex(host, "@"); k >= 0 {
			host = host[k+1:]
		}
		return host
	}
	return cfg.URL
}

func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, s)
}
