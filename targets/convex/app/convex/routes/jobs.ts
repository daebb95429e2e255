import { internal } from "../_generated/api";
import type { ActionCtx } from "../_generated/server";
import {
  badRequest,
  errorResponse,
  invalidIdMessage,
  isFailure,
  isValidId,
  json,
  MAX_DELAY_MS,
  pathId,
  readIds,
  readObject,
} from "../lib/contract";
import { SCHEDULE_VIA, type Via } from "./discovery";

export const JOBS_PREFIX = "/jobs/";

// POST /jobs {"id", "delay_ms", "via"?} -> 202 {"id", "scheduled_for"}.
// The 202 is sent after the mutation that committed the job (and, via
// runafter, its scheduled run) has returned.
export async function scheduleJob(ctx: ActionCtx, request: Request): Promise<Response> {
  const body = await readObject(request);
  if (isFailure(body)) {
    return body.failure;
  }
  const { id, delay_ms, via = SCHEDULE_VIA[0] } = body;
  if (id === undefined) {
    return badRequest('body needs an "id" field');
  }
  if (typeof id !== "string" || !isValidId(id)) {
    return badRequest(invalidIdMessage("job id", typeof id === "string" ? id : JSON.stringify(id)));
  }
  if (delay_ms === undefined) {
    return badRequest('body needs a "delay_ms" field (milliseconds, 0 or more)');
  }
  if (typeof delay_ms !== "number" || !(delay_ms >= 0 && delay_ms <= MAX_DELAY_MS)) {
    return badRequest(`delay_ms ${JSON.stringify(delay_ms)}: want 0 to ${MAX_DELAY_MS} (24 h)`);
  }
  if (!SCHEDULE_VIA.includes(via as Via)) {
    return badRequest(`unknown via ${JSON.stringify(via)}: this target offers ${SCHEDULE_VIA.join(", ")}`);
  }
  const result = await ctx.runMutation(internal.jobs.schedule, { id, delay_ms, via: via as Via });
  if (!result.ok) {
    return badRequest(result.error);
  }
  return json(202, { id, scheduled_for: result.scheduled_for });
}

// GET /jobs/{id} -> {"id", "scheduled_for", "fired_at", "runs"} or 404
export async function getJob(ctx: ActionCtx, request: Request): Promise<Response> {
  const id = pathId(request, JOBS_PREFIX);
  if (isFailure(id)) {
    return id.failure;
  }
  const [job] = await ctx.runQuery(internal.jobs.get, { ids: [id] });
  if (!job) {
    return errorResponse(404, `no job ${JSON.stringify(id)}`);
  }
  return json(200, job);
}

// POST /jobs/check {"ids": [...]} -> {"jobs": [...]}, the ones that exist.
export async function checkJobs(ctx: ActionCtx, request: Request): Promise<Response> {
  const ids = await readIds(request);
  if (isFailure(ids)) {
    return ids.failure;
  }
  const jobs = await ctx.runQuery(internal.jobs.get, { ids });
  return json(200, { jobs });
}
