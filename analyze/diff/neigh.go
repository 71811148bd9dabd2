package diff

import (
	"bytes"
	"net/netip"

	"github.com/netmortem/netmortem/snapshots"
)

// Neighbours are joined by family, device name, address and whether the
// entry is a proxy entry. The link-layer address, the state, flags, VLAN,
// master and protocol are compared — but the state only by class: the
// kernel ages a resolved entry through REACHABLE, STALE, DELAY and PROBE
// on its own, and those moves are no change. Ages, reference counts and
// probe counts are volatile.

type neighKey struct {
	addr   netip.Addr
	dev    string
	family uint8
	proxy  bool
}

var neighSpec = spec[snapshots.Neighbour, neighKey]{
	key: func(s *side, n *snapshots.Neighbour) neighKey {
		return neighKey{addr: n.Addr, dev: s.ifName(n.Index), family: n.Family, proxy: n.Proxy}
	},
	same: func(o *side, a *snapshots.Neighbour, n *side, b *snapshots.Neighbour) bool {
		return bytes.Equal(a.LLAddr, b.LLAddr) && nudClass(a.State) == nudClass(b.State) &&
			a.Flags == b.Flags && a.Type == b.Type && a.VLAN == b.VLAN && a.Protocol == b.Protocol &&
			sameIf(o, a.Master, n, b.Master)
	},
	desc: neighDesc,
}

// nudClass groups the NUD states that are the kernel's ageing of one
// resolved entry.
func nudClass(st uint16) string {
	switch st {
	case 0x02, 0x04, 0x08, 0x10:
		return "resolved"
	}
	return named(nudStates, st)
}

func nudName(st uint16) string {
	if s, ok := nudStates[st]; ok {
		return s
	}
	return "0x" + hex32(uint32(st))
}

func neighDesc(s *side, n *snapshots.Neighbour) (key, attrs Fields) {
	k := &key
	k.bare("family", familyName(n.Family))
	k.bare("address", addrStr(n.Addr))
	k.add("dev", s.ifName(n.Index))
	if n.Proxy {
		k.bare("proxy", "proxy")
	}
	a := &attrs
	a.add("lladdr", hwAddr(n.LLAddr))
	a.addCmp("state", nudName(n.State), nudClass(n.State))
	a.add("flags", flags(neighFlags, n.Flags))
	if n.Type != 0 && n.Type != 1 {
		a.add("type", named(routeTypes, n.Type))
	}
	if n.VLAN != 0 {
		a.add("vlan", unum(n.VLAN))
	}
	if n.Master != 0 {
		a.add("master", s.ifName(n.Master))
	}
	if n.Protocol != 0 {
		a.add("proto", named(routeProtos, n.Protocol))
	}
	return key, attrs
}
