package diffreport

import (
	"bytes"
	"encoding/json"
	"io"
	"time"

	"github.com/netmortem/netmortem/analyze/diff"
	"github.com/netmortem/netmortem/format/records"
)

// Write prints the report as "text", "json" or "yaml".
func Write(w io.Writer, format string, r *Report) error {
	if format == "text" {
		return WriteText(w, r)
	}
	return records.Write(w, format, Records(r))
}

// Record is the JSON and YAML form of a report: the text's content, with
// numbers as numbers.
type Record struct {
	Old            CaptureRecord     `json:"old"`
	New            CaptureRecord     `json:"new"`
	ElapsedSeconds float64           `json:"elapsed_seconds"`
	Filters        []string          `json:"route_filters,omitempty"`
	Differs        bool              `json:"differs"`
	OnlyOld        []string          `json:"namespaces_only_old,omitempty"`
	OnlyNew        []string          `json:"namespaces_only_new,omitempty"`
	Namespaces     []NamespaceRecord `json:"namespaces"`
}

// CaptureRecord is one side.
type CaptureRecord struct {
	File     string     `json:"file"`
	Host     string     `json:"host,omitempty"`
	Frame    int        `json:"frame"`
	Frames   int        `json:"frames"`
	Captured *time.Time `json:"captured,omitempty"`
	BootTime *time.Time `json:"boot_time,omitempty"`
}

// NamespaceRecord is one namespace's comparison.
type NamespaceRecord struct {
	Namespace          string          `json:"namespace"`
	OldID              int             `json:"old_id"`
	NewID              int             `json:"new_id"`
	Reboot             bool            `json:"reboot"`
	NamespaceRecreated bool            `json:"namespace_recreated"`
	Differs            bool            `json:"differs"`
	Sections           []SectionRecord `json:"sections"`
}

// SectionRecord is one section.
type SectionRecord struct {
	Table     string          `json:"table"`
	Section   string          `json:"section"`
	Compared  bool            `json:"compared"`
	Notes     []string        `json:"notes,omitempty"`
	Added     int             `json:"added"`
	Removed   int             `json:"removed"`
	Changed   int             `json:"changed"`
	Unchanged int             `json:"unchanged"`
	Rows      []RowRecord     `json:"rows"`
	Watched   int             `json:"counters_compared"`
	Counters  []CounterRecord `json:"counters"`
}

// RowRecord is one row that differs. Key and Fields are objects whose
// members keep the text's order.
type RowRecord struct {
	Change  string         `json:"change"`
	Key     Object         `json:"key"`
	Fields  Object         `json:"fields"`
	Changes []ChangeRecord `json:"changes,omitempty"`
}

// ChangeRecord is one changed field: old and new values, or for a
// set-valued field the elements added and removed.
type ChangeRecord struct {
	Field   string   `json:"field"`
	Old     *string  `json:"old,omitempty"`
	New     *string  `json:"new,omitempty"`
	Added   []string `json:"added,omitempty"`
	Removed []string `json:"removed,omitempty"`
}

// CounterRecord is one counter or gauge that moved. Delta is absent after
// a reset of unknown size, Rate when the time between the captures is
// unknown or for gauges.
type CounterRecord struct {
	Name  string   `json:"name"`
	Old   any      `json:"old"`
	New   any      `json:"new"`
	Delta *int64   `json:"delta,omitempty"`
	Rate  *float64 `json:"rate_per_second,omitempty"`
	Gauge bool     `json:"gauge,omitempty"`
	Reset string   `json:"reset,omitempty"`
}

// Object is an ordered list of named strings, encoded as a JSON object
// in that order.
type Object []diff.Field

// MarshalJSON writes the members in order; set-valued fields are arrays.
func (o Object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(f.Name)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		var v []byte
		if f.IsSet() {
			v, err = json.Marshal(append([]string{}, f.Set...))
		} else {
			v, err = json.Marshal(f.Value)
		}
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func captureRecord(c Capture) CaptureRecord {
	return CaptureRecord{File: c.File, Host: c.Host, Frame: c.Frame, Frames: c.Frames,
		Captured: timePtr(c.Time), BootTime: timePtr(c.BootTime)}
}

// Records converts a report to its record form.
func Records(r *Report) *Record {
	rec := &Record{Old: captureRecord(r.Old), New: captureRecord(r.New), Filters: r.Filters,
		Differs: r.Differs(), OnlyOld: r.OnlyOld, OnlyNew: r.OnlyNew, Namespaces: []NamespaceRecord{}}
	if !r.Old.Time.IsZero() && !r.New.Time.IsZero() {
		rec.ElapsedSeconds = r.New.Time.Sub(r.Old.Time).Seconds()
	}
	for _, ns := range r.Namespaces {
		res := ns.Result
		nr := NamespaceRecord{Namespace: ns.Name, OldID: ns.OldID, NewID: ns.NewID, Reboot: res.Reboot,
			NamespaceRecreated: res.NamespaceRecreated, Differs: res.Differs(), Sections: []SectionRecord{}}
		for i := range res.Sections {
			nr.Sections = append(nr.Sections, sectionRecord(&res.Sections[i]))
		}
		rec.Namespaces = append(rec.Namespaces, nr)
	}
	return rec
}

func sectionRecord(s *diff.Section) SectionRecord {
	sr := SectionRecord{Table: string(s.Table), Section: s.Name, Compared: s.Compared, Notes: s.Notes,
		Added: s.Added, Removed: s.Removed, Changed: s.Changed, Unchanged: s.Unchanged,
		Rows: make([]RowRecord, 0, len(s.Rows)), Watched: s.Watched, Counters: make([]CounterRecord, 0, len(s.Counters))}
	for i := range s.Rows {
		row := &s.Rows[i]
		rr := RowRecord{Change: row.Kind.String(), Key: Object(row.Key), Fields: Object(row.Attrs)}
		for _, c := range row.Changes {
			cr := ChangeRecord{Field: c.Name}
			if c.IsSet {
				cr.Added, cr.Removed = c.Added, c.Removed
			} else {
				o, n := c.Old, c.New
				if o != "" {
					cr.Old = &o
				}
				if n != "" {
					cr.New = &n
				}
			}
			rr.Changes = append(rr.Changes, cr)
		}
		sr.Rows = append(sr.Rows, rr)
	}
	for _, c := range s.Counters {
		cr := CounterRecord{Name: c.Name, Gauge: c.Gauge, Reset: c.Reset}
		if c.Signed {
			cr.Old, cr.New = int64(c.Old), int64(c.New)
		} else {
			cr.Old, cr.New = c.Old, c.New
		}
		if c.HasDelta {
			d := c.Delta
			cr.Delta = &d
		}
		if c.HasRate {
			r := c.Rate
			cr.Rate = &r
		}
		sr.Counters = append(sr.Counters, cr)
	}
	return sr
}
