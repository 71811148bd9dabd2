package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/netmortem/netmortem/format/describe"
	"github.com/netmortem/netmortem/format/records"
)

func init() { commands = append(commands, newVerifyCommand) }

func newVerifyCommand(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "verify SNAPSHOT",
		Short: "Check the integrity of every section of a snapshot",
		Long: `verify decodes every section of a snapshot, checks its checksum, content
hash and row count, and lists the intact and the damaged sections. It keeps
going past damage, so a partly broken file still tells what can be used.` +
			exitStatusHelp("") + " or some section is damaged",
		Args: exactArgs(1, "one SNAPSHOT"),
		RunE: func(cmd *cobra.Command, args []string) error {
			bigRunFor(args[0])
			r, err := openSnapshot(args[0])
			if err != nil {
				return err
			}
			defer r.Close()
			v := describe.NewVerification(args[0], r.Verify())
			if g.output != "text" {
				err = records.Write(g.stdout, g.output, v)
			} else {
				err = describe.WriteVerification(g.stdout, v)
			}
			if err != nil {
				return err
			}
			if v.Damaged > 0 {
				return &exitError{code: exitTrouble, err: fmt.Errorf("%s: %d of %d sections damaged", args[0], v.Damaged, v.Damaged+v.Intact)}
			}
			return nil
		},
	}
}
