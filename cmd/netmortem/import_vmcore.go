package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/netmortem/netmortem/capture/vmcore"
	"github.com/netmortem/netmortem/snapshots"
)

func init() { importCommands = append(importCommands, newImportVmcoreCommand) }

type importVmcoreOptions struct {
	out        string
	maxObjects int
	quiet      bool
}

func newImportVmcoreCommand(g *globals) *cobra.Command {
	var o importVmcoreOptions
	cmd := &cobra.Command{
		Use:   "vmcore VMCORE -o FILE",
		Short: "Read the network tables out of a kernel crash dump",
		Long: `vmcore reads the network state of a crashed Linux kernel out of its dump —
with nothing but the dump: symbols come from the kernel's own kallsyms and
types from its own BTF, both found in the dump, so no debuginfo is needed.

Inputs: ELF vmcores (/proc/vmcore, makedumpfile -E, QEMU dump-guest-memory,
including more than 65534 segments) and kdump-compressed files with zlib
pages; x86-64 kernels 6.0 and later. For every network namespace on
net_namespace_list it reads devices, addresses, IPv4 and IPv6 routes of
every table, rules, neighbours, TCP (listening and established) and UDP
sockets, and SNMP counters. A table that cannot be read is recorded as
unavailable with the reason; list walks are bounded (--max-objects) so a
corrupt dump cannot hang the import.` + exitStatusHelp(""),
		Args: exactArgs(1, "one VMCORE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.out == "" {
				return usageErr("import vmcore: -o FILE is required")
			}
			res, err := vmcore.Import(cmd.Context(), args[0], vmcore.Options{MaxObjects: o.maxObjects})
			if err != nil {
				return &exitError{code: exitTrouble, err: fmt.Errorf("import vmcore %s: %w", args[0], err)}
			}
			res.Meta.CommandLine = append([]string{"netmortem"}, os.Args[1:]...)
			res.Meta.ToolVersion = toolVersion()
			if err := vmcore.Write(o.out, res); err != nil {
				return &exitError{code: exitTrouble, err: fmt.Errorf("import vmcore: %w", err)}
			}
			if !o.quiet {
				var bad []string
				for _, t := range snapshots.NamespaceTables {
					for _, ns := range res.Namespaces {
						if st, ok := ns.Status[t]; ok && st.State != snapshots.StateOK {
							bad = append(bad, string(t))
							break
						}
					}
				}
				fmt.Fprintf(g.stderr, "netmortem: wrote %s: %s dump of %s, %d namespace(s)\n", o.out, res.Meta.Source.Detail, res.Meta.KernelRelease, len(res.Namespaces))
				if len(bad) > 0 {
					fmt.Fprintf(g.stderr, "netmortem: not read from the dump, or partial: %s (netmortem info %s says why)\n", strings.Join(bad, ", "), o.out)
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&o.out, "output-file", "o", "", "snapshot file to write (required)")
	cmd.Flags().IntVar(&o.maxObjects, "max-objects", 0, "most objects one kernel list walk may visit (default 4000000)")
	cmd.Flags().BoolVarP(&o.quiet, "quiet", "q", false, "no summary on stderr")
	return cmd
}
