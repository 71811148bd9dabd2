package main

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/netmortem/netmortem/analyze/diff"
	"github.com/netmortem/netmortem/analyze/routes"
	"github.com/netmortem/netmortem/analyze/view"
	"github.com/netmortem/netmortem/format/diffreport"
	"github.com/netmortem/netmortem/snapshots"
)

func init() { commands = append(commands, newDiffCommand) }

type diffOptions struct {
	tables  string
	filters []string
	netns   string
	all     bool
	frames  []string
}

func newDiffCommand(g *globals) *cobra.Command {
	var o diffOptions
	cmd := &cobra.Command{
		Use:   "diff [--tables LIST] [-f FILTER]... [--netns NS | --all] [--frame A[,B]]... OLD NEW | SERIES",
		Short: "Show what changed in the network state between two captures",
		Long: `diff compares two captures table by table and prints what was added,
removed or changed: a summary per section, then the rows that differ
grouped by section (+ added, - removed, ~ changed with one line per field),
then the counters that moved. Rows are joined by key, never by position:

  interfaces   name (with its addresses; index, type, flags, state, MTU,
               link-layer address, master, qdisc … are compared)
  routes       table, family, destination, source, metric, type, TOS, and
               whether a route-cache exception (next hops, device,
               preferred source, protocol, scope, metrics are compared)
  rules        priority and selector (action and table compared)
  neighbours   device name and address (link-layer address, state,
               flags compared)
  sockets      inet: protocol, family, local and remote address; unix:
               type and name for listening or unconnected named sockets,
               else the inode; packet: type, protocol, device; sctp: ports
               and addresses (state, queues, owner compared)
  multicast    memberships: interface, group, sources; link-layer
               groups: interface, address; vifs: number; cache entries:
               table, source, group
  others       /proc/net/protocols, sysctls and slab caches by name;
               DHCP leases by interface (the current lease)

Volatile fields are no change: TCP timers, retransmits, TCP_INFO,
socket memory, cookies and reference counts; neighbour ages and the
REACHABLE/STALE/DELAY/PROBE ageing (a move to or from INCOMPLETE, FAILED,
PERMANENT, NOARP or NONE is a change); address lifetimes; route expiry and
cache statistics; multicast report timers. Queues count only when they
become empty or non-empty (a listener's backlog limit exactly).

Counters (statistics, interface and multicast-routing counts, UDP drops)
show their delta and rate per second over the time between the captures;
levels (sockets in use, memory, settings) their signed change. A counter
that restarted is a reset, never a huge number: after a reboot (boot times
differ) or in a re-created namespace or interface (new inode or index) its
delta is unknown ("?") and NEW is the count since; a fall of more than
half its range is a 32-bit or 64-bit wrap, counted across; other falls are
resets (a multicast entry re-created, or unknown). Counters moving is
no difference.

--tables LIST narrows the comparison (comma-separated: links, routes,
rules, neigh, inet, unix, packet, sctp, groups, mroute, stats, memory,
dhcp; addrs is part of links). -f FILTER restricts the route comparison
with the route filters of netstat -r (af:, outif:, inif:, dst:, src:,
flags:, table:), compiled against each side: a route that matches on
either side is compared. --netns picks a namespace (name, inode, pid or
#ID) in both captures, --all compares every namespace present in both and
lists those found on one side only.

--frame picks frames of series snapshots: "--frame A,B" or "--frame A
--frame B" takes frame A of OLD and frame B of NEW; a single "--frame N"
takes frame N of both. Negative numbers count from the end (-1 is the
last frame). With one file, "diff SERIES" compares its first and last
frame, or the two frames --frame names.` + exitStatusHelp("  1  the captures differ (rows added, removed or changed, or a namespace on\n     one side only)\n"),
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) < 1 || len(args) > 2 {
				return usageErr("%s: want OLD NEW, or one SERIES, got %d argument(s)\nRun '%s --help' for usage.",
					cmd.CommandPath(), len(args), cmd.CommandPath())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			bigRunFor(args...)
			return runDiff(g, &o, args)
		},
	}
	f := cmd.Flags()
	f.SortFlags = false
	f.StringVar(&o.tables, "tables", "", "tables to compare, comma-separated (default: all)")
	f.StringArrayVarP(&o.filters, "filter", "f", nil, "route filter keyword:value, as netstat -r -f; repeatable")
	f.StringVar(&o.netns, "netns", "", "namespace to compare: name, inode, pid or #ID (default: the host's)")
	f.BoolVar(&o.all, "all", false, "compare every namespace present in both captures")
	f.StringArrayVar(&o.frames, "frame", nil, "frames to compare: A,B or one --frame per side; N for both")
	return cmd
}

