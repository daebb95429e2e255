package cloudflare

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"versus/targets"
	"versus/targets/contract"
)

// startTimeout bounds how long the local Worker may take to announce
// itself (workerd compiles the Worker and opens its state; on a busy
// two-core machine that takes seconds).
const startTimeout = 2 * time.Minute

// stopTimeout is how long Close lets serve.mjs stop before killing its
// process group.
const stopTimeout = 5 * time.Second

// secretVar is the binding the Worker reads its webhook secret from.
const secretVar = "VERSUS_WEBHOOK_SECRET"

type localConfig struct {
	name       string
	workerDir  string
	cronPeriod time.Duration
}

// localInstance is the Worker running on this machine: node running
// scripts/serve.mjs, leading a process group with the workerd it spawns.
type localInstance struct {
	cmd       *exec.Cmd
	stdin     io.Closer
	out       *output
	log       io.Writer
	url       string
	discovery targets.Discovery

	// exited is closed once serve.mjs has exited; waitErr says how.
	exited  chan struct{}
	waitErr error

	stateDir  string
	temporary bool // stateDir is ours to remove

	cronClient *http.Client
	stopCron   context.CancelFunc
	cronDone   chan struct{}

	closing   chan struct{}
	closeOnce sync.Once
	closeErr  error
}

// startLocal installs what is missing, starts serve.mjs, waits for it to
// announce its URL and answer GET /contract, and starts the cron ticks.
func startLocal(ctx context.Context, cfg localConfig, env targets.Env) (targets.Instance, error) {
	log := env.Log
	if log == nil {
		log = io.Discard
	}
	tc, err := findToolchain(ctx)
	if err != nil {
		return nil, err
	}
	dir, err := projectDir(ctx, cfg.workerDir, tc, log)
	if err != nil {
		return nil, err
	}
	i := &localInstance{
		log:      log,
		out:      newOutput(log, env.WebhookSecret, 40),
		exited:   make(chan struct{}),
		closing:  make(chan struct{}),
		stateDir: env.DataDir,
	}
	if i.stateDir == "" {
		if i.stateDir, err = os.MkdirTemp("", "versus-cloudflare-"); err != nil {
			return nil, fmt.Errorf("a folder for the local Worker's state: %w", err)
		}
		i.temporary = true
	}
	args := []string{"scripts/serve.mjs", "--host", "127.0.0.1", "--port", "0",
		"--persist-to", i.stateDir, "--exit-with-stdin"}
	if i.temporary {
		args = append(args, "--ephemeral")
	}
	i.cmd = exec.Command(tc.node, args...)
	i.cmd.Dir = dir
	i.cmd.Env = workerEnv(os.Environ(), env.WebhookSecret)
	i.cmd.SysProcAttr = groupAttr()
	ready := make(chan string, 1)
	i.cmd.Stdout = &readyLine{ready: ready, rest: i.out}
	i.cmd.Stderr = i.out
	i.cmd.WaitDelay = stopTimeout
	if i.stdin, err = i.cmd.StdinPipe(); err != nil {
		i.removeState()
		return nil, err
	}
	if err := i.cmd.Start(); err != nil {
		i.removeState()
		return nil, fmt.Errorf("starting %s scripts/serve.mjs in %s: %w", tc.node, dir, err)
	}
	go func() {
		i.waitErr = i.cmd.Wait()
		i.out.Flush()
		close(i.exited)
	}()
	if err := i.awaitReady(ctx, ready, dir, cfg.name); err != nil {
		i.Close()
		return nil, err
	}
	go i.reportExit()
	cronCtx, stop := context.WithCancel(context.Background())
	i.stopCron, i.cronDone = stop, make(chan struct{})
	i.cronClient = &http.Client{Transport: &http.Transport{Proxy: nil}}
	ticker := cronTicker{base: i.url, period: cfg.cronPeriod, client: i.cronClient, log: i.out}
	go func() {
		defer close(i.cronDone)
		ticker.run(cronCtx)
	}()
	fmt.Fprintf(log, "local Worker ready at %s (Node.js %s, project %s, state %s, cron every %v)\n", i.url, tc.version, dir, i.stateDir, cfg.cronPeriod)
	return i, nil
}

