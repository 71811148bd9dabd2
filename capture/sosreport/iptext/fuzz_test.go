package iptext_test

import (
	"net/netip"
	"regexp"
	"testing"

	"github.com/netmortem/netmortem/capture/sosreport/iptext"
	"github.com/netmortem/netmortem/snapshots"
)

// Each fuzz target is seeded with the real lab outputs (and the corpus in
// testdata/fuzz); the parsers must not panic, and what they return must be
// well formed.

// seed adds lab outputs with runs of blanks squeezed (ss pads its
// columns to hundreds of blanks; the fuzzer minimizes large inputs slowly).
func seed(f *testing.F, names ...string) {
	for _, n := range names {
		f.Add(spaces.ReplaceAll(labOutput(f, n), []byte("  ")))
	}
}

var spaces = regexp.MustCompile(`[ ]{3,}`)

var fuzzNames = &iptext.Names{Ifindex: map[string]int32{"lo": 1, "a0": 2, "a1": 3},
	Table: func(s string) (uint32, bool) { return 100, s == "t100" }}

func validPrefix(p netip.Prefix) bool { return p.IsValid() && p.Bits() <= p.Addr().BitLen() }

func FuzzInterfaces(f *testing.F) {
	seed(f, "ip_-s_-d_link", "ip_-d_address", "ip_-o_addr", "ip_netns_exec_srb_ip_address_show")
	f.Fuzz(func(t *testing.T, data []byte) {
		ifs, _ := iptext.ParseInterfaces(data, fuzzNames)
		for _, a := range ifs.Addrs {
			if !a.Address.IsValid() || int(a.PrefixLen) > a.Address.BitLen() || (a.Family == snapshots.AFInet) != a.Address.Is4() {
				t.Fatalf("bad address %+v", a)
			}
		}
		for _, l := range ifs.Links {
			if l.Index <= 0 || l.Name == "" {
				t.Fatalf("bad link %+v", l)
			}
		}
	})
}

func FuzzRoutes(f *testing.F) {
	seed(f, "ip_route_show_table_all", "ip_-6_route_show_table_all", "ip_netns_exec_srb_ip_route_show_table_all")
	f.Add([]byte("10.0.0.0/8 via inet6 fe80::1 dev a0 mtu lock 1400 rtt 1.5s\n\tnexthop via 1.2.3.4 dev a1 weight 256\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, fam := range []uint8{0, snapshots.AFInet6} {
			rs, _ := iptext.ParseRoutes(data, fam, fam != 0, 100, fuzzNames)
			for _, r := range rs.Routes {
				if !validPrefix(r.Dst) || (r.Family != snapshots.AFInet && r.Family != snapshots.AFInet6) ||
					(r.Family == snapshots.AFInet) != r.Dst.Addr().Is4() || fam != 0 && r.Family != fam {
					t.Fatalf("bad route %+v", r)
				}
			}
			for _, e := range rs.MFC {
				if !e.Group.IsValid() {
					t.Fatalf("bad MFC entry %+v", e)
				}
			}
		}
	})
}

func FuzzRules(f *testing.F) {
	seed(f, "ip_-4_rule", "ip_-6_rule")
	f.Add([]byte("100:\tnot from 10.0.0.0/8 fwmark 0x1/0xff iif a0 [detached] uidrange 1-2 sport 1-2 lookup t100 realms 1/2\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, fam := range []uint8{snapshots.AFInet, snapshots.AFInet6} {
			rs, _ := iptext.ParseRules(data, fam, fuzzNames)
			for _, r := range rs {
				if r.Family != fam || r.Src.IsValid() && !validPrefix(r.Src) || r.Dst.IsValid() && !validPrefix(r.Dst) {
					t.Fatalf("bad rule %+v", r)
				}
			}
		}
	})
}

func FuzzNeigh(f *testing.F) {
	seed(f, "ip_-s_-s_neigh_show", "ip_neigh_show_nud_noarp")
	f.Fuzz(func(t *testing.T, data []byte) {
		ns, _ := iptext.ParseNeigh(data, 100, nil, fuzzNames)
		for _, n := range ns {
			if !n.Addr.IsValid() || (n.Family == snapshots.AFInet) != n.Addr.Is4() {
				t.Fatalf("bad neighbour %+v", n)
			}
		}
	})
}

func FuzzMaddr(f *testing.F) {
	seed(f, "ip_maddr_show")
	f.Fuzz(func(t *testing.T, data []byte) {
		md, _ := iptext.ParseMaddr(data)
		for _, g := range md.Groups {
			if !g.Group.IsValid() || g.IfIndex <= 0 {
				t.Fatalf("bad group %+v", g)
			}
		}
	})
}

func FuzzNetstatGroups(f *testing.F) {
	seed(f, "netstat_-W_-agn", "ip_netns_exec_srb_netstat_-W_-agn")
	f.Fuzz(func(t *testing.T, data []byte) {
		gs, _ := iptext.ParseNetstatGroups(data, fuzzNames)
		for _, g := range gs {
			if !g.Group.IsValid() {
				t.Fatalf("bad group %+v", g)
			}
		}
	})
}

func FuzzMroute(f *testing.F) {
	seed(f, "ip_mroute_show")
	f.Add([]byte("Table: 5\n(1.2.3.4,239.1.1.1) Iif: a0 Oifs: a1(ttl 3) State: resolved\n  1 packets, 2 bytes, 3 arrived on wrong iif.\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		es, _ := iptext.ParseMroute(data, fuzzNames)
		for _, e := range es {
			if !e.Group.IsValid() || !e.Source.IsValid() || e.Source.Is4() != e.Group.Is4() {
				t.Fatalf("bad entry %+v", e)
			}
		}
	})
}

func FuzzNetstat(f *testing.F) {
	seed(f, "netstat_-W_-neopa", "ip_netns_exec_srb_netstat_-W_-neopa")
	f.Fuzz(func(t *testing.T, data []byte) {
		s, _ := iptext.ParseNetstat(data)
		for _, x := range s.Inet {
			if !x.Local.IsValid() || !x.Remote.IsValid() {
				t.Fatalf("bad socket %+v", x)
			}
		}
		for _, o := range s.Owners {
			if o.Inode == 0 || o.Pid < 0 {
				t.Fatalf("bad owner %+v", o)
			}
		}
	})
}

func FuzzSS(f *testing.F) {
	seed(f, "ss_-peaonmi", "ip_netns_exec_srb_ss_-peaonmi")
	f.Add([]byte("tcp ESTAB 0 0 1.2.3.4%a0:1 5.6.7.8:9 users:((\"a\\\"b\",pid=1,fd=2)) timer:(on,1min2sec,3)\n\t skmem:(r1,rb2) cubic\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, _ := iptext.ParseSS(data, fuzzNames)
		for _, x := range s.Inet {
			if !x.Local.IsValid() || !x.Remote.IsValid() {
				t.Fatalf("bad socket %+v", x)
			}
			if x.MemInfo != nil && len(x.SkMem) < 6 {
				t.Fatalf("meminfo without skmem %+v", x)
			}
		}
		for i := range s.RowOwners {
			if i < 0 || i >= len(s.Inet) {
				t.Fatalf("owners of row %d of %d", i, len(s.Inet))
			}
		}
	})
}

func FuzzIDNames(f *testing.F) {
	f.Add([]byte("# comment\n0x10 foo\n200 bar baz\n-1 neg\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		iptext.ParseIDNames(data)
	})
}
