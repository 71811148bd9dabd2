package diff

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/netmortem/netmortem/snapshots"
)

// Sockets are joined by their addresses; among sockets sharing them
// (SO_REUSEPORT, raw sockets) the same inode pairs first. Compared: state,
// bound device, owner (uid, inode, holding processes), shutdown, socket
// options, and the queues — but a queue only by whether it is empty, since
// a busy socket's queues move all the time (a listener's backlog limit,
// which Send-Q holds, is compared exactly). Timers, retransmits, probes,
// reference counts, memory, TCP_INFO and the cookie are volatile; the
// UDP and raw drop counters are counters.

const tcpListen = 10

type inetKey struct {
	local, remote netip.AddrPort
	proto, raw    uint16
	family        uint8
}

var inetSpec = spec[snapshots.InetSocket, inetKey]{
	key: func(s *side, k *snapshots.InetSocket) inetKey {
		return inetKey{local: k.Local, remote: k.Remote, proto: k.Proto, raw: k.RawProto, family: k.Family}
	},
	tie: func(k *snapshots.InetSocket) uint64 { return k.Inode },
	same: func(o *side, a *snapshots.InetSocket, n *side, b *snapshots.InetSocket) bool {
		return a.State == b.State && queueClass(a.RecvQ) == queueClass(b.RecvQ) &&
			sendQ(a.State, a.SendQ) == sendQ(b.State, b.SendQ) && a.UID == b.UID && a.Inode == b.Inode &&
			a.Shutdown == b.Shutdown && a.V6Only == b.V6Only && a.TOS == b.TOS && a.TClass == b.TClass &&
			a.Mark == b.Mark && a.CgroupID == b.CgroupID && a.Cong == b.Cong &&
			sameIf(o, int32(a.IfIndex), n, int32(b.IfIndex)) && sameOwners(o, n, a.Inode)
	},
	desc: inetDesc,
	pair: func(c *comparer, sec *Section, a, b *snapshots.InetSocket) {
		if a.Drops != b.Drops && b.Proto != snapshots.ProtoTCP {
			k, _ := inetDesc(c.new, b)
			c.counter(sec, k.String()+" drops", uint64(a.Drops), uint64(b.Drops), "", width32)
		}
	},
}

var protoNames = map[uint16]string{snapshots.ProtoTCP: "tcp", snapshots.ProtoUDP: "udp",
	snapshots.ProtoUDPLite: "udplite", snapshots.ProtoRaw: "raw", snapshots.ProtoMPTCP: "mptcp",
	snapshots.ProtoICMP: "icmp", snapshots.ProtoICMPv6: "icmp6", snapshots.ProtoSCTP: "sctp"}

func queueClass(q uint32) string {
	if q == 0 {
		return "empty"
	}
	return "queued"
}

// sendQ is what Send-Q compares as: a listener's backlog limit exactly,
// another socket's queue by class.
func sendQ(state uint8, q uint32) string {
	if state == tcpListen {
		return unum(q)
	}
	return queueClass(q)
}

func endpoint(a netip.AddrPort) string {
	if !a.IsValid() {
		return "*"
	}
	ip := "*"
	if !a.Addr().IsUnspecified() {
		ip = a.Addr().String()
		if a.Addr().Is6() {
			ip = "[" + ip + "]"
		}
	}
	port := "*"
	if a.Port() != 0 {
		port = unum(a.Port())
	}
	return ip + ":" + port
}

