package convex

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"versus/targets"
)

// Publish commits one message by the suite's publish_via path and returns
// once it is committed: the HTTP action's 200, the HTTP API's success, or
// the MutationResponse.
func (in *Instance) Publish(ctx context.Context, channel string, payload json.RawMessage) (targets.Ack, error) {
	if err := checkChannel(channel); err != nil {
		return targets.Ack{}, err
	}
	switch in.s.publishVia {
	case PublishViaMutation:
		return in.publishMutation(ctx, channel, payload)
	case PublishViaAPI:
		return in.publishAPI(ctx, channel, payload)
	default:
		return in.publishHTTP(ctx, channel, payload)
	}
}

// PublishTimed publishes with a Mutation on a sync connection subscribed to
// the channel, whatever publish_via says, and times both moments Convex
// distinguishes: acknowledgedAt, when the MutationResponse was read (the
// transaction committed), and visibleAt, when the first Transition with
// endVersion.ts at or past the commit's ts was read (the connection's
// channels:latest result includes the message; a JS client's `await
// mutation()` resolves then). Both are read times on the harness's clock.
func (in *Instance) PublishTimed(ctx context.Context, channel string, payload json.RawMessage) (ack targets.Ack, acknowledgedAt, visibleAt time.Time, err error) {
	if err := checkChannel(channel); err != nil {
		return ack, acknowledgedAt, visibleAt, err
	}
	pc, err := in.pool.get(ctx)
	if err != nil {
		return ack, acknowledgedAt, visibleAt, err
	}
	defer in.pool.put(pc)
	w, err := pc.watch(ctx, channel)
	if err != nil {
		return ack, acknowledgedAt, visibleAt, fmt.Errorf("convex: watching %q before a timed publish: %w", channel, err)
	}
	args, err := publishArgs(channel, payload)
	if err != nil {
		return ack, acknowledgedAt, visibleAt, err
	}
	m, err := pc.client.Mutate(publishFunction, args)
	if err != nil {
		return ack, acknowledgedAt, visibleAt, fmt.Errorf("convex: publishing to %q: %w", channel, err)
	}
	r, err := m.Visible(ctx)
	if err != nil {
		return ack, r.AcknowledgedAt, visibleAt, fmt.Errorf("convex: publishing to %q: %w", channel, err)
	}
	if ack, err = decodeAck(r.Value); err != nil {
		return ack, r.AcknowledgedAt, r.VisibleAt, fmt.Errorf("convex: publishing to %q: %w", channel, err)
	}
	if seen := w.maxSeq.Load(); seen < ack.Seq {
		return ack, r.AcknowledgedAt, r.VisibleAt, fmt.Errorf("convex: publishing to %q: the Transition at the commit's timestamp showed seq %d at most, not the published %d: %s and %s disagree", channel, seen, ack.Seq, latestFunction, publishFunction)
	}
	return ack, r.AcknowledgedAt, r.VisibleAt, nil
}

func (in *Instance) publishMutation(ctx context.Context, channel string, payload json.RawMessage) (targets.Ack, error) {
	args, err := publishArgs(channel, payload)
	if err != nil {
		return targets.Ack{}, err
	}
	pc, err := in.pool.get(ctx)
	if err != nil {
		return targets.Ack{}, err
	}
	defer in.pool.put(pc)
	m, err := pc.client.Mutate(publishFunction, args)
	if err != nil {
		return targets.Ack{}, fmt.Errorf("convex: publishing to %q: %w", channel, err)
	}
	r, err := m.Ack(ctx)
	if err != nil {
		return targets.Ack{}, fmt.Errorf("convex: publishing to %q: %w", channel, err)
	}
	return decodeAck(r.Value)
}

// publishHTTP is the contract route, served by the app's HTTP action.
func (in *Instance) publishHTTP(ctx context.Context, channel string, payload json.RawMessage) (targets.Ack, error) {
	body, err := json.Marshal(map[string]json.RawMessage{"payload": payload})
	if err != nil {
		return targets.Ack{}, fmt.Errorf("convex: publishing to %q: payload: %w", channel, err)
	}
	where := in.s.siteURL + "/channels/" + url.PathEscape(channel) + "/messages"
	status, answer, err := in.post(ctx, where, body, "")
	if err != nil {
		return targets.Ack{}, fmt.Errorf("convex: POST %s: %w", where, err)
	}
	if status != http.StatusOK {
		return targets.Ack{}, fmt.Errorf("convex: POST %s answered %d: %s", where, status, truncate(string(answer), 200))
	}
	return decodeAck(answer)
}

