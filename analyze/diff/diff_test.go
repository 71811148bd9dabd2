package diff

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/netmortem/netmortem/snapshots"
)

// line is a row difference in a form tests can spell: section, kind, key
// text and "field: old -> new" or "field: +added -removed" per change.
type line struct {
	Section, Kind, Key string
	Changes            []string
}

func lines(r *Result) []line {
	var out []line
	for _, s := range r.Sections {
		for _, row := range s.Rows {
			l := line{Section: s.Name, Kind: row.Kind.String(), Key: row.Key.String()}
			for _, c := range row.Changes {
				l.Changes = append(l.Changes, changeText(c))
			}
			out = append(out, l)
		}
	}
	return out
}

func changeText(c Change) string {
	if !c.IsSet {
		return fmt.Sprintf("%s: %s -> %s", c.Name, c.Old, c.New)
	}
	var parts []string
	for _, a := range c.Added {
		parts = append(parts, "+"+a)
	}
	for _, r := range c.Removed {
		parts = append(parts, "-"+r)
	}
	return c.Name + ": " + strings.Join(parts, " ")
}

func compareBase(mut func(*snapshots.Tables)) *Result {
	n := base()
	if mut != nil {
		mut(n)
	}
	return Compare(mkSide(base(), t0), mkSide(n, t0.Add(10*time.Second)), Options{})
}

func TestIdentical(t *testing.T) {
	r := compareBase(nil)
	if r.Differs() {
		t.Fatalf("a capture compared with itself differs: %+v", lines(r))
	}
	ts := base()
	rows := map[string]int{
		"interfaces": len(ts.Links), "routes": len(ts.Routes), "rules": len(ts.Rules),
		"neighbours": len(ts.Neighbours), "inet sockets": len(ts.InetSockets), "unix sockets": len(ts.UnixSockets),
		"packet sockets": len(ts.PacketSockets), "sctp endpoints": 1, "sctp associations": 1,
		"memberships": len(ts.Groups), "igmp interfaces": 1, "link-layer groups": 1, "vifs": 1,
		"multicast routes": 1, "statistics": 0, "protocols": 1, "sysctls": 2, "slabs": 1, "dhcp leases": 1,
	}
	if len(r.Sections) != len(rows) {
		t.Errorf("%d sections, want %d", len(r.Sections), len(rows))
	}
	for _, s := range r.Sections {
		if !s.Compared {
			t.Errorf("%s not compared: %v", s.Name, s.Notes)
		}
		if want, ok := rows[s.Name]; !ok || s.Unchanged != want {
			t.Errorf("%s: %d unchanged, want %d", s.Name, s.Unchanged, want)
		}
		if len(s.Counters) != 0 {
			t.Errorf("%s: counters moved: %+v", s.Name, s.Counters)
		}
	}
}

// TestOrderIndependent: the join is keyed, never positional.
func TestOrderIndependent(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	r := compareBase(func(ts *snapshots.Tables) {
		shuffle := func(n int, swap func(i, j int)) { rng.Shuffle(n, swap) }
		shuffle(len(ts.Links), func(i, j int) { ts.Links[i], ts.Links[j] = ts.Links[j], ts.Links[i] })
		shuffle(len(ts.Addrs), func(i, j int) { ts.Addrs[i], ts.Addrs[j] = ts.Addrs[j], ts.Addrs[i] })
		shuffle(len(ts.Routes), func(i, j int) { ts.Routes[i], ts.Routes[j] = ts.Routes[j], ts.Routes[i] })
		shuffle(len(ts.Rules), func(i, j int) { ts.Rules[i], ts.Rules[j] = ts.Rules[j], ts.Rules[i] })
		shuffle(len(ts.Neighbours), func(i, j int) { ts.Neighbours[i], ts.Neighbours[j] = ts.Neighbours[j], ts.Neighbours[i] })
		shuffle(len(ts.InetSockets), func(i, j int) { ts.InetSockets[i], ts.InetSockets[j] = ts.InetSockets[j], ts.InetSockets[i] })
		shuffle(len(ts.UnixSockets), func(i, j int) { ts.UnixSockets[i], ts.UnixSockets[j] = ts.UnixSockets[j], ts.UnixSockets[i] })
		shuffle(len(ts.Groups), func(i, j int) { ts.Groups[i], ts.Groups[j] = ts.Groups[j], ts.Groups[i] })
		shuffle(len(ts.Counters), func(i, j int) { ts.Counters[i], ts.Counters[j] = ts.Counters[j], ts.Counters[i] })
		shuffle(len(ts.Owners), func(i, j int) { ts.Owners[i], ts.Owners[j] = ts.Owners[j], ts.Owners[i] })
		shuffle(len(ts.Sysctls), func(i, j int) { ts.Sysctls[i], ts.Sysctls[j] = ts.Sysctls[j], ts.Sysctls[i] })
		ts.Leases[0], ts.Leases[1] = ts.Leases[1], ts.Leases[0]
	})
	if r.Differs() {
		t.Fatalf("reordered rows differ: %+v", lines(r))
	}
}

