package routes

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Keyword is the part of a -f filter before the first colon.
type Keyword uint8

// The keywords: the man page's six, and table, a Linux extension.
const (
	KeyAF Keyword = iota + 1
	KeyInIf
	KeyOutIf
	KeySrc
	KeyDst
	KeyFlags
	KeyTable
)

var keywordNames = [...]string{KeyAF: "af", KeyInIf: "inif", KeyOutIf: "outif",
	KeySrc: "src", KeyDst: "dst", KeyFlags: "flags", KeyTable: "table"}

func (k Keyword) String() string {
	if int(k) < len(keywordNames) && keywordNames[k] != "" {
		return keywordNames[k]
	}
	return fmt.Sprintf("keyword(%d)", uint8(k))
}

// Kind says which form a filter's value has.
type Kind uint8

// Value kinds.
const (
	KindFamily Kind = iota + 1 // af: Family
	KindAny                    // any
	KindNone                   // none
	KindName                   // an interface, table or host name: Name
	KindIndex                  // an ifIndex or table id: Index
	KindAddr                   // a numeric address: Addr, and Bits when a mask was given
	KindFlags                  // flags: Op and Flags
	KindAll                    // table:all
)

// Filter is one parsed -f value. Names (interfaces, tables, hosts) are
// resolved later by Compile against a snapshot.
type Filter struct {
	Arg     string // the value as given, for messages
	Key     Keyword
	Kind    Kind
	Family  uint8      // KindFamily
	Name    string     // KindName
	Index   uint32     // KindIndex
	Addr    netip.Addr // KindAddr; IPv4-mapped addresses are unmapped
	Bits    int        // mask length for KindAddr and host names; -1 without a mask
	Op      byte       // KindFlags: '=' exactly, '+' at least, '-' none of
	Flags   Flags      // KindFlags
	maskFam uint8      // afInet or afInet6 when the mask was written as an address
}

// Error is a refused filter. Error() names the filter as given.
type Error struct {
	Arg string // the -f value
	Msg string
}

func (e *Error) Error() string { return fmt.Sprintf("-f %s: %s", e.Arg, e.Msg) }

func errorf(arg, format string, a ...any) error {
	return &Error{Arg: arg, Msg: fmt.Sprintf(format, a...)}
}

// Parse reads one -f value: "keyword:value", or a bare address family
// ("inet") as a shorthand for "af:inet". It checks syntax, numeric
// addresses and mask ranges; names are checked by Compile.
func Parse(arg string) (Filter, error) {
	f := Filter{Arg: arg, Bits: -1}
	kw, val, ok := strings.Cut(arg, ":")
	if !ok {
		f.Key = KeyAF
		return f, parseAF(&f, arg)
	}
	switch kw {
	case "af":
		f.Key = KeyAF
		return f, parseAF(&f, val)
	case "inif", "outif":
		f.Key = KeyOutIf
		if kw == "inif" {
			f.Key = KeyInIf
		}
		return f, parseIface(&f, val)
	case "src", "dst":
		f.Key = KeyDst
		if kw == "src" {
			f.Key = KeySrc
		}
		return f, parseAddr(&f, val)
	case "flags":
		f.Key = KeyFlags
		return f, parseFlags(&f, val)
	case "table":
		f.Key = KeyTable
		return f, parseTable(&f, val)
	}
	return f, errorf(arg, "unknown filter keyword %q (known: af, inif, outif, src, dst, flags, table)", kw)
}

func parseAF(f *Filter, v string) error {
	f.Kind = KindFamily
	switch v {
	case "inet":
		f.Family = afInet
	case "inet6":
		f.Family = afInet6
	case "unix":
		f.Family = afUnix
	default:
		n, err := strconv.ParseUint(v, 10, 8)
		if err != nil {
			return errorf(f.Arg, "unknown address family %q (inet, inet6, unix or a number 0 to 255)", v)
		}
		f.Family = uint8(n)
	}
	return nil
}

const (
	afUnix  = 1
	afInet  = 2
	afInet6 = 10
	afIPMR  = 128 // RTNL_FAMILY_IPMR: IPv4 multicast routes
	afIP6MR = 129
)

func parseIface(f *Filter, v string) error {
	switch {
	case v == "":
		return errorf(f.Arg, "missing interface (a name, an ifIndex, any or none)")
	case v == "any":
		f.Kind = KindAny
	case v == "none":
		f.Kind = KindNone
	case allDigits(v):
		n, err := strconv.ParseUint(v, 10, 31)
		if err != nil || n == 0 {
			return errorf(f.Arg, "ifIndex %s out of range 1 to %d", v, 1<<31-1)
		}
		f.Kind, f.Index = KindIndex, uint32(n)
	default:
		if len(v) > 64 || strings.ContainsAny(v, "/ \t\n") {
			return errorf(f.Arg, "invalid interface name %q", v)
		}
		f.Kind, f.Name = KindName, v
	}
	return nil
}

func parseTable(f *Filter, v string) error {
	switch {
	case v == "":
		return errorf(f.Arg, "missing table (a name, an id or all)")
	case v == "all":
		f.Kind = KindAll
	case allDigits(v):
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return errorf(f.Arg, "table id %s out of range 0 to %d", v, uint32(1<<32-1))
		}
		f.Kind, f.Index = KindIndex, uint32(n)
	default:
		f.Kind, f.Name = KindName, v
	}
	return nil
}