func inetDesc(s *side, k *snapshots.InetSocket) (key, attrs Fields) {
	kf := &key
	kf.bare("proto", named(protoNames, k.Proto))
	kf.bare("family", familyName(k.Family))
	if k.Proto == snapshots.ProtoRaw && k.RawProto != 0 {
		kf.add("ipproto", unum(k.RawProto))
	}
	kf.bare("local", endpoint(k.Local))
	*kf = append(*kf, Field{Name: "remote", Value: endpoint(k.Remote), Bare: true, Lead: "-> "})
	a := &attrs
	a.add("state", named(tcpStates, k.State))
	a.addCmp("recv-q", unum(k.RecvQ), queueClass(k.RecvQ))
	a.addCmp("send-q", unum(k.SendQ), sendQ(k.State, k.SendQ))
	if k.IfIndex != 0 {
		a.add("dev", s.ifName(int32(k.IfIndex)))
	}
	a.add("uid", unum(k.UID))
	a.add("inode", unum(k.Inode))
	a.addSet("owners", s.ownerNames(k.Inode))
	if k.Shutdown != 0 {
		a.add("shutdown", unum(k.Shutdown))
	}
	if k.V6Only != 0 {
		a.add("v6only", boolStr(k.V6Only == 2))
	}
	if k.TOS != 0 {
		a.add("tos", "0x"+hex8(k.TOS))
	}
	if k.TClass != 0 {
		a.add("tclass", "0x"+hex8(k.TClass))
	}
	if k.Mark != 0 {
		a.add("mark", "0x"+hex32(k.Mark))
	}
	if k.CgroupID != 0 {
		a.add("cgroup", unum(k.CgroupID))
	}
	a.add("cong", k.Cong)
	return key, attrs
}

// ownerNames lists the processes holding socket inode as "command/pid".
func (s *side) ownerNames(inode uint64) []string {
	os := s.ownersOf(inode)
	out := make([]string, 0, len(os))
	for _, o := range os {
		out = append(out, o.Command+"/"+num(o.Pid))
	}
	return out
}

// sameOwners is a fast check that an inode has the same holders on both
// sides, in the same order; a false answer is settled by ownerNames.
func sameOwners(o, n *side, inode uint64) bool {
	a, b := o.ownersOf(inode), n.ownersOf(inode)
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Pid != b[i].Pid || a[i].Command != b[i].Command {
			return false
		}
	}
	return true
}

// UNIX sockets: a socket bound to a name that is listening or not
// connected (a server's socket, a datagram socket like /dev/log) is joined
// by type and name, so a restarted server shows as a changed inode and
// owner; every other socket (connected ones, accepted ones sharing their
// listener's name, unnamed ones) is joined by inode, its only identity.

type unixKey struct {
	name  string
	inode uint64
	typ   uint8
}

func unixKeyOf(u *snapshots.UnixSocket) unixKey {
	if u.Name != "" && (u.State == tcpListen || u.Peer == 0) {
		return unixKey{name: u.Name, typ: u.Type}
	}
	return unixKey{inode: u.Inode, typ: u.Type}
}

var unixSpec = spec[snapshots.UnixSocket, unixKey]{
	key: func(s *side, u *snapshots.UnixSocket) unixKey { return unixKeyOf(u) },
	tie: func(u *snapshots.UnixSocket) uint64 { return u.Inode },
	same: func(o *side, a *snapshots.UnixSocket, n *side, b *snapshots.UnixSocket) bool {
		return a.State == b.State && a.Name == b.Name && a.Inode == b.Inode && a.Peer == b.Peer &&
			queueClass(a.RecvQ) == queueClass(b.RecvQ) && sendQ(a.State, a.SendQ) == sendQ(b.State, b.SendQ) &&
			a.Shutdown == b.Shutdown && a.UID == b.UID && a.HasUID == b.HasUID && sameOwners(o, n, a.Inode)
	},
	desc: unixDesc,
}

func unixDesc(s *side, u *snapshots.UnixSocket) (key, attrs Fields) {
	k := &key
	k.bare("type", named(sockTypes, u.Type))
	if unixKeyOf(u).inode == 0 {
		k.bare("path", unixName(u.Name))
	} else {
		k.add("inode", unum(u.Inode))
	}
	a := &attrs
	a.add("state", named(tcpStates, u.State))
	a.add("path", unixName(u.Name))
	a.add("inode", unum(u.Inode))
	if u.Peer != 0 {
		a.add("peer", unum(u.Peer))
	}
	a.addCmp("recv-q", unum(u.RecvQ), queueClass(u.RecvQ))
	a.addCmp("send-q", unum(u.SendQ), sendQ(u.State, u.SendQ))
	if u.Shutdown != 0 {
		a.add("shutdown", unum(u.Shutdown))
	}
	if u.HasUID {
		a.add("uid", unum(u.UID))
	}
	a.addSet("owners", s.ownerNames(u.Inode))
	return key, attrs
}

// Packet sockets are joined by type, protocol and device.

type packetKey struct {
	dev   string
	proto uint16
	typ   uint8
}

