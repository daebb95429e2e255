// Package conformance checks a running target against contract v1 route by
// route, as TechEmpower's verify mode checks a framework before it is
// benchmarked: a target that answers fast but stores forged webhooks or
// loses channel messages must be caught before its numbers are read.
//
// Verify sends real requests to the instance's URL (and nowhere else),
// signs webhooks with the secret it is given (which never appears in a
// report), and returns a Report of named checks, each PASS, FAIL or SKIP
// with its reason. Checks of a capability the target does not declare are
// skipped, and that capability's routes are probed for the 404 or 501 the
// contract asks of a target that lacks it.
//
// Like every package under targets, it imports results at most and knows no
// scenario or runner.
package conformance
