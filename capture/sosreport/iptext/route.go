package iptext

import (
	"bytes"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/netmortem/netmortem/snapshots"
)

// RTN_* route types by iproute2 name.
var routeTypes = map[string]uint8{"unspec": 0, "unicast": 1, "local": 2, "broadcast": 3, "anycast": 4,
	"multicast": 5, "blackhole": 6, "unreachable": 7, "prohibit": 8, "throw": 9, "nat": 10, "xresolve": 11}

// RTAX_* metrics by iproute2 name.
var metricNames = map[string]uint16{"mtu": 2, "window": 3, "rtt": 4, "rttvar": 5, "ssthresh": 6,
	"cwnd": 7, "advmss": 8, "reordering": 9, "hoplimit": 10, "initcwnd": 11, "features": 12,
	"rto_min": 13, "initrwnd": 14, "quickack": 15, "fastopen_no_cookie": 17}

// RTNH_F_* next-hop flags (also in rtm_flags of single-path routes) and
// RTM_F_* route flags by iproute2 name.
var nhFlags = map[string]uint32{"dead": 1, "pervasive": 2, "onlink": 4, "offload": 8, "linkdown": 16,
	"unresolved": 32, "trap": 64}
var rtmFlags = map[string]uint32{"notify": 0x100, "cloned": 0x200, "rt_offload": 0x4000,
	"rt_trap": 0x8000, "rt_offload_failed": 0x20000000}

var prefNames = map[string]uint8{"medium": 0, "high": 1, "low": 3}

const (
	rtaxLock  = 1
	rtmCloned = 0x200
)

// Routes is what `ip route show table all` prints: routes, and, when the
// dump was not restricted to one family, the IPv4/IPv6 multicast
// forwarding entries that iproute2 prints as "multicast … iif …" routes.
type Routes struct {
	Routes []snapshots.Route
	MFC    []snapshots.MFCEntry
}

// ParseRoutes parses `ip [-4|-6] [-d] route show table all` and `ip -d
// route show cache` output. fam is the family the dump was limited to (0
// when it was not): it decides the family of "default" routes; in an
// unrestricted dump an IPv6 default route is told by its gateway or by
// the "pref" word iproute2 prints for every IPv6 route.
//
// Fields follow iproute2's defaults for what it leaves out: Table 254
// (main), Protocol 3 (boot), Scope 0 (universe), Type 1 (unicast). IPv6
// routes get an RTA_CACHEINFO (the kernel always sends one) holding the
// "expires" time in clock ticks, using ticks per second; a cloned route
// (a "cache" line, or a route-cache dump: cloned=true) is marked Cloned.
// Metrics are read back from iproute2's units: rtt and rttvar in ms or s
// (stored ×8 and ×4 as the kernel keeps them), rto_min in ms; "lock"
// sets the RTAX_LOCK bit. Realms, encapsulations and "nhid" are kept as
// far as printed; TOS from "tos".
func ParseRoutes(data []byte, fam uint8, cloned bool, ticks uint32, names *Names) (Routes, Skipped) {
	var sk Skipped
	var out Routes
	if ticks == 0 {
		ticks = 100
	}
	var cur *snapshots.Route
	curMFC := -1
	// About one route per line: size the table once, as full BGP tables
	// are a million rows (growing it costs twice the time). Bounded, so
	// that junk does not reserve much: a route line is over 10 bytes.
	out.Routes = make([]snapshots.Route, 0, min(bytes.Count(data, []byte{'\n'})+1, len(data)/10+1, 1<<20))
	for l := range lines(data, &sk) {
		f := strings.Fields(l.text)
		if l.indented() {
			if cur == nil && curMFC < 0 {
				sk.add(l.n, l.text, "continuation outside a route")
				continue
			}
			if len(f) > 0 && f[0] == "nexthop" {
				nh, flags, ok := parseNextHop(f[1:], names)
				if !ok {
					sk.add(l.n, l.text, "next hop not fully understood")
				}
				if curMFC >= 0 {
					e := &out.MFC[curMFC]
					ttl := uint8(0)
					if nh.Weight > 0 {
						ttl = uint8(nh.Weight - 1)
					}
					e.Oifs = append(e.Oifs, snapshots.MFCOif{Vif: -1, IfIndex: nh.OIF, TTL: ttl})
					continue
				}
				if !cur.Multipath {
					cur.Multipath = true
					cur.NextHops = nil
				}
				nh.Flags = uint8(flags)
				cur.NextHops = append(cur.NextHops, nh)
				continue
			}
			if cur != nil && !parseRouteAttrs(f, cur, fam, ticks, names) {
				sk.add(l.n, l.text, "route attributes not fully understood")
			}
			continue
		}
		cur, curMFC = nil, -1
		r, whole, ok := parseRouteLine(f, fam, ticks, names)
		if !ok {
			sk.add(l.n, l.text, "not a route")
			continue
		}
		if !whole {
			sk.add(l.n, l.text, "route kept, but not every word understood")
		}
		if cloned {
			r.Cloned = true
			r.Flags |= rtmCloned
		}
		if r.Type == 5 && hasWord(f, "iif") {
			out.MFC = append(out.MFC, mfcFromRoute(r))
			curMFC = len(out.MFC) - 1
			continue
		}
		out.Routes = append(out.Routes, r)
		cur = &out.Routes[len(out.Routes)-1]
	}
	return out, sk
}

