package iptext

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/netmortem/netmortem/snapshots"
)

// FR_ACT_* rule actions and FIB_RULE_* flags.
const (
	frActToTbl      = 1
	frActGoto       = 2
	frActNop        = 3
	frActBlackhole  = 6
	frActUnreach    = 7
	frActProhibit   = 8
	fibRuleInvert   = 0x2
	fibRuleUnresolv = 0x4
	fibRuleIIFDet   = 0x8
	fibRuleOIFDet   = 0x10
)

var ipProtos = map[string]uint8{"icmp": 1, "igmp": 2, "tcp": 6, "udp": 17, "gre": 47, "esp": 50,
	"ah": 51, "ipv6-icmp": 58, "icmpv6": 58, "sctp": 132, "udplite": 136}

// ParseRules parses `ip [-4|-6] rule [list]` output of one family.
//
// From the text: Priority, the selectors (Src, Dst, TOS, FwMark/FwMask,
// IIFName, OIFName with their detached flags, "not", L3MDev, UIDRange,
// IPProto, port ranges), the action and Table, Goto, SuppressPrefixLen,
// SuppressIfGroup and Flow (realms). Protocol is only printed by newer
// iproute2 or with -d; otherwise it stays 0, also for the kernel's own
// default rules.
func ParseRules(data []byte, fam uint8, names *Names) ([]snapshots.Rule, Skipped) {
	var sk Skipped
	var out []snapshots.Rule
	for l := range lines(data, &sk) {
		f := strings.Fields(l.text)
		if len(f) < 2 || !strings.HasSuffix(f[0], ":") {
			sk.add(l.n, l.text, "not a rule")
			continue
		}
		prio, ok := u32(strings.TrimSuffix(f[0], ":"))
		if !ok {
			sk.add(l.n, l.text, "bad priority")
			continue
		}
		r := snapshots.Rule{Family: fam, Priority: prio, SuppressPrefixLen: -1, SuppressIfGroup: -1}
		whole := true
		f = f[1:]
		for i := 0; i < len(f); i++ {
			w := f[i]
			next, has := "", i+1 < len(f)
			if has {
				next = f[i+1]
			}
			switch w {
			case "not":
				r.Flags |= fibRuleInvert
				continue
			case "[detached]":
				// Follows iif or oif; which one was the previous selector.
				if i >= 2 && f[i-2] == "oif" {
					r.Flags |= fibRuleOIFDet
				} else {
					r.Flags |= fibRuleIIFDet
				}
				continue
			case "l3mdev":
				r.L3MDev = 1
				continue
			case "unresolved":
				r.Flags |= fibRuleUnresolv
				continue
			case "nop":
				r.Action = frActNop
				continue
			case "blackhole":
				r.Action = frActBlackhole
				continue
			case "unreachable":
				r.Action = frActUnreach
				continue
			case "prohibit":
				r.Action = frActProhibit
				continue
			}
			if !has {
				whole = false
				continue
			}
			i++
			switch w {
			case "from", "to":
				if next == "all" {
					continue
				}
				p, ok := parsePrefix(next)
				if !ok || family(p.Addr()) != fam {
					whole = false
					continue
				}
				if w == "from" {
					r.Src = p
				} else {
					r.Dst = p
				}
			case "tos", "dsfield":
				if v, err := parseNum(next, 255); err == nil {
					r.TOS = uint8(v)
				} else {
					whole = false
				}
			case "fwmark":
				m, mask, _ := strings.Cut(next, "/")
				v, ok := u32(m)
				if !ok {
					whole = false
					continue
				}
				r.FwMark, r.FwMask, r.HasFwMark = v, 0xffffffff, true
				if mask != "" {
					r.FwMask, _ = u32(mask)
				}
			case "iif":
				r.IIFName = next
			case "oif":
				r.OIFName = next
			case "uidrange":
				a, b, _ := strings.Cut(next, "-")
				lo, ok1 := u32(a)
				hi, ok2 := u32(b)
				if !ok1 || !ok2 {
					whole = false
					continue
				}
				r.UIDRange = &[2]uint32{lo, hi}
			case "ipproto":
				if v, ok := ipProtos[next]; ok {
					r.IPProto = v
				} else if v, err := parseNum(strings.TrimPrefix(next, "ipproto-"), 255); err == nil {
					r.IPProto = uint8(v)
				} else {
					whole = false
				}
			case "sport", "dport":
				rg, ok := portRange(next)
				if !ok {
					whole = false
					continue
				}
				if w == "sport" {
					r.SPortRange = rg
				} else {
					r.DPortRange = rg
				}
			case "proto":
				if p, ok := names.proto(next); ok {
					r.Protocol = p
				} else {
					whole = false
				}
			case "lookup", "table":
				r.Action = frActToTbl
				if t, ok := names.table(next); ok {
					r.Table = t
				} else if next == "[l3mdev-table]" {
					r.Table = 0
				} else {
					whole = false
				}
			case "goto":
				r.Action = frActGoto
				r.Goto, _ = u32(next)
			case "suppress_prefixlength":
				if v, err := strconv.ParseInt(next, 10, 32); err == nil {
					r.SuppressPrefixLen = int32(v)
				}
			case "suppress_ifgroup":
				if g, ok := names.group(next); ok {
					r.SuppressIfGroup = int32(g)
				}
			case "realms":
				a, b, slash := strings.Cut(next, "/")
				if !slash {
					a, b = "", a
				}
				src, _ := names.realm(a)
				dst, _ := names.realm(b)
				r.Flow = src<<16 | dst
			case "tun_id", "flowlabel", "dscp":
				// No model field.
			default:
				i--
				whole = false
			}
		}
		if !whole {
			sk.add(l.n, l.text, "rule kept, but not every word understood")
		}
		out = append(out, r)
	}
	return out, sk
}

