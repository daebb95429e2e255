// Package scenarios owns the suite file format, its validation, and one file
// per scenario kind (http, webhook, schedule, subscribe, fanout). A scenario
// says what to send and how to judge the answers; the runner's Driver says
// when to send and records the clock. Scenarios import targets (the
// interface) and results, never the runner.
package scenarios
