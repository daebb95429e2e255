import { v } from "convex/values";
import { internalMutation, internalQuery } from "./_generated/server";

// store keeps a verified webhook event once per id. The lookup and the
// insert are one transaction: two concurrent deliveries of one id conflict
// on the index range they both read, Convex retries the loser, and the
// retry sees the row and reports a duplicate.
export const store = internalMutation({
  args: { id: v.string(), type: v.union(v.string(), v.null()), body: v.string() },
  returns: v.object({ duplicate: v.boolean() }),
  handler: async (ctx, { id, type, body }) => {
    const existing = await ctx.db
      .query("events")
      .withIndex("by_event_id", (q) => q.eq("event_id", id))
      .first();
    if (existing) {
      return { duplicate: true };
    }
    await ctx.db.insert("events", { event_id: id, type, body, received_at: Date.now() });
    return { duplicate: false };
  },
});

// count returns how many rows are stored per id, in the order of ids.
export const count = internalQuery({
  args: { ids: v.array(v.string()) },
  returns: v.array(v.number()),
  handler: async (ctx, { ids }) => {
    const counts: number[] = [];
    for (const id of ids) {
      const rows = await ctx.db
        .query("events")
        .withIndex("by_event_id", (q) => q.eq("event_id", id))
        .collect();
      counts.push(rows.length);
    }
    return counts;
  },
});
