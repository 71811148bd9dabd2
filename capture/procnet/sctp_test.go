package procnet

import (
	"bytes"
	"net/netip"
	"testing"

	"github.com/netmortem/netmortem/snapshots"
)

func handFixture(t *testing.T, n string) *bytes.Reader {
	return bytes.NewReader(readFixture(t, handDir, n))
}

func TestSCTPEndpoints(t *testing.T) {
	eps, err := ParseSCTPEndpoints(handFixture(t, "net/sctp/eps"))
	if err != nil {
		t.Fatal(err)
	}
	want := []snapshots.SCTPEndpoint{
		{Type: 2, State: 10, Bucket: 29, Port: 5000, UID: 0, Inode: 51234,
			Addrs: []netip.Addr{mustAddr("10.1.0.1"), mustAddr("10.1.0.11")}},
		{Type: 0, State: 10, Bucket: 41, Port: 5001, UID: 1000, Inode: 51240,
			Addrs: []netip.Addr{mustAddr("fd00:1::1"), mustAddr("10.2.0.1")}},
	}
	if d := cmpDiff(want, eps); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func TestSCTPAssocs(t *testing.T) {
	as, err := ParseSCTPAssocs(handFixture(t, "net/sctp/assocs"))
	if err != nil {
		t.Fatal(err)
	}
	want := []snapshots.SCTPAssoc{{
		Family: snapshots.AFInet, AssocID: 3, Type: 2, SockState: 1, State: 3, UID: 0, Inode: 51234,
		LocalPort: 5000, RemotePort: 36412,
		Locals:     []snapshots.SCTPAddr{{Addr: mustAddr("10.1.0.1"), Primary: true}, {Addr: mustAddr("10.1.0.11")}},
		Remotes:    []snapshots.SCTPAddr{{Addr: mustAddr("10.1.0.2"), Primary: true}, {Addr: mustAddr("10.2.0.2")}},
		HBInterval: 30000, InStreams: 10, OutStreams: 10, MaxRtx: 10, RtxC: 2, WmemAlloc: 1, SndBuf: 212992, RcvBuf: 212992,
	}, {
		Family: snapshots.AFInet6, AssocID: 4, Type: 0, SockState: 1, State: 3, TxQueue: 4608, RxQueue: 1200, UID: 1000, Inode: 51240,
		LocalPort: 5001, RemotePort: 5001,
		Locals:     []snapshots.SCTPAddr{{Addr: mustAddr("fd00:1::1"), Primary: true}},
		Remotes:    []snapshots.SCTPAddr{{Addr: mustAddr("fd00:2::2")}, {Addr: mustAddr("fd00:1::2"), Primary: true}},
		HBInterval: 5000, InStreams: 5, OutStreams: 8, MaxRtx: 12, T1X: 1, WmemAlloc: 1, WmemQueued: 4608, SndBuf: 106496, RcvBuf: 131072,
	}}
	if d := cmpDiff(want, as); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}

	paths, err := ParseSCTPRemaddr(handFixture(t, "net/sctp/remaddr"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 5 {
		t.Fatalf("%d remaddr rows", len(paths))
	}
	if n := AttachSCTPPaths(as, paths); n != 1 {
		t.Errorf("%d unmatched paths, want 1 (association 77)", n)
	}
	wantRemotes := []snapshots.SCTPAddr{
		{Addr: mustAddr("fd00:2::2"), HBAct: 1, RTO: 1000, MaxRtx: 5, State: 1},
		{Addr: mustAddr("fd00:1::2"), Primary: true, Active: 1, HBAct: 1, RTO: 200, MaxRtx: 5, State: 2},
	}
	if d := cmpDiff(wantRemotes, as[1].Remotes); d != "" {
		t.Errorf("remotes after attach (-want +got):\n%s", d)
	}
	if r := as[0].Remotes[1]; r.Active != 2 || r.RTO != 3000 || r.Primary {
		t.Errorf("inactive path: %+v", r)
	}
}

func TestSCTPAssocLayouts(t *testing.T) {
	mid, err := ParseSCTPAssocs(handFixture(t, "net/sctp/assocs-3.10"))
	if err != nil {
		t.Fatal(err)
	}
	if len(mid) != 1 || mid[0].AssocID != 17 || mid[0].Bucket != 311 || mid[0].RtxC != 2 || mid[0].HBInterval != 30000 ||
		mid[0].SndBuf != 0 || len(mid[0].Locals) != 2 || !mid[0].Remotes[0].Primary || mid[0].Remotes[1].Addr != mustAddr("10.4.0.2") {
		t.Errorf("3.10 layout: %+v", mid)
	}
	old, err := ParseSCTPAssocs(handFixture(t, "net/sctp/assocs-2.6.18"))
	if err != nil {
		t.Fatal(err)
	}
	if len(old) != 1 || old[0].Inode != 8837 || old[0].LocalPort != 2905 || len(old[0].Remotes) != 2 || old[0].HBInterval != 0 ||
		old[0].Remotes[1].Addr != mustAddr("192.168.8.2") || !old[0].Locals[0].Primary {
		t.Errorf("2.6.18 layout: %+v", old)
	}
	for _, bad := range []string{
		" ASSOC SOCK STY SST ST HBKT ASSOC-ID TX_QUEUE RX_QUEUE UID INODE LPORT RPORT LADDRS RADDRS\n",
		" ASSOC SOCK STY SST ST HBKT ASSOC-ID TX_QUEUE RX_QUEUE UID INODE LPORT RPORT LADDRS <-> RADDRS\n" +
			"a b 2 1 3 0 1 0 0 0 1 2 3 10.0.0.1 10.0.0.2\n", // no arrow
		" ASSOC SOCK STY SST ST HBKT ASSOC-ID TX_QUEUE RX_QUEUE UID INODE LPORT RPORT LADDRS <-> RADDRS\n" +
			"a b 2 1 3 0 1 0 0 0 1 2 3 10.0.0.x <-> 10.0.0.2\n",
		" ASSOC SOCK STY SST ST HBKT ASSOC-ID TX_QUEUE RX_QUEUE UID INODE LPORT RPORT LADDRS <-> RADDRS\n" +
			"a b 2 1 3 0 1 0 0 0 1 70000 3 10.0.0.1 <-> 10.0.0.2\n",
	} {
		if _, err := ParseSCTPAssocs(reader(bad)); err == nil {
			t.Errorf("no error for %q", bad)
		}
	}
}

func TestSCTPSNMP(t *testing.T) {
	sets, err := ParseNameValues(handFixture(t, "net/sctp/snmp"), "sctp/snmp")
	if err != nil {
		t.Fatal(err)
	}
	if len(sets) != 1 || sets[0].Group != "Sctp" || sets[0].Source != "sctp/snmp" || len(sets[0].Counters) != 32 {
		t.Fatalf("sets: %+v", sets)
	}
	if c, _ := sets[0].Find("SctpT1InitExpireds"); c.Name == "" {
		t.Error("SctpT1InitExpireds missing")
	}
	if c, _ := sets[0].Find("SctpOutSCTPPacks"); c.Value != 62 {
		t.Errorf("SctpOutSCTPPacks = %d", c.Value)
	}
}
