package routes

import (
	"net/netip"

	"github.com/netmortem/netmortem/snapshots"
)

// Row is one line of netstat -r: one next hop of one route. A route with
// no next hops (blackhole, unreachable, prohibit, and some local-table
// entries) gives one row with Hop -1. Rows point into the route slice they
// were selected from; the accessors give every datum the -r and -rv
// layouts print.
type Row struct {
	Route *snapshots.Route
	Hop   int32 // index into Route.NextHops, -1 when the route has none
	Flags Flags
}

func (w Row) hop() *snapshots.NextHop {
	if w.Hop < 0 || int(w.Hop) >= len(w.Route.NextHops) {
		return nil
	}
	return &w.Route.NextHops[w.Hop]
}

// Family returns the route's address family (snapshots.AFInet or AFInet6
// for the routing tables; RTNL_FAMILY_IPMR 128 and IP6MR 129 for
// multicast routes when the capture kept them).
func (w Row) Family() uint8 { return w.Route.Family }

// Dst returns the destination prefix; 0.0.0.0/0 or ::/0 for default.
func (w Row) Dst() netip.Prefix { return w.Route.Dst }

// Gateway returns the next hop's gateway, the zero Addr when direct.
func (w Row) Gateway() netip.Addr {
	if h := w.hop(); h != nil {
		return h.Gateway
	}
	return netip.Addr{}
}

// OIF returns the output interface index of the next hop, 0 when none.
func (w Row) OIF() int32 {
	if h := w.hop(); h != nil {
		return h.OIF
	}
	return 0
}

// Weight returns the next hop's weight (1 for single-path routes), 0 when
// there is no next hop.
func (w Row) Weight() uint16 {
	if h := w.hop(); h != nil {
		return h.Weight
	}
	return 0
}

// Table returns the routing table id (RTA_TABLE).
func (w Row) Table() uint32 { return w.Route.Table }

// Metric returns the route's priority (RTA_PRIORITY), what ip calls metric.
func (w Row) Metric() uint32 { return w.Route.Priority }

// MTU returns RTAX_MTU of the route's metrics and whether it is set.
func (w Row) MTU() (uint32, bool) { return w.Route.Metric(snapshots.RTAXMTU) }

// Protocol returns RTPROT_* of the route.
func (w Row) Protocol() uint8 { return w.Route.Protocol }

// Scope returns RT_SCOPE_* of the route.
func (w Row) Scope() uint8 { return w.Route.Scope }

// Type returns RTN_* of the route.
func (w Row) Type() uint8 { return w.Route.Type }

// PrefSrc returns the preferred source address (RTA_PREFSRC), zero when
// absent.
func (w Row) PrefSrc() netip.Addr { return w.Route.PrefSrc }

// IIF returns the input interface index (RTA_IIF), 0 when absent.
func (w Row) IIF() int32 { return w.Route.IIF }

// Src returns the source prefix of a source-specific route (RTA_SRC); the
// zero Prefix when the route has none.
func (w Row) Src() netip.Prefix {
	if s := w.Route.Src(); s.IsValid() && s.Bits() > 0 {
		return s
	}
	return netip.Prefix{}
}

// Cloned reports whether the row is a route-cache exception.
func (w Row) Cloned() bool { return isCloned(w.Route) }

// Ref returns the client reference count of RTA_CACHEINFO, and false when
// the kernel gave none (IPv4 FIB routes never carry it).
func (w Row) Ref() (uint32, bool) {
	if c := w.Route.Extra().Cache; c != nil {
		return c.ClntRef, true
	}
	return 0, false
}

// Use returns the use count of RTA_CACHEINFO, and false when unknown.
func (w Row) Use() (uint32, bool) {
	if c := w.Route.Extra().Cache; c != nil {
		return c.Used, true
	}
	return 0, false
}

// Visible reports whether netstat -r shows route r: without -a (all false)
// only the main table's unicast, blackhole, unreachable and prohibit
// routes, and no exceptions; with -a every route. When tables is non-nil
// (a table: filter was given) it replaces the main-table rule, but the
// route types hidden without -a stay hidden.
func Visible(r *snapshots.Route, all bool, tables func(uint32) bool) bool {
	if all {
		return true
	}
	if isCloned(r) {
		return false
	}
	switch r.Type {
	case rtnUnicast, rtnBlackhole, rtnUnreachable, rtnProhibit:
	default:
		return false
	}
	if tables != nil {
		return tables(r.Table)
	}
	return r.Table == TableMain
}

// Select returns the rows netstat -r shows for routes, in route order,
// next hops in order. all is -a. e holds the -f filters; nil selects
// without filters. The result is allocated once, at its exact size.
func Select(routes []snapshots.Route, all bool, e *Engine) []Row {
	n := Count(routes, all, e)
	if n == 0 {
		return nil
	}
	return AppendRows(make([]Row, 0, n), routes, all, e)
}

// Count returns the number of rows Select returns, without building them.
func Count(routes []snapshots.Route, all bool, e *Engine) int {
	tables, flags := e.scope()
	n := 0
	for i := range routes {
		r := &routes[i]
		if !Visible(r, all, tables) || e != nil && !e.matchRoute(r) {
			continue
		}
		if !flags {
			n += max(len(r.NextHops), 1)
			continue
		}
		rf := routeFlags(r)
		if len(r.NextHops) == 0 && e.flags.match(hopFlags(r, rf, nil)) {
			n++
		}
		for j := range r.NextHops {
			if e.flags.match(hopFlags(r, rf, &r.NextHops[j])) {
				n++
			}
		}
	}
	return n
}

// AppendRows is Select appending to dst, so a caller can reuse a slice.
func AppendRows(dst []Row, routes []snapshots.Route, all bool, e *Engine) []Row {
	tables, flags := e.scope()
	for i := range routes {
		r := &routes[i]
		if !Visible(r, all, tables) || e != nil && !e.matchRoute(r) {
			continue
		}
		rf := routeFlags(r)
		if len(r.NextHops) == 0 {
			if f := hopFlags(r, rf, nil); !flags || e.flags.match(f) {
				dst = append(dst, Row{Route: r, Hop: -1, Flags: f})
			}
			continue
		}
		for j := range r.NextHops {
			if f := hopFlags(r, rf, &r.NextHops[j]); !flags || e.flags.match(f) {
				dst = append(dst, Row{Route: r, Hop: int32(j), Flags: f})
			}
		}
	}
	return dst
}

// Keep returns the test a snapshot load can apply before building routes
// (snapshots.Reader.LoadWhere): the -a visibility rule and every filter.
// It decides on what such a load shows it — everything but the rare
// attributes, which no filter reads — so the routes it keeps are exactly
// those that give rows.
func (e *Engine) Keep(all bool) func(*snapshots.Route) bool {
	tables, _ := e.scope()
	return func(r *snapshots.Route) bool { return Visible(r, all, tables) && e.MatchRoute(r) }
}
