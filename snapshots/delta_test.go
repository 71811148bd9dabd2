package snapshots_test

import (
	"bytes"
	"reflect"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/netmortem/netmortem/snapshots"
	"github.com/netmortem/netmortem/snapshots/synth"
)

// TestDeltaSeries writes a 40-frame series of a 10k-route table in which
// one route changes per frame: every frame reads back exactly, and the
// changed frames are stored as small deltas from the first.
func TestDeltaSeries(t *testing.T) {
	const frames = 40
	base := synth.Routes(10_000, 3)
	var want [][]snapshots.Route
	for f := 0; f < frames; f++ {
		rs := append([]snapshots.Route(nil), base...)
		rs[f*97%len(rs)].Priority = uint32(1000 + f) // one route changes
		want = append(want, rs)
	}
	// Measure one frame alone.
	var single bytes.Buffer
	sw, _ := snapshots.NewWriter(&single, synth.Meta())
	sw.AddNamespace(snapshots.NamespaceInfo{Host: true})
	sw.BeginFrame(time.Unix(0, 0))
	sw.WriteTable(0, snapshots.TableRoutes, snapshots.OK(time.Unix(0, 0)), &snapshots.Tables{Routes: want[0]})
	sw.Close()
	one := single.Len()

	var buf bytes.Buffer
	w, _ := snapshots.NewWriter(&buf, synth.Meta())
	w.AddNamespace(snapshots.NamespaceInfo{Host: true})
	for f := 0; f < frames; f++ {
		w.BeginFrame(time.Unix(int64(f), 0))
		if err := w.WriteTable(0, snapshots.TableRoutes, snapshots.OK(time.Unix(int64(f), 0)), &snapshots.Tables{Routes: want[f]}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := snapshots.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()), snapshots.ReaderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	whole := 0
	for f := 0; f < frames; f++ {
		s := r.Find(f, 0, snapshots.TableRoutes)
		if s.Base < 0 {
			whole++
		}
		l, err := r.Load(f, 0, snapshots.TableRoutes)
		if err != nil {
			t.Fatalf("frame %d: %v", f, err)
		}
		// go-cmp is slow on 10k rows; it only explains a failure.
		if !reflect.DeepEqual(want[f], l.Routes) {
			t.Fatalf("frame %d differs:\n%.2000s", f, cmp.Diff(want[f], l.Routes, cmpOpts))
		}
	}
	if whole != 1 {
		t.Errorf("%d whole copies in %d frames", whole, frames)
	}
	// The deltas together stay small.
	if limit := one + frames*1000; buf.Len() > limit {
		t.Errorf("series of %d frames is %d bytes; one frame is %d (limit %d)", frames, buf.Len(), one, limit)
	}
	t.Logf("one frame %d bytes, %d frames %d bytes (%d whole copies)", one, frames, buf.Len(), whole)
	for _, f := range r.Verify() {
		if f.Err != nil {
			t.Errorf("verify: %s: %v", f.Name, f.Err)
		}
	}
}
