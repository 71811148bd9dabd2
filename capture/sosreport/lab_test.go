package sosreport

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/netmortem/netmortem/snapshots"
)

// agree compares two row sets by key; proj gives the fields compared.
func agree[T any](t *testing.T, what string, live, imp []T, key, proj func(*T) string) {
	t.Helper()
	lm, im := map[string]string{}, map[string]string{}
	for i := range live {
		lm[key(&live[i])] = proj(&live[i])
	}
	for i := range imp {
		im[key(&imp[i])] = proj(&imp[i])
	}
	if len(lm) == 0 {
		t.Errorf("%s: the live capture has no rows; nothing to compare", what)
	}
	var bad []string
	for k, v := range lm {
		w, ok := im[k]
		switch {
		case !ok:
			bad = append(bad, "only live: "+k)
		case v != w:
			bad = append(bad, fmt.Sprintf("%s:\n\tlive   %s\n\timport %s", k, v, w))
		}
	}
	for k := range im {
		if _, ok := lm[k]; !ok {
			bad = append(bad, "only imported: "+k)
		}
	}
	sort.Strings(bad)
	for _, b := range bad {
		t.Errorf("%s: %s", what, b)
	}
}

func p(args ...any) string { return fmt.Sprint(args...) }

// TestLabAgainstLive imports the real lab sosreport and checks every table
// against live captures of the same namespaces taken while sos ran. The
// fields left out are those a sosreport cannot carry (see docs/FORMS.md,
// "Import: sosreport"), or that changed between the two captures.
func TestLabAgainstLive(t *testing.T) {
	res, err := Import(context.Background(), labArchive, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Namespaces) != 2 || !res.Namespaces[0].Info.Host || res.Namespaces[1].Info.Name != "srb" {
		t.Fatalf("namespaces %+v, want the bundle's own and srb", res.Namespaces)
	}
	m := res.Meta
	if m.Source.Kind != "sosreport" || m.Source.Origin != labName || m.Source.Detail != "sos 4.0" {
		t.Errorf("source %+v", m.Source)
	}
	if m.Hostname != "vm" || m.Machine != "x86_64" || m.BigEndian || m.KernelRelease != "6.18.44-fc-v782" ||
		m.KernelVersion != "#1 SMP PREEMPT_DYNAMIC @0" || m.ClockTicks != 100 {
		t.Errorf("meta %+v", m)
	}
	live := loadLive(t, "live-sra.nms")
	// sos started a moment before the live capture (both by hand, at once).
	if d := live.Meta.CaptureStart.Sub(m.CaptureStart); d < 0 || d > 10*time.Second {
		t.Errorf("capture start %v, live capture at %v", m.CaptureStart, live.Meta.CaptureStart)
	}
	if !m.CaptureEnd.After(m.CaptureStart) {
		t.Errorf("capture end %v before start %v", m.CaptureEnd, m.CaptureStart)
	}

	t.Run("sra", func(t *testing.T) {
		ns := &res.Namespaces[0]
		compareCommon(t, &live.Tables, &ns.Tables, true)
		l, i := &live.Tables, &ns.Tables
		agree(t, "rules", l.Rules, i.Rules, func(r *snapshots.Rule) string { return p(r.Family, " ", r.Priority) },
			func(r *snapshots.Rule) string {
				// Protocol: ip rule prints it only with -d (sos runs without).
				return p(r.Table, r.Action, r.Flags, r.Src, r.Dst, r.SuppressPrefixLen, r.SuppressIfGroup, r.FwMark, r.IIFName)
			})
		agree(t, "neighbours", l.Neighbours, i.Neighbours,
			func(n *snapshots.Neighbour) string { return p(n.Family, " ", n.Index, " ", n.Addr) },
			func(n *snapshots.Neighbour) string {
				// Reachability states and ages moved on between the two
				// captures; permanent and NOARP ones cannot.
				// NOARP entries come from `ip neigh show nud noarp`, run
				// without -s: no ages.
				st, ages := n.State, n.HasCacheInfo
				if st&(0x80|0x40) == 0 {
					st = 0
				}
				if n.State == 0x40 {
					ages = false
				}
				return p(n.LLAddr, st, n.Flags, n.Type, n.Proxy, ages)
			})
		agree(t, "groups", l.Groups, i.Groups,
			func(g *snapshots.Membership) string { return p(g.Family, " ", g.IfIndex, " ", g.Group) },
			func(g *snapshots.Membership) string { return p(g.IfName, g.Users, g.Mode, g.Sources, g.Reporter) })
		agree(t, "link groups", l.LinkGroups, i.LinkGroups,
			func(g *snapshots.LinkMembership) string { return p(g.IfIndex, " ", g.Addr) },
			func(g *snapshots.LinkMembership) string { return p(g.IfName, g.Users, g.Global) })
		agree(t, "vifs", l.Vifs, i.Vifs, func(v *snapshots.Vif) string { return p(v.Family, " ", v.Index) },
			func(v *snapshots.Vif) string { return p(v.Name, v.Flags, v.Local, v.Remote, v.LocalIfIndex) })
		agree(t, "mfc", l.MFC, i.MFC, func(e *snapshots.MFCEntry) string { return p(e.Family, " ", e.Source, " ", e.Group) },
			func(e *snapshots.MFCEntry) string {
				// Expires (time since last use) is not printed by ip.
				return p(e.Table, e.IIFVif, e.IIF, e.Oifs, e.Resolved)
			})
		agree(t, "packet", l.PacketSockets, i.PacketSockets, func(s *snapshots.PacketSocket) string { return p(s.Inode) },
			func(s *snapshots.PacketSocket) string {
				return p(s.Type, s.Proto, s.IfIndex, s.Running, s.UID, s.Cookie)
			})
		agree(t, "sysctls", l.Sysctls, i.Sysctls, func(s *snapshots.Sysctl) string { return s.Name },
			func(s *snapshots.Sysctl) string { return s.Value })
		agree(t, "slabs", l.Slabs, i.Slabs, func(s *snapshots.Slab) string { return s.Name },
			func(s *snapshots.Slab) string { return p(s.ObjSize, s.ObjPerSlab, s.PagesPerSlab) })
		if len(l.Counters) != len(i.Counters) || len(l.Protocols) != len(i.Protocols) || len(l.Softnet) != len(i.Softnet) {
			t.Errorf("stats: %d/%d/%d counter sets/protocols/CPUs live, %d/%d/%d imported",
				len(l.Counters), len(l.Protocols), len(l.Softnet), len(i.Counters), len(i.Protocols), len(i.Softnet))
		}
		for _, tb := range []snapshots.Table{snapshots.TableLinks, snapshots.TableAddrs, snapshots.TableRules,
			snapshots.TableInet, snapshots.TableUnix, snapshots.TablePacket, snapshots.TableGroups,
			snapshots.TableMroute, snapshots.TableStats, snapshots.TableMemory, snapshots.TableFiles} {
			if st := ns.Status[tb]; st.State != snapshots.StateOK {
				t.Errorf("table %s: %v %s", tb, st.State, st.Reason)
			}
		}
		if st := ns.Status[snapshots.TableSCTP]; st.State != snapshots.StateUnavailable || !strings.Contains(st.Reason, "sctp module") {
			t.Errorf("sctp status %+v", st)
		}
	})

	t.Run("srb", func(t *testing.T) {
		lb := loadLive(t, "live-srb.nms")
		ns := nsByName(t, res, "srb")
		compareCommon(t, &lb.Tables, &ns.Tables, false)
		agree(t, "groups", lb.Groups, ns.Tables.Groups,
			func(g *snapshots.Membership) string { return p(g.Family, " ", g.IfIndex, " ", g.Group) },
			func(g *snapshots.Membership) string { return p(g.IfName, g.Users) })
		// sos 4.0 runs no ip rule, ip neigh or sysctl in other namespaces.
		for _, tb := range []snapshots.Table{snapshots.TableRules, snapshots.TableNeigh, snapshots.TableStats,
			snapshots.TableSCTP, snapshots.TableMemory, snapshots.TableMroute} {
			if st := ns.Status[tb]; st.State != snapshots.StateUnavailable || st.Reason == "" {
				t.Errorf("table %s: %+v, want unavailable with a reason", tb, st)
			}
		}
	})
}

