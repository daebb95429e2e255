// The Worker: contract v1 routes (fetch), the cron tick (scheduled) and the
// job queue's consumer (queue). State lives in D1 and in Durable Objects;
// the Worker itself keeps none between requests.
import { channelObject } from "./channel.js";
import { checkId, errorResponse, HttpError, json, readObject, badRequest } from "./http.js";
import { getItem, putItem } from "./items.js";
import { checkJobs, consumeJobQueue, fireDueCronJobs, jobStatus, scheduleJob, VIA } from "./jobs.js";
import { Meter, readMeters } from "./meters.js";
import { countEvents, receiveWebhook } from "./webhooks.js";

export { Channel } from "./channel.js";
export { JobAlarm } from "./job-alarm.js";
export { Meters } from "./meters.js";

// discovery is GET /contract. Without a webhook secret the Worker cannot
// verify deliveries, so it does not claim the capability.
function discovery(env) {
  const capabilities = ["http", "items", "items.reads"];
  if (env.VERSUS_WEBHOOK_SECRET) {
    capabilities.push("webhook");
  }
  capabilities.push("schedule", "subscribe", "meters");
  return { contract: 1, name: "cloudflare", model: "edge", capabilities, schedule_via: VIA };
}

// Each route: method -> handler(request, env, meter, url, param).
const routes = [
  [/^\/contract$/, { GET: (req, env) => json(200, discovery(env)) }],
  [/^\/health$/, { GET: () => json(200, { ok: true }) }],
  [/^\/meters$/, { GET: async (req, env) => json(200, await readMeters(env)) }],
  [
    /^\/items\/([^/]*)$/,
    {
      PUT: async (req, env, meter, url, id) => json(200, await putItem(env, meter, checkId(id, "item id"), req)),
      GET: async (req, env, meter, url, id) => json(200, await getItem(env, meter, checkId(id, "item id"), url)),
    },
  ],
  [/^\/webhooks\/stripe$/, { POST: async (req, env, meter) => json(200, await receiveWebhook(env, meter, req)) }],
  [/^\/webhooks\/events\/check$/, { POST: async (req, env, meter) => json(200, await countEvents(env, meter, req)) }],
  [/^\/jobs$/, { POST: async (req, env, meter) => json(202, await scheduleJob(env, meter, req)) }],
  [/^\/jobs\/check$/, { POST: async (req, env, meter) => json(200, await checkJobs(env, meter, req)) }],
  [
    /^\/jobs\/([^/]*)$/,
    { GET: async (req, env, meter, url, id) => json(200, await jobStatus(env, meter, checkId(id, "job id"))) },
  ],
  [/^\/channels\/([^/]*)\/subscribe$/, { GET: subscribe }],
  [/^\/channels\/([^/]*)\/messages$/, { POST: publish }],
];

function subscribe(request, env, meter, url, name) {
  checkId(name, "channel name");
  if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
    throw new HttpError(426, "this route is a WebSocket upgrade");
  }
  return channelObject(env, name).fetch(request);
}

async function publish(request, env, meter, url, name) {
  checkId(name, "channel name");
  const body = await readObject(request);
  if (!("payload" in body)) {
    throw badRequest('body must be {"payload": any}');
  }
  return json(200, await channelObject(env, name).publish(name, JSON.stringify(body.payload)));
}

async function route(request, env, meter, url) {
  for (const [pattern, methods] of routes) {
    const match = pattern.exec(url.pathname);
    if (!match) {
      continue;
    }
    const handler = methods[request.method];
    if (!handler) {
      const allow = Object.keys(methods).join(", ");
      return new Response(JSON.stringify({ error: `method not allowed (allowed: ${allow})` }), {
        status: 405,
        headers: { "content-type": "application/json", allow },
      });
    }
    return handler(request, env, meter, url, match[1]);
  }
  throw new HttpError(404, "no such route");
}

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    const meter = new Meter(env, (p) => ctx.waitUntil(p));
    // The harness's reads of /meters are the measuring apparatus, not load.
    if (url.pathname !== "/meters") {
      meter.add("worker_requests");
    }
    try {
      return await route(request, env, meter, url);
    } catch (err) {
      if (err instanceof HttpError) {
        return errorResponse(err.status, err.message);
      }
      console.error(`${request.method} ${url.pathname} failed:`, err);
      return errorResponse(500, "internal error");
    }
  },

  // A Cron Trigger invocation bills as a request.
  async scheduled(controller, env, ctx) {
    const meter = new Meter(env, (p) => ctx.waitUntil(p));
    meter.add("worker_requests");
    await fireDueCronJobs(env, meter);
  },

  // A consumer invocation (one per batch) bills as a request.
  async queue(batch, env, ctx) {
    const meter = new Meter(env, (p) => ctx.waitUntil(p));
    meter.add("worker_requests");
    await consumeJobQueue(env, meter, batch);
  },
};
