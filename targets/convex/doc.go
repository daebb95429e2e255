// Package convex is the Versus adapter for a Convex deployment running
// targets/convex/app, and a native Go client of Convex's WebSocket sync
// protocol (there is no official Go client).
//
// The client (Dial, Client.Subscribe, Client.Mutate) speaks the protocol as
// src/browser/sync/protocol.ts of the convex npm package defines it: JSON
// text frames on wss://NAME.convex.cloud/api/<client version>/sync, state
// versions that must chain from one Transition to the next, timestamps as
// base64 of eight little-endian bytes, transitions split into chunks when
// large, and reconnects that re-add the whole query set.
//
// The adapter (kind "convex") serves the contract's HTTP routes from the
// deployment's HTTP actions (site_url) and implements targets.Subscriber and
// targets.Publisher over the sync protocol, where Convex's reactivity lives.
// Instance.PublishTimed separates "the mutation committed" from "subscribers
// can see it".
//
// Like every adapter it imports targets at most, never a scenario or the
// runner. Its tests run against convexfake, a loopback fake of the protocol.
package convex
