package edge

// d1Schema is the Worker's D1 database, applied like migrations when the
// state service starts. The partial index keeps the cron poll and the
// restart scan to the jobs still pending.
var d1Schema = []string{
	`CREATE TABLE IF NOT EXISTS items (
		id TEXT PRIMARY KEY,
		value TEXT NOT NULL,
		version INTEGER NOT NULL)`,
	`CREATE TABLE IF NOT EXISTS events (
		id TEXT PRIMARY KEY,
		body TEXT NOT NULL,
		received_at REAL NOT NULL)`,
	`CREATE TABLE IF NOT EXISTS jobs (
		id TEXT PRIMARY KEY,
		via TEXT NOT NULL,
		scheduled_for REAL NOT NULL,
		fired_at REAL,
		runs INTEGER NOT NULL DEFAULT 0)`,
	`CREATE INDEX IF NOT EXISTS jobs_pending ON jobs (via, scheduled_for) WHERE fired_at IS NULL`,
}

// relaySchema is the relay actors' own storage (a Durable Object's SQLite):
// every message of a channel with its sequence number.
var relaySchema = []string{
	`CREATE TABLE IF NOT EXISTS messages (
		channel TEXT NOT NULL,
		seq INTEGER NOT NULL,
		payload TEXT NOT NULL,
		committed_at REAL NOT NULL,
		PRIMARY KEY (channel, seq))`,
}