func portRange(s string) (*[2]uint16, bool) {
	a, b, dash := strings.Cut(s, "-")
	if !dash {
		b = a
	}
	lo, err1 := parseNum(a, 65535)
	hi, err2 := parseNum(b, 65535)
	if err1 != nil || err2 != nil {
		return nil, false
	}
	return &[2]uint16{uint16(lo), uint16(hi)}, true
}

// NUD_* neighbour states and NTF_* flags by iproute2 name.
var nudStates = map[string]uint16{"INCOMPLETE": 0x01, "REACHABLE": 0x02, "STALE": 0x04,
	"DELAY": 0x08, "PROBE": 0x10, "FAILED": 0x20, "NOARP": 0x40, "PERMANENT": 0x80, "NONE": 0}
var ntfFlags = map[string]uint32{"use": 0x01, "self": 0x02, "master": 0x04, "proxy": 0x08,
	"extern_learn": 0x10, "offload": 0x20, "sticky": 0x40, "router": 0x80,
	"managed": 0x100, "locked": 0x200, "ext_validated": 0x400}

// ParseNeigh parses `ip [-s [-s]] neigh show [nud …]` and `ip neigh show
// proxy` output (both families).
//
// Kept: Family, Index (from the device name), Addr, LLAddr, State,
// Flags, Protocol, Probes, RefCnt, and the cache ages "used A/B/C"
// (used/confirmed/updated, whole seconds) converted to clock ticks with
// HasCacheInfo; sub-second precision is lost. Type is RTN_MULTICAST for a
// multicast address, RTN_BROADCAST for an address in bcast, RTN_UNICAST
// otherwise — what the kernel sets. iproute2 6.1 glues "probes" to the
// ages ("used 5/5/2probes 1"); both forms are read. Entries in state
// NONE are not printed by ip and so are missing.
func ParseNeigh(data []byte, ticks uint32, bcast map[netip.Addr]bool, names *Names) ([]snapshots.Neighbour, Skipped) {
	var sk Skipped
	var out []snapshots.Neighbour
	if ticks == 0 {
		ticks = 100
	}
	for l := range lines(data, &sk) {
		f := strings.Fields(strings.ReplaceAll(l.text, "probes", " probes"))
		if len(f) == 0 {
			continue
		}
		a, err := netip.ParseAddr(f[0])
		if err != nil || a.Zone() != "" {
			sk.add(l.n, l.text, "not a neighbour")
			continue
		}
		n := snapshots.Neighbour{Family: family(a), Addr: a, Type: 1}
		switch {
		case a.IsMulticast():
			n.Type = 5
		case bcast[a]:
			n.Type = 3
		}
		whole := true
		for i := 1; i < len(f); i++ {
			w := f[i]
			if s, ok := nudStates[w]; ok {
				n.State |= s
				continue
			}
			if fl, ok := ntfFlags[w]; ok {
				n.Flags |= fl
				if w == "proxy" {
					n.Proxy = true
				}
				continue
			}
			if i+1 >= len(f) {
				whole = false
				continue
			}
			i++
			next := f[i]
			switch w {
			case "dev":
				idx, ok := names.ifindex(next)
				if !ok {
					whole = false
				}
				n.Index = idx
			case "lladdr":
				mac, ok := parseMAC(next)
				if !ok {
					whole = false
					continue
				}
				n.LLAddr = mac
			case "probes":
				n.Probes, _ = u32(next)
			case "ref":
				n.RefCnt, _ = u32(next)
			case "proto":
				if p, ok := names.proto(next); ok {
					n.Protocol = p
				}
			case "vlan":
				if v, err := parseNum(next, 4095); err == nil {
					n.VLAN = uint16(v)
				}
			case "used":
				parts := strings.Split(next, "/")
				if len(parts) != 3 {
					whole = false
					continue
				}
				var v [3]uint32
				for j, p := range parts {
					s, ok := u32(p)
					if !ok {
						whole = false
					}
					v[j] = uint32(min(uint64(s)*uint64(ticks), 1<<32-1))
				}
				n.Used, n.Confirmed, n.Updated, n.HasCacheInfo = v[0], v[1], v[2], true
			default:
				i--
				whole = false
			}
		}
		if n.Proxy {
			n.State = 0
		}
		if !whole {
			sk.add(l.n, l.text, "neighbour kept, but not every word understood")
		}
		out = append(out, n)
	}
	return out, sk
}
