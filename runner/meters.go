package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"versus/results"
	"versus/targets"
)

// meterReading is a target's GET /meters.
type meterReading struct {
	Since float64            `json:"since"`
	Units map[string]float64 `json:"units"`
}

func readMeters(ctx context.Context, c *http.Client, base string) (*meterReading, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/meters", nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /meters: status %d", resp.StatusCode)
	}
	var m meterReading
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		return nil, fmt.Errorf("GET /meters: %w", err)
	}
	return &m, nil
}

// meterFor returns the Env.Meter of a target: nil when it meters nothing.
// A window reads the meters when it opens (on its own goroutine, so a
// pacer calling it is not held up) and again when it closes, and records
// the difference. A target restarted in between (its `since` moved) or a
// failed reading records nothing rather than a wrong number.
func meterFor(ctx context.Context, inst targets.Instance, disc targets.Discovery, c *http.Client, logf func(string, ...any)) func(*results.Cell) func() {
	if !disc.Has(targets.CapMeters) {
		return nil
	}
	return func(cell *results.Cell) func() {
		first := make(chan *meterReading, 1)
		go func() {
			m, err := readMeters(ctx, c, inst.URL())
			if err != nil {
				logf("meters of %s: %v", cell.Target, err)
			}
			first <- m
		}()
		return func() {
			before := <-first
			after, err := readMeters(ctx, c, inst.URL())
			if before == nil || err != nil || after.Since != before.Since {
				return
			}
			for unit, v := range after.Units {
				if d := v - before.Units[unit]; d > 0 {
					cell.AddMeter(unit, d)
				}
			}
		}
	}
}
