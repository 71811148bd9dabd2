package diffreport

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/netmortem/netmortem/analyze/diff"
)

// WriteText prints the report as text: the two captures, then for every
// namespace a summary table, its notes, the rows that differ (+ added,
// - removed, ~ changed with one line per changed field) and the counters
// that moved.
func WriteText(w io.Writer, r *Report) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	header(bw, r)
	for _, name := range r.OnlyOld {
		fmt.Fprintf(bw, "namespace %s: only in OLD\n", name)
	}
	for _, name := range r.OnlyNew {
		fmt.Fprintf(bw, "namespace %s: only in NEW\n", name)
	}
	for i := range r.Namespaces {
		namespace(bw, r, &r.Namespaces[i])
	}
	if !r.Differs() {
		fmt.Fprintln(bw, "\nno differences")
	}
	return bw.Flush()
}

const stamp = "2006-01-02 15:04:05.000 MST"

func header(w *bufio.Writer, r *Report) {
	side := func(mark, which string, c Capture) {
		fmt.Fprintf(w, "%s %s %s", mark, which, c.File)
		if c.Host != "" {
			fmt.Fprintf(w, " (%s)", c.Host)
		}
		if c.Frames > 1 {
			fmt.Fprintf(w, ", frame %d of %d", c.Frame, c.Frames)
		}
		if !c.Time.IsZero() {
			fmt.Fprintf(w, ", captured %s", c.Time.UTC().Format(stamp))
		}
	}
	side("---", "OLD", r.Old)
	fmt.Fprintln(w)
	side("+++", "NEW", r.New)
	if !r.Old.Time.IsZero() && !r.New.Time.IsZero() {
		switch d := r.New.Time.Sub(r.Old.Time); {
		case d > 0:
			fmt.Fprintf(w, ", %s later", round(d))
		case d < 0:
			fmt.Fprintf(w, ", %s EARLIER", round(-d))
		}
	}
	fmt.Fprintln(w)
	if len(r.Filters) > 0 {
		fmt.Fprintf(w, "route filters: %s\n", strings.Join(r.Filters, " "))
	}
}

func round(d time.Duration) time.Duration {
	if d >= time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(time.Microsecond)
}

func namespace(w *bufio.Writer, r *Report, ns *Namespace) {
	res := ns.Result
	if r.ShowNamespace {
		fmt.Fprintf(w, "\nnamespace %s\n", ns.Name)
	}
	if res.Reboot {
		fmt.Fprintln(w, "note: the captures are from different boots; every counter restarted")
	}
	if res.NamespaceRecreated {
		fmt.Fprintln(w, "note: the namespace was re-created between the captures; every counter restarted")
	}
	summary(w, res)
	for i := range res.Sections {
		rows(w, &res.Sections[i])
	}
	counterBlock(w, res)
}

func summary(w *bufio.Writer, res *diff.Result) {
	width := len("SECTION")
	for i := range res.Sections {
		width = max(width, len(res.Sections[i].Name))
	}
	fmt.Fprintf(w, "\n%-*s  %7s  %7s  %7s  %9s\n", width, "SECTION", "ADDED", "REMOVED", "CHANGED", "UNCHANGED")
	for i := range res.Sections {
		s := &res.Sections[i]
		switch {
		case !s.Compared:
			fmt.Fprintf(w, "%-*s  %7s  %7s  %7s  %9s\n", width, s.Name, "-", "-", "-", "-")
		case len(s.Rows) == 0 && s.Added+s.Removed+s.Changed+s.Unchanged == 0 && s.Watched > 0:
			// statistics: counters only, summarised below
		default:
			fmt.Fprintf(w, "%-*s  %7d  %7d  %7d  %9d\n", width, s.Name, s.Added, s.Removed, s.Changed, s.Unchanged)
		}
	}
	for i := range res.Sections {
		s := &res.Sections[i]
		for _, n := range s.Notes {
			fmt.Fprintf(w, "  %s: %s\n", s.Name, n)
		}
		if s.Watched > 0 {
			fmt.Fprintf(w, "  %s: %s\n", s.Name, counterSummary(s))
		}
	}
}

