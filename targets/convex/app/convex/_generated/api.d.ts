/* eslint-disable */
/**
 * Generated `api` utility.
 *
 * THIS CODE IS AUTOMATICALLY GENERATED.
 *
 * To regenerate, run `npx convex dev`.
 * @module
 */

import type {
  ApiFromModules,
  FilterApi,
  FunctionReference,
} from "convex/server";
import type * as channels from "../channels.js";
import type * as crons from "../crons.js";
import type * as events from "../events.js";
import type * as http from "../http.js";
import type * as items from "../items.js";
import type * as jobs from "../jobs.js";
import type * as lib_contract from "../lib/contract.js";
import type * as lib_messages from "../lib/messages.js";
import type * as lib_stripeSignature from "../lib/stripeSignature.js";
import type * as routes_channels from "../routes/channels.js";
import type * as routes_discovery from "../routes/discovery.js";
import type * as routes_items from "../routes/items.js";
import type * as routes_jobs from "../routes/jobs.js";
import type * as routes_webhooks from "../routes/webhooks.js";

/**
 * A utility for referencing Convex functions in your app's API.
 *
 * Usage:
 * ```js
 * const myFunctionReference = api.myModule.myFunction;
 * ```
 */
declare const fullApi: ApiFromModules<{
  channels: typeof channels;
  crons: typeof crons;
  events: typeof events;
  http: typeof http;
  items: typeof items;
  jobs: typeof jobs;
  "lib/contract": typeof lib_contract;
  "lib/messages": typeof lib_messages;
  "lib/stripeSignature": typeof lib_stripeSignature;
  "routes/channels": typeof routes_channels;
  "routes/discovery": typeof routes_discovery;
  "routes/items": typeof routes_items;
  "routes/jobs": typeof routes_jobs;
  "routes/webhooks": typeof routes_webhooks;
}>;
export declare const api: FilterApi<
  typeof fullApi,
  FunctionReference<any, "public">
>;
export declare const internal: FilterApi<
  typeof fullApi,
  FunctionReference<any, "internal">
>;
