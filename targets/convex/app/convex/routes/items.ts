import { internal } from "../_generated/api";
import type { ActionCtx } from "../_generated/server";
import { badRequest, errorResponse, isFailure, json, jsonText, MAX_READS, pathId, readObject } from "../lib/contract";

export const ITEMS_PREFIX = "/items/";

// PUT /items/{id} {"value": any} -> {"id", "version"}
export async function putItem(ctx: ActionCtx, request: Request): Promise<Response> {
  const id = pathId(request, ITEMS_PREFIX);
  if (isFailure(id)) {
    return id.failure;
  }
  const body = await readObject(request);
  if (isFailure(body)) {
    return body.failure;
  }
  if (!("value" in body)) {
    return badRequest('body needs a "value" field');
  }
  const { version } = await ctx.runMutation(internal.items.put, {
    id,
    value: JSON.stringify(body.value),
  });
  return json(200, { id, version });
}

// GET /items/{id}[?reads=N] -> {"id", "value", "version"} or 404. With
// reads=N the action runs N queries one after another, as a handler that
// reads state in several steps would: each is a function call of its own.
export async function getItem(ctx: ActionCtx, request: Request): Promise<Response> {
  const id = pathId(request, ITEMS_PREFIX);
  if (isFailure(id)) {
    return id.failure;
  }
  const reads = parseReads(new URL(request.url).searchParams.get("reads"));
  if (reads === null) {
    return badRequest(`reads: want an integer from 1 to ${MAX_READS}`);
  }
  let item = null;
  for (let i = 0; i < reads; i++) {
    item = await ctx.runQuery(internal.items.get, { id });
  }
  if (!item) {
    return errorResponse(404, `no item ${JSON.stringify(id)}`);
  }
  // The stored value is JSON text already: spliced in, not re-encoded.
  return jsonText(200, `{"id":${JSON.stringify(id)},"value":${item.value},"version":${item.version}}`);
}

function parseReads(raw: string | null): number | null {
  if (raw === null) {
    return 1;
  }
  if (!/^[0-9]{1,4}$/.test(raw)) {
    return null;
  }
  const n = Number(raw);
  return n >= 1 && n <= MAX_READS ? n : null;
}
