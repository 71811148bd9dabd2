// Package synth builds synthetic snapshot tables for tests and benchmarks:
// a table set with every field of every table set, and big realistic
// route and socket tables (a BGP-sized FIB, a busy server's sockets).
package synth

import (
	"math/rand/v2"
	"net/netip"
	"time"

	"github.com/netmortem/netmortem/snapshots"
)

var epoch = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// Meta returns metadata with every field set.
func Meta() snapshots.Meta {
	return snapshots.Meta{
		Hostname: "lab1.example.net", KernelRelease: "6.18.44", KernelVersion: "#1 SMP PREEMPT_DYNAMIC",
		Machine: "x86_64", BigEndian: false, BootTime: epoch.Add(-48 * time.Hour), ClockTicks: 100,
		PageSize: 4096, CaptureStart: epoch, CaptureEnd: epoch.Add(800 * time.Millisecond),
		ToolVersion: "netmortem test", Source: snapshots.Source{Kind: "synthetic", Origin: "synth", Detail: "full"},
		CommandLine: []string{"netmortem", "capture", "-o", "x.nms"}, Warnings: []string{"synthetic data"},
	}
}

func a(s string) netip.Addr      { return netip.MustParseAddr(s) }
func p(s string) netip.Prefix    { return netip.MustParsePrefix(s) }
func ap(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }

func raw(t uint16) []snapshots.RawAttr {
	return []snapshots.RawAttr{{Type: t, Data: []byte{1, 2, 3, 4}}, {Type: t + 1, Data: []byte{9}}}
}

