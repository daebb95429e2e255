package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"versus/scenarios"
	"versus/targets"
)

func newServeCmd() *cobra.Command {
	var addr, data string
	var cronPeriod time.Duration
	cmd := &cobra.Command{
		Use:   "serve NAME --addr 127.0.0.1:PORT [--data DIR]",
		Short: "Run an embedded backend as its own process",
		Long: `Run an embedded backend (edge, integrated, null) as a process of its own,
for curl, for crash tests, or for other load tools. The webhook secret is
read from $` + scenarios.DefaultSecretEnv + `. With --data its SQLite files live
in DIR and survive restarts.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			t, err := targets.New(targets.Config{Name: args[0]})
			if err != nil {
				return usageErr(err)
			}
			srv, ok := t.(targets.Server)
			if !ok {
				return usageErr(fmt.Errorf("target %s cannot be served: only embedded backends can", args[0]))
			}
			if addr == "" {
				return usageErr(fmt.Errorf("--addr is required (e.g. 127.0.0.1:8080)"))
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			env := targets.Env{WebhookSecret: os.Getenv(scenarios.DefaultSecretEnv), DataDir: data, CronPeriod: cronPeriod, Log: cmd.ErrOrStderr()}
			fmt.Fprintf(cmd.ErrOrStderr(), "serving %s on http://%s\n", args[0], addr)
			return srv.Serve(ctx, addr, env)
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "", "listen address (required)")
	cmd.Flags().StringVar(&data, "data", "", "directory for durable state (default: temporary)")
	cmd.Flags().DurationVar(&cronPeriod, "cron-period", 0, "cron dispatch period (default: the backend's own, 60s)")
	return cmd
}
