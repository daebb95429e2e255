-- Contract v1 state in D1. Times are epoch milliseconds.

-- PUT/GET /items/{id}
CREATE TABLE items (
  id      TEXT PRIMARY KEY,
  value   TEXT NOT NULL,    -- the JSON of "value"
  version INTEGER NOT NULL
);

-- POST /webhooks/stripe: one row per event id, whatever the deliveries.
CREATE TABLE events (
  id          TEXT PRIMARY KEY,
  type        TEXT,
  created     INTEGER,
  body        TEXT NOT NULL,
  received_at REAL NOT NULL
);

-- POST /jobs: fired_at is set once, by whichever delivery comes first.
CREATE TABLE jobs (
  id            TEXT PRIMARY KEY,
  via           TEXT NOT NULL,
  scheduled_for REAL NOT NULL,
  fired_at      REAL,
  runs          INTEGER NOT NULL DEFAULT 0
);

-- The cron tick's scan: due cron jobs not yet fired, and nothing else.
CREATE INDEX jobs_cron_due ON jobs (scheduled_for) WHERE via = 'cron' AND fired_at IS NULL;
