package routes

import (
	"net/netip"
	"testing"

	"github.com/netmortem/netmortem/snapshots"
)

// FuzzParse feeds arbitrary -f values to Parse and Compile: no panic, a
// refusal always names the filter, and an accepted filter round-trips
// through its canonical form and runs against a small table.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"inet", "af:inet6", "af:255", "outif:hme0", "outif:a0:1", "inif:2", "outif:any",
		"dst:10.0.0.0/8", "dst:10.1.2.3/255.255.0.0", "src:fe80::1/64", "dst:::ffff:1.2.3.4/24", "dst:gw/24",
		"flags:UG", "flags:+R", "flags:-ABL", "flags:", "table:main", "table:all", "table:100", "dst:any",
		"src:none", "x:y", ":", "dst:/", "dst:1.2.3.4/ffff::", "outif:"} {
		f.Add(s)
	}
	links, addrs := refEnvLinks()
	env := Env{Ifaces: NewLinkNames(links, addrs), Tables: tableMap{"isp": 100},
		Hosts: func(n string) []netip.Addr {
			if n == "gw" {
				return []netip.Addr{addr("10.1.0.2"), addr("fd00:1::2")}
			}
			return nil
		}}
	rs := []snapshots.Route{
		{Family: snapshots.AFInet, Table: 254, Type: 1, Dst: pfx("10.1.0.0/16"), PrefSrc: addr("10.1.0.11"),
			NextHops: []snapshots.NextHop{hop("10.1.0.2", 2), hop("", 3)}, Multipath: true},
		{Family: snapshots.AFInet6, Table: 255, Type: 2, Dst: pfx("fd00:1::1/128"), X: &snapshots.RouteExtra{Src: pfx("fd00::/16")}},
		{Family: snapshots.AFInet, Table: 100, Type: 7},
	}
	f.Fuzz(func(t *testing.T, arg string) {
		flt, err := Parse(arg)
		if err != nil {
			fe, ok := err.(*Error)
			if !ok || fe.Arg != arg || fe.Msg == "" {
				t.Fatalf("Parse(%q): error %v does not name the filter", arg, err)
			}
			return
		}
		canon := flt.String()
		again, err := Parse(canon)
		if err != nil || again.String() != canon {
			t.Fatalf("Parse(%q) = %q, which re-parses as %q, %v", arg, canon, again.String(), err)
		}
		for _, lenient := range []bool{false, true} {
			env.Lenient = lenient
			e, err := Compile([]Filter{flt}, env)
			if err != nil {
				if _, ok := err.(*Error); !ok || lenient && flt.Key != KeySrc && flt.Key != KeyDst && flt.Key != KeyInIf {
					t.Fatalf("Compile(%q, lenient %v): %v", arg, lenient, err)
				}
				continue
			}
			for _, all := range []bool{false, true} {
				for _, w := range Select(rs, all, e) {
					if !e.MatchRow(w) {
						t.Fatalf("%q: selected row does not match", arg)
					}
				}
			}
		}
	})
}
