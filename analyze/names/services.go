package names

import (
	"bytes"
	"math"
	"strings"
)

// Service is one line of a services(5) file.
type Service struct {
	Name    string
	Port    uint16
	Proto   string // "tcp", "udp", "sctp", "ddp" … as written
	Aliases []string
	Line    int
}

type portKey struct {
	port  uint16
	proto string
}

type nameKey struct {
	name, proto string
}

// Services is a parsed services(5) file. As with glibc's getservbyport and
// getservbyname, the first matching line wins and names compare with case.
// The zero value and nil are empty.
type Services struct {
	entries []Service
	byPort  map[portKey]int32 // proto "" holds the first line for the port, any protocol
	byName  map[nameKey]int32 // proto "" likewise
	skipped []int
}

// ParseServices parses the bytes of a services file: "name port/proto
// [aliases…]", the way glibc 2.36 does: the port is read like strtoul(…, 0)
// (decimal, 0-octal, 0x-hex, optional '+') and only its low 16 bits are
// kept (70000 is 4464); a line ending right after the number has protocol
// "". Other lines are skipped and listed by Skipped.
func ParseServices(data []byte) *Services {
	s := newServices()
	eachLine(data, func(line int, text []byte, f []string) {
		if len(f) < 2 {
			s.skipped = append(s.skipped, line)
			return
		}
		num, proto, slash := strings.Cut(f[1], "/")
		proto = strings.TrimLeft(proto, "/") // glibc skips repeated slashes
		// Without a slash glibc takes the line only when the number ends
		// it, blanks included; the protocol is then "".
		if !slash && (len(f) != 2 || !bytes.HasSuffix(text, []byte(f[1]))) {
			s.skipped = append(s.skipped, line)
			return
		}
		port, ok := parseCUint(strings.TrimPrefix(num, "+"))
		if !ok {
			s.skipped = append(s.skipped, line)
			return
		}
		// glibc keeps the low 16 bits (htons of an unsigned long).
		s.add(Service{Name: f[0], Port: uint16(port), Proto: proto, Aliases: aliases(f[2:]), Line: line})
	}, func(line int) { s.skipped = append(s.skipped, line) })
	return s
}

func newServices() *Services {
	return &Services{byPort: map[portKey]int32{}, byName: map[nameKey]int32{}}
}

func (s *Services) add(e Service) {
	i := int32(len(s.entries))
	s.entries = append(s.entries, e)
	for _, k := range []portKey{{e.Port, e.Proto}, {e.Port, ""}} {
		if _, dup := s.byPort[k]; !dup {
			s.byPort[k] = i
		}
	}
	for _, n := range append([]string{e.Name}, e.Aliases...) {
		for _, k := range []nameKey{{n, e.Proto}, {n, ""}} {
			if _, dup := s.byName[k]; !dup {
				s.byName[k] = i
			}
		}
	}
}

// Lookup returns the first line for port and proto, as getservbyport does;
// proto "" matches any protocol.
func (s *Services) Lookup(port uint16, proto string) (Service, bool) {
	if s == nil {
		return Service{}, false
	}
	i, ok := s.byPort[portKey{port, proto}]
	if !ok {
		return Service{}, false
	}
	return s.entries[i], true
}

// LookupName returns the first line whose name or alias is name for proto,
// as getservbyname does; proto "" matches any protocol.
func (s *Services) LookupName(name, proto string) (Service, bool) {
	if s == nil {
		return Service{}, false
	}
	i, ok := s.byName[nameKey{name, proto}]
	if !ok {
		return Service{}, false
	}
	return s.entries[i], true
}

// Entries returns every parsed line in file order; do not modify it.
func (s *Services) Entries() []Service {
	if s == nil {
		return nil
	}
	return s.entries
}

// Skipped returns the line numbers the parser could not read.
func (s *Services) Skipped() []int {
	if s == nil {
		return nil
	}
	return s.skipped
}

// parseCUint reads a whole string as C's strtoul with base 0 does: 0x or 0X
// for hex, a leading 0 for octal, decimal otherwise. Overflow fails.
func parseCUint(s string) (uint64, bool) {
	base := uint64(10)
	switch {
	case len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'):
		base, s = 16, s[2:]
	case len(s) > 1 && s[0] == '0':
		base, s = 8, s[1:]
	}
	if s == "" {
		return 0, false
	}
	var v uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		var d uint64
		switch {
		case c >= '0' && c <= '9':
			d = uint64(c - '0')
		case c >= 'a' && c <= 'f':
			d = uint64(c-'a') + 10
		case c >= 'A' && c <= 'F':
			d = uint64(c-'A') + 10
		default:
			return 0, false
		}
		if d >= base {
			return 0, false
		}
		if v > (math.MaxUint64-d)/base {
			return 0, false
		}
		v = v*base + d
	}
	return v, true
}
