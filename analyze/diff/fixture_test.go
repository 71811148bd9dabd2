package diff

import (
	"net/netip"
	"time"

	"github.com/netmortem/netmortem/snapshots"
)

// Hand-built tables shaped like the lab's namespace A: every table has
// rows, so that every comparison is exercised.

var t0 = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

func ip(s string) netip.Addr      { return netip.MustParseAddr(s) }
func pfx(s string) netip.Prefix   { return netip.MustParsePrefix(s) }
func ipp(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }
func mac(b ...byte) []byte        { return b }
func u32p(a, b uint32) *[2]uint32 { return &[2]uint32{a, b} }
func hop(gw string, oif int32) snapshots.NextHop {
	h := snapshots.NextHop{OIF: oif, Weight: 1}
	if gw != "" {
		h.Gateway = ip(gw)
	}
	return h
}

func base() *snapshots.Tables {
	stats := func(rx, tx uint64) snapshots.LinkStats {
		return snapshots.LinkStats{RxPackets: rx, TxPackets: tx, RxBytes: rx * 100, TxBytes: tx * 100, Valid: true}
	}
	return &snapshots.Tables{
		Links: []snapshots.Link{
			{Index: 1, Name: "lo", Type: 772, Flags: 0x10049, MTU: 65536, OperState: 0, TxQueueLen: 1000, Qdisc: "noqueue", Stats: stats(10, 10)},
			{Index: 2, Name: "a0", Kind: "veth", Type: 1, Flags: 0x11043, MTU: 1500, HWAddr: mac(2, 0, 0, 0, 0xa, 0),
				Broadcast: mac(255, 255, 255, 255, 255, 255), OperState: 6, ParentNetns: 0, Parent: 2, TxQueueLen: 1000,
				Qdisc: "noqueue", Stats: stats(500, 400)},
			{Index: 3, Name: "a1", Kind: "veth", Type: 1, Flags: 0x11043, MTU: 1400, HWAddr: mac(2, 0, 0, 0, 0xa, 1),
				Broadcast: mac(255, 255, 255, 255, 255, 255), OperState: 6, ParentNetns: 0, Parent: 3, TxQueueLen: 1000,
				Qdisc: "noqueue", Stats: stats(300, 200)},
		},
		Addrs: []snapshots.Addr{
			{Family: snapshots.AFInet, Index: 1, PrefixLen: 8, Local: ip("127.0.0.1"), Address: ip("127.0.0.1"), Label: "lo", Scope: 254, Flags: 0x80},
			{Family: snapshots.AFInet, Index: 2, PrefixLen: 24, Local: ip("10.1.0.1"), Address: ip("10.1.0.1"), Broadcast: ip("10.1.0.255"), Label: "a0", Flags: 0x80},
			{Family: snapshots.AFInet, Index: 2, PrefixLen: 24, Local: ip("10.1.0.11"), Address: ip("10.1.0.11"), Broadcast: ip("10.1.0.255"), Label: "a0:1", Flags: 0x81},
			{Family: snapshots.AFInet6, Index: 2, PrefixLen: 64, Address: ip("fd00:1::1"), Flags: 0x82, Preferred: 0xffffffff, Valid: 0xffffffff, HasCacheInfo: true, Created: 100, Updated: 100},
			{Family: snapshots.AFInet, Index: 3, PrefixLen: 24, Local: ip("10.2.0.1"), Address: ip("10.2.0.1"), Broadcast: ip("10.2.0.255"), Label: "a1", Flags: 0x80},
			{Family: snapshots.AFInet6, Index: 3, PrefixLen: 64, Address: ip("fe80::ff:fe00:a01"), Scope: 253, Flags: 0x80, Preferred: 3000, Valid: 4000, HasCacheInfo: true},
		},
		Routes: []snapshots.Route{
			{Family: snapshots.AFInet, Table: 254, Protocol: 3, Type: 1, Dst: pfx("0.0.0.0/0"), NextHops: []snapshots.NextHop{hop("10.1.0.2", 2)}},
			{Family: snapshots.AFInet, Table: 254, Protocol: 2, Scope: 253, Type: 1, Dst: pfx("10.1.0.0/24"), PrefSrc: ip("10.1.0.1"), NextHops: []snapshots.NextHop{hop("", 2)}},
			{Family: snapshots.AFInet, Table: 254, Protocol: 3, Type: 6, Dst: pfx("10.66.0.0/16")},
			{Family: snapshots.AFInet, Table: 254, Protocol: 3, Type: 1, Dst: pfx("10.50.0.0/16"), Multipath: true,
				NextHops: []snapshots.NextHop{{Gateway: ip("10.1.0.2"), OIF: 2, Weight: 1}, {Gateway: ip("10.2.0.2"), OIF: 3, Weight: 2}}},
			{Family: snapshots.AFInet, Table: 254, Protocol: 3, Type: 1, Dst: pfx("10.60.0.0/16"), Priority: 50, PrefSrc: ip("10.2.0.1"),
				NextHops: []snapshots.NextHop{hop("10.2.0.2", 3)}, X: &snapshots.RouteExtra{Metrics: []snapshots.RouteMetric{{Type: snapshots.RTAXMTU, Value: 1300}}}},
			{Family: snapshots.AFInet, Table: 100, Protocol: 3, Type: 1, Dst: pfx("10.9.0.0/16"), NextHops: []snapshots.NextHop{hop("10.1.0.2", 2)}},
			{Family: snapshots.AFInet, Table: 255, Protocol: 2, Scope: 254, Type: 2, Dst: pfx("10.1.0.1/32"), PrefSrc: ip("10.1.0.1"), NextHops: []snapshots.NextHop{hop("", 2)}},
			{Family: snapshots.AFInet6, Table: 254, Protocol: 3, Type: 1, Dst: pfx("fd00:99::/48"), Priority: 1024,
				NextHops: []snapshots.NextHop{hop("fd00:1::2", 2)}, X: &snapshots.RouteExtra{Pref: 0,
					Expires: 0, Cache: &snapshots.RouteCacheInfo{Used: 3}}},
			{Family: snapshots.AFInet, Table: 254, Protocol: 0, Type: 1, Dst: pfx("10.8.8.8/32"), Cloned: true,
				NextHops: []snapshots.NextHop{hop("10.1.0.2", 2)}, X: &snapshots.RouteExtra{Metrics: []snapshots.RouteMetric{{Type: snapshots.RTAXMTU, Value: 1400}}, Expires: 500}},
		},
		Rules: []snapshots.Rule{
			{Family: snapshots.AFInet, Priority: 0, Table: 255, Action: 1, SuppressPrefixLen: -1, SuppressIfGroup: -1},
			{Family: snapshots.AFInet, Priority: 1000, Table: 100, Action: 1, Src: pfx("10.1.0.0/24"), SuppressPrefixLen: -1, SuppressIfGroup: -1, Protocol: 3},
			{Family: snapshots.AFInet, Priority: 2000, Table: 100, Action: 1, UIDRange: u32p(1000, 2000), HasFwMark: true, FwMark: 7, FwMask: 0xff, SuppressPrefixLen: -1, SuppressIfGroup: -1},
			{Family: snapshots.AFInet, Priority: 32766, Table: 254, Action: 1, SuppressPrefixLen: -1, SuppressIfGroup: -1},
		},
		Neighbours: []snapshots.Neighbour{
			{Family: snapshots.AFInet, Index: 2, Addr: ip("10.1.0.99"), LLAddr: mac(2, 0, 0, 0, 0, 0x99), State: 0x80, Type: 1},
			{Family: snapshots.AFInet, Index: 2, Addr: ip("10.1.0.2"), LLAddr: mac(2, 0, 0, 0, 0xb, 0), State: 0x02, Type: 1,
				Confirmed: 100, Used: 100, Updated: 100, RefCnt: 1, HasCacheInfo: true},
			{Family: snapshots.AFInet6, Index: 2, Addr: ip("fd00:1::2"), LLAddr: mac(2, 0, 0, 0, 0xb, 0), State: 0x04, Flags: 0x80, Type: 1},
			{Family: snapshots.AFInet, Index: 3, Addr: ip("10.2.0.77"), LLAddr: mac(2, 0, 0, 0, 0, 0x77), State: 0x04, Type: 1},
		},
		InetSockets: []snapshots.InetSocket{
			{Proto: snapshots.ProtoTCP, Family: snapshots.AFInet, State: 10, Local: ipp("10.1.0.1:8080"), Remote: ipp("0.0.0.0:0"), SendQ: 5, Inode: 1001, UID: 0},
			{Proto: snapshots.ProtoTCP, Family: snapshots.AFInet, State: 1, Local: ipp("10.1.0.1:8080"), Remote: ipp("10.1.0.2:40000"), Inode: 1002,
				Timer: 2, Expires: 7000, RTO: 204, Cwnd: 10, TCPInfo: []byte{1, 2, 3}, SkMem: []uint32{1, 2}},
			{Proto: snapshots.ProtoTCP, Family: snapshots.AFInet6, State: 10, Local: ipp("[fd00:1::1]:8443"), Remote: ipp("[::]:0"), SendQ: 5, Inode: 1003, V6Only: 2},
			{Proto: snapshots.ProtoTCP, Family: snapshots.AFInet, State: 8, Local: ipp("10.1.0.1:50000"), Remote: ipp("10.1.0.2:9000"), Inode: 1004, RecvQ: 1},
			{Proto: snapshots.ProtoTCP, Family: snapshots.AFInet, State: 6, Local: ipp("10.1.0.1:50001"), Remote: ipp("10.1.0.2:9001"), Timer: 3, Expires: 59000},
			{Proto: snapshots.ProtoUDP, Family: snapshots.AFInet, State: 7, Local: ipp("10.1.0.1:5353"), Remote: ipp("0.0.0.0:0"), Inode: 1005, Drops: 3},
			// Two SO_REUSEPORT listeners on one address.
			{Proto: snapshots.ProtoUDP, Family: snapshots.AFInet, State: 7, Local: ipp("0.0.0.0:4789"), Remote: ipp("0.0.0.0:0"), Inode: 1006},
			{Proto: snapshots.ProtoUDP, Family: snapshots.AFInet, State: 7, Local: ipp("0.0.0.0:4789"), Remote: ipp("0.0.0.0:0"), Inode: 1007},
		},
		UnixSockets: []snapshots.UnixSocket{
			{Type: 1, State: 10, Inode: 2001, Name: "/run/lab/unix.sock", SendQ: 5},
			{Type: 1, State: 1, Inode: 2002, Name: "/run/lab/unix.sock", Peer: 2003},
			{Type: 1, State: 1, Inode: 2003, Peer: 2002},
			{Type: 2, State: 7, Inode: 2004, Name: "\x00lab-abstract"},
		},
		PacketSockets: []snapshots.PacketSocket{{Type: 3, Proto: 0x0003, IfIndex: 2, Running: true, Inode: 3001, Rmem: 100}},
		SCTPEndpoints: []snapshots.SCTPEndpoint{{Type: 1, State: 10, Port: 9999, Inode: 4001, Addrs: []netip.Addr{ip("10.1.0.1"), ip("10.2.0.1")}}},
		SCTPAssocs: []snapshots.SCTPAssoc{{Family: snapshots.AFInet, State: 3, LocalPort: 9999, RemotePort: 40000, Inode: 4002,
			Locals:  []snapshots.SCTPAddr{{Addr: ip("10.1.0.1")}},
			Remotes: []snapshots.SCTPAddr{{Addr: ip("10.1.0.2"), Primary: true, RTO: 300}}, InStreams: 10, OutStreams: 10, TxQueue: 5}},
		Groups: []snapshots.Membership{
			{Family: snapshots.AFInet, IfIndex: 2, IfName: "a0", Group: ip("239.1.1.1"), Users: 1, Timer: true, Expires: 30},
			{Family: snapshots.AFInet, IfIndex: 2, IfName: "a0", Group: ip("232.1.1.1"), Users: 1, Mode: snapshots.FilterInclude,
				Sources: []snapshots.MemberSource{{Addr: ip("10.1.0.2"), Include: 1}}},
			{Family: snapshots.AFInet6, IfIndex: 2, IfName: "a0", Group: ip("ff15::1234"), Users: 1, Flags: 0x4},
		},
		McastIfaces: []snapshots.McastIface{{IfIndex: 2, IfName: "a0", Count: 3, Querier: "V3"}},
		LinkGroups:  []snapshots.LinkMembership{{IfIndex: 2, IfName: "a0", Users: 1, Addr: mac(1, 0, 0x5e, 0, 0, 1)}},
		Vifs:        []snapshots.Vif{{Family: snapshots.AFInet, Index: 0, Name: "a0", Flags: 8, LocalIfIndex: 2, PktsIn: 10, BytesIn: 1000}},
		MFC: []snapshots.MFCEntry{{Family: snapshots.AFInet, Table: 253, Source: ip("10.1.0.2"), Group: ip("239.2.2.2"), IIF: 2, IIFVif: 0,
			Oifs: []snapshots.MFCOif{{Vif: 1, IfIndex: 3, TTL: 1}}, Resolved: true, Packets: 5, Bytes: 500, Expires: 100}},
		Counters: []snapshots.CounterSet{
			{Source: "snmp", Group: "Ip", Counters: []snapshots.Counter{{Name: "Forwarding", Value: 1}, {Name: "InReceives", Value: 1000}}},
			{Source: "snmp", Group: "Tcp", Counters: []snapshots.Counter{{Name: "MaxConn", Value: ^uint64(0), Signed: true},
				{Name: "ActiveOpens", Value: 10}, {Name: "CurrEstab", Value: 3}}},
			{Source: "dev_snmp6/a0", Group: "if", Counters: []snapshots.Counter{{Name: "ifIndex", Value: 2}}},
			{Source: "dev_snmp6/a0", Group: "Ip6", Counters: []snapshots.Counter{{Name: "Ip6InReceives", Value: 50}}},
			{Source: "sockstat", Group: "TCP", Counters: []snapshots.Counter{{Name: "inuse", Value: 4}}},
		},
		Softnet:   []snapshots.SoftnetCPU{{CPU: 0, Values: []uint32{100, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}}},
		Protocols: []snapshots.ProtocolRow{{Name: "TCP", Size: 2400, Sockets: 4, Memory: 1, Pressure: "no", MaxHdr: 320, Slab: true, Module: "kernel", Methods: "yyyy"}},
		Sysctls:   []snapshots.Sysctl{{Name: "net.ipv4.ip_forward", Value: "1"}, {Name: "net.core.somaxconn", Value: "4096"}},
		Slabs:     []snapshots.Slab{{Name: "skbuff_head_cache", ActiveObjs: 100, NumObjs: 128, ObjSize: 256, ObjPerSlab: 16, PagesPerSlab: 1}},
		Leases: []snapshots.Lease{
			{Interface: "a0", Client: "dhclient", Family: snapshots.AFInet, Address: ip("10.1.0.120"), PrefixLen: 24, Server: ip("10.1.0.2"),
				Routers: []netip.Addr{ip("10.1.0.2")}, LeaseTime: 3600, Start: t0.Add(-time.Hour), Expire: t0},
			{Interface: "a0", Client: "dhclient", Family: snapshots.AFInet, Address: ip("10.1.0.120"), PrefixLen: 24, Server: ip("10.1.0.2"),
				Routers: []netip.Addr{ip("10.1.0.2")}, LeaseTime: 3600, Start: t0.Add(-time.Minute), Expire: t0.Add(59 * time.Minute)},
		},
		Owners: []snapshots.SocketOwner{
			{Inode: 1001, Pid: 100, Command: "socat"}, {Inode: 1002, Pid: 101, Command: "socat"},
			{Inode: 2001, Pid: 200, Command: "socat"}, {Inode: 3001, Pid: 300, Command: "tcpdump"},
		},
	}
}

// mkSide wraps tables captured at a time; every test starts from a fresh
// base(), so mutating one side needs no deep copy.
func mkSide(ts *snapshots.Tables, at time.Time) *Side {
	return &Side{Tables: ts, Time: at, BootTime: t0.Add(-48 * time.Hour), NSInode: 4026532000}
}
