package solaris

import (
	"encoding/hex"
	"net"
	"net/netip"

	"github.com/netmortem/netmortem/snapshots"
)

// Test fxFixtures. fxLab is namespace A of testdata/lab/lab.sh (prefix
// f4) as the netlink dumps returned it on a 6.18 kernel, trimmed to a
// representative set of UNIX sockets, with the TIME_WAIT socket the lab
// leaves for a minute and the raw sockets of /proc/net/raw{,6} added.

func fa(s string) netip.Addr      { return netip.MustParseAddr(s) }
func fp(s string) netip.Prefix    { return netip.MustParsePrefix(s) }
func fap(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }

func fhex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

func fmac(s string) []byte {
	b, err := net.ParseMAC(s)
	if err != nil {
		panic(err)
	}
	return b
}

func fxLab() *snapshots.Tables {
	return &snapshots.Tables{
		Links: []snapshots.Link{
			{Index: 1, Name: "lo", Type: 772, Flags: 65609, MTU: 65536, HWAddr: make([]byte, 6), Broadcast: make([]byte, 6), Carrier: 1, ParentNetns: -1, TxQueueLen: 1000, Qdisc: "noqueue", NumTxQueues: 1, NumRxQueues: 1, Stats: snapshots.LinkStats{Valid: true}},
			{Index: 2, Name: "a0", Kind: "veth", Type: 1, Flags: 69699, MTU: 1500, MinMTU: 68, MaxMTU: 65535, HWAddr: fmac("02:00:00:00:0a:00"), Broadcast: fmac("ff:ff:ff:ff:ff:ff"), OperState: 6, Carrier: 1, Parent: 2, TxQueueLen: 1000, Qdisc: "noqueue", NumTxQueues: 2, NumRxQueues: 2, Stats: snapshots.LinkStats{RxPackets: 31, TxPackets: 22, RxBytes: 3010, TxBytes: 2520, Valid: true}},
			{Index: 3, Name: "a1", Kind: "veth", Type: 1, Flags: 69699, MTU: 1400, MinMTU: 68, MaxMTU: 65535, HWAddr: fmac("02:00:00:00:0a:01"), Broadcast: fmac("ff:ff:ff:ff:ff:ff"), OperState: 6, Carrier: 1, Parent: 3, TxQueueLen: 1000, Qdisc: "noqueue", NumTxQueues: 2, NumRxQueues: 2, Stats: snapshots.LinkStats{RxPackets: 8, TxPackets: 20, RxBytes: 892, TxBytes: 2320, Valid: true}},
		},
		Addrs: []snapshots.Addr{
			{Family: 2, Index: 1, PrefixLen: 8, Address: fa("127.0.0.1"), Local: fa("127.0.0.1"), Label: "lo", Scope: 254, Flags: 128, Preferred: 4294967295, Valid: 4294967295, Created: 280754, Updated: 280754, HasCacheInfo: true},
			{Family: 2, Index: 2, PrefixLen: 24, Address: fa("10.1.0.1"), Local: fa("10.1.0.1"), Label: "a0", Flags: 128, Preferred: 4294967295, Valid: 4294967295, Created: 281032, Updated: 281032, HasCacheInfo: true},
			{Family: 2, Index: 2, PrefixLen: 24, Address: fa("10.1.0.11"), Local: fa("10.1.0.11"), Label: "a0:1", Flags: 129, Preferred: 4294967295, Valid: 4294967295, Created: 281034, Updated: 281034, HasCacheInfo: true},
			{Family: 2, Index: 3, PrefixLen: 24, Address: fa("10.2.0.1"), Local: fa("10.2.0.1"), Label: "a1", Flags: 128, Preferred: 4294967295, Valid: 4294967295, Created: 281038, Updated: 281038, HasCacheInfo: true},
			{Family: 10, Index: 1, PrefixLen: 128, Address: fa("::1"), Scope: 254, Flags: 128, Proto: 1, Preferred: 4294967295, Valid: 4294967295, Created: 280754, Updated: 280754, HasCacheInfo: true},
			{Family: 10, Index: 2, PrefixLen: 64, Address: fa("fd00:1::1"), Flags: 130, Preferred: 4294967295, Valid: 4294967295, Created: 281036, Updated: 281036, HasCacheInfo: true},
			{Family: 10, Index: 2, PrefixLen: 64, Address: fa("fe80::ff:fe00:a00"), Scope: 253, Flags: 128, Proto: 3, Preferred: 4294967295, Valid: 4294967295, Created: 281010, Updated: 281010, HasCacheInfo: true},
			{Family: 10, Index: 3, PrefixLen: 64, Address: fa("fd00:2::1"), Flags: 130, Preferred: 4294967295, Valid: 4294967295, Created: 281042, Updated: 281042, HasCacheInfo: true},
			{Family: 10, Index: 3, PrefixLen: 64, Address: fa("fe80::ff:fe00:a01"), Scope: 253, Flags: 128, Proto: 3, Preferred: 4294967295, Valid: 4294967295, Created: 281017, Updated: 281017, HasCacheInfo: true},
		},
		Routes: []snapshots.Route{
			{Family: 2, Table: 100, Protocol: 3, Type: 1, Dst: fp("0.0.0.0/0"), NextHops: []snapshots.NextHop{{Gateway: fa("10.2.0.2"), OIF: 3, Weight: 1}}},
			{Family: 2, Table: 100, Protocol: 3, Type: 1, Dst: fp("10.9.0.0/16"), NextHops: []snapshots.NextHop{{Gateway: fa("10.1.0.2"), OIF: 2, Weight: 1}}},
			{Family: 2, Table: 254, Protocol: 3, Type: 1, Dst: fp("0.0.0.0/0"), NextHops: []snapshots.NextHop{{Gateway: fa("10.1.0.2"), OIF: 2, Weight: 1}}},
			{Family: 2, Table: 254, Protocol: 2, Scope: 253, Type: 1, Dst: fp("10.1.0.0/24"), PrefSrc: fa("10.1.0.1"), NextHops: []snapshots.NextHop{{OIF: 2, Weight: 1}}},
			{Family: 2, Table: 254, Protocol: 2, Scope: 253, Type: 1, Dst: fp("10.2.0.0/24"), PrefSrc: fa("10.2.0.1"), NextHops: []snapshots.NextHop{{OIF: 3, Weight: 1}}},
			{Family: 2, Table: 254, Protocol: 3, Type: 1, Dst: fp("10.8.8.8/32"), NextHops: []snapshots.NextHop{{Gateway: fa("10.1.0.2"), OIF: 2, Weight: 1}}},
			{Family: 2, Table: 254, Protocol: 3, Type: 1, Dst: fp("10.50.0.0/16"), NextHops: []snapshots.NextHop{{Gateway: fa("10.1.0.2"), OIF: 2, Weight: 1}, {Gateway: fa("10.2.0.2"), OIF: 3, Weight: 2}}, Multipath: true},
			{Family: 2, Table: 254, Protocol: 3, Type: 1, Dst: fp("10.60.0.0/16"), PrefSrc: fa("10.2.0.1"), Priority: 50, NextHops: []snapshots.NextHop{{Gateway: fa("10.2.0.2"), OIF: 3, Weight: 1}}, X: &snapshots.RouteExtra{Metrics: []snapshots.RouteMetric{{Type: 2, Value: 1300}}}},
			{Family: 2, Table: 254, Protocol: 3, Type: 6, Dst: fp("10.66.0.0/16")},
			{Family: 2, Table: 254, Protocol: 3, Type: 7, Dst: fp("10.67.0.0/16")},
			{Family: 2, Table: 254, Protocol: 3, Type: 8, Dst: fp("10.68.0.0/16")},
			{Family: 2, Table: 255, Protocol: 2, Scope: 254, Type: 2, Dst: fp("10.1.0.1/32"), PrefSrc: fa("10.1.0.1"), NextHops: []snapshots.NextHop{{OIF: 2, Weight: 1}}},
			{Family: 2, Table: 255, Protocol: 2, Scope: 254, Type: 2, Dst: fp("10.1.0.11/32"), PrefSrc: fa("10.1.0.1"), NextHops: []snapshots.NextHop{{OIF: 2, Weight: 1}}},
			{Family: 2, Table: 255, Protocol: 2, Scope: 253, Type: 3, Dst: fp("10.1.0.255/32"), PrefSrc: fa("10.1.0.1"), NextHops: []snapshots.NextHop{{OIF: 2, Weight: 1}}},
			{Family: 2, Table: 255, Protocol: 2, Scope: 254, Type: 2, Dst: fp("10.2.0.1/32"), PrefSrc: fa("10.2.0.1"), NextHops: []snapshots.NextHop{{OIF: 3, Weight: 1}}},
			{Family: 2, Table: 255, Protocol: 2, Scope: 253, Type: 3, Dst: fp("10.2.0.255/32"), PrefSrc: fa("10.2.0.1"), NextHops: []snapshots.NextHop{{OIF: 3, Weight: 1}}},
			{Family: 2, Table: 255, Protocol: 2, Scope: 254, Type: 2, Dst: fp("127.0.0.0/8"), PrefSrc: fa("127.0.0.1"), NextHops: []snapshots.NextHop{{OIF: 1, Weight: 1}}},
			{Family: 2, Table: 255, Protocol: 2, Scope: 254, Type: 2, Dst: fp("127.0.0.1/32"), PrefSrc: fa("127.0.0.1"), NextHops: []snapshots.NextHop{{OIF: 1, Weight: 1}}},
			{Family: 2, Table: 255, Protocol: 2, Scope: 253, Type: 3, Dst: fp("127.255.255.255/32"), PrefSrc: fa("127.0.0.1"), NextHops: []snapshots.NextHop{{OIF: 1, Weight: 1}}},
			{Family: 10, Table: 100, Protocol: 3, Type: 1, Dst: fp("fd00:98::/48"), Priority: 1024, NextHops: []snapshots.NextHop{{Gateway: fa("fd00:2::2"), OIF: 3, Weight: 1}}, X: &snapshots.RouteExtra{Cache: &snapshots.RouteCacheInfo{}}},
			{Family: 10, Table: 254, Protocol: 2, Type: 1, Dst: fp("fd00:1::/64"), Priority: 256, NextHops: []snapshots.NextHop{{OIF: 2, Weight: 1}}, X: &snapshots.RouteExtra{Cache: &snapshots.RouteCacheInfo{}}},
			{Family: 10, Table: 254, Protocol: 2, Type: 1, Dst: fp("fd00:2::/64"), Priority: 256, NextHops: []snapshots.NextHop{{OIF: 3, Weight: 1}}, X: &snapshots.RouteExtra{Cache: &snapshots.RouteCacheInfo{}}},
			{Family: 10, Table: 254, Protocol: 3, Type: 6, Dst: fp("fd00:66::/48"), Priority: 1024, NextHops: []snapshots.NextHop{{OIF: 1, Weight: 1}}, X: &snapshots.RouteExtra{Cache: &snapshots.RouteCacheInfo{}}},
			{Family: 10, Table: 254, Protocol: 3, Type: 1, Dst: fp("fd00:99::/48"), Priority: 1024, NextHops: []snapshots.NextHop{{Gateway: fa("fd00:1::2"), OIF: 2, Weight: 1}}, X: &snapshots.RouteExtra{Cache: &snapshots.RouteCacheInfo{}}},
			{Family: 10, Table: 254, Protocol: 2, Type: 1, Dst: fp("fe80::/64"), Priority: 256, NextHops: []snapshots.NextHop{{OIF: 2, Weight: 1}}, X: &snapshots.RouteExtra{Cache: &snapshots.RouteCacheInfo{}}},
			{Family: 10, Table: 254, Protocol: 2, Type: 1, Dst: fp("fe80::/64"), Priority: 256, NextHops: []snapshots.NextHop{{OIF: 3, Weight: 1}}, X: &snapshots.RouteExtra{Cache: &snapshots.RouteCacheInfo{}}},
			{Family: 10, Table: 254, Protocol: 3, Type: 1, Dst: fp("::/0"), Priority: 2048, NextHops: []snapshots.NextHop{{Gateway: fa("fd00:1::2"), OIF: 2, Weight: 1}}, X: &snapshots.RouteExtra{Cache: &snapshots.RouteCacheInfo{}}},
			{Family: 10, Table: 255, Protocol: 2, Type: 2, Dst: fp("::1/128"), NextHops: []snapshots.NextHop{{OIF: 1, Weight: 1}}, X: &snapshots.RouteExtra{Cache: &snapshots.RouteCacheInfo{}}},
			{Family: 10, Table: 255, Protocol: 2, Type: 4, Dst: fp("fd00:1::/128"), NextHops: []snapshots.NextHop{{OIF: 2, Weight: 1}}, X: &snapshots.RouteExtra{Cache: &snapshots.RouteCacheInfo{}}},
			{Family: 10, Table: 255, Protocol: 2, Type: 2, Dst: fp("fd00:1::1/128"), NextHops: []snapshots.NextHop{{OIF: 2, Weight: 1}}, X: &snapshots.RouteExtra{Cache: &snapshots.RouteCacheInfo{}}},
			{Family: 10, Table: 255, Protocol: 2, Type: 4, Dst: fp("fd00:2::/128"), NextHops: []snapshots.NextHop{{OIF: 3, Weight: 1}}, X: &snapshots.RouteExtra{Cache: &snapshots.RouteCacheInfo{}}},
			{Family: 10, Table: 255, Protocol: 2, Type: 2, Dst: fp("fd00:2::1/128"), NextHops: []snapshots.NextHop{{OIF: 3, Weight: 1}}, X: &snapshots.RouteExtra{Cache: &snapshots.RouteCacheInfo{}}},
			{Family: 10, Table: 255, Protocol: 2, Type: 4, Dst: fp("fe80::/128"), NextHops: []snapshots.NextHop{{OIF: 2, Weight: 1}}, X: &snapshots.RouteExtra{Cache: &snapshots.RouteCacheInfo{}}},
			{Family: 10, Table: 255, Protocol: 2, Type: 4, Dst: fp("fe80::/128"), NextHops: []snapshots.NextHop{{OIF: 3, Weight: 1}}, X: &snapshots.RouteExtra{Cache: &snapshots.RouteCacheInfo{}}},
			{Family: 10, Table: 255, Protocol: 2, Type: 2, Dst: fp("fe80::ff:fe00:a00/128"), NextHops: []snapshots.NextHop{{OIF: 2, Weight: 1}}, X: &snapshots.RouteExtra{Cache: &snapshots.RouteCacheInfo{}}},
			{Family: 10, Table: 255, Protocol: 2, Type: 2, Dst: fp("fe80::ff:fe00:a01/128"), NextHops: []snapshots.NextHop{{OIF: 3, Weight: 1}}, X: &snapshots.RouteExtra{Cache: &snapshots.RouteCacheInfo{}}},
			{Family: 10, Table: 255, Protocol: 2, Type: 5, Dst: fp("ff00::/8"), Priority: 256, NextHops: []snapshots.NextHop{{OIF: 2, Weight: 1}}, X: &snapshots.RouteExtra{Cache: &snapshots.RouteCacheInfo{}}},
			{Family: 10, Table: 255, Protocol: 2, Type: 5, Dst: fp("ff00::/8"), Priority: 256, NextHops: []snapshots.NextHop{{OIF: 3, Weight: 1}}, X: &snapshots.RouteExtra{Cache: &snapshots.RouteCacheInfo{}}},
		},
		Rules: []snapshots.Rule{
			{Family: 2, Table: 255, Action: 1, SuppressPrefixLen: -1, SuppressIfGroup: -1, Protocol: 2},
			{Family: 2, Priority: 1000, Table: 100, Action: 1, Src: fp("10.1.0.0/24"), SuppressPrefixLen: -1, SuppressIfGroup: -1},
			{Family: 2, Priority: 32766, Table: 254, Action: 1, SuppressPrefixLen: -1, SuppressIfGroup: -1, Protocol: 2},
			{Family: 2, Priority: 32767, Table: 253, Action: 1, SuppressPrefixLen: -1, SuppressIfGroup: -1, Protocol: 2},
			{Family: 10, Table: 255, Action: 1, SuppressPrefixLen: -1, SuppressIfGroup: -1, Protocol: 2},
			{Family: 10, Priority: 32766, Table: 254, Action: 1, SuppressPrefixLen: -1, SuppressIfGroup: -1, Protocol: 2},
		},
		InetSockets: []snapshots.InetSocket{
			{Proto: 6, Family: 2, State: 10, Local: fap("10.1.0.1:8080"), Remote: fap("0.0.0.0:0"), Cookie: 273, SendQ: 5, Inode: 97893, Cong: "bbr", TCPInfo: fhex("0a000000000000000000000000000000000000000000000000000000050000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000a0000000000000003000000000000000000000000000000ffffffffffffffffffffffffffffffff00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000")},
			{Proto: 6, Family: 2, State: 10, Local: fap("0.0.0.0:2222"), Remote: fap("0.0.0.0:0"), Cookie: 279, SendQ: 5, Inode: 97896, Cong: "bbr", TCPInfo: fhex("0a000000000000000000000000000000000000000000000000000000050000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000a0000000000000003000000000000000000000000000000ffffffffffffffffffffffffffffffff00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000")},
			{Proto: 6, Family: 2, State: 8, Local: fap("10.1.0.1:40554"), Remote: fap("10.1.0.2:9000"), Cookie: 4218, RecvQ: 1, Inode: 98063, Shutdown: 1, Cong: "bbr", TCPInfo: fhex("080000000007aa01e01c0300409c00004405000018020000000000000000000000000000000000000000000018c307000000000018c30700a0c2070078050000bcfa00002b00000015000000ffffff7f0a000000440500000300000000000000a834000000000000e165663500000000ffffffffffffffff010000000000000001000000000000000300000002000000000000002b0000000000000000000000000000000000000000000000000000000000000000000000000000000000000001000000000000000000000000000000000000000000000000000000000000000000000000000100000001000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000")},
			{Proto: 6, Family: 2, State: 6, Local: fap("10.1.0.1:51168"), Remote: fap("10.1.0.2:9001"), Cookie: 280, Timer: 3, Expires: 52000},
			{Proto: 6, Family: 2, State: 1, Local: fap("10.1.0.1:8080"), Remote: fap("10.1.0.2:60486"), Cookie: 275, Inode: 97974, Cong: "bbr", TCPInfo: fhex("010000000007aa01e01c03000000000044050000180200000000000000000000000000000000000000000000d4c4070000000000d4c40700d4c4070078050000bcfa00001e0000000f000000ffffff7f0a000000440500000300000000000000a834000000000000943c8a4c00000000ffffffffffffffff000000000000000000000000000000000000000002000000000000001e0000000000000000000000000000000000000000000000000000000000000000000000000000000000000001000000000000000000000000000000000000000000000000000000000000000000000000fc0000c0fc00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000")},
			{Proto: 17, Family: 2, State: 1, Local: fap("10.1.0.1:7778"), Remote: fap("10.1.0.2:7777"), Cookie: 281, Inode: 98494},
			{Proto: 17, Family: 2, State: 7, Local: fap("0.0.0.0:68"), Remote: fap("0.0.0.0:0"), Cookie: 282, Inode: 98611},
			{Proto: 17, Family: 2, State: 7, Local: fap("0.0.0.0:5001"), Remote: fap("0.0.0.0:0"), Cookie: 283, Inode: 97693},
			{Proto: 17, Family: 2, State: 7, Local: fap("10.1.0.1:5353"), Remote: fap("0.0.0.0:0"), Cookie: 284, Inode: 99586},
			{Proto: 6, Family: 10, State: 10, Local: fap("[fd00:1::1]:8443"), Remote: fap("[::]:0"), Cookie: 4210, SendQ: 5, Inode: 97899, V6Only: 2, Cong: "bbr", TCPInfo: fhex("0a000000000000000000000000000000000000000000000000000000050000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000a0000000000000003000000000000000000000000000000ffffffffffffffffffffffffffffffff00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000")},
			{Proto: 6, Family: 10, State: 1, Local: fap("[fd00:1::1]:8443"), Remote: fap("[fd00:1::2]:49264"), Cookie: 4216, Inode: 98021, Cong: "bbr", TCPInfo: fhex("010000000007aa01e01c03000000000094050000180200000000000000000000000000000000000000000000e0c3070000000000e0c30700e0c30700dc0500006cfa00004000000020000000ffffff7f0a000000940500000300000000000000c83700000000000011e4012600000000ffffffffffffffff0000000000000000000000000000000000000000020000000000000040000000000000000000000000000000000000000000000000000000000000000000000000000000000000000100000000000000000000000000000000000000000000000000000000000000000000000000010004fb00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000")},
			{Proto: 17, Family: 10, State: 7, Local: fap("[::]:5003"), Remote: fap("[::]:0"), Cookie: 285, Inode: 98309, V6Only: 1},
			{Proto: 17, Family: 10, State: 7, Local: fap("[::]:5354"), Remote: fap("[::]:0"), Cookie: 286, Inode: 99580, V6Only: 1},
			// /proc/net/raw and raw6 (the kernel has no raw_diag).
			{Proto: 255, RawProto: 2, Family: 2, State: 7, Local: fap("0.0.0.0:2"), Remote: fap("0.0.0.0:0"), Inode: 97865, RefCount: 3},
			{Proto: 255, RawProto: 58, Family: 10, State: 7, Local: fap("[::]:58"), Remote: fap("[::]:0"), Inode: 97866, RefCount: 2},
		},
		UnixSockets: []snapshots.UnixSocket{
			{Type: 1, State: 10, Inode: 97870, Name: "/run/netmortem-lab/f4/smcroute.sock", VFSInode: 762132, VFSDev: 266338304, SendQ: 1, HasUID: true, Cookie: 287},
			{Type: 2, State: 1, Inode: 98543, Peer: 98544, HasUID: true, Cookie: 288},
			{Type: 1, State: 10, Inode: 99583, Name: "/run/netmortem-lab/f4/unix.sock", VFSInode: 762151, VFSDev: 266338304, SendQ: 5, HasUID: true, Cookie: 291},
			{Type: 1, State: 1, Inode: 98025, Peer: 98024, HasUID: true, Cookie: 292},
			{Type: 1, State: 1, Inode: 98026, Shutdown: 3, HasUID: true, Cookie: 293},
			{Type: 1, State: 1, Inode: 98542, Name: "/run/netmortem-lab/f4/unix.sock", Peer: 98537, VFSInode: 762151, VFSDev: 266338304, HasUID: true, Cookie: 301},
			{Type: 1, State: 1, Inode: 98024, Peer: 98025, HasUID: true, Cookie: 315},
			{Type: 2, State: 1, Inode: 98544, Peer: 98543, HasUID: true, Cookie: 339},
			{Type: 1, State: 1, Inode: 98537, Peer: 98542, HasUID: true, Cookie: 340},
			{Type: 1, State: 10, Inode: 99626, Name: "\x00netmortem-lab-f4", SendQ: 5, HasUID: true, Cookie: 346},
		},
		Owners: []snapshots.SocketOwner{
			{Inode: 97870, Pid: 9368, Command: "smcrouted"},
			{Inode: 99583, Pid: 9486, Command: "socat"},
			{Inode: 97974, Pid: 9411, Command: "socat"},
		},
	}
}
