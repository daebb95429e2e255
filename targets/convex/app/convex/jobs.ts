import { v } from "convex/values";
import { internal } from "./_generated/api";
import type { Doc } from "./_generated/dataModel";
import { internalMutation, internalQuery, type MutationCtx } from "./_generated/server";
import { appendMessage } from "./lib/messages";

// Jobs fire by one of two mechanisms, named as in GET /contract:
//   runafter  the job's own ctx.scheduler.runAfter, committed with the job
//             (Convex's durable scheduler: a mutation runs exactly once);
//   cron      nothing per job: the interval cron in crons.ts fires every
//             job that is due when it ticks, as an edge cron dispatcher does.
const vVia = v.union(v.literal("runafter"), v.literal("cron"));

// One cron tick fires at most this many jobs in its transaction, and hands
// the rest to a follow-up run, so a backlog never exceeds a mutation's limits.
const CRON_BATCH = 200;

// schedule commits the job and, for runafter, its scheduled run in the same
// transaction: once this returns the job will fire. A second job with an id
// already taken is refused and changes nothing.
export const schedule = internalMutation({
  args: { id: v.string(), delay_ms: v.number(), via: vVia },
  returns: v.union(
    v.object({ ok: v.literal(true), scheduled_for: v.number() }),
    v.object({ ok: v.literal(false), error: v.string() }),
  ),
  handler: async (ctx, { id, delay_ms, via }) => {
    const existing = await ctx.db
      .query("jobs")
      .withIndex("by_job_id", (q) => q.eq("job_id", id))
      .first();
    if (existing) {
      return { ok: false as const, error: `job ${JSON.stringify(id)} already exists` };
    }
    const scheduled_for = Date.now() + delay_ms;
    await ctx.db.insert("jobs", {
      job_id: id,
      via,
      scheduled_for,
      fired_at: null,
      runs: 0,
      duplicates: 0,
    });
    if (via === "runafter") {
      await ctx.scheduler.runAfter(delay_ms, internal.jobs.fire, { id });
    }
    return { ok: true as const, scheduled_for };
  },
});

// fire runs one job; the scheduler calls it for runafter jobs.
export const fire = internalMutation({
  args: { id: v.string() },
  returns: v.null(),
  handler: async (ctx, { id }) => {
    const job = await ctx.db
      .query("jobs")
      .withIndex("by_job_id", (q) => q.eq("job_id", id))
      .first();
    if (!job) {
      throw new Error(`jobs:fire: no job ${JSON.stringify(id)}; was it deleted after it was scheduled?`);
    }
    await fireJob(ctx, job);
    return null;
  },
});

// runDueCron fires every cron job whose time has come, oldest first.
export const runDueCron = internalMutation({
  args: {},
  returns: v.object({ fired: v.number() }),
  handler: async (ctx) => {
    const due = await ctx.db
      .query("jobs")
      .withIndex("by_due", (q) => q.eq("via", "cron").eq("fired_at", null).lte("scheduled_for", Date.now()))
      .take(CRON_BATCH);
    for (const job of due) {
      await fireJob(ctx, job);
    }
    if (due.length === CRON_BATCH) {
      await ctx.scheduler.runAfter(0, internal.jobs.runDueCron, {});
    }
    return { fired: due.length };
  },
});

// fireJob records the run and publishes {"job", "scheduled_for", "fired_at"}
// on channel "jobs" in the same transaction. A job already fired is not run
// again: the delivery is counted as a duplicate instead.
async function fireJob(ctx: MutationCtx, job: Doc<"jobs">) {
  if (job.fired_at !== null) {
    await ctx.db.patch(job._id, { duplicates: job.duplicates + 1 });
    return;
  }
  const fired_at = Date.now();
  await ctx.db.patch(job._id, { fired_at, runs: job.runs + 1 });
  await appendMessage(ctx, "jobs", JSON.stringify({ job: job.job_id, scheduled_for: job.scheduled_for, fired_at }));
}

const jobView = v.object({
  id: v.string(),
  scheduled_for: v.number(),
  fired_at: v.union(v.number(), v.null()),
  runs: v.number(),
});

// get returns the jobs of ids that exist, in the order of ids.
export const get = internalQuery({
  args: { ids: v.array(v.string()) },
  returns: v.array(jobView),
  handler: async (ctx, { ids }) => {
    const found = [];
    for (const id of ids) {
      const job = await ctx.db
        .query("jobs")
        .withIndex("by_job_id", (q) => q.eq("job_id", id))
        .first();
      if (job) {
        found.push({ id, scheduled_for: job.scheduled_for, fired_at: job.fired_at, runs: job.runs });
      }
    }
    return found;
  },
});
