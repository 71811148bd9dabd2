package procnet

import (
	"io"

	"github.com/netmortem/netmortem/snapshots"
)

// ARP flags (ATF_*) and the neighbour states and flags they map to.
const (
	ATFCom  = 0x02 // entry complete: the neighbour has a valid state
	ATFPerm = 0x04 // permanent entry
	ATFPubl = 0x08 // published: a proxy ARP entry

	nudIncomplete = 0x01
	nudReachable  = 0x02
	nudPermanent  = 0x80
	nudValid      = 0xde // PERMANENT|NOARP|REACHABLE|PROBE|STALE|DELAY
	ntfProxy      = 0x08
)

// ParseARP parses /proc/net/arp (IPv4 only; there is no /proc file for
// the IPv6 neighbour cache). ifindex maps device names to indexes (a nil
// map or an unknown name leaves Index 0).
//
// The kernel prints exactly four flag values, mapped one to one so that
// ATFFlags gives them back:
//
//	0x0  incomplete or failed       State NUD_INCOMPLETE
//	0x2  ATF_COM: any valid state    State NUD_REACHABLE (the file cannot
//	     (reachable, stale, delay,   tell which one)
//	     probe, noarp)
//	0x6  ATF_COM|ATF_PERM            State NUD_PERMANENT
//	0xc  ATF_PUBL|ATF_PERM           Proxy, Flags NTF_PROXY, State 0 (as
//	                                 a proxy dump reports it)
//
// Other values are rejected. LLAddr is nil for incomplete and proxy
// entries, which print zeros. The HW type column (ARPHRD_*, the device's
// type) and the Mask column (always "*") are not kept.
func ParseARP(r io.Reader, ifindex map[string]int32) ([]snapshots.Neighbour, error) {
	const file = "arp"
	var out table[snapshots.Neighbour]
	out.reserve(rowHint(r, 40))
	l := newLines(r, file)
	header, ok := l.next()
	if !ok {
		return nil, l.err
	}
	if hs := fields(nil, header); len(hs) < 2 || string(hs[0]) != "IP" || string(hs[1]) != "address" {
		return nil, l.lineError(header, "not an arp header")
	}
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
		// A device without a link-layer address prints a blank HW address.
		var hw []byte
		switch len(fs) {
		case 6:
			hw = fs[3]
		case 5:
		default:
			return nil, l.lineError(line, "%d fields, want 6", len(fs))
		}
		n := snapshots.Neighbour{Family: snapshots.AFInet}
		if n.Addr, ok = textAddr(fs[0]); !ok || !n.Addr.Is4() {
			return nil, l.errorf("IP address", fs[0], "not an IPv4 address")
		}
		if _, ok = hexPrefixed32(fs[1]); !ok {
			return nil, l.errorf("HW type", fs[1], "not 0x-prefixed hex")
		}
		flags, ok := hexPrefixed32(fs[2])
		if !ok {
			return nil, l.errorf("Flags", fs[2], "not 0x-prefixed hex")
		}
		switch flags {
		case 0:
			n.State = nudIncomplete
		case ATFCom:
			n.State = nudReachable
		case ATFCom | ATFPerm:
			n.State = nudPermanent
		case ATFPubl | ATFPerm:
			n.Proxy = true
			n.Flags = ntfProxy
		default:
			return nil, l.errorf("Flags", fs[2], "not a flag set the kernel prints")
		}
		if hw != nil && flags&ATFCom != 0 {
			if n.LLAddr, ok = colonHex(hw); !ok {
				return nil, l.errorf("HW address", hw, "not colon-separated hex")
			}
		}
		if dev := fs[len(fs)-1]; string(dev) != "*" {
			n.Index = ifindex[string(dev)]
		}
		out.push(n)
	}
	return out.result(l.err)
}

// ATFFlags returns the /proc/net/arp flags of a neighbour, the inverse of
// the mapping ParseARP applies (and what net-tools prints for a
// netlink-sourced entry).
func ATFFlags(n *snapshots.Neighbour) uint32 {
	switch {
	case n.Proxy:
		return ATFPubl | ATFPerm
	case n.State&nudPermanent != 0:
		return ATFCom | ATFPerm
	case n.State&nudValid != 0:
		return ATFCom
	}
	return 0
}

// colonHex decodes "02:00:00:00:0b:00".
func colonHex(b []byte) ([]byte, bool) {
	if (len(b)+1)%3 != 0 {
		return nil, false
	}
	out := make([]byte, (len(b)+1)/3)
	for i := range out {
		p := b[3*i:]
		if i > 0 && b[3*i-1] != ':' {
			return nil, false
		}
		hi, lo := unhex(p[0]), unhex(p[1])
		if hi == 0xff || lo == 0xff {
			return nil, false
		}
		out[i] = hi<<4 | lo
	}
	return out, true
}

// IPv6 address scope bits of if_inet6 (IFA_HOST, IFA_LINK, IFA_SITE).
const (
	ifaHost = 0x10
	ifaLink = 0x20
	ifaSite = 0x40
)

// ParseIfInet6 parses /proc/net/if_inet6: address (32 hex digits, network
// order), ifindex, prefix length, scope and flags (hex), device name.
// Scope is converted from the file's IPv6 scope bits to the RT_SCOPE_*
// value RTM_NEWADDR carries (as the kernel's rt_scope does); Flags holds
// only the low 8 bits the file prints. Lifetimes are not in the file.
func ParseIfInet6(r io.Reader) ([]snapshots.Addr, error) {
	const file = "if_inet6"
	l := newLines(r, file)
	var out table[snapshots.Addr]
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
		if len(fs) != 6 {
			return nil, l.lineError(line, "%d fields, want 6", len(fs))
		}
		a := snapshots.Addr{Family: snapshots.AFInet6}
		if a.Address, ok = netAddr6(fs[0]); !ok {
			return nil, l.errorf("address", fs[0], "not 32 hex digits")
		}
		var v [4]uint32
		for i := range v {
			if v[i], ok = hex32(fs[1+i]); !ok {
				return nil, l.errorf([]string{"ifindex", "prefixlen", "scope", "flags"}[i], fs[1+i], "not hex")
			}
		}
		if v[0] > 1<<31-1 || v[1] > 128 {
			return nil, l.lineError(line, "ifindex or prefix length out of range")
		}
		a.Index, a.PrefixLen, a.Flags = int32(v[0]), uint8(v[1]), v[3]
		switch {
		case v[2]&ifaHost != 0:
			a.Scope = scopeHost
		case v[2]&ifaLink != 0:
			a.Scope = scopeLink
		case v[2]&ifaSite != 0:
			a.Scope = scopeSite
		}
		out.push(a)
	}
	return out.result(l.err)
}
