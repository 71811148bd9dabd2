package snapshots

import (
	"fmt"
	"net/netip"
	"runtime"
	"sync"

	"github.com/netmortem/netmortem/snapshots/pb"
)

// Codecs of the column-oriented tables: routes, neighbours, inet sockets
// and socket owners.

func encRoutes(rs []Route) *pb.Routes {
	n := len(rs)
	m := &pb.Routes{Rows: uint32(n)}
	// As encInet: the plain columns in one walk, the rest alongside.
	u32 := []*[]uint32{&m.Family, &m.Table, &m.Protocol, &m.Scope, &m.Type, &m.Flags, &m.Tos,
		&m.Priority, &m.NexthopCount, &m.Multipath, &m.Cloned, &m.Pref, &m.Mark, &m.Nhid}
	concurrently(
		func() {
			cols := u32Columns(n, len(u32), func(i int, v []uint32) {
				r := &rs[i]
				v[0], v[1], v[2], v[3] = uint32(r.Family), r.Table, uint32(r.Protocol), uint32(r.Scope)
				v[4], v[5], v[6], v[7] = uint32(r.Type), r.Flags, uint32(r.TOS), r.Priority
				v[8], v[9], v[10] = uint32(len(r.NextHops)), b2u(r.Multipath), b2u(r.Cloned)
				if x := r.X; x != nil {
					v[11], v[12], v[13] = uint32(x.Pref), x.Mark, x.NHID
				} else {
					v[11], v[12], v[13] = 0, 0, 0
				}
			})
			for k, c := range cols {
				*u32[k] = c
			}
		},
		func() {
			// The FIB dumps destinations in trie order: their differences
			// compress to a quarter.
			m.Dst = encPrefixes(n, func(i int) netip.Prefix { return rs[i].Dst })
			if m.Dst != nil {
				deltaAddrs(m.Dst.Addr)
			}
		},
		func() {
			m.Src = encPrefixes(n, func(i int) netip.Prefix { return rs[i].Src() })
			m.Iif = col(n, func(i int) int32 { return rs[i].IIF })
			m.PrefSrc = encAddrs(n, func(i int) netip.Addr { return rs[i].PrefSrc })
		},
		func() {
			var buf []uint32
			m.Metrics = encLists(n, func(i int) []uint32 {
				buf = buf[:0]
				if rs[i].X == nil {
					return nil
				}
				for _, x := range rs[i].X.Metrics {
					buf = append(buf, uint32(x.Type), x.Value)
				}
				return buf
			})
			m.CongCtl = encStrings(n, func(i int) string { return rs[i].Extra().CongCtl })
			m.Expires = col(n, func(i int) uint64 { return rs[i].Extra().Expires })
			m.Cache = encLists(n, func(i int) []uint32 {
				c := rs[i].Extra().Cache
				if c == nil {
					return nil
				}
				return []uint32{c.ClntRef, c.LastUse, c.Expires, c.Error, c.Used, c.ID, c.TS, c.TSAge}
			})
			m.Raw = encRaw(n, func(i int) []RawAttr { return rs[i].Extra().Raw })
		},
		func() { m.Nexthops = encNextHops(rs) },
	)
	return m
}

// encNextHops encodes the next hops of every route, in route order.
func encNextHops(rs []Route) *pb.NextHops {
	k := 0
	for i := range rs {
		k += len(rs[i].NextHops)
	}
	if k == 0 {
		return nil
	}
	nhs := make([]*NextHop, 0, k)
	for i := range rs {
		for j := range rs[i].NextHops {
			nhs = append(nhs, &rs[i].NextHops[j])
		}
	}
	return &pb.NextHops{
		Rows:      uint32(k),
		Gateway:   encAddrs(k, func(i int) netip.Addr { return nhs[i].Gateway }),
		Oif:       col(k, func(i int) int32 { return nhs[i].OIF }),
		Weight:    col(k, func(i int) uint32 { return uint32(nhs[i].Weight) }),
		Flags:     col(k, func(i int) uint32 { return uint32(nhs[i].Flags) }),
		Realms:    col(k, func(i int) uint32 { return nhs[i].Realms }),
		EncapType: col(k, func(i int) uint32 { return uint32(nhs[i].Extra().EncapType) }),
		Encap:     encBytes(k, func(i int) []byte { return nhs[i].Extra().Encap }),
		Raw:       encRaw(k, func(i int) []RawAttr { return nhs[i].Extra().Raw }),
	}
}

