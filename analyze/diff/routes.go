package diff

import (
	"bytes"
	"net/netip"
	"slices"

	"github.com/netmortem/netmortem/snapshots"
)

// routeKey is a route's identity: what the kernel itself refuses to hold
// twice (table, family, destination, source, metric, type, TOS), and
// whether it is a route-cache exception rather than a route. It holds no
// pointers, so that a million of them in a map cost the collector nothing.
type routeKey struct {
	dst, src         [16]byte
	table, metric    uint32
	dstBits, srcBits int16 // -1 when absent
	family, typ, tos uint8
	cloned           bool
}

func prefixKey(p netip.Prefix) ([16]byte, int16) {
	if !p.IsValid() {
		return [16]byte{}, -1
	}
	return p.Addr().As16(), int16(p.Bits())
}

var routeSpec = spec[snapshots.Route, routeKey]{
	key: func(s *side, r *snapshots.Route) routeKey {
		k := routeKey{table: r.Table, metric: r.Priority, family: r.Family, typ: r.Type, tos: r.TOS, cloned: r.Cloned}
		k.dst, k.dstBits = prefixKey(r.Dst)
		k.src, k.srcBits = prefixKey(r.Src())
		return k
	},
	same: routeSame,
	desc: routeDesc,
	keep: func(s *side, r *snapshots.Route) bool { return s.Routes == nil || s.Routes.MatchRoute(r) },
}

// routeSame compares what routeDesc shows: everything but the key, the
// expiry countdown, the cache statistics and undecoded attributes.
func routeSame(o *side, a *snapshots.Route, n *side, b *snapshots.Route) bool {
	ax, bx := a.Extra(), b.Extra()
	if a.Protocol != b.Protocol || a.Scope != b.Scope || a.Flags != b.Flags || a.PrefSrc != b.PrefSrc ||
		ax.CongCtl != bx.CongCtl || ax.Pref != bx.Pref || ax.Mark != bx.Mark || ax.NHID != bx.NHID ||
		len(a.NextHops) != len(b.NextHops) || !slices.Equal(ax.Metrics, bx.Metrics) {
		return false
	}
	if !sameIf(o, a.IIF, n, b.IIF) {
		return false
	}
	for i := range a.NextHops {
		x, y := &a.NextHops[i], &b.NextHops[i]
		xe, ye := x.Extra(), y.Extra()
		if x.Gateway != y.Gateway || x.Weight != y.Weight || x.Flags != y.Flags || x.Realms != y.Realms ||
			xe.EncapType != ye.EncapType || !bytes.Equal(xe.Encap, ye.Encap) || !sameIf(o, x.OIF, n, y.OIF) {
			return false
		}
	}
	return true
}

// sameIf compares interfaces of the two sides by name.
func sameIf(o *side, i int32, n *side, j int32) bool {
	if i == j && (i == 0 || o.sameIdx) {
		return true
	}
	return o.ifName(i) == n.ifName(j)
}

func routeDesc(s *side, r *snapshots.Route) (key, attrs Fields) {
	k := &key
	k.add("table", s.tableName(r.Table))
	k.bare("family", familyName(r.Family))
	k.bare("type", named(routeTypes, r.Type))
	k.bare("dst", prefixStr(r.Dst))
	x := r.Extra()
	if x.Src.IsValid() {
		k.add("from", x.Src.String())
	}
	if r.TOS != 0 {
		k.add("tos", "0x"+hex8(r.TOS))
	}
	k.add("metric", unum(r.Priority))
	if r.Cloned {
		k.bare("cache", "cache")
	}
	a := &attrs
	hops := make([]string, 0, len(r.NextHops))
	for i := range r.NextHops {
		hops = append(hops, s.hopDesc(r, &r.NextHops[i]))
	}
	a.addSet("nexthops", hops)
	a.add("proto", named(routeProtos, r.Protocol))
	a.add("scope", named(scopes, r.Scope))
	a.add("src", addrStr(r.PrefSrc))
	if r.IIF != 0 {
		a.add("iif", s.ifName(r.IIF))
	}
	for _, m := range x.Metrics {
		a.add(metricName(m.Type), unum(m.Value))
	}
	a.add("congctl", x.CongCtl)
	if r.Flags != 0 {
		a.add("rtm_flags", "0x"+hex32(r.Flags))
	}
	if x.Pref != 0 {
		a.add("pref", named(map[uint8]string{0: "medium", 1: "high", 3: "low"}, x.Pref))
	}
	if x.Mark != 0 {
		a.add("mark", "0x"+hex32(x.Mark))
	}
	if x.NHID != 0 {
		a.add("nhid", unum(x.NHID))
	}
	return key, attrs
}

func (s *side) hopDesc(r *snapshots.Route, h *snapshots.NextHop) string {
	d := ""
	if h.Gateway.IsValid() {
		d = "via " + h.Gateway.String()
	}
	if h.OIF != 0 {
		if d != "" {
			d += " "
		}
		d += "dev " + s.ifName(h.OIF)
	}
	if d == "" {
		d = "-"
	}
	if len(r.NextHops) > 1 || h.Weight > 1 {
		d += " weight " + unum(h.Weight)
	}
	if f := flags(nhFlags, uint32(h.Flags)); f != "" {
		d += " " + f
	}
	if h.Realms != 0 {
		d += " realms " + unum(h.Realms)
	}
	if x := h.Extra(); x.EncapType != 0 {
		d += " encap " + unum(x.EncapType) + " " + hexBytes(x.Encap)
	}
	return d
}

var metricNames = map[uint16]string{1: "lock", 2: "mtu", 3: "window", 4: "rtt", 5: "rttvar",
	6: "ssthresh", 7: "cwnd", 8: "advmss", 9: "reordering", 10: "hoplimit", 11: "initcwnd",
	12: "features", 13: "rto_min", 14: "initrwnd", 15: "quickack", 16: "congctl", 17: "fastopen_no_cookie"}

func metricName(t uint16) string {
	if n, ok := metricNames[t]; ok {
		return n
	}
	return "metric" + unum(t)
}
