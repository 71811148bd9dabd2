package procnet

import (
	"bytes"
	"encoding/binary"
	"strconv"
	"strings"
	"testing"

	"github.com/netmortem/netmortem/snapshots"
)

func TestRoute(t *testing.T) {
	gw1, gw2 := mustAddr("10.1.0.2"), mustAddr("10.2.0.2")
	uni := func(dst string, scope uint8, prio uint32, nh snapshots.NextHop) snapshots.Route {
		return snapshots.Route{Family: snapshots.AFInet, Table: 254, Type: rtnUnicast, Scope: scope, Dst: mustPrefix(dst),
			Priority: prio, NextHops: []snapshots.NextHop{nh}}
	}
	want := []snapshots.Route{
		uni("0.0.0.0/0", 0, 0, snapshots.NextHop{Gateway: gw1, OIF: 2, Weight: 1}),
		uni("10.1.0.0/24", scopeLink, 0, snapshots.NextHop{OIF: 2, Weight: 1}),
		uni("10.2.0.0/24", scopeLink, 0, snapshots.NextHop{OIF: 3, Weight: 1}),
		uni("10.8.8.8/32", 0, 0, snapshots.NextHop{Gateway: gw1, OIF: 2, Weight: 1}),
		// The multipath route (via 10.1.0.2 dev a0, via 10.2.0.2 dev a1):
		// the file shows its first hop only.
		uni("10.50.0.0/16", 0, 0, snapshots.NextHop{Gateway: gw1, OIF: 2, Weight: 1}),
		// "metric 50 mtu 1300": the MTU metric is not in the file.
		uni("10.60.0.0/16", 0, 50, snapshots.NextHop{Gateway: gw2, OIF: 3, Weight: 1}),
		{Family: snapshots.AFInet, Table: 254, Type: rtnBlackhole, Dst: mustPrefix("10.66.0.0/16")},
		{Family: snapshots.AFInet, Table: 254, Type: rtnUnreachable, Dst: mustPrefix("10.67.0.0/16")},
		// prohibit prints the same RTF_REJECT as unreachable.
		{Family: snapshots.AFInet, Table: 254, Type: rtnUnreachable, Dst: mustPrefix("10.68.0.0/16")},
	}
	for _, c := range []struct {
		dir   string
		order binary.ByteOrder
	}{{x86Dir, le}, {s390Dir, be}} {
		rts, err := ParseRoute(bytes.NewReader(readFixture(t, c.dir, "net/route")), c.order, labIfIndex)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmpDiff(want, rts); d != "" {
			t.Errorf("%s (-want +got):\n%s", c.dir, d)
		}
	}
	// The metric columns, and names the map lacks.
	in := "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n" +
		"eth9\t0000A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t1500\t65535\t25\n"
	rts, err := ParseRoute(reader(in), le, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantM := []snapshots.RouteMetric{{Type: snapshots.RTAXWindow, Value: 65535}, {Type: snapshots.RTAXRTT, Value: 200}, {Type: snapshots.RTAXAdvMSS, Value: 1460}}
	if d := cmpDiff(wantM, rts[0].Extra().Metrics); d != "" || rts[0].NextHops[0].OIF != 0 || rts[0].Dst != mustPrefix("192.168.0.0/24") {
		t.Errorf("metrics (-want +got):\n%s\n%+v", d, rts[0])
	}
	for _, bad := range []string{
		strings.Replace(in, "00FFFFFF", "00FF00FF", 1),
		strings.Replace(in, "0000A8C0", "0000A8C", 1),
		strings.Replace(in, "\t100\t", "\tx\t", 1),
		"Iface\tDestination\tGateway\n",
	} {
		if _, err := ParseRoute(reader(bad), le, nil); err == nil {
			t.Errorf("no error for %q", bad)
		}
	}
}

func TestIPv6Route(t *testing.T) {
	rts, err := ParseIPv6Route(fixture(t, "net/ipv6_route"), labIfIndex)
	if err != nil {
		t.Fatal(err)
	}
	if len(rts) != 21 {
		t.Errorf("%d routes, want 21", len(rts))
	}
	find := func(dst string, typ uint8) snapshots.Route {
		t.Helper()
		for _, r := range rts {
			if r.Dst == mustPrefix(dst) && r.Type == typ {
				return r
			}
		}
		t.Fatalf("no %s route of type %d", dst, typ)
		return snapshots.Route{}
	}
	want := snapshots.Route{Family: snapshots.AFInet6, Type: rtnUnicast, Dst: mustPrefix("fd00:99::/48"), Priority: 1024,
		NextHops: []snapshots.NextHop{{Gateway: mustAddr("fd00:1::2"), OIF: 2, Weight: 1}}}
	if d := cmpDiff(want, find("fd00:99::/48", rtnUnicast)); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	// Table 100's route is listed too, without its table.
	if r := find("fd00:98::/48", rtnUnicast); r.Table != 0 || r.NextHops[0].OIF != 3 {
		t.Errorf("table 100 route: %+v", r)
	}
	if r := find("::/0", rtnUnicast); r.Priority != 2048 {
		t.Errorf("default: %+v", r)
	}
	if r := find("fd00:66::/48", rtnUnreachable); r.NextHops[0].OIF != 1 || r.NextHops[0].Gateway.IsValid() {
		t.Errorf("blackhole: %+v", r)
	}
	find("::1/128", rtnLocal)
	find("fd00:1::/128", rtnAnycast)
	find("ff00::/8", rtnMulticast)
	in := "20010db8000000000000000000000000 40 20010db8000000000000000000000000 30 fe800000000000000000000000000001 00000400 00000001 00000000 09440003     eth0\n"
	rs, err := ParseIPv6Route(reader(in), nil)
	if err != nil {
		t.Fatal(err)
	}
	// Source-specific, cached (RTF_CACHE), router preference high (1<<27).
	if r := rs[0]; r.Src() != mustPrefix("2001:db8::/48") || !r.Cloned || r.Extra().Pref != 1 || r.NextHops[0].Gateway != mustAddr("fe80::1") {
		t.Errorf("%+v", r)
	}
	if _, err := ParseIPv6Route(reader(strings.Replace(in, " 40 ", " 81 ", 1)), nil); err == nil {
		t.Error("prefix length 129 accepted")
	}
}

func TestFibTrie(t *testing.T) {
	rts, err := ParseFibTrie(fixture(t, "net/fib_trie"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rts) != 19 {
		t.Errorf("%d routes, want 19", len(rts))
	}
	has := func(table uint32, dst string, scope, typ uint8) {
		t.Helper()
		for _, r := range rts {
			if r.Table == table && r.Dst == mustPrefix(dst) && r.Scope == scope && r.Type == typ && r.Family == snapshots.AFInet {
				return
			}
		}
		t.Errorf("no %s in table %d (scope %d type %d)", dst, table, scope, typ)
	}
	has(100, "10.9.0.0/16", scopeUniverse, rtnUnicast)
	has(TableMain, "10.1.0.0/24", scopeLink, rtnUnicast)
	has(TableMain, "10.66.0.0/16", scopeUniverse, rtnBlackhole)
	has(TableMain, "10.68.0.0/16", scopeUniverse, 8)
	has(TableLocal, "10.1.0.11/32", scopeHost, rtnLocal)
	has(TableLocal, "10.1.0.255/32", scopeLink, rtnBroadcast)
	has(TableLocal, "127.0.0.0/8", scopeHost, rtnLocal)

	if rs, err := ParseFibTrie(reader("Id -2:\n  |-- 10.0.0.0\n     /8 universe UNICAST\n")); err != nil || rs[0].Table != 1<<32-2 {
		t.Errorf("table id above 2^31: %+v %v", rs, err)
	}
	in := "Id 300:\n  +-- 0.0.0.0/0 1 0 0\n     |-- 192.168.1.0\n        /24 scope=17 type 42 tos=16\n        /25 nowhere THROW\n"
	rs, err := ParseFibTrie(reader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []snapshots.Route{
		{Family: snapshots.AFInet, Table: 300, Dst: mustPrefix("192.168.1.0/24"), Scope: 17, Type: 42, TOS: 16},
		{Family: snapshots.AFInet, Table: 300, Dst: mustPrefix("192.168.1.0/25"), Scope: scopeNowhere, Type: 9},
	}
	if d := cmpDiff(want, rs); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	for _, bad := range []string{
		"  |-- 10.0.0.0\n",
		"Main:\n  /8 host LOCAL\n",
		"Main:\n  |-- 10.0.0.0\n   /33 host LOCAL\n",
		"Main:\n  |-- 10.0.0.0\n   /8 galaxy LOCAL\n",
		"Main:\n  |-- 10.0.0.0\n   /8 host WEIRD\n",
		"Default:\n",
	} {
		if _, err := ParseFibTrie(reader(bad)); err == nil {
			t.Errorf("no error for %q", bad)
		}
	}
}

func TestARP(t *testing.T) {
	ns, err := ParseARP(fixture(t, "net/arp"), labIfIndex)
	if err != nil {
		t.Fatal(err)
	}
	mac := func(last byte, b5 byte) []byte { return []byte{2, 0, 0, 0, b5, last} }
	want := []snapshots.Neighbour{
		{Family: snapshots.AFInet, Index: 3, Addr: mustAddr("10.2.0.3"), LLAddr: mac(0x33, 0), State: nudPermanent},
		{Family: snapshots.AFInet, Index: 2, Addr: mustAddr("10.1.0.2"), LLAddr: mac(0, 0x0b), State: nudReachable},
		{Family: snapshots.AFInet, Index: 2, Addr: mustAddr("10.1.0.99"), LLAddr: mac(0x99, 0), State: nudPermanent},
		{Family: snapshots.AFInet, Index: 2, Addr: mustAddr("10.1.0.4"), State: nudIncomplete},
		{Family: snapshots.AFInet, Index: 3, Addr: mustAddr("10.2.0.2"), LLAddr: mac(1, 0x0b), State: nudReachable},
		// Added "nud stale": the file only says valid.
		{Family: snapshots.AFInet, Index: 3, Addr: mustAddr("10.2.0.77"), LLAddr: mac(0x77, 0), State: nudReachable},
		{Family: snapshots.AFInet, Index: 2, Addr: mustAddr("10.1.0.200"), Proxy: true, Flags: ntfProxy},
	}
	if d := cmpDiff(want, ns); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	// The flag mapping gives the printed flags back.
	for i, line := range strings.Split(strings.TrimSpace(string(readFixture(t, x86Dir, "net/arp"))), "\n")[1:] {
		f, err := strconv.ParseUint(strings.Fields(line)[2], 0, 32)
		if err != nil {
			t.Fatal(err)
		}
		if got := ATFFlags(&ns[i]); uint64(got) != f {
			t.Errorf("%s: ATFFlags = %#x, file has %#x", ns[i].Addr, got, f)
		}
	}
	// A device without a hardware address leaves the column blank.
	blank := "IP address       HW type     Flags       HW address            Mask     Device\n" +
		"10.9.0.1         0xfffe      0x2                               *        tun0\n"
	if n, err := ParseARP(reader(blank), nil); err != nil || n[0].LLAddr != nil || n[0].State != nudReachable {
		t.Errorf("blank hw address: %+v %v", n, err)
	}
	if _, err := ParseARP(reader(strings.Replace(blank, "0x2 ", "0x20", 1)), nil); err == nil {
		t.Error("flags 0x20 accepted")
	}
}

func TestIfInet6(t *testing.T) {
	as, err := ParseIfInet6(fixture(t, "net/if_inet6"))
	if err != nil {
		t.Fatal(err)
	}
	want := []snapshots.Addr{
		{Family: snapshots.AFInet6, Index: 2, PrefixLen: 64, Address: mustAddr("fd00:1::1"), Flags: 0x82},
		{Family: snapshots.AFInet6, Index: 3, PrefixLen: 64, Address: mustAddr("fd00:2::1"), Flags: 0x82},
		{Family: snapshots.AFInet6, Index: 2, PrefixLen: 64, Address: mustAddr("fe80::ff:fe00:a00"), Scope: scopeLink, Flags: 0x80},
		{Family: snapshots.AFInet6, Index: 3, PrefixLen: 64, Address: mustAddr("fe80::ff:fe00:a01"), Scope: scopeLink, Flags: 0x80},
		{Family: snapshots.AFInet6, Index: 1, PrefixLen: 128, Address: mustAddr("::1"), Scope: scopeHost, Flags: 0x80},
	}
	if d := cmpDiff(want, as); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if _, err := ParseIfInet6(reader("fd000001000000000000000000000001 02 81 00 82 a0\n")); err == nil {
		t.Error("prefix length 129 accepted")
	}
}
