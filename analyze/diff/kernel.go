package diff

import (
	"encoding/hex"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/netmortem/netmortem/snapshots"
)

// Names of kernel codes, as iproute2 prints them; unknown codes print as
// numbers.

func num[T ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~int32 | ~int64](v T) string {
	return strconv.FormatInt(int64(v), 10)
}

func unum[T ~uint8 | ~uint16 | ~uint32 | ~uint64](v T) string {
	return strconv.FormatUint(uint64(v), 10)
}

func named[T ~uint8 | ~uint16 | ~uint32](m map[T]string, v T) string {
	if s, ok := m[v]; ok {
		return s
	}
	return unum(v)
}

func familyName(f uint8) string {
	switch f {
	case snapshots.AFInet:
		return "inet"
	case snapshots.AFInet6:
		return "inet6"
	case snapshots.AFUnix:
		return "unix"
	case snapshots.AFPacket:
		return "packet"
	case 128:
		return "ipmr"
	case 129:
		return "ip6mr"
	}
	return "af" + unum(f)
}

var routeTypes = map[uint8]string{0: "unspec", 1: "unicast", 2: "local", 3: "broadcast", 4: "anycast",
	5: "multicast", 6: "blackhole", 7: "unreachable", 8: "prohibit", 9: "throw", 10: "nat", 11: "xresolve"}

var routeProtos = map[uint8]string{0: "unspec", 1: "redirect", 2: "kernel", 3: "boot", 4: "static",
	8: "gated", 9: "ra", 10: "mrt", 11: "zebra", 12: "bird", 13: "dnrouted", 14: "xorp", 15: "ntk",
	16: "dhcp", 17: "mrouted", 18: "keepalived", 42: "babel", 99: "openr", 186: "bgp", 187: "isis",
	188: "ospf", 189: "rip", 192: "eigrp"}

var scopes = map[uint8]string{0: "universe", 200: "site", 253: "link", 254: "host", 255: "nowhere"}

var nudStates = map[uint16]string{0x00: "NONE", 0x01: "INCOMPLETE", 0x02: "REACHABLE", 0x04: "STALE",
	0x08: "DELAY", 0x10: "PROBE", 0x20: "FAILED", 0x40: "NOARP", 0x80: "PERMANENT"}

var tcpStates = map[uint8]string{1: "ESTABLISHED", 2: "SYN_SENT", 3: "SYN_RECV", 4: "FIN_WAIT1",
	5: "FIN_WAIT2", 6: "TIME_WAIT", 7: "CLOSE", 8: "CLOSE_WAIT", 9: "LAST_ACK", 10: "LISTEN",
	11: "CLOSING", 12: "NEW_SYN_RECV"}

var sockTypes = map[uint8]string{1: "stream", 2: "dgram", 3: "raw", 4: "rdm", 5: "seqpacket"}

var operStates = map[uint8]string{0: "UNKNOWN", 1: "NOTPRESENT", 2: "DOWN", 3: "LOWERLAYERDOWN",
	4: "TESTING", 5: "DORMANT", 6: "UP"}

var linkTypes = map[uint16]string{1: "ether", 24: "ieee1394", 32: "infiniband", 65534: "none",
	772: "loopback", 768: "ipip", 776: "sit", 778: "gre", 823: "ip6gre", 769: "tunnel6", 512: "ppp",
	280: "can", 519: "ipgre", 801: "ieee80211", 803: "ieee80211_radiotap", 65535: "void"}

var ruleActions = map[uint8]string{0: "unspec", 1: "to_tbl", 2: "goto", 3: "nop", 6: "blackhole",
	7: "unreachable", 8: "prohibit"}

// flagNames lists bit names in bit order; other bits print as hex.
type flagName struct {
	bit  uint32
	name string
}

