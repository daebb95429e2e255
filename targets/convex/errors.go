package convex

import (
	"encoding/json"
	"errors"
	"fmt"
)

// ErrClosed is returned by a Client used after Close.
var ErrClosed = errors.New("convex sync: client closed")

// FunctionError is a Convex function's own failure: a query's QueryFailed
// or a mutation's unsuccessful MutationResponse. The connection stays up.
type FunctionError struct {
	UDFPath string
	Message string
	// Data is the ConvexError payload, when the function threw one.
	Data json.RawMessage
}

func (e *FunctionError) Error() string {
	return fmt.Sprintf("convex function %s failed: %s", e.UDFPath, e.Message)
}

// FatalError is the server's FatalError message: it refuses this client for
// good (a malformed request, an unsupported client version). The client
// stops and does not reconnect, as the JS client does.
type FatalError struct {
	Message string
}

func (e *FatalError) Error() string {
	return fmt.Sprintf("convex server ended the session with FatalError: %s (it will not accept this client again; fix the cause, then rerun)", e.Message)
}

// AuthError is the server's AuthError message: the credentials sent with
// Authenticate were rejected. An admin or deploy key cannot be refreshed, so
// the client stops.
type AuthError struct {
	Message string
	// UpdateAttempted is the server's authUpdateAttempted: true when the
	// rejected identity is the one this client just sent.
	UpdateAttempted bool
}

func (e *AuthError) Error() string {
	return fmt.Sprintf("convex server rejected the client's credentials (AuthError): %s", e.Message)
}

// protocolError is a server message that breaks the protocol's rules (a
// Transition that does not start at the client's version, a chunk out of
// order). The client drops the connection and reconnects from scratch.
type protocolError struct {
	reason string
}

func (e *protocolError) Error() string { return "protocol error: " + e.reason }

func protocolErrorf(format string, a ...any) error {
	return &protocolError{reason: fmt.Sprintf(format, a...)}
}
