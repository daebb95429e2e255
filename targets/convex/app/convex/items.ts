import { v } from "convex/values";
import { internalMutation, internalQuery } from "./_generated/server";

// Items are reached only through the HTTP actions (PUT and GET /items/{id}),
// which check ids and bodies first; hence internal functions.

// put stores value (JSON text) under id and returns the new version, 1 for
// a new item. Reading and writing in one mutation makes concurrent puts to
// one id serialize, so versions never repeat.
export const put = internalMutation({
  args: { id: v.string(), value: v.string() },
  returns: v.object({ version: v.number() }),
  handler: async (ctx, { id, value }) => {
    const existing = await ctx.db
      .query("items")
      .withIndex("by_item_id", (q) => q.eq("item_id", id))
      .unique();
    if (existing) {
      const version = existing.version + 1;
      await ctx.db.patch(existing._id, { value, version });
      return { version };
    }
    await ctx.db.insert("items", { item_id: id, value, version: 1 });
    return { version: 1 };
  },
});

// get reads one item; GET /items/{id}?reads=N calls it N times in sequence.
export const get = internalQuery({
  args: { id: v.string() },
  returns: v.union(v.null(), v.object({ value: v.string(), version: v.number() })),
  handler: async (ctx, { id }) => {
    const item = await ctx.db
      .query("items")
      .withIndex("by_item_id", (q) => q.eq("item_id", id))
      .unique();
    return item ? { value: item.value, version: item.version } : null;
  },
});
