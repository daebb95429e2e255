// serve.mjs runs the Worker locally the way Versus measures it.
//
//   node scripts/serve.mjs [--host 127.0.0.1] [--port 0] [--persist-to DIR]
//                          [--exit-with-stdin]
//
// It is `wrangler dev` without what production lacks. wrangler reads
// wrangler.jsonc and turns it into the options of Miniflare, the local
// simulator `wrangler dev` itself runs (workerd, the production runtime,
// with D1, Queues, Durable Objects and alarms simulated, state persisted the
// same way under <persist-to>/v3). What it leaves out: the DevTools
// inspector, which the `wrangler dev` command always attaches and which
// costs several milliseconds of Node CPU per D1 or Durable Object call; and
// the dev server's reload proxy, a second workerd process every request
// would cross, which a deployed Worker does not have. No bundling: the
// source is plain ES modules, loaded as they are.
//
// Before announcing itself it applies migrations/*.sql that the local D1
// database lacks, recording them in d1_migrations as `wrangler d1
// migrations apply` does. When ready it prints one line on stdout,
// {"url":"http://127.0.0.1:PORT"}; everything else goes to stderr. The
// webhook secret comes from the environment (VERSUS_WEBHOOK_SECRET) and
// reaches the Worker as a binding: never an argument, never printed.
// /cdn-cgi/handler/scheduled?cron=... fires the cron handler, as under
// `wrangler dev`.
//
// It stops, and takes workerd with it, on SIGINT, SIGTERM or SIGHUP, and
// with --exit-with-stdin also when its standard input closes (whoever
// started it is gone).
import { readdir, readFile } from "node:fs/promises";
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

// stop disposes of Miniflare (which ends workerd), then makes sure: when
// this process leads its process group, as the Versus adapter starts it,
// the whole group is killed, so no workerd outlives it even if dispose hangs.
async function stop(code) {
  if (stopping) {
    return;
  }
  stopping = true;
  const timeout = new Promise((resolve) => setTimeout(resolve, 3000).unref());
  if (mf) {
    await Promise.race([mf.dispose().catch(() => {}), timeout]);
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
if (!/^[0-9]+$/.test(args.port) || port > 65535) {
  console.error(`serve: --port ${args.port} is not a port number`);
  process.exit(2);
}

const { unstable_getMiniflareWorkerOptions, unstable_readConfig, unstable_splitSqlQuery } = await import("wrangler");
const { Log, LogLevel, Miniflare } = await import("miniflare");

// Miniflare's log writes to stdout, which carries only the ready line.
class StderrLog extends Log {
  log(message) {
    console.error(message);
  }
}

// applyMigrations brings the local D1 database up to migrations/.
async function applyMigrations(db) {
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
    const statements = unstable_splitSqlQuery(sql).map((s) => db.prepare(s));
    statements.push(db.prepare("INSERT INTO d1_migrations (name) VALUES (?1)").bind(file));
    // A batch is one transaction: a migration applies whole or not at all.
    await db.batch(statements);
  }
}

try {
  const config = unstable_readConfig({ config: configPath });
  const { workerOptions } = unstable_getMiniflareWorkerOptions(config);
  const secret = process.env.VERSUS_WEBHOOK_SECRET;
  mf = new Miniflare({
    host: args.host,
    port,
    defaultPersistRoot: path.join(path.resolve(args["persist-to"]), "v3"),
    unsafeTriggerHandlers: true,
    logRequests: false,
    log: new StderrLog(LogLevel.WARN),
    handleRuntimeStdio(stdout, stderr) {
      stdout.pipe(process.stderr);
      stderr.pipe(process.stderr);
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
  const url = await mf.ready;
  await applyMigrations(await mf.getD1Database("DB"));
  process.stdout.write(JSON.stringify({ url: url.origin }) + "\n");
} catch (err) {
  console.error("serve: could not start the Worker:", err?.stack ?? err);
  await stop(1);
}
