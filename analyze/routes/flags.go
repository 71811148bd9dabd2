package routes

import (
	"strings"

	"github.com/netmortem/netmortem/snapshots"
)

// Flags is the set of netstat route flag letters of one row.
//
// Mapping from Linux (copied to docs/FORMS.md, routing table, Flags column):
//
//	U  usable: set on every row except next hops the kernel marks dead or
//	   link-down (RTNH_F_DEAD or RTNH_F_LINKDOWN, on the next hop or on the
//	   route's rtm_flags)
//	G  the next hop has a gateway (RTA_GATEWAY or RTA_VIA)
//	H  host route: a /32 IPv4 or /128 IPv6 destination
//	M  one of several next hops of a multipath route (RTA_MULTIPATH with two
//	   or more next hops); the Solaris -multirt meaning has no Linux analogue
//	S  an explicit preferred source (RTA_PREFSRC) on a route not made by the
//	   kernel (protocol other than "kernel"): what route -setsrc would set
//	D  made by a redirect: protocol "redirect", or a cloned exception the
//	   kernel marks redirected (RTCF_REDIRECTED in rtm_flags)
//	A  (with -a) a route-cache exception (RTM_F_CLONED): PMTU or redirect
//	B  (with -a) type broadcast
//	L  (with -a) type local
//	R  Linux extension: a route that rejects or drops — types unreachable,
//	   prohibit, blackhole and throw, which have no Solaris letter. The
//	   filter engine accepts R like the man page's letters.
//
// Letters print in the order U G H D A B L M S R (Solaris 10's order, R
// last). Types anycast, multicast, nat and xresolve get no type letter.
type Flags uint16

// The flag bits.
const (
	FlagU Flags = 1 << iota
	FlagG
	FlagH
	FlagD
	FlagA
	FlagB
	FlagL
	FlagM
	FlagS
	FlagR
)

// flagLetters lists the letters in print order; bit i is letter i.
const flagLetters = "UGHDABLMSR"

// AllFlags holds every flag bit.
const AllFlags Flags = 1<<len(flagLetters) - 1

// String returns the letters of f in print order, "" for none.
func (f Flags) String() string {
	var b [len(flagLetters)]byte
	n := 0
	for i := 0; i < len(flagLetters); i++ {
		if f&(1<<i) != 0 {
			b[n] = flagLetters[i]
			n++
		}
	}
	return string(b[:n])
}

// flagOf returns the bit of a letter, 0 when the letter is unknown.
// Letters are case-sensitive, as in netstat.
func flagOf(c byte) Flags {
	if i := strings.IndexByte(flagLetters, c); i >= 0 {
		return 1 << i
	}
	return 0
}

// Kernel codes the flags are computed from (linux/rtnetlink.h,
// linux/in_route.h).
const (
	rtnUnicast     = 1
	rtnLocal       = 2
	rtnBroadcast   = 3
	rtnAnycast     = 4
	rtnMulticast   = 5
	rtnBlackhole   = 6
	rtnUnreachable = 7
	rtnProhibit    = 8
	rtnThrow       = 9

	rtprotRedirect = 1
	rtprotKernel   = 2

	rtnhFDead     = 0x01
	rtnhFLinkdown = 0x10
	rtmFCloned    = 0x200
	rtcfRedirect  = 0x40000 // RTCF_REDIRECTED, copied into rtm_flags of exceptions

	// TableMain is RT_TABLE_MAIN, the table netstat -r shows without -a.
	TableMain = 254
)

// routeFlags returns the flags that depend on the route only.
func routeFlags(r *snapshots.Route) Flags {
	var f Flags
	if r.Dst.IsValid() && r.Dst.Bits() == r.Dst.Addr().BitLen() {
		f |= FlagH
	}
	cloned := isCloned(r)
	if cloned {
		f |= FlagA
	}
	if r.Protocol == rtprotRedirect || (cloned && r.Flags&rtcfRedirect != 0) {
		f |= FlagD
	}
	switch r.Type {
	case rtnBroadcast:
		f |= FlagB
	case rtnLocal:
		f |= FlagL
	case rtnBlackhole, rtnUnreachable, rtnProhibit, rtnThrow:
		f |= FlagR
	}
	if r.PrefSrc.IsValid() && r.Protocol != rtprotKernel {
		f |= FlagS
	}
	if r.Multipath && len(r.NextHops) > 1 {
		f |= FlagM
	}
	return f
}

// hopFlags adds the next-hop flags to the route's flags; h is nil for a
// route without next hops.
func hopFlags(r *snapshots.Route, rf Flags, h *snapshots.NextHop) Flags {
	f := rf
	dead := uint32(r.Flags)
	if h != nil {
		dead |= uint32(h.Flags)
		if h.Gateway.IsValid() && !h.Gateway.IsUnspecified() {
			f |= FlagG
		}
	}
	if dead&(rtnhFDead|rtnhFLinkdown) == 0 {
		f |= FlagU
	}
	return f
}

// isCloned reports whether r is a route-cache exception.
func isCloned(r *snapshots.Route) bool { return r.Cloned || r.Flags&rtmFCloned != 0 }

// FlagsOf returns the flags of next hop i of r, or of the route itself
// when i < 0 or r has no next hops.
func FlagsOf(r *snapshots.Route, i int) Flags {
	rf := routeFlags(r)
	if i < 0 || i >= len(r.NextHops) {
		return hopFlags(r, rf, nil)
	}
	return hopFlags(r, rf, &r.NextHops[i])
}
