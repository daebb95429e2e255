import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { api, internal } from "./_generated/api";
import crons from "./crons";
import { call, count, newTest, type Test } from "./test.helpers";

async function jobMessages(t: Test) {
  const messages = await t.query(api.channels.latest, { channel: "jobs", limit: 100 });
  return messages.map((m) => ({ seq: m.seq, payload: JSON.parse(m.payload) }));
}

describe("jobs via runafter", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  test("a job is committed with its run and fires once, at or after scheduled_for", async () => {
    const t = newTest();
    const before = Date.now();
    const res = await call(t, "POST", "/jobs", { id: "job_1", delay_ms: 250 });
    expect(res.status).toBe(202);
    expect(res.json).toEqual({ id: "job_1", scheduled_for: before + 250 });
    const scheduled = await t.run((ctx) => ctx.db.system.query("_scheduled_functions").collect());
    expect(scheduled).toHaveLength(1);
    expect(scheduled[0]).toMatchObject({ name: "jobs:fire", args: [{ id: "job_1" }] });

    const pending = await call(t, "GET", "/jobs/job_1");
    expect(pending.json).toEqual({ id: "job_1", scheduled_for: before + 250, fired_at: null, runs: 0 });

    await t.finishAllScheduledFunctions(vi.runAllTimers);

    const fired = await call(t, "GET", "/jobs/job_1");
    expect(fired.status).toBe(200);
    expect(fired.json.runs).toBe(1);
    expect(fired.json.fired_at).toBeGreaterThanOrEqual(before + 250);
    expect(await jobMessages(t)).toEqual([
      { seq: 1, payload: { job: "job_1", scheduled_for: before + 250, fired_at: fired.json.fired_at } },
    ]);
  });

  test("a delay of 0 fires as soon as the scheduler runs", async () => {
    const t = newTest();
    const res = await call(t, "POST", "/jobs", { id: "job_now", delay_ms: 0, via: "runafter" });
    expect(res.status).toBe(202);
    await t.finishAllScheduledFunctions(vi.runAllTimers);
    expect((await call(t, "GET", "/jobs/job_now")).json.runs).toBe(1);
  });

  test("a second delivery of a fired job is counted as a duplicate, not run again", async () => {
    const t = newTest();
    await call(t, "POST", "/jobs", { id: "job_1", delay_ms: 10 });
    await t.finishAllScheduledFunctions(vi.runAllTimers);
    const first = (await call(t, "GET", "/jobs/job_1")).json;

    await t.mutation(internal.jobs.fire, { id: "job_1" });

    expect((await call(t, "GET", "/jobs/job_1")).json).toEqual(first);
    const job = await t.run((ctx) => ctx.db.query("jobs").first());
    expect(job?.duplicates).toBe(1);
    expect(await jobMessages(t)).toHaveLength(1);
  });

  test("many jobs each fire exactly once and publish in seq order", async () => {
    const t = newTest();
    for (let i = 0; i < 20; i++) {
      expect((await call(t, "POST", "/jobs", { id: `job_${i}`, delay_ms: (i * 37) % 500 })).status).toBe(202);
    }
    await t.finishAllScheduledFunctions(vi.runAllTimers);
    const res = await call(t, "POST", "/jobs/check", { ids: Array.from({ length: 20 }, (_, i) => `job_${i}`) });
    expect(res.json.jobs).toHaveLength(20);
    for (const job of res.json.jobs) {
      expect(job.runs).toBe(1);
      expect(job.fired_at).toBeGreaterThanOrEqual(job.scheduled_for);
    }
    const messages = await jobMessages(t);
    expect(messages.map((m) => m.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(new Set(messages.map((m) => m.payload.job)).size).toBe(20);
  });
});

describe("jobs via cron", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  test("crons.ts runs jobs:runDueCron once a minute", () => {
    const registered = (crons as unknown as { crons: Record<string, { name: string; schedule: unknown }> }).crons;
    expect(registered["due cron jobs"]).toMatchObject({
      name: "jobs:runDueCron",
      schedule: { type: "interval", seconds: 60 },
    });
  });

  test("a cron job schedules nothing itself and fires at the first tick after it is due", async () => {
    const t = newTest();
    const res = await call(t, "POST", "/jobs", { id: "job_c", delay_ms: 1000, via: "cron" });
    expect(res.status).toBe(202);
    const scheduled = await t.run((ctx) => ctx.db.system.query("_scheduled_functions").collect());
    expect(scheduled).toHaveLength(0);

    expect(await t.mutation(internal.jobs.runDueCron, {})).toEqual({ fired: 0 });
    expect((await call(t, "GET", "/jobs/job_c")).json.fired_at).toBeNull();

    vi.advanceTimersByTime(1000);
    expect(await t.mutation(internal.jobs.runDueCron, {})).toEqual({ fired: 1 });
    const fired = (await call(t, "GET", "/jobs/job_c")).json;
    expect(fired.runs).toBe(1);
    expect(fired.fired_at).toBe(res.json.scheduled_for);

    expect(await t.mutation(internal.jobs.runDueCron, {})).toEqual({ fired: 0 });
    expect(await jobMessages(t)).toHaveLength(1);
  });

  test("a tick fires a bounded batch and hands the rest of a backlog to a follow-up run", async () => {
    const t = newTest();
    await t.run(async (ctx) => {
      for (let i = 0; i < 450; i++) {
        await ctx.db.insert("jobs", {
          job_id: `job_${i}`,
          via: "cron",
          scheduled_for: Date.now() - 1,
          fired_at: null,
          runs: 0,
          duplicates: 0,
        });
      }
    });
    expect(await t.mutation(internal.jobs.runDueCron, {})).toEqual({ fired: 200 });
    await t.finishAllScheduledFunctions(vi.runAllTimers);
    const jobs = await t.run((ctx) => ctx.db.query("jobs").collect());
    expect(jobs.filter((j) => j.runs === 1)).toHaveLength(450);
    expect(await count(t, "messages")).toBe(450);
  });
});

