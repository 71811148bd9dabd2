package diff

import (
	"testing"

	"github.com/netmortem/netmortem/snapshots"
)

// TestEveryKindInEveryTable removes a row, adds one with a new key, and
// changes a compared field, in every section, and checks each is seen as
// what it is and nothing else moves.
func TestEveryKindInEveryTable(t *testing.T) {
	type muts struct {
		remove, add, change func(*snapshots.Tables)
	}
	for section, m := range map[string]muts{
		"interfaces": {
			func(ts *snapshots.Tables) { ts.Links = ts.Links[1:]; ts.Addrs = ts.Addrs[1:] },
			func(ts *snapshots.Tables) { ts.Links = append(ts.Links, snapshots.Link{Index: 9, Name: "a9"}) },
			func(ts *snapshots.Tables) { ts.Links[1].Alias = "uplink" }},
		"routes": {
			func(ts *snapshots.Tables) { ts.Routes = ts.Routes[1:] },
			func(ts *snapshots.Tables) {
				r := ts.Routes[0]
				r.Table = 7
				ts.Routes = append(ts.Routes, r)
			},
			func(ts *snapshots.Tables) { ts.Routes[1].Scope = 254 }},
		"rules": {
			func(ts *snapshots.Tables) { ts.Rules = ts.Rules[1:] },
			func(ts *snapshots.Tables) {
				r := ts.Rules[1]
				r.IIFName = "a0"
				ts.Rules = append(ts.Rules, r)
			},
			func(ts *snapshots.Tables) { ts.Rules[1].Action = 6 }},
		"neighbours": {
			func(ts *snapshots.Tables) { ts.Neighbours = ts.Neighbours[1:] },
			func(ts *snapshots.Tables) {
				n := ts.Neighbours[0]
				n.Index = 3
				ts.Neighbours = append(ts.Neighbours, n)
			},
			func(ts *snapshots.Tables) { ts.Neighbours[0].Flags = 0x80 }},
		"inet sockets": {
			func(ts *snapshots.Tables) { ts.InetSockets = ts.InetSockets[1:] },
			func(ts *snapshots.Tables) {
				k := ts.InetSockets[5]
				k.Proto = snapshots.ProtoUDPLite
				ts.InetSockets = append(ts.InetSockets, k)
			},
			func(ts *snapshots.Tables) { ts.InetSockets[2].V6Only = 1 }},
		"unix sockets": {
			func(ts *snapshots.Tables) { ts.UnixSockets = ts.UnixSockets[1:] },
			func(ts *snapshots.Tables) {
				ts.UnixSockets = append(ts.UnixSockets, snapshots.UnixSocket{Type: 2, State: 7, Inode: 2999, Name: "/dev/log"})
			},
			func(ts *snapshots.Tables) { ts.UnixSockets[3].RecvQ = 40 }},
		"packet sockets": {
			func(ts *snapshots.Tables) { ts.PacketSockets = nil },
			func(ts *snapshots.Tables) {
				ts.PacketSockets = append(ts.PacketSockets, snapshots.PacketSocket{Type: 2, Proto: 0x88cc, IfIndex: 3, Inode: 3002})
			},
			func(ts *snapshots.Tables) { ts.PacketSockets[0].Running = false }},
		"sctp endpoints": {
			func(ts *snapshots.Tables) { ts.SCTPEndpoints = nil },
			func(ts *snapshots.Tables) {
				e := ts.SCTPEndpoints[0]
				e.Port = 9998
				ts.SCTPEndpoints = append(ts.SCTPEndpoints, e)
			},
			func(ts *snapshots.Tables) { ts.SCTPEndpoints[0].State = 7 }},
		"sctp associations": {
			func(ts *snapshots.Tables) { ts.SCTPAssocs = nil },
			func(ts *snapshots.Tables) {
				a := ts.SCTPAssocs[0]
				a.RemotePort = 40001
				ts.SCTPAssocs = append(ts.SCTPAssocs, a)
			},
			func(ts *snapshots.Tables) { ts.SCTPAssocs[0].OutStreams = 5 }},
		"memberships": {
			func(ts *snapshots.Tables) { ts.Groups = ts.Groups[1:] },
			func(ts *snapshots.Tables) {
				g := ts.Groups[0]
				g.Group = ip("239.9.9.9")
				ts.Groups = append(ts.Groups, g)
			},
			func(ts *snapshots.Tables) { ts.Groups[1].Mode = snapshots.FilterExclude }},
		"igmp interfaces": {
			func(ts *snapshots.Tables) { ts.McastIfaces = nil },
			func(ts *snapshots.Tables) {
				ts.McastIfaces = append(ts.McastIfaces, snapshots.McastIface{IfIndex: 3, IfName: "a1", Querier: "V3"})
			},
			func(ts *snapshots.Tables) { ts.McastIfaces[0].Querier = "V1" }},
		"link-layer groups": {
			func(ts *snapshots.Tables) { ts.LinkGroups = nil },
			func(ts *snapshots.Tables) {
				ts.LinkGroups = append(ts.LinkGroups, snapshots.LinkMembership{IfIndex: 3, IfName: "a1", Users: 1, Addr: mac(0x33, 0x33, 0, 0, 0, 1)})
			},
			func(ts *snapshots.Tables) { ts.LinkGroups[0].Global = true }},
		"vifs": {
			func(ts *snapshots.Tables) { ts.Vifs = nil },
			func(ts *snapshots.Tables) {
				ts.Vifs = append(ts.Vifs, snapshots.Vif{Family: snapshots.AFInet, Index: 1, Name: "a1", LocalIfIndex: 3})
			},
			func(ts *snapshots.Tables) { ts.Vifs[0].Flags = 1 }},
		"multicast routes": {
			func(ts *snapshots.Tables) { ts.MFC = nil },
			func(ts *snapshots.Tables) {
				m := ts.MFC[0]
				m.Group = ip("239.3.3.3")
				ts.MFC = append(ts.MFC, m)
			},
			func(ts *snapshots.Tables) { ts.MFC[0].Resolved = false }},
		"protocols": {
			func(ts *snapshots.Tables) { ts.Protocols = nil },
			func(ts *snapshots.Tables) {
				ts.Protocols = append(ts.Protocols, snapshots.ProtocolRow{Name: "UDP", Memory: -1})
			},
			func(ts *snapshots.Tables) { ts.Protocols[0].Module = "tcp" }},
		"sysctls": {
			func(ts *snapshots.Tables) { ts.Sysctls = ts.Sysctls[1:] },
			func(ts *snapshots.Tables) {
				ts.Sysctls = append(ts.Sysctls, snapshots.Sysctl{Name: "net.core.rmem_max", Value: "212992"})
			},
			func(ts *snapshots.Tables) { ts.Sysctls[1].Value = "128" }},
		"slabs": {
			func(ts *snapshots.Tables) { ts.Slabs = nil },
			func(ts *snapshots.Tables) { ts.Slabs = append(ts.Slabs, snapshots.Slab{Name: "TCP", ObjSize: 2400}) },
			func(ts *snapshots.Tables) { ts.Slabs[0].PagesPerSlab = 2 }},
		"dhcp leases": {
			func(ts *snapshots.Tables) { ts.Leases = nil },
			func(ts *snapshots.Tables) {
				l := ts.Leases[1]
				l.Interface = "a1"
				ts.Leases = append(ts.Leases, l)
			},
			func(ts *snapshots.Tables) { ts.Leases[1].Server = ip("10.1.0.3") }},
	} {
		for kind, mut := range map[Kind]func(*snapshots.Tables){Removed: m.remove, Added: m.add, Changed: m.change} {
			r := compareBase(mut)
			var got []string
			for _, l := range lines(r) {
				got = append(got, l.Section+" "+l.Kind)
			}
			if len(got) != 1 || got[0] != section+" "+kind.String() {
				t.Errorf("%s %s: got %v", section, kind, got)
			}
		}
	}
}
