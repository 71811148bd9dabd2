// Package live captures the network tables of the running Linux host (or
// some of its network namespaces) into a snapshot: netlink dumps with our
// own decoders (capture/nlmsg), /proc text through capture/procnet, DHCP
// lease files, the host's name files, and socket owners from /proc/*/fd.
// It only reads: nothing on the host changes.
package live

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/netmortem/netmortem/snapshots"
)

// Options say what to capture and where to write it.
type Options struct {
	Output      string // snapshot path; written atomically
	NetNS       string // a named namespace (/run/netns/NAME) instead of the own one
	NetNSPid    int    // the namespace of this process instead of the own one
	AllNetNS    bool   // every namespace of the host
	Tables      []snapshots.Table
	Interval    time.Duration // between frames of a series; 0 for one frame
	Count       int           // frames of a series; 0 runs until interrupted
	LeaseFiles  []string      // extra lease-file globs for clients with custom paths
	Owners      OwnerMethod   // how socket owners are found; "" is auto
	Progress    io.Writer     // one-line status updates; nil for none
	CommandLine []string
	ToolVersion string
	// FrameDone, when set, is called after each frame is written, with its
	// index (for tests and for callers that act between frames).
	FrameDone func(frame int)
}

// OwnerMethod chooses how socket owners are found.
type OwnerMethod string

const (
	OwnersAuto OwnerMethod = "auto" // the BPF iterator where it loads, else /proc
	OwnersBPF  OwnerMethod = "bpf"  // the BPF iterator only
	OwnersProc OwnerMethod = "proc" // /proc/*/fd only
)

// ParseOwnerMethod checks a --owners value.
func ParseOwnerMethod(s string) (OwnerMethod, error) {
	switch m := OwnerMethod(s); m {
	case OwnersAuto, OwnersBPF, OwnersProc:
		return m, nil
	case "":
		return OwnersAuto, nil
	}
	return "", fmt.Errorf("unknown method %q (auto, bpf or proc)", s)
}

// Summary says what a capture produced.
type Summary struct {
	Frames      int
	Namespaces  int
	Tables      int      // sections written
	Unavailable []string // "table (namespace): reason", deduplicated
	Partial     []string
	Gone        []string // namespaces that vanished
	Bytes       int64
	Interrupted bool // stopped by a signal; the file is complete up to the last frame
}

// problems collects table problems for the summary without repeating the
// same one for every frame.
type problems struct {
	seen map[string]bool
	list []string
}

func (p *problems) add(s string) {
	if p.seen == nil {
		p.seen = map[string]bool{}
	}
	if !p.seen[s] {
		p.seen[s] = true
		p.list = append(p.list, s)
	}
}

// tableRun accumulates the outcome of the sources of one table.
type tableRun struct {
	sources  []string
	problems []string
	ok, fail int
	retries  uint32
	partial  bool
}

func (t *tableRun) good(source string) { t.sources = append(t.sources, source); t.ok++ }

func (t *tableRun) bad(source string, err error) {
	t.problems = append(t.problems, fmt.Sprintf("%s: %v", source, err))
	t.fail++
}

// note records a problem that leaves the table usable but incomplete.
func (t *tableRun) note(msg string) { t.problems = append(t.problems, msg); t.partial = true }

func (t *tableRun) status(at time.Time) snapshots.Status {
	st := snapshots.Status{State: snapshots.StateOK, Sources: t.sources, Time: at, Retries: t.retries}
	switch {
	case t.ok == 0 && t.fail > 0:
		st.State = snapshots.StateUnavailable
	case t.fail > 0 || t.partial:
		st.State = snapshots.StatePartial
	}
	if len(t.problems) > 0 {
		st.Reason = strings.Join(t.problems, "; ")
	}
	return st
}

func summarize(s *Summary, p, q *problems) {
	s.Unavailable = p.list
	s.Partial = q.list
	sort.Strings(s.Gone)
}
