package procnet

import (
	"strings"
	"testing"

	"github.com/netmortem/netmortem/snapshots"
)

func TestProtocols(t *testing.T) {
	rows, err := ParseProtocols(fixture(t, "net/protocols"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 18 {
		t.Errorf("%d protocols, want 18", len(rows))
	}
	var tcp, packet snapshots.ProtocolRow
	for _, r := range rows {
		switch r.Name {
		case "TCP":
			tcp = r
		case "PACKET":
			packet = r
		}
	}
	want := snapshots.ProtocolRow{Name: "TCP", Size: 2304, Sockets: 10, Memory: 632, Pressure: "no", MaxHdr: 192, Slab: true, Module: "kernel",
		Methods: "cl=y co=y di=y ac=y io=y in=y de=y sh=y ss=y gs=y se=y re=y bi=n br=y ha=y uh=y gp=y em=y"}
	if d := cmpDiff(want, tcp); d != "" {
		t.Errorf("TCP (-want +got):\n%s", d)
	}
	if packet.Memory != -1 || packet.Pressure != "NI" || packet.Slab {
		t.Errorf("PACKET: %+v", packet)
	}
	if _, err := ParseProtocols(reader("protocol size sockets memory press maxhdr slab module cl\nTCP 1 2 3 no 4 maybe kernel y\n")); err == nil {
		t.Error("slab \"maybe\" accepted")
	}
}

func TestSoftnet(t *testing.T) {
	cpus, err := ParseSoftnetStat(fixture(t, "net/softnet_stat"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cpus) != 2 || cpus[1].CPU != 1 || len(cpus[1].Values) != 15 || cpus[1].Values[0] != 0x3b50 {
		t.Errorf("%+v", cpus)
	}
	// An old kernel's 10 columns: the CPU is the line number.
	old, err := ParseSoftnetStat(reader(strings.Repeat("0000000a 00000001 00000002 0 0 0 0 0 0 0\n", 3)))
	if err != nil || len(old) != 3 || old[2].CPU != 2 || old[2].Values[1] != 1 {
		t.Errorf("old layout: %+v %v", old, err)
	}
	// CPU ids from column 13 with an offline CPU skipped.
	skip := "1 0 0 0 0 0 0 0 0 0 0 0 00000000 0 0\n1 0 0 0 0 0 0 0 0 0 0 0 00000003 0 0\n"
	if s, err := ParseSoftnetStat(reader(skip)); err != nil || s[1].CPU != 3 {
		t.Errorf("cpu column: %+v %v", s, err)
	}
}

func TestDev(t *testing.T) {
	devs, err := ParseDev(fixture(t, "net/dev"))
	if err != nil {
		t.Fatal(err)
	}
	want := DevStats{Name: "a0", Stats: snapshots.LinkStats{RxBytes: 2864, RxPackets: 28, TxBytes: 2762, TxPackets: 25, Valid: true}}
	if len(devs) != 3 || cmpDiff(want, devs[1]) != "" {
		t.Errorf("%+v", devs)
	}
	// Long names run into the numbers; every column lands in its field;
	// a column a newer kernel adds goes to Extra.
	in := "Inter-|   Receive                                                |  Transmit\n" +
		" face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed newone\n" +
		"verylongname15:1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n"
	devs, err = ParseDev(reader(in))
	if err != nil {
		t.Fatal(err)
	}
	wantLong := DevStats{Name: "verylongname15", Stats: snapshots.LinkStats{
		RxBytes: 1, RxPackets: 2, RxErrors: 3, RxDropped: 4, RxFIFOErrors: 5, RxFrameErrors: 6, RxCompressed: 7, Multicast: 8,
		TxBytes: 9, TxPackets: 10, TxErrors: 11, TxDropped: 12, TxFIFOErrors: 13, Collisions: 14, TxCarrierErrors: 15, TxCompressed: 16,
		Extra: []uint64{17}, Valid: true}}
	if d := cmpDiff([]DevStats{wantLong}, devs); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if _, err := ParseDev(reader(strings.Replace(in, " 17\n", "\n", 1))); err == nil {
		t.Error("short row accepted")
	}
}

func TestSlabinfo(t *testing.T) {
	slabs, err := ParseSlabinfo(fixture(t, "slabinfo"), nil)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]snapshots.Slab{}
	for _, s := range slabs {
		names[s.Name] = s
		if !NetSlab(s.Name) {
			t.Errorf("%s kept", s.Name)
		}
	}
	for _, n := range []string{"TCP", "TCPv6", "UDP", "UDPv6", "RAW", "RAWv6", "PING", "tw_sock_TCP", "request_sock_TCP",
		"sock_inode_cache", "skbuff_head_cache", "skbuff_small_head", "ip_fib_trie", "xfrm_state", "nf_conntrack", "MPTCP"} {
		if _, ok := names[n]; !ok {
			t.Errorf("%s not kept", n)
		}
	}
	for _, n := range []string{"kmalloc-64", "dentry", "ext4_inode_cache"} {
		if _, ok := names[n]; ok {
			t.Errorf("%s kept", n)
		}
	}
	want := snapshots.Slab{Name: "skbuff_head_cache", ActiveObjs: 384, NumObjs: 384, ObjSize: 256, ObjPerSlab: 16, PagesPerSlab: 1}
	if d := cmpDiff(want, names["skbuff_head_cache"]); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	all, err := ParseSlabinfo(fixture(t, "slabinfo"), func(string) bool { return true })
	if err != nil || len(all) != 232 {
		t.Errorf("unfiltered: %d rows, %v", len(all), err)
	}
	// supportconfig strips the comment line; version 1.1 is refused.
	if s, err := ParseSlabinfo(reader("TCP 1 2 3 4 5 : tunables 0 0 0 : slabdata 1 1 0\n"), nil); err != nil || len(s) != 1 {
		t.Errorf("headerless: %v %v", s, err)
	}
	if _, err := ParseSlabinfo(reader("slabinfo - version: 1.1\n"), nil); err == nil {
		t.Error("version 1.1 accepted")
	}
}
