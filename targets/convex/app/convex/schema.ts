import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

// JSON that arrives over HTTP (item values, event bodies, message payloads)
// is kept as JSON text: any JSON a client sends is then storable, even
// objects whose keys a Convex value would refuse ("$x"), and it goes back
// out byte for byte as it was stored.
export default defineSchema({
  items: defineTable({
    item_id: v.string(),
    value: v.string(), // JSON text
    version: v.number(),
  }).index("by_item_id", ["item_id"]),

  // Verified Stripe-style webhook events, one row per event id.
  events: defineTable({
    event_id: v.string(),
    type: v.union(v.string(), v.null()),
    body: v.string(), // the raw body, as signed
    received_at: v.number(),
  }).index("by_event_id", ["event_id"]),

  jobs: defineTable({
    job_id: v.string(),
    via: v.union(v.literal("runafter"), v.literal("cron")),
    scheduled_for: v.number(),
    fired_at: v.union(v.number(), v.null()),
    runs: v.number(),
    // Deliveries of an already fired job: counted, never re-run.
    duplicates: v.number(),
  })
    .index("by_job_id", ["job_id"])
    // The cron dispatcher's range: unfired jobs of one mechanism, oldest due first.
    .index("by_due", ["via", "fired_at", "scheduled_for"]),

  messages: defineTable({
    channel: v.string(),
    seq: v.number(),
    payload: v.string(), // JSON text
    committed_at: v.number(),
  }).index("by_channel_seq", ["channel", "seq"]),

  // The last seq per channel. Every publish to a channel reads and writes
  // its counter, so concurrent publishes to one channel serialize (Convex's
  // optimistic concurrency retries the losers) and seq rises by exactly one.
  counters: defineTable({
    channel: v.string(),
    seq: v.number(),
  }).index("by_channel", ["channel"]),
});
