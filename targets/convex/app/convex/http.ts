// Contract v1 of Versus, served by Convex HTTP actions
// (https://<deployment>.convex.site/<route>).
//
//   GET  /contract                  discovery: name "convex", model "integrated",
//                                   schedule_via runafter (default) and cron
//   GET  /health                    touches no state
//   GET  /meters                    501: Convex meters usage on its dashboard
//   PUT  /items/{id}                mutation items:put (internal)
//   GET  /items/{id}?reads=N        N sequential queries items:get (internal)
//   POST /webhooks/stripe           HMAC-SHA256 check in the action (WebCrypto,
//                                   secret from env VERSUS_WEBHOOK_SECRET), then
//                                   one mutation events:store: insert if absent
//   POST /webhooks/events/check     query events:count (internal)
//   POST /jobs                      mutation jobs:schedule (internal): inserts the
//                                   job and, via runafter, ctx.scheduler.runAfter
//                                   of jobs:fire in the same transaction; via cron
//                                   the job waits for the cron in crons.ts
//   GET  /jobs/{id}, POST /jobs/check   query jobs:get (internal)
//   POST /channels/{name}/messages  mutation channels:publish (public)
//   GET  /channels/{name}/subscribe 501: subscribers use Convex's sync protocol
//                                   on the reactive query channels:latest
//
// Every action checks ids (1 to 128 bytes of [A-Za-z0-9_:.-]) and bodies
// (at most 64 KiB, JSON) before it calls a function that writes, so a bad
// request gets 400 {"error"} and changes nothing. Routes with an id in the
// path are pathPrefix routes; the action parses the rest of the path.
import { httpRouter } from "convex/server";
import { httpAction } from "./_generated/server";
import { CHANNELS_PREFIX, publishMessage, subscribe } from "./routes/channels";
import { contract, health, meters } from "./routes/discovery";
import { getItem, ITEMS_PREFIX, putItem } from "./routes/items";
import { checkJobs, getJob, JOBS_PREFIX, scheduleJob } from "./routes/jobs";
import { checkEvents, stripeWebhook } from "./routes/webhooks";

const http = httpRouter();

http.route({ path: "/contract", method: "GET", handler: httpAction(contract) });
http.route({ path: "/health", method: "GET", handler: httpAction(health) });
http.route({ path: "/meters", method: "GET", handler: httpAction(meters) });

http.route({ pathPrefix: ITEMS_PREFIX, method: "PUT", handler: httpAction(putItem) });
http.route({ pathPrefix: ITEMS_PREFIX, method: "GET", handler: httpAction(getItem) });

http.route({ path: "/webhooks/stripe", method: "POST", handler: httpAction(stripeWebhook) });
http.route({ path: "/webhooks/events/check", method: "POST", handler: httpAction(checkEvents) });

http.route({ path: "/jobs", method: "POST", handler: httpAction(scheduleJob) });
http.route({ path: "/jobs/check", method: "POST", handler: httpAction(checkJobs) });
http.route({ pathPrefix: JOBS_PREFIX, method: "GET", handler: httpAction(getJob) });

http.route({ pathPrefix: CHANNELS_PREFIX, method: "POST", handler: httpAction(publishMessage) });
http.route({ pathPrefix: CHANNELS_PREFIX, method: "GET", handler: httpAction(subscribe) });

export default http;
