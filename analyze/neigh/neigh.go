// Package neigh maps Linux neighbour cache entries (ARP and NDP, with
// their NUD states and NTF flags) to the rows of Solaris netstat -p: the
// IPv4 ARP flag letters and the IPv6 neighbour cache's Type and State.
// The mapping is documented in docs/FORMS.md, "Form 3 — net to media".
package neigh

import (
	"strings"

	"github.com/netmortem/netmortem/snapshots"
)

// NUD states (include/uapi/linux/neighbour.h).
const (
	NUDIncomplete = 0x01
	NUDReachable  = 0x02
	NUDStale      = 0x04
	NUDDelay      = 0x08
	NUDProbe      = 0x10
	NUDFailed     = 0x20
	NUDNoARP      = 0x40
	NUDPermanent  = 0x80
)

// NTF flags; the model keeps NTF_EXT_* shifted left by 8.
const (
	NTFUse         = 0x01
	NTFSelf        = 0x02
	NTFMaster      = 0x04
	NTFProxy       = 0x08
	NTFExtLearned  = 0x10
	NTFOffloaded   = 0x20
	NTFSticky      = 0x40
	NTFRouter      = 0x80
	NTFExtManaged  = 0x01 << 8
	NTFExtLocked   = 0x02 << 8
	NTFExtExtValid = 0x04 << 8
)

// StateName is the NUD state as ip(8) prints it: "REACHABLE",
// "STALE" …, several joined by "," when more than one bit is set,
// "NONE" for 0.
func StateName(s uint16) string {
	if s == 0 {
		return "NONE"
	}
	names := []struct {
		bit  uint16
		name string
	}{
		{NUDIncomplete, "INCOMPLETE"}, {NUDReachable, "REACHABLE"}, {NUDStale, "STALE"},
		{NUDDelay, "DELAY"}, {NUDProbe, "PROBE"}, {NUDFailed, "FAILED"},
		{NUDNoARP, "NOARP"}, {NUDPermanent, "PERMANENT"},
	}
	var out []string
	for _, n := range names {
		if s&n.bit != 0 {
			out = append(out, n.name)
			s &^= n.bit
		}
	}
	if s != 0 {
		out = append(out, "0x"+hex(uint64(s)))
	}
	return strings.Join(out, ",")
}

// FlagNames lists the NTF flags of an entry as ip(8) names them, plus
// "proxy" for an entry of the proxy table.
func FlagNames(n *snapshots.Neighbour) []string {
	var out []string
	if n.Proxy || n.Flags&NTFProxy != 0 {
		out = append(out, "proxy")
	}
	for _, f := range []struct {
		bit  uint32
		name string
	}{
		{NTFRouter, "router"}, {NTFExtLearned, "extern_learn"}, {NTFOffloaded, "offload"},
		{NTFSticky, "sticky"}, {NTFExtManaged, "managed"}, {NTFExtLocked, "locked"},
	} {
		if n.Flags&f.bit != 0 {
			out = append(out, f.name)
		}
	}
	return out
}

func hex(v uint64) string {
	const digits = "0123456789abcdef"
	if v == 0 {
		return "0"
	}
	var b []byte
	for v > 0 {
		b = append([]byte{digits[v&15]}, b...)
		v >>= 4
	}
	return string(b)
}

// ARPFlags returns the Solaris ARP flag letters of an IPv4 entry, in
// netstat's order S P D U M L d A o y:
//
//	S  PERMANENT or NOARP (the entry does not change by learning)
//	P  a proxy (published) entry
//	U  INCOMPLETE, FAILED or no state: not resolved
//	M  a NOARP entry for a multicast address (mapped, not resolved)
//	o  STALE, DELAY or PROBE: due for, or under, re-verification
//
// D, L, d, A and y have no Linux counterpart: the neighbour table holds
// neither dying entries, local addresses, duplicate-address detection
// nor authority and rate-limit state.
func ARPFlags(n *snapshots.Neighbour) string {
	var b strings.Builder
	mcast := n.Addr.IsValid() && n.Addr.IsMulticast()
	proxy := n.Proxy || n.Flags&NTFProxy != 0
	if n.State&NUDPermanent != 0 || n.State&NUDNoARP != 0 && !mcast || proxy {
		b.WriteByte('S')
	}
	if proxy {
		b.WriteByte('P')
	}
	if !proxy && (n.State == 0 || n.State&(NUDIncomplete|NUDFailed) != 0) {
		b.WriteByte('U')
	}
	if n.State&NUDNoARP != 0 && mcast {
		b.WriteByte('M')
	}
	if n.State&(NUDStale|NUDDelay|NUDProbe) != 0 {
		b.WriteByte('o')
	}
	return b.String()
}

// NDPType returns the IPv6 neighbour cache Type (ipNetToMediaType):
// "static" for PERMANENT entries, "other" for NOARP and proxy entries
// (nothing is resolved), "dynamic" for everything learned.
func NDPType(n *snapshots.Neighbour) string {
	switch {
	case n.Proxy || n.Flags&NTFProxy != 0:
		return "other"
	case n.State&NUDPermanent != 0:
		return "static"
	case n.State&NUDNoARP != 0:
		return "other"
	}
	return "dynamic"
}

// NDPState returns the IPv6 neighbour cache State: the NUD state of the
// same name, UNREACHABLE for FAILED, REACHABLE for PERMANENT and NOARP
// (usable without resolution), UNKNOWN for none (proxy entries).
func NDPState(n *snapshots.Neighbour) string {
	s := n.State
	switch {
	case n.Proxy:
		return "UNKNOWN"
	case s&NUDIncomplete != 0:
		return "INCOMPLETE"
	case s&NUDReachable != 0:
		return "REACHABLE"
	case s&NUDStale != 0:
		return "STALE"
	case s&NUDDelay != 0:
		return "DELAY"
	case s&NUDProbe != 0:
		return "PROBE"
	case s&NUDFailed != 0:
		return "UNREACHABLE"
	case s&(NUDPermanent|NUDNoARP) != 0:
		return "REACHABLE"
	}
	return "UNKNOWN"
}