// TestVolatile changes only fields the help calls volatile: nothing
// differs.
func TestVolatile(t *testing.T) {
	r := compareBase(func(ts *snapshots.Tables) {
		for i := range ts.Links {
			ts.Links[i].Stats.RxPackets += 10
			ts.Links[i].Sys = []snapshots.Sysctl{{Name: "carrier_changes", Value: "9"}}
		}
		ts.Addrs[3].Created, ts.Addrs[3].Updated = 999, 999
		ts.Addrs[5].Preferred, ts.Addrs[5].Valid = 2000, 3000
		ts.Routes[7].Ext().Cache = &snapshots.RouteCacheInfo{Used: 99, LastUse: 5}
		ts.Routes[8].Ext().Expires = 200
		ts.Neighbours[1].State = 0x04 // REACHABLE -> STALE: ageing
		ts.Neighbours[1].Confirmed, ts.Neighbours[1].Used, ts.Neighbours[1].RefCnt = 900, 900, 3
		ts.Neighbours[2].State = 0x08 // STALE -> DELAY
		ts.Neighbours[2].Probes = 2
		k := &ts.InetSockets[1]
		k.Timer, k.Expires, k.Retrans, k.RTO, k.Cwnd = 1, 200, 2, 408, 20
		k.TCPInfo, k.SkMem, k.MemInfo, k.Cookie, k.RefCount = []byte{9}, []uint32{7}, []uint32{1}, 77, 3
		ts.InetSockets[3].RecvQ = 7 // queued before and after
		ts.InetSockets[4].Expires = 30000
		ts.UnixSockets[0].RefCount, ts.UnixSockets[0].Pending = 4, []uint64{9}
		ts.PacketSockets[0].Rmem = 9999
		ts.SCTPAssocs[0].TxQueue, ts.SCTPAssocs[0].Remotes[0].RTO = 99, 600
		ts.Groups[0].Timer, ts.Groups[0].Expires, ts.Groups[0].Reporter = false, 0, true
		ts.Groups[2].Flags = 0x8
		ts.McastIfaces[0].Count = 4
		ts.MFC[0].Expires = 50
	})
	if r.Differs() {
		t.Fatalf("volatile fields made rows differ: %+v", lines(r))
	}
	for _, s := range r.Sections {
		if s.Name == "interfaces" && len(s.Counters) != 3 {
			t.Errorf("interfaces: %d counters moved, want 3 (rx_packets of each)", len(s.Counters))
		}
	}
}

