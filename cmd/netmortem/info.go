package main

import (
	"github.com/spf13/cobra"

	"github.com/netmortem/netmortem/format/describe"
	"github.com/netmortem/netmortem/format/records"
	"github.com/netmortem/netmortem/snapshots"
)

func init() { commands = append(commands, newInfoCommand) }

type infoOptions struct {
	frame     int
	allFrames bool
}

func newInfoCommand(g *globals) *cobra.Command {
	var o infoOptions
	cmd := &cobra.Command{
		Use:   "info SNAPSHOT",
		Short: "Show a snapshot's metadata, namespaces, frames and tables",
		Long: `info prints what a snapshot holds: where and when it was captured, its
network namespaces and frames, and for every table its capture status
(ok, partial, unavailable with the reason), row count and size. It reads
only the file's header and index, so it is instant whatever the size.

Without --frame, the tables of every frame are listed for series of up to
three frames; for longer series the first and last frame are listed and a
line summarises the others.` + exitStatusHelp(""),
		Args: exactArgs(1, "one SNAPSHOT"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runInfo(g, o, args[0], cmd.Flags().Changed("frame"))
		},
	}
	cmd.Flags().IntVar(&o.frame, "frame", 0, "list the tables of this frame only")
	cmd.Flags().BoolVar(&o.allFrames, "all-frames", false, "list the tables of every frame")
	return cmd
}

func runInfo(g *globals, o infoOptions, path string, frameSet bool) error {
	r, err := openSnapshot(path)
	if err != nil {
		return err
	}
	defer r.Close()
	in := describe.NewInfo(path, &r.Index)
	if g.output != "text" {
		return records.Write(g.stdout, g.output, in)
	}
	var frames []int
	switch n := len(r.Frames); {
	case frameSet:
		if o.frame < 0 || o.frame >= n {
			return usageErr("--frame %d: %s has frames 0 to %d", o.frame, path, n-1)
		}
		frames = []int{o.frame}
	case o.allFrames || n <= 3:
		frames = nil
	default:
		frames = []int{0, n - 1}
	}
	return describe.WriteInfo(g.stdout, in, frames)
}

// openSnapshot opens a snapshot for reading; failures are exit status 2.
func openSnapshot(path string) (*snapshots.Reader, error) {
	r, err := snapshots.Open(path, snapshots.ReaderOptions{MaxSectionMemory: maxSectionMemory()})
	if err != nil {
		return nil, &exitError{code: exitTrouble, err: err}
	}
	return r, nil
}
