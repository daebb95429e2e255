// Billable units, counted where they happen (GET /meters).
//
// Counts gather in the isolate's memory and reach the Meters Durable Object
// in batches, FLUSH_DELAY_MS after the first count of a batch: one object
// call per batch rather than one per request keeps the measuring from
// weighing on what it measures. An isolate can be dropped at any time, so
// the flush runs under waitUntil and the totals live in the object's
// storage, which outlives isolates. The Meters object's own calls are the
// measuring apparatus and are not counted.
import { DurableObject } from "cloudflare:workers";

// Unit names as the Versus cost model prices them.
export const UNITS = [
  "worker_requests",
  "do_requests",
  "do_ws_messages_in",
  "d1_rows_read",
  "d1_rows_written",
  "queue_operations",
];

const FLUSH_DELAY_MS = 50;

let pending = new Map();
let flushScheduled = false;

// Meter counts units for one invocation. waitUntil keeps the invocation
// alive until a flush it started is done.
export class Meter {
  constructor(env, waitUntil) {
    this.env = env;
    this.waitUntil = waitUntil;
  }

  add(unit, n = 1) {
    if (!n) {
      return;
    }
    pending.set(unit, (pending.get(unit) ?? 0) + n);
    if (!flushScheduled) {
      flushScheduled = true;
      this.waitUntil(flushLater(this.env));
    }
  }

  // addD1 counts the rows a D1 result says it read and wrote.
  addD1(meta) {
    this.add("d1_rows_read", meta?.rows_read ?? 0);
    this.add("d1_rows_written", meta?.rows_written ?? 0);
  }
}

async function flushLater(env) {
  await new Promise((resolve) => setTimeout(resolve, FLUSH_DELAY_MS));
  await flush(env);
}

// flush sends this isolate's pending counts to the Meters object. A failed
// flush puts the counts back; the next count schedules another.
export async function flush(env) {
  flushScheduled = false;
  if (pending.size === 0) {
    return;
  }
  const units = Object.fromEntries(pending);
  pending = new Map();
  try {
    await metersObject(env).add(units);
  } catch (err) {
    for (const [unit, n] of Object.entries(units)) {
      pending.set(unit, (pending.get(unit) ?? 0) + n);
    }
    console.error("meters: flush failed, counts kept for the next flush:", err);
  }
}

// readMeters answers GET /meters: this isolate's counts first, then the
// totals. Other isolates' counts arrive within FLUSH_DELAY_MS.
export async function readMeters(env) {
  await flush(env);
  return metersObject(env).read();
}

function metersObject(env) {
  return env.METERS.get(env.METERS.idFromName("meters"));
}

// Meters holds the totals of the whole Worker in its SQLite storage.
export class Meters extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(
      "CREATE TABLE IF NOT EXISTS units (name TEXT PRIMARY KEY, value REAL NOT NULL)",
    );
    this.sql.exec(
      "CREATE TABLE IF NOT EXISTS started (id INTEGER PRIMARY KEY CHECK (id = 1), at REAL NOT NULL)",
    );
    this.sql.exec("INSERT OR IGNORE INTO started (id, at) VALUES (1, ?)", Date.now());
  }

  add(units) {
    for (const [name, n] of Object.entries(units)) {
      this.sql.exec(
        "INSERT INTO units (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value",
        name,
        n,
      );
    }
  }

  read() {
    const units = Object.fromEntries(UNITS.map((u) => [u, 0]));
    for (const row of this.sql.exec("SELECT name, value FROM units")) {
      units[row.name] = row.value;
    }
    const since = this.sql.exec("SELECT at FROM started WHERE id = 1").one().at;
    return { since, units };
  }
}
