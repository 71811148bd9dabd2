package names

import (
	"net/netip"
	"strings"
)

// Network is one line of a networks(5) file.
type Network struct {
	Name    string
	Net     netip.Addr // the network number as a full IPv4 address: "loopback 127" is 127.0.0.0
	Aliases []string
	Line    int
}

// Networks is a parsed networks(5) file. glibc's files backend pads a short
// number with ".0" parts before converting it ("10.1" → 10.1.0.0), so a
// lookup compares the full 32-bit network address exactly; the first
// matching line wins. The zero value and nil are empty.
type Networks struct {
	entries []Network
	byNet   map[uint32]int32
	byName  map[string]int32 // lower-cased name or alias → first entry
	skipped []int
}

// ParseNetworks parses the bytes of a networks file: "name number
// [aliases…]". Like glibc, a line whose number does not convert (or is
// missing) is still entered, as 255.255.255.255; Skipped lists those lines.
func ParseNetworks(data []byte) *Networks {
	n := &Networks{byNet: map[uint32]int32{}, byName: map[string]int32{}}
	eachLine(data, func(line int, _ []byte, f []string) {
		num := ""
		if len(f) > 1 {
			num = f[1]
		}
		v, ok := parseNetNumber(num)
		if !ok {
			// glibc enters the line anyway, as INADDR_NONE.
			n.skipped = append(n.skipped, line)
			v = 0xffffffff
		}
		i := int32(len(n.entries))
		var al []string
		if len(f) > 2 {
			al = aliases(f[2:])
		}
		n.entries = append(n.entries, Network{Name: f[0], Net: u32Addr(v), Aliases: al, Line: line})
		if _, dup := n.byNet[v]; !dup {
			n.byNet[v] = i
		}
		for _, name := range append([]string{f[0]}, al...) {
			k := strings.ToLower(name)
			if _, dup := n.byName[k]; !dup {
				n.byName[k] = i
			}
		}
	}, func(line int) { n.skipped = append(n.skipped, line) })
	return n
}

// parseNetNumber converts a networks(5) number the way glibc does: pad to
// four parts with ".0", then inet_network(3): each part decimal, octal with
// a leading 0, or hex with 0x, and at most 255.
func parseNetNumber(s string) (uint32, bool) {
	if dots := strings.Count(s, "."); dots < 3 {
		s += strings.Repeat(".0", 3-dots)
	}
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return 0, false
	}
	var v uint32
	for _, p := range parts {
		b, ok := parseNetPart(p)
		if !ok {
			return 0, false
		}
		v = v<<8 | b
	}
	return v, true
}

func parseNetPart(p string) (uint32, bool) {
	base := uint32(10)
	digit := false
	if strings.HasPrefix(p, "0") {
		base, digit, p = 8, true, p[1:]
	}
	if strings.HasPrefix(p, "x") || strings.HasPrefix(p, "X") {
		base, digit, p = 16, false, p[1:]
	}
	var v uint32
	for i := 0; i < len(p); i++ {
		c := p[i]
		var d uint32
		switch {
		case c >= '0' && c <= '9':
			d = uint32(c - '0')
		case base == 16 && c >= 'a' && c <= 'f':
			d = uint32(c-'a') + 10
		case base == 16 && c >= 'A' && c <= 'F':
			d = uint32(c-'A') + 10
		default:
			return 0, false
		}
		if d >= base {
			return 0, false
		}
		v = v*base + d
		if v > 0xff {
			return 0, false
		}
		digit = true
	}
	return v, digit
}

func u32Addr(v uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

func addrU32(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

// Lookup returns the first line whose network number is a, as
// getnetbyaddr(a, AF_INET) does. a must already be masked; IPv4-mapped
// IPv6 addresses are looked up as IPv4, other IPv6 addresses have no name.
func (n *Networks) Lookup(a netip.Addr) (Network, bool) {
	if n == nil {
		return Network{}, false
	}
	a = a.Unmap()
	if !a.Is4() {
		return Network{}, false
	}
	i, ok := n.byNet[addrU32(a)]
	if !ok {
		return Network{}, false
	}
	return n.entries[i], true
}

// LookupName returns the first line naming name (or an alias), ignoring
// case, as getnetbyname does.
func (n *Networks) LookupName(name string) (Network, bool) {
	if n == nil {
		return Network{}, false
	}
	i, ok := n.byName[strings.ToLower(name)]
	if !ok {
		return Network{}, false
	}
	return n.entries[i], true
}

// Entries returns every parsed line in file order; do not modify it.
func (n *Networks) Entries() []Network {
	if n == nil {
		return nil
	}
	return n.entries
}

// Skipped returns the line numbers the parser could not read.
func (n *Networks) Skipped() []int {
	if n == nil {
		return nil
	}
	return n.skipped
}
