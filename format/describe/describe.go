// Package describe renders what `netmortem info` and `netmortem verify`
// print: a snapshot's metadata, namespaces, frames and per-table status,
// and the integrity findings of every section.
package describe

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/netmortem/netmortem/snapshots"
)

// Info is the record form of `netmortem info`.
type Info struct {
	File       string      `json:"file"`
	Format     string      `json:"format"`
	FileSize   int64       `json:"file_size"`
	Meta       MetaView    `json:"meta"`
	Namespaces []NSView    `json:"namespaces"`
	Frames     []FrameView `json:"frames"`
	Tables     []TableView `json:"tables"`
}

// MetaView is snapshots.Meta with record-friendly fields.
type MetaView struct {
	Hostname      string    `json:"hostname"`
	KernelRelease string    `json:"kernel_release"`
	KernelVersion string    `json:"kernel_version"`
	Machine       string    `json:"machine"`
	ByteOrder     string    `json:"byte_order"`
	BootTime      time.Time `json:"boot_time"`
	ClockTicks    uint32    `json:"clock_ticks"`
	PageSize      uint32    `json:"page_size"`
	CaptureStart  time.Time `json:"capture_start"`
	CaptureEnd    time.Time `json:"capture_end"`
	ToolVersion   string    `json:"tool_version"`
	SourceKind    string    `json:"source_kind"`
	SourceOrigin  string    `json:"source_origin"`
	SourceDetail  string    `json:"source_detail,omitempty"`
	CommandLine   []string  `json:"command_line,omitempty"`
	Warnings      []string  `json:"warnings,omitempty"`
}

// NSView is one namespace.
type NSView struct {
	ID    int      `json:"id"`
	Name  string   `json:"name,omitempty"`
	Inode uint64   `json:"inode"`
	Host  bool     `json:"host"`
	Pids  []int32  `json:"pids,omitempty"`
	Hints []string `json:"hints,omitempty"`
	Gone  bool     `json:"gone,omitempty"`
}

