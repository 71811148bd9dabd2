package routes

import (
	"net/netip"

	"github.com/gaissmai/bart"

	"github.com/netmortem/netmortem/snapshots"
)

// Env gives Compile what it needs to resolve names against one snapshot
// namespace. Every field may be nil: numeric values still work.
type Env struct {
	Ifaces Interfaces // interface names and logical labels (the snapshot's links)
	Tables TableNames // routing table names (the captured rt_tables)
	// Hosts resolves a host name of a dst: or src: filter from the
	// captured hosts file; nil accepts numeric addresses only.
	Hosts func(name string) []netip.Addr
	// Lenient makes unknown interface, table and host names match nothing
	// instead of failing, for diff, where a name may exist on one side
	// only.
	Lenient bool
}

// Engine is a compiled set of -f filters. Filters with the same keyword
// are ORed; keywords are ANDed. Every keyword but flags decides per
// route; flags decides per row (next hop), since rows of one route can
// differ in U and G. An Engine is read-only and safe for concurrent use;
// a nil *Engine matches everything.
type Engine struct {
	filters []Filter
	af      famGroup
	table   tableGroup
	dst     addrGroup
	src     addrGroup
	outif   ifGroup
	inif    ifGroup
	flags   flagGroup
}

// Compile resolves and groups parsed filters. An empty list gives an
// engine that matches everything.
func Compile(fs []Filter, env Env) (*Engine, error) {
	e := &Engine{filters: append([]Filter(nil), fs...)}
	for i := range fs {
		f := &fs[i]
		var err error
		switch f.Key {
		case KeyAF:
			e.af.present = true
			e.af.set[f.Family>>6] |= 1 << (f.Family & 63)
		case KeyTable:
			err = e.table.add(f, env)
		case KeyDst:
			err = e.dst.add(f, env)
		case KeySrc:
			err = e.src.add(f, env)
		case KeyOutIf:
			err = e.outif.add(f, env)
		case KeyInIf:
			err = e.inif.add(f, env)
		case KeyFlags:
			e.flags.present = true
			e.flags.terms = append(e.flags.terms, flagTerm{op: f.Op, set: f.Flags})
		default:
			err = errorf(f.Arg, "unknown filter keyword")
		}
		if err != nil {
			return nil, err
		}
	}
	e.dst.index()
	e.src.index()
	return e, nil
}

// ParseAll parses and compiles the -f values of one command line.
func ParseAll(args []string, env Env) (*Engine, error) {
	fs := make([]Filter, 0, len(args))
	for _, a := range args {
		f, err := Parse(a)
		if err != nil {
			return nil, err
		}
		fs = append(fs, f)
	}
	return Compile(fs, env)
}

// Filters returns the filters the engine was compiled from.
func (e *Engine) Filters() []Filter {
	if e == nil {
		return nil
	}
	return e.filters
}

// Family reports whether the af filters let routes of family af through
// (all families when there is no af filter); a renderer uses it to choose
// which tables to print.
func (e *Engine) Family(af uint8) bool { return e == nil || !e.af.present || e.af.has(af) }

// Tables reports whether a table: filter was given, and if so, the
// predicate Select uses in place of "the main table only".
func (e *Engine) Tables() (func(uint32) bool, bool) {
	if e == nil || !e.table.present {
		return nil, false
	}
	return e.table.match, true
}

// scope returns what selection needs from a possibly nil engine: the
// table predicate of table: filters, and whether rows are filtered by
// flags.
func (e *Engine) scope() (tables func(uint32) bool, flags bool) {
	if e == nil {
		return nil, false
	}
	if e.table.present {
		tables = e.table.match
	}
	return tables, e.flags.present
}

// MatchRoute reports whether some row of r passes the filters. It does
// not apply the -a visibility rule (see Visible).
func (e *Engine) MatchRoute(r *snapshots.Route) bool {
	if e == nil {
		return true
	}
	if !e.matchRoute(r) {
		return false
	}
	if !e.flags.present {
		return true
	}
	rf := routeFlags(r)
	if len(r.NextHops) == 0 {
		return e.flags.match(hopFlags(r, rf, nil))
	}
	for j := range r.NextHops {
		if e.flags.match(hopFlags(r, rf, &r.NextHops[j])) {
			return true
		}
	}
	return false
}

