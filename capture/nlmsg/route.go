package nlmsg

import (
	"fmt"
	"net/netip"

	"github.com/mdlayher/netlink"
	"github.com/netmortem/netmortem/snapshots"
)

// ParseRoute decodes an RTM_NEWROUTE message of family AF_INET or AF_INET6
// (struct rtmsg and every RTA_* attribute).
//
// The table comes from RTA_TABLE: rtm_table is 8 bits and reads 252
// (RT_TABLE_COMPAT) for any id above 255. A single-path route's RTA_OIF,
// RTA_GATEWAY, RTA_VIA, RTA_FLOW and RTA_ENCAP{,_TYPE} become one NextHop of
// weight 1 whose flags are the low byte of rtm_flags (where the kernel puts
// that next hop's RTNH_F_* bits); RTA_MULTIPATH becomes one NextHop per
// struct rtnexthop with Multipath set. RTA_EXPIRES is read as 32 or 64 bits,
// whichever the kernel sent. IPMR/IP6MR entries are ParseMFC's; ParseRoute
// refuses them with ErrFamily.
func ParseRoute(m netlink.Message) (snapshots.Route, error) {
	var r snapshots.Route
	if err := parseRoute(m, &r, nil); err != nil {
		return snapshots.Route{}, fmt.Errorf("nlmsg: RTM_NEWROUTE: %w", err)
	}
	return r, nil
}

// hopSlab hands out one-element NextHop slices from shared chunks, so that a
// dump of a million single-path routes makes a few thousand allocations
// instead of a million. Each slice is capped at its length: appending to one
// never writes into a neighbour.
type hopSlab struct{ buf []snapshots.NextHop }

func (s *hopSlab) one(nh snapshots.NextHop) []snapshots.NextHop {
	if s == nil {
		return []snapshots.NextHop{nh}
	}
	if len(s.buf) == cap(s.buf) {
		s.buf = make([]snapshots.NextHop, 0, 1024)
	}
	s.buf = append(s.buf, nh)
	n := len(s.buf)
	return s.buf[n-1 : n : n]
}

// rtmsgHeader checks the message type and struct rtmsg and returns the
// family.
func rtmsgHeader(m netlink.Message) (uint8, error) {
	if err := checkType(uint16(m.Header.Type), rtmNewRoute, "type"); err != nil {
		return 0, err
	}
	if len(m.Data) < sizeofRtmsg {
		return 0, errShort("rtmsg", len(m.Data), sizeofRtmsg)
	}
	return m.Data[0], nil
}

func parseRoute(m netlink.Message, r *snapshots.Route, slab *hopSlab) error {
	fam, err := rtmsgHeader(m)
	if err != nil {
		return err
	}
	if fam != snapshots.AFInet && fam != snapshots.AFInet6 {
		return fmt.Errorf("%w %d (want AF_INET or AF_INET6)", ErrFamily, fam)
	}
	b := m.Data
	r.Family = fam
	dstLen, srcLen := b[1], b[2]
	r.TOS = b[3]
	r.Table = uint32(b[4])
	r.Protocol = b[5]
	r.Scope = b[6]
	r.Type = b[7]
	r.Flags = native.Uint32(b[8:])
	r.Cloned = r.Flags&rtmFCloned != 0

	var (
		nh    snapshots.NextHop
		hasNH bool
		hops  []snapshots.NextHop
	)
	a := newAttrs(b[sizeofRtmsg:])
	for a.next() {
		switch a.kind() {
		case rtaTable:
			r.Table = a.u32()
		case rtaDst:
			r.Dst = a.prefix(dstLen)
		case rtaSrc:
			r.Ext().Src = a.prefix(srcLen)
		case rtaIIF:
			r.IIF = int32(a.u32())
		case rtaOIF:
			nh.OIF, hasNH = int32(a.u32()), true
		case rtaGateway:
			nh.Gateway, hasNH = a.addr(), true
		case rtaVia:
			hasNH = true
			if ip, ok := parseVia(a.data); ok {
				nh.Gateway = ip
			} else {
				nh.Ext().Raw = append(nh.Ext().Raw, a.raw())
			}
		case rtaFlow:
			nh.Realms, hasNH = a.u32(), true
		case rtaEncapType:
			nh.Ext().EncapType, hasNH = a.u16(), true
		case rtaEncap:
			nh.Ext().Encap, hasNH = a.bytes(), true
		case rtaMultipath:
			hops, err = parseMultipath(a.data, hops)
			if err != nil {
				return err
			}
			r.Multipath = true
		case rtaPrefSrc:
			r.PrefSrc = a.addr()
		case rtaPriority:
			r.Priority = a.u32()
		case rtaMetrics:
			whole, err := parseMetrics(a.data, r)
			if err != nil {
				return err
			}
			if !whole {
				r.Ext().Raw = append(r.Ext().Raw, a.raw())
			}
		case rtaPref:
			r.Ext().Pref = a.u8()
		case rtaMark:
			r.Ext().Mark = a.u32()
		case rtaNHID:
			r.Ext().NHID = a.u32()
		case rtaExpires:
			r.Ext().Expires = a.uint32or64()
		case rtaCacheInfo:
			ci, ok := parseRtaCacheInfo(a.data)
			if !ok {
				a.fail("struct rta_cacheinfo")
				break
			}
			r.Ext().Cache = ci
		case rtaPad:
		default:
			r.Ext().Raw = append(r.Ext().Raw, a.raw())
		}
	}
	if a.err != nil {
		return a.err
	}
	if !r.Dst.IsValid() {
		// No RTA_DST: the default route of its family.
		r.Dst, err = zeroPrefix(fam, dstLen)
		if err != nil {
			return err
		}
	}
	if hasNH {
		nh.Weight = 1
		nh.Flags = uint8(r.Flags)
		if hops == nil {
			r.NextHops = slab.one(nh)
			return nil
		}
		hops = append([]snapshots.NextHop{nh}, hops...)
	}
	r.NextHops = hops
	return nil
}

