package vmcore

import (
	"net/netip"

	"github.com/netmortem/netmortem/capture/vmcore/btfx"
	"github.com/netmortem/netmortem/snapshots"
)

// TCP states as the kernel numbers them.
const (
	tcpEstablished = 1
	tcpSynRecv     = 3
	tcpTimeWait    = 6
	tcpClose       = 7
	tcpListen      = 10
	tcpNewSynRecv  = 12
)

// sockLayout is what socket walkers need of sock_common, sock and friends.
type sockLayout struct {
	family, state, num, dport, saddr, daddr, v6saddr, v6daddr btfx.Field
	net, boundIf, refcnt, cookie, nullsNode, node, v6only     btfx.Field
	hasV6only                                                 bool
	uid, socket, ackBacklog, maxAckBacklog, drops, rmem, wmem btfx.Field
	mark, sockSize, commonSize                                uint32
	markF                                                     btfx.Field
	sockAllocSock, sockAllocInode, ino                        btfx.Field
}

func newSockLayout(l *btfx.Layout) *sockLayout {
	c := func(p string) btfx.Field { return l.F("sock_common", p) }
	s := func(p string) btfx.Field { return l.F("sock", p) }
	sl := &sockLayout{
		family: c("skc_family"), state: c("skc_state"), num: c("skc_num"), dport: c("skc_dport"),
		saddr: c("skc_rcv_saddr"), daddr: c("skc_daddr"), v6saddr: c("skc_v6_rcv_saddr"), v6daddr: c("skc_v6_daddr"),
		net: c("skc_net.net"), boundIf: c("skc_bound_dev_if"), refcnt: c("skc_refcnt"), cookie: c("skc_cookie"),
		nullsNode: c("skc_nulls_node"), node: c("skc_node"),
		uid: s("sk_uid"), socket: s("sk_socket"), ackBacklog: s("sk_ack_backlog"),
		maxAckBacklog: s("sk_max_ack_backlog"), drops: s("sk_drops"), rmem: s("sk_backlog.rmem_alloc"),
		wmem: s("sk_wmem_alloc"), markF: s("sk_mark"),
		sockSize: l.Size("sock"), commonSize: l.Size("sock_common"),
		sockAllocSock: l.F("socket_alloc", "socket"), sockAllocInode: l.F("socket_alloc", "vfs_inode"),
		ino: l.F("inode", "i_ino"),
	}
	sl.v6only, sl.hasV6only = l.Opt("sock_common", "skc_ipv6only")
	return sl
}

// common decodes the sock_common part of o.
func (sl *sockLayout) common(o btfx.Obj, proto uint16) snapshots.InetSocket {
	s := snapshots.InetSocket{Proto: proto, Family: uint8(o.U(sl.family)), State: uint8(o.U(sl.state)),
		IfIndex: uint32(o.U(sl.boundIf)), Cookie: o.U(sl.cookie)}
	lport, rport := uint16(o.U(sl.num)), ntohs(o.U(sl.dport))
	var la, ra netip.Addr
	if s.Family == snapshots.AFInet6 {
		la, ra = ipv6(o.B(sl.v6saddr)), ipv6(o.B(sl.v6daddr))
	} else {
		la, ra = ipv4(o.U(sl.saddr)), ipv4(o.U(sl.daddr))
	}
	s.Local, s.Remote = netip.AddrPortFrom(la, lport), netip.AddrPortFrom(ra, rport)
	if sl.hasV6only && s.Family == snapshots.AFInet6 {
		s.V6Only = 1 + uint8(o.U(sl.v6only))
	}
	return s
}

// full fills in what a full socket (not a time-wait or request mini-socket) has.
func (w *walker) full(sl *sockLayout, o btfx.Obj, s *snapshots.InetSocket) {
	s.UID = uint32(o.U(sl.uid))
	s.RefCount = uint32(o.U(sl.refcnt))
	s.Drops = uint32(o.U(sl.drops))
	s.Mark = uint32(o.U(sl.markF))
	if sk := o.U(sl.socket); sk != 0 {
		a := sk - uint64(sl.sockAllocSock.Off) + uint64(sl.sockAllocInode.Off) + uint64(sl.ino.Off)
		if ino, err := w.d.Mem.U64(a); err == nil {
			s.Inode = ino
		}
	}
}

func (w *walker) sockets() ([]snapshots.InetSocket, error) {
	t, errT := w.tcpSockets()
	u, errU := w.udpSockets()
	out := append(t, u...)
	if errT != nil && errU != nil {
		return out, errT
	}
	if errT != nil {
		w.errf("TCP: %v", errT)
	}
	if errU != nil {
		w.errf("UDP: %v", errU)
	}
	return out, nil
}

