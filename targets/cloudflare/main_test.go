package cloudflare

import (
	"context"
	"fmt"
	"os"
	"testing"

	"versus/targets"
)

// helperEnv makes the test binary act as a harness that starts the local
// Worker and then waits to be killed (see TestKilledHarnessLeavesNoProcess).
const helperEnv = "VERSUS_CLOUDFLARE_TEST_HARNESS"

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "1" {
		os.Exit(runHarness())
	}
	os.Exit(m.Run())
}

// runHarness starts the local Worker, prints "ready PGID STATEDIR" and
// blocks until it is killed.
func runHarness() int {
	tg, err := New(targets.Config{Name: "cloudflare"})
	if err != nil {
		fmt.Println("error", err)
		return 1
	}
	inst, err := tg.Start(context.Background(), targets.Env{WebhookSecret: testSecret, Log: os.Stderr})
	if err != nil {
		fmt.Println("error", err)
		return 1
	}
	local := inst.(*localInstance)
	fmt.Println("ready", local.cmd.Process.Pid, local.stateDir)
	select {}
}
