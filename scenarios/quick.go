package scenarios

import (
	"time"

	"versus/targets"
)

// shortener is implemented by kinds that can run a shorter version of
// themselves for `--quick`.
type shortener interface{ shorten() }

// MakeQuick turns the suite into a smoke run: one trial, short phases. Its
// numbers are for checking that everything works, not for comparing.
func MakeQuick(s *Suite) {
	s.Trials = 1
	for _, sc := range s.Scenarios {
		if q, ok := sc.(shortener); ok {
			q.shorten()
		}
	}
}

// quickPhase shortens a measured phase to at most half a second and a warm-up
// to at most a fifth of one.
func quickPhase(duration, warmup *time.Duration) {
	*duration = min(*duration, 500*time.Millisecond)
	*warmup = min(*warmup, 200*time.Millisecond)
}

func (s *HTTPScenario) shorten() { quickPhase(&s.Duration, &s.Warmup) }

// OnlyTargets replaces the suite's targets (`--target`). Scenario target
// filters are dropped: they named the suite's own targets.
func OnlyTargets(s *Suite, cfgs []targets.Config) {
	s.Targets = cfgs
	for _, sc := range s.Scenarios {
		sc.base().Targets = nil
	}
}