// tcpHashinfo finds the inet_hashinfo this namespace's TCP sockets live in:
// the per-namespace one of Linux 6.1+ (tcp_death_row.hashinfo), else the
// global tcp_hashinfo.
func (w *walker) tcpHashinfo(l *btfx.Layout) (uint64, error) {
	if dr, ok := l.Opt("net", "ipv4.tcp_death_row"); ok {
		base := w.net + uint64(dr.Off)
		if dr.IsPointer() {
			p, err := w.d.Mem.U64(base)
			if err != nil {
				return 0, err
			}
			base = p
		}
		if hi, ok := l.Opt("inet_timewait_death_row", "hashinfo"); ok && base != 0 {
			if p, err := w.d.Mem.U64(base + uint64(hi.Off)); err == nil && p != 0 {
				return p, nil
			}
		}
	}
	return w.d.Syms.Addr("tcp_hashinfo")
}

func (w *walker) tcpSockets() ([]snapshots.InetSocket, error) {
	l := btfx.NewLayout(w.d.Types)
	sl := newSockLayout(l)
	ehash, ehashMask := l.F("inet_hashinfo", "ehash"), l.F("inet_hashinfo", "ehash_mask")
	lhash2, lhash2Mask := l.F("inet_hashinfo", "lhash2"), l.F("inet_hashinfo", "lhash2_mask")
	bucket := l.Size("inet_ehash_bucket")
	chain := l.F("inet_ehash_bucket", "chain")
	lbucket := l.Size("inet_listen_hashbucket")
	lnulls, nullsList := l.Opt("inet_listen_hashbucket", "nulls_head")
	var lhead, portaddr btfx.Field
	if !nullsList {
		lhead = l.F("inet_listen_hashbucket", "head")
		portaddr = l.F("inet_connection_sock", "icsk_listen_portaddr_node")
	}
	rcvNxt, copied := l.F("tcp_sock", "rcv_nxt"), l.F("tcp_sock", "copied_seq")
	writeSeq, sndUna := l.F("tcp_sock", "write_seq"), l.F("tcp_sock", "snd_una")
	retrans, probesOut := l.F("tcp_sock", "inet_conn.icsk_retransmits"), l.F("tcp_sock", "inet_conn.icsk_probes_out")
	rto, caOps := l.F("tcp_sock", "inet_conn.icsk_rto"), l.F("tcp_sock", "inet_conn.icsk_ca_ops")
	caName := l.F("tcp_congestion_ops", "name")
	cwnd, _ := l.Opt("tcp_sock", "snd_cwnd")
	ssth, _ := l.Opt("tcp_sock", "snd_ssthresh")
	tcpSize := l.Size("tcp_sock")
	twSub := l.F("inet_timewait_sock", "tw_substate")
	twSize := l.Size("inet_timewait_sock")
	if err := l.Err(); err != nil {
		return nil, err
	}
	hi, err := w.tcpHashinfo(l)
	if err != nil {
		return nil, err
	}
	ho, err := w.d.obj(hi, max(ehash.Off, ehashMask.Off, lhash2.Off, lhash2Mask.Off)+8)
	if err != nil {
		return nil, err
	}
	var out []snapshots.InetSocket
	cong := map[uint64]string{}
	visit := func(sk uint64) {
		co, err := w.d.obj(sk, sl.commonSize)
		if err != nil {
			w.errf("socket %#x: %v", sk, err)
			return
		}
		if co.U(sl.net) != w.net {
			return
		}
		s := sl.common(co, snapshots.ProtoTCP)
		switch s.State {
		case tcpTimeWait:
			if tw, err := w.d.obj(sk, twSize); err == nil {
				s.State = uint8(tw.U(twSub))
			}
			s.Timer = 3
		case tcpNewSynRecv:
			s.State = tcpSynRecv
		default:
			o, err := w.d.obj(sk, tcpSize)
			if err != nil {
				w.errf("tcp_sock %#x: %v", sk, err)
				break
			}
			w.full(sl, o, &s)
			if s.State == tcpListen {
				s.RecvQ, s.SendQ = uint32(o.U(sl.ackBacklog)), uint32(o.U(sl.maxAckBacklog))
			} else {
				if d := int32(uint32(o.U(rcvNxt)) - uint32(o.U(copied))); d > 0 {
					s.RecvQ = uint32(d)
				}
				s.SendQ = uint32(o.U(writeSeq)) - uint32(o.U(sndUna))
			}
			s.Retrans = uint8(o.U(retrans))
			s.Probes = uint32(o.U(probesOut))
			s.RTO = uint32(o.U(rto))
			if cwnd.Size > 0 {
				s.Cwnd = uint32(o.U(cwnd))
			}
			if ssth.Size > 0 {
				s.Ssthresh = int32(o.U(ssth))
			}
			if ops := o.U(caOps); ops != 0 {
				name, ok := cong[ops]
				if !ok {
					name, _ = w.d.Mem.CString(ops+uint64(caName.Off), int(caName.Size))
					cong[ops] = name
				}
				s.Cong = name
			}
		}
		out = append(out, s)
	}
	n := 0
	// Listeners first, as /proc/net/tcp lists them.
	lmask := ho.U(lhash2Mask)
	if la := ho.U(lhash2); la != 0 && lmask < 1<<24 {
		for i := uint64(0); i <= lmask; i++ {
			b := la + i*uint64(lbucket)
			if nullsList {
				n = w.nulls(b+uint64(lnulls.Off), sl.nullsNode.Off, n, visit)
			} else {
				n = w.hlist(b+uint64(lhead.Off), portaddr.Off, n, visit)
			}
		}
	} else if la != 0 {
		w.errf("lhash2_mask %#x is implausible", lmask)
	}
	emask := ho.U(ehashMask)
	if ea := ho.U(ehash); ea != 0 && emask < 1<<28 {
		for i := uint64(0); i <= emask; i++ {
			if n >= w.max {
				w.errf("TCP established hash walk cut off after %d entries", w.max)
				break
			}
			n = w.nulls(ea+i*uint64(bucket)+uint64(chain.Off), sl.nullsNode.Off, n, visit)
		}
	} else if ea != 0 {
		w.errf("ehash_mask %#x is implausible", emask)
	}
	return out, nil
}

