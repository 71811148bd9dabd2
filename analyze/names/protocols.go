package names

import (
	"math"
	"strings"
)

// Protocol is one line of a protocols(5) file.
type Protocol struct {
	Name    string
	Number  uint32
	Aliases []string
	Line    int
}

// Protocols is a parsed protocols(5) file. As with glibc, the first line
// for a number wins ("ip 0" before "hopopt 0") and names compare with case.
// The zero value and nil are empty.
type Protocols struct {
	entries []Protocol
	small   [256]int32 // entry index + 1 for numbers below 256; 0 = none
	large   map[uint32]int32
	byName  map[string]int32
	skipped []int
}

// ParseProtocols parses the bytes of a protocols file: "name number
// [aliases…]". As in glibc 2.36 the number is decimal with an optional '+'
// and fits 32 bits (IPPROTO_MPTCP is 262). Other lines are skipped and
// listed by Skipped.
func ParseProtocols(data []byte) *Protocols {
	p := &Protocols{large: map[uint32]int32{}, byName: map[string]int32{}}
	eachLine(data, func(line int, _ []byte, f []string) {
		if len(f) < 2 {
			p.skipped = append(p.skipped, line)
			return
		}
		v, ok := parseDec(strings.TrimPrefix(f[1], "+"), math.MaxUint32)
		if !ok {
			p.skipped = append(p.skipped, line)
			return
		}
		i := int32(len(p.entries))
		p.entries = append(p.entries, Protocol{Name: f[0], Number: uint32(v), Aliases: aliases(f[2:]), Line: line})
		if v < 256 {
			if p.small[v] == 0 {
				p.small[v] = i + 1
			}
		} else if _, dup := p.large[uint32(v)]; !dup {
			p.large[uint32(v)] = i
		}
		for j, n := range f {
			if j == 1 {
				continue // the number
			}
			if _, dup := p.byName[n]; !dup {
				p.byName[n] = i
			}
		}
	}, func(line int) { p.skipped = append(p.skipped, line) })
	return p
}

// Lookup returns the first line for protocol number n.
func (p *Protocols) Lookup(n uint32) (Protocol, bool) {
	if p == nil {
		return Protocol{}, false
	}
	if n < 256 {
		if p.small[n] == 0 {
			return Protocol{}, false
		}
		return p.entries[p.small[n]-1], true
	}
	i, ok := p.large[n]
	if !ok {
		return Protocol{}, false
	}
	return p.entries[i], true
}

// LookupName returns the first line whose name or alias is name.
func (p *Protocols) LookupName(name string) (Protocol, bool) {
	if p == nil {
		return Protocol{}, false
	}
	i, ok := p.byName[name]
	if !ok {
		return Protocol{}, false
	}
	return p.entries[i], true
}

// Entries returns every parsed line in file order; do not modify it.
func (p *Protocols) Entries() []Protocol {
	if p == nil {
		return nil
	}
	return p.entries
}

// Skipped returns the line numbers the parser could not read.
func (p *Protocols) Skipped() []int {
	if p == nil {
		return nil
	}
	return p.skipped
}

// parseDec reads a whole string of decimal digits (leading zeros allowed,
// as strtol base 10 allows them) no greater than max.
func parseDec(s string, max uint64) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	var v uint64
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		v = v*10 + uint64(s[i]-'0')
		if v > max {
			return 0, false
		}
	}
	return v, true
}
