// Package harness is what the bench programs share: it builds the versus
// binary into a temporary directory, serves embedded backends as their own
// processes on free loopback ports, runs suites with `versus run`, reads
// their summary.json, and reports each child's peak resident set size.
//
// Every child belongs to a Session and dies with it: Close kills what is
// still running, Ctrl-C cancels the Session's context (which kills the
// children), and each child also gets SIGKILL from the kernel if the bench
// program itself dies, so no server outlives a benchmark.
package harness
