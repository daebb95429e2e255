package edge

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httputil"
	"net/url"
	"time"

	"versus/targets"
)

// stateCallTimeout bounds one round trip to the state service, so a
// Worker never waits forever on a link that went away.
const stateCallTimeout = 30 * time.Second

// stateClient is the Worker's side of the hop: its bindings to D1, the
// Durable Object namespaces and the queue. Every method is one HTTP round
// trip to addr, the address StateLink returned.
type stateClient struct {
	base      *url.URL
	transport *http.Transport
	http      *http.Client
}

func newStateClient(addr string) *stateClient {
	tr := &http.Transport{
		// Keep a warm connection per concurrent caller, as the platform
		// keeps its internal connections open.
		MaxIdleConnsPerHost: 512,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	return &stateClient{
		base:      &url.URL{Scheme: "http", Host: addr},
		transport: tr,
		http:      &http.Client{Transport: tr, Timeout: stateCallTimeout},
	}
}

// call sends in as JSON (raw when it is a json.RawMessage) and decodes the
// answer into out unless out is nil.
func (c *stateClient) call(ctx context.Context, method, path string, in, out any) error {
	body, ok := in.(json.RawMessage)
	if !ok {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return fmt.Errorf("state service %s: encode the request: %w", path, err)
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base.JoinPath(path).String(), bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("state service %s: %w", path, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("state service %s: %w", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		var e struct {
			Error string `json:"error"`
		}
		json.NewDecoder(io.LimitReader(resp.Body, maxStateBody)).Decode(&e)
		return fmt.Errorf("state service %s: %s (HTTP %d)", path, e.Error, resp.StatusCode)
	}
	if out == nil {
		io.Copy(io.Discard, resp.Body)
		return nil
	}
	dec := json.NewDecoder(resp.Body)
	dec.UseNumber()
	if err := dec.Decode(out); err != nil {
		return fmt.Errorf("state service %s: malformed answer: %w", path, err)
	}
	return nil
}

// batch is `db.batch(stmts)` on D1 (a single statement is `.all()`).
func (c *stateClient) batch(ctx context.Context, stmts []statement) ([]result, error) {
	var res []result
	if err := c.call(ctx, http.MethodPost, "/d1/batch", stmts, &res); err != nil {
		return nil, err
	}
	if len(res) != len(stmts) {
		return nil, fmt.Errorf("state service /d1/batch: %d results for %d statements", len(res), len(stmts))
	}
	for _, r := range res {
		for _, rw := range r.Rows {
			for k, v := range rw {
				rw[k] = normalize(v)
			}
		}
	}
	return res, nil
}

// query runs one statement.
func (c *stateClient) query(ctx context.Context, sql string, params ...any) (result, error) {
	res, err := c.batch(ctx, []statement{{SQL: sql, Params: params}})
	if err != nil {
		return result{}, err
	}
	return res[0], nil
}

// publish is a fetch to the channel's relay actor.
func (c *stateClient) publish(ctx context.Context, channel string, payload json.RawMessage) (targets.Ack, error) {
	var ack targets.Ack
	err := c.call(ctx, http.MethodPost, "/do/relay/"+channel+"/publish", payload, &ack)
	return ack, err
}

// setAlarm asks job id's alarm object to ring at (epoch ms).
func (c *stateClient) setAlarm(ctx context.Context, id string, at float64) error {
	return c.call(ctx, http.MethodPut, "/do/alarm/"+id, alarmRequest{At: at}, nil)
}

// send is `queue.send(body, {delaySeconds})`.
func (c *stateClient) send(ctx context.Context, body json.RawMessage, delaySeconds int) error {
	return c.call(ctx, http.MethodPost, "/queue/messages", sendRequest{Body: body, DelaySeconds: delaySeconds}, nil)
}

// subscribeProxy forwards a WebSocket upgrade to a relay actor and then
// copies frames both ways, as a Worker returns `stub.fetch(request)`.
func (c *stateClient) subscribeProxy(errorLog *log.Logger) *httputil.ReverseProxy {
	return &httputil.ReverseProxy{
		Rewrite:   func(pr *httputil.ProxyRequest) { pr.SetURL(c.base) },
		Transport: c.transport,
		ErrorLog:  errorLog,
	}
}

func (c *stateClient) close() { c.transport.CloseIdleConnections() }