var packetSpec = spec[snapshots.PacketSocket, packetKey]{
	key: func(s *side, p *snapshots.PacketSocket) packetKey {
		return packetKey{dev: s.ifName(p.IfIndex), proto: p.Proto, typ: p.Type}
	},
	tie: func(p *snapshots.PacketSocket) uint64 { return p.Inode },
	desc: func(s *side, p *snapshots.PacketSocket) (key, attrs Fields) {
		k := &key
		k.bare("type", named(sockTypes, p.Type))
		k.add("proto", "0x"+hex32(uint32(p.Proto)))
		dev := s.ifName(p.IfIndex)
		if dev == "" {
			dev = "*"
		}
		k.add("dev", dev)
		a := &attrs
		a.add("running", boolStr(p.Running))
		a.add("uid", unum(p.UID))
		a.add("inode", unum(p.Inode))
		a.addSet("owners", s.ownerNames(p.Inode))
		return key, attrs
	},
}

// SCTP endpoints are joined by port and bound addresses, associations by
// ports and peer addresses. Queues, retransmission timers, heartbeats and
// buffer sizes are volatile.

type sctpEPKey struct {
	addrs string
	port  uint16
}

func sortedAddrs(as []netip.Addr) []string {
	out := make([]string, 0, len(as))
	for _, a := range as {
		out = append(out, addrStr(a))
	}
	slices.Sort(out)
	return out
}

var sctpEPSpec = spec[snapshots.SCTPEndpoint, sctpEPKey]{
	key: func(s *side, e *snapshots.SCTPEndpoint) sctpEPKey {
		return sctpEPKey{addrs: strings.Join(sortedAddrs(e.Addrs), " "), port: e.Port}
	},
	tie: func(e *snapshots.SCTPEndpoint) uint64 { return e.Inode },
	desc: func(s *side, e *snapshots.SCTPEndpoint) (key, attrs Fields) {
		k := &key
		k.add("port", unum(e.Port))
		k.add("addrs", strings.Join(sortedAddrs(e.Addrs), " "))
		a := &attrs
		a.add("type", named(sockTypes, e.Type))
		a.add("state", named(tcpStates, e.State))
		a.add("uid", unum(e.UID))
		a.add("inode", unum(e.Inode))
		a.addSet("owners", s.ownerNames(e.Inode))
		return key, attrs
	},
}

type sctpAssocKey struct {
	remotes      string
	lport, rport uint16
}

func sctpAddrs(as []snapshots.SCTPAddr) []string {
	out := make([]string, 0, len(as))
	for _, a := range as {
		out = append(out, addrStr(a.Addr))
	}
	slices.Sort(out)
	return out
}

var sctpStates = map[uint8]string{0: "CLOSED", 1: "COOKIE_WAIT", 2: "COOKIE_ECHOED", 3: "ESTABLISHED",
	4: "SHUTDOWN_PENDING", 5: "SHUTDOWN_SENT", 6: "SHUTDOWN_RECEIVED", 7: "SHUTDOWN_ACK_SENT"}

var sctpAssocSpec = spec[snapshots.SCTPAssoc, sctpAssocKey]{
	key: func(s *side, a *snapshots.SCTPAssoc) sctpAssocKey {
		return sctpAssocKey{remotes: strings.Join(sctpAddrs(a.Remotes), " "), lport: a.LocalPort, rport: a.RemotePort}
	},
	tie: func(a *snapshots.SCTPAssoc) uint64 { return a.Inode },
	desc: func(s *side, x *snapshots.SCTPAssoc) (key, attrs Fields) {
		k := &key
		k.add("lport", unum(x.LocalPort))
		k.add("peers", strings.Join(sctpAddrs(x.Remotes), " "))
		k.add("rport", unum(x.RemotePort))
		a := &attrs
		a.add("state", named(sctpStates, x.State))
		a.addSet("locals", sctpAddrs(x.Locals))
		var prim []string
		for _, r := range x.Remotes {
			if r.Primary {
				prim = append(prim, addrStr(r.Addr))
			}
		}
		a.add("primary", strings.Join(prim, " "))
		a.add("streams", unum(x.InStreams)+"/"+unum(x.OutStreams))
		a.add("uid", unum(x.UID))
		a.add("inode", unum(x.Inode))
		a.addSet("owners", s.ownerNames(x.Inode))
		return key, attrs
	},
}
