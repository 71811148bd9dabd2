package names

import (
	"net/netip"
	"strings"
)

// HostEntry is one line of a hosts(5) file.
type HostEntry struct {
	Addr    netip.Addr
	Name    string   // canonical name: the first name on the line
	Aliases []string // the other names, in order
	Line    int      // 1-based line number in the file
}

// Hosts is a parsed hosts(5) file. Lookups follow glibc's files backend:
// the first line that matches wins, address lookups compare the address
// exactly and name lookups ignore case. The zero value and nil are empty.
type Hosts struct {
	entries []HostEntry
	byAddr  map[netip.Addr]int32 // first entry with that address
	byName  map[string][]int32   // lower-cased name or alias → entries, in file order
	skipped []int
}

// ParseHosts parses the bytes of a hosts file. Like glibc it skips lines
// whose address is not a plain IPv4 dotted quad or IPv6 literal (no leading
// zeros, no short forms, no zone). Unlike glibc, which enters an address
// with no name as an empty name, such lines are skipped too so that the
// address prints as a number. Skipped lists every skipped line.
func ParseHosts(data []byte) *Hosts {
	h := &Hosts{byAddr: map[netip.Addr]int32{}, byName: map[string][]int32{}}
	eachLine(data, func(line int, _ []byte, f []string) {
		a, ok := parseHostAddr(f[0])
		if !ok || len(f) < 2 {
			h.skipped = append(h.skipped, line)
			return
		}
		i := int32(len(h.entries))
		h.entries = append(h.entries, HostEntry{Addr: a, Name: f[1], Aliases: aliases(f[2:]), Line: line})
		h.index(a, i)
		if a.Is4In6() {
			// glibc answers IPv4 queries from IPv4-mapped lines too.
			h.index(a.Unmap(), i)
		}
		for _, n := range f[1:] {
			k := strings.ToLower(n)
			if l := h.byName[k]; len(l) == 0 || l[len(l)-1] != i {
				h.byName[k] = append(l, i)
			}
		}
	}, func(line int) { h.skipped = append(h.skipped, line) })
	return h
}

func (h *Hosts) index(a netip.Addr, i int32) {
	if _, dup := h.byAddr[a]; !dup {
		h.byAddr[a] = i
	}
}

// parseHostAddr accepts what glibc's inet_pton accepts: a dotted quad
// without leading zeros, or an IPv6 literal without a zone.
func parseHostAddr(s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, false
	}
	return a, true
}

// Lookup returns the first line whose address is a, as glibc's
// gethostbyaddr does: an IPv4 address also matches IPv4-mapped lines
// (::ffff:a.b.c.d), an IPv6 address matches only IPv6 lines, and the IPv6
// unspecified address :: never has a name.
func (h *Hosts) Lookup(a netip.Addr) (HostEntry, bool) {
	if h == nil || a == netip.IPv6Unspecified() {
		return HostEntry{}, false
	}
	i, ok := h.byAddr[a.WithZone("")]
	if !ok {
		return HostEntry{}, false
	}
	return h.entries[i], true
}

// LookupName returns the addresses of every line that lists name as its
// canonical name or an alias, in file order, ignoring case.
func (h *Hosts) LookupName(name string) []netip.Addr {
	if h == nil {
		return nil
	}
	var out []netip.Addr
	for _, i := range h.byName[strings.ToLower(name)] {
		out = append(out, h.entries[i].Addr)
	}
	return out
}

// canonical returns the canonical name of the first line listing name, as
// getaddrinfo(AI_CANONNAME) does with the files backend.
func (h *Hosts) canonical(name string) (string, bool) {
	if h == nil {
		return "", false
	}
	l := h.byName[strings.ToLower(name)]
	if len(l) == 0 {
		return "", false
	}
	return h.entries[l[0]].Name, true
}

// Entries returns every parsed line in file order. The caller must not
// modify the result.
func (h *Hosts) Entries() []HostEntry {
	if h == nil {
		return nil
	}
	return h.entries
}

// Skipped returns the line numbers the parser could not read.
func (h *Hosts) Skipped() []int {
	if h == nil {
		return nil
	}
	return h.skipped
}