func decRoutes(m *pb.Routes) ([]Route, error) { return decRoutesWhere(m, nil) }

// decRoutesWhere decodes the routes keep accepts (all when keep is nil).
// keep sees each route before its rare attributes (X) are decoded — X
// then holds the source prefix only — and its next hops without theirs;
// it must not keep the route it is shown, which is reused.
func decRoutesWhere(m *pb.Routes, keep func(*Route) bool) ([]Route, error) {
	n := int(m.GetRows())
	c := &colCheck{rows: n}
	c.n("family", len(m.Family))
	c.n("table", len(m.Table))
	c.n("protocol", len(m.Protocol))
	c.n("scope", len(m.Scope))
	c.n("type", len(m.Type))
	c.n("flags", len(m.Flags))
	c.n("tos", len(m.Tos))
	rd := routeReaders{m: m}
	rd.dst = *c.prefixes("dst", m.Dst)
	rd.src = *c.prefixes("src", m.Src)
	c.n("iif", len(m.Iif))
	rd.pref = *c.addrs("pref_src", m.PrefSrc)
	c.n("priority", len(m.Priority))
	rd.metrics = *c.lists("metrics", m.Metrics)
	rd.cong = *c.strings("cong_ctl", m.CongCtl)
	c.n("nexthop_count", len(m.NexthopCount))
	c.n("multipath", len(m.Multipath))
	c.n("cloned", len(m.Cloned))
	c.n("pref", len(m.Pref))
	c.n("mark", len(m.Mark))
	c.n("nhid", len(m.Nhid))
	c.n("expires", len(m.Expires))
	rd.cache = *c.lists("cache", m.Cache)
	rd.raw = *c.raws("raw", m.Raw, n)
	total := uint64(0)
	for _, k := range m.NexthopCount {
		total += uint64(k)
	}
	nhm := m.GetNexthops()
	if uint64(nhm.GetRows()) != total {
		c.fail("nexthops: %d rows, nexthop_count adds up to %d", nhm.GetRows(), total)
	}
	hops := c.hops(nhm)
	if c.err != nil {
		return nil, c.err
	}
	for i, k := range rd.cache.count {
		if k != 0 && k != 8 {
			return nil, fmt.Errorf("column cache row %d: %d values, want 0 or 8", i, k)
		}
	}
	for i, k := range rd.metrics.count {
		if k%2 != 0 {
			return nil, fmt.Errorf("column metrics row %d: odd count %d", i, k)
		}
	}
	if keep != nil {
		return rd.where(hops, keep), nil
	}
	nhs := hops.all()
	out := make([]Route, n)
	// Rows are filled by several goroutines on big tables: on a VM, first
	// touching hundreds of megabytes costs more than decoding them, and
	// page faults proceed in parallel.
	parallel(n, func(lo, hi int) {
		rd := rd
		rd.skip(lo)
		off := 0
		for _, k := range at0(m.NexthopCount, lo) {
			off += int(k)
		}
		for i := lo; i < hi; i++ {
			k := int(at(m.NexthopCount, i))
			rd.fill(&out[i], i, nhs[off:off+k:off+k])
			off += k
		}
	})
	return out, nil
}

// routeReaders walks the variable-size columns of a Routes message; a
// copy walks independently.
type routeReaders struct {
	m              *pb.Routes
	dst, src       prefixReader
	pref           addrReader
	metrics, cache listReader
	cong           stringReader
	raw            rawReader
	row            int
}

