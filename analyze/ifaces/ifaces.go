// Package ifaces selects the rows of netstat -i and -I (form 6) from a
// snapshot's links and addresses, and computes the interval traffic lines.
//
// Solaris walks the IP address table: an interface appears in the IPv4
// (IPv6) table when it has an IPv4 (IPv6) address, once as a physical line
// carrying the link's counters, and with -a once more per address as a
// logical line. On Linux:
//
//   - the physical line is the link (name, MTU, counters from
//     rtnl_link_stats64) with its first address of the family;
//   - a logical line is an address: for IPv4 it is named by the address
//     label ("eth0" for the primary, "eth0:1" for a labelled secondary);
//     IPv6 addresses have no labels and keep the link's name;
//   - a link with no address of either family (not "plumbed" in Solaris
//     terms) still gets a physical line in the IPv4 table, with no address,
//     so that every interface of the snapshot is shown.
package ifaces

import (
	"fmt"
	"strings"

	"github.com/netmortem/netmortem/snapshots"
)

// Line is one line of the -i table.
type Line struct {
	Link *snapshots.Link
	// Addr is the address the line shows; nil on the physical line of a
	// link without addresses.
	Addr *snapshots.Addr
	// Name is the link's name on a physical line, the logical name on a
	// logical one.
	Name    string
	Logical bool
}

// Counters are the five counters of netstat -i.
type Counters struct {
	Ipkts, Ierrs, Opkts, Oerrs, Collis uint64
	Valid                              bool // the capture had the link's counters
}

// CountersOf maps a link's statistics: packets and errors received and
// sent, and collisions.
func CountersOf(l *snapshots.Link) Counters {
	s := &l.Stats
	return Counters{Ipkts: s.RxPackets, Ierrs: s.RxErrors, Opkts: s.TxPackets, Oerrs: s.TxErrors,
		Collis: s.Collisions, Valid: s.Valid}
}

// Sub returns c − p counter by counter.
func (c Counters) Sub(p Counters) Counters {
	return Counters{Ipkts: c.Ipkts - p.Ipkts, Ierrs: c.Ierrs - p.Ierrs, Opkts: c.Opkts - p.Opkts,
		Oerrs: c.Oerrs - p.Oerrs, Collis: c.Collis - p.Collis, Valid: c.Valid && p.Valid}
}

// Add returns c + o.
func (c Counters) Add(o Counters) Counters {
	return Counters{Ipkts: c.Ipkts + o.Ipkts, Ierrs: c.Ierrs + o.Ierrs, Opkts: c.Opkts + o.Opkts,
		Oerrs: c.Oerrs + o.Oerrs, Collis: c.Collis + o.Collis, Valid: c.Valid || o.Valid}
}

// below reports whether some counter of c is smaller than p's: the device
// was reset or recreated between the two samples.
func (c Counters) below(p Counters) bool {
	return c.Ipkts < p.Ipkts || c.Ierrs < p.Ierrs || c.Opkts < p.Opkts || c.Oerrs < p.Oerrs || c.Collis < p.Collis
}

// Table is a namespace's links and addresses, indexed for the -i walk.
type Table struct {
	links  []snapshots.Link
	byLink map[int32][]*snapshots.Addr // per family-independent link index, in address order
}

// New indexes links and addrs.
func New(links []snapshots.Link, addrs []snapshots.Addr) *Table {
	t := &Table{links: links, byLink: make(map[int32][]*snapshots.Addr, len(links))}
	for i := range addrs {
		a := &addrs[i]
		t.byLink[a.Index] = append(t.byLink[a.Index], a)
	}
	return t
}

// addrs returns link l's addresses of family af.
func (t *Table) addrs(l *snapshots.Link, af uint8) []*snapshots.Addr {
	var out []*snapshots.Addr
	for _, a := range t.byLink[l.Index] {
		if a.Family == af {
			out = append(out, a)
		}
	}
	return out
}

// unplumbed reports whether l has no IPv4 and no IPv6 address.
func (t *Table) unplumbed(l *snapshots.Link) bool {
	for _, a := range t.byLink[l.Index] {
		if a.Family == snapshots.AFInet || a.Family == snapshots.AFInet6 {
			return false
		}
	}
	return true
}

// Members returns the links of family af's table in link order: those with
// an address of af, and for IPv4 also those with no address at all.
func (t *Table) Members(af uint8) []*snapshots.Link {
	var out []*snapshots.Link
	for i := range t.links {
		l := &t.links[i]
		if len(t.addrs(l, af)) > 0 || (af == snapshots.AFInet && t.unplumbed(l)) {
			out = append(out, l)
		}
	}
	return out
}

// LogicalName is the name of an address's logical line: the IPv4 label
// when it names this link or one of its logical interfaces, else the
// link's name.
func LogicalName(l *snapshots.Link, a *snapshots.Addr) string {
	if a.Family == snapshots.AFInet && a.Label != "" &&
		(a.Label == l.Name || strings.HasPrefix(a.Label, l.Name+":")) {
		return a.Label
	}
	return l.Name
}

