package solaris

import (
	"bufio"
	"strconv"
	"strings"

	"github.com/netmortem/netmortem/analyze/netstat"
	"github.com/netmortem/netmortem/analyze/stats"
	"github.com/netmortem/netmortem/analyze/view"
	"github.com/netmortem/netmortem/snapshots"
)

// Form 4, per-protocol statistics (solaris-display-formats.md §5): the
// nine Solaris sections with the variables Linux has a counter of the
// same meaning for (analyze/stats holds the mapping), then every other
// Linux counter under its own name. In an interval pass the values are
// differences from the previous pass (§5.6, done per counter, including
// every per-interface table).

func init() {
	Register(&Form{Form: netstat.FormStats, Text: statsText, Record: statsRecord})
	Register(&Form{Form: netstat.FormMrouteStats, Text: mrtStatsText, Record: mrtStatsRecord})
}

// cntNA is printed in a value's place when Linux keeps no such count: a
// number is never invented (docs/FORMS.md, "Form 4 — statistics"). It is
// the placeholder of the package's other numeric columns.
const cntNA = "-"

// cntResetMark follows a value that is not a difference because its
// counter went backwards since the previous frame (a reboot, an interface
// or namespace created again): the value is the count since the reset.
const cntResetMark = "*"

// cntResetNote explains cntResetMark at the end of a pass that used it.
const cntResetNote = "* counter went backwards since the previous frame (reboot, interface or namespace created again): the value is the count since then\n"

// cntValue formats a value: signed or unsigned decimal, the placeholder
// when unknown, the reset mark when reset.
func cntValue(v stats.Value, known, signed bool) string {
	if !known {
		return cntNA
	}
	var s string
	if signed || v.Signed {
		s = strconv.FormatInt(v.Int(), 10)
	} else {
		s = strconv.FormatUint(v.V, 10)
	}
	if v.Reset {
		s += cntResetMark
	}
	return s
}

// cntPlural resolves netstat's plural marks in a counter's text: "(s)"
// and "(es)" are added unless n is 1, "(y|ies)" is "y" for 1, "ies"
// otherwise. An unknown count takes the plural. Other parentheses are
// text.
func cntPlural(text string, n uint64, known bool) string {
	one := known && n == 1
	for _, m := range [...]struct{ mark, one, many string }{
		{"(s)", "", "s"}, {"(es)", "", "es"}, {"(y|ies)", "y", "ies"},
	} {
		r := m.many
		if one {
			r = m.one
		}
		text = strings.ReplaceAll(text, m.mark, r)
	}
	return text
}

// cntLine is one line of the IGMP and multicast routing layouts: a space,
// the count in 10 columns, a space, the text.
func cntLine(w *bufio.Writer, v stats.Value, known bool, text string) {
	w.WriteByte(' ')
	b := padRight(nil, cntValue(v, known, false), 10)
	w.Write(b)
	w.WriteByte(' ')
	w.WriteString(cntPlural(text, v.V, known))
	w.WriteByte('\n')
}

// statsSysctls returns the sysctls of a view. The -s
// form's tables do not include the memory table, which holds the
// sysctls; it is read here when the pass did not load it.
func statsSysctls(v *view.View) ([]snapshots.Sysctl, error) {
	if _, ok := v.Status[snapshots.TableMemory]; ok {
		return v.Sysctls, nil
	}
	l, err := v.Snap.R.Load(v.Frame.Index, v.NS.ID, snapshots.TableMemory)
	if err != nil {
		return nil, err
	}
	return l.Sysctls, nil
}

// statsCounters returns the counters a pass prints: the frame's, or in an
// interval pass their differences from the previous pass's frame.
func statsCounters(p *Pass) *stats.Counters {
	cur := stats.Index(p.Cur.Counters)
	if p.Prev == nil || !p.Req.IntervalMode() {
		return cur
	}
	return stats.Delta(cur, stats.Index(p.Prev.Counters), stats.Wrap32(p.Cur.Meta.Machine))
}

func statsSections(p *Pass) ([]stats.Section, error) {
	sys, err := statsSysctls(p.Cur)
	if err != nil {
		return nil, err
	}
	o := stats.Options{
		Inet:         p.Req.FamilySelected(snapshots.AFInet),
		Inet6:        p.Req.FamilySelected(snapshots.AFInet6),
		Proto:        p.Req.Protocol,
		PerInterface: p.Req.All,
	}
	return stats.Build(statsCounters(p), stats.IndexSysctls(sys), o), nil
}

func statsText(w *bufio.Writer, p *Pass) error {
	secs, err := statsSections(p)
	if err != nil {
		return err
	}
	reset := false
	b := make([]byte, 0, 96)
	for i := range secs {
		s := &secs[i]
		w.WriteByte('\n')
		if s.Lines {
			w.WriteString(s.Title + ":\n")
			for _, it := range s.Blocks[0] {
				cntLine(w, it.Value, it.Known, it.Name)
				reset = reset || it.Value.Reset
			}
			continue
		}
		w.WriteString(s.Title)
		if s.OwnLine {
			w.WriteByte('\n')
		}
		for _, blk := range s.Blocks {
			for j, it := range blk {
				b = append(b[:0], '\t')
				b = padLeft(b, it.Name, 20)
				b = append(b, '=')
				b = padRight(b, cntValue(it.Value, it.Known, false), 6)
				if j%2 == 1 || j == len(blk)-1 {
					b = append(b, '\n')
				}
				w.Write(b)
				reset = reset || it.Value.Reset
			}
		}
	}
	if reset {
		w.WriteString("\n" + cntResetNote)
	}
	w.WriteByte('\n')
	return nil
}

