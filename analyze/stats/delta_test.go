package stats

import (
	"net/netip"
	"testing"

	"github.com/netmortem/netmortem/snapshots"
)

func TestDelta(t *testing.T) {
	prev := Index([]snapshots.CounterSet{
		set("snmp", "Tcp", "RtoMin", 200, "MaxConn", -1, "ActiveOpens", 10, "CurrEstab", 4, "InSegs", 4294967000),
		set("netstat", "TcpExt", "TCPPureAcks", 50),
		set("sockstat", "TCP", "inuse", 9),
		set("dev_snmp6/eth0", "if", "ifIndex", 2),
		set("dev_snmp6/eth0", "Ip6", "Ip6InReceives", 100, "Ip6OutRequests", 5),
		set("dev_snmp6/eth1", "if", "ifIndex", 3),
		set("dev_snmp6/eth1", "Ip6", "Ip6InReceives", 7),
	})
	cur := Index([]snapshots.CounterSet{
		set("snmp", "Tcp", "RtoMin", 200, "MaxConn", -1, "ActiveOpens", 25, "CurrEstab", 3, "InSegs", 100),
		set("netstat", "TcpExt", "TCPPureAcks", 20, "TCPNew", 6),
		set("sockstat", "TCP", "inuse", 5),
		// eth0 was deleted and created again: new ifIndex, and a counter
		// that happens to be higher than before is still not a delta.
		set("dev_snmp6/eth0", "if", "ifIndex", 9),
		set("dev_snmp6/eth0", "Ip6", "Ip6InReceives", 3, "Ip6OutRequests", 8),
		set("dev_snmp6/eth1", "if", "ifIndex", 3),
		set("dev_snmp6/eth1", "Ip6", "Ip6InReceives", 12),
	})
	for _, wrap := range []bool{false, true} {
		d := Delta(cur, prev, wrap)
		if !d.Interval {
			t.Error("Interval not set")
		}
		for _, tc := range []struct {
			k      Key
			v      int64
			reset  bool
			signed bool
		}{
			{Key{"snmp", "Tcp", "RtoMin"}, 200, false, false},
			{Key{"snmp", "Tcp", "MaxConn"}, -1, false, true},
			{Key{"snmp", "Tcp", "ActiveOpens"}, 15, false, false},
			{Key{"snmp", "Tcp", "CurrEstab"}, 3, false, false},
			{Key{"netstat", "TcpExt", "TCPPureAcks"}, 20, true, false},
			{Key{"netstat", "TcpExt", "TCPNew"}, 6, false, false},
			{Key{"sockstat", "TCP", "inuse"}, 5, false, false},
			{Key{"dev_snmp6/eth0", "", "ifIndex"}, 9, false, false},
			{Key{"dev_snmp6/eth0", "", "Ip6InReceives"}, 3, true, false},
			{Key{"dev_snmp6/eth0", "Ip6", "Ip6OutRequests"}, 8, true, false},
			{Key{"dev_snmp6/eth1", "", "Ip6InReceives"}, 5, false, false},
		} {
			v, ok := d.Get(tc.k)
			if !ok || v.Int() != tc.v || v.Reset != tc.reset || v.Signed != tc.signed {
				t.Errorf("wrap32=%v %s: %+v %v, want %d reset=%v signed=%v", wrap, tc.k, v, ok, tc.v, tc.reset, tc.signed)
			}
		}
		// InSegs went from near 2^32 to 100: a wrap on a 32-bit kernel,
		// a reset on a 64-bit one.
		v, _ := d.Get(Key{"snmp", "Tcp", "InSegs"})
		if wrap && (v.V != 100+(1<<32)-4294967000 || v.Reset) || !wrap && (v.V != 100 || !v.Reset) {
			t.Errorf("wrap32=%v InSegs %+v", wrap, v)
		}
	}
	if !Wrap32("armv7l") || Wrap32("x86_64") || Wrap32("aarch64") {
		t.Error("Wrap32")
	}
}

// TestDeltaNoWrapForSmallDrop: a drop a wrap cannot explain is a reset
// even on a 32-bit kernel.
func TestDeltaNoWrapForSmallDrop(t *testing.T) {
	prev := Index([]snapshots.CounterSet{set("snmp", "Ip", "InReceives", 5000)})
	cur := Index([]snapshots.CounterSet{set("snmp", "Ip", "InReceives", 40)})
	v, _ := Delta(cur, prev, true).Get(Key{"snmp", "Ip", "InReceives"})
	if v.V != 40 || !v.Reset {
		t.Errorf("%+v", v)
	}
}

