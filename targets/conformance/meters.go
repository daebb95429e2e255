package conformance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"

	"versus/targets"
)

// meters checks GET /meters: the billable units the target counted.
func (v *verifier) meters(ctx context.Context, r *Report) {
	s := v.section(ctx, r, targets.CapMeters)
	const route = "GET /meters"
	if !s.declared {
		v.undeclared(ctx, s, probe{route: route, method: http.MethodGet, path: "/meters"})
		return
	}
	s.check(route, "answers 200 with since (ms) and units, an object of non-negative numbers", func() error {
		a, err := v.send(ctx, http.MethodGet, "/meters", nil, nil)
		if err != nil {
			return err
		}
		if err := a.want(http.StatusOK); err != nil {
			return err
		}
		var m struct {
			Since *float64                   `json:"since"`
			Units map[string]json.RawMessage `json:"units"`
		}
		if err := a.decode(&m); err != nil {
			return err
		}
		if m.Since == nil {
			return errors.New(`no "since" number`)
		}
		if m.Units == nil {
			return errors.New(`no "units" object`)
		}
		names := make([]string, 0, len(m.Units))
		for name := range m.Units {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			var n float64
			if err := json.Unmarshal(m.Units[name], &n); err != nil {
				return fmt.Errorf("unit %q is %s, not a number", name, snippet(m.Units[name]))
			}
			if n < 0 {
				return fmt.Errorf("unit %q is %v; a count cannot be negative", name, n)
			}
		}
		return nil
	})
}