// nulls walks an hlist_nulls chain whose nodes sit at nodeOff in each
// object, calling fn with the object's address. n counts visited objects
// across calls; the walk stops at w.max.
func (w *walker) nulls(head uint64, nodeOff uint32, n int, fn func(uint64)) int {
	p, err := w.d.Mem.U64(head)
	for ; err == nil && p&1 == 0 && p != 0; n++ {
		if n >= w.max {
			w.errf("socket hash walk cut off after %d entries", w.max)
			return n
		}
		fn(p - uint64(nodeOff))
		p, err = w.d.Mem.U64(p)
	}
	if err != nil {
		w.errf("hash chain at %#x: %v", head, err)
	}
	return n
}

// hlist walks a NULL-terminated hlist chain.
func (w *walker) hlist(head uint64, nodeOff uint32, n int, fn func(uint64)) int {
	p, err := w.d.Mem.U64(head)
	for ; err == nil && p != 0; n++ {
		if n >= w.max {
			w.errf("hash walk cut off after %d entries", w.max)
			return n
		}
		fn(p - uint64(nodeOff))
		p, err = w.d.Mem.U64(p)
	}
	if err != nil {
		w.errf("hash chain at %#x: %v", head, err)
	}
	return n
}

func (w *walker) udpSockets() ([]snapshots.InetSocket, error) {
	l := btfx.NewLayout(w.d.Types)
	sl := newSockLayout(l)
	hash, mask := l.F("udp_table", "hash"), l.F("udp_table", "mask")
	slot := l.Size("udp_hslot")
	slotHead := l.F("udp_hslot", "head")
	if err := l.Err(); err != nil {
		return nil, err
	}
	var tables []struct {
		addr  uint64
		proto uint16
	}
	if f, ok := l.Opt("net", "ipv4.udp_table"); ok && f.IsPointer() {
		if p, err := w.d.Mem.U64(w.net + uint64(f.Off)); err == nil && p != 0 {
			tables = append(tables, struct {
				addr  uint64
				proto uint16
			}{p, snapshots.ProtoUDP})
		}
	}
	if len(tables) == 0 {
		a, err := w.d.Syms.Addr("udp_table")
		if err != nil {
			return nil, err
		}
		tables = append(tables, struct {
			addr  uint64
			proto uint16
		}{a, snapshots.ProtoUDP})
	}
	if a, ok := w.d.Syms.Lookup("udplite_table"); ok {
		tables = append(tables, struct {
			addr  uint64
			proto uint16
		}{a, snapshots.ProtoUDPLite})
	}
	var out []snapshots.InetSocket
	n := 0
	for _, t := range tables {
		to, err := w.d.obj(t.addr, max(hash.Off, mask.Off)+8)
		if err != nil {
			w.errf("udp table %#x: %v", t.addr, err)
			continue
		}
		m, h := to.U(mask), to.U(hash)
		if h == 0 || m >= 1<<24 {
			w.errf("udp table %#x: hash %#x mask %#x", t.addr, h, m)
			continue
		}
		for i := uint64(0); i <= m; i++ {
			n = w.hlist(h+i*uint64(slot)+uint64(slotHead.Off), sl.node.Off, n, func(sk uint64) {
				o, err := w.d.obj(sk, sl.sockSize)
				if err != nil {
					w.errf("udp socket %#x: %v", sk, err)
					return
				}
				if o.U(sl.net) != w.net {
					return
				}
				s := sl.common(o, t.proto)
				w.full(sl, o, &s)
				s.RecvQ = uint32(o.U(sl.rmem))
				if wm := uint32(o.U(sl.wmem)); wm > 0 {
					s.SendQ = wm - 1 // sk_wmem_alloc starts at one
				}
				out = append(out, s)
			})
		}
	}
	return out, nil
}
