import type { MutationCtx } from "../_generated/server";

export type Ack = { seq: number; committed_at: number };

// appendMessage commits payload (JSON text) as the next message of channel,
// in the caller's transaction: channels:publish and jobs:fire both publish
// through it, so a job's notification is committed with its firing.
export async function appendMessage(ctx: MutationCtx, channel: string, payload: string): Promise<Ack> {
  const counter = await ctx.db
    .query("counters")
    .withIndex("by_channel", (q) => q.eq("channel", channel))
    .unique();
  const seq = (counter?.seq ?? 0) + 1;
  if (counter) {
    await ctx.db.patch(counter._id, { seq });
  } else {
    await ctx.db.insert("counters", { channel, seq });
  }
  // A mutation's clock is fixed when it starts; the commit follows within
  // the same transaction, so this is the message's commit time as near as
  // a function can know it.
  const committed_at = Date.now();
  await ctx.db.insert("messages", { channel, seq, payload, committed_at });
  return { seq, committed_at };
}