func zeroPrefix(fam uint8, bits uint8) (netip.Prefix, error) {
	ip := netip.IPv4Unspecified()
	if fam == snapshots.AFInet6 {
		ip = netip.IPv6Unspecified()
	}
	if int(bits) > ip.BitLen() {
		return netip.Prefix{}, fmt.Errorf("prefix length %d without RTA_DST", bits)
	}
	return netip.PrefixFrom(ip, int(bits)), nil
}

// parseVia decodes struct rtvia (a u16 family and the address) when it holds
// an IP address; other families (AF_PACKET, AF_MPLS …) stay raw.
func parseVia(b []byte) (netip.Addr, bool) {
	if len(b) < 2 {
		return netip.Addr{}, false
	}
	fam, ip := native.Uint16(b), b[2:]
	switch {
	case fam == snapshots.AFInet && len(ip) == 4, fam == snapshots.AFInet6 && len(ip) == 16:
		return addrFrom(ip)
	}
	return netip.Addr{}, false
}

// parseMultipath decodes the struct rtnexthop list of RTA_MULTIPATH, each
// followed by its own attributes, and appends to hops.
func parseMultipath(b []byte, hops []snapshots.NextHop) ([]snapshots.NextHop, error) {
	for len(b) > 0 {
		if len(b) < sizeofRtnexthop {
			return nil, fmt.Errorf("RTA_MULTIPATH: %d bytes left, want a %d-byte rtnexthop", len(b), sizeofRtnexthop)
		}
		l := int(native.Uint16(b))
		if l < sizeofRtnexthop || l > len(b) {
			return nil, fmt.Errorf("RTA_MULTIPATH: rtnh_len %d with %d bytes left", l, len(b))
		}
		nh := snapshots.NextHop{
			Flags:  b[2],
			Weight: uint16(b[3]) + 1,
			OIF:    int32(native.Uint32(b[4:])),
		}
		a := newAttrs(b[sizeofRtnexthop:l])
		for a.next() {
			switch a.kind() {
			case rtaGateway:
				nh.Gateway = a.addr()
			case rtaVia:
				if ip, ok := parseVia(a.data); ok {
					nh.Gateway = ip
				} else {
					nh.Ext().Raw = append(nh.Ext().Raw, a.raw())
				}
			case rtaFlow:
				nh.Realms = a.u32()
			case rtaEncapType:
				nh.Ext().EncapType = a.u16()
			case rtaEncap:
				nh.Ext().Encap = a.bytes()
			default:
				nh.Ext().Raw = append(nh.Ext().Raw, a.raw())
			}
		}
		if a.err != nil {
			return nil, fmt.Errorf("RTA_MULTIPATH: %w", a.err)
		}
		hops = append(hops, nh)
		b = b[min(align4(l), len(b)):]
	}
	return hops, nil
}

// parseMetrics decodes RTA_METRICS into the route's Metrics and CongCtl and reports
// whether every entry was understood; if not, the caller keeps it raw too.
func parseMetrics(b []byte, r *snapshots.Route) (whole bool, err error) {
	whole = true
	a := newAttrs(b)
	for a.next() {
		switch {
		case a.kind() == rtaxCCAlgo:
			r.Ext().CongCtl = a.str()
		case len(a.data) == 4:
			r.Ext().Metrics = append(r.Ext().Metrics, snapshots.RouteMetric{Type: a.kind(), Value: native.Uint32(a.data)})
		default:
			whole = false
		}
	}
	if a.err != nil {
		return false, fmt.Errorf("RTA_METRICS: %w", a.err)
	}
	return whole, nil
}

