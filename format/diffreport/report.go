// Package diffreport renders what `netmortem diff` prints: a header naming
// the two captures, a summary per section (added, removed, changed,
// unchanged rows; counters moved), then the rows that differ grouped by
// section, then the counters that moved — as text, or as one JSON or YAML
// record with the same content.
package diffreport

import (
	"time"

	"github.com/netmortem/netmortem/analyze/diff"
)

// Capture describes one side of a comparison.
type Capture struct {
	File     string
	Host     string
	Frame    int
	Frames   int
	Time     time.Time // when the frame was captured
	BootTime time.Time
}

// Namespace is the comparison of one namespace present on both sides.
type Namespace struct {
	Name   string // diff.NamespaceLabel of NEW's namespace
	OldID  int
	NewID  int
	Result *diff.Result
}

// Report is a whole comparison.
type Report struct {
	Old, New Capture
	Filters  []string // -f values, as given
	// ShowNamespace prints each namespace's name before its summary;
	// set when several are compared or the one compared is not the
	// host's.
	ShowNamespace bool
	Namespaces    []Namespace
	// Namespaces found on one side only (with --all), by label.
	OnlyOld, OnlyNew []string
}

// Differs reports whether some row differs or some namespace is on one
// side only: the exit status 1 of diff(1).
func (r *Report) Differs() bool {
	if len(r.OnlyOld)+len(r.OnlyNew) > 0 {
		return true
	}
	for _, n := range r.Namespaces {
		if n.Result.Differs() {
			return true
		}
	}
	return false
}
