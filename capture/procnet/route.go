package procnet

import (
	"bytes"
	"encoding/binary"
	"io"
	"math/bits"
	"net/netip"
	"strconv"

	"github.com/netmortem/netmortem/snapshots"
)

// Route types (RTN_*), scopes (RT_SCOPE_*) and tables used below.
const (
	rtnUnicast     = 1
	rtnLocal       = 2
	rtnBroadcast   = 3
	rtnAnycast     = 4
	rtnMulticast   = 5
	rtnBlackhole   = 6
	rtnUnreachable = 7

	scopeUniverse = 0
	scopeSite     = 200
	scopeLink     = 253
	scopeHost     = 254
	scopeNowhere  = 255

	// TableMain and TableLocal are RT_TABLE_MAIN and RT_TABLE_LOCAL.
	TableMain  = 254
	TableLocal = 255
)

// RTF_* flags of the route files.
const (
	rtfGateway = 0x0002
	rtfReject  = 0x0200
	rtfCache   = 0x01000000
	rtfAnycast = 0x00100000
	rtfLocal   = 0x80000000
)

// ParseRoute parses /proc/net/route: the IPv4 main table only (the kernel
// skips the local table, policy tables, and broadcast and multicast
// routes), one next hop per route (a multipath route shows its first).
// Destination, Gateway and Mask are %08X of big-endian words, so order is
// the captured host's byte order. ifindex maps device names to indexes
// (a nil map or an unknown name leaves OIF 0).
//
// The file does not give every field netlink does; what is derived:
//   - Table 254, Protocol 0 (unknown), Priority from Metric.
//   - Type: RTF_REJECT (0x0200) means UNREACHABLE or PROHIBIT, kept as
//     UNREACHABLE; a route without a device ("*") that is not rejected is
//     a BLACKHOLE (or THROW, which the file cannot tell apart); the rest
//     are UNICAST.
//   - Scope: LINK for a unicast route without gateway, UNIVERSE otherwise,
//     as iproute2 assigns them by default.
//   - Metrics: MTU is advmss + 40 (RTAX_ADVMSS = MTU - 40), Window is
//     RTAX_WINDOW, IRTT is RTAX_RTT >> 3 (RTAX_RTT = IRTT << 3; the low
//     three bits are lost). A route's "mtu" metric (RTAX_MTU) is not in
//     the file. RefCnt and Use are always 0 and dropped.
//
// RTF_UP, RTF_GATEWAY and RTF_HOST follow from the values kept.
func ParseRoute(r io.Reader, order binary.ByteOrder, ifindex map[string]int32) ([]snapshots.Route, error) {
	const file = "route"
	hint := rowHint(r, 40)
	l := newLines(r, file)
	if order == nil {
		return nil, &ParseError{File: file, Err: errOrder}
	}
	big := isBigEndian(order)
	header, ok := l.next()
	if !ok {
		return nil, l.err
	}
	pos, err := headerColumns(fields(nil, header)).require(l, header,
		"Iface", "Destination", "Gateway", "Flags", "Metric", "Mask", "MTU", "Window", "IRTT")
	if err != nil {
		return nil, err
	}
	need := 0
	for _, p := range pos {
		need = max(need, p+1)
	}
	var out table[snapshots.Route]
	out.reserve(hint)
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
		if len(fs) < need {
			return nil, l.lineError(line, "%d fields, want %d", len(fs), need)
		}
		dev := fs[pos[0]]
		dst, ok := hostAddr4(fs[pos[1]], big)
		if !ok {
			return nil, l.errorf("Destination", fs[pos[1]], "not 8 hex digits")
		}
		gw, ok := hostAddr4(fs[pos[2]], big)
		if !ok {
			return nil, l.errorf("Gateway", fs[pos[2]], "not 8 hex digits")
		}
		flags, ok := hex32(fs[pos[3]])
		if !ok {
			return nil, l.errorf("Flags", fs[pos[3]], "not hex")
		}
		metric, ok := decInt64(fs[pos[4]])
		if !ok || metric < -1<<31 || metric > 1<<32-1 {
			return nil, l.errorf("Metric", fs[pos[4]], "not decimal")
		}
		mask, ok := hostAddr4(fs[pos[5]], big)
		if !ok {
			return nil, l.errorf("Mask", fs[pos[5]], "not 8 hex digits")
		}
		plen, ok := maskLen(mask)
		if !ok {
			return nil, l.errorf("Mask", fs[pos[5]], "not a contiguous netmask")
		}
		var m [3]uint32
		for i, col := range []string{"MTU", "Window", "IRTT"} {
			v, ok := decInt64(fs[pos[6+i]])
			if !ok || v < 0 || v > 1<<32-1 {
				return nil, l.errorf(col, fs[pos[6+i]], "not decimal")
			}
			m[i] = uint32(v)
		}
		rt := snapshots.Route{
			Family:   snapshots.AFInet,
			Table:    TableMain,
			Type:     rtnUnicast,
			Dst:      netip.PrefixFrom(dst, plen),
			Priority: uint32(metric),
		}
		noDev := string(dev) == "*"
		switch {
		case flags&rtfReject != 0:
			rt.Type = rtnUnreachable
		case noDev:
			rt.Type = rtnBlackhole
		}
		if rt.Type == rtnUnicast && gw.IsUnspecified() {
			rt.Scope = scopeLink
		}
		if !noDev || !gw.IsUnspecified() {
			nh := snapshots.NextHop{Weight: 1}
			if !gw.IsUnspecified() {
				nh.Gateway = gw
			}
			if !noDev {
				nh.OIF = ifindex[string(dev)]
			}
			rt.NextHops = []snapshots.NextHop{nh}
		}
		if m[1] != 0 {
			rt.Ext().Metrics = append(rt.Ext().Metrics, snapshots.RouteMetric{Type: snapshots.RTAXWindow, Value: m[1]})
		}
		if m[2] != 0 {
			rt.Ext().Metrics = append(rt.Ext().Metrics, snapshots.RouteMetric{Type: snapshots.RTAXRTT, Value: m[2] << 3})
		}
		if m[0] > 40 {
			rt.Ext().Metrics = append(rt.Ext().Metrics, snapshots.RouteMetric{Type: snapshots.RTAXAdvMSS, Value: m[0] - 40})
		}
		out.push(rt)
	}
	return out.result(l.err)
}

