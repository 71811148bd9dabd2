package iptext_test

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/netmortem/netmortem/capture/sosreport"
	"github.com/netmortem/netmortem/capture/sosreport/iptext"
	"github.com/netmortem/netmortem/snapshots"
)

const labArchive = "../../../testdata/sosreport/sosreport-vm-lab-2026-11-28-rndpvqn.tar.xz"

var lab *sosreport.Bundle

// labOutput returns a command output of the real lab sosreport.
func labOutput(t testing.TB, name string) []byte {
	t.Helper()
	if lab == nil {
		b, err := sosreport.Open(labArchive, sosreport.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		lab = b
	}
	d, _, ok := lab.File("sos_commands/networking/" + name)
	if !ok {
		t.Fatalf("no %s in the lab bundle", name)
	}
	return d
}

var labNames = &iptext.Names{Ifindex: map[string]int32{"lo": 1, "a0": 2, "a1": 3}}

func noSkips(t *testing.T, what string, sk iptext.Skipped) {
	t.Helper()
	if err := sk.Err(); err != nil {
		t.Errorf("%s: %v", what, err)
	}
}

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }

func TestInterfacesLab(t *testing.T) {
	ifs, sk := iptext.ParseInterfaces(labOutput(t, "ip_-s_-d_link"), labNames)
	noSkips(t, "ip -s -d link", sk)
	if len(ifs.Links) != 3 || len(ifs.Addrs) != 0 {
		t.Fatalf("%d links, %d addresses", len(ifs.Links), len(ifs.Addrs))
	}
	a0 := ifs.Links[1]
	if a0.Name != "a0" || a0.Index != 2 || a0.Kind != "veth" || a0.Flags != 0x11043 || a0.MTU != 1500 ||
		a0.MinMTU != 68 || a0.MaxMTU != 65535 || a0.Parent != 2 || a0.OperState != 6 || a0.Type != 1 ||
		a0.NumTxQueues != 2 || a0.TxQueueLen != 1000 || a0.Qdisc != "noqueue" || a0.Carrier != 1 ||
		fmt.Sprintf("%x", a0.HWAddr) != "020000000a00" || a0.ParentNetns != -1 {
		t.Errorf("a0 %+v", a0)
	}
	if !a0.Stats.Valid || a0.Stats.RxBytes != 3724 || a0.Stats.RxPackets != 38 || a0.Stats.TxBytes != 2884 || a0.Stats.TxPackets != 24 {
		t.Errorf("a0 stats %+v", a0.Stats)
	}
	if ifs.LinkNetns[2] != "srb" || ifs.LinkNetns[3] != "srb" {
		t.Errorf("link-netns %v", ifs.LinkNetns)
	}
	if lo := ifs.Links[0]; lo.Type != 772 || lo.Flags != 0x10049 || lo.OperState != 0 || lo.Kind != "" {
		t.Errorf("lo %+v", lo)
	}

	d, sk := iptext.ParseInterfaces(labOutput(t, "ip_-d_address"), labNames)
	noSkips(t, "ip -d address", sk)
	o, sk := iptext.ParseInterfaces(labOutput(t, "ip_-o_addr"), labNames)
	noSkips(t, "ip -o addr", sk)
	if len(d.Addrs) != 9 || fmt.Sprint(d.Addrs) != fmt.Sprint(o.Addrs) {
		t.Errorf("ip -d address and ip -o addr disagree:\n%v\n%v", d.Addrs, o.Addrs)
	}
	var sec snapshots.Addr
	for _, a := range d.Addrs {
		if a.Label == "a0:1" {
			sec = a
		}
	}
	if sec.Flags != 0x81 || sec.Local != mustAddr("10.1.0.11") || sec.PrefixLen != 24 || sec.Valid != 0xffffffff || !sec.HasCacheInfo {
		t.Errorf("secondary %+v", sec)
	}
}