// Full returns tables in which every field of every row type is set to a
// non-zero value; seed varies the values so frames can differ.
func Full(seed int) *snapshots.Tables {
	s := uint32(seed)
	u := func(v uint32) uint32 { return v + s }
	return &snapshots.Tables{
		Links: []snapshots.Link{{
			Index: 2, Name: "veth0", AltNames: []string{"enp0s1"}, Kind: "veth", SlaveKind: "bridge",
			Type: 1, Flags: 0x11043, MTU: u(1500), MinMTU: 68, MaxMTU: 65535,
			HWAddr: []byte{2, 0, 0, 0, 0, 1}, Broadcast: []byte{255, 255, 255, 255, 255, 255},
			PermAddr: []byte{2, 0, 0, 0, 0, 9}, OperState: 6, LinkMode: 1, Carrier: 1, Master: 5, Parent: 3,
			ParentNetns: 1, TxQueueLen: 1000, Qdisc: "noqueue", Group: 1, Promiscuity: 1, NumTxQueues: 2,
			NumRxQueues: 2, Alias: "uplink",
			Stats: snapshots.LinkStats{RxPackets: 1, TxPackets: 2, RxBytes: 3, TxBytes: 4, RxErrors: 5,
				TxErrors: 6, RxDropped: 7, TxDropped: 8, Multicast: 9, Collisions: 10, RxLengthErrors: 11,
				RxOverErrors: 12, RxCRCErrors: 13, RxFrameErrors: 14, RxFIFOErrors: 15, RxMissedErrors: 16,
				TxAbortedErrors: 17, TxCarrierErrors: 18, TxFIFOErrors: 19, TxHeartbeatErrors: 20,
				TxWindowErrors: 21, RxCompressed: 22, TxCompressed: 23, RxNoHandler: 24,
				RxOtherhostDropped: uint64(u(25)), Extra: []uint64{26}, Valid: true},
			Sys: []snapshots.Sysctl{{Name: "speed", Value: "10000"}}, Raw: raw(60),
		}},
		Addrs: []snapshots.Addr{{
			Family: snapshots.AFInet, Index: 2, PrefixLen: 24, Address: a("10.1.0.2"), Local: a("10.1.0.1"),
			Broadcast: a("10.1.0.255"), Anycast: a("10.1.0.7"), Label: "veth0:1", Scope: 200, Flags: 0x80,
			Proto: 3, Preferred: u(300), Valid: 600, Created: 1000, Updated: 2000, HasCacheInfo: true, Raw: raw(40),
		}},
		Routes: []snapshots.Route{{
			Family: snapshots.AFInet6, Table: 1000, Protocol: 186, Scope: 253, Type: 1, Flags: 0x200, TOS: 4,
			Dst: p("2001:db8::/32"), IIF: 3, PrefSrc: a("2001:db8::1"), Priority: u(1024),
			NextHops: []snapshots.NextHop{
				{Gateway: a("fe80::1"), OIF: 2, Weight: 2, Flags: 4, Realms: 7,
					X: &snapshots.NextHopExtra{EncapType: 1, Encap: []byte{0, 1}, Raw: raw(80)}},
				{Gateway: a("fe80::2"), OIF: 4, Weight: 1, Flags: 1, Realms: 8,
					X: &snapshots.NextHopExtra{EncapType: 2, Encap: []byte{3}, Raw: raw(90)}},
			},
			Multipath: true, Cloned: true,
			X: &snapshots.RouteExtra{
				Src:     p("2001:db8:1::/48"),
				Metrics: []snapshots.RouteMetric{{Type: 2, Value: 1400}, {Type: 8, Value: 1360}},
				CongCtl: "bbr", Pref: 1, Mark: 9, NHID: 12, Expires: uint64(u(300)),
				Cache: &snapshots.RouteCacheInfo{ClntRef: 1, LastUse: 2, Expires: 3, Error: 4, Used: 5, ID: 6, TS: 7, TSAge: 8},
				Raw:   raw(100),
			},
		}},
		Rules: []snapshots.Rule{{
			Family: snapshots.AFInet, Priority: u(100), Table: 100, Action: 1, Flags: 2, TOS: 8,
			Src: p("10.0.0.0/8"), Dst: p("192.168.0.0/16"), IIFName: "veth0", OIFName: "veth1",
			FwMark: 7, FwMask: 0xff, HasFwMark: true, Goto: 200, SuppressPrefixLen: 16, SuppressIfGroup: 3,
			L3MDev: 1, UIDRange: &[2]uint32{1000, 2000}, Protocol: 4, IPProto: 6,
			SPortRange: &[2]uint16{1, 1024}, DPortRange: &[2]uint16{80, 443}, Flow: 5, Raw: raw(30),
		}},
		Neighbours: []snapshots.Neighbour{{
			Family: snapshots.AFInet6, Index: 2, Addr: a("fe80::1"), LLAddr: []byte{2, 0, 0, 0, 0, 2},
			State: 0x80, Flags: 0x88, Type: 1, Probes: u(3), VLAN: 10, Master: 5, Protocol: 4,
			Confirmed: 100, Used: 200, Updated: 300, RefCnt: 1, HasCacheInfo: true, Proxy: true, Raw: raw(20),
		}},
		InetSockets: []snapshots.InetSocket{{
			Proto: snapshots.ProtoTCP, RawProto: 6, Family: snapshots.AFInet6, State: 1,
			Local: ap("[2001:db8::1]:22"), Remote: ap("[2001:db8::2]:50000"), IfIndex: 2, Cookie: 0xdeadbeef,
			Timer: 2, Retrans: 1, Expires: u(7200000), RecvQ: 10, SendQ: 20, UID: 1000, Inode: 123456,
			RefCount: 2, Probes: 1, Drops: 3, RTO: 204, ATO: 40, QuickAck: 1, Cwnd: 10, Ssthresh: -1,
			Shutdown: 1, TOS: 16, TClass: 8, Mark: 5, CgroupID: 77, V6Only: 2, Cong: "cubic",
			MemInfo: []uint32{1, 2, 3, 4}, SkMem: []uint32{1, 2, 3, 4, 5, 6, 7, 8, 9},
			TCPInfo: make232(byte(seed)), Raw: raw(50),
		}},
		UnixSockets: []snapshots.UnixSocket{{
			Type: 1, State: 10, Inode: 999, Name: "\x00abstract", Peer: 1000, VFSInode: 55, VFSDev: 0x801,
			Pending: []uint64{1001, 1002}, RecvQ: 1, SendQ: 128, Shutdown: 2, UID: u(1000), HasUID: true,
			Flags: 0x10000, RefCount: 2, Cookie: 88, SkMem: []uint32{1, 2, 3}, Raw: raw(10),
		}},
		PacketSockets: []snapshots.PacketSocket{{
			Type: 3, Proto: 0x0003, IfIndex: 2, Running: true, Rmem: 4096, UID: u(0) + 1, Inode: 4242, Cookie: 3,
			RefCount: 3, Raw: raw(5),
		}},
		SCTPEndpoints: []snapshots.SCTPEndpoint{{Type: 1, State: 10, Bucket: 5, Port: 9999, UID: u(1), Inode: 77,
			Addrs: []netip.Addr{a("10.1.0.1"), a("10.2.0.1")}}},
		SCTPAssocs: []snapshots.SCTPAssoc{{
			Family: snapshots.AFInet, AssocID: u(1), Type: 2, SockState: 1, State: 3, Bucket: 4, TxQueue: 5,
			RxQueue: 6, UID: 7, Inode: 8, LocalPort: 9999, RemotePort: 40000,
			Locals:     []snapshots.SCTPAddr{{Addr: a("10.1.0.1"), Primary: true, Active: 1, RTO: 1, HBAct: 2, Rtx: 3, MaxRtx: 4, Start: 5, State: -1}},
			Remotes:    []snapshots.SCTPAddr{{Addr: a("10.1.0.2"), Primary: true, Active: 2, RTO: 3000, HBAct: 1, Rtx: 2, MaxRtx: 5, Start: 9, State: 2}},
			HBInterval: 30000, InStreams: 10, OutStreams: 10, MaxRtx: 10, T1X: 1, T2X: 2, RtxC: 3,
			WmemAlloc: 4, WmemQueued: 5, SndBuf: 6, RcvBuf: 7,
		}},
		Groups: []snapshots.Membership{{
			Family: snapshots.AFInet, IfIndex: 2, IfName: "veth0", Group: a("232.1.1.1"), Users: u(1), Timer: true,
			Expires: 200, Reporter: true, Flags: 0xc, Mode: snapshots.FilterInclude,
			Sources: []snapshots.MemberSource{{Addr: a("10.1.2.9"), Include: 1, Exclude: 2}},
		}},
		McastIfaces: []snapshots.McastIface{{IfIndex: 2, IfName: "veth0", Count: u(2), Querier: "V3"}},
		LinkGroups:  []snapshots.LinkMembership{{IfIndex: 2, IfName: "veth0", Users: u(1), Global: true, Addr: []byte{1, 0, 0x5e, 0, 0, 1}}},
		Vifs: []snapshots.Vif{{Family: snapshots.AFInet, Index: 1, Name: "veth0", BytesIn: 1, PktsIn: 2, BytesOut: 3,
			PktsOut: uint64(u(4)), Flags: 8, Local: a("10.1.0.1"), Remote: a("10.9.0.1"), LocalIfIndex: 2}},
		MFC: []snapshots.MFCEntry{{Family: snapshots.AFInet, Table: 253, Source: a("10.1.0.2"), Group: a("239.1.2.3"),
			IIFVif: 1, IIF: 2, Packets: uint64(u(5)), Bytes: 6, WrongIf: 7,
			Oifs: []snapshots.MFCOif{{Vif: 1, IfIndex: 3, TTL: 1}}, Expires: 300, Resolved: true, Raw: raw(15)}},
		Counters: []snapshots.CounterSet{{Source: "snmp", Group: "Tcp", Counters: []snapshots.Counter{
			{Name: "RtoMin", Value: uint64(u(200)), Signed: true}, {Name: "MaxConn", Value: ^uint64(0), Signed: true}}}},
		Softnet:   []snapshots.SoftnetCPU{{CPU: 1, Values: []uint32{1, 2, 3, u(4)}}},
		Protocols: []snapshots.ProtocolRow{{Name: "TCP", Size: 2400, Sockets: int64(u(5)), Memory: -1, Pressure: "no", MaxHdr: 320, Slab: true, Module: "kernel", Methods: "yyyyyyyyyyyyyyyyy"}},
		Sysctls:   []snapshots.Sysctl{{Name: "net.ipv4.tcp_mem", Value: "1 2 3"}},
		Slabs:     []snapshots.Slab{{Name: "skbuff_head_cache", ActiveObjs: uint64(u(10)), NumObjs: 20, ObjSize: 256, ObjPerSlab: 16, PagesPerSlab: 1}},
		Leases: []snapshots.Lease{{
			Interface: "veth0", Client: "dhclient", Family: snapshots.AFInet, Address: a("10.1.0.50"), PrefixLen: 24,
			Server: a("10.1.0.1"), Routers: []netip.Addr{a("10.1.0.1")}, LeaseTime: u(3600), Start: epoch,
			Renew: epoch.Add(30 * time.Minute), Rebind: epoch.Add(52 * time.Minute), Expire: epoch.Add(time.Hour),
			BOOTP: true, Options: []snapshots.Sysctl{{Name: "domain-name", Value: "lab"}},
			SourceFile: "/var/lib/dhcp/dhclient.veth0.leases", ModTime: epoch,
		}},
		Owners: []snapshots.SocketOwner{{Inode: 123456, Pid: int32(u(4242)), Command: "sshd", UID: 1}},
		Files:  []snapshots.RawFile{{Path: "/proc/net/snmp", Data: []byte{byte(seed), 1, 2}, ModTime: epoch, Err: "x"}},
	}
}

