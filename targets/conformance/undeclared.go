package conformance

import (
	"context"
	"net/http"
)

// probe is one request to a route of a capability the target does not
// declare. Probes are reads or requests a serving target must refuse
// (malformed JSON, a missing signature), so that a target that did serve
// the route would answer something else than 404 or 501, and so that
// none changes state when the route is served after all.
type probe struct {
	route  string // as shown in the report: "POST /webhooks/stripe"
	method string
	path   string
	body   []byte
}

// undeclared checks that each probe answers 404 or 501, as contract v1
// asks of a target that lacks a capability.
func (v *verifier) undeclared(ctx context.Context, s *section, probes ...probe) {
	for _, p := range probes {
		s.check(p.route, "answers 404 or 501: the capability is not declared", func() error {
			a, err := v.send(ctx, p.method, p.path, p.body, nil)
			if err != nil {
				return err
			}
			return a.want(http.StatusNotFound, http.StatusNotImplemented)
		})
	}
}