func TestInterfacesVariants(t *testing.T) {
	text := `4: eth0: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 9000 qdisc mq master br0 state DOWN mode DORMANT group 7 qlen 500
    link/ether 52:54:00:12:34:56 brd ff:ff:ff:ff:ff:ff permaddr 52:54:00:00:00:01 promiscuity 1  allmulti 0 minmtu 68 maxmtu 9216
    bridge_slave state disabled priority 32 cost 100
    altname enp1s0
    RX: bytes  packets  errors  dropped overrun mcast
    10         2        1       3       4       5
    TX: bytes  packets  errors  dropped carrier collsns
    20         4        0       0       6       7
    RX errors: length   crc     frame   fifo    missed
               1        2       3       4       5
    inet 192.0.2.1 peer 192.0.2.2/32 scope global dynamic eth0
       valid_lft 86300sec preferred_lft 86300sec
    inet6 2001:db8::5/64 scope global dynamic mngtmpaddr noprefixroute
       valid_lft 2591990sec preferred_lft 604790sec
5: br0: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN group default qlen 1000
    link/ether 52:54:00:12:34:56 brd ff:ff:ff:ff:ff:ff
    bridge forward_delay 1500 hello_time 200
6: tun0: <POINTOPOINT,MULTICAST,NOARP,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UNKNOWN group default qlen 500
    link/none
7: vlan10@eth0: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN group default qlen 1000
    link/ether 52:54:00:12:34:56 brd ff:ff:ff:ff:ff:ff
    vlan protocol 802.1Q id 10 <REORDER_HDR>
8: veth9@NONE: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN group default qlen 1000
    link/[65534]
    alias some text here
Failed to find cgroup2 mount
`
	ifs, sk := iptext.ParseInterfaces([]byte(text), &iptext.Names{Groups: map[string]uint32{"lab": 7}})
	if sk.Lines != 1 {
		t.Errorf("skipped %+v, want the stderr line only", sk)
	}
	if len(ifs.Links) != 5 || len(ifs.Addrs) != 2 {
		t.Fatalf("%d links, %d addrs", len(ifs.Links), len(ifs.Addrs))
	}
	e := ifs.Links[0]
	if e.Flags != 0x1003 || e.Carrier != 0 || e.Master != 5 || e.OperState != 2 || e.LinkMode != 1 || e.Group != 7 ||
		e.SlaveKind != "bridge" || e.Kind != "" || e.Promiscuity != 1 || e.MaxMTU != 9216 || len(e.PermAddr) != 6 ||
		fmt.Sprint(e.AltNames) != "[enp1s0]" {
		t.Errorf("eth0 %+v", e)
	}
	s := e.Stats
	if s.RxBytes != 10 || s.RxOverErrors != 4 || s.Multicast != 5 || s.TxCarrierErrors != 6 || s.Collisions != 7 ||
		s.RxLengthErrors != 1 || s.RxCRCErrors != 2 || s.RxMissedErrors != 5 {
		t.Errorf("eth0 stats %+v", s)
	}
	if ifs.Links[1].Kind != "bridge" || ifs.Links[1].Flags&0x40 != 0 {
		t.Errorf("br0 %+v", ifs.Links[1])
	}
	if l := ifs.Links[2]; l.Type != 0xfffe || l.Flags&0x40 == 0 {
		t.Errorf("tun0 %+v", l)
	}
	if l := ifs.Links[3]; l.Kind != "vlan" || l.Parent != 4 {
		t.Errorf("vlan10 %+v", l)
	}
	if l := ifs.Links[4]; l.Type != 65534 || l.Parent != 0 || l.Alias != "some text here" {
		t.Errorf("veth9 %+v", l)
	}
	a := ifs.Addrs[0]
	if a.Local != mustAddr("192.0.2.1") || a.Address != mustAddr("192.0.2.2") || a.PrefixLen != 32 ||
		a.Flags&0x80 != 0 || a.Valid != 86300 || a.Label != "eth0" || a.Index != 4 {
		t.Errorf("peer address %+v", a)
	}
	if a := ifs.Addrs[1]; a.Flags != 0x300 || a.Preferred != 604790 || a.Label != "" {
		t.Errorf("v6 %+v", a)
	}
}

