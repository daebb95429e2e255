import { ConvexError, v } from "convex/values";
import { mutation, query } from "./_generated/server";
import { invalidIdMessage, isValidId, MAX_BODY_BYTES } from "./lib/contract";
import { appendMessage } from "./lib/messages";

// Channels are public functions: the HTTP route POST /channels/{name}/messages
// calls publish, and a client of Convex's sync protocol may call it too
// (the Go adapter's publisher) and subscribes to latest.

export const DEFAULT_LATEST = 20;
export const MAX_LATEST = 100;

const message = v.object({
  channel: v.string(),
  seq: v.number(),
  payload: v.string(),
  committed_at: v.number(),
});

function checkChannel(channel: string) {
  if (!isValidId(channel)) {
    throw new ConvexError(invalidIdMessage("channel", channel));
  }
}

// publish commits payload, the JSON text of any JSON value, as the next
// message of channel and returns its seq and commit time.
export const publish = mutation({
  args: { channel: v.string(), payload: v.string() },
  returns: v.object({ seq: v.number(), committed_at: v.number() }),
  handler: async (ctx, { channel, payload }) => {
    checkChannel(channel);
    if (new TextEncoder().encode(payload).byteLength > MAX_BODY_BYTES) {
      throw new ConvexError(`payload larger than ${MAX_BODY_BYTES / 1024} KiB`);
    }
    try {
      JSON.parse(payload);
    } catch (e) {
      throw new ConvexError(`payload is not JSON text: ${(e as Error).message}`);
    }
    return await appendMessage(ctx, channel, payload);
  },
});

// latest returns the newest `limit` messages of channel in ascending seq.
// Its read set is the tail of the channel's index range, so every publish
// to the channel invalidates it and a subscriber receives the new message
// in the next Transition; a subscriber keeps the highest seq it has seen
// and delivers only what is above it.
export const latest = query({
  args: { channel: v.string(), limit: v.optional(v.number()) },
  returns: v.array(message),
  handler: async (ctx, { channel, limit }) => {
    checkChannel(channel);
    const n = limit ?? DEFAULT_LATEST;
    if (!Number.isInteger(n) || n < 1 || n > MAX_LATEST) {
      throw new ConvexError(`limit ${n}: want an integer from 1 to ${MAX_LATEST}`);
    }
    const newest = await ctx.db
      .query("messages")
      .withIndex("by_channel_seq", (q) => q.eq("channel", channel))
      .order("desc")
      .take(n);
    return newest.reverse().map(({ channel, seq, payload, committed_at }) => ({
      channel,
      seq,
      payload,
      committed_at,
    }));
  },
});
