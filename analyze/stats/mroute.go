package stats

import (
	"net/netip"

	"github.com/netmortem/netmortem/snapshots"
)

// MrtLine is one line of the multicast routing statistics (-M -s): a
// count and the text saying what it counts, with netstat's plural marks
// "(s)", "(es)" and "(y|ies)".
type MrtLine struct {
	Text  string
	Value Value
	Known bool // false: Linux keeps no such count (placeholder)
	Gauge bool // a current count, not a running total
	From  string
}

// MrtBlock is a titled group of lines.
type MrtBlock struct {
	Title string
	Lines []MrtLine
}

// MrtSample is what -M -s reads from one frame.
type MrtSample struct {
	Vifs []snapshots.Vif
	MFC  []snapshots.MFCEntry
	// Missing is set when the frame has no multicast routing tables
	// (not captured): their lines print placeholders, not zeros.
	Missing bool
}

// Mroute returns the multicast routing statistics: netstat's DVMRP and
// PIM blocks (IPv4), with the lines Linux has a count for filled in and
// the others as placeholders, then what Linux counts for IPv4 and IPv6
// multicast routing, each line naming its source. c holds the counters
// of the pass (differences in an interval pass); prev is the previous
// pass's sample, nil on the first pass. Cache entry and vif counters are
// differenced entry by entry, so an entry that appeared counts from
// zero, one that vanished counts nothing, and one whose counters went
// backwards (deleted and added again) is a reset.
func Mroute(c *Counters, cur MrtSample, prev *MrtSample, inet, inet6 bool) []MrtBlock {
	var out []MrtBlock
	if inet {
		s := sums(cur, prev, snapshots.AFInet)
		cache, vif := "ip_mr_cache", "ip_mr_vif"
		out = append(out,
			MrtBlock{Title: "DVMRP multicast routing:", Lines: []MrtLine{
				s.line("hit(s) - kernel forwarding cache hits", s.pkts, cache+" Pkts"),
				noLine("miss(es) - kernel forwarding cache misses"),
				noLine("packet(s) potentially forwarded"),
				s.line("packet(s) actually sent out", s.vPktsOut, vif+" PktsOut"),
				noLine("upcall(s) - upcalls made to mrouted"),
				noLine("packet(s) not sent out due to lack of resources"),
				noLine("datagram(s) with malformed tunnel options"),
				noLine("datagram(s) with no room for tunnel options"),
				s.line("datagram(s) arrived on wrong interface", s.wrong, cache+" Wrong"),
				noLine("datagram(s) dropped due to upcall Q overflow"),
				noLine("datagram(s) cleaned up by the cache"),
				noLine("datagram(s) dropped selectively by ratelimiter"),
				noLine("datagram(s) dropped - bucket Q overflow"),
				noLine("datagram(s) dropped - larger than bkt size"),
			}},
			MrtBlock{Title: "PIM multicast routing:", Lines: []MrtLine{
				noLine("datagram(s) dropped - bad version number"),
				noLine("datagram(s) dropped - bad checksum"),
				noLine("datagram(s) dropped - bad register packets"),
				noLine("datagram(s) potentially forwarded - register packets"),
				noLine("datagram(s) dropped - register send drops"),
				noLine("datagram(s) dropped - packet malformed"),
				noLine("datagram(s) dropped - no memory to forward"),
			}},
			linuxMrt("Linux IPv4 multicast routing (default table):", s, cache, vif, c,
				Key{"netstat", "IpExt", "InMcastPkts"}, Key{"netstat", "IpExt", "OutMcastPkts"},
				Key{"netstat", "IpExt", "InMcastOctets"}, Key{"netstat", "IpExt", "OutMcastOctets"}),
		)
	}
	if inet6 {
		s := sums(cur, prev, snapshots.AFInet6)
		out = append(out, linuxMrt("Linux IPv6 multicast routing (default table):", s, "ip6_mr_cache", "ip6_mr_vif", c,
			Key{"snmp6", "", "Ip6InMcastPkts"}, Key{"snmp6", "", "Ip6OutMcastPkts"},
			Key{"snmp6", "", "Ip6InMcastOctets"}, Key{"snmp6", "", "Ip6OutMcastOctets"}))
	}
	return out
}

func linuxMrt(title string, s mrtSums, cache, vif string, c *Counters, inP, outP, inB, outB Key) MrtBlock {
	return MrtBlock{Title: title, Lines: []MrtLine{
		s.gauge("resolved cache entr(y|ies)", s.resolved, cache),
		s.gauge("unresolved cache entr(y|ies) (waiting for the routing daemon)", s.unresolved, cache),
		s.line("packet(s) forwarded or dropped by cache entries", s.pkts, cache+" Pkts"),
		s.line("byte(s) forwarded or dropped by cache entries", s.bytes, cache+" Bytes"),
		s.line("packet(s) arrived on the wrong interface", s.wrong, cache+" Wrong"),
		s.gauge("virtual interface(s)", s.vifs, vif),
		s.line("packet(s) received on virtual interfaces", s.vPktsIn, vif+" PktsIn"),
		s.line("byte(s) received on virtual interfaces", s.vBytesIn, vif+" BytesIn"),
		s.line("packet(s) sent on virtual interfaces", s.vPktsOut, vif+" PktsOut"),
		s.line("byte(s) sent on virtual interfaces", s.vBytesOut, vif+" BytesOut"),
		counterLine("multicast packet(s) received", c, inP),
		counterLine("multicast packet(s) sent", c, outP),
		counterLine("multicast byte(s) received", c, inB),
		counterLine("multicast byte(s) sent", c, outB),
	}}
}

