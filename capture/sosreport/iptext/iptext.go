// Package iptext parses the text that iproute2 (ip, ss) and net-tools
// (netstat) print, as a sosreport keeps it under sos_commands/networking,
// into snapshot model values.
//
// The input is untrusted and often untidy: sos merges each command's
// stderr into its output ("Failed to find cgroup2 mount"), iproute2 and
// net-tools change their wording between versions, and `sos clean`
// rewrites addresses and names so that columns no longer line up. Every
// parser therefore tokenizes on blanks, never slices fixed columns, skips
// the lines it cannot read and counts them in a Skipped value, and never
// panics. What the text does not carry (cache ages below a second, the
// netlink attributes iproute2 does not print) is left zero, and each
// parser's comment says which fields those are.
package iptext

import (
	"bytes"
	"fmt"
	"iter"
	"net/netip"
	"strconv"
	"strings"
)

// MaxLine bounds one input line; longer lines are skipped.
const MaxLine = 1 << 16

// Skipped records the input lines a parser could not use, or used only
// in part.
type Skipped struct {
	Lines    int      // how many lines were skipped or only partly read
	Examples []string // the first few, with their line numbers and why
	// Noise counts lines that are not data at all — the stderr messages
	// sos mixes into some outputs ("Failed to find cgroup2 mount"). They
	// are not reported by Err.
	Noise int
}

const maxExamples = 3

func (s *Skipped) add(n int, line, why string) {
	s.Lines++
	if len(s.Examples) < maxExamples {
		if len(line) > 80 {
			line = line[:80] + "…"
		}
		s.Examples = append(s.Examples, fmt.Sprintf("line %d %q: %s", n, line, why))
	}
}

// Err describes the skipped lines, or returns nil when there were none.
func (s Skipped) Err() error {
	if s.Lines == 0 {
		return nil
	}
	msg := fmt.Sprintf("%d line(s) not understood", s.Lines)
	if len(s.Examples) > 0 {
		msg += " (" + strings.Join(s.Examples, "; ")
		if s.Lines > len(s.Examples) {
			msg += "; …"
		}
		msg += ")"
	}
	return fmt.Errorf("%s", msg)
}

// line is one input line with its 1-based number.
type line struct {
	n    int
	text string
}

// indented reports whether a line continues the previous record.
func (l line) indented() bool { return l.text != "" && (l.text[0] == ' ' || l.text[0] == '\t') }

// lines yields the lines of data without their newline, one at a time
// (an output can hold millions), dropping blank ones and skipping those
// longer than MaxLine.
func lines(data []byte, sk *Skipped) iter.Seq[line] {
	return func(yield func(line) bool) {
		n := 0
		for len(data) > 0 {
			n++
			var l []byte
			if i := bytes.IndexByte(data, '\n'); i >= 0 {
				l, data = data[:i], data[i+1:]
			} else {
				l, data = data, nil
			}
			l = bytes.TrimRight(l, " \t\r")
			if len(l) == 0 {
				continue
			}
			if len(l) > MaxLine {
				sk.add(n, string(l[:80]), "line too long")
				continue
			}
			if !yield(line{n, string(l)}) {
				return
			}
		}
	}
}

// Names resolves the symbolic names iproute2 prints — interfaces, routing
// tables, protocols, scopes, realms and link groups — from the captured
// host's own files and interface list. Built-in names need no entry.
type Names struct {
	Ifindex map[string]int32                 // interface name → index
	Table   func(name string) (uint32, bool) // rt_tables lookup; nil for built-ins only
	Protos  map[string]uint32                // rt_protos entries
	Scopes  map[string]uint32                // rt_scopes entries
	Groups  map[string]uint32                // group entries
	Realms  map[string]uint32                // rt_realms entries
}

var (
	builtinTables = map[string]uint32{"unspec": 0, "default": 253, "main": 254, "local": 255}
	builtinProtos = map[string]uint32{"unspec": 0, "redirect": 1, "kernel": 2, "boot": 3, "static": 4,
		"gated": 8, "ra": 9, "mrt": 10, "zebra": 11, "bird": 12, "dnrouted": 13, "xorp": 14, "ntk": 15,
		"dhcp": 16, "keepalived": 18, "babel": 42, "openr": 99, "bgp": 186, "isis": 187, "ospf": 188,
		"rip": 189, "eigrp": 192}
	builtinScopes = map[string]uint32{"global": 0, "universe": 0, "site": 200, "link": 253, "host": 254, "nowhere": 255}
)

