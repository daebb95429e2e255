// POST /jobs through each mechanism (alarm, queue, cron), GET /jobs/{id},
// POST /jobs/check, and the notices on channel `jobs`.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { eventually, request, startServer, subscribe } from "./server.mjs";

let server;
let url;
let notices;
before(async () => {
  server = await startServer();
  url = server.url;
  notices = await subscribe(url, "jobs");
});
after(async () => {
  notices?.close();
  await server?.stop();
});

async function schedule(id, delay_ms, via) {
  const res = await request(`${url}/jobs`, "POST", via ? { id, delay_ms, via } : { id, delay_ms });
  assert.equal(res.status, 202, JSON.stringify(res.body));
  assert.equal(res.body.id, id);
  return res.body.scheduled_for;
}

async function fired(id, ms) {
  return eventually(async () => {
    const res = await request(`${url}/jobs/${id}`);
    return res.body.fired_at !== null ? res.body : null;
  }, ms);
}

function noticeFor(id) {
  return (frames) => frames.some((f) => f.payload.job === id);
}

function tickCron() {
  return request(`${url}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent("* * * * *")}`);
}

describe("scheduling", () => {
  test("an alarm job (the default) fires once, at or after scheduled_for, and is announced", async () => {
    const sent = Date.now();
    const scheduledFor = await schedule("job_alarm", 200);
    assert.ok(scheduledFor >= sent + 150 && scheduledFor <= Date.now() + 250, `scheduled_for ${scheduledFor}`);
    const job = await fired("job_alarm", 5000);
    assert.equal(job.runs, 1);
    assert.equal(job.scheduled_for, scheduledFor);
    assert.ok(job.fired_at >= scheduledFor, `fired ${job.fired_at - scheduledFor} ms early`);
    const frames = await notices.waitFor(noticeFor("job_alarm"));
    const notice = frames.find((f) => f.payload.job === "job_alarm");
    assert.equal(notice.channel, "jobs");
    assert.deepEqual(notice.payload, { job: "job_alarm", scheduled_for: scheduledFor, fired_at: job.fired_at });
  });

  test("a queue job waits whole seconds, then the consumer's batch window", async () => {
    const scheduledFor = await schedule("job_queue", 100, "queue");
    const job = await fired("job_queue", 12000);
    assert.equal(job.runs, 1);
    // delaySeconds 1 (100 ms rounded up), then up to max_batch_timeout (5 s).
    const late = job.fired_at - scheduledFor;
    assert.ok(late >= 800 && late <= 7000, `fired ${late} ms after scheduled_for, want 0.9 to 6 s`);
    await notices.waitFor(noticeFor("job_queue"));
  });

  test("a cron job fires on the next tick, not before, and a job not yet due waits", async () => {
    const due = await schedule("job_cron_due", 0, "cron");
    await schedule("job_cron_later", 60000, "cron");
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal((await request(`${url}/jobs/job_cron_due`)).body.fired_at, null);
    assert.equal((await tickCron()).status, 200);
    const job = await fired("job_cron_due", 3000);
    assert.ok(job.fired_at >= due);
    await notices.waitFor(noticeFor("job_cron_due"));
    assert.equal((await request(`${url}/jobs/job_cron_later`)).body.fired_at, null);
  });

  test("a second tick runs nothing twice", async () => {
    await tickCron();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const job = (await request(`${url}/jobs/job_cron_due`)).body;
    assert.equal(job.runs, 1);
    assert.equal(notices.frames.filter((f) => f.payload.job === "job_cron_due").length, 1);
  });

  test("notices on channel jobs carry consecutive seqs", async () => {
    const seqs = notices.frames.map((f) => f.seq);
    for (let i = 1; i < seqs.length; i++) {
      assert.equal(seqs[i], seqs[i - 1] + 1);
    }
  });
});

describe("reading jobs back", () => {
  test("GET /jobs/{id} of an unknown job answers 404", async () => {
    assert.equal((await request(`${url}/jobs/job_unknown`)).status, 404);
  });

  test("POST /jobs/check returns the known jobs in the order asked", async () => {
    const res = await request(`${url}/jobs/check`, "POST", { ids: ["job_queue", "job_unknown", "job_alarm"] });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.jobs.map((j) => j.id), ["job_queue", "job_alarm"]);
    for (const job of res.body.jobs) {
      assert.deepEqual(Object.keys(job).sort(), ["fired_at", "id", "runs", "scheduled_for"]);
      assert.equal(job.runs, 1);
    }
  });

  test("POST /jobs/check refuses more than 1000 ids", async () => {
    const ids = Array.from({ length: 1001 }, (_, i) => `job_${i}`);
    assert.equal((await request(`${url}/jobs/check`, "POST", { ids })).status, 400);
  });
});

describe("refused jobs", () => {
  test("a second job with the same id gets 409", async () => {
    await schedule("job_twice", 60000, "cron");
    const res = await request(`${url}/jobs`, "POST", { id: "job_twice", delay_ms: 1 });
    assert.equal(res.status, 409);
  });

  const bad = [
    ["an unknown via", { id: "job_bad_1", delay_ms: 1, via: "carrier-pigeon" }],
    ["a negative delay", { id: "job_bad_2", delay_ms: -1 }],
    ["a delay over 24 h", { id: "job_bad_3", delay_ms: 86400001 }],
    ["a delay that is a string", { id: "job_bad_4", delay_ms: "100" }],
    ["a missing id", { delay_ms: 1 }],
    ["a bad id", { id: "job bad", delay_ms: 1 }],
  ];
  for (const [what, body] of bad) {
    test(`${what} gets 400 and schedules nothing`, async () => {
      const res = await request(`${url}/jobs`, "POST", body);
      assert.equal(res.status, 400);
      if (typeof body.id === "string" && /^[\w:.-]+$/.test(body.id)) {
        assert.equal((await request(`${url}/jobs/${body.id}`)).status, 404);
      }
    });
  }
});
