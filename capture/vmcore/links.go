package vmcore

import (
	"fmt"
	"net/netip"

	"github.com/netmortem/netmortem/capture/vmcore/btfx"
	"github.com/netmortem/netmortem/snapshots"
)

// IFF_* bits dev_get_flags recomputes from device state.
const (
	iffUp       = 0x1
	iffRunning  = 0x40
	iffPromisc  = 0x100
	iffAllmulti = 0x200
	iffLoopback = 0x8
	iffLowerUp  = 0x10000
	iffDormant  = 0x20000
)

// devLayout is what the device walkers need of struct net_device.
type devLayout struct {
	size                                           uint32
	list, name, ifindex, mtu, minMTU, maxMTU       btfx.Field
	flags, gflags, typ, addrLen, devAddr, bcast    btfx.Field
	permAddr, operstate, linkMode, txqlen, group   btfx.Field
	promisc, numTx, numRx, state, linkOps, ifalias btfx.Field
	qdisc, ipPtr, ip6Ptr, stats, ndNet             btfx.Field
	lstats, coreStats                              btfx.Field
	hasLstats, hasCore, hasQdisc                   bool
	opsKind, aliasText, qdiscOps, qdiscID          btfx.Field
	stateStart, stateNoCarrier, stateDormant       uint64
	hasState                                       bool
}

func (w *walker) devLayout() (*devLayout, error) {
	l := btfx.NewLayout(w.d.Types)
	dl := &devLayout{size: l.Size("net_device")}
	f := func(p string) btfx.Field { return l.F("net_device", p) }
	dl.list, dl.name, dl.ifindex, dl.mtu = f("dev_list"), f("name"), f("ifindex"), f("mtu")
	dl.minMTU, dl.maxMTU, dl.flags, dl.gflags = f("min_mtu"), f("max_mtu"), f("flags"), f("gflags")
	dl.typ, dl.addrLen, dl.devAddr, dl.bcast = f("type"), f("addr_len"), f("dev_addr"), f("broadcast")
	dl.permAddr, dl.operstate, dl.linkMode, dl.txqlen = f("perm_addr"), f("operstate"), f("link_mode"), f("tx_queue_len")
	dl.group, dl.promisc, dl.numTx, dl.numRx = f("group"), f("promiscuity"), f("num_tx_queues"), f("num_rx_queues")
	dl.state, dl.linkOps, dl.ifalias, dl.ipPtr = f("state"), f("rtnl_link_ops"), f("ifalias"), f("ip_ptr")
	dl.ip6Ptr, dl.stats, dl.ndNet = f("ip6_ptr"), f("stats"), f("nd_net")
	dl.opsKind = l.F("rtnl_link_ops", "kind")
	dl.aliasText = l.F("dev_ifalias", "ifalias")
	dl.lstats, dl.hasLstats = l.Opt("net_device", "lstats")
	dl.coreStats, dl.hasCore = l.Opt("net_device", "core_stats")
	var ok1, ok2 bool
	dl.qdisc, dl.hasQdisc = l.Opt("net_device", "qdisc")
	dl.qdiscOps, ok1 = l.Opt("Qdisc", "ops")
	dl.qdiscID, ok2 = l.Opt("Qdisc_ops", "id")
	dl.hasQdisc = dl.hasQdisc && ok1 && ok2
	if err := l.Err(); err != nil {
		return nil, err
	}
	e := w.d.enums()
	s, ok1 := e["__LINK_STATE_START"]
	n, ok2 := e["__LINK_STATE_NOCARRIER"]
	dm, ok3 := e["__LINK_STATE_DORMANT"]
	dl.stateStart, dl.stateNoCarrier, dl.stateDormant, dl.hasState = s, n, dm, ok1 && ok2 && ok3
	return dl, nil
}

// devices walks net->dev_base_head and returns each device's address and bytes.
func (w *walker) devices(dl *devLayout) ([]uint64, []btfx.Obj, error) {
	l := btfx.NewLayout(w.d.Types)
	head := l.F("net", "dev_base_head")
	if err := l.Err(); err != nil {
		return nil, nil, err
	}
	var addrs []uint64
	var objs []btfx.Obj
	err := walkList(w.d, w.net+uint64(head.Off), w.max, func(node uint64) error {
		dev := node - uint64(dl.list.Off)
		o, err := w.d.obj(dev, dl.size)
		if err != nil {
			return fmt.Errorf("net_device at %#x: %w", dev, err)
		}
		addrs, objs = append(addrs, dev), append(objs, o)
		return nil
	})
	return addrs, objs, err
}