func runDiff(g *globals, o *diffOptions, args []string) error {
	tables := diff.Comparable
	if o.tables != "" {
		ts, err := snapshots.ParseTables(o.tables)
		if err == nil {
			ts, err = diff.CheckTables(ts)
		}
		if err != nil {
			return usageErr("--tables: %v", err)
		}
		tables = ts
	}
	if o.all && o.netns != "" {
		return usageErr("--all and --netns exclude each other")
	}
	for _, a := range o.filters {
		if _, err := routes.Parse(a); err != nil {
			return usageErr("%v", err)
		}
	}
	frameArgs, err := splitFrames(o.frames)
	if err != nil {
		return err
	}

	oldR, err := openSnapshot(args[0])
	if err != nil {
		return err
	}
	defer oldR.Close()
	newR := oldR
	if len(args) == 2 {
		if newR, err = openSnapshot(args[1]); err != nil {
			return err
		}
		defer newR.Close()
	}
	oldS, newS := view.New(oldR), view.New(newR)
	if len(args) == 1 {
		newS = oldS
	}
	for _, r := range []*snapshots.Reader{oldR, newR} {
		if len(r.Frames) == 0 || len(r.Namespaces) == 0 {
			return &exitError{code: exitTrouble, err: fmt.Errorf("%s: the snapshot has no frames or no namespaces", r.Name())}
		}
	}
	fo, fn, err := pickFrames(frameArgs, len(args) == 1, oldR, newR)
	if err != nil {
		return err
	}
	if len(args) == 2 {
		for _, x := range []struct {
			r     *snapshots.Reader
			which string
			frame int
		}{{oldR, "OLD", fo}, {newR, "NEW", fn}} {
			if len(x.r.Frames) > 1 && len(o.frames) == 0 {
				fmt.Fprintf(g.stderr, "netmortem: note: %s (%s) has %d frames; comparing frame %d (use --frame)\n", x.r.Name(), x.which, len(x.r.Frames), x.frame)
			}
		}
	}

	rep := &diffreport.Report{
		Old:     capture(args[0], oldR, fo),
		New:     capture(args[len(args)-1], newR, fn),
		Filters: o.filters,
	}
	var pairs []diff.NSPair
	if o.all {
		var onlyOld, onlyNew []int
		pairs, onlyOld, onlyNew = diff.MatchNamespaces(oldR.Namespaces, newR.Namespaces)
		for _, i := range onlyOld {
			rep.OnlyOld = append(rep.OnlyOld, diff.NamespaceLabel(oldR.Namespaces[i]))
		}
		for _, i := range onlyNew {
			rep.OnlyNew = append(rep.OnlyNew, diff.NamespaceLabel(newR.Namespaces[i]))
		}
		rep.ShowNamespace = true
	} else {
		a, err := oldS.NamespaceByArg(o.netns)
		if err != nil {
			return usageErr("OLD: %v", err)
		}
		b, err := newS.NamespaceByArg(o.netns)
		if err != nil {
			return usageErr("NEW: %v", err)
		}
		pairs = []diff.NSPair{{Old: a, New: b}}
		rep.ShowNamespace = !newR.Namespaces[b].Host
		if o.netns == "" {
			for _, r := range []*snapshots.Reader{oldR, newR} {
				if len(r.Namespaces) > 1 {
					fmt.Fprintf(g.stderr, "netmortem: note: %s holds %d other network namespaces; comparing the host's (use --netns or --all)\n", r.Name(), len(r.Namespaces)-1)
				}
				if len(args) == 1 {
					break
				}
			}
		}
	}
	if t0, t1 := rep.Old.Time, rep.New.Time; !t0.IsZero() && !t1.IsZero() && t1.Before(t0) {
		fmt.Fprintf(g.stderr, "netmortem: note: NEW was captured %s before OLD; deltas are NEW − OLD\n", t0.Sub(t1).Round(time.Millisecond))
	}

	load := diff.Load(tables)
	if len(o.filters) > 0 {
		load = diff.Load(append(slices.Clip(tables), snapshots.TableAddrs)) // logical interface names
	}
	for _, p := range pairs {
		same := identical(oldR, newR, fo, fn, p, tables, len(o.filters) > 0)
		var skip []snapshots.Table
		for t := range same {
			skip = append(skip, t)
		}
		old, new, err := loadSides(oldS, newS, fo, fn, p, without(load, skip), o.filters)
		if err != nil {
			return err
		}
		for t := range same {
			old.Status[t] = oldR.Find(fo, p.Old, t).Status
			new.Status[t] = newR.Find(fn, p.New, t).Status
		}
		res := diff.Compare(old, new, diff.Options{Tables: tables, Identical: same})
		rep.Namespaces = append(rep.Namespaces, diffreport.Namespace{
			Name: diff.NamespaceLabel(newR.Namespaces[p.New]), OldID: p.Old, NewID: p.New, Result: res})
	}
	if err := diffreport.Write(g.stdout, g.output, rep); err != nil {
		return &exitError{code: exitTrouble, err: err}
	}
	if rep.Differs() {
		return &exitError{code: exitDiffers}
	}
	return nil
}

