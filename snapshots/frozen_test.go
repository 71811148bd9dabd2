package snapshots_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netmortem/netmortem/snapshots"
	"github.com/netmortem/netmortem/snapshots/synth"
)

var freeze = flag.Bool("freeze", false, "write the frozen snapshot of the current format version")

// TestFrozenFormats reads the snapshot kept for every released format
// version: whatever the reader becomes, files written by older netmortems
// stay readable. -freeze writes the current version's file (only when a
// new format version is released).
func TestFrozenFormats(t *testing.T) {
	cur := filepath.Join("..", "testdata", "snapshots", "format-v"+snapshots.FormatVersion.String()+".nms")
	if *freeze {
		os.MkdirAll(filepath.Dir(cur), 0o755)
		writeFull(t, cur)
	}
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "snapshots", "format-v*.nms"))
	if len(files) == 0 {
		t.Fatal("no frozen snapshots in testdata/snapshots")
	}
	for _, path := range files {
		r, err := snapshots.Open(path, snapshots.ReaderOptions{})
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, f := range r.Verify() {
			if f.Err != nil {
				t.Errorf("%s: %s: %v", path, f.Name, f.Err)
			}
		}
		// Frame 1 of namespace 1 is synth.Full(11) in every version so far.
		l, err := r.Load(1, 1, snapshots.NamespaceTables...)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(*synth.Full(11), l.Tables, cmpOpts); d != "" {
			t.Errorf("%s frame 1 namespace 1 (-want +got):\n%s", path, d)
		}
		r.Close()
	}
}