func parseRtaCacheInfo(b []byte) (*snapshots.RouteCacheInfo, bool) {
	if len(b) != sizeofRtaCache {
		return nil, false
	}
	return &snapshots.RouteCacheInfo{
		ClntRef: native.Uint32(b[0:]),
		LastUse: native.Uint32(b[4:]),
		Expires: native.Uint32(b[8:]),
		Error:   native.Uint32(b[12:]),
		Used:    native.Uint32(b[16:]),
		ID:      native.Uint32(b[20:]),
		TS:      native.Uint32(b[24:]),
		TSAge:   native.Uint32(b[28:]),
	}, true
}

// ParseMFC decodes an RTM_NEWROUTE message of family RTNL_FAMILY_IPMR (128)
// or RTNL_FAMILY_IP6MR (129): one multicast forwarding cache entry. Family
// becomes AF_INET or AF_INET6; RTA_SRC is the origin, RTA_DST the group,
// RTA_IIF the input ifindex (netlink gives no vif numbers, so IIFVif and each
// MFCOif.Vif are -1); every rtnexthop of RTA_MULTIPATH is an output
// interface with its TTL threshold in rtnh_hops. An entry is resolved when it
// has an input interface. RTA_EXPIRES is what the kernel puts there: for
// IPMR, clock ticks since the entry was last used.
func ParseMFC(m netlink.Message) (snapshots.MFCEntry, error) {
	e, err := parseMFC(m)
	if err != nil {
		return snapshots.MFCEntry{}, fmt.Errorf("nlmsg: RTM_NEWROUTE (multicast): %w", err)
	}
	return e, nil
}

func parseMFC(m netlink.Message) (snapshots.MFCEntry, error) {
	var e snapshots.MFCEntry
	fam, err := rtmsgHeader(m)
	if err != nil {
		return e, err
	}
	switch fam {
	case FamilyIPMR:
		e.Family = snapshots.AFInet
	case FamilyIP6MR:
		e.Family = snapshots.AFInet6
	default:
		return e, fmt.Errorf("%w %d (want RTNL_FAMILY_IPMR or RTNL_FAMILY_IP6MR)", ErrFamily, fam)
	}
	b := m.Data
	e.Table = uint32(b[4])
	e.IIFVif = -1
	a := newAttrs(b[sizeofRtmsg:])
	for a.next() {
		switch a.kind() {
		case rtaTable:
			e.Table = a.u32()
		case rtaSrc:
			e.Source = a.addr()
		case rtaDst:
			e.Group = a.addr()
		case rtaIIF:
			e.IIF = int32(a.u32())
			e.Resolved = true
		case rtaMultipath:
			oifs, whole, err := parseOifs(a.data)
			if err != nil {
				return e, err
			}
			e.Oifs = append(e.Oifs, oifs...)
			if !whole {
				e.Raw = append(e.Raw, a.raw())
			}
		case rtaMfcStats:
			if len(a.data) != sizeofRtaMfcStats {
				a.fail("struct rta_mfc_stats")
				break
			}
			e.Packets = native.Uint64(a.data[0:])
			e.Bytes = native.Uint64(a.data[8:])
			e.WrongIf = native.Uint64(a.data[16:])
		case rtaExpires:
			e.Expires = a.uint32or64()
		case rtaPad:
		default:
			e.Raw = append(e.Raw, a.raw())
		}
	}
	return e, a.err
}

// parseOifs reads the output interfaces of an MFC entry and reports whether
// that was everything: MFCOif has no place for rtnh_flags or nested
// attributes, so when one carries either the caller keeps the whole
// RTA_MULTIPATH raw as well.
func parseOifs(b []byte) (out []snapshots.MFCOif, whole bool, err error) {
	whole = true
	for len(b) > 0 {
		if len(b) < sizeofRtnexthop {
			return nil, false, fmt.Errorf("RTA_MULTIPATH: %d bytes left, want a %d-byte rtnexthop", len(b), sizeofRtnexthop)
		}
		l := int(native.Uint16(b))
		if l < sizeofRtnexthop || l > len(b) {
			return nil, false, fmt.Errorf("RTA_MULTIPATH: rtnh_len %d with %d bytes left", l, len(b))
		}
		if l != sizeofRtnexthop || b[2] != 0 {
			whole = false
		}
		out = append(out, snapshots.MFCOif{Vif: -1, IfIndex: int32(native.Uint32(b[4:])), TTL: b[3]})
		b = b[min(align4(l), len(b)):]
	}
	return out, whole, nil
}
