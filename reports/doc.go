// Package reports turns a run into what a reader reads: the end-of-run
// terminal table, report.md and a self-contained report.html with inline
// SVG plots, the statistical comparison of targets, the article's claims
// rated against the data, and before/after comparisons of two runs.
//
// It reads results and nothing else of the project: the cost model's output
// arrives pre-rendered as a CostSection and as Claim rows, so this package
// never imports costmodel, runner, scenarios or targets. Accumulation and
// rendering are apart: a run is first turned into a document (sections,
// tables, figures), then written as Markdown or HTML.
//
// Everything that comes from a suite or a target (names, errors, notes,
// versions) is untrusted text: HTML output escapes it through html/template,
// Markdown output escapes the characters that would change its structure,
// and terminal output replaces control characters.
package reports