func TestRoutesLab(t *testing.T) {
	six := labOutput(t, "ip_-6_route_show_table_all")
	all, sk := iptext.ParseRoutes(labOutput(t, "ip_route_show_table_all"), 0, false, 100, labNames)
	noSkips(t, "ip route show table all", sk)
	v6, sk := iptext.ParseRoutes(six, 10, false, 100, labNames)
	noSkips(t, "ip -6 route show table all", sk)
	fam := map[uint8]int{}
	for _, r := range all.Routes {
		fam[r.Family]++
	}
	if fam[2] != 19 || fam[10] != 19 || len(v6.Routes) != 19 || len(all.MFC) != 1 {
		t.Fatalf("families %v, -6 %d, MFC %d", fam, len(v6.Routes), len(all.MFC))
	}
	byDst := map[string]snapshots.Route{}
	for _, r := range all.Routes {
		byDst[fmt.Sprint(r.Table, " ", r.Dst)] = r
	}
	if r := byDst["254 10.50.0.0/16"]; !r.Multipath || len(r.NextHops) != 2 || r.NextHops[1].Weight != 2 || r.NextHops[1].OIF != 3 {
		t.Errorf("multipath %+v", r)
	}
	if r := byDst["254 10.60.0.0/16"]; r.Priority != 50 || r.PrefSrc != mustAddr("10.2.0.1") || fmt.Sprint(r.Extra().Metrics) != "[{2 1300}]" {
		t.Errorf("metric route %+v", r)
	}
	if r := byDst["100 0.0.0.0/0"]; r.NextHops[0].Gateway != mustAddr("10.2.0.2") || r.Protocol != 3 {
		t.Errorf("table 100 default %+v", r)
	}
	if r := byDst["255 10.1.0.255/32"]; r.Type != 3 || r.Scope != 253 || r.Protocol != 2 {
		t.Errorf("broadcast %+v", r)
	}
	if r := byDst["254 fd00:66::/48"]; r.Type != 6 || r.NextHops[0].OIF != 1 || r.Priority != 1024 || r.Extra().Cache == nil {
		t.Errorf("v6 blackhole %+v", r)
	}
	for dst, typ := range map[string]uint8{"254 10.66.0.0/16": 6, "254 10.67.0.0/16": 7, "254 10.68.0.0/16": 8} {
		if r := byDst[dst]; r.Type != typ || len(r.NextHops) != 0 {
			t.Errorf("%s: %+v", dst, r)
		}
	}
	e := all.MFC[0]
	if e.Source != mustAddr("10.1.0.2") || e.Group != mustAddr("239.2.2.2") || e.IIF != 2 || e.Table != 253 ||
		len(e.Oifs) != 1 || e.Oifs[0].IfIndex != 3 || e.Oifs[0].TTL != 1 || !e.Resolved {
		t.Errorf("mfc %+v", e)
	}
}

