package conformance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"

	"versus/targets"
)

// capabilityDiscovery labels the checks of GET /contract, which every
// target must serve whatever it declares.
const capabilityDiscovery = "discovery"

// discovery checks GET /contract and returns what it declared. reachable
// is false when the target could not be reached at all: then nothing else
// is worth sending.
func (v *verifier) discovery(ctx context.Context, r *Report) (d targets.Discovery, reachable bool) {
	s := &section{ctx: ctx, report: r, capability: capabilityDiscovery, declared: true}
	const route = "GET /contract"
	var a answer
	var fields map[string]json.RawMessage
	reachable = true

	s.check(route, "answers 200 with Content-Type application/json", func() error {
		var err error
		a, err = v.send(ctx, http.MethodGet, "/contract", nil, nil)
		if err != nil {
			reachable = false
			return fmt.Errorf("target unreachable: %w (is it running at %s?)", err, v.base)
		}
		if err := a.want(http.StatusOK); err != nil {
			return err
		}
		return wantJSONContentType(a)
	})
	if !reachable {
		return d, false
	}
	s.check(route, "body is a JSON object", func() error {
		if a.status != http.StatusOK {
			return after("a 200 answer")
		}
		return a.decode(&fields)
	})
	field := func(name string, into any) error {
		if fields == nil {
			return after("a JSON object")
		}
		raw, ok := fields[name]
		if !ok {
			return fmt.Errorf("no %q field", name)
		}
		if err := json.Unmarshal(raw, into); err != nil {
			return fmt.Errorf("%q is %s: %v", name, snippet(raw), err)
		}
		return nil
	}
	s.check(route, "contract is 1", func() error {
		if err := field("contract", &d.Contract); err != nil {
			return err
		}
		if d.Contract != targets.ContractVersion {
			return fmt.Errorf("contract is %d; this harness speaks contract %d", d.Contract, targets.ContractVersion)
		}
		return nil
	})
	s.check(route, "name is a non-empty string", func() error {
		if err := field("name", &d.Name); err != nil {
			return err
		}
		if d.Name == "" {
			return errors.New(`"name" is empty`)
		}
		return nil
	})
	s.check(route, "model is edge, integrated or other", func() error {
		if err := field("model", &d.Model); err != nil {
			return err
		}
		switch d.Model {
		case targets.ModelEdge, targets.ModelIntegrated, targets.ModelOther:
			return nil
		}
		return fmt.Errorf("model is %q", d.Model)
	})
	s.check(route, "capabilities is an array of strings", func() error {
		if err := field("capabilities", &d.Capabilities); err != nil {
			return err
		}
		if d.Capabilities == nil {
			return errors.New(`"capabilities" is null`)
		}
		return nil
	})
	s.check(route, "schedule_via names the mechanisms when schedule is declared", func() error {
		if !d.Has(targets.CapSchedule) {
			return notDeclared(targets.CapSchedule)
		}
		if err := field("schedule_via", &d.ScheduleVia); err != nil {
			return err
		}
		if len(d.ScheduleVia) == 0 {
			return errors.New(`"schedule_via" is empty; it must list at least the default mechanism`)
		}
		for _, via := range d.ScheduleVia {
			if via == "" {
				return errors.New(`"schedule_via" holds an empty name`)
			}
		}
		return nil
	})
	if raw, ok := fields["version"]; ok {
		// An optional extension: shown when it is a string, else ignored.
		json.Unmarshal(raw, &d.Version)
	}
	return d, true
}

func wantJSONContentType(a answer) error {
	ct := a.header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" {
		return fmt.Errorf("answered 200 with Content-Type %q, want application/json", ct)
	}
	return nil
}
