package edge

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"
	"sync"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// statement is one SQL statement with its bound parameters, as a D1
// prepared statement carries them (`db.prepare(sql).bind(...params)`).
type statement struct {
	SQL    string `json:"sql"`
	Params []any  `json:"params,omitempty"`
}

// result is what one statement returned, shaped like D1's `.all()`.
type result struct {
	Rows []row `json:"results"`
	Meta meta  `json:"meta"`
}

// meta counts what a statement cost. rows_read is the rows it returned
// (the tables are read through their primary key or a covering index, so
// the rows scanned are the rows returned); rows_written is the rows it
// changed, from SQLite's total_changes().
type meta struct {
	RowsRead    int64 `json:"rows_read"`
	RowsWritten int64 `json:"rows_written"`
}

// row is one result row by column name. Values are int64, float64, string
// or nil on both sides of the hop (normalize makes decoded JSON match).
type row map[string]any

func (r row) str(col string) string {
	s, _ := r[col].(string)
	return s
}

func (r row) int(col string) int64 {
	switch v := r[col].(type) {
	case int64:
		return v
	case float64:
		return int64(v)
	}
	return 0
}

func (r row) float(col string) float64 {
	switch v := r[col].(type) {
	case int64:
		return float64(v)
	case float64:
		return v
	}
	return 0
}

// nullFloat is nil for SQL NULL.
func (r row) nullFloat(col string) *float64 {
	if r[col] == nil {
		return nil
	}
	f := r.float(col)
	return &f
}

// normalize turns a value decoded with json.Decoder.UseNumber into the
// types a row holds, so an integer column stays an integer across the hop.
func normalize(v any) any {
	n, ok := v.(json.Number)
	if !ok {
		return v
	}
	if i, err := n.Int64(); err == nil {
		return i
	}
	f, _ := n.Float64()
	return f
}

// database is one SQLite file reached through a single connection, so
// statements run one at a time as they do in a D1 database or a Durable
// Object's storage. Commits are durable before a call returns:
// journal_mode=WAL with synchronous=FULL syncs the log on every commit.
type database struct {
	mu   sync.Mutex
	db   *sql.DB
	conn *sql.Conn
	// changes is total_changes() after the last statement; the difference
	// after the next one is what that statement wrote.
	changes int64
}

// openDatabase opens (creating if needed) the SQLite file at path and
// applies schema, a list of idempotent statements.
func openDatabase(path string, schema []string) (*database, error) {
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() +
		"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(10000)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	conn, err := db.Conn(context.Background())
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w (is the folder writable?)", path, err)
	}
	d := &database{db: db, conn: conn}
	for _, s := range schema {
		if _, err := d.batch([]statement{{SQL: s}}); err != nil {
			d.close()
			return nil, fmt.Errorf("create the schema of %s: %w", path, err)
		}
	}
	return d, nil
}

// batch runs stmts in order; more than one run in a single transaction,
// all or nothing, as D1's batch() does. A statement that reached the
// database is finished even if the caller has gone: the work is not
// cancelled halfway and the single connection stays healthy.
func (d *database) batch(stmts []statement) ([]result, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	ctx := context.Background()
	if len(stmts) == 1 {
		r, err := d.run(ctx, d.conn, stmts[0])
		if err != nil {
			d.resync(ctx)
			return nil, err
		}
		return []result{r}, nil
	}
	tx, err := d.conn.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	out := make([]result, 0, len(stmts))
	for i, s := range stmts {
		r, err := d.run(ctx, tx, s)
		if err != nil {
			tx.Rollback()
			d.resync(ctx)
			return nil, fmt.Errorf("statement %d of the batch: %w", i+1, err)
		}
		out = append(out, r)
	}
	if err := tx.Commit(); err != nil {
		d.resync(ctx)
		return nil, fmt.Errorf("commit: %w", err)
	}
	return out, nil
}

// querier is what a connection and a transaction share.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (d *database) run(ctx context.Context, q querier, s statement) (result, error) {
	rows, err := q.QueryContext(ctx, s.SQL, s.Params...)
	if err != nil {
		return result{}, err
	}
	var out []row
	cols, err := rows.Columns()
	if err != nil {
		rows.Close()
		return result{}, err
	}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			rows.Close()
			return result{}, err
		}
		r := make(row, len(cols))
		for i, c := range cols {
			if b, ok := vals[i].([]byte); ok {
				r[c] = string(b)
			} else {
				r[c] = vals[i]
			}
		}
		out = append(out, r)
	}
	if err := rows.Close(); err != nil {
		return result{}, err
	}
	if err := rows.Err(); err != nil {
		return result{}, err
	}
	var total int64
	if err := q.QueryRowContext(ctx, "SELECT total_changes()").Scan(&total); err != nil {
		return result{}, err
	}
	written := total - d.changes
	d.changes = total
	return result{Rows: out, Meta: meta{RowsRead: int64(len(out)), RowsWritten: written}}, nil
}

// resync reads total_changes() again after a failed statement or a
// rolled-back transaction, so their changes are not billed to the next one.
func (d *database) resync(ctx context.Context) {
	var total int64
	if d.conn.QueryRowContext(ctx, "SELECT total_changes()").Scan(&total) == nil {
		d.changes = total
	}
}

func (d *database) close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.conn.Close()
	return d.db.Close()
}
