// Command versus benchmarks backend models against each other: edge-style
// (Cloudflare Workers) and integrated-style (Convex), through scenario
// suites, and reports latency, correctness and cost.
//
// This file and its cmd_*.go siblings are wiring only: flags in, package
// calls out, exit codes.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	_ "versus/targets/cloudflare"
	_ "versus/targets/contract"
	_ "versus/targets/convex"
	_ "versus/targets/edge"
	_ "versus/targets/integrated"
	_ "versus/targets/null"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// Exit codes.
const (
	exitOK          = 0
	exitFailure     = 1
	exitUsage       = 2   // bad input: nothing was sent
	exitCorrectness = 3   // the run finished but a target lost, duplicated or accepted what it must not
	exitInterrupted = 130 // SIGINT/SIGTERM: finished cells were kept
)

// exitError carries an exit code through cobra.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageErr(err error) error { return &exitError{code: exitUsage, err: err} }

func main() {
	os.Exit(execute(os.Args[1:]))
}

func execute(args []string) int {
	root := newRoot()
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil && ee.code != exitCorrectness && ee.code != exitInterrupted {
			fmt.Fprintln(os.Stderr, "versus:", ee.err)
		}
		return ee.code
	}
	fmt.Fprintln(os.Stderr, "versus:", err)
	return exitFailure
}

func newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:   "versus",
		Short: "Benchmark edge-style and integrated-style backends side by side",
		Long: `versus runs scenario suites (HTTP handlers, signed webhooks, scheduling,
subscriptions, fan-out) against backend targets and reports latency
(coordinated-omission corrected, HDR histograms), correctness and cost.

  versus run                  the default suite on the embedded targets
  versus run my-suite.yaml    a suite file`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version,
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageErr(fmt.Errorf("%w (see %s --help)", err, c.CommandPath()))
	})
	root.AddCommand(newRunCmd(), newVerifyCmd(), newServeCmd(), newReportCmd(), newCompareCmd(), newMergeCmd(), newCostCmd(), newTargetsCmd(), newScenariosCmd())
	return root
}
