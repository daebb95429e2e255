import { internal } from "../_generated/api";
import { env, type ActionCtx } from "../_generated/server";
import {
  badRequest,
  errorResponse,
  invalidIdMessage,
  isFailure,
  isValidId,
  json,
  parseObject,
  readBody,
  readIds,
} from "../lib/contract";
import { SIGNATURE_HEADER, verifySignature } from "../lib/stripeSignature";

const SECRET_ENV = "VERSUS_WEBHOOK_SECRET";

const utf8 = new TextDecoder();

// POST /webhooks/stripe. The signature is verified before the body is even
// parsed, so a forged delivery never reaches a function that writes; a
// verified one is stored by a single mutation that also detects replays.
export async function stripeWebhook(ctx: ActionCtx, request: Request): Promise<Response> {
  const secret = env[SECRET_ENV];
  if (!secret) {
    return errorResponse(
      500,
      `${SECRET_ENV} is not set on this deployment: run \`npx convex env set ${SECRET_ENV} <secret>\` with the harness's webhook secret`,
    );
  }
  const body = await readBody(request);
  if (isFailure(body)) {
    return body.failure;
  }
  const header = request.headers.get(SIGNATURE_HEADER);
  if (!header) {
    return badRequest(`missing ${SIGNATURE_HEADER} header`);
  }
  const refused = await verifySignature(secret, header, body, Date.now());
  if (refused !== null) {
    return badRequest(refused);
  }
  const event = parseObject(body, "event");
  if (isFailure(event)) {
    return event.failure;
  }
  if (!("id" in event)) {
    return badRequest('event needs an "id" field');
  }
  if (typeof event.id !== "string" || !isValidId(event.id)) {
    return badRequest(invalidIdMessage("event id", typeof event.id === "string" ? event.id : JSON.stringify(event.id)));
  }
  const { duplicate } = await ctx.runMutation(internal.events.store, {
    id: event.id,
    type: typeof event.type === "string" ? event.type : null,
    body: utf8.decode(body),
  });
  return json(200, { received: true, duplicate });
}

// POST /webhooks/events/check {"ids": [...]} -> {"counts": {id: rows}}
export async function checkEvents(ctx: ActionCtx, request: Request): Promise<Response> {
  const ids = await readIds(request);
  if (isFailure(ids)) {
    return ids.failure;
  }
  const rows = await ctx.runQuery(internal.events.count, { ids });
  const counts: Record<string, number> = {};
  ids.forEach((id, i) => {
    counts[id] = rows[i];
  });
  return json(200, { counts });
}
