package scenarios

import "fmt"

// sharder is implemented by kinds whose load can be split across n
// machines (`versus run --shard i/n`): each shard sends its part, and
// `versus merge` adds the parts back exactly.
type sharder interface {
	// shard keeps shard i's part of the load (1 <= i <= n) and says
	// whether the scenario runs on this shard at all.
	shard(i, n int) bool
}

// Shard turns the suite into shard i of n: rates, jobs and subscribers
// are split, so that n machines together send the suite's load. It
// returns notes for the run on what was split and what was left to
// another shard.
func Shard(s *Suite, i, n int) []string {
	if n <= 1 {
		return nil
	}
	notes := []string{fmt.Sprintf("shard %d of %d: rates, jobs and subscribers are this shard's part; merge the shards with versus merge", i, n)}
	kept := s.Scenarios[:0]
	for _, sc := range s.Scenarios {
		if sh, ok := sc.(sharder); ok && !sh.shard(i, n) {
			notes = append(notes, fmt.Sprintf("scenario %s runs on shard 1 only: it needs one publisher for every subscriber", sc.base().Name))
			continue
		}
		kept = append(kept, sc)
	}
	s.Scenarios = kept
	return notes
}

// share is shard i's part of total split n ways, the remainder going to
// the first shards.
func share(total, i, n int) int {
	part := total / n
	if i <= total%n {
		part++
	}
	return part
}

func (s *HTTPScenario) shard(i, n int) bool    { s.Rate /= float64(n); return true }
func (s *WebhookScenario) shard(i, n int) bool { s.Rate /= float64(n); return true }

func (s *ScheduleScenario) shard(i, n int) bool {
	s.Rate /= float64(n)
	s.Jobs = share(s.Jobs, i, n)
	return s.Jobs > 0
}

// Each shard's subscribers follow its own publisher on its own channel:
// propagation is the same measurement, the load on the target adds up.
func (s *SubscribeScenario) shard(i, n int) bool {
	s.Rate /= float64(n)
	s.Subscribers = share(s.Subscribers, i, n)
	return s.Subscribers > 0
}

// A fan-out's last delivery needs every subscriber of one message in one
// process: it stays whole, on the first shard.
func (s *FanoutScenario) shard(i, n int) bool { return i == 1 }
