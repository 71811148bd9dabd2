package procnet

import (
	"bytes"
	"encoding/binary"
	"io"
	"net/netip"

	"github.com/netmortem/netmortem/snapshots"
)

// MLD flags of igmp6 (MAF_*).
const (
	mafTimerRunning = 0x1
	mafLastReporter = 0x2
)

// ParseIGMP parses /proc/net/igmp, a two-level file: an interface line
// ("2\ta0        :     3      V3") followed by tab-indented group lines
// ("\t\t\t\t010101E8     1 0:00000000\t\t0"). Groups are %08X of a
// big-endian word, so order is the captured host's byte order. Expires
// stays in clock ticks, as the model keeps it.
func ParseIGMP(r io.Reader, order binary.ByteOrder) ([]snapshots.Membership, []snapshots.McastIface, error) {
	const file = "igmp"
	l := newLines(r, file)
	if order == nil {
		return nil, nil, &ParseError{File: file, Err: errOrder}
	}
	big := isBigEndian(order)
	header, ok := l.next()
	if !ok {
		return nil, nil, l.err
	}
	if !bytes.HasPrefix(header, []byte("Idx")) {
		return nil, nil, l.lineError(header, "not an igmp header")
	}
	var groups []snapshots.Membership
	var ifaces []snapshots.McastIface
	var fs [][]byte
	for {
		line, ok := l.next()
		if !ok {
			break
		}
		fs = fields(fs, line)
		if len(fs) == 0 {
			continue
		}
		if !isSpace(line[0]) {
			// Interface line: index, name padded to 10, ':', count, querier.
			colon := bytes.IndexByte(line, ':')
			if colon < 0 {
				return nil, nil, l.lineError(line, "interface line without ':'")
			}
			left := fields(nil, line[:colon])
			right := fields(nil, line[colon+1:])
			if len(left) != 2 || len(right) < 2 {
				return nil, nil, l.lineError(line, "want \"INDEX NAME: COUNT QUERIER\"")
			}
			var m snapshots.McastIface
			if m.IfIndex, ok = decInt32(left[0]); !ok {
				return nil, nil, l.errorf("Idx", left[0], "not a decimal ifindex")
			}
			m.IfName = string(left[1])
			if m.Count, ok = dec32(right[0]); !ok {
				return nil, nil, l.errorf("Count", right[0], "not decimal")
			}
			m.Querier = string(right[1])
			ifaces = append(ifaces, m)
			continue
		}
		if len(ifaces) == 0 {
			return nil, nil, l.lineError(line, "group line before any interface line")
		}
		if len(fs) < 4 {
			return nil, nil, l.lineError(line, "want \"GROUP USERS RUNNING:EXPIRES REPORTER\"")
		}
		in := ifaces[len(ifaces)-1]
		m := snapshots.Membership{Family: snapshots.AFInet, IfIndex: in.IfIndex, IfName: in.IfName}
		if m.Group, ok = hostAddr4(fs[0], big); !ok {
			return nil, nil, l.errorf("Group", fs[0], "not 8 hex digits")
		}
		if m.Users, ok = dec32(fs[1]); !ok {
			return nil, nil, l.errorf("Users", fs[1], "not decimal")
		}
		i := bytes.IndexByte(fs[2], ':')
		if i < 0 {
			return nil, nil, l.errorf("Timer", fs[2], "not RUNNING:EXPIRES")
		}
		run, ok1 := dec32(fs[2][:i])
		exp, ok2 := hex64(fs[2][i+1:])
		if !ok1 || !ok2 {
			return nil, nil, l.errorf("Timer", fs[2], "not RUNNING:EXPIRES")
		}
		m.Timer = run != 0
		if exp < 1<<63 {
			m.Expires = sat32(exp)
		}
		rep, ok := dec32(fs[3])
		if !ok {
			return nil, nil, l.errorf("Reporter", fs[3], "not decimal")
		}
		m.Reporter = rep != 0
		groups = append(groups, m)
	}
	return groups, ifaces, l.err
}

