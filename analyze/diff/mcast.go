package diff

import (
	"net/netip"
	"strings"

	"github.com/netmortem/netmortem/snapshots"
)

// Memberships are joined by family, interface name, group and source
// filter addresses; the filter mode and the number of users are compared.
// Report timers, the last-reporter mark and the MLD flags are volatile.

type memberKey struct {
	group   netip.Addr
	dev     string
	sources string
	family  uint8
}

func memberDev(s *side, m *snapshots.Membership) string {
	if m.IfName != "" {
		return m.IfName
	}
	return s.ifName(m.IfIndex)
}

func memberSources(m *snapshots.Membership) []string {
	out := make([]string, 0, len(m.Sources))
	for _, src := range m.Sources {
		out = append(out, addrStr(src.Addr))
	}
	return sortStrings(out)
}

var filterModes = map[uint8]string{snapshots.FilterInclude: "include", snapshots.FilterExclude: "exclude"}

var memberSpec = spec[snapshots.Membership, memberKey]{
	key: func(s *side, m *snapshots.Membership) memberKey {
		return memberKey{group: m.Group, dev: memberDev(s, m), sources: strings.Join(memberSources(m), " "), family: m.Family}
	},
	desc: func(s *side, m *snapshots.Membership) (key, attrs Fields) {
		k := &key
		k.bare("family", familyName(m.Family))
		k.bare("group", addrStr(m.Group))
		k.add("dev", memberDev(s, m))
		if len(m.Sources) > 0 {
			k.add("sources", strings.Join(memberSources(m), " "))
		}
		a := &attrs
		if m.Mode != 0 {
			a.add("mode", named(filterModes, m.Mode))
		}
		a.add("users", unum(m.Users))
		return key, attrs
	},
}

// The IGMP interface lines: the querier version is compared (the group
// count follows the memberships).
var mcastIfSpec = spec[snapshots.McastIface, string]{
	key: func(s *side, m *snapshots.McastIface) string {
		if m.IfName != "" {
			return m.IfName
		}
		return s.ifName(m.IfIndex)
	},
	desc: func(s *side, m *snapshots.McastIface) (key, attrs Fields) {
		name := m.IfName
		if name == "" {
			name = s.ifName(m.IfIndex)
		}
		key.bare("dev", name)
		attrs.add("querier", m.Querier)
		return key, attrs
	},
}

type linkGroupKey struct {
	dev  string
	addr string
}

var linkGroupSpec = spec[snapshots.LinkMembership, linkGroupKey]{
	key: func(s *side, m *snapshots.LinkMembership) linkGroupKey {
		return linkGroupKey{dev: linkGroupDev(s, m), addr: string(m.Addr)}
	},
	desc: func(s *side, m *snapshots.LinkMembership) (key, attrs Fields) {
		key.bare("address", hwAddr(m.Addr))
		key.add("dev", linkGroupDev(s, m))
		attrs.add("users", unum(m.Users))
		attrs.add("global", boolStr(m.Global))
		return key, attrs
	},
}

func linkGroupDev(s *side, m *snapshots.LinkMembership) string {
	if m.IfName != "" {
		return m.IfName
	}
	return s.ifName(m.IfIndex)
}

// Multicast routing: vifs are joined by family and vif number, cache
// entries by family, table, source and group. Their packet and byte
// counts are counters; an entry's expiry is volatile.

type vifKey struct {
	index  int32
	family uint8
}

var vifSpec = spec[snapshots.Vif, vifKey]{
	key: func(s *side, v *snapshots.Vif) vifKey { return vifKey{index: v.Index, family: v.Family} },
	desc: func(s *side, v *snapshots.Vif) (key, attrs Fields) {
		key.bare("family", familyName(v.Family))
		key.add("vif", num(v.Index))
		a := &attrs
		a.add("name", v.Name)
		a.add("flags", "0x"+hex32(v.Flags))
		if v.LocalIfIndex != 0 {
			a.add("dev", s.ifName(v.LocalIfIndex))
		} else {
			a.add("local", addrStr(v.Local))
		}
		a.add("remote", addrStr(v.Remote))
		return key, attrs
	},
	pair: func(c *comparer, sec *Section, a, b *snapshots.Vif) {
		name := familyName(b.Family) + " vif " + num(b.Index) + " "
		c.counter(sec, name+"bytes_in", a.BytesIn, b.BytesIn, "", entryWidth)
		c.counter(sec, name+"pkts_in", a.PktsIn, b.PktsIn, "", entryWidth)
		c.counter(sec, name+"bytes_out", a.BytesOut, b.BytesOut, "", entryWidth)
		c.counter(sec, name+"pkts_out", a.PktsOut, b.PktsOut, "", entryWidth)
	},
}

type mfcKey struct {
	source, group netip.Addr
	table         uint32
	family        uint8
}

var mfcSpec = spec[snapshots.MFCEntry, mfcKey]{
	key: func(s *side, m *snapshots.MFCEntry) mfcKey {
		return mfcKey{source: m.Source, group: m.Group, table: m.Table, family: m.Family}
	},
	desc: mfcDesc,
	pair: func(c *comparer, sec *Section, a, b *snapshots.MFCEntry) {
		k, _ := mfcDesc(c.new, b)
		name := k.String() + " "
		c.counter(sec, name+"packets", a.Packets, b.Packets, "", entryWidth)
		c.counter(sec, name+"bytes", a.Bytes, b.Bytes, "", entryWidth)
		c.counter(sec, name+"wrong_if", a.WrongIf, b.WrongIf, "", entryWidth)
	},
}

func mfcDesc(s *side, m *snapshots.MFCEntry) (key, attrs Fields) {
	k := &key
	k.bare("family", familyName(m.Family))
	if m.Table != 0 && m.Table != 253 {
		k.add("table", s.tableName(m.Table))
	}
	k.bare("sg", "("+orAny(m.Source)+", "+orAny(m.Group)+")")
	a := &attrs
	switch {
	case m.IIF != 0:
		a.add("iif", s.ifName(m.IIF))
	case m.IIFVif >= 0:
		a.add("iif", "vif "+num(m.IIFVif))
	}
	oifs := make([]string, 0, len(m.Oifs))
	for _, o := range m.Oifs {
		d := "vif " + num(o.Vif)
		if o.IfIndex != 0 {
			d = s.ifName(o.IfIndex)
		}
		oifs = append(oifs, d+" ttl "+unum(o.TTL))
	}
	a.addSet("oifs", oifs)
	a.add("resolved", boolStr(m.Resolved))
	return key, attrs
}

func orAny(a netip.Addr) string {
	if !a.IsValid() || a.IsUnspecified() {
		return "*"
	}
	return a.String()
}
