package nlmsg

import (
	"fmt"

	"github.com/mdlayher/netlink"
	"github.com/netmortem/netmortem/snapshots"
)

// The request builders return dump requests (NLM_F_REQUEST|NLM_F_DUMP) with
// length, sequence and port id left for netlink.Conn.Send to fill in. Their
// headers are valid under NETLINK_GET_STRICT_CHK, which the dumps turn on so
// that the kernel honours the filters it is given (RTM_F_CLONED, NTF_PROXY)
// instead of ignoring the header.

const dumpFlags = netlink.Request | netlink.Dump

func request(typ uint16, data []byte) netlink.Message {
	return netlink.Message{
		Header: netlink.Header{Type: netlink.HeaderType(typ), Flags: dumpFlags},
		Data:   data,
	}
}

// appendU32Attr appends a u32 netlink attribute.
func appendU32Attr(b []byte, typ uint16, v uint32) []byte {
	b = native.AppendUint16(b, 8)
	b = native.AppendUint16(b, typ)
	return native.AppendUint32(b, v)
}

// LinkRequest dumps every link with its 64-bit statistics. IFLA_EXT_MASK asks
// for RTEXT_FILTER_VF, as ip link does, so SR-IOV VF details come too.
func LinkRequest() netlink.Message {
	b := make([]byte, sizeofIfInfomsg, sizeofIfInfomsg+8)
	return request(rtmGetLink, appendU32Attr(b, iflaExtMask, rtextFilterVF))
}

// AddrRequest dumps the addresses of one family (AF_INET, AF_INET6, or 0 for
// both).
func AddrRequest(family uint8) netlink.Message {
	b := make([]byte, sizeofIfAddrmsg)
	b[0] = family
	return request(rtmGetAddr, b)
}

// RouteRequest dumps the routes of every table of one family: AF_INET,
// AF_INET6, FamilyIPMR or FamilyIP6MR. Ask per family; an unspecified-family
// dump mixes in every registered family, multicast caches included. With
// cloned, the kernel dumps route exceptions (PMTU, redirects: what ip route
// show cache lists) instead of routes.
func RouteRequest(family uint8, cloned bool) netlink.Message {
	b := make([]byte, sizeofRtmsg)
	b[0] = family
	if cloned {
		native.PutUint32(b[8:], rtmFCloned)
	}
	return request(rtmGetRoute, b)
}

// RuleRequest dumps the policy rules of one family (AF_INET, AF_INET6,
// FamilyIPMR, FamilyIP6MR).
func RuleRequest(family uint8) netlink.Message {
	b := make([]byte, sizeofFibRuleHdr)
	b[0] = family
	return request(rtmGetRule, b)
}

// NeighRequest dumps the neighbour entries of one family (0 for every
// table). With proxy it dumps the proxy entries (ip neigh show proxy)
// instead; their replies carry NTF_PROXY.
func NeighRequest(family uint8, proxy bool) netlink.Message {
	b := make([]byte, sizeofNdmsg)
	b[0] = family
	if proxy {
		b[10] = ntfProxy
	}
	return request(rtmGetNeigh, b)
}

// TCPDiagRequest dumps the TCP sockets of both families, in every state,
// with the extensions of InetDiagRequest, in one walk of the kernel's
// socket hash tables: the older request TCPDIAG_GETSOCK (struct
// inet_diag_req), which the kernel serves as a request of family
// AF_UNSPEC. A request per family walks every socket twice: on 400k IPv4
// sockets, the IPv6 dump took a quarter of a second to find none.
func TCPDiagRequest() netlink.Message {
	b := make([]byte, sizeofInetDiagReqV1)
	b[0] = snapshots.AFInet // not looked at: both families are dumped
	b[3] = inetDiagExtAll
	native.PutUint32(b[52:], ^uint32(0)) // idiag_states: every TCP_* state
	return request(tcpDiagGetSock, b)
}

// InetDiagRequest dumps the sockets of one family (AF_INET or AF_INET6) and
// IP protocol (snapshots.ProtoTCP, ProtoUDP, ProtoUDPLite, ProtoRaw,
// ProtoSCTP or ProtoMPTCP) in every state, asking for every extension the
// u8 idiag_ext can name: MEMINFO, INFO, VEGASINFO, CONG, TOS, TCLASS,
// SKMEMINFO and SHUTDOWN. MPTCP's number does not fit sdiag_protocol; it
// goes in an INET_DIAG_REQ_PROTOCOL attribute, and sdiag_protocol is 0 so
// that a kernel without that attribute answers ENOENT rather than TCP.
func InetDiagRequest(family uint8, proto uint16) (netlink.Message, error) {
	if family != snapshots.AFInet && family != snapshots.AFInet6 {
		return netlink.Message{}, fmt.Errorf("nlmsg: inet_diag request: family %d", family)
	}
	b := make([]byte, sizeofInetDiagReq, sizeofInetDiagReq+8)
	b[0] = family
	b[2] = inetDiagExtAll
	native.PutUint32(b[4:], ^uint32(0)) // every TCP_* state
	switch proto {
	case snapshots.ProtoTCP, snapshots.ProtoUDP, snapshots.ProtoUDPLite, snapshots.ProtoSCTP:
		b[1] = uint8(proto)
	case snapshots.ProtoRaw:
		b[1] = ipprotoRaw
		b[3] = ipprotoRaw // sdiag_raw_protocol: any, as ss asks
	case snapshots.ProtoMPTCP:
		b[1] = ipprotoIP
		b = appendU32Attr(b, inetDiagReqProtocol, ipprotoMPTCP)
	default:
		return netlink.Message{}, fmt.Errorf("nlmsg: inet_diag request: protocol %d", proto)
	}
	return request(sockDiagByFamily, b), nil
}

// UnixDiagRequest dumps every AF_UNIX socket in every state with every
// UDIAG_SHOW_* detail: name, VFS inode, peer, pending connections, queue
// lengths, memory and uid.
func UnixDiagRequest() netlink.Message {
	b := make([]byte, sizeofUnixDiagReq)
	b[0] = snapshots.AFUnix
	native.PutUint32(b[4:], ^uint32(0))
	native.PutUint32(b[12:], udiagShowAll)
	return request(sockDiagByFamily, b)
}

// PacketDiagRequest dumps every AF_PACKET socket with every PACKET_SHOW_*
// detail.
func PacketDiagRequest() netlink.Message {
	b := make([]byte, sizeofPacketDiagReq)
	b[0] = snapshots.AFPacket
	native.PutUint32(b[8:], packetShowAll)
	return request(sockDiagByFamily, b)
}
