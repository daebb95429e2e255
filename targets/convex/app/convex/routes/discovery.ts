import type { ActionCtx } from "../_generated/server";
import { errorResponse, json } from "../lib/contract";

// The first mechanism is the default of POST /jobs.
export const SCHEDULE_VIA = ["runafter", "cron"] as const;
export type Via = (typeof SCHEDULE_VIA)[number];

// No "meters": Convex counts function calls, database I/O and action
// compute itself and shows them on the deployment's dashboard; a function
// cannot read them.
const DISCOVERY = {
  contract: 1,
  name: "convex",
  model: "integrated",
  capabilities: ["http", "items", "items.reads", "webhook", "schedule", "subscribe"],
  schedule_via: SCHEDULE_VIA,
};

export async function contract(_ctx: ActionCtx, _request: Request): Promise<Response> {
  return json(200, DISCOVERY);
}

export async function health(_ctx: ActionCtx, _request: Request): Promise<Response> {
  return json(200, { ok: true });
}

export async function meters(_ctx: ActionCtx, _request: Request): Promise<Response> {
  return errorResponse(
    501,
    "Convex meters function calls, database I/O and action compute on its own dashboard (Usage); functions cannot read them",
  );
}