func (rd *routeReaders) skip(k int) {
	rd.dst.skip(k)
	rd.src.skip(k)
	rd.pref.skip(k)
	rd.metrics.skip(k)
	rd.cong.skip(k)
	rd.cache.skip(k)
	rd.raw.skip(k)
	rd.row += k
}

// fill decodes row i, the readers' current row, into r.
func (rd *routeReaders) fill(r *Route, i int, hops []NextHop) {
	m := rd.m
	rd.head(r, i)
	if len(hops) > 0 {
		r.NextHops = hops
	}
	// The rare attributes: an extra record only for rows having one
	// (built in a value first, which stays on the stack).
	var x RouteExtra
	x.Src = rd.src.next()
	if ms := rd.metrics.next(); len(ms) > 0 {
		x.Metrics = make([]RouteMetric, len(ms)/2)
		for j := range x.Metrics {
			x.Metrics[j] = RouteMetric{Type: uint16(ms[2*j]), Value: ms[2*j+1]}
		}
	}
	x.CongCtl = rd.cong.next()
	x.Pref = uint8(at(m.Pref, i))
	x.Mark = at(m.Mark, i)
	x.NHID = at(m.Nhid, i)
	x.Expires = at(m.Expires, i)
	if v := rd.cache.next(); len(v) == 8 {
		x.Cache = &RouteCacheInfo{ClntRef: v[0], LastUse: v[1], Expires: v[2], Error: v[3], Used: v[4], ID: v[5], TS: v[6], TSAge: v[7]}
	}
	x.Raw = rd.raw.next()
	if x.Src.IsValid() || x.Metrics != nil || x.CongCtl != "" || x.Pref != 0 || x.Mark != 0 ||
		x.NHID != 0 || x.Expires != 0 || x.Cache != nil || x.Raw != nil {
		r.X = new(RouteExtra)
		*r.X = x
	}
	rd.row++
}

// head decodes the fixed columns and the destination and preferred source
// of row i; the readers of those two advance.
func (rd *routeReaders) head(r *Route, i int) {
	m := rd.m
	r.Family = uint8(at(m.Family, i))
	r.Table = at(m.Table, i)
	r.Protocol = uint8(at(m.Protocol, i))
	r.Scope = uint8(at(m.Scope, i))
	r.Type = uint8(at(m.Type, i))
	r.Flags = at(m.Flags, i)
	r.TOS = uint8(at(m.Tos, i))
	r.Dst = rd.dst.next()
	r.IIF = at(m.Iif, i)
	r.PrefSrc = rd.pref.next()
	r.Priority = at(m.Priority, i)
	r.Multipath = at(m.Multipath, i) != 0
	r.Cloned = at(m.Cloned, i) != 0
}

// where decodes the routes keep accepts: a first pass shows keep each
// route with its next hops and source prefix, a second builds the kept
// ones whole.
func (rd routeReaders) where(hops *hopCols, keep func(*Route) bool) []Route {
	m := rd.m
	n := int(m.GetRows())
	var rows []int32
	kept := 0
	probe, ph := rd, *hops
	var scratch Route
	var buf []NextHop
	var src RouteExtra
	for i := 0; i < n; i++ {
		scratch = Route{}
		probe.head(&scratch, i)
		if s := probe.src.next(); s.IsValid() {
			src = RouteExtra{Src: s}
			scratch.X = &src
		}
		k := int(at(m.NexthopCount, i))
		buf = buf[:0]
		for j := 0; j < k; j++ {
			buf = append(buf, NextHop{})
			ph.lite(&buf[j])
		}
		scratch.NextHops = buf
		if keep(&scratch) {
			rows = append(rows, int32(i))
			kept += k
		}
	}
	out := make([]Route, len(rows))
	nhs := make([]NextHop, kept)
	off := 0
	for j, i := range rows {
		// Skip the rows (and their next hops) not kept.
		skipHops := 0
		for r := rd.row; r < int(i); r++ {
			skipHops += int(at(m.NexthopCount, r))
		}
		rd.skip(int(i) - rd.row)
		hops.skip(skipHops)
		k := int(at(m.NexthopCount, int(i)))
		for h := 0; h < k; h++ {
			hops.next(&nhs[off+h])
		}
		rd.fill(&out[j], int(i), nhs[off:off+k:off+k])
		off += k
	}
	return out
}

