package convex

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"sort"

	"versus/targets"
)

// The app's functions this adapter calls.
const (
	latestFunction  = "channels:latest"
	publishFunction = "channels:publish"
)

// channelPattern is contract v1's id rule, applied to channel names.
var channelPattern = regexp.MustCompile(`^[A-Za-z0-9_:.-]{1,128}$`)

func checkChannel(channel string) error {
	if !channelPattern.MatchString(channel) {
		return fmt.Errorf("convex: channel %q: want 1 to 128 of [A-Za-z0-9_:.-] (contract v1 ids)", channel)
	}
	return nil
}

// latestArgs are channels:latest's arguments; limit 0 leaves the app's
// default.
func latestArgs(channel string, limit int) map[string]any {
	args := map[string]any{"channel": channel}
	if limit > 0 {
		args["limit"] = limit
	}
	return args
}

// publishArgs are channels:publish's arguments. The app stores a payload
// as JSON text (a Convex string holds any JSON, where a Convex object
// would refuse keys such as "$x"), compact as the HTTP action's
// JSON.stringify leaves it.
func publishArgs(channel string, payload json.RawMessage) (map[string]any, error) {
	var compact bytes.Buffer
	if err := json.Compact(&compact, payload); err != nil {
		return nil, fmt.Errorf("convex: payload is not JSON: %w", err)
	}
	return map[string]any{"channel": channel, "payload": compact.String()}, nil
}

// wireMessage is one element of channels:latest. Convex numbers are
// float64 (and the backend prints 5 as 5.0), so seq is read as a float;
// payload is the JSON text the app stored.
type wireMessage struct {
	Channel     string   `json:"channel"`
	Seq         *float64 `json:"seq"`
	Payload     *string  `json:"payload"`
	CommittedAt float64  `json:"committed_at"`
}

// decodeMessages reads a channels:latest value, ordered by seq.
func decodeMessages(v json.RawMessage) ([]targets.Message, error) {
	var wire []wireMessage
	if err := json.Unmarshal(v, &wire); err != nil {
		return nil, fmt.Errorf("%s returned %s, want an array of {channel, seq, payload, committed_at}: %w", latestFunction, truncate(string(v), 80), err)
	}
	out := make([]targets.Message, len(wire))
	for i, w := range wire {
		if w.Seq == nil || w.Payload == nil {
			return nil, fmt.Errorf("%s returned a message without seq or payload: redeploy targets/convex/app from this checkout", latestFunction)
		}
		seq, err := integer(*w.Seq)
		if err != nil {
			return nil, fmt.Errorf("%s: seq: %w", latestFunction, err)
		}
		if !json.Valid([]byte(*w.Payload)) {
			return nil, fmt.Errorf("%s: message %d's payload is not JSON text: %s", latestFunction, seq, truncate(*w.Payload, 40))
		}
		out[i] = targets.Message{Channel: w.Channel, Seq: seq, Payload: json.RawMessage(*w.Payload), CommittedAt: w.CommittedAt}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out, nil
}

// decodeAck reads {seq, committed_at} as channels:publish and the HTTP
// action return it.
func decodeAck(v json.RawMessage) (targets.Ack, error) {
	var w struct {
		Seq         *float64 `json:"seq"`
		CommittedAt float64  `json:"committed_at"`
	}
	if err := json.Unmarshal(v, &w); err != nil || w.Seq == nil {
		return targets.Ack{}, fmt.Errorf("publish answered %s, want {\"seq\": n, \"committed_at\": ms}", truncate(string(v), 80))
	}
	seq, err := integer(*w.Seq)
	if err != nil {
		return targets.Ack{}, fmt.Errorf("publish answered seq: %w", err)
	}
	return targets.Ack{Seq: seq, CommittedAt: w.CommittedAt}, nil
}

// integer converts a Convex number that must be a whole, exactly
// representable count.
func integer(f float64) (int64, error) {
	if f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, fmt.Errorf("%v is not a whole number", f)
	}
	return int64(f), nil
}
