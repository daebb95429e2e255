// Test helpers: start the Worker with scripts/serve.mjs, sign webhooks, and
// talk to it over HTTP and WebSockets.
import { spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";

const projectDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

export const SECRET = "whsec_test_only_secret";

// startServer starts a Worker on a free loopback port with its own state
// (or persistTo's) and returns {url, persistTo, stop}. The server leads its
// own process group so stop can end workerd with it.
export async function startServer({ secret = SECRET, persistTo } = {}) {
  const dir = persistTo ?? (await mkdtemp(path.join(tmpdir(), "versus-worker-test-")));
  const env = { ...process.env };
  delete env.VERSUS_WEBHOOK_SECRET;
  if (secret) {
    env.VERSUS_WEBHOOK_SECRET = secret;
  }
  const child = spawn(
    process.execPath,
    ["scripts/serve.mjs", "--port", "0", "--persist-to", dir, "--exit-with-stdin"],
    { cwd: projectDir, env, detached: true, stdio: ["pipe", "pipe", "pipe"] },
  );
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr = (stderr + d).slice(-4000);
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const url = await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`no ready line in 60 s; stderr:\n${stderr}`)), 60000);
    child.stdout.on("data", (d) => {
      out += d;
      const nl = out.indexOf("\n");
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(JSON.parse(out.slice(0, nl)).url);
      }
    });
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve.mjs exited with ${code}; stderr:\n${stderr}`));
    });
  });
  return {
    url,
    persistTo: dir,
    // stop ends the server; keepState leaves its state for a restart.
    async stop({ keepState = false } = {}) {
      if (child.exitCode === null && child.signalCode === null) {
        process.kill(-child.pid, "SIGTERM");
        await exited;
      }
      if (!keepState && !persistTo) {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}

// request sends a JSON body (or raw string/bytes) and returns {status, body}.
export async function request(url, method = "GET", body, headers = {}) {
  const init = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === "string" || body instanceof Uint8Array ? body : JSON.stringify(body);
    init.headers["content-type"] = "application/json";
  }
  const res = await fetch(url, init);
  const text = await res.text();
  let parsed = null;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

// sign returns a Stripe-Signature header for body signed at unix second t.
export function sign(body, { secret = SECRET, t = Math.floor(Date.now() / 1000) } = {}) {
  const mac = createHmac("sha256", secret).update(`${t}.`).update(body).digest("hex");
  return `t=${t},v1=${mac}`;
}

// subscribe opens a WebSocket on a channel and collects its frames (JSON)
// and any other text it receives.
export async function subscribe(baseUrl, channel) {
  const ws = new WebSocket(`${baseUrl.replace(/^http/, "ws")}/channels/${channel}/subscribe`);
  const frames = [];
  const texts = [];
  const waiters = [];
  ws.on("message", (data) => {
    const text = data.toString();
    try {
      frames.push(JSON.parse(text));
    } catch {
      texts.push(text);
    }
    for (const w of waiters.splice(0)) {
      w();
    }
  });
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  return {
    ws,
    frames,
    texts,
    // waitFor resolves once pred(frames) holds, or rejects after ms.
    async waitFor(pred, ms = 5000) {
      const deadline = Date.now() + ms;
      while (!pred(frames)) {
        const left = deadline - Date.now();
        if (left <= 0) {
          throw new Error(`timed out; frames so far: ${JSON.stringify(frames)}`);
        }
        await new Promise((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, left);
        });
      }
      return frames;
    },
    close() {
      ws.close();
    },
  };
}

// eventually polls fn until it returns a truthy value, or throws after ms.
export async function eventually(fn, ms = 5000, every = 25) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) {
      return v;
    }
    if (Date.now() > deadline) {
      throw new Error(`condition not met within ${ms} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, every));
  }
}