func make232(seed byte) []byte {
	b := make([]byte, 232)
	for i := range b {
		b[i] = byte(i) + seed
	}
	return b
}

// Routes returns n IPv4 routes shaped like a full BGP table in the main
// table: /8–/24 prefixes (mostly /24, more specifics nested in shorter
// ones) in ascending order, unique, a few gateways and devices, protocol
// bgp, a few per cent multipath. Up to about 10M routes fit the unicast
// space.
func Routes(n int, seed uint64) []snapshots.Route {
	r := rand.New(rand.NewPCG(seed, 7))
	gws := []netip.Addr{a("192.0.2.1"), a("192.0.2.2"), a("198.51.100.1"), a("198.51.100.9"), a("203.0.113.5"), a("203.0.113.6")}
	out := make([]snapshots.Route, 0, n)
	nhs := make([]snapshots.NextHop, 0, n+n/20)
	seen := make(map[netip.Prefix]bool, n)
	addr := uint32(1 << 24)
	for len(out) < n {
		addr += 256 * uint32(1+r.IntN(3))
		if addr>>24 == 127 {
			addr = 128 << 24
		}
		bits := RouteBits(r.IntN(1000))
		dst := netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(addr >> 24), byte(addr >> 16), byte(addr >> 8), byte(addr)}), bits).Masked()
		if seen[dst] {
			continue
		}
		seen[dst] = true
		k := 1
		if r.IntN(100) < 3 {
			k = 2
		}
		start := len(nhs)
		for j := 0; j < k; j++ {
			g := r.IntN(len(gws))
			nhs = append(nhs, snapshots.NextHop{Gateway: gws[g], OIF: int32(2 + g%3), Weight: 1})
		}
		out = append(out, snapshots.Route{
			Family: snapshots.AFInet, Table: 254, Protocol: 186, Type: 1, Dst: dst,
			Priority: 20, NextHops: nhs[start:len(nhs):len(nhs)], Multipath: k > 1,
		})
	}
	return out
}