func TestRoutesVariants(t *testing.T) {
	text := `default dev ppp0 proto static metric 1024 pref high
default via 192.0.2.1 dev eth0 proto dhcp src 192.0.2.10 metric 100 onlink
198.51.100.0/24 via inet6 fe80::1 dev eth0 table mgmt mtu lock 1400 rtt 12ms rttvar 6ms advmss 1360 hoplimit 64 congctl lock bbr
2001:db8::/64 dev eth0 proto ra metric 1024 expires 299sec pref medium
unreachable ::/96 dev lo metric 1024 pref medium
203.0.113.0/24 nhid 5 via 192.0.2.7 dev eth9 realm 3
local 192.0.2.10 dev eth0 table local proto kernel scope host src 192.0.2.10
throw 10.0.0.0/8 table 100 tos 0x10
fe80::/64 dev eth0 proto kernel metric 256 linkdown pref medium
2001:db8:1::/64 metric 1024 pref medium
	nexthop via fe80::a dev eth0 weight 1 dead
	nexthop via fe80::b dev eth0 weight 3
garbage here
`
	names := &iptext.Names{Ifindex: map[string]int32{"lo": 1, "eth0": 2, "ppp0": 9},
		Table: func(s string) (uint32, bool) { return 42, s == "mgmt" }}
	rs, sk := iptext.ParseRoutes([]byte(text), 0, false, 100, names)
	if sk.Lines != 2 { // the unknown device, the garbage line
		t.Errorf("skipped %+v", sk)
	}
	if len(rs.Routes) != 10 {
		t.Fatalf("%d routes", len(rs.Routes))
	}
	r := rs.Routes
	if r[0].Family != 10 || r[0].Dst.String() != "::/0" || r[0].Extra().Pref != 1 || r[0].Protocol != 4 || r[0].NextHops[0].OIF != 9 {
		t.Errorf("v6 default without gateway %+v", r[0])
	}
	if r[1].Family != 2 || r[1].Protocol != 16 || r[1].Flags != 4 || r[1].NextHops[0].Flags != 4 || r[1].Priority != 100 {
		t.Errorf("onlink %+v", r[1])
	}
	m := fmt.Sprint(r[2].Extra().Metrics)
	if r[2].Table != 42 || r[2].NextHops[0].Gateway != mustAddr("fe80::1") || r[2].Extra().CongCtl != "bbr" ||
		m != "[{1 4} {2 1400} {4 96} {5 24} {8 1360} {10 64}]" {
		t.Errorf("metrics %+v %s", r[2], m)
	}
	if r[3].Extra().Cache == nil || r[3].Extra().Cache.Expires != 29900 || r[3].Protocol != 9 {
		t.Errorf("expires %+v", r[3])
	}
	if r[4].Type != 7 || r[4].Dst.String() != "::/96" {
		t.Errorf("unreachable %+v", r[4])
	}
	if r[5].Extra().NHID != 5 || r[5].NextHops[0].OIF != 0 || r[5].NextHops[0].Realms != 3 {
		t.Errorf("unknown device %+v", r[5])
	}
	if r[7].Type != 9 || r[7].Table != 100 || r[7].TOS != 0x10 {
		t.Errorf("throw %+v", r[7])
	}
	if r[8].Flags != 16 {
		t.Errorf("linkdown %+v", r[8])
	}
	if !r[9].Multipath || len(r[9].NextHops) != 2 || r[9].NextHops[0].Flags != 1 || r[9].NextHops[1].Weight != 3 {
		t.Errorf("v6 multipath %+v", r[9])
	}
	cached, _ := iptext.ParseRoutes([]byte("10.9.9.9 via 192.0.2.1 dev eth0\n    cache expires 590sec mtu 1400\n"), 2, true, 100, names)
	if len(cached.Routes) != 1 || !cached.Routes[0].Cloned || cached.Routes[0].Flags&0x200 == 0 {
		t.Errorf("cache %+v", cached.Routes)
	}
}

func TestRules(t *testing.T) {
	rs, sk := iptext.ParseRules(labOutput(t, "ip_-4_rule"), 2, labNames)
	noSkips(t, "ip -4 rule", sk)
	if len(rs) != 4 || rs[1].Priority != 1000 || rs[1].Table != 100 || rs[1].Src.String() != "10.1.0.0/24" ||
		rs[0].Table != 255 || rs[3].Table != 253 || rs[2].Action != 1 || rs[2].SuppressPrefixLen != -1 {
		t.Errorf("lab rules %+v", rs)
	}
	text := `100:	not from 192.0.2.0/24 to 198.51.100.0/24 tos 0x10 fwmark 0x1/0xff iif eth0 [detached] oif eth1 lookup mgmt suppress_prefixlength 0
200:	from all uidrange 1000-2000 ipproto tcp dport 80-90 sport 1024 goto 300
300:	from all lookup main suppress_ifgroup 5
400:	from all unreachable
500:	from all l3mdev lookup [l3mdev-table]
600:	from all lookup 7 realms 1/2 proto kernel
`
	names := &iptext.Names{Table: func(s string) (uint32, bool) { return 42, s == "mgmt" }}
	rs, sk = iptext.ParseRules([]byte(text), 2, names)
	noSkips(t, "variants", sk)
	r := rs[0]
	if r.Flags != 0x2|0x8 || r.TOS != 0x10 || !r.HasFwMark || r.FwMark != 1 || r.FwMask != 0xff || r.IIFName != "eth0" ||
		r.OIFName != "eth1" || r.Table != 42 || r.SuppressPrefixLen != 0 || !r.Dst.IsValid() {
		t.Errorf("rule 100 %+v", r)
	}
	r = rs[1]
	if r.UIDRange == nil || r.UIDRange[1] != 2000 || r.IPProto != 6 || r.DPortRange == nil || r.DPortRange[1] != 90 ||
		r.SPortRange[0] != 1024 || r.Action != 2 || r.Goto != 300 {
		t.Errorf("rule 200 %+v", r)
	}
	if rs[2].SuppressIfGroup != 5 || rs[3].Action != 7 || rs[4].L3MDev != 1 || rs[5].Flow != 1<<16|2 || rs[5].Protocol != 2 {
		t.Errorf("rules %+v", rs[2:])
	}
}

