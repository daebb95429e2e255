package integrated

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"path/filepath"
	"sync"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver
)

// schema is the whole database. jobs_due is partial so the scheduler's
// look-up of the next due job only walks jobs that have not fired.
const schema = `
CREATE TABLE IF NOT EXISTS items (
	id TEXT PRIMARY KEY, value BLOB NOT NULL, version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS events (
	id TEXT PRIMARY KEY, body BLOB NOT NULL, stored_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS channels (
	name TEXT PRIMARY KEY, seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS messages (
	channel TEXT NOT NULL, seq INTEGER NOT NULL, payload BLOB NOT NULL, committed_at REAL NOT NULL,
	PRIMARY KEY (channel, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS jobs (
	id TEXT PRIMARY KEY, via TEXT NOT NULL, scheduled_for REAL NOT NULL,
	fired_at REAL, runs INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS jobs_due ON jobs (via, scheduled_for) WHERE fired_at IS NULL;
`

// store is the transactional database: one writer connection, so commits
// happen one at a time in a single order as in Convex's committer, and a
// pool of readers that see committed snapshots (WAL) without blocking it.
type store struct {
	writeMu sync.Mutex // orders commits and what follows each commit
	writer  *sql.DB
	reader  *sql.DB
}

// openStore opens (creating) dir/integrated.sqlite. synchronous=FULL makes
// every commit reach the disk before it returns, so a 2xx means durable.
func openStore(dir string) (*store, error) {
	path := filepath.Join(dir, "integrated.sqlite")
	dsn := func(params string) string {
		return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + params
	}
	writer, err := sql.Open("sqlite", dsn("_busy_timeout=10000&_journal_mode=WAL&_synchronous=FULL&_txlock=immediate"))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxLifetime(0)
	if _, err := writer.Exec(schema); err != nil {
		writer.Close()
		return nil, fmt.Errorf("create the schema in %s: %w", path, err)
	}
	reader, err := sql.Open("sqlite", dsn("_busy_timeout=10000&_query_only=1"))
	if err != nil {
		writer.Close()
		return nil, fmt.Errorf("open %s for reading: %w", path, err)
	}
	reader.SetMaxIdleConns(8)
	return &store{writer: writer, reader: reader}, nil
}

// mutate runs fn as one transaction and, once it is committed, after(): in
// commit order, because both happen under the writer's lock. The
// transaction ignores the caller's cancellation: a mutation that started
// runs to its end, as Convex's do, so an acknowledged write never races a
// client hanging up.
func (s *store) mutate(ctx context.Context, fn func(tx *sql.Tx) error, after func()) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	tx, err := s.writer.BeginTx(context.WithoutCancel(ctx), nil)
	if err != nil {
		return fmt.Errorf("begin a transaction: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if after != nil {
		after()
	}
	return nil
}

// query runs fn in one read transaction: every read it makes sees the
// same committed snapshot, as a Convex query does.
func (s *store) query(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("begin a read: %w", err)
	}
	defer tx.Rollback()
	return fn(tx)
}

func (s *store) close() error {
	rerr := s.reader.Close()
	if err := s.writer.Close(); err != nil {
		return err
	}
	return rerr
}
