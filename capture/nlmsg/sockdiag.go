package nlmsg

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"slices"

	"github.com/mdlayher/netlink"
	"github.com/netmortem/netmortem/snapshots"
)

// ParseInetSocket decodes an inet_diag_msg reply (SOCK_DIAG_BY_FAMILY) of a
// dump for IP protocol proto (snapshots.ProtoTCP, ProtoUDP …), which the
// message itself does not carry.
//
// Ports and addresses are in network order on the wire; the cookie is two
// host-order u32 halves, low half first. INET_DIAG_INFO is kept verbatim in
// TCPInfo for TCP only; for MPTCP it is a struct mptcp_info and stays in Raw
// with every other attribute the model has no field for (VEGASINFO,
// DCTCPINFO, BBRINFO, LOCALS, PEERS, CLASS_ID, ULP_INFO, SOCKOPT …).
// INET_DIAG_PROTOCOL goes to RawProto for raw sockets and to Raw otherwise.
func ParseInetSocket(m netlink.Message, proto uint16) (snapshots.InetSocket, error) {
	var s snapshots.InetSocket
	if err := parseInetSocket(m, proto, &s, nil); err != nil {
		return snapshots.InetSocket{}, fmt.Errorf("nlmsg: inet_diag_msg: %w", err)
	}
	return s, nil
}

// sockSlab hands out the variable parts of sockets (tcp_info, memory
// arrays, raw attributes) from shared chunks: 400k sockets then make a few
// thousand allocations instead of two million, and the collector has
// almost nothing to walk. Each slice is capped at its length.
type sockSlab struct {
	b   []byte
	u   []uint32
	raw []snapshots.RawAttr
}

func (sl *sockSlab) bytes(b []byte) []byte {
	if sl == nil {
		return clone(b)
	}
	if cap(sl.b)-len(sl.b) < len(b) {
		sl.b = make([]byte, 0, max(256<<10, len(b)))
	}
	n := len(sl.b)
	sl.b = append(sl.b, b...)
	return sl.b[n : n+len(b) : n+len(b)]
}

func (sl *sockSlab) u32s(a *attrs) []uint32 {
	if sl == nil || len(a.data)%4 != 0 {
		return a.u32s()
	}
	k := len(a.data) / 4
	if cap(sl.u)-len(sl.u) < k {
		sl.u = make([]uint32, 0, max(16<<10, k))
	}
	n := len(sl.u)
	for i := 0; i < k; i++ {
		sl.u = append(sl.u, native.Uint32(a.data[4*i:]))
	}
	return sl.u[n : n+k : n+k]
}

func (sl *sockSlab) raws(r []snapshots.RawAttr) []snapshots.RawAttr {
	if len(r) == 0 {
		return nil
	}
	if sl == nil {
		return slices.Clone(r)
	}
	if cap(sl.raw)-len(sl.raw) < len(r) {
		sl.raw = make([]snapshots.RawAttr, 0, max(4096, len(r)))
	}
	n := len(sl.raw)
	sl.raw = append(sl.raw, r...)
	return sl.raw[n : n+len(r) : n+len(r)]
}