func TestChanges(t *testing.T) {
	for _, tc := range []struct {
		name string
		mut  func(*snapshots.Tables)
		want []line
	}{
		{"mtu", func(ts *snapshots.Tables) { ts.Links[2].MTU = 1300 },
			[]line{{"interfaces", "changed", "a1", []string{"mtu: 1400 -> 1300"}}}},
		{"flags and state", func(ts *snapshots.Tables) { ts.Links[2].Flags &^= 0x10040; ts.Links[2].OperState = 2 },
			[]line{{"interfaces", "changed", "a1", []string{"flags: UP,BROADCAST,RUNNING,MULTICAST,LOWER_UP -> UP,BROADCAST,MULTICAST", "state: UP -> DOWN"}}}},
		{"address added", func(ts *snapshots.Tables) {
			ts.Addrs = append(ts.Addrs, snapshots.Addr{Family: snapshots.AFInet, Index: 3, PrefixLen: 16, Local: ip("10.5.0.1"), Address: ip("10.5.0.1"), Label: "a1"})
		}, []line{{"interfaces", "changed", "a1", []string{"addresses: +10.5.0.1/16"}}}},
		{"address removed and relabelled", func(ts *snapshots.Tables) {
			ts.Addrs[2].Label = "a0:2"
			ts.Addrs = append(ts.Addrs[:3], ts.Addrs[4:]...) // fd00:1::1
		}, []line{{"interfaces", "changed", "a0", []string{
			"addresses: +10.1.0.11/24 brd 10.1.0.255 label a0:2 secondary,permanent -10.1.0.11/24 brd 10.1.0.255 label a0:1 secondary,permanent -fd00:1::1/64 nodad,permanent"}}}},
		{"interface re-created", func(ts *snapshots.Tables) {
			ts.Links[2].Index = 7
			ts.Addrs[4].Index, ts.Addrs[5].Index = 7, 7
			ts.Routes[3].NextHops[1].OIF = 7
			ts.Routes[4].NextHops[0].OIF = 7
			ts.Neighbours[3].Index = 7
			ts.MFC[0].Oifs[0].IfIndex = 7
		}, []line{{"interfaces", "changed", "a1", []string{"index: 3 -> 7"}}}},
		{"interface gone and new", func(ts *snapshots.Tables) {
			ts.Links[0].Name = "lo2"
		}, []line{
			{"interfaces", "removed", "lo", nil},
			{"interfaces", "added", "lo2", nil},
		}},
		{"route added and deleted", func(ts *snapshots.Tables) {
			ts.Routes = append(ts.Routes[1:], snapshots.Route{Family: snapshots.AFInet, Table: 254, Protocol: 4, Type: 1,
				Dst: pfx("10.99.0.0/16"), NextHops: []snapshots.NextHop{hop("10.2.0.2", 3)}})
		}, []line{
			{"routes", "removed", "table main inet unicast default metric 0", nil},
			{"routes", "added", "table main inet unicast 10.99.0.0/16 metric 0", nil},
		}},
		{"route next hop, source, mtu, protocol", func(ts *snapshots.Tables) {
			r := &ts.Routes[4]
			r.NextHops[0] = hop("10.1.0.2", 2)
			r.PrefSrc = ip("10.1.0.1")
			r.X.Metrics[0].Value = 1200
			r.Protocol = 4
		}, []line{{"routes", "changed", "table main inet unicast 10.60.0.0/16 metric 50",
			[]string{"nexthops: via 10.2.0.2 dev a1 -> via 10.1.0.2 dev a0", "proto: boot -> static", "src: 10.2.0.1 -> 10.1.0.1", "mtu: 1300 -> 1200"}}}},
		{"multipath weight", func(ts *snapshots.Tables) { ts.Routes[3].NextHops[1].Weight = 3 },
			[]line{{"routes", "changed", "table main inet unicast 10.50.0.0/16 metric 0",
				[]string{"nexthops: +via 10.2.0.2 dev a1 weight 3 -via 10.2.0.2 dev a1 weight 2"}}}},
		{"route metric is identity", func(ts *snapshots.Tables) { ts.Routes[5].Priority = 10 },
			[]line{
				{"routes", "removed", "table 100 inet unicast 10.9.0.0/16 metric 0", nil},
				{"routes", "added", "table 100 inet unicast 10.9.0.0/16 metric 10", nil},
			}},
		{"route exception mtu", func(ts *snapshots.Tables) { ts.Routes[8].X.Metrics[0].Value = 1280 },
			[]line{{"routes", "changed", "table main inet unicast 10.8.8.8/32 metric 0 cache", []string{"mtu: 1400 -> 1280"}}}},
		{"rule target", func(ts *snapshots.Tables) { ts.Rules[1].Table = 200 },
			[]line{{"rules", "changed", "priority 1000 inet from 10.1.0.0/24", []string{"lookup: 100 -> 200"}}}},
		{"rule selector", func(ts *snapshots.Tables) { ts.Rules[2].UIDRange = u32p(1000, 3000) },
			[]line{
				{"rules", "removed", "priority 2000 inet from all fwmark 0x7/0xff uidrange 1000-2000", nil},
				{"rules", "added", "priority 2000 inet from all fwmark 0x7/0xff uidrange 1000-3000", nil},
			}},
		{"neighbour deleted", func(ts *snapshots.Tables) { ts.Neighbours = ts.Neighbours[1:] },
			[]line{{"neighbours", "removed", "inet 10.1.0.99 dev a0", nil}}},
		{"neighbour lladdr and failure", func(ts *snapshots.Tables) {
			ts.Neighbours[3].LLAddr = mac(2, 0, 0, 0, 0, 0x78)
			ts.Neighbours[2].State = 0x20
		}, []line{
			{"neighbours", "changed", "inet6 fd00:1::2 dev a0", []string{"state: STALE -> FAILED"}},
			{"neighbours", "changed", "inet 10.2.0.77 dev a1", []string{"lladdr: 02:00:00:00:00:77 -> 02:00:00:00:00:78"}},
		}},
		{"listener opened", func(ts *snapshots.Tables) {
			ts.InetSockets = append(ts.InetSockets, snapshots.InetSocket{Proto: snapshots.ProtoTCP, Family: snapshots.AFInet,
				State: 10, Local: ipp("10.1.0.1:9999"), Remote: ipp("0.0.0.0:0"), SendQ: 5, Inode: 1010})
			ts.Owners = append(ts.Owners, snapshots.SocketOwner{Inode: 1010, Pid: 555, Command: "nc"})
		}, []line{{"inet sockets", "added", "tcp inet 10.1.0.1:9999 -> *:*", nil}}},
		{"socket state, queue, owner", func(ts *snapshots.Tables) {
			ts.InetSockets[1].State = 8
			ts.InetSockets[1].RecvQ = 100
			ts.InetSockets[0].SendQ = 128
			ts.Owners[0].Pid = 102
		}, []line{
			{"inet sockets", "changed", "tcp inet 10.1.0.1:8080 -> *:*", []string{"send-q: 5 -> 128", "owners: socat/100 -> socat/102"}},
			{"inet sockets", "changed", "tcp inet 10.1.0.1:8080 -> 10.1.0.2:40000", []string{"state: ESTABLISHED -> CLOSE_WAIT", "recv-q: 0 -> 100"}},
		}},
		{"reuseport listeners reordered, one replaced", func(ts *snapshots.Tables) {
			ts.InetSockets[6], ts.InetSockets[7] = ts.InetSockets[7], ts.InetSockets[6]
			ts.InetSockets[6].Inode = 1008 // was 1007
		}, []line{{"inet sockets", "changed", "udp inet *:4789 -> *:*", []string{"inode: 1007 -> 1008"}}}},
		{"time-wait gone", func(ts *snapshots.Tables) { ts.InetSockets = append(ts.InetSockets[:4], ts.InetSockets[5:]...) },
			[]line{{"inet sockets", "removed", "tcp inet 10.1.0.1:50001 -> 10.1.0.2:9001", nil}}},
		{"unix server restarted, connection closed", func(ts *snapshots.Tables) {
			ts.UnixSockets[0].Inode = 2101
			ts.Owners[2] = snapshots.SocketOwner{Inode: 2101, Pid: 201, Command: "socat"}
			ts.UnixSockets = append(ts.UnixSockets[:1], ts.UnixSockets[3:]...)
		}, []line{
			{"unix sockets", "removed", "stream inode 2002", nil},
			{"unix sockets", "removed", "stream inode 2003", nil},
			{"unix sockets", "changed", "stream /run/lab/unix.sock", []string{"inode: 2001 -> 2101", "owners: socat/200 -> socat/201"}},
		}},
		{"packet socket closed", func(ts *snapshots.Tables) { ts.PacketSockets = nil },
			[]line{{"packet sockets", "removed", "raw proto 0x3 dev a0", nil}}},
		{"sctp association state", func(ts *snapshots.Tables) { ts.SCTPAssocs[0].State = 5 },
			[]line{{"sctp associations", "changed", "lport 9999 peers 10.1.0.2 rport 40000", []string{"state: ESTABLISHED -> SHUTDOWN_SENT"}}}},
		{"group left, users, sources", func(ts *snapshots.Tables) {
			ts.Groups[0].Users = 2
			ts.Groups[1].Sources = append(ts.Groups[1].Sources, snapshots.MemberSource{Addr: ip("10.1.0.3")})
			ts.Groups = ts.Groups[:2]
		}, []line{
			{"memberships", "removed", "inet 232.1.1.1 dev a0 sources 10.1.0.2", nil},
			{"memberships", "removed", "inet6 ff15::1234 dev a0", nil},
			{"memberships", "changed", "inet 239.1.1.1 dev a0", []string{"users: 1 -> 2"}},
			{"memberships", "added", "inet 232.1.1.1 dev a0 sources 10.1.0.2 10.1.0.3", nil},
		}},
		{"igmp querier", func(ts *snapshots.Tables) { ts.McastIfaces[0].Querier = "V2" },
			[]line{{"igmp interfaces", "changed", "a0", []string{"querier: V3 -> V2"}}}},
		{"mfc outputs", func(ts *snapshots.Tables) {
			ts.MFC[0].Oifs = append(ts.MFC[0].Oifs, snapshots.MFCOif{Vif: 0, IfIndex: 1, TTL: 1})
		}, []line{{"multicast routes", "changed", "inet (10.1.0.2, 239.2.2.2)", []string{"oifs: +lo ttl 1"}}}},
		{"sysctl", func(ts *snapshots.Tables) { ts.Sysctls[0].Value = "0" },
			[]line{{"sysctls", "changed", "net.ipv4.ip_forward", []string{"value: 1 -> 0"}}}},
		{"protocol pressure and new module", func(ts *snapshots.Tables) {
			ts.Protocols[0].Pressure = "yes"
			ts.Protocols = append(ts.Protocols, snapshots.ProtocolRow{Name: "SCTP", Module: "sctp", Memory: -1})
		}, []line{
			{"protocols", "changed", "TCP", []string{"pressure: no -> yes"}},
			{"protocols", "added", "SCTP", nil},
		}},
		{"slab cache", func(ts *snapshots.Tables) { ts.Slabs[0].ObjSize = 320 },
			[]line{{"slabs", "changed", "skbuff_head_cache", []string{"objsize: 256 -> 320"}}}},
		{"lease renewed", func(ts *snapshots.Tables) {
			ts.Leases = append(ts.Leases, snapshots.Lease{Interface: "a0", Client: "dhclient", Family: snapshots.AFInet,
				Address: ip("10.1.0.120"), PrefixLen: 24, Server: ip("10.1.0.2"), Routers: []netip.Addr{ip("10.1.0.2")},
				LeaseTime: 3600, Start: t0.Add(5 * time.Second), Expire: t0.Add(time.Hour + 5*time.Second)})
		}, []line{{"dhcp leases", "changed", "a0 inet", []string{"start: 2026-11-28T11:59:00Z -> 2026-11-28T12:00:05Z",
			"expire: 2026-11-28T12:59:00Z -> 2026-11-28T13:00:05Z"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := compareBase(tc.mut)
			if d := cmp.Diff(tc.want, lines(r)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
			if !r.Differs() {
				t.Error("Differs() = false")
			}
		})
	}
}
