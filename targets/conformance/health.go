package conformance

import (
	"context"
	"net/http"

	"versus/targets"
)

// health checks GET /health, the route of capability http.
func (v *verifier) health(ctx context.Context, r *Report) {
	s := v.section(ctx, r, targets.CapHTTP)
	const route = "GET /health"
	if !s.declared {
		v.undeclared(ctx, s, probe{route: route, method: http.MethodGet, path: "/health"})
		return
	}
	s.check(route, "answers 200", func() error {
		a, err := v.send(ctx, http.MethodGet, "/health", nil, nil)
		if err != nil {
			return err
		}
		return a.want(http.StatusOK)
	})
}