// parseInetSocket decodes into *s, which must be zero; slab may be nil.
func parseInetSocket(m netlink.Message, proto uint16, s *snapshots.InetSocket, slab *sockSlab) error {
	if m.Header.Type != tcpDiagGetSock {
		if err := checkType(uint16(m.Header.Type), sockDiagByFamily, "type"); err != nil {
			return err
		}
	}
	b := m.Data
	if len(b) < sizeofInetDiagMsg {
		return errShort("inet_diag_msg", len(b), sizeofInetDiagMsg)
	}
	s.Proto = proto
	s.Family = b[0]
	s.State = b[1]
	s.Timer = b[2]
	s.Retrans = b[3]
	sport := binary.BigEndian.Uint16(b[4:])
	dport := binary.BigEndian.Uint16(b[6:])
	var src, dst netip.Addr
	switch s.Family {
	case snapshots.AFInet:
		src = netip.AddrFrom4([4]byte(b[8:12]))
		dst = netip.AddrFrom4([4]byte(b[24:28]))
	case snapshots.AFInet6:
		src = netip.AddrFrom16([16]byte(b[8:24]))
		dst = netip.AddrFrom16([16]byte(b[24:40]))
	default:
		return fmt.Errorf("%w %d (want AF_INET or AF_INET6)", ErrFamily, s.Family)
	}
	s.Local = netip.AddrPortFrom(src, sport)
	s.Remote = netip.AddrPortFrom(dst, dport)
	s.IfIndex = native.Uint32(b[40:])
	s.Cookie = cookie(b[44:52])
	s.Expires = native.Uint32(b[52:])
	s.RecvQ = native.Uint32(b[56:])
	s.SendQ = native.Uint32(b[60:])
	s.UID = native.Uint32(b[64:])
	s.Inode = uint64(native.Uint32(b[68:]))

	var tmp [8]snapshots.RawAttr
	raw := tmp[:0]
	a := newAttrs(b[sizeofInetDiagMsg:])
	for a.next() {
		switch a.kind() {
		case inetDiagMemInfo:
			if len(a.data) != 16 {
				a.fail("struct inet_diag_meminfo")
				break
			}
			s.MemInfo = slab.u32s(&a)
		case inetDiagSkMemInfo:
			s.SkMem = slab.u32s(&a)
		case inetDiagInfo:
			if proto == snapshots.ProtoTCP {
				s.TCPInfo = slab.bytes(a.data)
			} else {
				raw = append(raw, snapshots.RawAttr{Type: a.typ, Data: slab.bytes(a.data)})
			}
		case inetDiagCong:
			s.Cong = a.str()
		case inetDiagTOS:
			s.TOS = a.u8()
		case inetDiagTClass:
			s.TClass = a.u8()
		case inetDiagShutdown:
			s.Shutdown = a.u8()
		case inetDiagMark:
			s.Mark = a.u32()
		case inetDiagCgroupID:
			s.CgroupID = a.u64()
		case inetDiagSkV6Only:
			if a.u8() != 0 {
				s.V6Only = 2
			} else {
				s.V6Only = 1
			}
		case inetDiagProtocol:
			if proto == snapshots.ProtoRaw {
				s.RawProto = uint16(a.u8())
			} else {
				raw = append(raw, snapshots.RawAttr{Type: a.typ, Data: slab.bytes(a.data)})
			}
		case inetDiagPad:
		default:
			raw = append(raw, snapshots.RawAttr{Type: a.typ, Data: slab.bytes(a.data)})
		}
	}
	s.Raw = slab.raws(raw)
	return a.err
}

func cookie(b []byte) uint64 {
	return uint64(native.Uint32(b)) | uint64(native.Uint32(b[4:]))<<32
}

// ParseUnixSocket decodes a unix_diag_msg reply. Name is the bound address
// as the kernel keeps it: an abstract name starts with NUL; for a filesystem
// path the terminating NUL the kernel counts in the address length is
// dropped.
func ParseUnixSocket(m netlink.Message) (snapshots.UnixSocket, error) {
	s, err := parseUnixSocket(m)
	if err != nil {
		return snapshots.UnixSocket{}, fmt.Errorf("nlmsg: unix_diag_msg: %w", err)
	}
	return s, nil
}