// maskLen returns the prefix length of a contiguous IPv4 netmask.
func maskLen(m netip.Addr) (int, bool) {
	a := m.As4()
	v := binary.BigEndian.Uint32(a[:])
	n := bits.LeadingZeros32(^v)
	return n, n == 32 || v<<n == 0
}

// ParseIPv6Route parses /proc/net/ipv6_route: destination and source
// prefixes, next hop, metric, flags and device. Addresses are 32 hex
// digits in network order, numbers hex.
//
// The file walks every IPv6 table (main, local, policy tables) without
// naming them: Table is 0. Type comes from the RTF flags: RTF_REJECT is
// UNREACHABLE (blackhole, prohibit and throw routes carry the same flag,
// as does each table's null root entry), RTF_LOCAL is LOCAL, RTF_ANYCAST
// is ANYCAST, a destination inside ff00::/8 is MULTICAST, the rest are
// UNICAST. Pref is the router preference in flag bits 27–28, Cloned is
// RTF_CACHE. Scope is UNIVERSE, as for every IPv6 route. Refcnt and use
// are dropped, and so are the other RTF_* bits (ADDRCONF, PREFIX_RT,
// EXPIRES, NONEXTHOP …), which the model has no field for.
func ParseIPv6Route(r io.Reader, ifindex map[string]int32) ([]snapshots.Route, error) {
	const file = "ipv6_route"
	var out table[snapshots.Route]
	out.reserve(rowHint(r, 100))
	l := newLines(r, file)
	mcast := netip.MustParsePrefix("ff00::/8")
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
		if len(fs) < 10 {
			return nil, l.lineError(line, "%d fields, want 10", len(fs))
		}
		var a [3]netip.Addr
		for i, j := range []int{0, 2, 4} {
			if a[i], ok = netAddr6(fs[j]); !ok {
				return nil, l.errorf([]string{"dest", "src", "nexthop"}[i], fs[j], "not 32 hex digits")
			}
		}
		var n [6]uint32
		for i, j := range []int{1, 3, 5, 6, 7, 8} {
			if n[i], ok = hex32(fs[j]); !ok {
				return nil, l.errorf([]string{"dst_len", "src_len", "metric", "refcnt", "use", "flags"}[i], fs[j], "not hex")
			}
		}
		if n[0] > 128 || n[1] > 128 {
			return nil, l.lineError(line, "prefix length over 128")
		}
		flags := n[5]
		rt := snapshots.Route{
			Family:   snapshots.AFInet6,
			Type:     rtnUnicast,
			Dst:      netip.PrefixFrom(a[0], int(n[0])),
			Priority: n[2],
			Cloned:   flags&rtfCache != 0,
		}
		if pref := uint8(flags >> 27 & 3); pref != 0 {
			rt.Ext().Pref = pref
		}
		if n[1] != 0 || !a[1].IsUnspecified() {
			rt.Ext().Src = netip.PrefixFrom(a[1], int(n[1]))
		}
		switch {
		case flags&rtfReject != 0:
			rt.Type = rtnUnreachable
		case flags&rtfLocal != 0:
			rt.Type = rtnLocal
		case flags&rtfAnycast != 0:
			rt.Type = rtnAnycast
		case mcast.Contains(a[0]) && n[0] >= 8:
			rt.Type = rtnMulticast
		}
		nh := snapshots.NextHop{Weight: 1, OIF: ifindex[string(fs[9])]}
		if !a[2].IsUnspecified() || flags&rtfGateway != 0 {
			nh.Gateway = a[2]
		}
		rt.NextHops = []snapshots.NextHop{nh}
		out.push(rt)
	}
	return out.result(l.err)
}

