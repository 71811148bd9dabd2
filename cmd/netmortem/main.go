// Command netmortem captures every Linux kernel network table into one
// snapshot file and replays Solaris netstat(1M) displays against it
// offline, diffs two captures, and runs netstat's route filters.
package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
)

// Exit statuses (documented in every command's help).
const (
	exitOK      = 0
	exitDiffers = 1 // diff: the captures differ
	exitTrouble = 2 // bad usage, unreadable or damaged input, failed capture
)

// exitError carries an exit status and, optionally, a message.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// usageErr marks a command-line mistake.
func usageErr(format string, args ...any) error {
	return &exitError{code: exitTrouble, err: fmt.Errorf(format, args...)}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// NETMORTEM_CPUPROFILE=FILE writes a CPU profile of the run, for
	// reports about slow captures or replays.
	if path := os.Getenv("NETMORTEM_CPUPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil {
			if pprof.StartCPUProfile(f) == nil {
				defer f.Close()
			}
		}
	}
	code := runBuffered(ctx, os.Args[1:], os.Stdout, os.Stderr)
	pprof.StopCPUProfile()
	stop()
	os.Exit(code)
}

// runBuffered is run with stdout going through one buffer (a table
// written cell by cell was a write(2) per cell). Anything written to
// stderr first flushes it, so a terminal still shows both streams in the
// order they were written; output that does not reach its file (a full
// disk) fails the command.
func runBuffered(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	out := bufio.NewWriterSize(stdout, 64<<10)
	code := run(ctx, args, out, flushFirst{out, stderr})
	if err := out.Flush(); err != nil && code == exitOK {
		fmt.Fprintln(stderr, "netmortem: writing output:", err)
		code = exitTrouble
	}
	return code
}

// flushFirst writes to w after flushing the buffered stdout.
type flushFirst struct {
	out *bufio.Writer
	w   io.Writer
}

func (f flushFirst) Write(p []byte) (int, error) {
	f.out.Flush()
	return f.w.Write(p)
}

// stderrFile finds the file behind the stderr writer, if there is one.
func stderrFile(w io.Writer) (*os.File, bool) {
	if f, ok := w.(flushFirst); ok {
		w = f.w
	}
	f, ok := w.(*os.File)
	return f, ok
}

// run executes one command line and maps its error to an exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRootCommand(stdout, stderr)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(stderr, "netmortem:", ee.err)
		}
		return ee.code
	}
	fmt.Fprintln(stderr, "netmortem:", err)
	return exitTrouble
}
