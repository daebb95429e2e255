package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"versus/runner"
	"versus/scenarios"
	"versus/targets"
)

type runFlags struct {
	suite    string
	targets  []string
	out      string
	quick    bool
	topology string
	shard    string
}

func newRunCmd() *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run [SUITE.yaml]",
		Short: "Run a suite (the built-in default without a file)",
		Long: `Run a suite and write results/<run-id>/ (run.json, summary.json, reports).

Without a file, the built-in default suite runs against the embedded
targets. --target replaces the suite's targets: a registered name (see
versus targets) or the URL of a server speaking the target contract.

Exit status: 0 ok, 2 bad input (nothing sent), 3 a correctness failure,
130 interrupted (finished cells kept).`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSuite(cmd, args, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.suite, "suite", "", "a built-in suite by name ("+strings.Join(scenarios.Builtin(), ", ")+")")
	fl.StringArrayVar(&f.targets, "target", nil, "replace the suite's targets (repeatable): a name or a contract URL")
	fl.StringVar(&f.out, "out", "", "run directory (default results/<run-id>)")
	fl.BoolVar(&f.quick, "quick", false, "one short trial: a smoke run, not a comparison")
	fl.StringVar(&f.topology, "topology", "", "network topology ("+strings.Join(scenarios.ProfileNames(), ", ")+")")
	fl.StringVar(&f.shard, "shard", "", "run shard i of n (i/n): this machine's part of the load, for `versus merge`")
	return cmd
}

func loadSuite(args []string, f runFlags) (*scenarios.Suite, error) {
	switch {
	case len(args) == 1 && f.suite != "":
		return nil, errors.New("give a suite file or --suite, not both")
	case len(args) == 1:
		return scenarios.LoadFile(args[0])
	case f.suite != "":
		return scenarios.LoadBuiltin(f.suite)
	default:
		return scenarios.LoadBuiltin("default")
	}
}

func runSuite(cmd *cobra.Command, args []string, f runFlags) error {
	suite, err := loadSuite(args, f)
	if err != nil {
		return usageErr(err)
	}
	if len(f.targets) > 0 {
		cfgs, err := targetFlags(f.targets)
		if err != nil {
			return usageErr(err)
		}
		scenarios.OnlyTargets(suite, cfgs)
	}
	if f.topology != "" {
		t, err := scenarios.TopologyByName(f.topology)
		if err != nil {
			return usageErr(fmt.Errorf("--topology: %w", err))
		}
		suite.Topology = t
	}
	if f.quick {
		scenarios.MakeQuick(suite)
	}
	var notes []string
	if f.shard != "" {
		var i, n int
		if _, err := fmt.Sscanf(f.shard, "%d/%d", &i, &n); err != nil || n < 1 || i < 1 || i > n {
			return usageErr(fmt.Errorf("--shard %q: want i/n with 1 <= i <= n", f.shard))
		}
		notes = scenarios.Shard(suite, i, n)
		if len(suite.Scenarios) == 0 {
			return usageErr(fmt.Errorf("--shard %s: no scenario of this suite runs on this shard", f.shard))
		}
	}
	id := runner.NewRunID(time.Now())
	dir := f.out
	if dir == "" {
		dir = filepath.Join("results", id)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	stderr := cmd.ErrOrStderr()
	fmt.Fprintf(stderr, "suite %s: %d scenarios x %d targets x %d trials -> %s\n",
		suite.Name, len(suite.Scenarios), len(suite.Targets), suite.Trials, dir)
	run, err := runner.Run(ctx, suite, runner.Options{Dir: dir, RunID: id, Version: version,
		Progress: stderr, Interactive: isTerminal(stderr), Shard: f.shard, Notes: notes})
	if run == nil {
		if err != nil && ctx.Err() != nil {
			return &exitError{code: exitInterrupted, err: err}
		}
		return usageErr(err)
	}
	return finishRun(cmd, dir, run, err)
}

// targetFlags turns --target values into target entries: a URL becomes a
// contract target named after its host.
func targetFlags(values []string) ([]targets.Config, error) {
	var out []targets.Config
	for _, v := range values {
		cfg := targets.Config{Name: v}
		if strings.Contains(v, "://") {
			u, err := url.Parse(v)
			if err != nil || u.Host == "" {
				return nil, fmt.Errorf("--target %q: not a URL", v)
			}
			cfg = targets.Config{Name: u.Host, Kind: "contract", URL: v}
		}
		if _, err := targets.New(cfg); err != nil {
			return nil, fmt.Errorf("--target %s: %w", v, err)
		}
		out = append(out, cfg)
	}
	return out, nil
}

func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
