package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/netmortem/netmortem/analyze/netstat"
	"github.com/netmortem/netmortem/analyze/routes"
	"github.com/netmortem/netmortem/analyze/view"
	"github.com/netmortem/netmortem/format/solaris"
	"github.com/netmortem/netmortem/snapshots"
)

func init() { commands = append(commands, newNetstatCommand) }

type netstatOptions struct {
	req      netstat.Request
	proto    string
	filters  []string
	netns    string
	frame    int
	frameSet bool
}

func newNetstatCommand(g *globals) *cobra.Command {
	var o netstatOptions
	cmd := &cobra.Command{
		Use:   "netstat [-anvgpsmirMD] [-f VALUE]... [-P PROTO] [-I IFACE] [interval [count]] SNAPSHOT",
		Short: "Replay Solaris netstat(1M) displays against a snapshot",
		Long: `netstat replays the displays of Solaris netstat(1M) against a saved
snapshot, in the man page's layouts:

  netstat [-anv] [-f af] [-P proto] SNAPSHOT        active sockets
  netstat -g [-nv] [-f af] SNAPSHOT                 multicast group memberships
  netstat -p [-n] [-f af] SNAPSHOT                  net to media (ARP, NDP)
  netstat -s [-f af] [-P proto] [interval [count]] SNAPSHOT   statistics
  netstat -m [-v] [interval [count]] SNAPSHOT       socket memory (STREAMS on Solaris)
  netstat -i [-I iface] [-an] [-f af] [interval [count]] SNAPSHOT  interfaces
  netstat -r [-anv] [-f af|filter]... SNAPSHOT      routing tables
  netstat -M [-ns] [-f af] SNAPSHOT                 multicast routing
  netstat -D [-I iface] [-f af] SNAPSHOT            DHCP status

Flags group as in netstat (-rn, -an, -rnv). -f takes an address family
(inet, inet6, unix) or, with -r, a route filter keyword:value (af, inif,
outif, src, dst, flags, and the Linux extension table); repeat it to
combine filters. Names come from the snapshot's own hosts, networks and
services files; -n prints numbers.

interval [count] replays a series snapshot (capture --interval): the
first frame, then frames at least interval seconds apart; statistics are
printed as deltas after the first. Replay does not sleep.

--netns picks a namespace of a multi-namespace snapshot (name, inode, pid
or #ID); --frame picks the frame to start from.` + exitStatusHelp(""),
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.frameSet = cmd.Flags().Changed("frame")
			bigRunFor(args...)
			return runNetstat(g, &o, args)
		},
	}
	f := cmd.Flags()
	f.SortFlags = false
	r := &o.req
	f.BoolVarP(&r.All, "all", "a", false, "all sockets, routes, interfaces (listeners, local and broadcast routes, other tables, logical interfaces)")
	f.BoolVarP(&r.Numeric, "numeric", "n", false, "print addresses, ports and networks as numbers")
	f.BoolVarP(&r.Verbose, "verbose", "v", false, "verbose layouts")
	f.BoolVarP(&r.Groups, "groups", "g", false, "multicast group memberships")
	f.BoolVarP(&r.ARP, "net-to-media", "p", false, "net to media tables (ARP and neighbour cache)")
	f.BoolVarP(&r.Stats, "statistics", "s", false, "per-protocol statistics (with -M: multicast routing statistics)")
	f.BoolVarP(&r.Memory, "memory", "m", false, "socket memory")
	f.BoolVarP(&r.Interfaces, "interfaces", "i", false, "interface status")
	f.BoolVarP(&r.Routes, "route", "r", false, "routing tables")
	f.BoolVarP(&r.Mroute, "multicast-routing", "M", false, "multicast routing tables")
	f.BoolVarP(&r.DHCP, "dhcp", "D", false, "DHCP status of interfaces")
	f.StringArrayVarP(&o.filters, "family", "f", nil, "address family (inet, inet6, unix) or route filter keyword:value; repeatable")
	f.StringVarP(&o.proto, "protocol", "P", "", "limit to a protocol: ip, ipv6, icmp, icmpv6, igmp, udp, tcp, sctp, raw")
	f.StringVarP(&r.Interface, "interface", "I", "", "one interface (implies -i)")
	f.StringVar(&o.netns, "netns", "", "namespace to show: name, inode, pid or #ID (default: the host's)")
	f.IntVar(&o.frame, "frame", 0, "frame to show (or to start an interval replay from)")
	return cmd
}

