// serve.mjs runs the Worker locally the way Versus measures it.
//
//   node scripts/serve.mjs [--host 127.0.0.1] [--port 0] [--persist-to DIR]
//                          [--ephemeral] [--exit-with-stdin]
//
// It is `wrangler dev` without what production lacks. wrangler reads
// wrangler.jsonc and turns it into the options of Miniflare, the local
// simulator `wrangler dev` itself runs (workerd, the production runtime,
// with D1, Queues, Durable Objects and alarms simulated, state persisted the
// same way under <persist-to>/v3). What it leaves out: the DevTools
// inspector, which the `wrangler dev` command always attaches and which
// costs Node CPU on every D1 or Durable Object call (about 2 ms per D1
// read on a two-core machine); and
// the dev server's reload proxy, a second workerd process every request
// would cross, which a deployed Worker does not have. No bundling: the
// source is plain ES modules, loaded as they are.
//
// Before announcing itself it applies migrations/*.sql that the local D1
// database lacks, recording them in d1_migrations as `wrangler d1
// migrations apply` does. When ready it prints one line on stdout,
// {"url":"http://127.0.0.1:PORT"}; everything else goes to stderr, the
// Worker's console output and runtime warnings as "[level] message". The
// webhook secret comes from the environment (VERSUS_WEBHOOK_SECRET) and
// reaches the Worker as a binding: never an argument, never printed.
// /cdn-cgi/handler/scheduled?cron=... fires the cron handler, as under
// `wrangler dev`.
//
// It stops, and takes workerd with it, on SIGINT, SIGTERM or SIGHUP, and
// with --exit-with-stdin also when its standard input closes (whoever
// started it is gone). With --ephemeral it then removes --persist-to.
import { readdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const projectDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const configPath = path.join(projectDir, "wrangler.jsonc");
const migrationsDir = path.join(projectDir, "migrations");

// Nothing leaves the machine: no download of the Request.cf placeholder
// (the runtime has a built-in one), no usage metrics.
process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";
process.env.WRANGLER_SEND_METRICS = "false";

let mf = null;
let stopping = false;
let removeOnStop = null;

// killGroup kills this process's group when this process leads it, as
// the Versus adapter starts it: no workerd outlives serve.mjs. Started
// from a shell it is no leader, and the kill fails harmlessly.
function killGroup() {
  try {
    process.kill(-process.pid, "SIGKILL");
  } catch {
    // Not a group leader: dispose did the work.
  }
}

// However this process ends, even by an uncaught error, its group goes.
process.on("exit", killGroup);

// stop disposes of Miniflare (which ends workerd gracefully), removes an
// ephemeral state folder, and exits. The timer is what keeps the process
// alive meanwhile when nothing else does (its parent, and so its pipes,
// may be gone).
async function stop(code) {
  if (stopping) {
    return;
  }
  stopping = true;
  const timeout = new Promise((resolve) => setTimeout(resolve, 3000));
  if (mf) {
    await Promise.race([mf.dispose().catch(() => {}), timeout]);
  }
  if (removeOnStop) {
    await rm(removeOnStop, { recursive: true, force: true }).catch(() => {});
  }
  process.exit(code);
}

// When whoever started this process is gone, so are the readers of its
// output: a write then fails with EPIPE, which must not crash the process
// before stop has cleaned up.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", () => {});
}

const { values: args } = parseArgs({
  options: {
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string", default: "0" },
    "persist-to": { type: "string", default: path.join(projectDir, ".wrangler", "state") },
    ephemeral: { type: "boolean", default: false },
    "exit-with-stdin": { type: "boolean", default: false },
  },
});
const persistTo = path.resolve(args["persist-to"]);
if (args.ephemeral) {
  removeOnStop = persistTo;
}

if (args["exit-with-stdin"]) {
  process.stdin.on("end", () => stop(0));
  process.stdin.on("error", () => stop(0));
  process.stdin.resume();
}

const port = Number(args.port);
if (!/^[0-9]+$/.test(args.port) || port > 65535) {
  console.error(`serve: --port ${args.port} is not a port number`);
  process.exit(2);
}

// takeSignals makes stop the only handler of the stopping signals. wrangler
// (on import) and Miniflare (in its constructor) install handlers that
// exit at once, before workerd is disposed of and the state removed.
// Until they are replaced, a signal still ends the process and the exit
// hook above takes the group.
function takeSignals() {
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.removeAllListeners(signal);
    process.on(signal, () => stop(0));
  }
}

// applyMigrations brings the local D1 database up to migrations/.
async function applyMigrations(db, splitSqlQuery) {
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
    const statements = splitSqlQuery(sql).map((s) => db.prepare(s));
    statements.push(db.prepare("INSERT INTO d1_migrations (name) VALUES (?1)").bind(file));
    // A batch is one transaction: a migration applies whole or not at all.
    await db.batch(statements);
  }
}

// start runs the Worker and returns its URL.
async function start() {
  const wrangler = await import("wrangler");
  const { Log, LogLevel, Miniflare } = await import("miniflare");
  takeSignals();

  // Miniflare's log writes to stdout, which carries only the ready line.
  class StderrLog extends Log {
    log(message) {
      console.error(message);
    }
  }

  const config = wrangler.unstable_readConfig({ config: configPath });
  const { workerOptions } = wrangler.unstable_getMiniflareWorkerOptions(config);
  const secret = process.env.VERSUS_WEBHOOK_SECRET;
  mf = new Miniflare({
    host: args.host,
    port,
    defaultPersistRoot: path.join(persistTo, "v3"),
    unsafeTriggerHandlers: true,
    logRequests: false,
    log: new StderrLog(LogLevel.WARN),
    handleStructuredLogs({ level, message }) {
      console.error(`[${level}] ${message}`);
    },
    workers: [
      {
        ...workerOptions,
        name: config.name,
        modules: true,
        modulesRoot: projectDir,
        scriptPath: path.resolve(projectDir, config.main),
        modulesRules: [{ type: "ESModule", include: ["**/*.js"] }],
        bindings: {
          ...workerOptions.bindings,
          ...(secret ? { VERSUS_WEBHOOK_SECRET: secret } : {}),
        },
      },
    ],
  });
  takeSignals();
  const url = await mf.ready;
  await applyMigrations(await mf.getD1Database("DB"), wrangler.unstable_splitSqlQuery);
  return url.origin;
}

try {
  const url = await start();
  process.stdout.write(JSON.stringify({ url }) + "\n");
} catch (err) {
  console.error("serve: could not start the Worker:", err?.stack ?? err);
  await stop(1);
}
