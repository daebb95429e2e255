// Package cloudflare is the adapter of the real Cloudflare Worker in
// worker/ (D1, Durable Objects with alarms and WebSocket hibernation,
// Queues, a Cron Trigger), which serves contract v1 itself.
//
// Two modes, chosen by the suite entry:
//
//   - local (no url): the adapter runs the Worker on this machine with
//     wrangler's local runtime (workerd plus the D1, Queues and Durable
//     Object simulators, from npm) through worker/scripts/serve.mjs, in a
//     process group of its own, and fires the cron handler at wall-clock
//     boundaries, since nothing fires Cron Triggers locally. It needs Node.js
//     and npm; the project's packages are installed with `npm ci` on first
//     use.
//   - remote (url): a Worker deployed with `npx wrangler deploy`; the
//     adapter starts nothing and Cloudflare fires the Cron Trigger.
//
// The Worker project is built into the binary (go:embed) and unpacked into
// the user cache folder, so a versus binary runs it from anywhere; the
// suite field worker_dir runs a checkout instead.
//
// Like every adapter, it imports targets (and its sibling contract for
// discovery) and knows no scenario or runner.
package cloudflare
