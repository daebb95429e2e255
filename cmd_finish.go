package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"time"

	"github.com/spf13/cobra"

	"versus/reports"
	"versus/results"
	"versus/runner"
)

// renderReports writes report.md, report.html and plots into dir, with the
// cost model's section.
func renderReports(dir string, run *results.Run, warn io.Writer) error {
	opts := reports.Options{}
	cost, claims, err := reports.CostFromModel(run, time.Now())
	if err != nil {
		fmt.Fprintf(warn, "cost section left out: %v\n", err)
	} else {
		opts.Cost, opts.Claims = cost, claims
	}
	return reports.Write(dir, run, opts)
}

// finishRun reports a run and picks the exit status.
func finishRun(cmd *cobra.Command, dir string, run *results.Run, runErr error) error {
	out, errw := cmd.OutOrStdout(), cmd.ErrOrStderr()
	if err := reports.Terminal(out, run); err != nil {
		return err
	}
	if err := renderReports(dir, run, errw); err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	fmt.Fprintf(out, "results: %s (report.html, report.md, summary.json)\n", dir)
	switch {
	case errors.Is(runErr, runner.ErrInterrupted):
		fmt.Fprintln(errw, "interrupted: finished cells kept in", dir)
		return &exitError{code: exitInterrupted, err: runErr}
	case runErr != nil:
		return runErr
	}
	if failures := reports.CorrectnessFailures(run); len(failures) > 0 {
		for _, f := range failures {
			fmt.Fprintln(errw, "CORRECTNESS FAILURE:", f)
		}
		return &exitError{code: exitCorrectness, err: fmt.Errorf("%d correctness failures", len(failures))}
	}
	return nil
}

// limitMemory keeps re-rendering commands lean: a run's decoded histograms
// are most of their heap, and the default GC lets it double before
// collecting. A GOMEMLIMIT set by the user wins.
func limitMemory() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(150 << 20)
	}
}