// RouteBits maps a number in [0, 1000) to a prefix length with the shape
// of a BGP table: 60 % /24, 30 % /19–/23, 9 % /16–/18, 1 % /8–/15.
func RouteBits(x int) int {
	switch {
	case x < 600:
		return 24
	case x < 900:
		return 19 + x%5
	case x < 990:
		return 16 + x%3
	}
	return 8 + x%8
}

// TCPSockets returns n established TCP sockets between loopback addresses
// with TCP_INFO, as a busy server would have.
func TCPSockets(n int, seed uint64) []snapshots.InetSocket {
	r := rand.New(rand.NewPCG(seed, 11))
	out := make([]snapshots.InetSocket, n)
	info := make232(0)
	for i := range out {
		lp := uint16(8000 + i%8)
		rp := uint16(10000 + i%50000)
		remote := netip.AddrFrom4([4]byte{127, 0, byte(i >> 16), byte(i>>8) + 1})
		ti := append([]byte(nil), info...)
		ti[0] = 1
		ti[5] = byte(r.IntN(256))
		out[i] = snapshots.InetSocket{
			Proto: snapshots.ProtoTCP, Family: snapshots.AFInet, State: 1,
			Local: netip.AddrPortFrom(a("127.0.0.1"), lp), Remote: netip.AddrPortFrom(remote, rp),
			Cookie: uint64(0x1000 + i), RecvQ: uint32(r.IntN(3)), UID: 1000, Inode: uint64(500000 + i),
			Cong: "cubic", SkMem: []uint32{0, 131072, 0, 16384, 0, 0, 0, 0, 0}, TCPInfo: ti,
		}
	}
	return out
}
