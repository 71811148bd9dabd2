package main

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "rewrite the expected output in the scripts")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"netmortem": func() { os.Exit(runBuffered(context.Background(), os.Args[1:], os.Stdout, os.Stderr)) },
	})
}

// TestScript runs the end-to-end scripts in testdata/script against the
// real binary. $SNAPSHOTS is the repository's testdata/snapshots.
func TestScript(t *testing.T) {
	snaps, _ := filepath.Abs("../../testdata/snapshots")
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: *update,
		Setup: func(e *testscript.Env) error {
			e.Setenv("SNAPSHOTS", snaps)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// flipbyte FILE OFFSET: invert one byte (negative offsets count from the end).
			"flipbyte": func(ts *testscript.TestScript, neg bool, args []string) {
				b, off := readForEdit(ts, args)
				b[off] ^= 0xff
				ts.Check(os.WriteFile(ts.MkAbs(args[0]), b, 0o644))
			},
			// truncate FILE SIZE: cut a file (negative sizes count from the end).
			"truncate": func(ts *testscript.TestScript, neg bool, args []string) {
				b, off := readForEdit(ts, args)
				ts.Check(os.WriteFile(ts.MkAbs(args[0]), b[:off], 0o644))
			},
		},
	})
}

func readForEdit(ts *testscript.TestScript, args []string) ([]byte, int) {
	if len(args) != 2 {
		ts.Fatalf("usage: %s FILE OFFSET", "flipbyte|truncate")
	}
	b, err := os.ReadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	off, err := strconv.Atoi(args[1])
	ts.Check(err)
	if off < 0 {
		off += len(b)
	}
	if off < 0 || off > len(b) {
		ts.Fatalf("offset %s outside a file of %d bytes", args[1], len(b))
	}
	return b, off
}