func parseUnixSocket(m netlink.Message) (snapshots.UnixSocket, error) {
	var s snapshots.UnixSocket
	if err := checkType(uint16(m.Header.Type), sockDiagByFamily, "type"); err != nil {
		return s, err
	}
	b := m.Data
	if len(b) < sizeofUnixDiagMsg {
		return s, errShort("unix_diag_msg", len(b), sizeofUnixDiagMsg)
	}
	if b[0] != snapshots.AFUnix {
		return s, fmt.Errorf("%w %d (want AF_UNIX)", ErrFamily, b[0])
	}
	s.Type = b[1]
	s.State = b[2]
	s.Inode = uint64(native.Uint32(b[4:]))
	s.Cookie = cookie(b[8:16])

	a := newAttrs(b[sizeofUnixDiagMsg:])
	for a.next() {
		switch a.kind() {
		case unixDiagName:
			s.Name = unixName(a.data)
		case unixDiagVFS:
			if len(a.data) != 8 {
				a.fail("struct unix_diag_vfs")
				break
			}
			s.VFSInode = uint64(native.Uint32(a.data))
			s.VFSDev = native.Uint32(a.data[4:])
		case unixDiagPeer:
			s.Peer = uint64(a.u32())
		case unixDiagIcons:
			ic := a.u32s()
			if len(ic) > 0 {
				s.Pending = make([]uint64, len(ic))
				for i, v := range ic {
					s.Pending[i] = uint64(v)
				}
			}
		case unixDiagRQLen:
			if len(a.data) != 8 {
				a.fail("struct unix_diag_rqlen")
				break
			}
			s.RecvQ = native.Uint32(a.data)
			s.SendQ = native.Uint32(a.data[4:])
		case unixDiagMemInfo:
			s.SkMem = a.u32s()
		case unixDiagShutdown:
			s.Shutdown = a.u8()
		case unixDiagUID:
			s.UID, s.HasUID = a.u32(), true
		default:
			s.Raw = append(s.Raw, a.raw())
		}
	}
	return s, a.err
}

func unixName(b []byte) string {
	if len(b) > 0 && b[0] != 0 && b[len(b)-1] == 0 {
		b = b[:len(b)-1]
	}
	return string(b)
}

// ParsePacketSocket decodes a packet_diag_msg reply. PACKET_DIAG_INFO gives
// IfIndex and Running, PACKET_DIAG_MEMINFO gives Rmem (SK_MEMINFO_RMEM_ALLOC);
// both are also kept whole in Raw, since the model has no place for the
// version, copy threshold, timestamping and option flags of the one or the
// other memory counters of the other. MCLIST, rings, FANOUT and FILTER stay
// raw.
func ParsePacketSocket(m netlink.Message) (snapshots.PacketSocket, error) {
	s, err := parsePacketSocket(m)
	if err != nil {
		return snapshots.PacketSocket{}, fmt.Errorf("nlmsg: packet_diag_msg: %w", err)
	}
	return s, nil
}

const sizeofPacketDiagInfo = 24 // struct packet_diag_info

func parsePacketSocket(m netlink.Message) (snapshots.PacketSocket, error) {
	var s snapshots.PacketSocket
	if err := checkType(uint16(m.Header.Type), sockDiagByFamily, "type"); err != nil {
		return s, err
	}
	b := m.Data
	if len(b) < sizeofPacketDiagMsg {
		return s, errShort("packet_diag_msg", len(b), sizeofPacketDiagMsg)
	}
	if b[0] != snapshots.AFPacket {
		return s, fmt.Errorf("%w %d (want AF_PACKET)", ErrFamily, b[0])
	}
	s.Type = b[1]
	s.Proto = native.Uint16(b[2:]) // pdiag_num: already ntohs'ed by the kernel
	s.Inode = uint64(native.Uint32(b[4:]))
	s.Cookie = cookie(b[8:16])

	a := newAttrs(b[sizeofPacketDiagMsg:])
	for a.next() {
		switch a.kind() {
		case packetDiagInfo:
			if len(a.data) < sizeofPacketDiagInfo {
				a.fail("struct packet_diag_info")
				break
			}
			s.IfIndex = int32(native.Uint32(a.data))
			s.Running = native.Uint32(a.data[20:])&pdiRunning != 0
			s.Raw = append(s.Raw, a.raw())
		case packetDiagUID:
			s.UID = a.u32()
		case packetDiagMemInfo:
			mem := a.u32s()
			if len(mem) > 0 {
				s.Rmem = mem[0]
			}
			s.Raw = append(s.Raw, a.raw())
		default:
			s.Raw = append(s.Raw, a.raw())
		}
	}
	return s, a.err
}