// publishAPI calls the mutation through Convex's HTTP API.
func (in *Instance) publishAPI(ctx context.Context, channel string, payload json.RawMessage) (targets.Ack, error) {
	args, err := publishArgs(channel, payload)
	if err != nil {
		return targets.Ack{}, err
	}
	body, err := json.Marshal(map[string]any{"path": publishFunction, "args": args, "format": "json"})
	if err != nil {
		return targets.Ack{}, fmt.Errorf("convex: publishing to %q: %w", channel, err)
	}
	where := in.s.url + "/api/mutation"
	status, answer, err := in.post(ctx, where, body, in.key)
	if err != nil {
		return targets.Ack{}, fmt.Errorf("convex: POST %s: %w", where, err)
	}
	switch {
	case status == http.StatusUnauthorized && in.key != "":
		return targets.Ack{}, fmt.Errorf("convex: POST %s: the deploy key in %s was rejected (%s): export a current deploy key", where, in.s.deployKeyEnv, truncate(string(answer), 200))
	case status != http.StatusOK:
		return targets.Ack{}, fmt.Errorf("convex: POST %s answered %d: %s", where, status, truncate(string(answer), 200))
	}
	var r struct {
		Status       string          `json:"status"`
		Value        json.RawMessage `json:"value"`
		ErrorMessage string          `json:"errorMessage"`
	}
	if err := json.Unmarshal(answer, &r); err != nil {
		return targets.Ack{}, fmt.Errorf("convex: POST %s answered %s, not the HTTP API's JSON", where, truncate(string(answer), 80))
	}
	if r.Status != "success" {
		return targets.Ack{}, &FunctionError{UDFPath: publishFunction, Message: r.ErrorMessage}
	}
	return decodeAck(r.Value)
}

// post sends a JSON body; key, when set, goes in Convex's admin header.
func (in *Instance) post(ctx context.Context, where string, body []byte, key string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, where, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Convex "+key)
	}
	resp, err := in.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, answer, err
}

// clientPool keeps sync connections for publishing. Convex runs one
// connection's mutations one at a time, so concurrent publishes each
// borrow a connection of their own instead of queueing behind each other.
type clientPool struct {
	url         string
	opts        []Option
	latestLimit int

	mu     sync.Mutex
	idle   []*pooledClient
	all    map[*pooledClient]struct{}
	closed bool
}

// maxIdlePublishers bounds the connections kept between bursts.
const maxIdlePublishers = 64

type pooledClient struct {
	client      *Client
	latestLimit int
	watches     map[string]*channelWatch // used by the borrower only
}

// channelWatch follows a channel's newest seq as one connection sees it.
type channelWatch struct {
	maxSeq atomic.Int64
}

func newClientPool(url string, opts []Option, latestLimit int) *clientPool {
	return &clientPool{url: url, opts: opts, latestLimit: latestLimit, all: map[*pooledClient]struct{}{}}
}

// get borrows a live connection or dials a new one.
func (p *clientPool) get(ctx context.Context) (*pooledClient, error) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, errInstanceClosed
	}
	for len(p.idle) > 0 {
		pc := p.idle[len(p.idle)-1]
		p.idle = p.idle[:len(p.idle)-1]
		select {
		case <-pc.client.Done():
			delete(p.all, pc) // stopped while idle: its Err was nobody's
		default:
			p.mu.Unlock()
			return pc, nil
		}
	}
	p.mu.Unlock()
	c, err := Dial(ctx, p.url, p.opts...)
	if err != nil {
		return nil, fmt.Errorf("convex: opening a publisher connection: %w", err)
	}
	pc := &pooledClient{client: c, latestLimit: p.latestLimit, watches: map[string]*channelWatch{}}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		c.Close()
		return nil, errInstanceClosed
	}
	p.all[pc] = struct{}{}
	return pc, nil
}

// put returns a connection; a stopped one, or one too many, is dropped.
func (p *clientPool) put(pc *pooledClient) {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-pc.client.Done():
		delete(p.all, pc)
		return
	default:
	}
	if p.closed || len(p.idle) >= maxIdlePublishers {
		delete(p.all, pc)
		pc.client.Close()
		return
	}
	p.idle = append(p.idle, pc)
}

func (p *clientPool) close() {
	p.mu.Lock()
	p.closed = true
	all := p.all
	p.all, p.idle = nil, nil
	p.mu.Unlock()
	for pc := range all {
		pc.client.Close()
	}
}

// watch subscribes the connection to channels:latest(channel) once, so its
// Transitions carry the channel's value as a subscriber's would.
func (pc *pooledClient) watch(ctx context.Context, channel string) (*channelWatch, error) {
	if w, ok := pc.watches[channel]; ok {
		return w, nil
	}
	w := &channelWatch{}
	err := pc.client.Subscribe(ctx, latestFunction, latestArgs(channel, pc.latestLimit), func(r QueryResult) {
		if r.Err != nil {
			return
		}
		msgs, err := decodeMessages(r.Value)
		if err != nil || len(msgs) == 0 {
			return
		}
		w.maxSeq.Store(msgs[len(msgs)-1].Seq)
	})
	if err != nil {
		return nil, err
	}
	pc.watches[channel] = w
	return w, nil
}