var ifFlags = []flagName{{0x1, "UP"}, {0x2, "BROADCAST"}, {0x4, "DEBUG"}, {0x8, "LOOPBACK"},
	{0x10, "POINTOPOINT"}, {0x20, "NOTRAILERS"}, {0x40, "RUNNING"}, {0x80, "NOARP"}, {0x100, "PROMISC"},
	{0x200, "ALLMULTI"}, {0x400, "MASTER"}, {0x800, "SLAVE"}, {0x1000, "MULTICAST"}, {0x2000, "PORTSEL"},
	{0x4000, "AUTOMEDIA"}, {0x8000, "DYNAMIC"}, {0x10000, "LOWER_UP"}, {0x20000, "DORMANT"}, {0x40000, "ECHO"}}

var addrFlags = []flagName{{0x1, "secondary"}, {0x2, "nodad"}, {0x4, "optimistic"}, {0x8, "dadfailed"},
	{0x10, "homeaddress"}, {0x20, "deprecated"}, {0x40, "tentative"}, {0x80, "permanent"},
	{0x100, "mngtmpaddr"}, {0x200, "noprefixroute"}, {0x400, "autojoin"}, {0x800, "stable-privacy"}}

var nhFlags = []flagName{{0x1, "dead"}, {0x2, "pervasive"}, {0x4, "onlink"}, {0x8, "offload"},
	{0x10, "linkdown"}, {0x20, "unresolved"}, {0x40, "trap"}}

var neighFlags = []flagName{{0x1, "use"}, {0x2, "self"}, {0x4, "master"}, {0x8, "proxy"},
	{0x10, "extern_learn"}, {0x20, "offload"}, {0x40, "sticky"}, {0x80, "router"},
	{0x100, "managed"}, {0x200, "locked"}, {0x400, "ext_validated"}}

func flags(fs []flagName, v uint32) string {
	var parts []string
	for _, f := range fs {
		if v&f.bit != 0 {
			parts = append(parts, f.name)
			v &^= f.bit
		}
	}
	if v != 0 {
		parts = append(parts, "0x"+strconv.FormatUint(uint64(v), 16))
	}
	return strings.Join(parts, ",")
}

// hwAddr prints a link-layer address as colon-separated hex.
func hwAddr(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	var sb strings.Builder
	for i, x := range b {
		if i > 0 {
			sb.WriteByte(':')
		}
		sb.WriteString(hex.EncodeToString([]byte{x}))
	}
	return sb.String()
}

func addrStr(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

// prefixStr prints a destination: "default" for a zero-length prefix.
func prefixStr(p netip.Prefix) string {
	if !p.IsValid() {
		return ""
	}
	if p.Bits() == 0 {
		return "default"
	}
	return p.String()
}

func boolStr(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// unixName prints a UNIX socket's name: abstract names with a leading @.
func unixName(n string) string {
	if strings.HasPrefix(n, "\x00") {
		return "@" + strconv.Quote(n[1:])[1:len(strconv.Quote(n[1:]))-1]
	}
	q := strconv.Quote(n)
	return q[1 : len(q)-1]
}

// add appends a field when its value is not empty.
func (fs *Fields) add(name, value string) {
	if value != "" {
		*fs = append(*fs, Field{Name: name, Value: value})
	}
}

// bare appends a field the text shows as its value alone.
func (fs *Fields) bare(name, value string) {
	if value != "" {
		*fs = append(*fs, Field{Name: name, Value: value, Bare: true})
	}
}

// addCmp appends a field whose equality compares cmp, not the value.
func (fs *Fields) addCmp(name, value, cmp string) {
	*fs = append(*fs, Field{Name: name, Value: value, cmp: cmp})
}

// addSet appends a set-valued field, even an empty one, so that all its
// elements disappearing is seen.
func (fs *Fields) addSet(name string, elems []string) {
	*fs = append(*fs, setField(name, elems))
}

func hex8(v uint8) string   { return strconv.FormatUint(uint64(v), 16) }
func hex32(v uint32) string { return strconv.FormatUint(uint64(v), 16) }
func hexBytes(b []byte) string {
	if len(b) == 0 {
		return "-"
	}
	return hex.EncodeToString(b)
}

func sortStrings(s []string) []string {
	slices.Sort(s)
	return s
}
