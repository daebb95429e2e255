package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"versus/results"
	"versus/runner"
)

// finishRun reports a run and picks the exit status.
func finishRun(cmd *cobra.Command, dir string, run *results.Run, runErr error) error {
	out := cmd.OutOrStdout()
	fmt.Fprintf(out, "results: %s\n", dir)
	switch {
	case errors.Is(runErr, runner.ErrInterrupted):
		fmt.Fprintln(cmd.ErrOrStderr(), "interrupted: finished cells kept in", dir)
		return &exitError{code: exitInterrupted, err: runErr}
	case runErr != nil:
		return runErr
	}
	return nil
}
