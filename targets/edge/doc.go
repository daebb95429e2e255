// Package edge is the embedded edge-style reference backend: the structure
// of Cloudflare Workers with D1, Durable Objects, Queues and Cron Triggers,
// in one process, backed by SQLite.
//
//   - The Worker (worker.go) answers contract v1 (targets/internal/
//     contractserver) and keeps no state: every read and write is a round
//     trip over loopback TCP to the state service, through Env.StateLink
//     when the runner injects a network link there.
//   - The state service (stateservice.go) holds D1 (database.go: SQL
//     statements, rows read and written counted), a relay actor per
//     channel (relay.go: stores each message, then broadcasts it to the
//     WebSockets it alone owns), an alarm object per job (alarm.go) and a
//     queue (queue.go: whole-second delays, batched delivery).
//   - Jobs fire three ways (schedule_via alarm, cron, queue); each is
//     claimed with a conditional update, so a retry never runs one twice
//     (jobs.go). Pending jobs are re-armed when a data folder is reopened.
//   - Meters count billable units under the cost model's names (meters.go).
//
// It imports targets and its internal contract server, nothing else of the
// project.
package edge
