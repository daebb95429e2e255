// Package results holds the data of a run: run metadata, cells, HDR
// histograms, per-second timelines and counters; it saves, loads and merges
// runs. It imports nothing of the project: every other package may use it.
//
// Writes are atomic (temp file + rename), so a reader never sees half a file
// and an interrupted run keeps every cell finished before the interruption.
package results
