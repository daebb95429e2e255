package main

import (
	"strings"

	"github.com/spf13/cobra"

	"versus/costmodel"
)

func newCostCmd() *cobra.Command {
	var a costmodel.CostArgs
	cmd := &cobra.Command{
		Use:   "cost [--profile NAME|FILE] [--pricing FILE]... [--run RUN_DIR]",
		Short: "Monthly bills per platform and plan, cheapest plans, break-even",
		Long: `Bill a traffic profile on every plan of the pricing catalogs (dated,
sourced data files), line by line; name the cheapest plan per platform;
sweep the profile from 0.01x to 1000x to find where platforms cross.
With --run, the units a run's targets metered are shown beside the units
each platform's mapping declares per operation.

Built-in profiles: ` + strings.Join(costmodel.BuiltinProfiles(), ", ") + `.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := costmodel.CLI(cmd.OutOrStdout(), a); err != nil {
				return usageErr(err)
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&a.Profile, "profile", costmodel.DefaultProfile, "traffic profile: a built-in name or a YAML file")
	fl.StringArrayVar(&a.Pricing, "pricing", nil, "pricing catalog file (repeatable); one named like a built-in replaces it")
	fl.StringVar(&a.Run, "run", "", "a run directory: compare its metered units with the declared ones")
	fl.StringVar(&a.ConvexSubBilling, "convex-sub-billing", "", "how Convex bills a subscription update: per-subscriber (default) or per-query")
	fl.StringVar(&a.WorkersPublishVia, "workers-publish-via", "", "how Workers publishers reach the Durable Object: http (default) or websocket")
	return cmd
}