// identical finds the tables whose sections hold the same bytes on both
// sides, as do the tables their rows refer to: they need not be read. A
// series stores an unchanged section once, and a big routing table often
// does not change between two captures.
func identical(ro, rn *snapshots.Reader, fo, fn int, p diff.NSPair, tables []snapshots.Table, filtered bool) map[snapshots.Table]int {
	same := func(t snapshots.Table) (int, bool) {
		a, b := ro.Find(fo, p.Old, t), rn.Find(fn, p.New, t)
		if a == nil || b == nil || !a.HasData() || !b.HasData() || len(a.Hash) == 0 {
			return 0, false
		}
		return int(a.Rows), bytes.Equal(a.Hash, b.Hash) && a.Size == b.Size && a.Rows == b.Rows
	}
	out := map[snapshots.Table]int{}
	for _, t := range tables {
		deps, ok := diff.Skippable[t]
		if !ok || (t == snapshots.TableRoutes && filtered) {
			continue
		}
		rows, eq := same(t)
		for _, d := range deps {
			if _, e := same(d); !e {
				eq = false
			}
		}
		if eq {
			out[t] = rows
		}
	}
	return out
}

func without(ts, drop []snapshots.Table) []snapshots.Table {
	var out []snapshots.Table
	for _, t := range ts {
		if !slices.Contains(drop, t) {
			out = append(out, t)
		}
	}
	return out
}

// splitFrames reads the --frame values: "A,B" or single numbers.
func splitFrames(vals []string) ([]int, error) {
	var out []int
	for _, v := range vals {
		for _, part := range strings.Split(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(part))
			if err != nil {
				return nil, usageErr("--frame %q: want a frame number, or two separated by a comma", v)
			}
			out = append(out, n)
		}
	}
	if len(out) > 2 {
		return nil, usageErr("--frame: %d frames given; want one for both sides or one per side", len(out))
	}
	return out, nil
}

// pickFrames resolves the frame of each side.
func pickFrames(args []int, series bool, oldR, newR *snapshots.Reader) (int, int, error) {
	var a, b int
	switch {
	case len(args) == 2:
		a, b = args[0], args[1]
	case len(args) == 1 && series:
		return 0, 0, usageErr("--frame: comparing frames of one SERIES needs two (--frame A,B)")
	case len(args) == 1:
		a, b = args[0], args[0]
	case series:
		a, b = 0, -1
	}
	resolve := func(n int, r *snapshots.Reader, which string) (int, error) {
		f := n
		if f < 0 {
			f += len(r.Frames)
		}
		if f < 0 || f >= len(r.Frames) {
			return 0, usageErr("--frame %d: %s (%s) has frames 0 to %d", n, r.Name(), which, len(r.Frames)-1)
		}
		return f, nil
	}
	fa, err := resolve(a, oldR, "OLD")
	if err != nil {
		return 0, 0, err
	}
	fb, err := resolve(b, newR, "NEW")
	if err != nil {
		return 0, 0, err
	}
	if series && len(oldR.Frames) == 1 {
		return 0, 0, usageErr("%s has a single frame: give OLD and NEW, or a series (capture --interval)", oldR.Name())
	}
	return fa, fb, nil
}

func capture(path string, r *snapshots.Reader, frame int) diffreport.Capture {
	return diffreport.Capture{File: path, Host: r.Meta.Hostname, Frame: frame, Frames: len(r.Frames),
		Time: frameTime(r, frame), BootTime: r.Meta.BootTime}
}

func frameTime(r *snapshots.Reader, frame int) time.Time {
	if t := r.Frames[frame].Start; !t.IsZero() {
		return t
	}
	return r.Meta.CaptureStart
}

// loadSides reads one namespace of both captures, the two at once.
func loadSides(oldS, newS *view.Snapshot, fo, fn int, p diff.NSPair, load []snapshots.Table, filters []string) (*diff.Side, *diff.Side, error) {
	var sides [2]*diff.Side
	var errs [2]error
	var wg sync.WaitGroup
	for i, x := range []struct {
		s      *view.Snapshot
		frame  int
		ns     int
		filter []string
	}{{oldS, fo, p.Old, filters}, {newS, fn, p.New, filters}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sides[i], errs[i] = loadSide(x.s, x.frame, x.ns, load, x.filter)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, nil, err
		}
	}
	return sides[0], sides[1], nil
}

func loadSide(s *view.Snapshot, frame, ns int, load []snapshots.Table, filters []string) (*diff.Side, error) {
	v, err := s.Load(frame, ns, load...)
	if err != nil {
		return nil, &exitError{code: exitTrouble, err: err}
	}
	side := &diff.Side{Tables: &v.Loaded.Tables, Status: v.Status, Names: v.Names,
		Time: frameTime(s.R, frame), BootTime: s.R.Meta.BootTime, NSInode: v.NS.Inode, Machine: s.R.Meta.Machine}
	if len(filters) > 0 {
		env := routes.Env{Ifaces: routes.NewLinkNames(v.Links, v.Addrs), Tables: v.Names, Hosts: v.Names.HostAddrs, Lenient: true}
		e, err := routes.ParseAll(filters, env)
		if err != nil {
			return nil, usageErr("%v", err)
		}
		side.Routes = e
	}
	return side, nil
}