func runNetstat(g *globals, o *netstatOptions, args []string) error {
	if len(args) == 0 {
		return usageErr("netstat: missing SNAPSHOT\nRun 'netmortem netstat --help' for usage.")
	}
	path, operands := args[len(args)-1], args[:len(args)-1]
	if o.proto != "" {
		p, err := netstat.ParseProtocol(o.proto)
		if err != nil {
			return usageErr("%v", err)
		}
		o.req.Protocol = p
	}
	// Check filter syntax before touching the file.
	for _, a := range o.filters {
		if _, err := routes.Parse(a); err != nil {
			return usageErr("%v", err)
		}
	}
	r, err := openSnapshot(path)
	if err != nil {
		return err
	}
	defer r.Close()
	snap := view.New(r)
	ns, err := snap.NamespaceByArg(o.netns)
	if err != nil {
		return usageErr("%v", err)
	}
	if len(r.Frames) == 0 {
		return &exitError{code: exitTrouble, err: fmt.Errorf("%s: the snapshot has no frames", path)}
	}
	if o.frame < 0 || o.frame >= len(r.Frames) {
		return usageErr("--frame %d: %s has frames 0 to %d", o.frame, path, len(r.Frames)-1)
	}
	first, err := snap.Load(o.frame, ns, snapshots.TableLinks, snapshots.TableAddrs)
	if err != nil {
		return &exitError{code: exitTrouble, err: err}
	}
	env := routes.Env{Ifaces: routes.NewLinkNames(first.Links, first.Addrs), Tables: first.Names, Hosts: first.Names.HostAddrs}
	req, err := netstat.Parse(o.req, o.filters, operands, env)
	if err != nil {
		return usageErr("%v", err)
	}
	notes(g, snap, ns, req, o)

	frames := netstat.SelectFrames(r.Frames, o.frame, req.Interval, req.Count)
	tables := netstat.Tables(req.Forms())
	var passes []*solaris.Pass
	var prev *view.View
	warned := map[snapshots.Table]bool{}
	// netstat -r builds only the routes that can give rows: on a big table
	// with filters, a fraction of it. (Other forms never read routes, but
	// -D reads the default route, so it loads them all.)
	var keep snapshots.RouteFilter
	for _, f := range req.Forms() {
		if f == netstat.FormRoutes {
			keep = req.Filter.Keep(req.All)
		}
	}
	for i, f := range frames {
		v, err := snap.LoadWhere(f, ns, keep, tables...)
		if err != nil {
			return &exitError{code: exitTrouble, err: err}
		}
		for _, t := range tables {
			// SCTP is usually absent (no module); say so only when asked for.
			if t == snapshots.TableSCTP && req.Protocol != netstat.ProtoSCTP {
				continue
			}
			if st := v.Status[t]; st.State != snapshots.StateOK && !warned[t] {
				warned[t] = true
				fmt.Fprintf(g.stderr, "netmortem: note: table %s is %s in this snapshot: %s\n", t, st.State, st.Reason)
			}
		}
		passes = append(passes, &solaris.Pass{N: i, Cur: v, Prev: prev, Req: req,
			P: &solaris.Printer{Names: v.Names, Numeric: req.Numeric}})
		prev = v
	}
	if err := solaris.Render(g.stdout, g.output, passes); err != nil {
		return &exitError{code: exitTrouble, err: err}
	}
	return nil
}

// notes tells on stderr what the display leaves out: other namespaces,
// other frames, an interval on a single frame.
func notes(g *globals, snap *view.Snapshot, ns int, req *netstat.Request, o *netstatOptions) {
	r := snap.R
	if o.netns == "" && len(r.Namespaces) > 1 {
		fmt.Fprintf(g.stderr, "netmortem: note: %s holds %d other network namespaces; showing the host's (use --netns)\n", r.Name(), len(r.Namespaces)-1)
	}
	if req.IntervalMode() && len(r.Frames) == 1 {
		fmt.Fprintf(g.stderr, "netmortem: note: %s has a single frame; an interval replays a series (capture --interval)\n", r.Name())
	} else if !req.IntervalMode() && !o.frameSet && len(r.Frames) > 1 {
		fmt.Fprintf(g.stderr, "netmortem: note: %s has %d frames; showing frame 0 (use --frame N, or an interval)\n", r.Name(), len(r.Frames))
	}
	if r.Namespaces[ns].Gone {
		fmt.Fprintf(g.stderr, "netmortem: note: namespace %s vanished while it was captured; its tables may be partial\n", strings.TrimSpace(r.Namespaces[ns].Name+" #"+fmt.Sprint(ns)))
	}
}
