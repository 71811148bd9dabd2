package names

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
)

// BenchmarkLookups measures one row's worth of lookups (host name, service
// name, network name) against databases of realistic size.
func BenchmarkLookups(b *testing.B) {
	var hosts strings.Builder
	for i := 0; i < 10000; i++ {
		fmt.Fprintf(&hosts, "10.%d.%d.%d host%d.example.com host%d\n", i>>16&255, i>>8&255, i&255, i, i)
	}
	r := New(Files{Hostname: "vm.example.com", Hosts: []byte(hosts.String()),
		Services: mustRead(b, "testdata/debian/services"), Networks: mustRead(b, "testdata/debian/networks")})
	addrs := make([]netip.Addr, 1024)
	for i := range addrs {
		addrs[i] = netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)})
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a := addrs[i&1023]
		r.HostName(a)
		r.ServiceName(uint16(i), "tcp")
		r.RouteDestName(netip.PrefixFrom(a, 24))
	}
}
