package routes

import (
	"sync"
	"testing"

	"github.com/netmortem/netmortem/snapshots"
	"github.com/netmortem/netmortem/snapshots/synth"
)

var (
	bigOnce   sync.Once
	bigRoutes []snapshots.Route
)

// big1M is synth's BGP-like table of 1M IPv4 routes (devices 2–4).
func big1M() []snapshots.Route {
	bigOnce.Do(func() { bigRoutes = synth.Routes(1_000_000, 1) })
	return bigRoutes
}

func benchSelect(b *testing.B, args ...string) {
	rs := big1M()
	links := []snapshots.Link{{Index: 1, Name: "lo"}, {Index: 2, Name: "eth0"}, {Index: 3, Name: "eth1"}, {Index: 4, Name: "eth2"}}
	e, err := ParseAll(args, Env{Ifaces: NewLinkNames(links, nil)})
	if err != nil {
		b.Fatal(err)
	}
	if len(args) == 0 {
		e = nil
	}
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		n = len(Select(rs, false, e))
	}
	b.ReportMetric(float64(n), "rows")
}

// BenchmarkFilterDst1M is netstat -rn -f dst:20.0.0.0/8 on 1M routes.
func BenchmarkFilterDst1M(b *testing.B) { benchSelect(b, "dst:20.0.0.0/8") }

// BenchmarkFilterOutif1M is netstat -rn -f outif:eth1 on 1M routes.
func BenchmarkFilterOutif1M(b *testing.B) { benchSelect(b, "outif:eth1") }

// BenchmarkSelect1M is netstat -rn (no filter) on 1M routes.
func BenchmarkSelect1M(b *testing.B) { benchSelect(b) }