// fibTable maps a table label of /proc/net/fib_trie to its id.
func fibTable(label []byte) (uint32, bool) {
	switch string(label) {
	case "Main":
		return TableMain, true
	case "Local":
		return TableLocal, true
	}
	if id, ok := bytes.CutPrefix(label, []byte("Id ")); ok {
		// Printed with %d: ids above 2^31 come out negative.
		v, ok := num32(id)
		return v, ok
	}
	return 0, false
}

var (
	rtnNames = []string{"UNSPEC", "UNICAST", "LOCAL", "BROADCAST", "ANYCAST", "MULTICAST",
		"BLACKHOLE", "UNREACHABLE", "PROHIBIT", "THROW", "NAT", "XRESOLVE"}
	scopeNames = map[string]uint8{"universe": scopeUniverse, "site": scopeSite, "link": scopeLink,
		"host": scopeHost, "nowhere": scopeNowhere}
)

// ParseFibTrie parses /proc/net/fib_trie: the IPv4 prefixes of every
// table ("Main:", "Local:", "Id 100:") with their type, scope and TOS.
// The file has no gateway, device, metric or protocol: routes carry no
// next hops. While no policy rule exists the kernel keeps the main and
// local tables in one trie and prints it twice, under "Main:" and
// "Local:"; the rows are returned as printed, in file order.
func ParseFibTrie(r io.Reader) ([]snapshots.Route, error) {
	const file = "fib_trie"
	l := newLines(r, file)
	var out table[snapshots.Route]
	var fs [][]byte
	var table uint32
	var leaf netip.Addr
	inTable := false
	for {
		line, ok := l.next()
		if !ok {
			break
		}
		if len(line) == 0 {
			continue
		}
		if !isSpace(line[0]) {
			label, ok := bytes.CutSuffix(bytes.TrimRight(line, " "), []byte(":"))
			if !ok {
				return nil, l.lineError(line, "not a table label")
			}
			if table, ok = fibTable(label); !ok {
				return nil, l.lineError(line, "unknown table label")
			}
			inTable, leaf = true, netip.Addr{}
			continue
		}
		if !inTable {
			return nil, l.lineError(line, "trie line before a table label")
		}
		fs = fields(fs, line)
		switch {
		case len(fs) == 0:
		case string(fs[0]) == "+--":
			// An internal node: prefix and statistics, nothing to keep.
		case string(fs[0]) == "|--":
			if len(fs) != 2 {
				return nil, l.lineError(line, "want \"|-- ADDRESS\"")
			}
			if leaf, ok = textAddr(fs[1]); !ok || !leaf.Is4() {
				return nil, l.errorf("leaf", fs[1], "not an IPv4 address")
			}
		case fs[0][0] == '/':
			if !leaf.IsValid() {
				return nil, l.lineError(line, "prefix line before a leaf")
			}
			rt, err := fibAlias(l, fs, leaf)
			if err != nil {
				return nil, err
			}
			rt.Table = table
			out.push(rt)
		default:
			return nil, l.lineError(line, "unknown trie line")
		}
	}
	return out.result(l.err)
}

// fibAlias parses "/LEN SCOPE TYPE [tos=N]"; an unknown scope prints as
// "scope=N" and an unknown type as "type N".
func fibAlias(l *lines, fs [][]byte, leaf netip.Addr) (snapshots.Route, error) {
	rt := snapshots.Route{Family: snapshots.AFInet}
	n, ok := dec32(fs[0][1:])
	if !ok || n > 32 {
		return rt, l.errorf("prefix", fs[0], "not /0 to /32")
	}
	rt.Dst = netip.PrefixFrom(leaf, int(n))
	if len(fs) < 3 {
		return rt, l.errorf("prefix", fs[0], "want \"/LEN SCOPE TYPE\"")
	}
	if s, ok := scopeNames[string(fs[1])]; ok {
		rt.Scope = s
	} else if v, ok := bytes.CutPrefix(fs[1], []byte("scope=")); ok {
		x, ok := decInt32(v)
		if !ok || x < 0 || x > 0xff {
			return rt, l.errorf("scope", fs[1], "not a scope")
		}
		rt.Scope = uint8(x)
	} else {
		return rt, l.errorf("scope", fs[1], "not a scope")
	}
	rest := fs[3:]
	if string(fs[2]) == "type" {
		if len(fs) < 4 {
			return rt, l.errorf("type", fs[2], "type without a number")
		}
		x, ok := dec32(fs[3])
		if !ok || x > 0xff {
			return rt, l.errorf("type", fs[3], "not a route type")
		}
		rt.Type = uint8(x)
		rest = fs[4:]
	} else {
		found := false
		for i, name := range rtnNames {
			if string(fs[2]) == name {
				rt.Type, found = uint8(i), true
				break
			}
		}
		if !found {
			return rt, l.errorf("type", fs[2], "unknown route type")
		}
	}
	for _, f := range rest {
		v, ok := bytes.CutPrefix(f, []byte("tos="))
		if !ok {
			return rt, l.errorf("", f, "unknown attribute")
		}
		x, err := strconv.ParseUint(string(v), 10, 8)
		if err != nil {
			return rt, l.errorf("tos", f, "not a TOS value")
		}
		rt.TOS = uint8(x)
	}
	return rt, nil
}