// at0 returns the first k entries of a column, or nil for an empty one.
func at0(c []uint32, k int) []uint32 {
	if len(c) == 0 {
		return nil
	}
	return c[:k]
}

// parallel runs fill over [0, n) in a few contiguous parts at once when n
// is big enough to pay for it.
func parallel(n int, fill func(lo, hi int)) {
	parts := runtime.GOMAXPROCS(0)
	if parts > 4 {
		parts = 4
	}
	if n < 1<<16 || parts < 2 {
		fill(0, n)
		return
	}
	var wg sync.WaitGroup
	for p := 0; p < parts; p++ {
		lo, hi := n*p/parts, n*(p+1)/parts
		wg.Add(1)
		go func() {
			defer wg.Done()
			fill(lo, hi)
		}()
	}
	wg.Wait()
}

// hopCols walks the columns of a NextHops message; a copy walks
// independently.
type hopCols struct {
	m     *pb.NextHops
	gw    addrReader
	encap bytesReader
	raw   rawReader
	i     int
}

func (c *colCheck) hops(m *pb.NextHops) *hopCols {
	n := int(m.GetRows())
	h := &hopCols{m: m}
	if n == 0 {
		return h
	}
	cc := &colCheck{rows: n}
	h.gw = *cc.addrs("nexthops.gateway", m.Gateway)
	cc.n("nexthops.oif", len(m.Oif))
	cc.n("nexthops.weight", len(m.Weight))
	cc.n("nexthops.flags", len(m.Flags))
	cc.n("nexthops.realms", len(m.Realms))
	cc.n("nexthops.encap_type", len(m.EncapType))
	h.encap = *cc.bytes("nexthops.encap", m.Encap, n)
	h.raw = *cc.raws("nexthops.raw", m.Raw, n)
	if cc.err != nil {
		c.fail("%v", cc.err)
	}
	return h
}

func (h *hopCols) skip(k int) {
	h.gw.skip(k)
	h.encap.skip(k)
	h.raw.skip(k)
	h.i += k
}

// plain decodes the next hop's fields other than its extras.
func (h *hopCols) plain(d *NextHop) {
	m, i := h.m, h.i
	d.Gateway = h.gw.next()
	d.OIF = at(m.Oif, i)
	d.Weight = uint16(at(m.Weight, i))
	d.Flags = uint8(at(m.Flags, i))
	d.Realms = at(m.Realms, i)
}

// lite decodes the next hop without its extras.
func (h *hopCols) lite(d *NextHop) {
	h.plain(d)
	h.encap.skip(1)
	h.raw.skip(1)
	h.i++
}

func (h *hopCols) next(d *NextHop) {
	h.plain(d)
	m, i := h.m, h.i
	x := NextHopExtra{EncapType: uint16(at(m.EncapType, i)), Encap: h.encap.next(), Raw: h.raw.next()}
	if x.EncapType != 0 || x.Encap != nil || x.Raw != nil {
		d.X = new(NextHopExtra)
		*d.X = x
	}
	h.i++
}

// all decodes every next hop.
func (h *hopCols) all() []NextHop {
	n := int(h.m.GetRows())
	if n == 0 {
		return nil
	}
	out := make([]NextHop, n)
	parallel(n, func(lo, hi int) {
		h := *h
		h.skip(lo)
		for i := lo; i < hi; i++ {
			h.next(&out[i])
		}
	})
	return out
}