// ParseIGMP6 parses /proc/net/igmp6: ifindex, name, group (32 hex digits,
// network order), users, MLD flags (hex) and timer (clock ticks). Timer and
// Reporter come from the MAF_TIMER_RUNNING and MAF_LAST_REPORTER flags,
// which Flags keeps with the others.
func ParseIGMP6(r io.Reader) ([]snapshots.Membership, error) {
	const file = "igmp6"
	l := newLines(r, file)
	var out []snapshots.Membership
	var fs [][]byte
	for {
		line, ok := l.next()
		if !ok {
			break
		}
		fs = fields(fs, line)
		if len(fs) == 0 {
			continue
		}
		if len(fs) < 6 {
			return nil, l.lineError(line, "%d fields, want 6", len(fs))
		}
		m := snapshots.Membership{Family: snapshots.AFInet6, IfName: string(fs[1])}
		if m.IfIndex, ok = decInt32(fs[0]); !ok {
			return nil, l.errorf("ifindex", fs[0], "not decimal")
		}
		if m.Group, ok = netAddr6(fs[2]); !ok {
			return nil, l.errorf("group", fs[2], "not 32 hex digits")
		}
		if m.Users, ok = dec32(fs[3]); !ok {
			return nil, l.errorf("users", fs[3], "not decimal")
		}
		if m.Flags, ok = hex32(fs[4]); !ok {
			return nil, l.errorf("flags", fs[4], "not hex")
		}
		t, ok := decInt64(fs[5])
		if !ok {
			return nil, l.errorf("timer", fs[5], "not decimal")
		}
		if t > 0 {
			m.Expires = sat32(uint64(t))
		}
		m.Timer = m.Flags&mafTimerRunning != 0
		m.Reporter = m.Flags&mafLastReporter != 0
		out = append(out, m)
	}
	return out, l.err
}

// McFilter is one row of mcfilter or mcfilter6: a source in the filter of
// a group membership.
type McFilter struct {
	Family  uint8
	IfIndex int32
	IfName  string // mcfilter truncates names to 6 characters: join on IfIndex
	Group   netip.Addr
	Source  snapshots.MemberSource
}

// ParseMcFilter parses /proc/net/mcfilter. Group and source are printed
// as 0x%08x after ntohl, so they read in natural order on every host.
func ParseMcFilter(r io.Reader) ([]McFilter, error) {
	return parseMcFilter(r, "mcfilter", snapshots.AFInet)
}

// ParseMcFilter6 parses /proc/net/mcfilter6 (addresses as 32 hex digits
// in network order).
func ParseMcFilter6(r io.Reader) ([]McFilter, error) {
	return parseMcFilter(r, "mcfilter6", snapshots.AFInet6)
}

func parseMcFilter(r io.Reader, file string, family uint8) ([]McFilter, error) {
	l := newLines(r, file)
	header, ok := l.next()
	if !ok {
		return nil, l.err
	}
	if hs := fields(nil, header); len(hs) < 2 || string(hs[0]) != "Idx" || string(hs[1]) != "Device" {
		return nil, l.lineError(header, "not a %s header", file)
	}
	var out []McFilter
	var fs [][]byte
	for {
		line, ok := l.next()
		if !ok {
			break
		}
		fs = fields(fs, line)
		if len(fs) == 0 {
			continue
		}
		if len(fs) < 6 {
			return nil, l.lineError(line, "%d fields, want 6", len(fs))
		}
		f := McFilter{Family: family, IfName: string(fs[1])}
		if f.IfIndex, ok = decInt32(fs[0]); !ok {
			return nil, l.errorf("Idx", fs[0], "not decimal")
		}
		var src netip.Addr
		if family == snapshots.AFInet {
			g, ok1 := hexPrefixed32(fs[2])
			s, ok2 := hexPrefixed32(fs[3])
			if !ok1 {
				return nil, l.errorf("MCA", fs[2], "not 0x-prefixed hex")
			}
			if !ok2 {
				return nil, l.errorf("SRC", fs[3], "not 0x-prefixed hex")
			}
			f.Group, src = netAddr4(g), netAddr4(s)
		} else {
			if f.Group, ok = netAddr6(fs[2]); !ok {
				return nil, l.errorf("Multicast Address", fs[2], "not 32 hex digits")
			}
			if src, ok = netAddr6(fs[3]); !ok {
				return nil, l.errorf("Source Address", fs[3], "not 32 hex digits")
			}
		}
		f.Source.Addr = src
		if f.Source.Include, ok = dec32(fs[4]); !ok {
			return nil, l.errorf("INC", fs[4], "not decimal")
		}
		if f.Source.Exclude, ok = dec32(fs[5]); !ok {
			return nil, l.errorf("EXC", fs[5], "not decimal")
		}
		out = append(out, f)
	}
	return out, l.err
}