func hasWord(f []string, w string) bool {
	for _, x := range f {
		if x == w {
			return true
		}
	}
	return false
}

// mfcFromRoute turns a multicast route with an input interface — how
// iproute2 prints an ipmr/ip6mr cache entry — into an MFC entry.
func mfcFromRoute(r snapshots.Route) snapshots.MFCEntry {
	e := snapshots.MFCEntry{Family: r.Family, Table: r.Table, Group: r.Dst.Addr(), IIFVif: -1,
		IIF: r.IIF, Resolved: true}
	if src := r.Src(); src.IsValid() {
		e.Source = src.Addr()
	}
	for _, nh := range r.NextHops {
		ttl := uint8(0)
		if nh.Weight > 0 {
			ttl = uint8(nh.Weight - 1)
		}
		e.Oifs = append(e.Oifs, snapshots.MFCOif{Vif: -1, IfIndex: nh.OIF, TTL: ttl})
	}
	if r.Flags&32 != 0 { // RTNH_F_UNRESOLVED
		e.Resolved = false
	}
	return e
}

// parseRouteLine reads a route's first line; whole is false when some
// words were not understood, ok false when the line is not a route.
func parseRouteLine(f []string, fam uint8, ticks uint32, names *Names) (r snapshots.Route, whole, ok bool) {
	r = snapshots.Route{Table: 254, Protocol: 3, Type: 1}
	if len(f) == 0 {
		return r, false, false
	}
	i := 0
	if t, ok := routeTypes[f[0]]; ok {
		r.Type = t
		i++
	}
	if i >= len(f) {
		return r, false, false
	}
	dst := f[i]
	i++
	if dst == "default" || dst == "all" || dst == "any" {
		r.Family = fam
		if r.Family == 0 {
			r.Family = guessFamily(f[i:])
		}
		if r.Family == snapshots.AFInet6 {
			r.Dst = netip.PrefixFrom(netip.IPv6Unspecified(), 0)
		} else {
			r.Family = snapshots.AFInet
			r.Dst = netip.PrefixFrom(netip.IPv4Unspecified(), 0)
		}
	} else {
		p, pok := parsePrefix(dst)
		if !pok {
			return r, false, false
		}
		r.Dst = p
		r.Family = family(p.Addr())
		if fam != 0 && r.Family != fam {
			return r, false, false
		}
	}
	if r.Family == snapshots.AFInet6 {
		r.Ext().Cache = &snapshots.RouteCacheInfo{}
	}
	whole = parseRouteAttrs(f[i:], &r, fam, ticks, names)
	return r, whole, true
}

// guessFamily decides the family of a "default" route of an unrestricted
// dump from its other words.
func guessFamily(f []string) uint8 {
	for i, w := range f {
		if w == "pref" {
			return snapshots.AFInet6
		}
		if (w == "via" || w == "src" || w == "from") && i+1 < len(f) {
			v := f[i+1]
			if v == "inet6" {
				return snapshots.AFInet6
			}
			if p, ok := parsePrefix(v); ok {
				return family(p.Addr())
			}
		}
	}
	return snapshots.AFInet
}

