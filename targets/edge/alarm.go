package edge

import (
	"context"
	"log"
	"sync"
	"time"
)

// Alarm retries as Cloudflare documents them: at-least-once, a failed
// alarm() is retried with exponential backoff starting at 2 s, up to 6
// times.
const (
	alarmBackoff    = 2 * time.Second
	alarmMaxRetries = 6
)

// alarms is the Durable Object namespace of job alarms: one object per
// job, each holding a single alarm, as `storage.setAlarm(scheduledFor)`
// would. Setting an object's alarm again replaces it.
type alarms struct {
	// handler is what an object's alarm() does when it rings.
	handler func(id string) *jobRun
	meters  *meters
	log     *log.Logger

	mu      sync.Mutex
	objects map[string]*alarmObject
	closed  bool
	running sync.WaitGroup // one per armed timer
}

// alarmObject is one object's single alarm and the invocation its retries
// continue.
type alarmObject struct {
	timer   *time.Timer
	retries int
	run     *jobRun
}

func newAlarms(handler func(id string) *jobRun, m *meters, logger *log.Logger) *alarms {
	return &alarms{handler: handler, meters: m, log: logger, objects: map[string]*alarmObject{}}
}

// set arms object id's alarm for at (now if at has passed).
func (a *alarms) set(id string, at time.Time) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return errShuttingDown
	}
	if old := a.objects[id]; old != nil && old.timer.Stop() {
		a.running.Done()
	}
	o := &alarmObject{}
	a.objects[id] = o
	a.arm(id, o, time.Until(at))
	return nil
}

// arm starts o's timer; a.mu is held.
func (a *alarms) arm(id string, o *alarmObject, after time.Duration) {
	a.running.Add(1)
	o.timer = time.AfterFunc(after, func() {
		defer a.running.Done()
		a.ring(id, o)
	})
}

// ring invokes the object's alarm() and, on failure, arms the retry.
func (a *alarms) ring(id string, o *alarmObject) {
	a.meters.doRequests.Add(1) // an alarm invocation bills as a request
	if o.run == nil {
		o.run = a.handler(id)
	}
	err := o.run.attempt(context.Background())
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.objects[id] != o {
		return // replaced by a newer alarm while ringing
	}
	if err == nil || a.closed || o.retries == alarmMaxRetries {
		delete(a.objects, id)
		if err != nil && !a.closed {
			a.log.Printf("alarm of job %s failed %d times, giving up (the job stays pending and is re-armed at the next start): %v", id, o.retries+1, err)
		}
		return
	}
	o.retries++
	a.arm(id, o, alarmBackoff<<(o.retries-1))
}

// close disarms every alarm and waits for ringing ones to finish their
// attempt.
func (a *alarms) close() {
	a.mu.Lock()
	a.closed = true
	for id, o := range a.objects {
		if o.timer.Stop() {
			a.running.Done()
		}
		delete(a.objects, id)
	}
	a.mu.Unlock()
	a.running.Wait()
}
