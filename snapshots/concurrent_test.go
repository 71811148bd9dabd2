package snapshots_test

import (
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/netmortem/netmortem/snapshots"
	"github.com/netmortem/netmortem/snapshots/synth"
)

// TestConcurrentWriteTable writes every table of two namespaces from
// goroutines at once, as capture does, and reads them all back (run with
// -race to check the writer's locking).
func TestConcurrentWriteTable(t *testing.T) {
	path := t.TempDir() + "/c.nms"
	w, err := snapshots.Create(path, synth.Meta())
	if err != nil {
		t.Fatal(err)
	}
	w.OneFrame()
	want := []*snapshots.Tables{synth.Full(1), synth.Full(2)}
	for range want {
		w.AddNamespace(snapshots.NamespaceInfo{})
	}
	w.BeginFrame(time.Unix(1, 0))
	var wg sync.WaitGroup
	for ns, ts := range want {
		for _, tb := range snapshots.NamespaceTables {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := w.WriteTable(ns, tb, snapshots.OK(time.Unix(1, 0)), ts); err != nil {
					t.Error(err)
				}
			}()
		}
	}
	wg.Wait()
	w.EndFrame(time.Unix(2, 0))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := snapshots.Open(path, snapshots.ReaderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for ns, ts := range want {
		l, err := r.Load(0, ns, snapshots.NamespaceTables...)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(*ts, l.Tables, cmpOpts); d != "" {
			t.Errorf("namespace %d (-want +got):\n%s", ns, d)
		}
	}
}
