package convex

import (
	"encoding/json"
	"fmt"
)

// Wire shapes of the sync protocol, after src/browser/sync/protocol.ts.
// Client messages are written with encoding/json; server messages are read
// into one flat struct and checked per type, because the server's type tag
// decides which fields must be present.

// stateVersion is where a client's view of the server stands: the query set
// version it asked for, the identity version it authenticated as, and the
// timestamp of the snapshot its query results reflect.
type stateVersion struct {
	QuerySet int       `json:"querySet"`
	Identity int       `json:"identity"`
	TS       Timestamp `json:"ts"`
}

type connectMessage struct {
	Type                 string     `json:"type"` // "Connect"
	SessionID            string     `json:"sessionId"`
	ConnectionCount      int        `json:"connectionCount"`
	LastCloseReason      *string    `json:"lastCloseReason"`
	MaxObservedTimestamp *Timestamp `json:"maxObservedTimestamp,omitempty"`
	ClientTS             int64      `json:"clientTs"`
}

type authenticateMessage struct {
	Type        string `json:"type"` // "Authenticate"
	TokenType   string `json:"tokenType"`
	Value       string `json:"value"`
	BaseVersion int    `json:"baseVersion"`
}

type addQuery struct {
	Type    string            `json:"type"` // "Add"
	QueryID int               `json:"queryId"`
	UDFPath string            `json:"udfPath"`
	Args    []json.RawMessage `json:"args"`
}

type modifyQuerySetMessage struct {
	Type          string     `json:"type"` // "ModifyQuerySet"
	BaseVersion   int        `json:"baseVersion"`
	NewVersion    int        `json:"newVersion"`
	Modifications []addQuery `json:"modifications"`
}

type mutationMessage struct {
	Type      string            `json:"type"` // "Mutation"
	RequestID int64             `json:"requestId"`
	UDFPath   string            `json:"udfPath"`
	Args      []json.RawMessage `json:"args"`
}

// stateModification is one entry of a Transition's modifications.
type stateModification struct {
	Type         string          `json:"type"` // QueryUpdated | QueryFailed | QueryRemoved
	QueryID      int             `json:"queryId"`
	Value        json.RawMessage `json:"value"`
	ErrorMessage string          `json:"errorMessage"`
	ErrorData    json.RawMessage `json:"errorData"`
	LogLines     []string        `json:"logLines"`
}

// serverMessage holds any message the server sends.
type serverMessage struct {
	Type string `json:"type"`

	// Transition
	StartVersion  *stateVersion       `json:"startVersion"`
	EndVersion    *stateVersion       `json:"endVersion"`
	Modifications []stateModification `json:"modifications"`

	// TransitionChunk
	Chunk        string `json:"chunk"`
	PartNumber   int    `json:"partNumber"`
	TotalParts   int    `json:"totalParts"`
	TransitionID string `json:"transitionId"`

	// MutationResponse
	RequestID int64           `json:"requestId"`
	Success   bool            `json:"success"`
	Result    json.RawMessage `json:"result"`
	TS        *Timestamp      `json:"ts"`
	LogLines  []string        `json:"logLines"`
	ErrorData json.RawMessage `json:"errorData"`

	// FatalError, AuthError
	Error               string `json:"error"`
	BaseVersion         *int   `json:"baseVersion"`
	AuthUpdateAttempted *bool  `json:"authUpdateAttempted"`
}

// Server message types.
const (
	msgTransition       = "Transition"
	msgTransitionChunk  = "TransitionChunk"
	msgMutationResponse = "MutationResponse"
	msgFatalError       = "FatalError"
	msgAuthError        = "AuthError"
	msgPing             = "Ping"
)

// decodeServerMessage parses one text frame and checks that the fields its
// type requires are there. An error here is a protocol error: the client
// drops the connection and reconnects. Types it does not know (an
// ActionResponse, or one added after protocol.ts) pass through for the
// caller to skip, as the JS client skips them.
func decodeServerMessage(frame []byte) (serverMessage, error) {
	var m serverMessage
	if err := json.Unmarshal(frame, &m); err != nil {
		return m, fmt.Errorf("server message is not valid JSON: %w", err)
	}
	switch m.Type {
	case msgTransition:
		if m.StartVersion == nil || m.EndVersion == nil {
			return m, fmt.Errorf("Transition without startVersion or endVersion")
		}
		for _, mod := range m.Modifications {
			switch mod.Type {
			case "QueryUpdated", "QueryFailed", "QueryRemoved":
			default:
				return m, fmt.Errorf("Transition with unknown modification type %q", mod.Type)
			}
		}
	case msgTransitionChunk:
		if m.TotalParts <= 0 || m.PartNumber < 0 || m.PartNumber >= m.TotalParts {
			return m, fmt.Errorf("TransitionChunk part %d of %d is out of range", m.PartNumber, m.TotalParts)
		}
	case msgMutationResponse:
		if m.Success && m.TS == nil {
			return m, fmt.Errorf("successful MutationResponse %d without ts", m.RequestID)
		}
	case "":
		return m, fmt.Errorf("server message without a type")
	}
	return m, nil
}