func parseFlags(f *Filter, v string) error {
	f.Kind, f.Op = KindFlags, '='
	if v != "" && (v[0] == '+' || v[0] == '-') {
		f.Op, v = v[0], v[1:]
	}
	if v == "" {
		return errorf(f.Arg, "missing flag list (letters of %s)", flagLetters)
	}
	for i := 0; i < len(v); i++ {
		b := flagOf(v[i])
		if b == 0 {
			return errorf(f.Arg, "illegal flag %q (letters of %s)", v[i:i+1], flagLetters)
		}
		f.Flags |= b
	}
	return nil
}

func parseAddr(f *Filter, v string) error {
	switch v {
	case "":
		return errorf(f.Arg, "missing address (an IP address[/mask], any or none)")
	case "any":
		f.Kind = KindAny
		return nil
	case "none":
		f.Kind = KindNone
		return nil
	}
	host, mask, hasMask := v, "", false
	if i := strings.LastIndexByte(v, '/'); i >= 0 {
		host, mask, hasMask = v[:i], v[i+1:], true
	}
	if host == "" {
		return errorf(f.Arg, "missing address before /%s", mask)
	}
	if a, err := netip.ParseAddr(host); err == nil {
		if a.Zone() != "" {
			return errorf(f.Arg, "invalid address %q: zones are not allowed", host)
		}
		f.Kind, f.Addr = KindAddr, a.Unmap()
	} else {
		if !validHostName(host) {
			return errorf(f.Arg, "invalid address %q", host)
		}
		f.Kind, f.Name = KindName, host
	}
	if !hasMask {
		return nil
	}
	n, err := parseMask(f, mask)
	if err != nil {
		return err
	}
	f.Bits = n
	if f.Kind == KindAddr {
		return checkMask(f, f.Addr)
	}
	return nil
}

// parseMask reads a prefix length, or a contiguous dotted (IPv4) or
// colon (IPv6) mask.
func parseMask(f *Filter, mask string) (int, error) {
	if mask == "" {
		return 0, errorf(f.Arg, "missing mask after /")
	}
	if allDigits(mask) {
		n, err := strconv.Atoi(mask)
		if err != nil || n > 128 {
			return 0, errorf(f.Arg, "mask %s not in range 0 to 128", mask)
		}
		return n, nil
	}
	m, err := netip.ParseAddr(mask)
	if err != nil || m.Zone() != "" {
		return 0, errorf(f.Arg, "illegal mask format %q (a length, or a dotted mask such as 255.255.0.0)", mask)
	}
	n, zero := 0, false
	for _, x := range m.AsSlice() {
		for bit := 7; bit >= 0; bit-- {
			switch one := x>>bit&1 == 1; {
			case one && zero:
				return 0, errorf(f.Arg, "illegal mask format %q: the mask is not contiguous", mask)
			case one:
				n++
			default:
				zero = true
			}
		}
	}
	f.maskFam = afInet6
	if m.Is4() {
		f.maskFam = afInet
	}
	return n, nil
}

// checkMask checks a mask against the family of a (numeric or resolved)
// address.
func checkMask(f *Filter, a netip.Addr) error {
	if f.Bits < 0 {
		return nil
	}
	if f.maskFam == afInet && !a.Is4() {
		return errorf(f.Arg, "a dotted IPv4 mask needs an IPv4 address")
	}
	if f.maskFam == afInet6 && a.Is4() {
		return errorf(f.Arg, "an IPv6 mask needs an IPv6 address; use a length or a dotted mask")
	}
	if f.Bits > a.BitLen() {
		return errorf(f.Arg, "mask %d not in range 0 to %d", f.Bits, a.BitLen())
	}
	return nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// validHostName accepts what a hosts file could name: letters, digits,
// '-', '_' and '.', not starting with a digit-only label that would make
// it look numeric.
func validHostName(s string) bool {
	if len(s) > 253 {
		return false
	}
	letter := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '-', c == '_':
			letter = true
		case c >= '0' && c <= '9', c == '.':
		default:
			return false
		}
	}
	return letter
}

// String returns the filter in canonical form.
func (f Filter) String() string {
	var v string
	switch f.Kind {
	case KindFamily:
		switch f.Family {
		case afInet:
			v = "inet"
		case afInet6:
			v = "inet6"
		case afUnix:
			v = "unix"
		default:
			v = strconv.Itoa(int(f.Family))
		}
	case KindAny:
		v = "any"
	case KindNone:
		v = "none"
	case KindAll:
		v = "all"
	case KindName:
		v = f.Name
	case KindIndex:
		v = strconv.FormatUint(uint64(f.Index), 10)
	case KindAddr:
		v = f.Addr.String()
	case KindFlags:
		if f.Op != '=' {
			v = string(f.Op)
		}
		v += f.Flags.String()
	}
	if (f.Kind == KindAddr || f.Kind == KindName && (f.Key == KeySrc || f.Key == KeyDst)) && f.Bits >= 0 {
		v += "/" + strconv.Itoa(f.Bits)
	}
	return f.Key.String() + ":" + v
}
