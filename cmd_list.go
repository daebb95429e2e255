package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"versus/scenarios"
	"versus/targets"
)

func newTargetsCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "targets",
		Short: "List the registered target kinds and their fields",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w := cmd.OutOrStdout()
			for _, k := range targets.Kinds() {
				how := "suite entry {name: ..., kind: " + k.Name + ", ...}"
				if k.Builtin {
					how = "built in: name it alone (- " + k.Name + ")"
				}
				fmt.Fprintf(w, "%s\n  %s\n  %s\n", k.Name, k.Summary, how)
				printFields(w, k.Fields)
			}
			return nil
		},
	}
}

func newScenariosCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "scenarios",
		Short: "List the scenario kinds, their parameters and the built-in suites",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w := cmd.OutOrStdout()
			for _, k := range scenarios.Kinds() {
				fmt.Fprintf(w, "%s\n  %s\n", k.Name, k.Summary)
				printFields(w, k.Fields)
			}
			fmt.Fprintf(w, "built-in suites: %s (versus run --suite NAME)\n", strings.Join(scenarios.Builtin(), ", "))
			fmt.Fprintf(w, "topologies: %s (suite field topology, or --topology)\n", strings.Join(scenarios.ProfileNames(), ", "))
			return nil
		},
	}
}

func printFields(w interface{ Write([]byte) (int, error) }, fields map[string]string) {
	names := make([]string, 0, len(fields))
	for n := range fields {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "    %-16s %s\n", n, fields[n])
	}
}
