package integrated

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"

	"versus/targets"
	"versus/targets/internal/contractserver"
)

// pushBatch bounds how many messages one re-run of a channel's query reads.
const pushBatch = 500

// reactive is the subscription layer. Every subscriber of a channel holds
// the query latest(channel), whose read set is that channel's message
// range. A commit that appends to a channel invalidates that read set; the
// layer re-runs the query once (Convex shares one cached result among
// identical subscriptions) and pushes the new messages to every subscriber.
// Invalidations queue up while a re-run is in progress and coalesce, so a
// burst of commits costs one re-run, as a Convex Transition carries every
// change since the client's last version.
type reactive struct {
	db     *store
	meters *meters
	hub    *contractserver.Hub
	log    io.Writer

	mu    sync.Mutex
	dirty map[string]span // channels whose read set commits touched
	wake  chan struct{}   // capacity 1

	pushed map[string]int64 // last seq pushed per channel; owned by run
}

// span is the seqs commits appended to a channel since the last re-run.
type span struct{ first, last int64 }

func newReactive(db *store, m *meters, log io.Writer) *reactive {
	return &reactive{
		db: db, meters: m, hub: contractserver.NewHub(), log: log,
		dirty:  map[string]span{},
		wake:   make(chan struct{}, 1),
		pushed: map[string]int64{},
	}
}

// invalidate records that a commit appended seq to channel. It is called
// after the commit, in commit order, and never blocks.
func (r *reactive) invalidate(channel string, seq int64) {
	r.mu.Lock()
	s, ok := r.dirty[channel]
	if !ok {
		s.first = seq
	}
	s.last = seq
	r.dirty[channel] = s
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// run re-runs invalidated queries until ctx is done.
func (r *reactive) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-r.wake:
		}
		r.mu.Lock()
		dirty := r.dirty
		r.dirty = map[string]span{}
		r.mu.Unlock()
		for channel, s := range dirty {
			if err := r.rerun(ctx, channel, s); err != nil && ctx.Err() == nil && r.log != nil {
				fmt.Fprintf(r.log, "integrated: re-running latest(%s): %v\n", channel, err)
			}
		}
	}
}

// rerun pushes channel's messages after the last pushed one. A channel
// nobody subscribes to only moves its mark: there is no query to re-run.
func (r *reactive) rerun(ctx context.Context, channel string, s span) error {
	from, seen := r.pushed[channel]
	if !seen {
		from = s.first - 1
	}
	if r.hub.Subscribers(channel) == 0 {
		r.pushed[channel] = max(from, s.last)
		return nil
	}
	for {
		batch, err := r.messagesAfter(ctx, channel, from)
		if err != nil {
			return err
		}
		pushes := 0
		for _, m := range batch {
			pushes = max(pushes, r.hub.Publish(m))
			from = m.Seq
		}
		// One function call per subscriber that received the new result.
		r.meters.calls(pushes)
		r.pushed[channel] = from
		if len(batch) < pushBatch {
			return nil
		}
	}
}

// messagesAfter is the query latest(channel) re-run from seq after.
func (r *reactive) messagesAfter(ctx context.Context, channel string, after int64) ([]targets.Message, error) {
	var out []targets.Message
	err := r.db.query(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT seq, payload, committed_at FROM messages
			WHERE channel = ? AND seq > ? ORDER BY seq LIMIT ?`, channel, after, pushBatch)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			m := targets.Message{Channel: channel}
			var payload []byte
			if err := rows.Scan(&m.Seq, &payload, &m.CommittedAt); err != nil {
				return err
			}
			m.Payload = payload
			out = append(out, m)
			r.meters.read(docSize(len(channel), 16, len(payload)))
		}
		return rows.Err()
	})
	return out, err
}

// serveSubscribe adds a subscription: the initial run of latest(channel)
// (one function call) fixes the read set, then the hub owns the socket.
func (r *reactive) serveSubscribe(w http.ResponseWriter, req *http.Request, channel string) {
	r.meters.calls(1)
	err := r.db.query(req.Context(), func(tx *sql.Tx) error {
		var seq int64
		err := tx.QueryRowContext(req.Context(), `SELECT seq FROM channels WHERE name = ?`, channel).Scan(&seq)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return nil
		case err != nil:
			return err
		}
		r.meters.read(docSize(len(channel), 8))
		return nil
	})
	if err != nil {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		json.NewEncoder(w).Encode(map[string]string{"error": "subscribe to " + channel + ": " + err.Error()})
		return
	}
	r.hub.ServeSubscribe(w, req, channel)
}

func (r *reactive) close() { r.hub.Close() }
