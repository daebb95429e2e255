package conformance

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"versus/targets"
)

// Verify checks the running instance against contract v1 and returns the
// report. secret is the webhook secret the target verifies with; it signs
// deliveries and never appears in the report. Every request goes to
// inst.URL(); channel subscriptions go through targets.SubscriberFor(inst).
// Verify stops early, with the remaining checks skipped, when ctx ends.
func Verify(ctx context.Context, inst targets.Instance, secret []byte, opts Options) *Report {
	start := time.Now()
	ownClient := opts.Client == nil
	opts = opts.withDefaults()
	if ownClient {
		defer opts.Client.CloseIdleConnections()
	}
	v := &verifier{
		inst:   inst,
		base:   strings.TrimSuffix(inst.URL(), "/"),
		secret: append([]byte(nil), secret...),
		opts:   opts,
		run:    runID(),
	}
	r := &Report{URL: v.base, Discovery: inst.Discovery()}

	d, reachable := v.discovery(ctx, r)
	if reachable {
		if d.Contract != 0 || d.Name != "" || d.Capabilities != nil {
			r.Discovery = d
		}
		v.declared = r.Discovery
		v.health(ctx, r)
		stored := v.items(ctx, r)
		v.itemsReads(ctx, r, stored)
		v.webhook(ctx, r)
		v.schedule(ctx, r)
		v.subscribe(ctx, r)
		v.meters(ctx, r)
	}
	for i := range r.Checks {
		r.Checks[i].Reason = v.redact(r.Checks[i].Reason)
	}
	r.Elapsed = time.Since(start)
	return r
}

// verifier is one verification run.
type verifier struct {
	inst     targets.Instance
	base     string
	secret   []byte
	opts     Options
	declared targets.Discovery
	// run makes this run's ids, channels and events its own, so a
	// target that already holds data (or another verify) cannot make a
	// check pass or fail.
	run string
}

func runID() string {
	var b [6]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// id names a fresh object of this run.
func (v *verifier) id(kind string) string {
	return "versus-verify-" + v.run + "-" + kind
}

// redact removes the secret from a reason, whatever a target echoed.
func (v *verifier) redact(s string) string {
	if len(v.secret) == 0 {
		return s
	}
	return strings.ReplaceAll(s, string(v.secret), "[secret]")
}

// section collects the checks of one capability.
type section struct {
	ctx        context.Context
	report     *Report
	capability string
	declared   bool
}

func (v *verifier) section(ctx context.Context, r *Report, capability string) *section {
	return &section{ctx: ctx, report: r, capability: capability, declared: v.declared.Has(capability)}
}

// check runs one named check: run returns nil to pass, a skip to skip,
// any other error to fail with that error as the reason.
func (s *section) check(route, name string, run func() error) {
	c := Check{Capability: s.capability, Route: route, Name: name, Declared: s.declared}
	var err error
	if s.ctx.Err() != nil {
		err = skipf("verification interrupted: %v", context.Cause(s.ctx))
	} else {
		err = run()
	}
	var sk *skip
	switch {
	case err == nil:
		c.Status = Pass
	case errors.As(err, &sk):
		c.Status, c.Reason = Skip, sk.reason
		if sk.undeclared {
			c.Declared = false
		}
	default:
		c.Status, c.Reason = Fail, err.Error()
	}
	s.report.Checks = append(s.report.Checks, c)
}

// skip is returned by a check that could not be judged.
type skip struct {
	reason string
	// undeclared: the check needs a capability the target does not
	// declare, so the skip does not count against the target.
	undeclared bool
}

func (s *skip) Error() string { return s.reason }

func skipf(format string, args ...any) error {
	return &skip{reason: fmt.Sprintf(format, args...)}
}

func notDeclared(capability string) error {
	return &skip{reason: fmt.Sprintf("the target does not declare %q", capability), undeclared: true}
}

// after skips a check whose prerequisite failed.
func after(prerequisite string) error {
	return skipf("needs %s, which did not pass", prerequisite)
}
