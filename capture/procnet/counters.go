package procnet

import (
	"bytes"
	"io"
	"strings"

	"github.com/netmortem/netmortem/snapshots"
)

// ParseSNMP parses /proc/net/snmp into one CounterSet per group (Ip, Icmp,
// IcmpMsg, Tcp, Udp, UdpLite), Source "snmp".
func ParseSNMP(r io.Reader) ([]snapshots.CounterSet, error) {
	return parsePaired(r, "snmp")
}

// ParseNetstat parses /proc/net/netstat (TcpExt, IpExt, MPTcpExt …),
// Source "netstat".
func ParseNetstat(r io.Reader) ([]snapshots.CounterSet, error) {
	return parsePaired(r, "netstat")
}

// parsePaired reads files made of line pairs: "Group: Name1 Name2 …" then
// "Group: value1 value2 …". Every counter is kept, in kernel order, with
// its exact value; negative ones (Tcp MaxConn -1) are marked Signed.
func parsePaired(r io.Reader, source string) ([]snapshots.CounterSet, error) {
	l := newLines(r, source)
	var out []snapshots.CounterSet
	var names, vals [][]byte
	for {
		hdr, ok := l.next()
		if !ok {
			break
		}
		names = fields(names, hdr)
		if len(names) == 0 {
			continue
		}
		group := names[0]
		if len(group) < 2 || group[len(group)-1] != ':' {
			return nil, l.errorf("", group, "not a \"Group:\" line")
		}
		set := snapshots.CounterSet{Source: source, Group: string(group[:len(group)-1])}
		set.Counters = make([]snapshots.Counter, len(names)-1)
		for i, n := range names[1:] {
			set.Counters[i].Name = string(n)
		}
		line, ok := l.next()
		if !ok {
			if l.err != nil {
				return nil, l.err
			}
			return nil, &ParseError{File: source, Line: l.n, Input: string(group), Msg: "names without a value line"}
		}
		vals = fields(vals, line)
		if len(vals) == 0 || !bytes.Equal(vals[0], group) {
			return nil, l.lineError(line, "value line does not follow %q names", group)
		}
		if len(vals) != len(names) {
			return nil, l.lineError(line, "%d values for %d names", len(vals)-1, len(names)-1)
		}
		for i, v := range vals[1:] {
			c := &set.Counters[i]
			var ok bool
			if c.Value, c.Signed, ok = value(v); !ok {
				return nil, l.errorf(set.Group+" "+c.Name, v, "not a decimal integer")
			}
		}
		out = append(out, set)
	}
	return out, l.err
}

// ParseNameValues parses the files with one "Name value" per line:
// /proc/net/snmp6 (Source "snmp6"), /proc/net/sctp/snmp ("sctp/snmp") and
// /proc/net/dev_snmp6/<if> ("dev_snmp6/<if>"). source names the result
// and the errors.
//
// Counter names stay as the kernel prints them (Ip6InReceives); Group is
// the name's first word with its digits (Ip6, Icmp6, Udp6, UdpLite6, Sctp;
// dev_snmp6's ifIndex is group "if").
// Consecutive counters of one group form one set, in kernel order.
func ParseNameValues(r io.Reader, source string) ([]snapshots.CounterSet, error) {
	l := newLines(r, source)
	var out []snapshots.CounterSet
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
		if len(fs) != 2 {
			return nil, l.lineError(line, "want \"Name value\"")
		}
		c := snapshots.Counter{Name: string(fs[0])}
		if c.Value, c.Signed, ok = value(fs[1]); !ok {
			return nil, l.errorf(c.Name, fs[1], "not a decimal integer")
		}
		g := counterGroup(c.Name)
		if n := len(out); n == 0 || out[n-1].Group != g {
			out = append(out, snapshots.CounterSet{Source: source, Group: g})
		}
		set := &out[len(out)-1]
		set.Counters = append(set.Counters, c)
	}
	return out, l.err
}

// counterGroup returns the group prefix of a flat counter name: the text
// before the second capitalised word, so that digits stay with the first
// (Ip6InReceives → Ip6, SctpT1InitExpireds → Sctp, ifIndex → if). UdpLite
// is the one two-word group.
func counterGroup(name string) string {
	start := 1
	if strings.HasPrefix(name, "UdpLite") {
		start = len("UdpLite")
	}
	for i := start; i < len(name); i++ {
		if 'A' <= name[i] && name[i] <= 'Z' {
			return name[:i]
		}
	}
	return name
}

// ParseSockstat parses /proc/net/sockstat or sockstat6 (source names the
// file): each line "TCP: inuse 5 orphan 0 tw 1 alloc 5 mem 1" becomes a
// CounterSet with Group "TCP" and counters inuse, orphan, tw, alloc, mem.
// The first line of sockstat gives Group "sockets".
func ParseSockstat(r io.Reader, source string) ([]snapshots.CounterSet, error) {
	l := newLines(r, source)
	var out []snapshots.CounterSet
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
		g := fs[0]
		if len(g) < 2 || g[len(g)-1] != ':' || len(fs)%2 != 1 {
			return nil, l.lineError(line, "want \"GROUP: name value …\"")
		}
		set := snapshots.CounterSet{Source: source, Group: string(g[:len(g)-1])}
		for i := 1; i+1 < len(fs); i += 2 {
			c := snapshots.Counter{Name: string(fs[i])}
			if c.Value, c.Signed, ok = value(fs[i+1]); !ok {
				return nil, l.errorf(set.Group+" "+c.Name, fs[i+1], "not a decimal integer")
			}
			set.Counters = append(set.Counters, c)
		}
		out = append(out, set)
	}
	return out, l.err
}