func (w *walker) links() ([]snapshots.Link, error) {
	dl, err := w.devLayout()
	if err != nil {
		return nil, err
	}
	addrs, objs, err := w.devices(dl)
	if err != nil {
		w.errf("%v", err)
	}
	var out []snapshots.Link
	for i, o := range objs {
		lk := snapshots.Link{
			Index: int32(o.S(dl.ifindex)), Name: o.Str(dl.name), Type: uint16(o.U(dl.typ)),
			MTU: uint32(o.U(dl.mtu)), MinMTU: uint32(o.U(dl.minMTU)), MaxMTU: uint32(o.U(dl.maxMTU)),
			OperState: uint8(o.U(dl.operstate)), LinkMode: uint8(o.U(dl.linkMode)),
			TxQueueLen: uint32(o.U(dl.txqlen)), Group: uint32(o.U(dl.group)),
			Promiscuity: uint32(o.U(dl.promisc)), NumTxQueues: uint32(o.U(dl.numTx)),
			NumRxQueues: uint32(o.U(dl.numRx)), ParentNetns: -1,
		}
		alen := int(o.U(dl.addrLen))
		if alen > 32 {
			alen = 32
		}
		if dl.devAddr.IsPointer() {
			if p := o.U(dl.devAddr); p != 0 && alen > 0 {
				if b, err := w.d.Mem.Bytes(p, alen); err == nil {
					lk.HWAddr = b
				} else {
					w.errf("%s: dev_addr: %v", lk.Name, err)
				}
			}
		} else if b := o.B(dl.devAddr); len(b) >= alen {
			lk.HWAddr = append([]byte(nil), b[:alen]...)
		}
		if b := o.B(dl.bcast); len(b) >= alen && alen > 0 {
			lk.Broadcast = append([]byte(nil), b[:alen]...)
		}
		if b := o.B(dl.permAddr); len(b) >= alen && alen > 0 && !allZero(b[:alen]) {
			lk.PermAddr = append([]byte(nil), b[:alen]...)
		}
		lk.Flags = w.devFlags(dl, o)
		if o.U(dl.state)&(1<<dl.stateNoCarrier) == 0 && dl.hasState {
			lk.Carrier = 1
		}
		if p := o.U(dl.linkOps); p != 0 {
			if k, err := w.d.Mem.U64(p + uint64(dl.opsKind.Off)); err == nil && k != 0 {
				lk.Kind, _ = w.d.Mem.CString(k, 64)
			}
		}
		if p := o.U(dl.ifalias); p != 0 {
			lk.Alias, _ = w.d.Mem.CString(p+uint64(dl.aliasText.Off), 256)
		}
		if dl.hasQdisc {
			if q := o.U(dl.qdisc); q != 0 {
				if ops, err := w.d.Mem.U64(q + uint64(dl.qdiscOps.Off)); err == nil && ops != 0 {
					lk.Qdisc, _ = w.d.Mem.CString(ops+uint64(dl.qdiscID.Off), int(dl.qdiscID.Size))
				}
			}
		}
		lk.Stats = w.devStats(dl, addrs[i], o, lk)
		out = append(out, lk)
	}
	return out, nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// devFlags recomputes what dev_get_flags reports over netlink.
func (w *walker) devFlags(dl *devLayout, o btfx.Obj) uint32 {
	fl := uint32(o.U(dl.flags))
	if !dl.hasState {
		return fl
	}
	fl = fl&^(iffPromisc|iffAllmulti|iffRunning|iffLowerUp|iffDormant) | uint32(o.U(dl.gflags))&(iffPromisc|iffAllmulti)
	st := o.U(dl.state)
	if st&(1<<dl.stateStart) != 0 {
		if op := o.U(dl.operstate); op == 6 || op == 0 { // IF_OPER_UP, IF_OPER_UNKNOWN
			fl |= iffRunning
		}
		if st&(1<<dl.stateNoCarrier) == 0 {
			fl |= iffLowerUp
		}
		if st&(1<<dl.stateDormant) != 0 {
			fl |= iffDormant
		}
	}
	return fl
}

// devStats reads struct net_device_stats, the per-cpu core drop counters
// and, for drivers known to count in per-cpu lstats (loopback, dummy,
// veth transmit), those.
func (w *walker) devStats(dl *devLayout, dev uint64, o btfx.Obj, lk snapshots.Link) snapshots.LinkStats {
	l := btfx.NewLayout(w.d.Types)
	f := func(n string) uint64 { return o.U(l.F("net_device", "stats."+n)) }
	s := snapshots.LinkStats{
		RxPackets: f("rx_packets"), TxPackets: f("tx_packets"), RxBytes: f("rx_bytes"), TxBytes: f("tx_bytes"),
		RxErrors: f("rx_errors"), TxErrors: f("tx_errors"), RxDropped: f("rx_dropped"), TxDropped: f("tx_dropped"),
		Multicast: f("multicast"), Collisions: f("collisions"), RxLengthErrors: f("rx_length_errors"),
		RxOverErrors: f("rx_over_errors"), RxCRCErrors: f("rx_crc_errors"), RxFrameErrors: f("rx_frame_errors"),
		RxFIFOErrors: f("rx_fifo_errors"), RxMissedErrors: f("rx_missed_errors"),
		TxAbortedErrors: f("tx_aborted_errors"), TxCarrierErrors: f("tx_carrier_errors"),
		TxFIFOErrors: f("tx_fifo_errors"), TxHeartbeatErrors: f("tx_heartbeat_errors"),
		TxWindowErrors: f("tx_window_errors"), RxCompressed: f("rx_compressed"), TxCompressed: f("tx_compressed"),
	}
	if err := l.Err(); err != nil {
		w.errf("%s counters: %v", lk.Name, err)
		return s
	}
	s.Valid = true
	if dl.hasCore {
		if p := o.U(dl.coreStats); p != 0 {
			rd, _ := l.T.Field("net_device_core_stats", "rx_dropped")
			td, _ := l.T.Field("net_device_core_stats", "tx_dropped")
			nh, _ := l.T.Field("net_device_core_stats", "rx_nohandler")
			sz, _ := l.T.Size("net_device_core_stats")
			for _, a := range w.d.perCPU(p) {
				if c, err := w.d.obj(a, sz); err == nil {
					s.RxDropped += c.U(rd)
					s.TxDropped += c.U(td)
					s.RxNoHandler += c.U(nh)
				}
			}
		}
	}
	lstats := lk.Flags&iffLoopback != 0 || lk.Kind == "dummy" || lk.Kind == "veth"
	if lstats && dl.hasLstats {
		if p := o.U(dl.lstats); p != 0 {
			pk, e1 := l.T.Field("pcpu_lstats", "packets")
			by, e2 := l.T.Field("pcpu_lstats", "bytes")
			sz, e3 := l.T.Size("pcpu_lstats")
			if e1 == nil && e2 == nil && e3 == nil {
				var packets, bytes uint64
				for _, a := range w.d.perCPU(p) {
					if c, err := w.d.obj(a, sz); err == nil {
						packets += c.U(pk)
						bytes += c.U(by)
					}
				}
				s.TxPackets += packets
				s.TxBytes += bytes
				if lk.Flags&iffLoopback != 0 {
					s.RxPackets += packets
					s.RxBytes += bytes
				}
			}
		}
	}
	return s
}

// perCPU returns the address of a per-cpu pointer's instance on each
// possible CPU.
func (d *Dump) perCPU(p uint64) []uint64 {
	offs := d.cpuOffsets()
	out := make([]uint64, 0, len(offs))
	for _, o := range offs {
		out = append(out, p+o)
	}
	return out
}

// cpuOffsets reads __per_cpu_offset[0 .. nr_cpu_ids-1] once.
func (d *Dump) cpuOffsets() []uint64 {
	if d.pcpu != nil {
		return d.pcpu
	}
	d.pcpu = []uint64{}
	arr, err1 := d.Syms.Addr("__per_cpu_offset")
	nrA, err2 := d.Syms.Addr("nr_cpu_ids")
	if err1 != nil || err2 != nil {
		return d.pcpu
	}
	nr, err := d.Mem.U32(nrA)
	if err != nil || nr == 0 || nr > 8192 {
		return d.pcpu
	}
	b, err := d.Mem.Bytes(arr, int(nr)*8)
	if err != nil {
		return d.pcpu
	}
	for i := uint32(0); i < nr; i++ {
		o := btfx.Obj(b).At(i * 8)
		// Offsets of CPUs never brought up still point at the boot area;
		// skip duplicates so nothing is counted twice.
		dup := false
		for _, x := range d.pcpu {
			dup = dup || x == o
		}
		if !dup && o != 0 {
			d.pcpu = append(d.pcpu, o)
		}
	}
	return d.pcpu
}

// addrs reads the IPv4 and IPv6 addresses of every device.
func (w *walker) addrs() ([]snapshots.Addr, error) {
	dl, err := w.devLayout()
	if err != nil {
		return nil, err
	}
	_, objs, err := w.devices(dl)
	if err != nil {
		w.errf("%v", err)
	}
	l := btfx.NewLayout(w.d.Types)
	ifaList := l.F("in_device", "ifa_list")
	ifaNext, local, address := l.F("in_ifaddr", "ifa_next"), l.F("in_ifaddr", "ifa_local"), l.F("in_ifaddr", "ifa_address")
	bcast, plen, flags := l.F("in_ifaddr", "ifa_broadcast"), l.F("in_ifaddr", "ifa_prefixlen"), l.F("in_ifaddr", "ifa_flags")
	scope, label := l.F("in_ifaddr", "ifa_scope"), l.F("in_ifaddr", "ifa_label")
	valid, pref := l.F("in_ifaddr", "ifa_valid_lft"), l.F("in_ifaddr", "ifa_preferred_lft")
	proto, hasProto := l.Opt("in_ifaddr", "ifa_proto")
	ifaSize := l.Size("in_ifaddr")
	err4 := l.Err()
	l6 := btfx.NewLayout(w.d.Types)
	addrList := l6.F("inet6_dev", "addr_list")
	ifList, a6, plen6 := l6.F("inet6_ifaddr", "if_list"), l6.F("inet6_ifaddr", "addr"), l6.F("inet6_ifaddr", "prefix_len")
	scope6, flags6 := l6.F("inet6_ifaddr", "scope"), l6.F("inet6_ifaddr", "flags")
	valid6, pref6 := l6.F("inet6_ifaddr", "valid_lft"), l6.F("inet6_ifaddr", "prefered_lft")
	proto6, hasProto6 := l6.Opt("inet6_ifaddr", "ifa_proto")
	if6Size := l6.Size("inet6_ifaddr")
	err6 := l6.Err()
	if err4 != nil && err6 != nil {
		return nil, fmt.Errorf("%v; %v", err4, err6)
	}
	if err4 != nil {
		w.errf("IPv4 addresses: %v", err4)
	}
	if err6 != nil {
		w.errf("IPv6 addresses: %v", err6)
	}
	var out []snapshots.Addr
	for _, o := range objs {
		idx := int32(o.S(dl.ifindex))
		name := o.Str(dl.name)
		if in := o.U(dl.ipPtr); in != 0 && err4 == nil {
			p, err := w.d.Mem.U64(in + uint64(ifaList.Off))
			for n := 0; p != 0 && err == nil; n++ {
				if n >= w.max {
					w.errf("%s: ifa_list cut off", name)
					break
				}
				var a btfx.Obj
				if a, err = w.d.obj(p, ifaSize); err != nil {
					break
				}
				ad := snapshots.Addr{
					Family: snapshots.AFInet, Index: idx, PrefixLen: uint8(a.U(plen)),
					Address: ipv4(a.U(address)), Local: ipv4(a.U(local)), Label: a.Str(label),
					Scope: uint8(a.U(scope)), Flags: uint32(a.U(flags)),
					Valid: uint32(a.U(valid)), Preferred: uint32(a.U(pref)),
				}
				if b := a.U(bcast); b != 0 {
					ad.Broadcast = ipv4(b)
				}
				if hasProto {
					ad.Proto = uint8(a.U(proto))
				}
				out = append(out, ad)
				p = a.U(ifaNext)
			}
			if err != nil {
				w.errf("%s: IPv4 addresses: %v", name, err)
			}
		}
		if in6 := o.U(dl.ip6Ptr); in6 != 0 && err6 == nil {
			err := walkList(w.d, in6+uint64(addrList.Off), w.max, func(node uint64) error {
				a, err := w.d.obj(node-uint64(ifList.Off), if6Size)
				if err != nil {
					return err
				}
				ad := snapshots.Addr{
					Family: snapshots.AFInet6, Index: idx, PrefixLen: uint8(a.U(plen6)),
					Address: ipv6(a.B(a6)), Scope: rtScope6(a.U(scope6)), Flags: uint32(a.U(flags6)),
					Valid: uint32(a.U(valid6)), Preferred: uint32(a.U(pref6)),
				}
				if hasProto6 {
					ad.Proto = uint8(a.U(proto6))
				}
				out = append(out, ad)
				return nil
			})
			if err != nil {
				w.errf("%s: IPv6 addresses: %v", name, err)
			}
		}
	}
	return out, nil
}

// rtScope6 maps an IPv6 address scope (IPV6_ADDR_SCOPE_*, as kept in
// inet6_ifaddr.scope) to the RT_SCOPE_* netlink reports.
func rtScope6(s uint64) uint8 {
	switch {
	case s&0x0010 != 0: // IFA_HOST
		return 254
	case s&0x0020 != 0: // IFA_LINK
		return 253
	case s&0x0040 != 0: // IFA_SITE
		return 200
	}
	return 0
}

var _ = netip.Addr{}
