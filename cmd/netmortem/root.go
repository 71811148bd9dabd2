package main

import (
	"fmt"
	"io"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// globals are the options every command shares.
type globals struct {
	output string // text, json or yaml
	stdout io.Writer
	stderr io.Writer
}

// commands lists the constructors of the subcommands; each command's file
// adds its own in an init function.
var commands []func(*globals) *cobra.Command

func newRootCommand(stdout, stderr io.Writer) *cobra.Command {
	g := &globals{stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:   "netmortem",
		Short: "Capture Linux network tables into a snapshot; replay netstat on it offline",
		Long: `netmortem captures every Linux kernel network table (sockets, routes of
every table, rules, neighbours, interfaces and addresses, multicast,
statistics, DHCP leases) into one compressed snapshot file. Offline, on any
machine, it replays the nine displays of Solaris netstat(1M) against a
snapshot, diffs two snapshots, and runs netstat's route filters.

Names (hosts, networks, services, routing tables) are resolved from the
captured host's own files, never from the machine reading the snapshot.` + exitStatusHelp(""),
		Version:       toolVersion(),
		SilenceErrors: true,
		SilenceUsage:  true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			switch g.output {
			case "text", "json", "yaml":
				return nil
			}
			return usageErr("--output %q: want text, json or yaml", g.output)
		},
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.PersistentFlags().StringVar(&g.output, "output", "text", "output format: text, json or yaml")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &exitError{code: exitTrouble, err: fmt.Errorf("%v\nRun '%s --help' for usage.", err, c.CommandPath())}
	})
	for _, mk := range commands {
		root.AddCommand(mk(g))
	}
	return root
}

// exitStatusHelp is the EXIT STATUS block ending every command's help.
func exitStatusHelp(extra string) string {
	s := "\n\nEXIT STATUS\n  0  success\n"
	if extra != "" {
		s += extra
	}
	return s + "  2  bad usage, or unreadable or damaged input (the message names the file,\n     section and reason)"
}

// toolVersion is the module version or VCS revision the binary was built
// from.
func toolVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	v := bi.Main.Version
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += "+" + s.Value[:12]
		}
		if s.Key == "vcs.modified" && s.Value == "true" {
			v += "-dirty"
		}
	}
	return v
}

// exactArgs is cobra.ExactArgs with a usage error naming what is missing.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usageErr("%s: want %s, got %d argument(s)\nRun '%s --help' for usage.", cmd.CommandPath(), what, len(args), cmd.CommandPath())
		}
		return nil
	}
}