func mfc(group string, pkts, bytes, wrong uint64, resolved bool) snapshots.MFCEntry {
	return snapshots.MFCEntry{Family: snapshots.AFInet, Table: 253, Source: netip.MustParseAddr("10.1.0.2"),
		Group: netip.MustParseAddr(group), Packets: pkts, Bytes: bytes, WrongIf: wrong, Resolved: resolved}
}

func vif(i int32, name string, in, out uint64) snapshots.Vif {
	return snapshots.Vif{Family: snapshots.AFInet, Index: i, Name: name, PktsIn: in, BytesIn: in * 10, PktsOut: out, BytesOut: out * 10}
}

func line(t *testing.T, bs []MrtBlock, title, text string) MrtLine {
	t.Helper()
	for _, b := range bs {
		if b.Title != title {
			continue
		}
		for _, l := range b.Lines {
			if l.Text == text {
				return l
			}
		}
	}
	t.Fatalf("no %q in %q", text, title)
	return MrtLine{}
}

func TestMroute(t *testing.T) {
	prev := MrtSample{
		MFC:  []snapshots.MFCEntry{mfc("239.1.1.1", 10, 1000, 1, true), mfc("239.2.2.2", 50, 5000, 0, true), mfc("239.3.3.3", 7, 700, 0, true)},
		Vifs: []snapshots.Vif{vif(0, "eth0", 60, 0), vif(1, "eth1", 0, 55)},
	}
	cur := MrtSample{
		// 239.1.1.1 grew; 239.2.2.2 was deleted and added again; 239.3.3.3
		// is gone; 239.4.4.4 is new; one entry waits for the daemon.
		MFC: []snapshots.MFCEntry{mfc("239.1.1.1", 15, 1500, 3, true), mfc("239.2.2.2", 4, 400, 0, true),
			mfc("239.4.4.4", 2, 200, 0, true), mfc("239.5.5.5", 0, 0, 0, false)},
		Vifs: []snapshots.Vif{vif(0, "eth0", 80, 0), vif(1, "eth1", 0, 70)},
	}
	c := Index([]snapshots.CounterSet{set("netstat", "IpExt", "InMcastPkts", 90, "OutMcastPkts", 70)})

	first := Mroute(c, cur, nil, true, false)
	if len(first) != 3 {
		t.Fatalf("IPv4 only: %d blocks", len(first))
	}
	if l := line(t, first, "DVMRP multicast routing:", "hit(s) - kernel forwarding cache hits"); l.Value.V != 21 || !l.Known {
		t.Errorf("hits %+v", l)
	}
	if l := line(t, first, "DVMRP multicast routing:", "miss(es) - kernel forwarding cache misses"); l.Known {
		t.Errorf("misses has no Linux count: %+v", l)
	}
	lx := "Linux IPv4 multicast routing (default table):"
	if l := line(t, first, lx, "unresolved cache entr(y|ies) (waiting for the routing daemon)"); l.Value.V != 1 {
		t.Errorf("unresolved %+v", l)
	}
	if l := line(t, first, lx, "multicast packet(s) received"); l.Value.V != 90 || l.From != "netstat IpExt InMcastPkts" {
		t.Errorf("InMcastPkts %+v", l)
	}

	d := Mroute(c, cur, &prev, true, false)
	// 5 (239.1.1.1) + 4 (239.2.2.2 since it was added again) + 2 (new).
	if l := line(t, d, lx, "packet(s) forwarded or dropped by cache entries"); l.Value.V != 11 || !l.Value.Reset {
		t.Errorf("delta packets %+v", l)
	}
	if l := line(t, d, lx, "packet(s) arrived on the wrong interface"); l.Value.V != 2 {
		t.Errorf("delta wrong if %+v", l)
	}
	if l := line(t, d, lx, "resolved cache entr(y|ies)"); l.Value.V != 3 || !l.Gauge {
		t.Errorf("resolved entries are a level: %+v", l)
	}
	if l := line(t, d, "DVMRP multicast routing:", "packet(s) actually sent out"); l.Value.V != 15 || l.Value.Reset {
		t.Errorf("delta sent %+v", l)
	}

	missing := Mroute(c, MrtSample{Missing: true}, nil, true, true)
	if l := line(t, missing, lx, "virtual interface(s)"); l.Known {
		t.Errorf("vifs of a missing table: %+v", l)
	}
	if l := line(t, missing, "Linux IPv6 multicast routing (default table):", "multicast packet(s) sent"); l.Known {
		t.Errorf("Ip6OutMcastPkts was not captured: %+v", l)
	}
}
