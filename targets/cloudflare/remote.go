package cloudflare

import (
	"context"
	"fmt"

	"versus/targets"
	"versus/targets/contract"
)

// WorkerName is the name the Worker gives itself in GET /contract.
const WorkerName = "cloudflare"

// startRemote checks a deployed Worker: it must answer GET /contract as
// this project's Worker. Nothing is started; Close does nothing.
func startRemote(ctx context.Context, name, base string, env targets.Env) (targets.Instance, error) {
	probe, err := contract.New(targets.Config{Name: name, Kind: "contract", URL: base})
	if err != nil {
		return nil, err
	}
	inst, err := probe.Start(ctx, env)
	if err != nil {
		return nil, fmt.Errorf("deployed Worker: %w", err)
	}
	if d := inst.Discovery(); d.Name != WorkerName || d.Model != targets.ModelEdge {
		return nil, fmt.Errorf("%s/contract answers name %q, model %q: not the Versus Worker (deploy targets/cloudflare/worker, see docs/cloudflare.md), or use kind: contract for another server", base, d.Name, d.Model)
	}
	return inst, nil
}