// compareCommon compares the tables both namespaces have: links,
// addresses, routes of every table, inet and UNIX sockets and owners.
// full is false for a namespace known only through `ip address show`
// (no -d: no kind, queues or MTU limits) and ss.
func compareCommon(t *testing.T, l, i *snapshots.Tables, full bool) {
	agree(t, "links", l.Links, i.Links, func(k *snapshots.Link) string { return p(k.Index) },
		func(k *snapshots.Link) string {
			// Counters moved on; Carrier is known from LOWER_UP only.
			s := p(k.Name, k.Type, k.Flags, k.MTU, k.HWAddr, k.Broadcast, k.OperState, k.LinkMode,
				k.Master, k.Parent, k.TxQueueLen, k.Qdisc, k.Group, k.Carrier)
			if full {
				s += p(k.Stats.Valid)
				// link-netns names a namespace; its nsid is known when
				// `ip netns` listed it with one (sos's own is not).
				s += p(k.Kind, k.SlaveKind, k.MinMTU, k.MaxMTU, k.Promiscuity, k.NumTxQueues, k.NumRxQueues, k.ParentNetns)
			}
			return s
		})
	agree(t, "addrs", l.Addrs, i.Addrs,
		func(a *snapshots.Addr) string { return p(a.Family, " ", a.Index, " ", a.Address, "/", a.PrefixLen) },
		func(a *snapshots.Addr) string {
			// Proto (IFA_PROTO) is not printed by iproute2 6.1; the
			// created/updated stamps are never printed.
			return p(a.Local, a.Broadcast, a.Anycast, a.Label, a.Scope, a.Flags, a.Preferred, a.Valid, a.HasCacheInfo)
		})
	agree(t, "routes", l.Routes, i.Routes,
		func(r *snapshots.Route) string {
			var oifs []int32
			for _, h := range r.NextHops {
				oifs = append(oifs, h.OIF)
			}
			return p(r.Family, " table ", r.Table, " ", r.Type, " ", r.Dst, " ", oifs)
		},
		func(r *snapshots.Route) string {
			x := r.Extra()
			return p(r.Protocol, r.Scope, r.Flags, r.TOS, x.Src, r.IIF, r.PrefSrc, r.Priority, x.Metrics,
				r.NextHops, r.Multipath, r.Cloned, x.Pref, x.Mark, x.Cache)
		})
	agree(t, "inet", l.InetSockets, i.InetSockets,
		func(s *snapshots.InetSocket) string { return p(s.Proto, " ", s.Local, " ", s.Remote) },
		func(s *snapshots.InetSocket) string {
			// TCP_INFO bytes are only text in ss's output; the TIME_WAIT
			// timer ran on between the captures.
			return p(s.Family, s.State, s.RecvQ, s.SendQ, s.UID, s.Inode, s.Cookie, s.Timer, s.V6Only,
				s.Cong, s.SkMem, s.MemInfo, s.Shutdown, s.CgroupID, s.RawProto, s.IfIndex)
		})
	agree(t, "unix", l.UnixSockets, i.UnixSockets, func(s *snapshots.UnixSocket) string { return p(s.Inode) },
		func(s *snapshots.UnixSocket) string {
			// /proc/net/unix has no uid column, and ss printed neither
			// uids nor cookies for UNIX sockets.
			return p(s.Type, s.State, s.Name, s.Peer, s.VFSInode, s.VFSDev, s.RecvQ, s.SendQ, s.Shutdown,
				s.SkMem, s.Pending)
		})
	agree(t, "owners", l.Owners, i.Owners, func(o *snapshots.SocketOwner) string { return p(o.Inode, " ", o.Pid) },
		func(o *snapshots.SocketOwner) string { return o.Command })
}
