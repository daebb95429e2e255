package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"versus/scenarios"
	"versus/targets"
	"versus/targets/conformance"
)

func newVerifyCmd() *cobra.Command {
	var target, rawURL, suiteFile string
	var cronPeriod, cronWait, jobWait time.Duration
	cmd := &cobra.Command{
		Use:   "verify --target NAME [--suite FILE] | --url URL",
		Short: "Check a target against contract v1, route by route",
		Long: `Check a target against the target contract, route by route, and print
pass or fail per check. --target starts a registered target (the harness
gives it a fresh webhook secret), or with --suite the target of that name
in a suite file (a deployed Worker, a Convex deployment: their secret is
read from the variable the suite names); --url checks a running server,
whose secret is read from $` + scenarios.DefaultSecretEnv + `.

Exit status 0 only if every check of every declared capability passed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if (target == "") == (rawURL == "") {
				return usageErr(errors.New("give exactly one of --target NAME or --url URL"))
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			inst, secret, err := verifyTarget(ctx, target, suiteFile, rawURL, cronPeriod)
			if err != nil {
				return usageErr(err)
			}
			defer inst.Close()
			if cronWait == 0 && target != "" {
				// The harness set the cron period: wait one period and a margin.
				cronWait = cronPeriod + 5*time.Second
			}
			rep := conformance.Verify(ctx, inst, secret, conformance.Options{JobWait: jobWait, CronWait: cronWait})
			if err := rep.Write(cmd.OutOrStdout()); err != nil {
				return err
			}
			if !rep.OK() {
				_, failed, skipped := rep.Counts()
				return &exitError{code: exitFailure, err: fmt.Errorf("%s does not conform: %d failed, %d skipped", inst.URL(), failed, skipped)}
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&target, "target", "", "a registered target to start and check (see versus targets)")
	fl.StringVar(&rawURL, "url", "", "a running contract server to check")
	fl.StringVar(&suiteFile, "suite", "", "a suite file that defines the --target (for deployed targets)")
	fl.DurationVar(&cronPeriod, "cron-period", 2*time.Second, "cron dispatch period of a target the harness starts")
	fl.DurationVar(&cronWait, "cron-wait", 0, "how long a cron job may take to fire (default: the cron period + 5s with --target)")
	fl.DurationVar(&jobWait, "job-wait", 10*time.Second, "how long other jobs may take to fire")
	return cmd
}

// verifyTarget starts a named target (from a suite file when one is
// given), or points at a running server.
func verifyTarget(ctx context.Context, name, suiteFile, rawURL string, cronPeriod time.Duration) (targets.Instance, []byte, error) {
	if rawURL != "" {
		inst, err := conformance.AtURL(rawURL)
		return inst, []byte(os.Getenv(scenarios.DefaultSecretEnv)), err
	}
	cfg := targets.Config{Name: name}
	secretEnv := ""
	if suiteFile != "" {
		suite, err := scenarios.LoadFile(suiteFile)
		if err != nil {
			return nil, nil, err
		}
		found := false
		for _, c := range suite.Targets {
			if c.Name == name {
				cfg, found = c, true
			}
		}
		if !found {
			return nil, nil, fmt.Errorf("--target %s: %s has no target of that name", name, suiteFile)
		}
		if cfg.URL != "" {
			// A target the harness does not start was given its secret
			// when it was deployed: read it where the suite says.
			secretEnv = suite.SecretEnv
			if v := cfg.Options["secret_env"]; v != "" {
				secretEnv = v
			}
		}
	}
	t, err := targets.New(cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("--target %s: %w", name, err)
	}
	var b [24]byte
	_, _ = rand.Read(b[:])
	secret := "whsec_" + hex.EncodeToString(b[:])
	if secretEnv != "" {
		secret = os.Getenv(secretEnv)
	}
	inst, err := t.Start(ctx, targets.Env{WebhookSecret: secret, CronPeriod: cronPeriod})
	if err != nil {
		return nil, nil, fmt.Errorf("target %s: %w", name, err)
	}
	return inst, []byte(secret), nil
}