func TestNeigh(t *testing.T) {
	ns, sk := iptext.ParseNeigh(labOutput(t, "ip_-s_-s_neigh_show"), 100, nil, labNames)
	noSkips(t, "ip -s -s neigh", sk)
	if len(ns) != 7 {
		t.Fatalf("%d neighbours", len(ns))
	}
	n := ns[0] // 10.2.0.77 dev a1 lladdr 02:00:00:00:00:77  used 156/216/156probes 0 STALE
	if n.Addr != mustAddr("10.2.0.77") || n.Index != 3 || n.State != 4 || n.Used != 15600 || n.Confirmed != 21600 ||
		n.Updated != 15600 || n.Probes != 0 || !n.HasCacheInfo || n.Type != 1 {
		t.Errorf("glued probes %+v", n)
	}
	if ns[4].Flags != 0x80 || ns[4].Probes != 4 || ns[4].Family != 10 {
		t.Errorf("router %+v", ns[4])
	}
	text := `192.0.2.9 dev eth0  FAILED
192.0.2.1 dev eth0 lladdr 52:54:00:00:00:01 ref 2 used 10/5/3 probes 1 REACHABLE
192.0.2.255 dev eth0 lladdr ff:ff:ff:ff:ff:ff NOARP
2001:db8::1 dev eth0 proxy
192.0.2.2 dev eth0 lladdr 52:54:00:00:00:02 extern_learn proto zebra PROBE DELAY
`
	names := &iptext.Names{Ifindex: map[string]int32{"eth0": 2}}
	ns, sk = iptext.ParseNeigh([]byte(text), 100, map[netip.Addr]bool{mustAddr("192.0.2.255"): true}, names)
	noSkips(t, "variants", sk)
	if ns[0].State != 0x20 || ns[0].LLAddr != nil || ns[1].RefCnt != 2 || ns[1].Probes != 1 || ns[1].Used != 1000 ||
		ns[2].Type != 3 || !ns[3].Proxy || ns[3].State != 0 || ns[3].Flags != 0x8 || ns[4].State != 0x18 ||
		ns[4].Flags != 0x10 || ns[4].Protocol != 11 {
		t.Errorf("variants %+v", ns)
	}
}

func TestMulticast(t *testing.T) {
	md, sk := iptext.ParseMaddr(labOutput(t, "ip_maddr_show"))
	noSkips(t, "ip maddr", sk)
	if len(md.Groups) != 20 || len(md.LinkGroups) != 14 {
		t.Errorf("%d groups, %d link groups", len(md.Groups), len(md.LinkGroups))
	}
	users := map[string]uint32{}
	for _, g := range md.Groups {
		users[fmt.Sprint(g.IfName, " ", g.Group)] = g.Users
	}
	if users["a0 ff02::1:ff00:0"] != 2 || users["a0 239.1.1.1"] != 1 {
		t.Errorf("users %v", users)
	}
	gs, sk := iptext.ParseNetstatGroups(labOutput(t, "netstat_-W_-agn"), labNames)
	noSkips(t, "netstat -agn", sk)
	if len(gs) != 20 || fmt.Sprint(gs) == "" {
		t.Errorf("%d netstat groups", len(gs))
	}
	for i := range gs {
		if gs[i].IfIndex == 0 {
			t.Errorf("group %+v without an index", gs[i])
		}
	}
	es, sk := iptext.ParseMroute(labOutput(t, "ip_mroute_show"), labNames)
	noSkips(t, "ip mroute", sk)
	if len(es) != 1 || es[0].IIF != 2 || es[0].Oifs[0].IfIndex != 3 || !es[0].Resolved || es[0].Table != 253 {
		t.Errorf("mroute %+v", es)
	}
	es, sk = iptext.ParseMroute([]byte("Table: 5\n(192.0.2.1, 239.1.1.1)   Iif: a0   Oifs: a1(ttl 3) lo  State: unresolved\n  12 packets, 1200 bytes\n"), labNames)
	noSkips(t, "mroute variants", sk)
	if len(es) != 1 || es[0].Table != 5 || es[0].Oifs[0].TTL != 3 || len(es[0].Oifs) != 2 || es[0].Resolved || es[0].Packets != 12 || es[0].Bytes != 1200 {
		t.Errorf("mroute variants %+v", es)
	}
}

