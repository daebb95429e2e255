// serve.mjs runs the Worker locally the way Versus measures it: wrangler's
// own dev server (workerd with the D1, Queues and Durable Object
// simulators) started through wrangler's startWorker API, with the DevTools
// inspector off. `wrangler dev` on the command line always attaches the
// inspector, which costs Node CPU on every call into D1 or an object;
// production has no inspector, so the measurement should not either.
//
//   node scripts/serve.mjs [--host 127.0.0.1] [--port 0] [--persist-to DIR]
//                          [--exit-with-stdin]
//
// Before starting, it applies migrations/*.sql that the local D1 database
// lacks (recorded in d1_migrations, as `wrangler d1 migrations apply` does).
// When ready it prints one line on stdout: {"url":"http://127.0.0.1:PORT"}.
// The webhook secret comes from the environment (VERSUS_WEBHOOK_SECRET) and
// is handed to the Worker as a secret binding: never an argument, never
// printed. It stops, taking workerd with it, on SIGINT, SIGTERM or SIGHUP,
// and with --exit-with-stdin also when its standard input closes (the
// process that started it is gone).
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const projectDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const configPath = path.join(projectDir, "wrangler.jsonc");
const migrationsDir = path.join(projectDir, "migrations");

// Nothing leaves the machine: no usage metrics, no download of the
// Request.cf placeholder (the runtime uses its built-in one).
process.env.WRANGLER_SEND_METRICS = "false";
process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";

let worker = null;
let stopping = false;

// stop disposes of the dev server (which ends workerd), then makes sure:
// when this process leads its process group, as the Versus adapter starts
// it, the group is killed, so no workerd outlives it even if dispose hangs.
async function stop(code) {
  if (stopping) {
    return;
  }
  stopping = true;
  const timeout = new Promise((resolve) => setTimeout(resolve, 3000).unref());
  if (worker) {
    await Promise.race([worker.dispose().catch(() => {}), timeout]);
  }
  try {
    process.kill(-process.pid, "SIGKILL");
  } catch {
    // Not a group leader (started from a shell): dispose did the work.
  }
  process.exit(code);
}

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => stop(0));
}

const { values: args } = parseArgs({
  options: {
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string", default: "0" },
    "persist-to": { type: "string", default: path.join(projectDir, ".wrangler", "state") },
    "exit-with-stdin": { type: "boolean", default: false },
  },
});

if (args["exit-with-stdin"]) {
  process.stdin.on("end", () => stop(0));
  process.stdin.on("error", () => stop(0));
  process.stdin.resume();
}

const port = Number(args.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`serve: --port ${args.port} is not a port number`);
  process.exit(2);
}
const persistTo = path.resolve(args["persist-to"]);

const wrangler = await import("wrangler");
const { Miniflare } = await import("miniflare");

// applyMigrations brings the local D1 database up to migrations/ with a
// Miniflare holding only the D1 binding, on the same files the Worker uses.
async function applyMigrations() {
  const { workerOptions } = wrangler.unstable_getMiniflareWorkerOptions(configPath);
  const mf = new Miniflare({
    modules: true,
    script: "export default {}",
    compatibilityDate: "2026-04-20",
    d1Databases: workerOptions.d1Databases,
    // startWorker keeps its state under <persist-to>/v3, as `wrangler dev`.
    defaultPersistRoot: path.join(persistTo, "v3"),
  });
  try {
    const db = await mf.getD1Database("DB");
    await db
      .prepare(
        `CREATE TABLE IF NOT EXISTS d1_migrations (
           id INTEGER PRIMARY KEY AUTOINCREMENT,
           name TEXT UNIQUE,
           applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL)`,
      )
      .run();
    const done = new Set((await db.prepare("SELECT name FROM d1_migrations").all()).results.map((r) => r.name));
    const files = (await readdir(migrationsDir)).filter((f) => f.endsWith(".sql")).sort();
    for (const file of files) {
      if (done.has(file)) {
        continue;
      }
      const sql = await readFile(path.join(migrationsDir, file), "utf8");
      const statements = wrangler.unstable_splitSqlQuery(sql).map((s) => db.prepare(s));
      statements.push(db.prepare("INSERT INTO d1_migrations (name) VALUES (?1)").bind(file));
      // A batch is one transaction: a migration applies whole or not at all.
      await db.batch(statements);
    }
  } finally {
    await mf.dispose();
  }
}

try {
  await applyMigrations();
  const secret = process.env.VERSUS_WEBHOOK_SECRET;
  worker = await wrangler.unstable_startWorker({
    config: configPath,
    sendMetrics: false,
    bindings: secret ? { VERSUS_WEBHOOK_SECRET: { type: "secret_text", value: secret } } : {},
    dev: {
      server: { hostname: args.host, port },
      inspector: false,
      persist: persistTo,
      liveReload: false,
      logLevel: "warn",
    },
  });
  const url = new URL(await worker.url);
  process.stdout.write(JSON.stringify({ url: url.origin }) + "\n");
} catch (err) {
  console.error("serve: could not start the Worker:", err?.stack ?? err);
  await stop(1);
}