func encNeighbours(ns []Neighbour) *pb.Neighbours {
	n := len(ns)
	return &pb.Neighbours{
		Rows:         uint32(n),
		Family:       col(n, func(i int) uint32 { return uint32(ns[i].Family) }),
		Index:        col(n, func(i int) int32 { return ns[i].Index }),
		Addr:         encAddrs(n, func(i int) netip.Addr { return ns[i].Addr }),
		Lladdr:       encBytes(n, func(i int) []byte { return ns[i].LLAddr }),
		State:        col(n, func(i int) uint32 { return uint32(ns[i].State) }),
		Flags:        col(n, func(i int) uint32 { return ns[i].Flags }),
		Type:         col(n, func(i int) uint32 { return uint32(ns[i].Type) }),
		Probes:       col(n, func(i int) uint32 { return ns[i].Probes }),
		Vlan:         col(n, func(i int) uint32 { return uint32(ns[i].VLAN) }),
		Master:       col(n, func(i int) int32 { return ns[i].Master }),
		Protocol:     col(n, func(i int) uint32 { return uint32(ns[i].Protocol) }),
		Confirmed:    col(n, func(i int) uint32 { return ns[i].Confirmed }),
		Used:         col(n, func(i int) uint32 { return ns[i].Used }),
		Updated:      col(n, func(i int) uint32 { return ns[i].Updated }),
		Refcnt:       col(n, func(i int) uint32 { return ns[i].RefCnt }),
		HasCacheInfo: col(n, func(i int) uint32 { return b2u(ns[i].HasCacheInfo) }),
		Proxy:        col(n, func(i int) uint32 { return b2u(ns[i].Proxy) }),
		Raw:          encRaw(n, func(i int) []RawAttr { return ns[i].Raw }),
	}
}

func decNeighbours(m *pb.Neighbours) ([]Neighbour, error) {
	n := int(m.GetRows())
	c := &colCheck{rows: n}
	for name, l := range map[string]int{
		"family": len(m.Family), "index": len(m.Index), "state": len(m.State),
		"flags": len(m.Flags), "type": len(m.Type), "probes": len(m.Probes),
		"vlan": len(m.Vlan), "master": len(m.Master), "protocol": len(m.Protocol),
		"confirmed": len(m.Confirmed), "used": len(m.Used), "updated": len(m.Updated),
		"refcnt": len(m.Refcnt), "has_cache_info": len(m.HasCacheInfo), "proxy": len(m.Proxy),
	} {
		c.n(name, l)
	}
	addr := c.addrs("addr", m.Addr)
	ll := c.bytes("lladdr", m.Lladdr, n)
	raw := c.raws("raw", m.Raw, n)
	if c.err != nil {
		return nil, c.err
	}
	out := make([]Neighbour, n)
	for i := range out {
		e := &out[i]
		e.Family = uint8(at(m.Family, i))
		e.Index = at(m.Index, i)
		e.Addr = addr.next()
		e.LLAddr = ll.next()
		e.State = uint16(at(m.State, i))
		e.Flags = at(m.Flags, i)
		e.Type = uint8(at(m.Type, i))
		e.Probes = at(m.Probes, i)
		e.VLAN = uint16(at(m.Vlan, i))
		e.Master = at(m.Master, i)
		e.Protocol = uint8(at(m.Protocol, i))
		e.Confirmed = at(m.Confirmed, i)
		e.Used = at(m.Used, i)
		e.Updated = at(m.Updated, i)
		e.RefCnt = at(m.Refcnt, i)
		e.HasCacheInfo = at(m.HasCacheInfo, i) != 0
		e.Proxy = at(m.Proxy, i) != 0
		e.Raw = raw.next()
	}
	return out, nil
}

