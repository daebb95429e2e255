package conformance

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"versus/targets"
)

// Status is the outcome of one check.
type Status int

// Outcomes of a check.
const (
	Pass Status = iota
	Fail
	Skip
)

func (s Status) String() string {
	switch s {
	case Pass:
		return "PASS"
	case Fail:
		return "FAIL"
	case Skip:
		return "SKIP"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// Check is one named conformance check and its outcome.
type Check struct {
	// Capability is the contract capability the check belongs to, or
	// "discovery" for GET /contract.
	Capability string
	// Route is the route the check exercises, such as "PUT /items/{id}".
	Route string
	// Name says what is checked, as a sentence.
	Name   string
	Status Status
	// Reason says why the check failed or was skipped; empty on a pass.
	Reason string
	// Declared is true when the target declared every capability the
	// check needs: only then does a skip keep the target from verifying.
	Declared bool
}

// Report is the outcome of Verify.
type Report struct {
	// URL is the base URL that was verified.
	URL string
	// Discovery is what GET /contract answered, or the instance's own
	// discovery when the answer could not be read.
	Discovery targets.Discovery
	Checks    []Check
	// Elapsed is how long the verification took.
	Elapsed time.Duration
}

// Counts returns how many checks passed, failed and were skipped.
func (r *Report) Counts() (passed, failed, skipped int) {
	for _, c := range r.Checks {
		switch c.Status {
		case Pass:
			passed++
		case Fail:
			failed++
		case Skip:
			skipped++
		}
	}
	return passed, failed, skipped
}

// OK reports whether the target conforms: no check failed and no check of
// a capability it declared was skipped (a job that could not be waited
// for, a prerequisite that failed, an interrupted run). Skips of
// capabilities the target does not declare do not count against it.
func (r *Report) OK() bool {
	if len(r.Checks) == 0 {
		return false
	}
	for _, c := range r.Checks {
		if c.Status == Fail || (c.Status == Skip && c.Declared) {
			return false
		}
	}
	return true
}

// Write prints the report as a table, one line per check, then a line
// `N passed, M failed, K skipped`.
func (r *Report) Write(w io.Writer) error {
	d := r.Discovery
	header := fmt.Sprintf("verify %s", r.URL)
	if d.Name != "" {
		header += fmt.Sprintf(": %s (model %s, contract %d", d.Name, d.Model, d.Contract)
		if d.Version != "" {
			header += ", version " + d.Version
		}
		header += ")"
	}
	if _, err := fmt.Fprintln(w, header); err != nil {
		return err
	}
	if len(d.Capabilities) > 0 {
		line := "capabilities: " + strings.Join(d.Capabilities, ", ")
		if len(d.ScheduleVia) > 0 {
			line += "; schedule via: " + strings.Join(d.ScheduleVia, ", ")
		}
		if _, err := fmt.Fprintln(w, line); err != nil {
			return err
		}
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CAPABILITY\tROUTE\tCHECK\tRESULT")
	for _, c := range r.Checks {
		result := c.Status.String()
		if c.Reason != "" {
			result += ": " + c.Reason
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.Capability, c.Route, c.Name, result)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	passed, failed, skipped := r.Counts()
	_, err := fmt.Fprintf(w, "\n%d passed, %d failed, %d skipped\n", passed, failed, skipped)
	return err
}