// MatchRow reports whether a row passes the filters.
func (e *Engine) MatchRow(w Row) bool {
	return e == nil || e.matchRoute(w.Route) && (!e.flags.present || e.flags.match(w.Flags))
}

// matchRoute checks every per-route keyword, cheapest first.
func (e *Engine) matchRoute(r *snapshots.Route) bool {
	if e.af.present && !e.af.has(routeFamily(r.Family)) {
		return false
	}
	if e.table.present && !e.table.match(r.Table) {
		return false
	}
	if e.dst.present {
		d := r.Dst
		if !e.dst.match(d, d.IsValid()) {
			return false
		}
	}
	if e.src.present {
		s, ok := routeSource(r)
		if !e.src.match(s, ok) {
			return false
		}
	}
	if e.outif.present && !e.outif.matchOut(r) {
		return false
	}
	if e.inif.present && !e.inif.matchIn(r.IIF) {
		return false
	}
	return true
}

// routeFamily folds the multicast-routing families into inet and inet6.
func routeFamily(f uint8) uint8 {
	switch f {
	case afIPMR:
		return afInet
	case afIP6MR:
		return afInet6
	}
	return f
}

// routeSource is what src: filters compare: the source prefix of a
// source-specific route, else the preferred source as a host prefix.
func routeSource(r *snapshots.Route) (netip.Prefix, bool) {
	if s := r.Src(); s.IsValid() && s.Bits() > 0 {
		return s, true
	}
	if a := r.PrefSrc; a.IsValid() {
		a = a.WithZone("")
		return netip.PrefixFrom(a, a.BitLen()), true
	}
	return netip.Prefix{}, false
}

type famGroup struct {
	present bool
	set     [4]uint64
}

func (g *famGroup) has(f uint8) bool { return g.set[f>>6]&(1<<(f&63)) != 0 }

type tableGroup struct {
	present bool
	all     bool
	ids     []uint32
}

func (g *tableGroup) add(f *Filter, env Env) error {
	g.present = true
	switch f.Kind {
	case KindAll:
		g.all = true
	case KindIndex:
		g.ids = append(g.ids, f.Index)
	case KindName:
		id, ok := uint32(0), false
		if env.Tables != nil {
			id, ok = env.Tables.TableID(f.Name)
		}
		if !ok {
			id, ok = builtinTables[f.Name]
		}
		if !ok {
			if env.Lenient {
				return nil
			}
			return errorf(f.Arg, "unknown routing table %q (not in the captured rt_tables)", f.Name)
		}
		g.ids = append(g.ids, id)
	}
	return nil
}

func (g *tableGroup) match(id uint32) bool {
	if g.all {
		return true
	}
	for _, x := range g.ids {
		if x == id {
			return true
		}
	}
	return false
}

// addrGroup holds the dst: or src: filters. points are filters without
// a mask (the route's prefix must contain one); nets are filters with a
// mask (the route's prefix must lie inside one, with a mask as long or
// longer). Beyond a few terms, bart tables answer both questions.
type addrGroup struct {
	present   bool
	any, none bool
	points    []netip.Addr
	nets      []netip.Prefix
	pointTab  *bart.Lite
	netTab    *bart.Lite
}

// bartMin is the number of terms from which a bart lookup beats a scan.
const bartMin = 8

func (g *addrGroup) add(f *Filter, env Env) error {
	g.present = true
	switch f.Kind {
	case KindAny:
		g.any = true
		return nil
	case KindNone:
		g.none = true
		return nil
	case KindAddr:
		g.addAddr(f.Addr, f.Bits)
		return nil
	}
	var addrs []netip.Addr
	if env.Hosts != nil {
		addrs = env.Hosts(f.Name)
	}
	if len(addrs) == 0 {
		if env.Lenient {
			return nil
		}
		return errorf(f.Arg, "unknown host %q (names come from the captured hosts file only)", f.Name)
	}
	for _, a := range addrs {
		a = a.Unmap().WithZone("")
		if err := checkMask(f, a); err != nil {
			return err
		}
		g.addAddr(a, f.Bits)
	}
	return nil
}

func (g *addrGroup) addAddr(a netip.Addr, bits int) {
	if bits < 0 {
		g.points = append(g.points, a)
		return
	}
	p, _ := a.Prefix(bits)
	g.nets = append(g.nets, p)
}

