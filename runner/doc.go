// Package runner executes a suite: it starts and stops targets, runs each
// scenario's trials interleaved across targets (A B A B), paces load with
// vegeta, clocks every operation from its intended send time, shows
// progress, honours cancellation, and saves results after every cell.
//
// It imports scenarios, targets and results; nothing imports it but main.
package runner