// awaitReady waits for serve.mjs's ready line, then reads GET /contract.
func (i *localInstance) awaitReady(ctx context.Context, ready <-chan string, dir, name string) error {
	timer := time.NewTimer(startTimeout)
	defer timer.Stop()
	select {
	case i.url = <-ready:
	case <-i.exited:
		return fmt.Errorf("the local Worker (node scripts/serve.mjs in %s) exited before it was ready (%v); its last output:\n%s", dir, i.waitErr, i.out.Tail())
	case <-timer.C:
		return fmt.Errorf("the local Worker (node scripts/serve.mjs in %s) was not ready after %v; its last output:\n%s", dir, startTimeout, i.out.Tail())
	case <-ctx.Done():
		return ctx.Err()
	}
	probe, err := contract.New(targets.Config{Name: name, Kind: "contract", URL: i.url})
	if err != nil {
		return fmt.Errorf("the local Worker announced %q: %w", i.url, err)
	}
	inst, err := probe.Start(ctx, targets.Env{})
	if err != nil {
		return fmt.Errorf("the local Worker at %s: %w; its last output:\n%s", i.url, err, i.out.Tail())
	}
	i.discovery = inst.Discovery()
	return nil
}

// reportExit logs serve.mjs exiting while the instance is in use.
func (i *localInstance) reportExit() {
	select {
	case <-i.exited:
		select {
		case <-i.closing: // Close stopped it
		default:
			fmt.Fprintf(i.log, "the local Worker exited unexpectedly (%v); its last output:\n%s\n", i.waitErr, i.out.Tail())
		}
	case <-i.closing:
	}
}

func (i *localInstance) Discovery() targets.Discovery { return i.discovery }
func (i *localInstance) URL() string                  { return i.url }

// Close stops the cron ticks, asks serve.mjs to stop (it disposes of
// workerd), kills the process group if that takes too long or leaves
// anything behind, and removes a temporary state folder.
func (i *localInstance) Close() error {
	i.closeOnce.Do(func() {
		close(i.closing)
		if i.stopCron != nil {
			i.stopCron()
			<-i.cronDone
			i.cronClient.CloseIdleConnections()
		}
		i.stdin.Close()
		errs := []error{terminate(i.cmd.Process)}
		select {
		case <-i.exited:
		case <-time.After(stopTimeout):
			errs = append(errs, killGroup(i.cmd.Process))
			<-i.exited
		}
		// Anything of the group still running (workerd, were node to have
		// died first) goes too, and is gone before the state folder is
		// removed or reused.
		errs = append(errs, killGroup(i.cmd.Process), i.awaitGroupGone(), i.removeState())
		if err := errors.Join(errs...); err != nil {
			i.closeErr = fmt.Errorf("stopping the local Worker: %w", err)
		}
	})
	return i.closeErr
}

// awaitGroupGone waits for the kernel to finish off the killed group.
func (i *localInstance) awaitGroupGone() error {
	deadline := time.Now().Add(stopTimeout)
	for !groupGone(i.cmd.Process) {
		if time.Now().After(deadline) {
			return fmt.Errorf("process group %d still running %v after SIGKILL", i.cmd.Process.Pid, stopTimeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return nil
}

func (i *localInstance) removeState() error {
	if !i.temporary {
		return nil
	}
	return os.RemoveAll(i.stateDir)
}

// workerEnv is environ with the webhook secret set to secret (or unset
// when there is none: the Worker then declares no webhook capability).
func workerEnv(environ []string, secret string) []string {
	env := make([]string, 0, len(environ)+1)
	for _, kv := range environ {
		if !strings.HasPrefix(kv, secretVar+"=") {
			env = append(env, kv)
		}
	}
	if secret != "" {
		env = append(env, secretVar+"="+secret)
	}
	return env
}

// readyLine takes serve.mjs's standard output: the first line that is
// {"url": ...} announces the Worker; any other line goes to rest.
type readyLine struct {
	partial []byte
	ready   chan<- string
	sent    bool
	rest    io.Writer
}

func (r *readyLine) Write(p []byte) (int, error) {
	r.partial = append(r.partial, p...)
	for {
		n := bytes.IndexByte(r.partial, '\n')
		if n < 0 {
			return len(p), nil
		}
		line := r.partial[:n+1]
		r.partial = r.partial[n+1:]
		var msg struct {
			URL string `json:"url"`
		}
		if !r.sent && json.Unmarshal(line, &msg) == nil && msg.URL != "" {
			r.sent = true
			r.ready <- msg.URL
			continue
		}
		r.rest.Write(line)
	}
}