func noLine(text string) MrtLine { return MrtLine{Text: text} }

func counterLine(text string, c *Counters, k Key) MrtLine {
	v, ok := c.Get(k)
	if !ok {
		return MrtLine{Text: text}
	}
	return MrtLine{Text: text, Value: v, Known: true, From: k.String()}
}

type mrtSums struct {
	missing                                bool
	resolved, unresolved, vifs             uint64
	pkts, bytes, wrong                     Value
	vPktsIn, vBytesIn, vPktsOut, vBytesOut Value
}

func (s *mrtSums) line(text string, v Value, from string) MrtLine {
	if s.missing {
		return MrtLine{Text: text}
	}
	return MrtLine{Text: text, Value: v, Known: true, From: from}
}

func (s *mrtSums) gauge(text string, v uint64, from string) MrtLine {
	if s.missing {
		return MrtLine{Text: text, Gauge: true}
	}
	return MrtLine{Text: text, Value: Value{V: v}, Known: true, Gauge: true, From: from}
}

type mfcKey struct {
	table         uint32
	source, group netip.Addr
}

type vifKey struct {
	index int32
	name  string
}

// sums adds up the entry and vif counters of one family, entry by entry
// against prev when there is one.
func sums(cur MrtSample, prev *MrtSample, fam uint8) mrtSums {
	s := mrtSums{missing: cur.Missing}
	if prev != nil && prev.Missing {
		prev = nil
	}
	var pm map[mfcKey]*snapshots.MFCEntry
	var pv map[vifKey]*snapshots.Vif
	if prev != nil {
		pm = map[mfcKey]*snapshots.MFCEntry{}
		for i := range prev.MFC {
			e := &prev.MFC[i]
			if e.Family == fam {
				pm[mfcKey{e.Table, e.Source, e.Group}] = e
			}
		}
		pv = map[vifKey]*snapshots.Vif{}
		for i := range prev.Vifs {
			v := &prev.Vifs[i]
			if v.Family == fam {
				pv[vifKey{v.Index, v.Name}] = v
			}
		}
	}
	for i := range cur.MFC {
		e := &cur.MFC[i]
		if e.Family != fam {
			continue
		}
		if e.Resolved {
			s.resolved++
		} else {
			s.unresolved++
		}
		var p *snapshots.MFCEntry
		if pm != nil {
			p = pm[mfcKey{e.Table, e.Source, e.Group}]
		}
		// An entry whose packet count went backwards was deleted and
		// added again: all its counters count from the new entry.
		again := p != nil && e.Packets < p.Packets
		add(&s.pkts, e.Packets, prevOf(p, again, func(x *snapshots.MFCEntry) uint64 { return x.Packets }))
		add(&s.bytes, e.Bytes, prevOf(p, again, func(x *snapshots.MFCEntry) uint64 { return x.Bytes }))
		add(&s.wrong, e.WrongIf, prevOf(p, again, func(x *snapshots.MFCEntry) uint64 { return x.WrongIf }))
		if again {
			s.pkts.Reset, s.bytes.Reset, s.wrong.Reset = true, true, true
		}
	}
	for i := range cur.Vifs {
		v := &cur.Vifs[i]
		if v.Family != fam {
			continue
		}
		s.vifs++
		var p *snapshots.Vif
		if pv != nil {
			p = pv[vifKey{v.Index, v.Name}]
		}
		again := p != nil && (v.PktsIn < p.PktsIn || v.PktsOut < p.PktsOut)
		get := func(f func(*snapshots.Vif) uint64) *uint64 {
			if p == nil || again {
				return nil
			}
			x := f(p)
			return &x
		}
		add(&s.vPktsIn, v.PktsIn, get(func(x *snapshots.Vif) uint64 { return x.PktsIn }))
		add(&s.vBytesIn, v.BytesIn, get(func(x *snapshots.Vif) uint64 { return x.BytesIn }))
		add(&s.vPktsOut, v.PktsOut, get(func(x *snapshots.Vif) uint64 { return x.PktsOut }))
		add(&s.vBytesOut, v.BytesOut, get(func(x *snapshots.Vif) uint64 { return x.BytesOut }))
		if again {
			for _, x := range []*Value{&s.vPktsIn, &s.vBytesIn, &s.vPktsOut, &s.vBytesOut} {
				x.Reset = true
			}
		}
	}
	return s
}

func prevOf(p *snapshots.MFCEntry, again bool, f func(*snapshots.MFCEntry) uint64) *uint64 {
	if p == nil || again {
		return nil
	}
	x := f(p)
	return &x
}

// add adds cur − prev to a sum; without prev (first pass, new entry) the
// whole value. A value below prev is a reset: cur is added and marked.
func add(sum *Value, cur uint64, prev *uint64) {
	switch {
	case prev == nil:
		sum.V += cur
	case cur >= *prev:
		sum.V += cur - *prev
	default:
		sum.V += cur
		sum.Reset = true
	}
}
