package stats

import (
	"sort"
	"strings"
	"sync"

	"github.com/netmortem/netmortem/analyze/netstat"
	"github.com/netmortem/netmortem/snapshots"
)

// Item is one printed variable.
type Item struct {
	Name  string
	Value Value
	// Known is false when Linux keeps no such count: the placeholder is
	// printed, never a number.
	Known bool
	Gauge bool
	From  string // where the value came from: "snmp Tcp ActiveOpens", "sysctl net.ipv4.ipfrag_time"
}

// Section is one printed section.
type Section struct {
	Title string
	// Linux marks a section of Linux counters under their own names
	// (everything no Solaris variable carries).
	Linux bool
	// OwnLine puts the title on a line of its own (the -s -a
	// "IPv6 for <if>" titles, and titles too long for the margin).
	OwnLine bool
	Lines   bool   // IGMP layout
	IfName  string // per-interface section
	Blocks  [][]Item
}

// Options select what Build returns.
type Options struct {
	Inet, Inet6  bool             // -f selection
	Proto        netstat.Protocol // -P
	PerInterface bool             // -a: per-interface IPv6/ICMPv6 from dev_snmp6
}

// Margin is how long a title may be and still sit in the left margin
// before the first variable's TAB; longer titles get their own line.
const Margin = 7

var consumed = sync.OnceValue(func() map[Key]bool {
	m := map[Key]bool{}
	for _, s := range Sections() {
		for _, b := range s.Blocks {
			for _, v := range b {
				for _, r := range v.From {
					m[r.Key] = true
				}
			}
		}
	}
	return m
})

// Consumed reports whether a Linux counter is shown as a Solaris
// variable. Flat-file refs have no group; k's group is ignored for them.
func Consumed(k Key) bool {
	c := consumed()
	return c[k] || c[Key{k.Source, "", k.Name}]
}

// Build returns the -s sections: the nine Solaris sections in order
// (with per-interface IPv6 and ICMPv6 blocks before their totals under
// -a), then a section per group of Linux counters that no Solaris
// variable carries.
func Build(c *Counters, sys Sysctls, o Options) []Section {
	var out []Section
	ifaces := perIfSources(c)
	secs := Sections()
	for i := range secs {
		d := &secs[i]
		if !sectionSelected(d.Proto, d.Family, o) {
			continue
		}
		if d.PerIf && o.PerInterface {
			for _, f := range ifaces {
				s := build(d, c, sys, o, f)
				s.Title = d.Title + " for " + f.name
				s.OwnLine = true
				s.IfName = f.name
				out = append(out, s)
			}
		}
		out = append(out, build(d, c, sys, o, perIf{}))
	}
	return append(out, linuxSections(c, o)...)
}

type perIf struct {
	source, name string
}

// perIfSources lists the dev_snmp6 sources whose ifIndex is not 0, in
// interface-index order.
func perIfSources(c *Counters) []perIf {
	type ent struct {
		perIf
		idx uint64
	}
	var es []ent
	seen := map[string]bool{}
	for _, s := range c.Sets {
		name, ok := strings.CutPrefix(s.Source, "dev_snmp6/")
		if !ok || seen[s.Source] {
			continue
		}
		seen[s.Source] = true
		ix, ok := c.Get(Key{s.Source, "", "ifIndex"})
		if ok && ix.V == 0 {
			continue
		}
		es = append(es, ent{perIf{s.Source, name}, ix.V})
	}
	sort.SliceStable(es, func(i, j int) bool { return es[i].idx < es[j].idx })
	out := make([]perIf, len(es))
	for i, e := range es {
		out[i] = e.perIf
	}
	return out
}

func sectionSelected(p netstat.Protocol, fam uint8, o Options) bool {
	if o.Proto != netstat.ProtoAll && o.Proto != p {
		return false
	}
	switch fam {
	case snapshots.AFInet:
		return o.Inet
	case snapshots.AFInet6:
		return o.Inet6
	}
	return o.Inet || o.Inet6
}

func build(d *SectionDef, c *Counters, sys Sysctls, o Options, f perIf) Section {
	s := Section{Title: d.Title, Lines: d.Lines}
	for _, b := range d.Blocks {
		items := make([]Item, len(b))
		for i := range b {
			items[i] = item(&b[i], c, sys, o, f)
		}
		s.Blocks = append(s.Blocks, items)
	}
	return s
}

func item(v *Var, c *Counters, sys Sysctls, o Options, f perIf) Item {
	it := Item{Name: v.Name, Gauge: v.Gauge}
	if v.Sysctl != "" {
		ifs := v.IfAll
		if f.name != "" {
			ifs = []string{f.name}
		} else if len(ifs) == 0 {
			ifs = []string{""}
		}
		for _, ifn := range ifs {
			name := strings.ReplaceAll(v.Sysctl, "{if}", ifn)
			n, ok := sys.Int(name)
			if !ok {
				continue
			}
			if v.MIBBool {
				if n != 0 {
					n = 1
				} else {
					n = 2
				}
			}
			it.Known, it.From = true, "sysctl "+name
			it.Value = Value{V: uint64(n), Signed: n < 0}
			break
		}
		return it
	}
	var from []string
	for _, r := range v.From {
		if r.Family == snapshots.AFInet && !o.Inet || r.Family == snapshots.AFInet6 && !o.Inet6 {
			continue
		}
		k := r.Key
		if f.source != "" {
			if !r.PerIf {
				continue
			}
			k.Source = f.source
		}
		x, ok := c.Get(k)
		if !ok {
			continue
		}
		if !it.Known {
			it.Value = x
		} else {
			it.Value.V += x.V
			it.Value.Reset = it.Value.Reset || x.Reset
		}
		it.Known = true
		from = append(from, k.String())
	}
	it.From = strings.Join(from, " + ")
	return it
}