describe("job requests", () => {
  // Fake timers keep jobs scheduled here from firing after the test ends.
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  test.each([
    ["no id", { delay_ms: 1 }],
    ["an id that is not a string", { id: 7, delay_ms: 1 }],
    ["an invalid id", { id: "job 1", delay_ms: 1 }],
    ["an id of 129 bytes", { id: "j".repeat(129), delay_ms: 1 }],
    ["no delay_ms", { id: "job_1" }],
    ["a negative delay", { id: "job_1", delay_ms: -1 }],
    ["a delay over 24 h", { id: "job_1", delay_ms: 86_400_001 }],
    ["a delay that is a string", { id: "job_1", delay_ms: "5" }],
    ["an unknown via", { id: "job_1", delay_ms: 1, via: "alarm" }],
    ["a body that is not an object", [1]],
  ])("POST /jobs with %s answers 400 and schedules nothing", async (_name, body) => {
    const t = newTest();
    const res = await call(t, "POST", "/jobs", body);
    expect(res.status).toBe(400);
    expect(typeof res.json.error).toBe("string");
    expect(await count(t, "jobs")).toBe(0);
    expect(await t.run((ctx) => ctx.db.system.query("_scheduled_functions").collect())).toHaveLength(0);
  });

  test("POST /jobs with an id already taken answers 400 and leaves the first job as it was", async () => {
    const t = newTest();
    const first = await call(t, "POST", "/jobs", { id: "job_1", delay_ms: 100 });
    const again = await call(t, "POST", "/jobs", { id: "job_1", delay_ms: 5000 });
    expect(again.status).toBe(400);
    expect(again.json.error).toContain("already exists");
    expect((await call(t, "GET", "/jobs/job_1")).json.scheduled_for).toBe(first.json.scheduled_for);
    expect(await t.run((ctx) => ctx.db.system.query("_scheduled_functions").collect())).toHaveLength(1);
  });

  test("GET /jobs/{id} answers 404 for an unknown job and 400 for a bad id", async () => {
    const t = newTest();
    expect((await call(t, "GET", "/jobs/nope")).status).toBe(404);
    expect((await call(t, "GET", "/jobs/bad%24id")).status).toBe(400);
  });

  test("POST /jobs/check lists the jobs that exist, in the order asked", async () => {
    const t = newTest();
    await call(t, "POST", "/jobs", { id: "job_a", delay_ms: 1000 });
    await call(t, "POST", "/jobs", { id: "job_b", delay_ms: 1000, via: "cron" });
    const res = await call(t, "POST", "/jobs/check", { ids: ["job_b", "job_x", "job_a"] });
    expect(res.status).toBe(200);
    expect(res.json.jobs.map((j: { id: string }) => j.id)).toEqual(["job_b", "job_a"]);
    expect(Object.keys(res.json.jobs[0]).sort()).toEqual(["fired_at", "id", "runs", "scheduled_for"]);
  });

  test("POST /jobs/check refuses more than 1000 ids", async () => {
    const ids = Array.from({ length: 1001 }, (_, i) => `job_${i}`);
    expect((await call(newTest(), "POST", "/jobs/check", { ids })).status).toBe(400);
  });
});
