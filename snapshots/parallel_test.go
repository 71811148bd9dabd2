package snapshots_test

import (
	"net/netip"
	"reflect"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/netmortem/netmortem/snapshots"
	"github.com/netmortem/netmortem/snapshots/synth"
)

// TestBigTableRoundTrip covers the parallel decoding of big tables: every
// column set, rows varying, more rows than the parallel threshold.
func TestBigTableRoundTrip(t *testing.T) {
	const n = 150_000
	full := synth.Full(1)
	rs := make([]snapshots.Route, n)
	for i := range rs {
		r := full.Routes[0]
		r.Dst = netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}), 32)
		r.Priority = uint32(i)
		switch i % 3 {
		case 0:
			r.X = nil
		case 1:
			x := *r.X
			x.Mark = uint32(i)
			r.X = &x
		}
		if i%5 == 0 {
			r.NextHops = r.NextHops[:1]
		}
		rs[i] = r
	}
	r := writeOne(t, snapshots.TableRoutes, &snapshots.Tables{Routes: rs})
	l, err := r.Load(0, 0, snapshots.TableRoutes)
	if err != nil {
		t.Fatal(err)
	}
	// A filtered load builds exactly the routes its predicate accepts.
	keep := func(r *snapshots.Route) bool {
		return r.Priority%7 == 0 || (len(r.NextHops) > 1 && r.NextHops[1].OIF == 4) || r.Src().IsValid() && r.Priority%5 == 0
	}
	lw, err := r.LoadWhere(0, 0, keep, snapshots.TableRoutes)
	if err != nil {
		t.Fatal(err)
	}
	var want []snapshots.Route
	for i := range rs {
		if keep(&rs[i]) {
			want = append(want, rs[i])
		}
	}
	if len(want) == 0 || len(want) == len(rs) || !reflect.DeepEqual(want, lw.Routes) {
		t.Errorf("filtered load: %d routes, want %d", len(lw.Routes), len(want))
		for i := range want {
			if i < len(lw.Routes) {
				if d := cmp.Diff(want[i], lw.Routes[i], cmpOpts); d != "" {
					t.Fatalf("row %d:\n%s", i, d)
				}
			}
		}
	}
	if !reflect.DeepEqual(rs, l.Routes) {
		for i := range rs {
			if d := cmp.Diff(rs[i], l.Routes[i], cmpOpts); d != "" {
				t.Fatalf("row %d:\n%s", i, d)
			}
		}
		t.Fatal("tables differ")
	}
}

// TestBigSocketTableRoundTrip covers the parallel decoding of sockets and
// the shuffled tcp_info column with rows of several sizes.
func TestBigSocketTableRoundTrip(t *testing.T) {
	const n = 120_000
	base := synth.Full(2).InetSockets[0]
	ss := make([]snapshots.InetSocket, n)
	for i := range ss {
		s := base
		s.Inode = uint64(i)
		s.Local = netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}), uint16(i))
		switch i % 4 {
		case 0:
			s.TCPInfo = nil
			s.Cong = ""
		case 1:
			s.TCPInfo = append([]byte(nil), s.TCPInfo[:104]...)
			s.TCPInfo[3] = byte(i)
		case 2:
			s.Raw = nil
		}
		ss[i] = s
	}
	r := writeOne(t, snapshots.TableInet, &snapshots.Tables{InetSockets: ss})
	l, err := r.Load(0, 0, snapshots.TableInet)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ss, l.InetSockets) {
		for i := range ss {
			if d := cmp.Diff(ss[i], l.InetSockets[i], cmpOpts); d != "" {
				t.Fatalf("row %d:\n%s", i, d)
			}
		}
	}
}

// writeOne writes one table of one frame to a temporary snapshot and opens
// it; the reader is closed when the test ends.
func writeOne(t *testing.T, table snapshots.Table, ts *snapshots.Tables) *snapshots.Reader {
	t.Helper()
	path := t.TempDir() + "/one.nms"
	w, err := snapshots.Create(path, synth.Meta())
	if err != nil {
		t.Fatal(err)
	}
	w.AddNamespace(snapshots.NamespaceInfo{Host: true})
	w.BeginFrame(time.Unix(1, 0))
	if err := w.WriteTable(0, table, snapshots.OK(time.Unix(1, 0)), ts); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := snapshots.Open(path, snapshots.ReaderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}
