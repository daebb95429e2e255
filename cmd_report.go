package main

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"versus/reports"
	"versus/results"
)

func newReportCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "report RUN_DIR",
		Short: "Re-render a run's reports from its run.json",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			limitMemory()
			run, err := results.Load(args[0])
			if err != nil {
				return usageErr(err)
			}
			if err := reports.Terminal(cmd.OutOrStdout(), run); err != nil {
				return err
			}
			if err := renderReports(args[0], run, cmd.ErrOrStderr()); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s\n", filepath.Join(args[0], "report.html"))
			return nil
		},
	}
}

func newCompareCmd() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "compare RUN_A RUN_B [--out DIR]",
		Short: "Compare two runs (before/after), with significance",
		Long: `Compare two runs metric by metric on their per-trial medians: ratio with
a 95% confidence interval and a Mann-Whitney p-value; ~ when the difference
is within the noise. Runs of different suites compare what they share and
list what they do not. Writes compare.md and compare.html into --out
(default RUN_B).`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			limitMemory()
			a, err := results.Load(args[0])
			if err != nil {
				return usageErr(err)
			}
			b, err := results.Load(args[1])
			if err != nil {
				return usageErr(err)
			}
			if err := reports.Compare(cmd.OutOrStdout(), a, b); err != nil {
				return err
			}
			if out == "" {
				out = args[1]
			}
			if err := reports.WriteCompare(out, a, b); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s\n", filepath.Join(out, "compare.html"))
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "where to write compare.md and compare.html (default: RUN_B)")
	return cmd
}

func newMergeCmd() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "merge RUN_DIR... --out DIR",
		Short: "Merge the shards of one run (versus run --shard i/n) exactly",
		Long: `Merge run directories written by versus run --shard i/n on several
machines: HDR histograms merge losslessly and counters add.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return usageErr(fmt.Errorf("--out DIR is required"))
			}
			limitMemory()
			var runs []*results.Run
			for _, dir := range args {
				r, err := results.Load(dir)
				if err != nil {
					return usageErr(err)
				}
				runs = append(runs, r)
			}
			merged, err := results.Merge(runs...)
			if err != nil {
				return usageErr(err)
			}
			if err := merged.Save(out); err != nil {
				return err
			}
			if err := reports.Terminal(cmd.OutOrStdout(), merged); err != nil {
				return err
			}
			return renderReports(out, merged, cmd.ErrOrStderr())
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "directory of the merged run (required)")
	return cmd
}