// StatsRecord is the -s display as records.
type StatsRecord struct {
	// Interval is set when the values are differences from the previous
	// pass's frame.
	Interval bool                  `json:"interval"`
	Sections []StatsSectionsRecord `json:"sections"`
}

// StatsSectionsRecord is one section.
type StatsSectionsRecord struct {
	Title     string `json:"title"`
	Linux     bool   `json:"linux"` // Linux counters under their own names
	Interface string `json:"interface,omitempty"`
	// Variables of every block in order; Block numbers them.
	Variables []StatsVarRecord `json:"variables"`
}

// StatsVarRecord is one variable. Value is null when Linux keeps no such
// count.
type StatsVarRecord struct {
	Name  string `json:"name"`
	Value any    `json:"value"`
	Block int    `json:"block,omitempty"`
	From  string `json:"from,omitempty"`
	Reset bool   `json:"reset,omitempty"`
}

func cntRecordValue(v stats.Value, known bool) any {
	if !known {
		return nil
	}
	if v.Signed {
		return v.Int()
	}
	return v.V
}

func statsRecord(p *Pass) (any, error) {
	secs, err := statsSections(p)
	if err != nil {
		return nil, err
	}
	r := StatsRecord{Interval: p.Prev != nil && p.Req.IntervalMode(), Sections: []StatsSectionsRecord{}}
	for _, s := range secs {
		sr := StatsSectionsRecord{Title: s.Title, Linux: s.Linux, Interface: s.IfName, Variables: []StatsVarRecord{}}
		for bi, blk := range s.Blocks {
			for _, it := range blk {
				sr.Variables = append(sr.Variables, StatsVarRecord{Name: it.Name, Value: cntRecordValue(it.Value, it.Known),
					Block: bi, From: it.From, Reset: it.Value.Reset})
			}
		}
		r.Sections = append(r.Sections, sr)
	}
	return r, nil
}

// mrtSamples returns the multicast routing tables of the pass and, in an
// interval pass, of the previous one.
func mrtSamples(p *Pass) (stats.MrtSample, *stats.MrtSample) {
	cur := stats.MrtSample{Vifs: p.Cur.Vifs, MFC: p.Cur.MFC, Missing: mrtMissing(p.Cur)}
	if p.Prev == nil || !p.Req.IntervalMode() {
		return cur, nil
	}
	return cur, &stats.MrtSample{Vifs: p.Prev.Vifs, MFC: p.Prev.MFC, Missing: mrtMissing(p.Prev)}
}

// mrtMissing reports whether a frame lacks the multicast routing tables.
func mrtMissing(v *view.View) bool {
	st, ok := v.Status[snapshots.TableMroute]
	return !ok || st.State == snapshots.StateUnavailable
}

func mrtBlocks(p *Pass) []stats.MrtBlock {
	cur, prev := mrtSamples(p)
	return stats.Mroute(statsCounters(p), cur, prev,
		p.Req.FamilySelected(snapshots.AFInet), p.Req.FamilySelected(snapshots.AFInet6))
}

// mrtStatsText prints -M -s (§5.7): each block after an empty line, and
// an empty line at the end.
func mrtStatsText(w *bufio.Writer, p *Pass) error {
	reset := false
	for _, blk := range mrtBlocks(p) {
		w.WriteString("\n" + blk.Title + "\n")
		for _, l := range blk.Lines {
			cntLine(w, l.Value, l.Known, l.Text)
			reset = reset || l.Value.Reset
		}
	}
	if reset {
		w.WriteString("\n" + cntResetNote)
	}
	w.WriteByte('\n')
	return nil
}

// MrtStatsRecord is one block of -M -s.
type MrtStatsRecord struct {
	Title string          `json:"title"`
	Lines []MrtLineRecord `json:"lines"`
}

// MrtLineRecord is one counted line; Value is null when Linux keeps no
// such count.
type MrtLineRecord struct {
	Text  string `json:"text"`
	Value any    `json:"value"`
	From  string `json:"from,omitempty"`
	Reset bool   `json:"reset,omitempty"`
}

func mrtStatsRecord(p *Pass) (any, error) {
	out := []MrtStatsRecord{}
	for _, blk := range mrtBlocks(p) {
		r := MrtStatsRecord{Title: strings.TrimSuffix(blk.Title, ":"), Lines: []MrtLineRecord{}}
		for _, l := range blk.Lines {
			r.Lines = append(r.Lines, MrtLineRecord{Text: cntPlural(l.Text, l.Value.V, l.Known),
				Value: cntRecordValue(l.Value, l.Known), From: l.From, Reset: l.Value.Reset})
		}
		out = append(out, r)
	}
	return out, nil
}

// Column helpers of the -s, -m, -g, -p, -M and -D displays, appending to
// a line buffer the way printf conversions pad.

// padLeft is %-ws: s, then blanks to width w; never truncated.
func padLeft(b []byte, s string, w int) []byte {
	b = append(b, s...)
	for n := w - len(s); n > 0; n-- {
		b = append(b, ' ')
	}
	return b
}

// padTrunc is %-w.ws: s cut to w bytes, then blanks to width w.
func padTrunc(b []byte, s string, w int) []byte {
	if len(s) > w {
		s = s[:w]
	}
	return padLeft(b, s, w)
}

// padRight is %ws: blanks, then s.
func padRight(b []byte, s string, w int) []byte {
	for n := w - len(s); n > 0; n-- {
		b = append(b, ' ')
	}
	return append(b, s...)
}

// padUint is %wu.
func padUint(b []byte, v uint64, w int) []byte {
	return padRight(b, strconv.FormatUint(v, 10), w)
}