func TestNetstat(t *testing.T) {
	s, sk := iptext.ParseNetstat(labOutput(t, "netstat_-W_-neopa"))
	noSkips(t, "netstat -neopa", sk)
	if len(s.Inet) != 15 || len(s.Unix) != 60 || len(s.Owners) != 74 {
		t.Fatalf("%d inet, %d unix, %d owners", len(s.Inet), len(s.Unix), len(s.Owners))
	}
	tw := s.Inet[2]
	if tw.State != 6 || tw.Timer != 3 || tw.Expires != 43360 || tw.Inode != 0 {
		t.Errorf("time-wait %+v", tw)
	}
	if v6 := s.Inet[5]; v6.Family != 10 || v6.Local.String() != "[fd00:1::1]:8443" || v6.State != 10 {
		t.Errorf("tcp6 %+v", v6)
	}
	if raw := s.Inet[13]; raw.Proto != snapshots.ProtoRaw || raw.State != 7 || raw.RawProto != 2 || raw.Inode != 218341 {
		t.Errorf("raw %+v", raw)
	}
	var listen snapshots.UnixSocket
	for _, u := range s.Unix {
		if u.Inode == 217939 {
			listen = u
		}
	}
	if listen.Name != "\x00netmortem-lab-sr" || listen.State != 10 || listen.Flags != 0x10000 || listen.Type != 1 {
		t.Errorf("abstract listener %+v", listen)
	}
	text := `Active Internet connections (servers and established)
tcp        0      0 192.0.2.1:22            192.0.2.9:51000         ESTABLISHED 1000       4242       77/sshd: admin [priv] keepalive (7188.29/0/0)
udp6       0      0 :::123                  :::*                                0          4343       88/chronyd           off (0.00/0/0)
tcp6       0      0 ::ffff:192.0.2.1:80     ::ffff:192.0.2.8:40000  SYN_RECV    33         0          -                    on (0.20/2/0)
Active UNIX domain sockets (servers and established)
unix  2      [ ACC ]     STREAM     LISTENING     5151     99/my daemon        /run/my dir/sock
unix  2      [ ]         DGRAM                    5252     -
`
	s, sk = iptext.ParseNetstat([]byte(text))
	noSkips(t, "variants", sk)
	if len(s.Inet) != 3 || len(s.Unix) != 2 {
		t.Fatalf("%d inet, %d unix", len(s.Inet), len(s.Unix))
	}
	if i := s.Inet[0]; i.UID != 1000 || i.Timer != 2 || i.Expires != 7188290 {
		t.Errorf("keepalive %+v", i)
	}
	if i := s.Inet[2]; i.Local.Addr() != mustAddr("::ffff:192.0.2.1") || i.State != 3 || i.Retrans != 2 {
		t.Errorf("mapped %+v", i)
	}
	if u := s.Unix[0]; u.Name != "/run/my dir/sock" || u.State != 10 {
		t.Errorf("path with blanks %+v", u)
	}
	if u := s.Unix[1]; u.State != 7 || u.Type != 2 || u.Name != "" {
		t.Errorf("unbound dgram %+v", u)
	}
	owners := fmt.Sprint(s.Owners)
	if !strings.Contains(owners, "sshd: admin [priv]") || !strings.Contains(owners, "my daemon") {
		t.Errorf("owners %s", owners)
	}
}

