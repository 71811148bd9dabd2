package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/netmortem/netmortem/capture/sosreport"
	"github.com/netmortem/netmortem/snapshots"
)

func init() { importCommands = append(importCommands, newImportSosreportCommand) }

type importSosreportOptions struct {
	out   string
	ticks uint32
	quiet bool
}

func newImportSosreportCommand(g *globals) *cobra.Command {
	var o importSosreportOptions
	cmd := &cobra.Command{
		Use:   "sosreport PATH -o FILE",
		Short: "Turn a sosreport (directory or archive) into a snapshot",
		Long: `import sosreport reads a sosreport — an extracted directory, or its archive
(.tar.xz, .tar.gz, .tar.bz2, .tar.zst or plain .tar, told by content) — and
writes a snapshot of the network state it holds.

The namespace sos ran in gets its tables from the copied /proc/net files
(decoded with the byte order of the bundle's architecture, from its uname
output) and, where /proc lacks the data, from the collected command
outputs: ip route (every table), ip address, ip link, ip neigh, ip rule,
ip maddr, ip mroute, ss -peaonmi and netstat -neopa (socket owners). The
namespaces sos ran commands in (ip netns exec NAME …) become further
namespaces with whatever their outputs allow. info shows the source kind
"sosreport", the bundle's name, the sos version and the capture time from
its manifest; every table lists the bundle members it came from, and what
is missing, cut by sos's size limit or unparseable is reported per table.

The bundle is read into memory without extracting anything: absolute
paths and ".." are refused, links are only resolved inside the bundle,
devices and fifos are skipped, and sizes are bounded. Each refusal is a
warning in the snapshot (and on stderr).` + exitStatusHelp(""),
		Args: exactArgs(1, "one sosreport PATH (the snapshot goes with -o)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			bigRunFor(args[0])
			return runImportSosreport(cmd, g, o, args[0])
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.out, "output-file", "o", "", "snapshot file to write (required)")
	f.Uint32Var(&o.ticks, "clock-ticks", 100, "USER_HZ of the captured host (the unit of /proc timers)")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "no summary on stderr")
	return cmd
}

func runImportSosreport(cmd *cobra.Command, g *globals, o importSosreportOptions, path string) error {
	if o.out == "" {
		return usageErr("import sosreport: -o FILE is required")
	}
	if o.ticks == 0 || o.ticks > 100000 {
		return usageErr("import sosreport: --clock-ticks %d: want 1 to 100000", o.ticks)
	}
	res, err := sosreport.Import(cmd.Context(), path, sosreport.Options{
		ClockTicks:  o.ticks,
		CommandLine: append([]string{"netmortem"}, os.Args[1:]...),
		ToolVersion: toolVersion(),
	})
	if err != nil {
		return &exitError{code: exitTrouble, err: fmt.Errorf("import sosreport: %w", err)}
	}
	if err := sosreport.Write(o.out, res); err != nil {
		return &exitError{code: exitTrouble, err: fmt.Errorf("import sosreport: %w", err)}
	}
	if o.quiet {
		return nil
	}
	var unavail, partial []string
	tables := 0
	for _, ns := range res.Namespaces {
		label := ns.Info.Name
		if ns.Info.Host {
			label = "sos's namespace"
		}
		for _, t := range snapshots.NamespaceTables {
			st, ok := ns.Status[t]
			if !ok {
				continue
			}
			tables++
			switch st.State {
			case snapshots.StateUnavailable:
				unavail = append(unavail, fmt.Sprintf("%s (%s)", t, label))
			case snapshots.StatePartial:
				partial = append(partial, fmt.Sprintf("%s (%s)", t, label))
			}
		}
	}
	size := int64(0)
	if st, err := os.Stat(o.out); err == nil {
		size = st.Size()
	}
	fmt.Fprintf(g.stderr, "netmortem: wrote %s from %s (%s): %d namespace(s), %d tables, %d bytes\n",
		o.out, res.Meta.Source.Origin, res.Meta.Source.Detail, len(res.Namespaces), tables, size)
	if len(unavail) > 0 {
		fmt.Fprintf(g.stderr, "netmortem: not in the bundle: %s\n", strings.Join(unavail, ", "))
	}
	if len(partial) > 0 {
		fmt.Fprintf(g.stderr, "netmortem: partial: %s (netmortem info %s gives the reasons)\n", strings.Join(partial, ", "), o.out)
	}
	for _, w := range res.Meta.Warnings {
		fmt.Fprintf(g.stderr, "netmortem: warning: %s\n", w)
	}
	return nil
}
