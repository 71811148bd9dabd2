package main

import "github.com/spf13/cobra"

func init() { commands = append(commands, newImportCommand) }

// importCommands lists the constructors of `import` subcommands; each
// source's file adds its own in an init function.
var importCommands []func(*globals) *cobra.Command

func newImportCommand(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import SOURCE PATH -o FILE",
		Short: "Turn a sosreport or a kernel crash dump into a snapshot",
		Long: `import reads network state that was saved by other means — a customer's
sosreport, a kernel crash dump — into an ordinary snapshot, so that every
netstat display, the route filters and diff work on it.` + exitStatusHelp(""),
	}
	for _, mk := range importCommands {
		cmd.AddCommand(mk(g))
	}
	return cmd
}