func encInet(ss []InetSocket) *pb.InetSockets {
	n := len(ss)
	m := &pb.InetSockets{Rows: uint32(n)}
	// The plain uint32 columns in one walk of the rows (400k sockets are
	// 115 MB of structs: a walk per column was most of the encoding), the
	// others alongside on their own goroutines.
	u32 := []*[]uint32{&m.Proto, &m.RawProto, &m.Family, &m.State, &m.LocalPort, &m.RemotePort,
		&m.Ifindex, &m.Timer, &m.Retrans, &m.Expires, &m.RecvQ, &m.SendQ, &m.Uid, &m.Refcount,
		&m.Probes, &m.Drops, &m.Rto, &m.Ato, &m.QuickAck, &m.Cwnd, &m.Shutdown, &m.Tos, &m.Tclass,
		&m.Mark, &m.V6Only}
	concurrently(
		func() {
			cols := u32Columns(n, len(u32), func(i int, v []uint32) {
				s := &ss[i]
				v[0], v[1], v[2], v[3] = uint32(s.Proto), uint32(s.RawProto), uint32(s.Family), uint32(s.State)
				v[4], v[5], v[6], v[7] = uint32(s.Local.Port()), uint32(s.Remote.Port()), s.IfIndex, uint32(s.Timer)
				v[8], v[9], v[10], v[11] = uint32(s.Retrans), s.Expires, s.RecvQ, s.SendQ
				v[12], v[13], v[14], v[15] = s.UID, s.RefCount, s.Probes, s.Drops
				v[16], v[17], v[18], v[19] = s.RTO, s.ATO, s.QuickAck, s.Cwnd
				v[20], v[21], v[22], v[23], v[24] = uint32(s.Shutdown), uint32(s.TOS), uint32(s.TClass), s.Mark, uint32(s.V6Only)
			})
			for k, c := range cols {
				*u32[k] = c
			}
		},
		func() { m.Local = encAddrs(n, func(i int) netip.Addr { return ss[i].Local.Addr() }) },
		func() { m.Remote = encAddrs(n, func(i int) netip.Addr { return ss[i].Remote.Addr() }) },
		func() {
			m.CookieDelta = encDelta(n, func(i int) uint64 { return ss[i].Cookie })
			m.InodeDelta = encDelta(n, func(i int) uint64 { return ss[i].Inode })
		},
		func() {
			m.Ssthresh = col(n, func(i int) int32 { return ss[i].Ssthresh })
			m.CgroupId = col(n, func(i int) uint64 { return ss[i].CgroupID })
			m.Cong = encStrings(n, func(i int) string { return ss[i].Cong })
		},
		func() {
			m.MemInfo = encLists(n, func(i int) []uint32 { return ss[i].MemInfo })
			m.SkMem = encLists(n, func(i int) []uint32 { return ss[i].SkMem })
		},
		func() { m.Raw = encRaw(n, func(i int) []RawAttr { return ss[i].Raw }) },
	)
	return m
}