// linuxSection says which -P protocol and family a group of Linux
// counters belongs to, for -P and -f.
func linuxSection(source, group string) (netstat.Protocol, uint8, bool) {
	v4, v6 := uint8(snapshots.AFInet), uint8(snapshots.AFInet6)
	switch source {
	case "snmp", "netstat":
		switch group {
		case "Ip", "IpExt":
			return netstat.ProtoIP, v4, true
		case "Icmp", "IcmpMsg":
			return netstat.ProtoICMP, v4, true
		case "Tcp", "TcpExt", "MPTcpExt":
			return netstat.ProtoTCP, 0, true
		case "Udp", "UdpLite":
			return netstat.ProtoUDP, v4, true
		}
	case "snmp6":
		switch group {
		case "Ip6":
			return netstat.ProtoIPv6, v6, true
		case "Icmp6":
			return netstat.ProtoICMPv6, v6, true
		case "Udp6", "UdpLite6":
			return netstat.ProtoUDP, v6, true
		}
	case "sctp/snmp":
		return netstat.ProtoSCTP, 0, true
	case "sockstat":
		switch group {
		case "TCP":
			return netstat.ProtoTCP, v4, true
		case "UDP", "UDPLITE":
			return netstat.ProtoUDP, v4, true
		case "RAW":
			return netstat.ProtoRaw, v4, true
		case "FRAG":
			return netstat.ProtoIP, v4, true
		}
	case "sockstat6":
		switch group {
		case "TCP6":
			return netstat.ProtoTCP, v6, true
		case "UDP6", "UDPLITE6":
			return netstat.ProtoUDP, v6, true
		case "RAW6":
			return netstat.ProtoRaw, v6, true
		case "FRAG6":
			return netstat.ProtoIPv6, v6, true
		}
	}
	if strings.HasPrefix(source, "dev_snmp6/") {
		if group == "Icmp6" {
			return netstat.ProtoICMPv6, v6, true
		}
		return netstat.ProtoIPv6, v6, true
	}
	// Anything else (sockstat's "sockets" line, a source a newer
	// capture adds) prints only when -P does not narrow the display.
	return netstat.ProtoAll, 0, false
}

// linuxSections returns, group by group in capture order, the counters
// no Solaris variable shows. Per-interface dev_snmp6 groups come only
// with -a, titled "<group> for <if>".
func linuxSections(c *Counters, o Options) []Section {
	var out []Section
	at := map[string]int{}
	for _, set := range c.Sets {
		ifn, perIf := strings.CutPrefix(set.Source, "dev_snmp6/")
		if perIf && !o.PerInterface {
			continue
		}
		p, fam, known := linuxSection(set.Source, set.Group)
		if !known && o.Proto != netstat.ProtoAll {
			continue
		}
		if known && !sectionSelected(p, fam, o) {
			continue
		}
		var items []Item
		for _, x := range set.Counters {
			k := Key{set.Source, set.Group, x.Name}
			if Consumed(k) || perIf && (perIfNames()[x.Name] || x.Name == "ifIndex") {
				continue
			}
			v, _ := c.Get(k)
			items = append(items, Item{Name: x.Name, Value: v, Known: true, Gauge: Gauge(k), From: k.String()})
		}
		if len(items) == 0 {
			continue
		}
		title := linuxTitle(set.Source, set.Group)
		if perIf {
			title = set.Group + " for " + ifn
		}
		// Sets of one group split in the file (consecutive runs) join.
		if i, ok := at[title]; ok {
			out[i].Blocks[0] = append(out[i].Blocks[0], items...)
			continue
		}
		at[title] = len(out)
		s := Section{Title: title, Linux: true, OwnLine: perIf || len(title) > Margin, Blocks: [][]Item{items}}
		if perIf {
			s.IfName = ifn
		}
		out = append(out, s)
	}
	return out
}

// perIfNames holds the snmp6 counter names Solaris variables read per
// interface (so the per-interface Linux sections leave them out).
var perIfNames = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, s := range Sections() {
		for _, b := range s.Blocks {
			for _, v := range b {
				for _, r := range v.From {
					if r.PerIf {
						m[r.Name] = true
					}
				}
			}
		}
	}
	return m
})

func linuxTitle(source, group string) string {
	switch source {
	case "snmp", "netstat", "snmp6", "sctp/snmp":
		if group != "" {
			return group
		}
	}
	if group == "" {
		return source
	}
	return source + " " + group
}
