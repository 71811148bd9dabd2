package iptext_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/netmortem/netmortem/capture/sosreport/iptext"
)

// BenchmarkRoutes1M parses a full-BGP-sized `ip route` output: one
// million routes.
func BenchmarkRoutes1M(b *testing.B) {
	var buf bytes.Buffer
	for i := 0; i < 1_000_000; i++ {
		fmt.Fprintf(&buf, "%d.%d.%d.0/24 via 192.0.2.%d dev a%d proto bgp metric 20 \n", 1+i>>16, i>>8&255, i&255, 1+i%200, i%2)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		rs, sk := iptext.ParseRoutes(data, 0, false, 100, labNames)
		if len(rs.Routes) != 1_000_000 || sk.Lines != 0 {
			b.Fatalf("%d routes, %+v", len(rs.Routes), sk)
		}
	}
}
