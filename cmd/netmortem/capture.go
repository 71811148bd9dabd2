package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/netmortem/netmortem/capture/live"
	"github.com/netmortem/netmortem/snapshots"
)

func init() { commands = append(commands, newCaptureCommand) }

type captureOptions struct {
	out      string
	netns    string
	netnsPid int
	all      bool
	interval time.Duration
	count    int
	tables   string
	leases   []string
	owners   string
	quiet    bool
}

func newCaptureCommand(g *globals) *cobra.Command {
	var o captureOptions
	cmd := &cobra.Command{
		Use:   "capture -o FILE [--netns NAME|--netns-pid PID|--all-netns] [--interval DUR --count N] [--tables LIST]",
		Short: "Capture this host's network tables into a snapshot",
		Long: `capture reads every network table of the running Linux kernel — netlink
dumps of links, addresses, routes of every table (and route-cache
exceptions), rules, neighbours, sockets with TCP_INFO, multicast routes;
/proc/net text for memberships, statistics, SCTP and fallbacks; DHCP lease
files; the host's name files; socket owners — and writes them to one
snapshot file. It changes nothing on the host (the BPF iterator below is
loaded for the length of the owner walk, then released).

The file is written atomically: until capture succeeds, FILE is untouched.
Tables that cannot be read (not root, a missing kernel module) are recorded
as unavailable with the reason; a one-line summary on stderr lists them.

--netns NAME and --netns-pid PID capture another namespace; --all-netns
captures every namespace of the host (named ones and those of processes).
--interval DUR with --count N captures a series of N frames, DUR apart
(--count 0 runs until interrupted); Ctrl-C finishes the frame under way and
closes a valid file. Sections that did not change since the previous frame
are stored once.

Socket owners (which processes hold each socket): --owners auto (the
default) loads a BPF task_file iterator for the length of the walk where
the kernel allows it (Linux 5.8+ with BTF, root) and walks /proc/*/fd
otherwise; bpf and proc force one method. The iterator reads 400k
descriptors in a fraction of a second where /proc needs a readlink each.

Tables (--tables, comma-separated): ` + strings.Join(tableNames(), ", ") + exitStatusHelp(""),
		Args: exactArgs(0, "no arguments (the file goes with -o)"),
		RunE: func(cmd *cobra.Command, args []string) error { return runCapture(cmd.Context(), g, o) },
	}
	f := cmd.Flags()
	f.StringVarP(&o.out, "output-file", "o", "", "snapshot file to write (required)")
	f.StringVar(&o.netns, "netns", "", "capture the named network namespace (/run/netns/NAME)")
	f.IntVar(&o.netnsPid, "netns-pid", 0, "capture the network namespace of process PID")
	f.BoolVar(&o.all, "all-netns", false, "capture every network namespace of the host")
	f.DurationVar(&o.interval, "interval", 0, "capture a series, one frame every DUR (e.g. 1s)")
	f.IntVar(&o.count, "count", 1, "frames in a series (0: until interrupted)")
	f.StringVar(&o.tables, "tables", "all", "tables to capture, comma-separated")
	f.StringArrayVar(&o.leases, "lease-file", nil, "extra DHCP lease files (glob) for clients with non-standard paths; repeatable")
	f.StringVar(&o.owners, "owners", "auto", "how socket owners are found: auto, bpf (task_file iterator) or proc (/proc/*/fd)")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "no progress and no summary on stderr")
	return cmd
}

func tableNames() []string {
	var s []string
	for _, t := range snapshots.AllTables {
		s = append(s, string(t))
	}
	return s
}

func runCapture(ctx context.Context, g *globals, o captureOptions) error {
	if o.out == "" {
		return usageErr("capture: -o FILE is required")
	}
	// A capture's size is known only once it has run; the cost is a few
	// milliseconds where it does not pay.
	captureRun()
	n := 0
	for _, set := range []bool{o.netns != "", o.netnsPid != 0, o.all} {
		if set {
			n++
		}
	}
	if n > 1 {
		return usageErr("capture: --netns, --netns-pid and --all-netns exclude each other")
	}
	if o.count < 0 {
		return usageErr("capture: --count %d: want 0 or more", o.count)
	}
	if o.interval < 0 || (o.count != 1 && o.interval == 0) {
		return usageErr("capture: a series needs --interval DUR above 0 (with --count %d)", o.count)
	}
	tables, err := snapshots.ParseTables(o.tables)
	if err != nil {
		return usageErr("capture: --tables: %v", err)
	}
	owners, err := live.ParseOwnerMethod(o.owners)
	if err != nil {
		return usageErr("capture: --owners: %v", err)
	}
	opts := live.Options{
		Output: o.out, NetNS: o.netns, NetNSPid: o.netnsPid, AllNetNS: o.all, Tables: tables,
		Interval: o.interval, Count: o.count, LeaseFiles: o.leases, Owners: owners,
		CommandLine: append([]string{"netmortem"}, os.Args[1:]...), ToolVersion: toolVersion(),
	}
	if !o.quiet {
		if f, ok := stderrFile(g.stderr); ok && term.IsTerminal(int(f.Fd())) {
			opts.Progress = g.stderr
		}
	}
	sum, err := live.Capture(ctx, opts)
	if err != nil {
		return &exitError{code: exitTrouble, err: fmt.Errorf("capture: %w", err)}
	}
	if !o.quiet {
		fmt.Fprintf(g.stderr, "netmortem: wrote %s: %d frame(s), %d namespace(s), %d tables, %d bytes\n",
			o.out, sum.Frames, sum.Namespaces, sum.Tables, sum.Bytes)
		if len(sum.Unavailable) > 0 {
			fmt.Fprintf(g.stderr, "netmortem: not captured: %s\n", strings.Join(sum.Unavailable, "; "))
		}
		if len(sum.Partial) > 0 {
			fmt.Fprintf(g.stderr, "netmortem: partial: %s\n", strings.Join(sum.Partial, "; "))
		}
		if len(sum.Gone) > 0 {
			fmt.Fprintf(g.stderr, "netmortem: namespaces that vanished during the capture: %s\n", strings.Join(sum.Gone, ", "))
		}
		if sum.Interrupted {
			fmt.Fprintf(g.stderr, "netmortem: interrupted; the snapshot holds the %d complete frame(s)\n", sum.Frames)
		}
	}
	return nil
}
