// Package solaris renders the nine displays of Solaris netstat(1M) from a
// snapshot view, byte for byte in the layouts of the man page and of
// solaris-display-formats.md, and the same rows as JSON/YAML records.
//
// Each form lives in its own file and registers a Form; Render runs the
// forms a request selects in netstat's fixed order, once per pass (one
// pass per selected frame of an interval replay).
package solaris

import (
	"bufio"
	"fmt"
	"io"
	"time"

	"github.com/netmortem/netmortem/analyze/netstat"
	"github.com/netmortem/netmortem/analyze/view"
	"github.com/netmortem/netmortem/format/records"
)

// Pass is one run of the selected forms over one frame.
type Pass struct {
	N    int        // 0 for the first pass
	Cur  *view.View // the frame printed
	Prev *view.View // the previous pass's frame, nil on the first pass
	Req  *netstat.Request
	P    *Printer // address and name printing for Cur
}

// Form renders one netstat display.
type Form struct {
	Form netstat.Form
	// Text writes the display of one pass.
	Text func(w *bufio.Writer, p *Pass) error
	// Record returns the display's rows as typed records for JSON/YAML.
	Record func(p *Pass) (any, error)
}

var forms = map[netstat.Form]*Form{}

// Register adds a form; each form's file calls it from init.
func Register(f *Form) { forms[f.Form] = f }

// Registered reports whether form f can be rendered.
func Registered(f netstat.Form) bool { return forms[f] != nil }

// Render prints the passes as text, or as one JSON/YAML document.
func Render(w io.Writer, output string, passes []*Pass) error {
	if len(passes) == 0 {
		return nil
	}
	fs := passes[0].Req.Forms()
	for _, f := range fs {
		if forms[f] == nil {
			return fmt.Errorf("netstat display %q is not available in this build", f)
		}
	}
	if output != "text" {
		doc, err := document(fs, passes)
		if err != nil {
			return err
		}
		return records.Write(w, output, doc)
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	for _, p := range passes {
		for _, f := range fs {
			if err := forms[f].Text(bw, p); err != nil {
				bw.Flush()
				return err
			}
		}
	}
	return bw.Flush()
}

// PassRecord is the record form of one pass.
type PassRecord struct {
	Frame int            `json:"frame"`
	Time  time.Time      `json:"time"`
	Forms map[string]any `json:"-"`
}

// document builds the JSON/YAML document; a form that fails (e.g. -D -I
// on an interface not under DHCP) fails the run as it does in text.
func document(fs []netstat.Form, passes []*Pass) (any, error) {
	v := passes[0].Cur
	doc := map[string]any{
		"snapshot":  v.Snap.R.Name(),
		"hostname":  v.Meta.Hostname,
		"namespace": nsRecord(v),
	}
	rec := func(p *Pass) (map[string]any, error) {
		m := map[string]any{"frame": p.Cur.Frame.Index, "time": p.Cur.Frame.Start}
		for _, f := range fs {
			r, err := forms[f].Record(p)
			if err != nil {
				return nil, err
			}
			m[f.String()] = r
		}
		return m, nil
	}
	if len(passes) == 1 && !passes[0].Req.IntervalMode() {
		m, err := rec(passes[0])
		for k, x := range m {
			doc[k] = x
		}
		return doc, err
	}
	var ps []map[string]any
	for _, p := range passes {
		m, err := rec(p)
		if err != nil {
			return nil, err
		}
		ps = append(ps, m)
	}
	doc["passes"] = ps
	return doc, nil
}

func nsRecord(v *view.View) map[string]any {
	m := map[string]any{"id": v.NS.ID, "inode": v.NS.Inode, "host": v.NS.Host}
	if v.NS.Name != "" {
		m["name"] = v.NS.Name
	}
	return m
}