// AttachSources adds the mcfilter/mcfilter6 rows to the memberships of
// igmp/igmp6, joined on family, interface index and group, and sets Mode
// on every membership:
//   - with sources: EXCLUDE when any source has an exclude count above
//     zero, else INCLUDE;
//   - without sources: EXCLUDE, the any-source join (EXCLUDE {}), which is
//     what a group with no source filter is in the kernel.
//
// filters must be the complete filter table(s) of those families. A
// filter row whose group is missing (the files are read at different
// moments) adds a membership with Users 0 so that nothing is lost. The
// result shares storage with groups.
func AttachSources(groups []snapshots.Membership, filters []McFilter) []snapshots.Membership {
	type key struct {
		family  uint8
		ifindex int32
		group   netip.Addr
	}
	at := make(map[key]int, len(groups))
	for i, g := range groups {
		at[key{g.Family, g.IfIndex, g.Group}] = i
	}
	for _, f := range filters {
		k := key{f.Family, f.IfIndex, f.Group}
		i, ok := at[k]
		if !ok {
			groups = append(groups, snapshots.Membership{Family: f.Family, IfIndex: f.IfIndex, IfName: f.IfName, Group: f.Group})
			i = len(groups) - 1
			at[k] = i
		}
		groups[i].Sources = append(groups[i].Sources, f.Source)
	}
	for i := range groups {
		g := &groups[i]
		g.Mode = snapshots.FilterExclude
		if len(g.Sources) == 0 {
			continue
		}
		g.Mode = snapshots.FilterInclude
		for _, s := range g.Sources {
			if s.Exclude > 0 {
				g.Mode = snapshots.FilterExclude
				break
			}
		}
	}
	return groups
}

// ParseDevMcast parses /proc/net/dev_mcast: ifindex, name, users, global
// flag and the link-layer address as bare hex.
func ParseDevMcast(r io.Reader) ([]snapshots.LinkMembership, error) {
	const file = "dev_mcast"
	l := newLines(r, file)
	var out []snapshots.LinkMembership
	var fs [][]byte
	for {
		line, ok := l.next()
		if !ok {
			break
		}
		fs = fields(fs, line)
		if len(fs) == 0 {
			continue
		}
		if len(fs) < 5 {
			return nil, l.lineError(line, "%d fields, want 5", len(fs))
		}
		m := snapshots.LinkMembership{IfName: string(fs[1])}
		if m.IfIndex, ok = decInt32(fs[0]); !ok {
			return nil, l.errorf("ifindex", fs[0], "not decimal")
		}
		if m.Users, ok = dec32(fs[2]); !ok {
			return nil, l.errorf("users", fs[2], "not decimal")
		}
		g, ok := dec32(fs[3])
		if !ok {
			return nil, l.errorf("global", fs[3], "not decimal")
		}
		m.Global = g != 0
		if m.Addr, ok = hexBytes(fs[4]); !ok {
			return nil, l.errorf("address", fs[4], "not an even number of hex digits")
		}
		out = append(out, m)
	}
	return out, l.err
}

// hexBytes decodes bare hex ("01005e000001").
func hexBytes(b []byte) ([]byte, bool) {
	if len(b)%2 != 0 {
		return nil, false
	}
	out := make([]byte, len(b)/2)
	for i := range out {
		hi, lo := unhex(b[2*i]), unhex(b[2*i+1])
		if hi == 0xff || lo == 0xff {
			return nil, false
		}
		out[i] = hi<<4 | lo
	}
	return out, true
}
