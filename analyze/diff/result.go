package diff

import (
	"strings"
	"time"

	"github.com/netmortem/netmortem/snapshots"
)

// Kind says what happened to a row.
type Kind uint8

// Kinds of row differences.
const (
	Added   Kind = iota + 1 // only in NEW
	Removed                 // only in OLD
	Changed                 // in both, some compared field differs
)

func (k Kind) String() string {
	switch k {
	case Added:
		return "added"
	case Removed:
		return "removed"
	case Changed:
		return "changed"
	}
	return "?"
}

// Field is one named value of a row, as text. Set-valued fields
// (addresses, next hops, owners, sources) list their elements, sorted, in
// Set; Value is then the elements joined by ", ".
type Field struct {
	Name  string
	Value string
	Set   []string
	Bare  bool   // text shows the value alone (key fields such as a family)
	Lead  string // text shows this before a bare value ("-> " before a peer)
	// cmp, when not empty, is what equality compares instead of Value: the
	// class of a volatile value (a queue empty or not, a neighbour state
	// resolved or not) whose exact value is shown but is no change.
	cmp   string
	isSet bool
}

// IsSet reports whether the field is set-valued (its elements in Set).
func (f Field) IsSet() bool { return f.isSet }

// Fields is an ordered list of fields.
type Fields []Field

// Get returns the value of the field called name.
func (fs Fields) Get(name string) (string, bool) {
	for _, f := range fs {
		if f.Name == name {
			return f.Value, true
		}
	}
	return "", false
}

// String joins the fields as "name value" pairs, as iproute2 prints
// them; bare fields print their value alone, empty ones nothing.
func (fs Fields) String() string {
	var b strings.Builder
	for _, f := range fs {
		if f.Value == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		if !f.Bare {
			b.WriteString(f.Name)
			b.WriteByte(' ')
		}
		b.WriteString(f.Lead)
		b.WriteString(f.Value)
	}
	return b.String()
}

// Change is one field of a row that differs. Scalar fields give Old and
// New (either may be empty: the field was absent); set-valued fields give
// the elements Added and Removed, unless each side holds one element, which
// reads better as Old and New.
type Change struct {
	Name           string
	Old, New       string
	Added, Removed []string
	IsSet          bool
}

// Row is one row that differs.
type Row struct {
	Kind Kind
	Key  Fields // the identity the sides were joined on
	// Attrs are the row's compared fields: for an added or a changed row
	// NEW's, for a removed row OLD's.
	Attrs   Fields
	Changes []Change // Changed rows only
}

// Counter is the movement of one counter or gauge between the captures.
type Counter struct {
	Name     string
	Old, New uint64
	Signed   bool // values are int64 (gauges the kernel prints signed)
	Gauge    bool // a level, not a count: the delta may be negative; no rate, no reset
	Delta    int64
	HasDelta bool // false after a reset whose size is unknown
	Rate     float64
	HasRate  bool
	// Reset is why a counter went backwards: ResetReboot, ResetNamespace,
	// ResetRecreated, ResetWrap32, ResetWrap64 or ResetUnknown. After a
	// wrap the delta is known; after the others New is what was counted
	// since the reset.
	Reset string
}

// Reasons of counter resets.
const (
	ResetReboot    = "reboot"
	ResetNamespace = "namespace re-created"
	ResetRecreated = "interface re-created"
	ResetEntry     = "entry re-created"
	ResetWrap32    = "32-bit wrap"
	ResetWrap64    = "64-bit wrap"
	ResetUnknown   = "reset"
)

// Section is the comparison of one kind of row (a table, or a part of
// one: SCTP endpoints and associations are two sections of table sctp).
type Section struct {
	Table     snapshots.Table
	Name      string
	Compared  bool     // false when a side lacks the table (Notes say why)
	Notes     []string // partial captures, counters on one side only …
	Added     int
	Removed   int
	Changed   int
	Unchanged int
	Rows      []Row

	Counters []Counter // counters and gauges that moved or reset
	Watched  int       // counters and gauges compared, moved or not
}

// Differs reports whether the section has added, removed or changed rows.
func (s *Section) Differs() bool { return s.Added+s.Removed+s.Changed > 0 }

// Result is the comparison of one namespace between two captures.
type Result struct {
	Elapsed time.Duration // NEW's capture time minus OLD's
	// Reboot is set when the boot times differ: every counter started
	// again. NamespaceRecreated when the namespace's inode differs.
	Reboot             bool
	NamespaceRecreated bool
	Sections           []Section
}

// Differs reports whether some row was added, removed or changed.
// Counters moving is no difference.
func (r *Result) Differs() bool {
	for i := range r.Sections {
		if r.Sections[i].Differs() {
			return true
		}
	}
	return false
}