func lookup(s string, builtin, extra map[string]uint32, max uint64) (uint32, bool) {
	if v, ok := builtin[s]; ok {
		return v, true
	}
	if v, ok := extra[s]; ok {
		return v, true
	}
	if s == "" || s[0] < '0' || s[0] > '9' {
		return 0, false
	}
	v, err := parseNum(s, max)
	return uint32(v), err == nil
}

func (n *Names) table(s string) (uint32, bool) {
	if v, ok := lookup(s, builtinTables, nil, 1<<32-1); ok {
		return v, true
	}
	if n != nil && n.Table != nil {
		return n.Table(s)
	}
	return 0, false
}

func (n *Names) proto(s string) (uint8, bool) {
	var extra map[string]uint32
	if n != nil {
		extra = n.Protos
	}
	v, ok := lookup(s, builtinProtos, extra, 255)
	return uint8(v), ok && v <= 255
}

func (n *Names) scope(s string) (uint8, bool) {
	var extra map[string]uint32
	if n != nil {
		extra = n.Scopes
	}
	v, ok := lookup(s, builtinScopes, extra, 255)
	return uint8(v), ok && v <= 255
}

func (n *Names) group(s string) (uint32, bool) {
	var extra map[string]uint32
	if n != nil {
		extra = n.Groups
	}
	return lookup(s, map[string]uint32{"default": 0}, extra, 1<<32-1)
}

func (n *Names) realm(s string) (uint32, bool) {
	var extra map[string]uint32
	if n != nil {
		extra = n.Realms
	}
	return lookup(s, map[string]uint32{"unknown": 0}, extra, 1<<16-1)
}

// ifindex resolves an interface name; ok is false for an unknown name.
func (n *Names) ifindex(s string) (int32, bool) {
	if n == nil || n.Ifindex == nil {
		return 0, false
	}
	v, ok := n.Ifindex[s]
	return v, ok
}

// ParseIDNames reads an iproute2 "ID NAME" database (rt_protos, rt_scopes,
// rt_realms, group): comments and malformed lines are ignored.
func ParseIDNames(data []byte) map[string]uint32 {
	out := map[string]uint32{}
	var sk Skipped
	for l := range lines(data, &sk) {
		f := strings.Fields(l.text)
		if len(f) < 2 || strings.HasPrefix(f[0], "#") {
			continue
		}
		v, err := parseNum(f[0], 1<<32-1)
		if err != nil {
			continue
		}
		out[f[1]] = uint32(v)
	}
	return out
}

// parseNum reads a decimal or 0x-hex unsigned number no larger than max.
func parseNum(s string, max uint64) (uint64, error) {
	base := 10
	if len(s) > 2 && (s[:2] == "0x" || s[:2] == "0X") {
		s, base = s[2:], 16
	}
	if s == "" || s[0] == '+' || s[0] == '-' {
		return 0, strconv.ErrSyntax
	}
	v, err := strconv.ParseUint(s, base, 64)
	if err != nil {
		return 0, err
	}
	if v > max {
		return 0, strconv.ErrRange
	}
	return v, nil
}

func u32(s string) (uint32, bool) {
	v, err := parseNum(s, 1<<32-1)
	return uint32(v), err == nil
}

func u64(s string) (uint64, bool) {
	v, err := parseNum(s, 1<<64-1)
	return v, err == nil
}

// parsePrefix reads an address with an optional /length; a bare address
// is a host prefix.
func parsePrefix(s string) (netip.Prefix, bool) {
	if i := strings.IndexByte(s, '/'); i >= 0 {
		a, err := netip.ParseAddr(s[:i])
		if err != nil || a.Zone() != "" {
			return netip.Prefix{}, false
		}
		bits, err := strconv.Atoi(s[i+1:])
		if err != nil || bits < 0 || bits > a.BitLen() {
			return netip.Prefix{}, false
		}
		return netip.PrefixFrom(a, bits), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(a, a.BitLen()), true
}

// parseMAC reads colon-separated hex bytes ("02:00:00:00:0a:00"); iproute2
// prints every link-layer address that way, whatever its length.
func parseMAC(s string) ([]byte, bool) {
	if s == "" || len(s) > 3*64 {
		return nil, false
	}
	parts := strings.Split(s, ":")
	out := make([]byte, 0, len(parts))
	for _, p := range parts {
		if len(p) == 0 || len(p) > 2 {
			return nil, false
		}
		v, err := strconv.ParseUint(p, 16, 8)
		if err != nil {
			return nil, false
		}
		out = append(out, byte(v))
	}
	return out, true
}

// family returns the address family of an address.
func family(a netip.Addr) uint8 {
	if a.Is4() {
		return 2
	}
	return 10
}