func (g *addrGroup) index() {
	if len(g.points) >= bartMin {
		g.pointTab = new(bart.Lite)
		for _, a := range g.points {
			g.pointTab.Insert(netip.PrefixFrom(a, a.BitLen()))
		}
	}
	if len(g.nets) >= bartMin {
		g.netTab = new(bart.Lite)
		for _, p := range g.nets {
			g.netTab.Insert(p)
		}
	}
}

// match tests a route's prefix p; ok is false when the route has no such
// address at all (no source).
func (g *addrGroup) match(p netip.Prefix, ok bool) bool {
	if !ok {
		return g.none
	}
	zero := p.Addr().IsUnspecified()
	if zero && g.none || !zero && g.any {
		return true
	}
	if g.pointTab != nil {
		if g.pointTab.OverlapsPrefix(p.Masked()) {
			return true
		}
	} else {
		for _, a := range g.points {
			if p.Contains(a) {
				return true
			}
		}
	}
	if g.netTab != nil {
		return g.netTab.LookupPrefix(p)
	}
	for _, n := range g.nets {
		if p.Bits() >= n.Bits() && n.Contains(p.Addr()) {
			return true
		}
	}
	return false
}

// ifGroup holds outif: or inif: filters.
type ifGroup struct {
	present   bool
	any, none bool
	devs      devSet
	logical   []logical
}

func (g *ifGroup) add(f *Filter, env Env) error {
	g.present = true
	switch f.Kind {
	case KindAny:
		g.any = true
		return nil
	case KindNone:
		g.none = true
		return nil
	case KindIndex:
		g.devs.add(int32(f.Index))
		return nil
	}
	_, isLogical := baseName(f.Name)
	if isLogical && f.Key == KeyInIf {
		return errorf(f.Arg, "an input interface has no logical units; name the device")
	}
	if env.Ifaces == nil {
		if env.Lenient {
			return nil
		}
		return errorf(f.Arg, "interface %q: the snapshot has no interface list; use an ifIndex", f.Name)
	}
	if isLogical {
		if i, addrs, ok := env.Ifaces.Logical(f.Name); ok {
			g.logical = append(g.logical, logical{index: i, addrs: addrs})
			return nil
		}
	} else if i, ok := env.Ifaces.IfIndex(f.Name); ok {
		g.devs.add(i)
		return nil
	}
	if env.Lenient {
		return nil
	}
	return errorf(f.Arg, "no interface %q in the snapshot", f.Name)
}

// matchOut tests every next hop's device.
func (g *ifGroup) matchOut(r *snapshots.Route) bool {
	dev := false
	for i := range r.NextHops {
		oif := r.NextHops[i].OIF
		if oif == 0 {
			continue
		}
		dev = true
		if g.devs.has(oif) {
			return true
		}
		for j := range g.logical {
			if routeOnLogical(r, oif, &g.logical[j]) {
				return true
			}
		}
	}
	if dev {
		return g.any
	}
	return g.none
}

func (g *ifGroup) matchIn(iif int32) bool {
	if iif == 0 {
		return g.none
	}
	return g.any || g.devs.has(iif)
}

// devSet is a set of interface indexes: a bitmap for the usual small
// indexes, a map for the rest.
type devSet struct {
	bits []uint64
	big  map[int32]struct{}
}

const devBitmapMax = 1 << 16

func (s *devSet) add(i int32) {
	if i >= 0 && i < devBitmapMax {
		w := int(i) >> 6
		for len(s.bits) <= w {
			s.bits = append(s.bits, 0)
		}
		s.bits[w] |= 1 << (uint(i) & 63)
		return
	}
	if s.big == nil {
		s.big = map[int32]struct{}{}
	}
	s.big[i] = struct{}{}
}

func (s *devSet) has(i int32) bool {
	if w := int(uint32(i) >> 6); i >= 0 && w < len(s.bits) {
		return s.bits[w]&(1<<(uint(i)&63)) != 0
	}
	if s.big == nil {
		return false
	}
	_, ok := s.big[i]
	return ok
}

type flagTerm struct {
	op  byte
	set Flags
}

type flagGroup struct {
	present bool
	terms   []flagTerm
}

func (g *flagGroup) match(f Flags) bool {
	for _, t := range g.terms {
		switch t.op {
		case '+':
			if f&t.set == t.set {
				return true
			}
		case '-':
			if f&t.set == 0 {
				return true
			}
		default:
			if f == t.set {
				return true
			}
		}
	}
	return false
}
