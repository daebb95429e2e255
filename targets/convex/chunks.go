package convex

import (
	"fmt"
	"strings"
)

// chunkAssembler rebuilds a Transition the server split into
// TransitionChunks: consecutive substrings of the Transition's JSON, sent in
// order, all tagged with one transitionId and totalParts. Anything else
// (a gap, a new id before the last part, another message in between) is a
// protocol error.
type chunkAssembler struct {
	id    string
	total int
	parts []string
	size  int
}

// maxTransitionBytes bounds a reassembled Transition, as the read limit
// bounds a single frame.
const maxTransitionBytes = 256 << 20

// active reports whether a split transition is partly received.
func (a *chunkAssembler) active() bool { return a.parts != nil }

// reset drops a partial transition (on a new connection or an error).
func (a *chunkAssembler) reset() { *a = chunkAssembler{} }

// add takes one chunk. It returns the whole Transition's JSON once the last
// part arrives, nil before.
func (a *chunkAssembler) add(m serverMessage) ([]byte, error) {
	if a.parts == nil {
		a.id, a.total, a.parts = m.TransitionID, m.TotalParts, make([]string, 0, m.TotalParts)
	}
	switch {
	case m.TransitionID != a.id || m.TotalParts != a.total:
		err := fmt.Errorf("TransitionChunk of transition %q (%d parts) while transition %q (%d parts) is incomplete", m.TransitionID, m.TotalParts, a.id, a.total)
		a.reset()
		return nil, err
	case m.PartNumber != len(a.parts):
		err := fmt.Errorf("TransitionChunk out of order: expected part %d of transition %q, got %d", len(a.parts), a.id, m.PartNumber)
		a.reset()
		return nil, err
	case a.size+len(m.Chunk) > maxTransitionBytes:
		a.reset()
		return nil, fmt.Errorf("chunked transition exceeds %d bytes", maxTransitionBytes)
	}
	a.parts = append(a.parts, m.Chunk)
	a.size += len(m.Chunk)
	if len(a.parts) < a.total {
		return nil, nil
	}
	whole := strings.Join(a.parts, "")
	a.reset()
	return []byte(whole), nil
}
