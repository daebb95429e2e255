// POST /jobs, GET /jobs/{id}, POST /jobs/check, and the three ways a job
// fires: a Durable Object alarm (default), a delayed Queue message, or the
// cron tick's scan of D1.
//
// The job row in D1 is the record of truth. Every mechanism fires a job
// through one guarded UPDATE (fired_at IS NULL), so a redelivery (alarms and
// queue messages are at-least-once) never runs it twice; the notification on
// channel `jobs` carries a dedup key, so a redelivery that finds the job
// already fired can publish again safely in case the first notice was lost.
import { channelObject } from "./channel.js";
import { all, run } from "./d1.js";
import { badRequest, checkId, HttpError, readIds, readObject } from "./http.js";

export const VIA = ["alarm", "queue", "cron"]; // the first is the default

// 24 h: the longest delay Queues accept (delaySeconds).
export const MAX_DELAY_MS = 24 * 60 * 60 * 1000;

// How many due jobs one cron tick claims per statement.
const CRON_BATCH = 500;

export function jobAlarmObject(env, id) {
  return env.JOB_ALARMS.get(env.JOB_ALARMS.idFromName(id));
}

export async function scheduleJob(env, meter, request) {
  const body = await readObject(request);
  const id = checkId(body.id, "job id");
  const delay = body.delay_ms;
  if (typeof delay !== "number" || !Number.isFinite(delay) || delay < 0 || delay > MAX_DELAY_MS) {
    throw badRequest(`delay_ms must be a number from 0 to ${MAX_DELAY_MS}`);
  }
  const via = body.via ?? VIA[0];
  if (!VIA.includes(via)) {
    throw badRequest(`via must be one of ${VIA.join(", ")}`);
  }
  const scheduledFor = Date.now() + delay;
  const inserted = await run(
    meter,
    env.DB.prepare(
      "INSERT INTO jobs (id, via, scheduled_for) VALUES (?1, ?2, ?3) ON CONFLICT (id) DO NOTHING",
    ).bind(id, via, scheduledFor),
  );
  if (inserted === 0) {
    throw new HttpError(409, "a job with this id already exists");
  }
  try {
    if (via === "alarm") {
      await jobAlarmObject(env, id).schedule(id, scheduledFor);
    } else if (via === "queue") {
      // Queues count delay in whole seconds: round up so the job never
      // fires before scheduled_for.
      await env.JOB_QUEUE.send({ job: id }, { delaySeconds: Math.ceil(delay / 1000) });
      meter.add("queue_operations");
    }
    // via=cron needs nothing more: the next tick finds the row.
  } catch (err) {
    // The 202 was not sent, so the job is not promised: take the row back.
    await run(meter, env.DB.prepare("DELETE FROM jobs WHERE id = ?1 AND fired_at IS NULL").bind(id));
    throw err;
  }
  return { id, scheduled_for: scheduledFor };
}

const JOB_COLUMNS = "id, scheduled_for, fired_at, runs";

export async function jobStatus(env, meter, id) {
  const [row] = await all(
    meter,
    env.DB.prepare(`SELECT ${JOB_COLUMNS} FROM jobs WHERE id = ?1`).bind(id),
  );
  if (!row) {
    throw new HttpError(404, "no such job");
  }
  return row;
}

// checkJobs returns the known jobs among ids, in the order asked.
export async function checkJobs(env, meter, request) {
  const ids = await readIds(request);
  if (ids.length === 0) {
    return { jobs: [] };
  }
  const rows = await all(
    meter,
    env.DB.prepare(
      `SELECT ${JOB_COLUMNS} FROM jobs WHERE id IN (SELECT value FROM json_each(?1))`,
    ).bind(JSON.stringify(ids)),
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  return { jobs: ids.filter((id) => byId.has(id)).map((id) => byId.get(id)) };
}

// claimJob marks a job fired if nothing has yet, and returns the fired job
// (also when an earlier delivery fired it), or null for an unknown job.
async function claimJob(env, meter, id) {
  const [claimed] = await all(
    meter,
    env.DB.prepare(
      `UPDATE jobs SET fired_at = ?2, runs = runs + 1 WHERE id = ?1 AND fired_at IS NULL
       RETURNING id, scheduled_for, fired_at`,
    ).bind(id, Date.now()),
  );
  if (claimed) {
    return claimed;
  }
  const [row] = await all(
    meter,
    env.DB.prepare("SELECT id, scheduled_for, fired_at FROM jobs WHERE id = ?1").bind(id),
  );
  return row && row.fired_at !== null ? row : null;
}

// announce publishes {"job","scheduled_for","fired_at"} on channel `jobs`
// for each fired job, in one call to the channel.
async function announce(env, fired) {
  if (fired.length === 0) {
    return;
  }
  const messages = fired.map((row) => ({
    payload: JSON.stringify({ job: row.id, scheduled_for: row.scheduled_for, fired_at: row.fired_at }),
    dedup: `job:${row.id}`,
  }));
  await channelObject(env, "jobs").publishMany("jobs", messages);
}

// fireJob fires one job; used by the alarm. A throw makes the platform
// retry the delivery.
export async function fireJob(env, meter, id) {
  const row = await claimJob(env, meter, id);
  await announce(env, row ? [row] : []);
}

// consumeJobQueue is the Queue consumer. Each delivery is a read operation
// and each ack a delete; a message is acked only once its job is fired and
// announced, and retried otherwise.
export async function consumeJobQueue(env, meter, batch) {
  meter.add("queue_operations", batch.messages.length);
  const fired = [];
  const handled = [];
  await Promise.all(
    batch.messages.map(async (message) => {
      const id = message.body?.job;
      if (typeof id !== "string") {
        console.error("job queue: dropping a message without a job id");
        handled.push(message);
        return;
      }
      try {
        const row = await claimJob(env, meter, id);
        if (row) {
          fired.push(row);
        }
        handled.push(message);
      } catch (err) {
        console.error(`job queue: job ${id} failed, retrying:`, err);
        message.retry();
      }
    }),
  );
  try {
    await announce(env, fired);
  } catch (err) {
    console.error("job queue: announcing fired jobs failed, retrying the batch:", err);
    for (const message of handled) {
      message.retry();
    }
    return;
  }
  for (const message of handled) {
    message.ack();
  }
  meter.add("queue_operations", handled.length);
}

// fireDueCronJobs is the cron tick: it claims every due cron job, a batch
// per statement, and announces each batch.
export async function fireDueCronJobs(env, meter) {
  for (;;) {
    const now = Date.now();
    const fired = await all(
      meter,
      env.DB.prepare(
        `UPDATE jobs SET fired_at = ?1, runs = runs + 1
         WHERE id IN (SELECT id FROM jobs WHERE via = 'cron' AND fired_at IS NULL AND scheduled_for <= ?1
                      ORDER BY scheduled_for LIMIT ?2)
         RETURNING id, scheduled_for, fired_at`,
      ).bind(now, CRON_BATCH),
    );
    await announce(env, fired);
    if (fired.length < CRON_BATCH) {
      return;
    }
  }
}