// matches reports whether -I only selects line name of link l: the
// physical name (or an alternative name) or the full logical name.
func matches(only string, l *snapshots.Link, logical string) bool {
	if only == "" || only == l.Name || only == logical {
		return true
	}
	for _, n := range l.AltNames {
		if n == only {
			return true
		}
	}
	return false
}

// Lines returns the lines of family af's -i table. all (-a) adds a
// logical line per address after the link's physical line. only (-I)
// keeps the link or logical interface of that name; a logical name keeps
// that address's lines, the physical line included.
func (t *Table) Lines(af uint8, all bool, only string) []Line {
	var out []Line
	for _, l := range t.Members(af) {
		as := t.addrs(l, af)
		var keep []*snapshots.Addr
		for _, a := range as {
			if matches(only, l, LogicalName(l, a)) {
				keep = append(keep, a)
			}
		}
		if len(as) == 0 && matches(only, l, l.Name) {
			out = append(out, Line{Link: l, Name: l.Name})
			continue
		}
		if len(keep) == 0 {
			continue
		}
		out = append(out, Line{Link: l, Addr: keep[0], Name: l.Name})
		if all {
			for _, a := range keep {
				out = append(out, Line{Link: l, Addr: a, Name: LogicalName(l, a), Logical: true})
			}
		}
	}
	return out
}

// Has reports whether an -I name names a link or a logical interface.
func (t *Table) Has(name string) bool {
	for i := range t.links {
		l := &t.links[i]
		if matches(name, l, l.Name) {
			return true
		}
		for _, a := range t.byLink[l.Index] {
			if LogicalName(l, a) == name {
				return true
			}
		}
	}
	return false
}

// ErrNoSuchInterface is netstat's message for an -I name the snapshot
// does not have.
func ErrNoSuchInterface(name string) error {
	return fmt.Errorf("-I: %s no such interface", name)
}

// Chosen returns the link the interval layout follows: the one -I names
// (by physical, alternative or logical name), else the first member of
// af's table that is not a loopback device, else the first member.
func (t *Table) Chosen(af uint8, only string) (*snapshots.Link, error) {
	ms := t.Members(af)
	if only != "" {
		for i := range t.links {
			l := &t.links[i]
			if matches(only, l, l.Name) {
				return l, nil
			}
			for _, a := range t.byLink[l.Index] {
				if LogicalName(l, a) == only {
					return l, nil
				}
			}
		}
		return nil, ErrNoSuchInterface(only)
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("no compatible interfaces")
	}
	for _, l := range ms {
		if l.Flags&iffLoopback == 0 {
			return l, nil
		}
	}
	return ms[0], nil
}

const iffLoopback = 0x8

// Traffic is one line of the interval layout: the chosen interface's
// counters and the total over the table's interfaces.
type Traffic struct {
	If, Total Counters
}

// Sample returns the first line of an interval replay: counters since the
// devices were created (Linux's "since boot"), the total summed over
// members.
func Sample(chosen *snapshots.Link, members []*snapshots.Link) Traffic {
	var tr Traffic
	if chosen != nil {
		tr.If = CountersOf(chosen)
	}
	for _, l := range members {
		tr.Total = tr.Total.Add(CountersOf(l))
	}
	return tr
}

// Delta returns a later line of an interval replay: what changed between
// the previous sample (prev, prevMembers) and this one. Links are matched
// by name and index. The chosen interface counts from zero when it is new
// or its counters went back (the device was recreated); in the total such
// interfaces are left out of this interval, as are vanished ones (as
// netstat does for interfaces that come and go).
func Delta(chosen, prev *snapshots.Link, members, prevMembers []*snapshots.Link) Traffic {
	var tr Traffic
	if chosen != nil {
		c := CountersOf(chosen)
		if same(chosen, prev) && !c.below(CountersOf(prev)) {
			tr.If = c.Sub(CountersOf(prev))
		} else {
			tr.If = c
		}
	}
	old := make(map[string]*snapshots.Link, len(prevMembers))
	for _, l := range prevMembers {
		old[l.Name] = l
	}
	tr.Total.Valid = true
	for _, l := range members {
		p := old[l.Name]
		if !same(l, p) {
			continue
		}
		c, pc := CountersOf(l), CountersOf(p)
		if c.below(pc) {
			continue
		}
		d := c.Sub(pc)
		tr.Total = Counters{Ipkts: tr.Total.Ipkts + d.Ipkts, Ierrs: tr.Total.Ierrs + d.Ierrs,
			Opkts: tr.Total.Opkts + d.Opkts, Oerrs: tr.Total.Oerrs + d.Oerrs,
			Collis: tr.Total.Collis + d.Collis, Valid: tr.Total.Valid && d.Valid}
	}
	return tr
}

func same(a, b *snapshots.Link) bool {
	return a != nil && b != nil && a.Name == b.Name && a.Index == b.Index
}

// Find returns the link called name in links, nil when absent.
func Find(links []snapshots.Link, name string) *snapshots.Link {
	for i := range links {
		if links[i].Name == name {
			return &links[i]
		}
	}
	return nil
}
