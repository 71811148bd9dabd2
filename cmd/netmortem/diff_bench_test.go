package main

import (
	"context"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/netmortem/netmortem/snapshots"
	"github.com/netmortem/netmortem/snapshots/synth"
)

// writeRoutePair writes two snapshots of a 1M-route table that differ in
// 1 % of their routes (a third with a new gateway, a third deleted, a
// third replaced by another prefix), with the interfaces the routes use.
func writeRoutePair(tb testing.TB, dir string) (string, string) {
	tb.Helper()
	old := synth.Routes(1_000_000, 1)
	new := make([]snapshots.Route, 0, len(old))
	for i, r := range old {
		if i%100 == 50 {
			switch (i / 100) % 3 {
			case 0:
				r.NextHops = []snapshots.NextHop{{Gateway: netip.MustParseAddr("192.0.2.99"), OIF: 2, Weight: 1}}
			case 1:
				continue
			case 2:
				r.Dst = netip.PrefixFrom(netip.AddrFrom4([4]byte{240, byte(i >> 16), byte(i >> 8), byte(i)}), 32)
			}
		}
		new = append(new, r)
	}
	links := []snapshots.Link{{Index: 1, Name: "lo"}, {Index: 2, Name: "eth0"}, {Index: 3, Name: "eth1"}, {Index: 4, Name: "eth2"}}
	write := func(name string, rs []snapshots.Route, at time.Time) string {
		path := filepath.Join(dir, name)
		m := synth.Meta()
		m.CaptureStart, m.CaptureEnd = at, at.Add(time.Second)
		w, err := snapshots.Create(path, m)
		if err != nil {
			tb.Fatal(err)
		}
		w.AddNamespace(snapshots.NamespaceInfo{Host: true, Inode: 4026531840})
		w.BeginFrame(at)
		ts := &snapshots.Tables{Links: links, Routes: rs}
		for _, t := range []snapshots.Table{snapshots.TableLinks, snapshots.TableRoutes} {
			if err := w.WriteTable(0, t, snapshots.OK(at), ts); err != nil {
				tb.Fatal(err)
			}
		}
		w.EndFrame(at.Add(time.Second))
		if err := w.Close(); err != nil {
			tb.Fatal(err)
		}
		return path
	}
	t0 := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	return write("routes-old.nms", old, t0), write("routes-new.nms", new, t0.Add(time.Minute))
}

// BenchmarkDiffRoutes1M runs `netmortem diff OLD NEW` on two 1M-route
// snapshots differing in 1 % of their routes, output discarded.
func BenchmarkDiffRoutes1M(b *testing.B) {
	oldPath, newPath := writeRoutePair(b, b.TempDir())
	runtime.GC()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if code := run(context.Background(), []string{"diff", oldPath, newPath}, io.Discard, io.Discard); code != exitDiffers {
			b.Fatalf("exit %d", code)
		}
	}
}

// TestWriteDiffBenchFiles writes the benchmark's two snapshots to
// $NETMORTEM_DIFF_BENCH_DIR, to time the real command:
//
//	/usr/bin/time -v netmortem diff DIR/routes-old.nms DIR/routes-new.nms >/dev/null
func TestWriteDiffBenchFiles(t *testing.T) {
	dir := os.Getenv("NETMORTEM_DIFF_BENCH_DIR")
	if dir == "" {
		t.Skip("set NETMORTEM_DIFF_BENCH_DIR to write the 1M-route benchmark snapshots")
	}
	o, n := writeRoutePair(t, dir)
	t.Logf("wrote %s and %s", o, n)
}