// FrameView is one frame.
type FrameView struct {
	Index int       `json:"index"`
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// TableView is the status of one table in one frame and namespace.
type TableView struct {
	Frame      int      `json:"frame"`
	Namespace  int      `json:"namespace"`
	Table      string   `json:"table"`
	Status     string   `json:"status"`
	Reason     string   `json:"reason,omitempty"`
	Sources    []string `json:"sources,omitempty"`
	Rows       uint64   `json:"rows"`
	Compressed uint64   `json:"compressed"`
	Size       uint64   `json:"size"`
	Shared     bool     `json:"shared_with_previous_frame,omitempty"`
	Retries    uint32   `json:"dump_retries,omitempty"`
	// Captured is when the table's reading ended.
	Captured time.Time `json:"captured,omitzero"`
}

// NewInfo builds the info record of an opened snapshot.
func NewInfo(file string, ix *snapshots.Index) *Info {
	m := ix.Meta
	order := "little-endian"
	if m.BigEndian {
		order = "big-endian"
	}
	in := &Info{
		File: file, Format: ix.Version.String(), FileSize: ix.FileSize,
		Meta: MetaView{
			Hostname: m.Hostname, KernelRelease: m.KernelRelease, KernelVersion: m.KernelVersion,
			Machine: m.Machine, ByteOrder: order, BootTime: m.BootTime, ClockTicks: m.ClockTicks,
			PageSize: m.PageSize, CaptureStart: m.CaptureStart, CaptureEnd: m.CaptureEnd,
			ToolVersion: m.ToolVersion, SourceKind: m.Source.Kind, SourceOrigin: m.Source.Origin,
			SourceDetail: m.Source.Detail, CommandLine: m.CommandLine, Warnings: m.Warnings,
		},
	}
	if v := ix.Version; v.Major == snapshots.FormatVersion.Major && v.Minor > snapshots.FormatVersion.Minor {
		in.Meta.Warnings = append(append([]string(nil), in.Meta.Warnings...), fmt.Sprintf(
			"format %s is newer than this netmortem's %s: columns added since may be missing; use a newer netmortem", v, snapshots.FormatVersion))
	}
	// Sized once; empty lists stay nil (JSON null, as before).
	if len(ix.Namespaces) > 0 {
		in.Namespaces = make([]NSView, 0, len(ix.Namespaces))
	}
	if len(ix.Frames) > 0 {
		in.Frames = make([]FrameView, 0, len(ix.Frames))
	}
	if len(ix.Sections) > 0 {
		in.Tables = make([]TableView, 0, len(ix.Sections))
	}
	for _, n := range ix.Namespaces {
		in.Namespaces = append(in.Namespaces, NSView{ID: n.ID, Name: n.Name, Inode: n.Inode, Host: n.Host, Pids: n.Pids, Hints: n.Hints, Gone: n.Gone})
	}
	for _, f := range ix.Frames {
		in.Frames = append(in.Frames, FrameView{Index: f.Index, Start: f.Start, End: f.End})
	}
	first := make(map[uint64]bool, len(ix.Sections))
	for _, s := range ix.Sections {
		v := TableView{Frame: s.Frame, Namespace: s.Namespace, Table: string(s.Table), Status: s.Status.State.String(),
			Reason: s.Status.Reason, Sources: s.Status.Sources, Rows: s.Rows, Compressed: s.Compressed,
			Size: s.Size, Retries: s.Status.Retries, Captured: s.Status.Time}
		if s.HasData() {
			v.Shared = first[s.Offset]
			first[s.Offset] = true
		}
		in.Tables = append(in.Tables, v)
	}
	return in
}

// WriteInfo prints the info record as text. Tables of every frame are
// listed when frames is nil; otherwise only those frames', and a line says
// how the other frames relate.
func WriteInfo(w io.Writer, in *Info, frames []int) error {
	m := in.Meta
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	p := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "%s\t%s\n", k, v)
		}
	}
	p("Snapshot:", fmt.Sprintf("%s (format %s, %s)", in.File, in.Format, Bytes(uint64(in.FileSize))))
	src := m.SourceKind
	if m.SourceOrigin != "" {
		src += " " + m.SourceOrigin
	}
	if m.SourceDetail != "" {
		src += " (" + m.SourceDetail + ")"
	}
	p("Source:", src)
	p("Host:", m.Hostname)
	kernel := strings.TrimSpace(m.KernelRelease + " " + m.KernelVersion)
	if m.Machine != "" {
		kernel += fmt.Sprintf(" (%s, %s)", m.Machine, m.ByteOrder)
	}
	p("Kernel:", kernel)
	p("Boot time:", stamp(m.BootTime))
	if !m.CaptureStart.IsZero() {
		p("Captured:", fmt.Sprintf("%s, took %s", stamp(m.CaptureStart), m.CaptureEnd.Sub(m.CaptureStart).Round(time.Millisecond)))
	}
	if m.ClockTicks != 0 {
		p("Clock:", fmt.Sprintf("%d ticks/s, page size %d", m.ClockTicks, m.PageSize))
	}
	p("Tool:", m.ToolVersion)
	p("Command:", strings.Join(m.CommandLine, " "))
	for _, wn := range m.Warnings {
		p("Warning:", wn)
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	fmt.Fprintf(w, "\nNamespaces (%d):\n", len(in.Namespaces))
	tw = tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "  ID\tINODE\tNAME\tHOST\tPIDS\tHINTS")
	for _, n := range in.Namespaces {
		name := n.Name
		if name == "" {
			name = "-"
		}
		if n.Gone {
			name += " (gone)"
		}
		host := ""
		if n.Host {
			host = "yes"
		}
		fmt.Fprintf(tw, "  %d\t%d\t%s\t%s\t%s\t%s\n", n.ID, n.Inode, name, host, pids(n.Pids), strings.Join(n.Hints, " "))
	}
	tw.Flush()

	fmt.Fprintf(w, "\nFrames (%d):\n", len(in.Frames))
	for i, f := range in.Frames {
		if len(in.Frames) > 12 && i == 6 {
			fmt.Fprintf(w, "  … %d more\n", len(in.Frames)-10)
		}
		if len(in.Frames) > 12 && i >= 6 && i < len(in.Frames)-4 {
			continue
		}
		fmt.Fprintf(w, "  %d  %s  (%s)\n", f.Index, stamp(f.Start), f.End.Sub(f.Start).Round(time.Millisecond))
	}

	want := map[int]bool{}
	for _, f := range frames {
		want[f] = true
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "FRAME\tNS\tTABLE\tSTATUS\tROWS\tSTORED\tSIZE\tSOURCE / REASON")
	shared, other := 0, 0
	for _, t := range in.Tables {
		if frames != nil && t.Frame >= 0 && !want[t.Frame] {
			other++
			if t.Shared {
				shared++
			}
			continue
		}
		fr, ns := strconv.Itoa(t.Frame), strconv.Itoa(t.Namespace)
		if t.Frame < 0 {
			fr, ns = "-", "-"
		}
		rows, stored, size := "-", "-", "-"
		if t.Status != "unavailable" {
			rows = strconv.FormatUint(t.Rows, 10)
			stored, size = Bytes(t.Compressed), Bytes(t.Size)
			if t.Shared {
				stored = "(=prev)"
			}
		}
		note := strings.Join(t.Sources, ", ")
		if t.Reason != "" {
			note = t.Reason
			if len(t.Sources) > 0 {
				note += " [" + strings.Join(t.Sources, ", ") + "]"
			}
		}
		if t.Retries > 0 {
			note += fmt.Sprintf(" (dump retried %d×)", t.Retries)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", fr, ns, t.Table, t.Status, rows, stored, size, note)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if other > 0 {
		fmt.Fprintf(w, "\n%d more sections in other frames, %d of them equal to the previous frame's (use --frame N or --all-frames).\n", other, shared)
	}
	return nil
}

