package solaris

import (
	"bufio"
	"io"
	"net/netip"
	"testing"

	"github.com/netmortem/netmortem/analyze/netstat"
	"github.com/netmortem/netmortem/analyze/routes"
	"github.com/netmortem/netmortem/snapshots"
)

// f5BenchPass is a pass over n neighbours, n memberships and n multicast
// cache entries (IPv4 and IPv6 halves) with -n.
func f5BenchPass(b *testing.B, n int, req netstat.Request) *Pass {
	var ts snapshots.Tables
	for i := 0; i < n; i++ {
		v4 := netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
		v6 := netip.AddrFrom16([16]byte{0xfd, 0, 0, 1, 12: byte(i >> 24), 13: byte(i >> 16), 14: byte(i >> 8), 15: byte(i)})
		g := netip.AddrFrom4([4]byte{239, byte(i >> 16), byte(i >> 8), byte(i)})
		ts.Neighbours = append(ts.Neighbours,
			snapshots.Neighbour{Family: snapshots.AFInet, Index: 2, Addr: v4, LLAddr: []byte{2, 0, 0, byte(i >> 16), byte(i >> 8), byte(i)}, State: 0x02},
			snapshots.Neighbour{Family: snapshots.AFInet6, Index: 2, Addr: v6, LLAddr: []byte{2, 0, 0, byte(i >> 16), byte(i >> 8), byte(i)}, State: 0x04})
		ts.Groups = append(ts.Groups, snapshots.Membership{Family: snapshots.AFInet, IfIndex: 2, IfName: "eth0", Group: g, Users: 1})
		ts.MFC = append(ts.MFC, snapshots.MFCEntry{Family: snapshots.AFInet, Table: 253, Source: v4, Group: g, Packets: uint64(i),
			Resolved: true, Oifs: []snapshots.MFCOif{{Vif: 1, TTL: 1}, {Vif: 2, TTL: 1}}})
	}
	r, err := netstat.Parse(req, nil, nil, routes.Env{})
	if err != nil {
		b.Fatal(err)
	}
	v := f5FuzzView(&ts, 0)
	return &Pass{Cur: v, Req: r, P: &Printer{Names: v.Names, Numeric: true}}
}

func benchForm(b *testing.B, f netstat.Form, req netstat.Request) {
	const n = 100000
	p := f5BenchPass(b, n, req)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w := bufio.NewWriter(io.Discard)
		if err := forms[f].Text(w, p); err != nil {
			b.Fatal(err)
		}
		w.Flush()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/row")
}

// BenchmarkF5NetToMedia: -pn over 100k IPv4 and 100k IPv6 neighbours.
func BenchmarkF5NetToMedia(b *testing.B) {
	benchForm(b, netstat.FormARP, netstat.Request{ARP: true, Numeric: true})
}

// BenchmarkF5Groups: -gn over 100k memberships.
func BenchmarkF5Groups(b *testing.B) {
	benchForm(b, netstat.FormGroups, netstat.Request{Groups: true, Numeric: true})
}

// BenchmarkF5Mroute: -Mn over 100k cache entries.
func BenchmarkF5Mroute(b *testing.B) {
	benchForm(b, netstat.FormMroute, netstat.Request{Mroute: true, Numeric: true})
}
