package routes

import (
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/netmortem/netmortem/snapshots"
)

// Interfaces resolves the interface names of a -f filter against the
// snapshot's namespace. LinkNames implements it from the captured links
// and addresses; any index↔name resolver with logical labels will do.
type Interfaces interface {
	// IfIndex returns the index of the interface with that name (or
	// alternative name).
	IfIndex(name string) (int32, bool)
	// Logical returns the device and the addresses of a logical
	// interface such as "eth0:1" (an IPv4 address label).
	Logical(label string) (index int32, addrs []netip.Addr, ok bool)
}

// TableNames resolves routing table names (the captured rt_tables).
type TableNames interface {
	TableID(name string) (uint32, bool)
}

// Built-in table names, used when the resolver does not know a name.
var builtinTables = map[string]uint32{"unspec": 0, "default": 253, "main": 254, "local": 255}

// LinkNames maps interface names, indexes and logical labels of one
// namespace. The zero value knows no interface.
type LinkNames struct {
	byName  map[string]int32
	byIndex map[int32]string
	labels  map[string]logical         // "a0:1" → device and addresses
	addrLbl map[ifAddr]string          // (device, address) → its label
	byDev   map[int32][]snapshots.Addr // IPv4 addresses per device, for labels
}

type logical struct {
	index int32
	addrs []netip.Addr
}

type ifAddr struct {
	index int32
	addr  netip.Addr
}

// NewLinkNames builds the maps from a namespace's links and addresses.
func NewLinkNames(links []snapshots.Link, addrs []snapshots.Addr) *LinkNames {
	n := &LinkNames{
		byName: map[string]int32{}, byIndex: map[int32]string{},
		labels: map[string]logical{}, addrLbl: map[ifAddr]string{},
	}
	for _, l := range links {
		n.byIndex[l.Index] = l.Name
		n.byName[l.Name] = l.Index
		for _, alt := range l.AltNames {
			if _, dup := n.byName[alt]; !dup {
				n.byName[alt] = l.Index
			}
		}
	}
	for _, a := range addrs {
		if a.Family != snapshots.AFInet || a.Label == "" {
			continue
		}
		base, ok := n.byIndex[a.Index]
		if !ok || a.Label == base {
			continue
		}
		ip := a.IP()
		lg := n.labels[a.Label]
		lg.index = a.Index
		lg.addrs = append(lg.addrs, ip)
		n.labels[a.Label] = lg
		n.addrLbl[ifAddr{a.Index, ip}] = a.Label
	}
	for k, lg := range n.labels {
		sort.Slice(lg.addrs, func(i, j int) bool { return lg.addrs[i].Less(lg.addrs[j]) })
		n.labels[k] = lg
	}
	return n
}

// IfIndex implements Interfaces.
func (n *LinkNames) IfIndex(name string) (int32, bool) {
	i, ok := n.byName[name]
	return i, ok
}

// Logical implements Interfaces.
func (n *LinkNames) Logical(label string) (int32, []netip.Addr, bool) {
	lg, ok := n.labels[label]
	return lg.index, lg.addrs, ok
}

// Name returns the name of the interface with that index.
func (n *LinkNames) Name(index int32) (string, bool) {
	s, ok := n.byIndex[index]
	return s, ok
}

// RowName returns the interface a row prints: the device's name, or its
// logical interface ("a0:1") when the route belongs to an address with
// that label — a local route to the address, or a route whose preferred
// source is the address. It is "" when the row has no device, and the
// index in decimal when the device is not among the links.
func (n *LinkNames) RowName(w Row) string {
	oif := w.OIF()
	if oif == 0 {
		return ""
	}
	if lbl := n.label(w.Route, oif); lbl != "" {
		return lbl
	}
	if s, ok := n.byIndex[oif]; ok {
		return s
	}
	return strconv.Itoa(int(oif))
}

// label returns the logical interface of route r on device oif, "" when
// it is the device itself.
func (n *LinkNames) label(r *snapshots.Route, oif int32) string {
	if len(n.addrLbl) == 0 {
		return ""
	}
	if r.Type == rtnLocal && r.Dst.IsValid() && r.Dst.IsSingleIP() {
		if l, ok := n.addrLbl[ifAddr{oif, r.Dst.Addr()}]; ok {
			return l
		}
		return ""
	}
	if r.PrefSrc.IsValid() {
		return n.addrLbl[ifAddr{oif, r.PrefSrc}]
	}
	return ""
}

// routeOnLogical reports whether r belongs to logical interface lg, by
// the rule of RowName.
func routeOnLogical(r *snapshots.Route, oif int32, lg *logical) bool {
	if oif != lg.index {
		return false
	}
	a := r.PrefSrc
	if r.Type == rtnLocal && r.Dst.IsValid() && r.Dst.IsSingleIP() {
		a = r.Dst.Addr()
	}
	if !a.IsValid() {
		return false
	}
	for _, x := range lg.addrs {
		if x == a {
			return true
		}
	}
	return false
}

// baseName returns "eth0" for "eth0:1", and whether name was logical.
func baseName(name string) (string, bool) {
	if i := strings.IndexByte(name, ':'); i > 0 {
		return name[:i], true
	}
	return name, false
}
