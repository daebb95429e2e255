package targets

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// PublisherFor returns inst's own Publisher when it has one, else one that
// POSTs to {URL}/channels/{name}/messages with c.
func PublisherFor(inst Instance, c *http.Client) Publisher {
	if own, ok := inst.(Publisher); ok {
		return own
	}
	if c == nil {
		c = http.DefaultClient
	}
	return &httpPublisher{base: inst.URL(), client: c}
}

type httpPublisher struct {
	base   string
	client *http.Client
}

func (p *httpPublisher) Publish(ctx context.Context, channel string, payload json.RawMessage) (Ack, error) {
	body, err := json.Marshal(struct {
		Payload json.RawMessage `json:"payload"`
	}{payload})
	if err != nil {
		return Ack{}, fmt.Errorf("publish to channel %q: payload is not JSON: %w", channel, err)
	}
	u := p.base + "/channels/" + url.PathEscape(channel) + "/messages"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return Ack{}, fmt.Errorf("publish to channel %q: %w", channel, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := p.client.Do(req)
	if err != nil {
		return Ack{}, fmt.Errorf("publish to channel %q: %w", channel, err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return Ack{}, fmt.Errorf("publish to channel %q: reading the answer: %w", channel, err)
	}
	if resp.StatusCode != http.StatusOK {
		return Ack{}, fmt.Errorf("publish to channel %q: %s: %s", channel, resp.Status, bytes.TrimSpace(answer))
	}
	var ack Ack
	if err := json.Unmarshal(answer, &ack); err != nil {
		return Ack{}, fmt.Errorf("publish to channel %q: answer %q is not {\"seq\", \"committed_at\"}: %w", channel, answer, err)
	}
	return ack, nil
}
