package conformance

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"versus/targets"
	_ "versus/targets/edge"
	_ "versus/targets/integrated"
)

const testSecret = "whsec_conformance_test_secret"

// start runs a registered embedded target for one test.
func start(t *testing.T, kind string, env targets.Env) targets.Instance {
	t.Helper()
	target, err := targets.New(targets.Config{Name: kind})
	if err != nil {
		t.Fatal(err)
	}
	inst, err := target.Start(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { inst.Close() })
	return inst
}

// find returns the check of capability whose name starts with name.
func find(t *testing.T, r *Report, capability, name string) Check {
	t.Helper()
	for _, c := range r.Checks {
		if c.Capability == capability && strings.HasPrefix(c.Name, name) {
			return c
		}
	}
	t.Fatalf("no check %s %q in the report", capability, name)
	return Check{}
}

func written(t *testing.T, r *Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := r.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestVerifyPassesTheEmbeddedBackends(t *testing.T) {
	for _, kind := range []string{"integrated", "edge"} {
		t.Run(kind+" conforms to contract v1", func(t *testing.T) {
			// Default JobWait: edge's queue holds a partial batch for 5 s, as
			// Cloudflare's production consumer does.
			inst := start(t, kind, targets.Env{WebhookSecret: testSecret, CronPeriod: time.Second})
			r := Verify(context.Background(), inst, []byte(testSecret), Options{CronWait: 3 * time.Second})
			out := written(t, r)
			if !r.OK() {
				t.Fatalf("verify failed:\n%s", out)
			}
			if passed, _, _ := r.Counts(); passed < 40 {
				t.Errorf("only %d checks passed; the report is missing checks:\n%s", passed, out)
			}
			for _, via := range r.Discovery.ScheduleVia {
				if c := find(t, r, targets.CapSchedule, "via "+via+": fires"); c.Status != Pass {
					t.Errorf("job via %s: %s %s", via, c.Status, c.Reason)
				}
			}
			if strings.Contains(out, testSecret) {
				t.Errorf("the report shows the webhook secret:\n%s", out)
			}
		})
	}
}

func TestVerifyWithoutTheSecretSkipsSignedDeliveries(t *testing.T) {
	inst := start(t, "integrated", targets.Env{WebhookSecret: testSecret, CronPeriod: time.Second})
	r := Verify(context.Background(), inst, nil, Options{JobWait: 3 * time.Second})
	c := find(t, r, targets.CapWebhook, "accepts a valid delivery")
	if c.Status != Skip || !strings.Contains(c.Reason, "VERSUS_WEBHOOK_SECRET") {
		t.Errorf("valid delivery without a secret: got %s %q, want a SKIP naming VERSUS_WEBHOOK_SECRET", c.Status, c.Reason)
	}
	if c := find(t, r, targets.CapWebhook, "refuses a forged signature"); c.Status != Pass {
		t.Errorf("a forged signature needs no secret to be refused: got %s %s", c.Status, c.Reason)
	}
	if r.OK() {
		t.Errorf("a run that could not check signed deliveries must not verify the target:\n%s", written(t, r))
	}
}

func TestVerifyCronThatCannotBeWaitedFor(t *testing.T) {
	cases := []struct {
		name     string
		cronWait time.Duration
		want     Status
	}{
		{"is skipped with a hint when no cron wait is given", 0, Skip},
		{"fails when a cron wait is given and passes", 400 * time.Millisecond, Fail},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// A cron period far longer than the waits.
			inst := start(t, "integrated", targets.Env{WebhookSecret: testSecret, CronPeriod: time.Hour})
			if !inst.Discovery().Offers("cron") {
				t.Skip("integrated offers no cron mechanism")
			}
			r := Verify(context.Background(), inst, []byte(testSecret), Options{JobWait: 400 * time.Millisecond, CronWait: c.cronWait})
			got := find(t, r, targets.CapSchedule, "via cron: fires")
			if got.Status != c.want {
				t.Fatalf("got %s %q, want %s", got.Status, got.Reason, c.want)
			}
			if c.want == Skip && !strings.Contains(got.Reason, "--cron-wait") {
				t.Errorf("the skip does not say how to wait longer: %q", got.Reason)
			}
			if r.OK() {
				t.Error("a target whose cron job was not seen firing must not verify")
			}
		})
	}
}