func TestSS(t *testing.T) {
	s, sk := iptext.ParseSS(labOutput(t, "ss_-peaonmi"), labNames)
	noSkips(t, "ss -peaonmi", sk)
	if sk.Noise != 14 {
		t.Errorf("noise %d, want the 14 stderr lines", sk.Noise)
	}
	if len(s.Inet) != 15 || len(s.Unix) != 60 || len(s.Packet) != 1 || s.Netlink != 9 {
		t.Fatalf("%d inet, %d unix, %d packet, %d netlink", len(s.Inet), len(s.Unix), len(s.Packet), s.Netlink)
	}
	byLocal := map[string]snapshots.InetSocket{}
	for _, x := range s.Inet {
		byLocal[fmt.Sprint(x.Proto, x.Local, x.Remote)] = x
	}
	l := byLocal["6 10.1.0.1:8080 0.0.0.0:0"]
	if l.SendQ != 5 || l.Cookie != 0x24c || l.Cong != "bbr" || l.CgroupID != 1 || l.Inode != 217751 ||
		fmt.Sprint(l.SkMem) != "[0 131072 0 16384 0 0 0 0 0]" {
		t.Errorf("listener %+v", l)
	}
	cw := byLocal["6 10.1.0.1:47054 10.1.0.2:9000"]
	if cw.Shutdown != 1 || cw.State != 8 || fmt.Sprint(cw.MemInfo) != "[832 0 3264 0]" || cw.RTO != 204 || cw.ATO != 40 || cw.Cwnd != 10 {
		t.Errorf("close-wait %+v", cw)
	}
	tw := byLocal["6 10.1.0.1:52250 10.1.0.2:9001"]
	if tw.Timer != 3 || tw.Expires != 30000 || tw.Cookie != 0x11b9 {
		t.Errorf("time-wait %+v", tw)
	}
	if u := byLocal["17 [::]:5003 [::]:0"]; u.Family != 10 || u.V6Only != 1 {
		t.Errorf("udp6 %+v", u)
	}
	if len(s.RowOwners) != 2 {
		t.Errorf("owners of inode-less rows %v", s.RowOwners)
	}
	if p := s.Packet[0]; p.Proto != 3 || p.IfIndex != 2 || !p.Running || p.Inode != 217979 || p.Cookie != 0x2a0 {
		t.Errorf("packet %+v", p)
	}
	var lis snapshots.UnixSocket
	for _, u := range s.Unix {
		if u.Inode == 218973 {
			lis = u
		}
	}
	if lis.Name != "/run/netmortem-lab/sr/unix.sock" || lis.SendQ != 5 || lis.VFSInode != 762173 || lis.VFSDev != 0x0fe00000 {
		t.Errorf("unix listener %+v", lis)
	}
	text := `Netid State  Recv-Q Send-Q Local Address:Port Peer Address:Port Process
tcp   ESTAB  0      0      192.0.2.1%eth0:22  192.0.2.9:5000 users:(("my \"odd\", (name)",pid=42,fd=3),("sshd",pid=43,fd=4)) uid:1000 ino:99 sk:ff <->
	 skmem:(r0,rb1,t2,tb3,f4,w5,o6,bl7,d8) cubic wscale:7,7 rto:1000.5 ssthresh:7 timer:(keepalive,1min12sec,3)
u_str LISTEN 0      128    @abstract 77 * 0 users:(("x",pid=1,fd=1)) ino:0 dev:8/1 peers: 78 79
`
	s, sk = iptext.ParseSS([]byte(text), &iptext.Names{Ifindex: map[string]int32{"eth0": 2}})
	noSkips(t, "variants", sk)
	if len(s.Inet) != 1 || len(s.Unix) != 1 {
		t.Fatalf("variants %+v", s)
	}
	x := s.Inet[0]
	if x.IfIndex != 2 || x.UID != 1000 || x.Cong != "cubic" || x.Expires != 72000 || x.Retrans != 3 || x.Timer != 2 || x.RTO != 1000 || x.Ssthresh != 7 {
		t.Errorf("tcp %+v", x)
	}
	if len(s.Owners) != 3 || s.Owners[0].Command != `my "odd", (name)` || s.Owners[0].Inode != 99 {
		t.Errorf("owners %+v", s.Owners)
	}
	if u := s.Unix[0]; u.Name != "\x00abstract" || fmt.Sprint(u.Pending) != "[78 79]" || u.VFSDev != 8<<8|1 {
		t.Errorf("unix %+v", u)
	}
}