// parseRouteAttrs reads the words after the destination (or on a
// continuation line).
func parseRouteAttrs(f []string, r *snapshots.Route, fam uint8, ticks uint32, names *Names) bool {
	var nh snapshots.NextHop
	hasNH := len(r.NextHops) == 1 && !r.Multipath
	if hasNH {
		nh = r.NextHops[0]
	}
	ok := true
	for i := 0; i < len(f); i++ {
		w := f[i]
		next, has := "", i+1 < len(f)
		if has {
			next = f[i+1]
		}
		if f, ok := nhFlags[w]; ok {
			r.Flags |= f
			continue
		}
		if f, ok := rtmFlags[w]; ok {
			r.Flags |= f
			if w == "cloned" {
				r.Cloned = true
			}
			continue
		}
		switch w {
		case "cache":
			r.Cloned = true
			r.Flags |= rtmCloned
			continue
		case "linkdown", "proxy", "ttl-propagate":
			continue
		}
		if !has {
			ok = false
			continue
		}
		i++
		switch w {
		case "via":
			if (next == "inet" || next == "inet6") && i+1 < len(f) {
				i++
				next = f[i]
			}
			a, err := netip.ParseAddr(next)
			if err != nil {
				ok = false
				continue
			}
			nh.Gateway, hasNH = a, true
		case "dev", "oif":
			idx, known := names.ifindex(next)
			if !known {
				ok = false
			}
			nh.OIF, hasNH = idx, true
		case "iif":
			idx, known := names.ifindex(next)
			if !known {
				ok = false
			}
			r.IIF = idx
		case "table":
			if t, known := names.table(next); known {
				r.Table = t
			} else {
				ok = false
			}
		case "proto":
			if p, known := names.proto(next); known {
				r.Protocol = p
			} else {
				ok = false
			}
		case "scope":
			if s, known := names.scope(next); known {
				r.Scope = s
			} else {
				ok = false
			}
		case "src":
			a, err := netip.ParseAddr(next)
			if err != nil {
				ok = false
				continue
			}
			r.PrefSrc = a
		case "from":
			p, pok := parsePrefix(next)
			if !pok {
				ok = false
				continue
			}
			r.Ext().Src = p
		case "metric", "preference", "priority":
			r.Priority, _ = u32(next)
		case "tos", "dsfield":
			if v, err := parseNum(next, 255); err == nil {
				r.TOS = uint8(v)
			}
		case "pref":
			if p, known := prefNames[next]; known {
				r.Ext().Pref = p
			} else if v, err := parseNum(next, 255); err == nil {
				r.Ext().Pref = uint8(v)
			}
		case "expires":
			if s, sok := seconds(next); sok {
				if r.Ext().Cache == nil {
					r.Ext().Cache = &snapshots.RouteCacheInfo{}
				}
				r.Ext().Cache.Expires = uint32(min(s*uint64(ticks), 1<<32-1))
			}
		case "nhid":
			r.Ext().NHID, _ = u32(next)
		case "realm", "realms":
			v := next
			if j := strings.IndexByte(v, '/'); j >= 0 {
				v = v[j+1:]
			}
			if re, known := names.realm(v); known {
				nh.Realms = re
			}
		case "weight":
			if v, err := parseNum(next, 256); err == nil {
				nh.Weight = uint16(v)
			}
		case "mark", "fwmark":
			r.Ext().Mark, _ = u32(next)
		case "congctl":
			if next == "lock" && i+1 < len(f) {
				i++
				next = f[i]
			}
			r.Ext().CongCtl = next
		case "error", "users", "age", "used", "ipid", "uid", "encap":
			// Route-cache and encapsulation details without a model field.
		default:
			t, isMetric := metricNames[w]
			if !isMetric {
				i-- // an unknown word standing alone
				ok = false
				continue
			}
			lock := false
			if next == "lock" && i+1 < len(f) {
				lock = true
				i++
				next = f[i]
			}
			v, vok := metricValue(t, next)
			if !vok {
				ok = false
				continue
			}
			r.Ext().Metrics = append(r.Ext().Metrics, snapshots.RouteMetric{Type: t, Value: v})
			if lock {
				setLock(r, t)
			}
		}
	}
	if hasNH && !r.Multipath {
		if nh.Weight == 0 {
			nh.Weight = 1
		}
		nh.Flags = uint8(r.Flags)
		r.NextHops = []snapshots.NextHop{nh}
	}
	return ok
}

func setLock(r *snapshots.Route, t uint16) {
	x := r.Ext()
	for i := range x.Metrics {
		if x.Metrics[i].Type == rtaxLock {
			x.Metrics[i].Value |= 1 << t
			return
		}
	}
	x.Metrics = append([]snapshots.RouteMetric{{Type: rtaxLock, Value: 1 << t}}, x.Metrics...)
}

// metricValue undoes iproute2's display units.
func metricValue(t uint16, s string) (uint32, bool) {
	switch t {
	case 4, 5, 13: // rtt, rttvar, rto_min: "12ms" or "1.5s"
		var ms float64
		switch {
		case strings.HasSuffix(s, "ms"):
			v, err := strconv.ParseFloat(strings.TrimSuffix(s, "ms"), 64)
			if err != nil {
				return 0, false
			}
			ms = v
		case strings.HasSuffix(s, "s"):
			v, err := strconv.ParseFloat(strings.TrimSuffix(s, "s"), 64)
			if err != nil {
				return 0, false
			}
			ms = v * 1000
		default:
			v, ok := u32(s)
			return v, ok
		}
		switch t {
		case 4:
			ms *= 8
		case 5:
			ms *= 4
		}
		if ms < 0 || ms > 1<<32-1 {
			return 0, false
		}
		return uint32(ms), true
	}
	return u32(s)
}

// seconds reads iproute2's "295sec" (or a bare number).
func seconds(s string) (uint64, bool) {
	s = strings.TrimSuffix(s, "sec")
	if d, err := time.ParseDuration(s); err == nil && d >= 0 && strings.ContainsAny(s, "hms") {
		return uint64(d / time.Second), true
	}
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		if v < 0 {
			v = 0
		}
		return uint64(v), true
	}
	return 0, false
}

// parseNextHop reads the words after "nexthop".
func parseNextHop(f []string, names *Names) (snapshots.NextHop, uint32, bool) {
	var r snapshots.Route
	r.Multipath = false
	ok := parseRouteAttrs(f, &r, 0, 100, names)
	if len(r.NextHops) == 0 {
		return snapshots.NextHop{}, 0, false
	}
	return r.NextHops[0], r.Flags, ok
}
