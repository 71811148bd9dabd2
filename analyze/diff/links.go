package diff

import (
	"strconv"

	"github.com/netmortem/netmortem/snapshots"
)

// Interfaces are joined by name. An interface's index, type, flags, MTU,
// addresses and settings are compared; its statistics are counters.

func compareLinks(c *comparer, sec *Section) {
	compareRows(c, &linkSpec, sec, c.old.t.Links, c.new.t.Links)
}

var linkSpec = spec[snapshots.Link, string]{
	key:  func(s *side, l *snapshots.Link) string { return l.Name },
	desc: linkDesc,
	pair: linkCounters,
}

func linkDesc(s *side, l *snapshots.Link) (key, attrs Fields) {
	key.bare("name", l.Name)
	a := &attrs
	a.add("index", num(l.Index))
	a.add("kind", l.Kind)
	a.add("slave", l.SlaveKind)
	a.add("type", named(linkTypes, l.Type))
	a.add("flags", flags(ifFlags, l.Flags))
	a.add("state", named(operStates, l.OperState))
	a.add("mtu", unum(l.MTU))
	a.add("lladdr", hwAddr(l.HWAddr))
	a.add("brd", hwAddr(l.Broadcast))
	a.add("permaddr", hwAddr(l.PermAddr))
	if l.Master != 0 {
		a.add("master", s.ifName(l.Master))
	}
	// A parent in another namespace is numbered there; only a parent of
	// this namespace has a name worth comparing.
	if l.Parent != 0 && l.ParentNetns < 0 && l.Parent != l.Index {
		a.add("link", s.ifName(l.Parent))
	}
	a.add("qdisc", l.Qdisc)
	a.add("qlen", unum(l.TxQueueLen))
	if l.Group != 0 {
		a.add("group", unum(l.Group))
	}
	if l.Promiscuity != 0 {
		a.add("promiscuity", unum(l.Promiscuity))
	}
	if l.LinkMode != 0 {
		a.add("mode", "dormant")
	}
	a.add("alias", l.Alias)
	if len(l.AltNames) > 0 {
		a.addSet("altnames", append([]string(nil), l.AltNames...))
	}
	a.addSet("addresses", s.addrsOf(l.Index))
	return key, attrs
}

// addrsOf describes the addresses of interface i, one element each:
// address/prefix, peer, label, scope and flags; lifetimes are volatile
// and left out.
func (s *side) addrsOf(i int32) []string {
	if s.addrIdx == nil {
		s.addrIdx = map[int32][]int{}
		for j := range s.t.Addrs {
			s.addrIdx[s.t.Addrs[j].Index] = append(s.addrIdx[s.t.Addrs[j].Index], j)
		}
	}
	var out []string
	for _, j := range s.addrIdx[i] {
		out = append(out, s.addrDesc(&s.t.Addrs[j]))
	}
	return out
}

func (s *side) addrDesc(a *snapshots.Addr) string {
	ip := a.IP()
	d := addrStr(ip) + "/" + unum(a.PrefixLen)
	if a.Local.IsValid() && a.Address.IsValid() && a.Address != a.Local {
		d += " peer " + a.Address.String()
	}
	if a.Broadcast.IsValid() {
		d += " brd " + a.Broadcast.String()
	}
	if a.Anycast.IsValid() {
		d += " anycast " + a.Anycast.String()
	}
	if a.Scope != 0 {
		d += " scope " + named(scopes, a.Scope)
	}
	if a.Label != "" && a.Label != s.ifnames[a.Index] {
		d += " label " + a.Label
	}
	if f := flags(addrFlags, a.Flags); f != "" {
		d += " " + f
	}
	if a.Proto != 0 {
		d += " proto " + unum(a.Proto)
	}
	return d
}

// linkStatNames name rtnl_link_stats64 in kernel order.
var linkStatNames = []string{"rx_packets", "tx_packets", "rx_bytes", "tx_bytes", "rx_errors",
	"tx_errors", "rx_dropped", "tx_dropped", "multicast", "collisions", "rx_length_errors",
	"rx_over_errors", "rx_crc_errors", "rx_frame_errors", "rx_fifo_errors", "rx_missed_errors",
	"tx_aborted_errors", "tx_carrier_errors", "tx_fifo_errors", "tx_heartbeat_errors",
	"tx_window_errors", "rx_compressed", "tx_compressed", "rx_nohandler", "rx_otherhost_dropped"}

func linkStats(st *snapshots.LinkStats) []uint64 {
	v := []uint64{st.RxPackets, st.TxPackets, st.RxBytes, st.TxBytes, st.RxErrors, st.TxErrors,
		st.RxDropped, st.TxDropped, st.Multicast, st.Collisions, st.RxLengthErrors, st.RxOverErrors,
		st.RxCRCErrors, st.RxFrameErrors, st.RxFIFOErrors, st.RxMissedErrors, st.TxAbortedErrors,
		st.TxCarrierErrors, st.TxFIFOErrors, st.TxHeartbeatErrors, st.TxWindowErrors, st.RxCompressed,
		st.TxCompressed, st.RxNoHandler, st.RxOtherhostDropped}
	return append(v, st.Extra...)
}

func linkCounters(c *comparer, sec *Section, a, b *snapshots.Link) {
	if !a.Stats.Valid || !b.Stats.Valid {
		return
	}
	cause := ""
	if a.Index != b.Index {
		cause = ResetRecreated
	}
	ov, nv := linkStats(&a.Stats), linkStats(&b.Stats)
	for i := 0; i < len(ov) && i < len(nv); i++ {
		name := "stats64[" + strconv.Itoa(i) + "]"
		if i < len(linkStatNames) {
			name = linkStatNames[i]
		}
		c.counter(sec, b.Name+" "+name, ov[i], nv[i], cause, driverWidth)
	}
}
