package solaris

import (
	"encoding/binary"
	"net/netip"

	"github.com/netmortem/netmortem/snapshots"
)

// fxEdge covers what the lab lacks: long names, 64-bit counters,
// point-to-point and unaddressed links, links without counters, every TCP
// state, old kernels' short tcp_info, MPTCP, UDP-Lite, SCTP, route-cache
// exceptions, dead next hops, redirects, rule selectors, and UNIX names
// that need cleaning or truncation.
func fxEdge() *snapshots.Tables {
	const (
		up    = 0x1 | 0x40 | 0x10000 // IFF_UP | IFF_RUNNING | IFF_LOWER_UP
		bcast = 0x2 | 0x1000         // IFF_BROADCAST | IFF_MULTICAST
		lo    = 0x8
		p2p   = 0x10
	)
	return &snapshots.Tables{
		Links: []snapshots.Link{
			{Index: 1, Name: "lo", Type: 772, Flags: up | lo, MTU: 65536, Stats: snapshots.LinkStats{RxPackets: 4242, TxPackets: 4242, Valid: true}},
			{Index: 2, Name: "eth0", Type: 1, Flags: up | bcast, MTU: 1500, HWAddr: fmac("52:54:00:12:34:56"), OperState: 6,
				Stats: snapshots.LinkStats{RxPackets: 123456789012, RxErrors: 7, TxPackets: 98765432109, TxErrors: 3, Collisions: 12,
					RxBytes: 987654321098765, TxBytes: 123456789098765, Valid: true}},
			{Index: 3, Name: "veth-long-name0", Kind: "veth", Type: 1, Flags: bcast, MTU: 9000,
				Stats: snapshots.LinkStats{RxPackets: 18446744073709551615, TxPackets: 1, Valid: true}},
			{Index: 4, Name: "ppp0", Kind: "ppp", Type: 512, Flags: up | p2p, MTU: 1492, OperState: 6,
				Stats: snapshots.LinkStats{RxPackets: 500, TxPackets: 400, RxErrors: 1, Valid: true}},
			{Index: 5, Name: "down0", Type: 1, Flags: bcast, MTU: 1500}, // counters not captured
		},
		Addrs: []snapshots.Addr{
			{Family: 2, Index: 1, PrefixLen: 8, Address: fa("127.0.0.1"), Local: fa("127.0.0.1"), Label: "lo", Scope: 254},
			{Family: 2, Index: 2, PrefixLen: 24, Address: fa("192.168.10.5"), Local: fa("192.168.10.5"), Broadcast: fa("192.168.10.255"), Label: "eth0"},
			{Family: 2, Index: 2, PrefixLen: 24, Address: fa("192.168.10.6"), Local: fa("192.168.10.6"), Label: "eth0:web", Flags: 0x1},
			{Family: 2, Index: 4, PrefixLen: 32, Address: fa("192.0.2.1"), Local: fa("192.0.2.10"), Label: "ppp0"},
			{Family: 2, Index: 5, PrefixLen: 8, Address: fa("10.9.9.9"), Local: fa("10.9.9.9"), Label: "down0"},
			{Family: 10, Index: 1, PrefixLen: 128, Address: fa("::1"), Scope: 254},
			{Family: 10, Index: 2, PrefixLen: 64, Address: fa("2001:db8:10::5")},
			{Family: 10, Index: 2, PrefixLen: 64, Address: fa("fe80::5054:ff:fe12:3456"), Scope: 253},
		},
		Routes: []snapshots.Route{
			{Family: 2, Table: 254, Protocol: 16, Type: 1, Dst: fp("0.0.0.0/0"), PrefSrc: fa("192.168.10.5"), Priority: 100,
				NextHops: []snapshots.NextHop{{Gateway: fa("192.168.10.1"), OIF: 2, Weight: 1}}},
			{Family: 2, Table: 254, Protocol: 2, Scope: 253, Type: 1, Dst: fp("192.168.10.0/24"), PrefSrc: fa("192.168.10.5"),
				NextHops: []snapshots.NextHop{{OIF: 2, Weight: 1}}},
			{Family: 2, Table: 254, Protocol: 2, Scope: 253, Type: 1, Dst: fp("192.0.2.1/32"), PrefSrc: fa("192.0.2.10"),
				NextHops: []snapshots.NextHop{{OIF: 4, Weight: 1}}},
			// Direct, no preferred source: the device's address in the prefix.
			{Family: 2, Table: 254, Protocol: 4, Scope: 253, Type: 1, Dst: fp("192.168.10.128/25"),
				NextHops: []snapshots.NextHop{{OIF: 2, Weight: 1}}},
			// Direct, no address of the device in the prefix.
			{Family: 2, Table: 254, Protocol: 4, Scope: 253, Type: 1, Dst: fp("172.16.0.0/12"),
				NextHops: []snapshots.NextHop{{OIF: 5, Weight: 1}}},
			// A gateway with a long host name.
			{Family: 2, Table: 254, Protocol: 186, Type: 1, Dst: fp("198.51.100.0/24"), Priority: 20,
				NextHops: []snapshots.NextHop{{Gateway: fa("192.168.10.254"), OIF: 2, Weight: 1}}},
			// Multipath with a dead next hop.
			{Family: 2, Table: 254, Protocol: 4, Type: 1, Dst: fp("203.0.113.0/24"), Multipath: true,
				NextHops: []snapshots.NextHop{{Gateway: fa("192.168.10.1"), OIF: 2, Weight: 1}, {Gateway: fa("10.9.9.1"), OIF: 5, Weight: 1, Flags: 0x1 | 0x10}}},
			// Installed by an ICMP redirect.
			{Family: 2, Table: 254, Protocol: 1, Type: 1, Dst: fp("192.0.2.77/32"),
				NextHops: []snapshots.NextHop{{Gateway: fa("192.168.10.2"), OIF: 2, Weight: 1}}},
			{Family: 2, Table: 200, Protocol: 4, Type: 9, Dst: fp("10.0.0.0/8")},
			{Family: 2, Table: 255, Protocol: 2, Scope: 254, Type: 2, Dst: fp("192.168.10.6/32"), PrefSrc: fa("192.168.10.5"),
				NextHops: []snapshots.NextHop{{OIF: 2, Weight: 1}}},
			// A PMTU exception (ip route show cache).
			{Family: 2, Table: 254, Type: 1, Dst: fp("198.51.100.7/32"), Cloned: true, Flags: 0x200,

				NextHops: []snapshots.NextHop{{Gateway: fa("192.168.10.254"), OIF: 2, Weight: 1}}, X: &snapshots.RouteExtra{Expires: 580,
					Metrics: []snapshots.RouteMetric{{Type: snapshots.RTAXMTU, Value: 1400}},

					Cache: &snapshots.RouteCacheInfo{ClntRef: 1, Used: 17}}},
			{Family: 10, Table: 254, Protocol: 9, Type: 1, Dst: fp("::/0"), Priority: 1024,
				NextHops: []snapshots.NextHop{{Gateway: fa("fe80::1"), OIF: 2, Weight: 1}}, X: &snapshots.RouteExtra{Pref: 0,

					Cache: &snapshots.RouteCacheInfo{ClntRef: 3, Used: 123456}}},
			{Family: 10, Table: 254, Protocol: 2, Type: 1, Dst: fp("2001:db8:10::/64"), Priority: 256,
				NextHops: []snapshots.NextHop{{OIF: 2, Weight: 1}}, X: &snapshots.RouteExtra{Cache: &snapshots.RouteCacheInfo{}}},
			{Family: 10, Table: 254, Protocol: 2, Type: 1, Dst: fp("2001:db8:ffff:ffff:ffff:ffff:ffff:0/112"), Priority: 256,
				NextHops: []snapshots.NextHop{{Gateway: fa("2001:db8:10::ffff:ffff"), OIF: 2, Weight: 1}}, X: &snapshots.RouteExtra{Src: fp("2001:db8:10::/64")}},
		},
		Rules: []snapshots.Rule{
			{Family: 2, Priority: 0, Table: 255, Action: 1, SuppressPrefixLen: -1, SuppressIfGroup: -1, Protocol: 2},
			{Family: 2, Priority: 100, Table: 200, Action: 1, Flags: 0x2, Src: fp("192.168.10.0/24"), Dst: fp("10.0.0.0/8"),
				FwMark: 0x10, FwMask: 0xff, HasFwMark: true, IIFName: "eth0", SuppressPrefixLen: 0, SuppressIfGroup: -1},
			{Family: 2, Priority: 200, Action: 2, Goto: 300, Flags: 0x4, UIDRange: &[2]uint32{1000, 1999}, SuppressPrefixLen: -1, SuppressIfGroup: -1},
			{Family: 2, Priority: 300, Action: 7, IPProto: 6, DPortRange: &[2]uint16{22, 22}, OIFName: "ppp0", Flags: 0x10, SuppressPrefixLen: -1, SuppressIfGroup: -1},
			{Family: 2, Priority: 400, Action: 1, Table: 254, TOS: 0x10, Flow: 0x00020003, SuppressPrefixLen: -1, SuppressIfGroup: -1},
			{Family: 10, Priority: 32766, Table: 254, Action: 1, SuppressPrefixLen: -1, SuppressIfGroup: -1, Protocol: 2},
		},
		InetSockets: []snapshots.InetSocket{
			fxTCP(2, 2, "192.168.10.5:41000", "198.51.100.7:443", nil), // SYN_SENT
			fxTCP(2, 12, "192.168.10.5:22", "203.0.113.9:50022", nil),  // NEW_SYN_RECV
			fxTCP(2, 4, "192.168.10.5:22", "203.0.113.10:50023", fxInfo(1448, 201000, 29200, 65535)),
			fxTCP(2, 5, "192.168.10.5:22", "203.0.113.11:50024", fxInfo(1448, 201000, 0, 131072)),
			fxTCP(2, 9, "192.168.10.5:22", "203.0.113.12:50025", fxInfo(536, 3216000, 4096, 4096)),
			fxTCP(2, 11, "192.168.10.5:22", "203.0.113.13:50026", fxInfo(1448, 412000, 1, 2)),
			fxTCP(2, 7, "192.168.10.5:5000", "0.0.0.0:0", nil),
			fxTCP(2, 13, "192.168.10.5:5001", "0.0.0.0:0", nil),
			fxTCP(2, 99, "192.168.10.5:5002", "0.0.0.0:0", nil),
			// Long names on both sides, big queues, a kernel whose tcp_info
			// stops before tcpi_snd_wnd (windows unknown).
			func() snapshots.InetSocket {
				s := fxTCP(2, 1, "192.168.10.6:8080", "192.168.10.254:65000", fxInfoOld(1448, 204000))
				s.SendQ, s.RecvQ = 4000000000, 123456789
				return s
			}(),
			// From /proc only: RTO from the rto column, no tcp_info.
			func() snapshots.InetSocket {
				s := fxTCP(2, 1, "192.168.10.5:22", "192.168.10.1:40000", nil)
				s.RTO, s.Cookie = 208, 0
				return s
			}(),
			fxTCP(10, 1, "[::ffff:192.168.10.5]:8080", "[::ffff:192.168.10.77]:50000", fxInfo(1448, 204000, 65536, 65536)),
			func() snapshots.InetSocket {
				s := fxTCP(10, 1, "[fe80::5054:ff:fe12:3456]:22", "[fe80::1]:50100", fxInfo(1428, 204000, 64000, 64000))
				s.IfIndex = 2
				return s
			}(),
			func() snapshots.InetSocket {
				s := fxTCP(10, 1, "[2001:db8:10::5]:443", "[2001:db8:ffff:ffff:ffff:ffff:ffff:1]:65535", fxInfo(1428, 204000, 1, 1))
				s.IfIndex = 77 // a device the snapshot does not have
				return s
			}(),
			{Proto: snapshots.ProtoMPTCP, Family: 2, State: 1, Local: fap("192.168.10.5:8443"), Remote: fap("198.51.100.20:40001"), Cookie: 9001, Inode: 5005},
			{Proto: snapshots.ProtoUDPLite, Family: 2, State: 7, Local: fap("0.0.0.0:5060"), Remote: fap("0.0.0.0:0"), Inode: 5006},
			{Proto: snapshots.ProtoUDP, Family: 10, State: 1, Local: fap("[2001:db8:10::5]:123"), Remote: fap("[2001:db8::123]:123"), Inode: 5007, IfIndex: 2},
			{Proto: snapshots.ProtoUDP, Family: 2, State: 3, Local: fap("192.168.10.5:999"), Remote: fap("0.0.0.0:0"), Inode: 5008},
			{Proto: snapshots.ProtoRaw, RawProto: 1, Family: 2, State: 1, Local: fap("192.168.10.5:1"), Remote: fap("192.0.2.1:0"), Inode: 5009},
			{Proto: snapshots.ProtoRaw, RawProto: 200, Family: 2, State: 7, Local: fap("0.0.0.0:200"), Remote: fap("0.0.0.0:0"), Inode: 5010},
		},
		SCTPEndpoints: []snapshots.SCTPEndpoint{
			{Type: 1, State: 10, Port: 2905, Inode: 6001, Addrs: []netip.Addr{fa("192.168.10.5"), fa("192.168.10.6")}},
			{Type: 2, State: 1, Port: 36412, Inode: 6002, Addrs: []netip.Addr{fa("192.168.10.5")}},
			{Type: 2, State: 7, Port: 3868, Inode: 6003, Addrs: []netip.Addr{fa("2001:db8:10::5")}},
		},
		SCTPAssocs: []snapshots.SCTPAssoc{
			{Family: 2, AssocID: 1, State: 3, Inode: 6001, LocalPort: 2905, RemotePort: 40000, TxQueue: 10, RxQueue: 20,
				InStreams: 10, OutStreams: 17,
				Locals:  []snapshots.SCTPAddr{{Addr: fa("192.168.10.5")}, {Addr: fa("192.168.10.6")}},
				Remotes: []snapshots.SCTPAddr{{Addr: fa("198.51.100.30"), Active: 2}, {Addr: fa("198.51.100.31"), Primary: true, Active: 1}, {Addr: fa("198.51.100.32"), Active: 1}}},
			{Family: 2, AssocID: 2, State: 1, Inode: 6002, LocalPort: 36412, RemotePort: 36412, InStreams: 0, OutStreams: 2,
				Locals:  []snapshots.SCTPAddr{{Addr: fa("192.168.10.5")}},
				Remotes: []snapshots.SCTPAddr{{Addr: fa("198.51.100.40"), Primary: true}}},
			{Family: 10, AssocID: 3, State: 5, Inode: 6009, LocalPort: 3868, RemotePort: 3868, InStreams: 2, OutStreams: 2,
				Locals:  []snapshots.SCTPAddr{{Addr: fa("2001:db8:10::5")}},
				Remotes: []snapshots.SCTPAddr{{Addr: fa("2001:db8::3868"), Primary: true}}},
		},
		UnixSockets: []snapshots.UnixSocket{
			{Type: 1, State: 10, Inode: 7001, Name: "/var/run/a/very/long/path/that/is/longer/than/thirty-nine.sock", VFSInode: 880001, RecvQ: 0, SendQ: 128},
			{Type: 1, State: 1, Inode: 7002, Name: "/tmp/bad\nname", VFSInode: 880002, Peer: 7003},
			{Type: 1, State: 1, Inode: 7003, Peer: 7002},
			{Type: 5, State: 1, Inode: 7004, Peer: 7005},
			{Type: 5, State: 1, Inode: 7005, Peer: 7004},
			{Type: 2, State: 7, Inode: 7006, Name: "\x00abs\x00tract"},
			{Type: 2, State: 1, Inode: 7007, Peer: 9999999999},
			{Type: 9, State: 2, Inode: 7008},
		},
		Owners: []snapshots.SocketOwner{{Inode: 5005, Pid: 1234, Command: "mptcpd", UID: 0}},
	}
}

