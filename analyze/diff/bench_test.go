package diff

import (
	"net/netip"
	"testing"
	"time"

	"github.com/netmortem/netmortem/snapshots"
	"github.com/netmortem/netmortem/snapshots/synth"
)

// ChangeRoutes returns a copy of rs in which one route in every step is
// changed: a third get a new gateway, a third are deleted, a third are
// replaced by a new prefix.
func changeRoutes(rs []snapshots.Route, step int) []snapshots.Route {
	out := make([]snapshots.Route, 0, len(rs))
	for i, r := range rs {
		if i%step == step/2 {
			switch (i / step) % 3 {
			case 0:
				r.NextHops = []snapshots.NextHop{{Gateway: netip.MustParseAddr("192.0.2.99"), OIF: 2, Weight: 1}}
			case 1:
				continue
			case 2:
				r.Dst = netip.PrefixFrom(netip.AddrFrom4([4]byte{240, byte(i >> 16), byte(i >> 8), byte(i)}), 32)
			}
		}
		out = append(out, r)
	}
	return out
}

func TestChangeRoutesCounts(t *testing.T) {
	old := synth.Routes(10_000, 1)
	r := Compare(mkSide(&snapshots.Tables{Routes: old}, t0), mkSide(&snapshots.Tables{Routes: changeRoutes(old, 100)}, t0),
		Options{Tables: []snapshots.Table{snapshots.TableRoutes}})
	s := r.Sections[0]
	// 100 routes touched: 34 changed, 33 deleted, 33 replaced.
	if s.Changed != 34 || s.Removed != 66 || s.Added != 33 || s.Unchanged != 10_000-100 {
		t.Errorf("changed %d removed %d added %d unchanged %d", s.Changed, s.Removed, s.Added, s.Unchanged)
	}
}

// BenchmarkCompareRoutes1M compares two 1M-route tables differing in 1 %
// of their routes (the engine alone; cmd/netmortem's benchmark adds file
// reading).
func BenchmarkCompareRoutes1M(b *testing.B) {
	old := synth.Routes(1_000_000, 1)
	new := changeRoutes(old, 100)
	o := mkSide(&snapshots.Tables{Routes: old}, t0)
	n := mkSide(&snapshots.Tables{Routes: new}, t0.Add(time.Minute))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := Compare(o, n, Options{Tables: []snapshots.Table{snapshots.TableRoutes}})
		if r.Sections[0].Changed == 0 {
			b.Fatal("no change found")
		}
	}
}