func counterSummary(s *diff.Section) string {
	resets := 0
	for _, c := range s.Counters {
		if c.Reset != "" && !c.HasDelta {
			resets++
		}
	}
	t := fmt.Sprintf("%d of %d counters moved", len(s.Counters), s.Watched)
	if resets > 0 {
		t += fmt.Sprintf(", %d reset", resets)
	}
	return t
}

func rows(w *bufio.Writer, s *diff.Section) {
	if len(s.Rows) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%s\n", s.Name)
	for i := range s.Rows {
		row := &s.Rows[i]
		mark := map[diff.Kind]string{diff.Added: "+", diff.Removed: "-", diff.Changed: "~"}[row.Kind]
		fmt.Fprintf(w, "  %s %s\n", mark, row.Key.String())
		if row.Kind != diff.Changed {
			if a := row.Attrs.String(); a != "" {
				fmt.Fprintf(w, "      %s\n", a)
			}
			continue
		}
		for _, c := range row.Changes {
			if c.IsSet {
				for _, e := range c.Added {
					fmt.Fprintf(w, "      %s + %s\n", c.Name, e)
				}
				for _, e := range c.Removed {
					fmt.Fprintf(w, "      %s - %s\n", c.Name, e)
				}
				continue
			}
			fmt.Fprintf(w, "      %s: %s -> %s\n", c.Name, orNone(c.Old), orNone(c.New))
		}
	}
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func counterBlock(w *bufio.Writer, res *diff.Result) {
	any := false
	for i := range res.Sections {
		if len(res.Sections[i].Counters) > 0 {
			any = true
		}
	}
	if !any {
		return
	}
	fmt.Fprintf(w, "\ncounters")
	if res.Elapsed > 0 {
		fmt.Fprintf(w, ", %s between the captures", round(res.Elapsed))
	}
	fmt.Fprintln(w)
	for i := range res.Sections {
		s := &res.Sections[i]
		if len(s.Counters) == 0 {
			continue
		}
		fmt.Fprintf(w, "  %s\n", s.Name)
		tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
		for _, c := range s.Counters {
			line := fmt.Sprintf("    %s\t%s -> %s\t%s", c.Name, value(c, c.Old), value(c, c.New), delta(c))
			if r := rateOrReset(c); r != "" {
				line += "\t" + r
			}
			fmt.Fprintln(tw, line)
		}
		tw.Flush()
	}
}

func value(c diff.Counter, v uint64) string {
	if c.Signed {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatUint(v, 10)
}

func delta(c diff.Counter) string {
	if !c.HasDelta {
		return "?"
	}
	if c.Delta >= 0 {
		return "+" + strconv.FormatInt(c.Delta, 10)
	}
	return strconv.FormatInt(c.Delta, 10)
}

func rateOrReset(c diff.Counter) string {
	var parts []string
	if c.HasRate {
		parts = append(parts, Rate(c.Rate)+"/s")
	}
	if c.Gauge {
		parts = append(parts, "gauge")
	}
	switch {
	case c.Reset != "" && c.HasDelta:
		parts = append(parts, "("+c.Reset+")")
	case c.Reset != "":
		parts = append(parts, "reset: "+c.Reset)
	}
	return strings.Join(parts, " ")
}

// Rate prints a rate with three significant digits at most, without
// exponents.
func Rate(r float64) string {
	switch {
	case r >= 100 || r <= -100:
		return strconv.FormatFloat(r, 'f', 0, 64)
	case r >= 10 || r <= -10:
		return strconv.FormatFloat(r, 'f', 1, 64)
	}
	return strconv.FormatFloat(r, 'f', 2, 64)
}
