package iptext

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/netmortem/netmortem/snapshots"
)

// Maddr is what `ip maddr show` prints.
type Maddr struct {
	Groups     []snapshots.Membership
	LinkGroups []snapshots.LinkMembership
}

// ParseMaddr parses `ip maddr show`: per interface the link-layer, IPv4
// and IPv6 multicast addresses with their user counts ("users N", 1 when
// not printed). Timers, reporters and source filters are only in /proc.
func ParseMaddr(data []byte) (Maddr, Skipped) {
	var sk Skipped
	var out Maddr
	var idx int32
	name := ""
	for l := range lines(data, &sk) {
		f := strings.Fields(l.text)
		if !l.indented() {
			if len(f) != 2 || !strings.HasSuffix(f[0], ":") {
				sk.add(l.n, l.text, "not an interface line")
				name = ""
				continue
			}
			v, err := strconv.ParseInt(strings.TrimSuffix(f[0], ":"), 10, 32)
			if err != nil || v <= 0 {
				sk.add(l.n, l.text, "bad interface index")
				name = ""
				continue
			}
			idx, name = int32(v), f[1]
			continue
		}
		if name == "" || len(f) < 2 {
			sk.add(l.n, l.text, "address outside an interface")
			continue
		}
		users := uint32(1)
		static := false
		for i := 2; i < len(f); i++ {
			switch {
			case f[i] == "users" && i+1 < len(f):
				users, _ = u32(f[i+1])
				i++
			case f[i] == "static":
				static = true
			}
		}
		switch f[0] {
		case "link":
			mac, ok := parseMAC(f[1])
			if !ok {
				sk.add(l.n, l.text, "bad link-layer address")
				continue
			}
			out.LinkGroups = append(out.LinkGroups, snapshots.LinkMembership{IfIndex: idx, IfName: name,
				Users: users, Global: static, Addr: mac})
		case "inet", "inet6":
			a, err := netip.ParseAddr(f[1])
			if err != nil || a.Zone() != "" || (f[0] == "inet") != a.Is4() {
				sk.add(l.n, l.text, "bad group address")
				continue
			}
			out.Groups = append(out.Groups, snapshots.Membership{Family: family(a), IfIndex: idx,
				IfName: name, Group: a, Users: users})
		default:
			sk.add(l.n, l.text, "unknown address kind")
		}
	}
	return out, sk
}

// ParseNetstatGroups parses the "IPv6/IPv4 Group Memberships" table of
// `netstat -g` (as `netstat -W -agn` prints it): interface, user count
// and group. IfIndex comes from names.
func ParseNetstatGroups(data []byte, names *Names) ([]snapshots.Membership, Skipped) {
	var sk Skipped
	var out []snapshots.Membership
	in := false
	for l := range lines(data, &sk) {
		t := strings.TrimSpace(l.text)
		switch {
		case strings.HasPrefix(t, "IPv6/IPv4 Group Memberships"):
			in = true
			continue
		case strings.HasPrefix(t, "Active ") || strings.HasPrefix(t, "Kernel "):
			in = false
			continue
		case !in, strings.HasPrefix(t, "Interface"), strings.HasPrefix(t, "---"):
			continue
		}
		f := strings.Fields(t)
		if len(f) != 3 {
			sk.add(l.n, l.text, "not a membership row")
			continue
		}
		users, ok := u32(f[1])
		a, err := netip.ParseAddr(f[2])
		if !ok || err != nil || a.Zone() != "" {
			sk.add(l.n, l.text, "not a membership row")
			continue
		}
		m := snapshots.Membership{Family: family(a), IfName: f[0], Group: a, Users: users}
		m.IfIndex, _ = names.ifindex(f[0])
		out = append(out, m)
	}
	return out, sk
}

// ParseMroute parses `ip [-6] [-s] mroute show`: "(S,G) Iif: IF Oifs: IF
// IF(ttl N) State: resolved", one entry per line, "Table: N" lines
// before the entries of a non-default table. Table is 253 (the default
// multicast table) unless such a line says otherwise; vif numbers are
// not printed (IIFVif and MFCOif.Vif are -1); Expires is not printed.
func ParseMroute(data []byte, names *Names) ([]snapshots.MFCEntry, Skipped) {
	var sk Skipped
	var out []snapshots.MFCEntry
	table := uint32(253)
	for l := range lines(data, &sk) {
		t := strings.TrimSpace(l.text)
		if rest, ok := strings.CutPrefix(t, "Table:"); ok {
			if v, ok := names.table(strings.TrimSpace(rest)); ok {
				table = v
			}
			continue
		}
		if l.indented() && len(out) > 0 {
			// -s: "  N packets, M bytes[, W arrived on wrong iif.]"
			f := strings.Fields(strings.ReplaceAll(t, ",", " "))
			e := &out[len(out)-1]
			for i := 0; i+1 < len(f); i++ {
				v, ok := u64(f[i])
				if !ok {
					continue
				}
				switch f[i+1] {
				case "packets":
					e.Packets = v
				case "bytes":
					e.Bytes = v
				case "arrived":
					e.WrongIf = v
				}
			}
			continue
		}
		if !strings.HasPrefix(t, "(") {
			sk.add(l.n, l.text, "not an mroute entry")
			continue
		}
		end := strings.IndexByte(t, ')')
		if end < 0 {
			sk.add(l.n, l.text, "unterminated (S,G)")
			continue
		}
		s, g, ok := strings.Cut(t[1:end], ",")
		src, err1 := netip.ParseAddr(strings.TrimSpace(s))
		grp, err2 := netip.ParseAddr(strings.TrimSpace(g))
		if !ok || err1 != nil || err2 != nil || src.Is4() != grp.Is4() {
			sk.add(l.n, l.text, "bad (S,G)")
			continue
		}
		e := snapshots.MFCEntry{Family: family(grp), Table: table, Source: src, Group: grp, IIFVif: -1, Resolved: true}
		f := strings.Fields(strings.ReplaceAll(t[end+1:], "(ttl ", "(ttl:"))
		whole := true
		mode := ""
		for _, w := range f {
			switch w {
			case "Iif:", "Oifs:", "State:":
				mode = w
				continue
			}
			switch mode {
			case "Iif:":
				if w == "unresolved" {
					continue
				}
				idx, ok := names.ifindex(w)
				if !ok {
					whole = false
				}
				e.IIF = idx
			case "Oifs:":
				name, ttl := w, uint8(1)
				if i := strings.Index(w, "(ttl:"); i >= 0 {
					name = w[:i]
					if v, err := parseNum(strings.TrimSuffix(w[i+5:], ")"), 255); err == nil {
						ttl = uint8(v)
					}
				}
				idx, ok := names.ifindex(name)
				if !ok {
					whole = false
				}
				e.Oifs = append(e.Oifs, snapshots.MFCOif{Vif: -1, IfIndex: idx, TTL: ttl})
			case "State:":
				e.Resolved = w == "resolved"
			default:
				whole = false
			}
		}
		if !whole {
			sk.add(l.n, l.text, "entry kept, but not every word understood")
		}
		out = append(out, e)
	}
	return out, sk
}
