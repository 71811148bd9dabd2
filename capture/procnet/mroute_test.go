package procnet

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/netmortem/netmortem/snapshots"
)

func TestVif(t *testing.T) {
	vifs, err := ParseIPMrVif(fixture(t, "net/ip_mr_vif"), le)
	if err != nil {
		t.Fatal(err)
	}
	// smcroute creates its vifs by ifindex: Local holds 2 and 3.
	want := []snapshots.Vif{
		{Family: snapshots.AFInet, Index: 0, Name: "a0", BytesIn: 168, PktsIn: 2, Flags: viffUseIfIndex, Remote: mustAddr("0.0.0.0"), LocalIfIndex: 2},
		{Family: snapshots.AFInet, Index: 1, Name: "a1", Flags: viffUseIfIndex, Remote: mustAddr("0.0.0.0"), LocalIfIndex: 3},
	}
	if d := cmpDiff(want, vifs); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	// A tunnel vif by address, as each architecture prints it.
	const head = "Interface      BytesIn  PktsIn  BytesOut PktsOut Flags Local    Remote\n"
	for order, row := range map[string]string{
		"le": " 2 tun0            1000      10      2000      20 00001 0100090A 0200090A\n",
		"be": " 2 tun0            1000      10      2000      20 00001 0A090001 0A090002\n",
	} {
		o := le
		if order == "be" {
			o = be
		}
		vs, err := ParseIPMrVif(reader(head+row), o)
		if err != nil {
			t.Fatal(err)
		}
		w := snapshots.Vif{Family: snapshots.AFInet, Index: 2, Name: "tun0", BytesIn: 1000, PktsIn: 10, BytesOut: 2000, PktsOut: 20,
			Flags: 1, Local: mustAddr("10.9.0.1"), Remote: mustAddr("10.9.0.2")}
		if d := cmpDiff([]snapshots.Vif{w}, vs); d != "" {
			t.Errorf("%s tunnel (-want +got):\n%s", order, d)
		}
	}
	v6, err := ParseIP6MrVif(fixture(t, "net/ip6_mr_vif"))
	if err != nil || len(v6) != 2 || v6[1].Name != "a1" || v6[1].Family != snapshots.AFInet6 || v6[1].Local.IsValid() {
		t.Errorf("ip6_mr_vif: %+v %v", v6, err)
	}
	if _, err := ParseIPMrVif(reader(head+" 2 tun0 1 1 1 1 00001 0100090A\n"), le); err == nil {
		t.Error("short row accepted")
	}
}

func TestMFC(t *testing.T) {
	for _, c := range []struct {
		dir   string
		order binary.ByteOrder
	}{{x86Dir, le}, {s390Dir, be}} {
		mfc, err := ParseIPMrCache(bytes.NewReader(readFixture(t, c.dir, "net/ip_mr_cache")), c.order)
		if err != nil {
			t.Fatal(err)
		}
		src := mustAddr("10.1.0.2")
		want := []snapshots.MFCEntry{
			// The lab's route: (10.1.0.2, 239.2.2.2) from a0 (vif 0) to a1 (vif 1).
			{Family: snapshots.AFInet, Table: 253, Source: src, Group: mustAddr("239.2.2.2"), IIFVif: 0, Resolved: true,
				Oifs: []snapshots.MFCOif{{Vif: 1, TTL: 1}}},
			// smcroute's answer to traffic it has no route for: no outputs.
			{Family: snapshots.AFInet, Table: 253, Source: src, Group: mustAddr("239.7.7.7"), Packets: 1, Bytes: 84, Resolved: true},
			// Sent while smcroute was stopped: still unresolved.
			{Family: snapshots.AFInet, Table: 253, Source: src, Group: mustAddr("239.6.6.6"), IIFVif: -1},
		}
		if d := cmpDiff(want, mfc); d != "" {
			t.Errorf("%s (-want +got):\n%s", c.dir, d)
		}
	}
	m6, err := ParseIP6MrCache(fixture(t, "net/ip6_mr_cache"))
	if err != nil {
		t.Fatal(err)
	}
	want6 := []snapshots.MFCEntry{{Family: snapshots.AFInet6, Table: 253, Source: mustAddr("fd00:1::2"), Group: mustAddr("ff3e::4321"),
		Resolved: true, Oifs: []snapshots.MFCOif{{Vif: 1, TTL: 1}}}}
	if d := cmpDiff(want6, m6); d != "" {
		t.Errorf("ip6_mr_cache (-want +got):\n%s", d)
	}
	const head = "Group    Origin   Iif     Pkts    Bytes    Wrong Oifs\n"
	for _, bad := range []string{"020202EF 0200010A 0 0 0 0 1-1\n", "020202EF 0200010A -2 0 0 0\n", "020202EF 0200010A 0 0 0\n", "020202EF 0200010A 0 0 0 0 1:256\n"} {
		if _, err := ParseIPMrCache(reader(head+bad), le); err == nil {
			t.Errorf("no error for %q", bad)
		}
	}
}
