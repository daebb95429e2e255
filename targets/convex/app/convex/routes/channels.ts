import { ConvexError } from "convex/values";
import { api } from "../_generated/api";
import type { ActionCtx } from "../_generated/server";
import { badRequest, errorResponse, invalidIdMessage, isFailure, isValidId, json, readObject } from "../lib/contract";

export const CHANNELS_PREFIX = "/channels/";

// channelRoute splits "/channels/{name}/{action}" and checks the name.
function channelRoute(request: Request, action: string): string | Response {
  const path = new URL(request.url).pathname;
  const parts = path.slice(CHANNELS_PREFIX.length).split("/");
  if (parts.length !== 2 || parts[1] !== action) {
    return errorResponse(404, `no contract v1 route ${path}`);
  }
  return isValidId(parts[0]) ? parts[0] : badRequest(invalidIdMessage("channel", parts[0]));
}

// POST /channels/{name}/messages {"payload": any} -> {"seq", "committed_at"},
// through the same public mutation a sync-protocol client calls.
export async function publishMessage(ctx: ActionCtx, request: Request): Promise<Response> {
  const channel = channelRoute(request, "messages");
  if (channel instanceof Response) {
    return channel;
  }
  const body = await readObject(request);
  if (isFailure(body)) {
    return body.failure;
  }
  if (!("payload" in body)) {
    return badRequest('body needs a "payload" field');
  }
  try {
    const ack = await ctx.runMutation(api.channels.publish, {
      channel,
      payload: JSON.stringify(body.payload),
    });
    return json(200, ack);
  } catch (e) {
    // publish refuses what its own checks refuse (a payload whose
    // re-encoding outgrew the limit) with a ConvexError: the caller's fault.
    if (e instanceof ConvexError) {
      return badRequest(String(e.data));
    }
    throw e;
  }
}

// GET /channels/{name}/subscribe: an HTTP action cannot upgrade to a
// WebSocket. Convex delivers channel messages through its own sync
// protocol instead, as updates of the reactive query channels:latest.
export async function subscribe(_ctx: ActionCtx, request: Request): Promise<Response> {
  const channel = channelRoute(request, "subscribe");
  if (channel instanceof Response) {
    return channel;
  }
  return errorResponse(
    501,
    `Convex HTTP actions cannot upgrade to WebSockets: subscribe with the Convex sync protocol to the query channels:latest {"channel": ${JSON.stringify(channel)}}`,
  );
}
