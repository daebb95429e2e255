// Package integrated is the embedded integrated-style reference backend, a
// model of Convex: one process holds the HTTP actions, a transactional
// store (SQLite with every write serialized through one connection),
// reactive subscriptions (a commit invalidates the queries whose read set it
// touched and pushes their new results) and a durable scheduler (runAfter
// rows inserted in the mutation's own transaction, one timer on the
// earliest due job, woken by commits, no polling), plus interval crons.
//
// It serves contract v1 through contractserver and counts Convex's billable
// units itself (convex_function_calls, convex_db_bytes_read/written,
// convex_action_gb_hours) for GET /meters.
package integrated