func pids(p []int32) string {
	var b []string
	for i, x := range p {
		if i == 8 {
			b = append(b, fmt.Sprintf("…+%d", len(p)-8))
			break
		}
		b = append(b, strconv.Itoa(int(x)))
	}
	return strings.Join(b, ",")
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05.000 UTC")
}

// Bytes formats a byte count for people: 512 B, 4.6 MB.
func Bytes(n uint64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 1000_000:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	case n < 1000_000_000:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
	return fmt.Sprintf("%.2f GB", float64(n)/1e9)
}

// Finding is the record form of one verify result.
type Finding struct {
	Section string `json:"section"`
	Table   string `json:"table"`
	Frame   int    `json:"frame"`
	NS      int    `json:"namespace"`
	Intact  bool   `json:"intact"`
	Rows    uint64 `json:"rows"`
	Status  string `json:"capture_status"`
	Error   string `json:"error,omitempty"`
}

// Verification is the record form of `netmortem verify`.
type Verification struct {
	File     string    `json:"file"`
	Intact   int       `json:"intact"`
	Damaged  int       `json:"damaged"`
	Findings []Finding `json:"sections"`
}

// NewVerification builds the verify record.
func NewVerification(file string, fs []snapshots.Finding) *Verification {
	v := &Verification{File: file}
	for _, f := range fs {
		r := Finding{Section: f.Name, Table: string(f.Section.Table), Frame: f.Section.Frame, NS: f.Section.Namespace,
			Intact: f.Err == nil, Rows: f.Section.Rows, Status: f.Section.Status.State.String()}
		if f.Err != nil {
			r.Error = f.Err.Error()
			var se *snapshots.SectionError
			if errors.As(f.Err, &se) {
				r.Error = fmt.Sprintf("at offset %d: %v", se.Offset, se.Err)
			}
			v.Damaged++
		} else {
			v.Intact++
		}
		v.Findings = append(v.Findings, r)
	}
	return v
}

// WriteVerification prints the verify record as text.
func WriteVerification(w io.Writer, v *Verification) error {
	for _, f := range v.Findings {
		if f.Intact {
			what := fmt.Sprintf("%d rows", f.Rows)
			if f.Status == "unavailable" {
				what = "not captured"
			}
			fmt.Fprintf(w, "intact   %s (%s)\n", f.Section, what)
		} else {
			fmt.Fprintf(w, "DAMAGED  %s: %s\n", f.Section, f.Error)
		}
	}
	_, err := fmt.Fprintf(w, "%s: %d sections intact, %d damaged\n", v.File, v.Intact, v.Damaged)
	return err
}