func decInet(m *pb.InetSockets) ([]InetSocket, error) {
	n := int(m.GetRows())
	c := &colCheck{rows: n}
	for name, l := range map[string]int{
		"proto": len(m.Proto), "raw_proto": len(m.RawProto), "family": len(m.Family),
		"state": len(m.State), "local_port": len(m.LocalPort), "remote_port": len(m.RemotePort),
		"ifindex": len(m.Ifindex), "timer": len(m.Timer),
		"retrans": len(m.Retrans), "expires": len(m.Expires), "recv_q": len(m.RecvQ),
		"send_q": len(m.SendQ), "uid": len(m.Uid),
		"refcount": len(m.Refcount), "probes": len(m.Probes), "drops": len(m.Drops),
		"rto": len(m.Rto), "ato": len(m.Ato), "quick_ack": len(m.QuickAck),
		"cwnd": len(m.Cwnd), "ssthresh": len(m.Ssthresh), "shutdown": len(m.Shutdown),
		"tos": len(m.Tos), "tclass": len(m.Tclass), "mark": len(m.Mark),
		"cgroup_id": len(m.CgroupId), "v6only": len(m.V6Only),
	} {
		c.n(name, l)
	}
	cookies := c.u64Column("cookie", m.Cookie, m.CookieDelta)
	inodes := c.u64Column("inode", m.Inode, m.InodeDelta)
	local := c.addrs("local", m.Local)
	remote := c.addrs("remote", m.Remote)
	cong := c.strings("cong", m.Cong)
	mem := c.lists("mem_info", m.MemInfo)
	skmem := c.lists("sk_mem", m.SkMem)
	// Format 1.0 files may hold tcp_info whole (field 36); newer writers
	// shuffle it (field 38).
	info := c.bytes("tcp_info", m.TcpInfo, n)
	if m.TcpInfoShuffled != nil {
		if m.TcpInfo != nil {
			c.fail("column tcp_info given twice")
		}
		info = c.shuffled("tcp_info_shuffled", m.TcpInfoShuffled, n)
	}
	raw := c.raws("raw", m.Raw, n)
	if c.err != nil {
		return nil, c.err
	}
	out := make([]InetSocket, n)
	parallel(n, func(lo, hi int) {
		local, remote, cong, mem, skmem, info, raw := *local, *remote, *cong, *mem, *skmem, *info, *raw
		local.skip(lo)
		remote.skip(lo)
		cong.skip(lo)
		mem.skip(lo)
		skmem.skip(lo)
		info.skip(lo)
		raw.skip(lo)
		for i := lo; i < hi; i++ {
			s := &out[i]
			s.Proto = uint16(at(m.Proto, i))
			s.RawProto = uint16(at(m.RawProto, i))
			s.Family = uint8(at(m.Family, i))
			s.State = uint8(at(m.State, i))
			if a := local.next(); a.IsValid() {
				s.Local = netip.AddrPortFrom(a, uint16(at(m.LocalPort, i)))
			}
			if a := remote.next(); a.IsValid() {
				s.Remote = netip.AddrPortFrom(a, uint16(at(m.RemotePort, i)))
			}
			s.IfIndex = at(m.Ifindex, i)
			s.Cookie = at(cookies, i)
			s.Timer = uint8(at(m.Timer, i))
			s.Retrans = uint8(at(m.Retrans, i))
			s.Expires = at(m.Expires, i)
			s.RecvQ = at(m.RecvQ, i)
			s.SendQ = at(m.SendQ, i)
			s.UID = at(m.Uid, i)
			s.Inode = at(inodes, i)
			s.RefCount = at(m.Refcount, i)
			s.Probes = at(m.Probes, i)
			s.Drops = at(m.Drops, i)
			s.RTO = at(m.Rto, i)
			s.ATO = at(m.Ato, i)
			s.QuickAck = at(m.QuickAck, i)
			s.Cwnd = at(m.Cwnd, i)
			s.Ssthresh = at(m.Ssthresh, i)
			s.Shutdown = uint8(at(m.Shutdown, i))
			s.TOS = uint8(at(m.Tos, i))
			s.TClass = uint8(at(m.Tclass, i))
			s.Mark = at(m.Mark, i)
			s.CgroupID = at(m.CgroupId, i)
			s.V6Only = uint8(at(m.V6Only, i))
			s.Cong = cong.next()
			s.MemInfo = mem.next()
			s.SkMem = skmem.next()
			s.TCPInfo = info.next()
			s.Raw = raw.next()
		}
	})
	return out, nil
}

func encOwners(os []SocketOwner) *pb.Owners {
	n := len(os)
	return &pb.Owners{
		Rows: uint32(n),
		// Sorted by inode: differences are small.
		InodeDelta: encDelta(n, func(i int) uint64 { return os[i].Inode }),
		Pid:        col(n, func(i int) int32 { return os[i].Pid }),
		Command:    encStrings(n, func(i int) string { return os[i].Command }),
		Uid:        col(n, func(i int) uint32 { return os[i].UID }),
	}
}

func decOwners(m *pb.Owners) ([]SocketOwner, error) {
	n := int(m.GetRows())
	c := &colCheck{rows: n}
	inodes := c.u64Column("inode", m.Inode, m.InodeDelta)
	c.n("pid", len(m.Pid))
	c.n("uid", len(m.Uid))
	cmd := c.strings("command", m.Command)
	if c.err != nil {
		return nil, c.err
	}
	out := make([]SocketOwner, n)
	for i := range out {
		out[i] = SocketOwner{Inode: at(inodes, i), Pid: at(m.Pid, i), Command: cmd.next(), UID: at(m.Uid, i)}
	}
	return out, nil
}