// fxTCP builds a TCP socket the way inet_diag reports it.
func fxTCP(af uint8, state uint8, local, remote string, info []byte) snapshots.InetSocket {
	return snapshots.InetSocket{Proto: snapshots.ProtoTCP, Family: af, State: state, Local: fap(local), Remote: fap(remote),
		Cookie: uint64(state) + 100, Inode: uint64(state) + 40000, TCPInfo: info}
}

// fxInfo is a 6.x tcp_info (280 bytes) with the fields the display
// reads; rto in µs.
func fxInfo(mss, rto, sndWnd, rcvWnd uint32) []byte {
	b := make([]byte, 280)
	b[0] = 1
	binary.LittleEndian.PutUint32(b[8:], rto)
	binary.LittleEndian.PutUint32(b[16:], mss)
	binary.LittleEndian.PutUint32(b[228:], sndWnd)
	binary.LittleEndian.PutUint32(b[232:], rcvWnd)
	return b
}

// fxInfoOld is a tcp_info of an older kernel (104 bytes, 3.x).
func fxInfoOld(mss, rto uint32) []byte {
	b := make([]byte, 104)
	b[0] = 1
	binary.LittleEndian.PutUint32(b[8:], rto)
	binary.LittleEndian.PutUint32(b[16:], mss)
	return b
}

// fxSeries are four frames of the lab one second apart: traffic on a0
// and a1, then a1 recreated (new index, counters from zero) in the last.
func fxSeries() []*snapshots.Tables {
	var out []*snapshots.Tables
	for i := 0; i < 4; i++ {
		t := fxLab()
		a0, a1 := &t.Links[1], &t.Links[2]
		n := uint64(i)
		a0.Stats.RxPackets += 10 * n
		a0.Stats.TxPackets += 7 * n
		a0.Stats.RxErrors += n / 2
		a1.Stats.RxPackets += 3 * n
		a1.Stats.TxPackets += 100 * n
		t.Links[0].Stats.RxPackets += 2 * n
		t.Links[0].Stats.TxPackets += 2 * n
		if i == 3 {
			a1.Index = 9
			a1.Stats = snapshots.LinkStats{RxPackets: 4, TxPackets: 5, Valid: true}
			for j := range t.Addrs {
				if t.Addrs[j].Index == 3 {
					t.Addrs[j].Index = 9
				}
			}
		}
		out = append(out, t)
	}
	return out
}
