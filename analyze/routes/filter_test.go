package routes

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/netmortem/netmortem/snapshots"
)

func TestParse(t *testing.T) {
	cases := []struct {
		arg  string
		want string // canonical String()
		kind Kind
	}{
		{"inet", "af:inet", KindFamily},
		{"inet6", "af:inet6", KindFamily},
		{"unix", "af:unix", KindFamily},
		{"af:inet6", "af:inet6", KindFamily},
		{"af:17", "af:17", KindFamily},
		{"outif:hme0", "outif:hme0", KindName},
		{"outif:hme0:1", "outif:hme0:1", KindName},
		{"outif:2", "outif:2", KindIndex},
		{"outif:any", "outif:any", KindAny},
		{"inif:none", "inif:none", KindNone},
		{"dst:10.0.0.0/8", "dst:10.0.0.0/8", KindAddr},
		{"dst:10.1.2.3/255.255.0.0", "dst:10.1.2.3/16", KindAddr},
		{"dst:10.1.2.3/32", "dst:10.1.2.3/32", KindAddr},
		{"dst:10.1.2.3/0", "dst:10.1.2.3/0", KindAddr},
		{"dst:fe80::1/128", "dst:fe80::1/128", KindAddr},
		{"dst:2001:db8::/ffff:ffff::", "dst:2001:db8::/32", KindAddr},
		{"dst:::ffff:10.1.2.3", "dst:10.1.2.3", KindAddr},
		{"src:10.1.0.1", "src:10.1.0.1", KindAddr},
		{"dst:any", "dst:any", KindAny},
		{"src:none", "src:none", KindNone},
		{"dst:gateway.lab/24", "dst:gateway.lab/24", KindName},
		{"flags:UG", "flags:UG", KindFlags},
		{"flags:GU", "flags:UG", KindFlags},
		{"flags:+R", "flags:+R", KindFlags},
		{"flags:-ABL", "flags:-ABL", KindFlags},
		{"table:main", "table:main", KindName},
		{"table:100", "table:100", KindIndex},
		{"table:all", "table:all", KindAll},
	}
	for _, c := range cases {
		f, err := Parse(c.arg)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.arg, err)
			continue
		}
		if f.String() != c.want || f.Kind != c.kind || f.Arg != c.arg {
			t.Errorf("Parse(%q) = %s kind %d arg %q, want %s kind %d", c.arg, f, f.Kind, f.Arg, c.want, c.kind)
		}
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct{ arg, msg string }{
		{"foo:bar", "unknown filter keyword"},
		{"Dst:10.0.0.0/8", "unknown filter keyword"},
		{"inif", "unknown address family"},
		{"af:inet5", "unknown address family"},
		{"af:256", "unknown address family"},
		{"bogus", "unknown address family"},
		{"dst:10.0.0.256", "invalid address"},
		{"dst:10.0.0.0/33", "mask 33 not in range 0 to 32"},
		{"dst:fe80::/129", "mask 129 not in range 0 to 128"},
		{"src:10.0.0.0/-1", "illegal mask format"},
		{"dst:10.0.0.0/255.0.255.0", "not contiguous"},
		{"dst:10.0.0.0/255.255.x.0", "illegal mask format"},
		{"dst:10.0.0.0/", "missing mask"},
		{"dst:/8", "missing address"},
		{"dst:", "missing address"},
		{"dst:fe80::/255.255.0.0", "dotted IPv4 mask needs an IPv4 address"},
		{"dst:10.0.0.0/ffff::", "IPv6 mask needs an IPv6 address"},
		{"dst:fe80::1%eth0", "zones"},
		{"dst:a b", "invalid address"},
		{"flags:", "missing flag list"},
		{"flags:+", "missing flag list"},
		{"flags:-", "missing flag list"},
		{"flags:UGX", `illegal flag "X"`},
		{"flags:ug", `illegal flag "u"`},
		{"flags:b", `illegal flag "b"`},
		{"outif:", "missing interface"},
		{"outif:0", "ifIndex 0 out of range"},
		{"outif:99999999999", "out of range"},
		{"outif:a/b", "invalid interface name"},
		{"table:", "missing table"},
		{"table:4294967296", "out of range"},
	}
	for _, c := range cases {
		_, err := Parse(c.arg)
		if err == nil {
			t.Errorf("Parse(%q) accepted", c.arg)
			continue
		}
		var fe *Error
		if !errors.As(err, &fe) || fe.Arg != c.arg {
			t.Errorf("Parse(%q): error %v does not carry the filter", c.arg, err)
		}
		if !strings.Contains(err.Error(), c.msg) || !strings.HasPrefix(err.Error(), "-f "+c.arg+": ") {
			t.Errorf("Parse(%q): error %q, want it to name the filter and say %q", c.arg, err, c.msg)
		}
	}
}

type tableMap map[string]uint32

func (m tableMap) TableID(n string) (uint32, bool) { id, ok := m[n]; return id, ok }

func TestCompileErrors(t *testing.T) {
	links := []snapshots.Link{{Index: 1, Name: "lo"}, {Index: 2, Name: "a0"}}
	addrs := []snapshots.Addr{{Family: snapshots.AFInet, Index: 2, PrefixLen: 24, Local: addr("10.1.0.11"), Label: "a0:1"}}
	env := Env{Ifaces: NewLinkNames(links, addrs), Tables: tableMap{"isp": 100},
		Hosts: func(n string) []netip.Addr {
			if n == "gw" {
				return []netip.Addr{addr("10.1.0.2"), addr("fd00:1::2")}
			}
			return nil
		}}
	cases := []struct{ arg, msg string }{
		{"outif:eth9", `no interface "eth9"`},
		{"outif:a0:7", `no interface "a0:7"`},
		{"inif:a0:1", "no logical units"},
		{"table:isp2", `unknown routing table "isp2"`},
		{"dst:nowhere", `unknown host "nowhere"`},
		{"dst:gw/33", "mask 33 not in range 0 to 32"},
		{"dst:gw/255.255.255.0", "dotted IPv4 mask needs an IPv4 address"},
	}
	for _, c := range cases {
		_, err := ParseAll([]string{c.arg}, env)
		if err == nil || !strings.Contains(err.Error(), c.msg) || !strings.HasPrefix(err.Error(), "-f "+c.arg+": ") {
			t.Errorf("%s: error %v, want %q", c.arg, err, c.msg)
		}
		// Lenient (diff) mode: unknown names match nothing.
		if strings.Contains(c.msg, "unknown") || strings.Contains(c.msg, "no interface") {
			lenient := env
			lenient.Lenient = true
			e, err := ParseAll([]string{c.arg}, lenient)
			if err != nil {
				t.Errorf("%s lenient: %v", c.arg, err)
				continue
			}
			r := snapshots.Route{Family: snapshots.AFInet, Table: 254, Type: rtnUnicast, Dst: pfx("0.0.0.0/0"),
				PrefSrc: addr("10.1.0.1"), NextHops: []snapshots.NextHop{hop("10.1.0.2", 2)}}
			if e.MatchRoute(&r) {
				t.Errorf("%s lenient matched", c.arg)
			}
		}
	}
	// Without an interface list only numbers work.
	if _, err := ParseAll([]string{"outif:a0"}, Env{}); err == nil || !strings.Contains(err.Error(), "use an ifIndex") {
		t.Errorf("outif name without links: %v", err)
	}
	if _, err := ParseAll([]string{"outif:2", "table:main", "dst:10.0.0.0/8"}, Env{}); err != nil {
		t.Errorf("numeric filters without resolvers: %v", err)
	}
	// Names: the resolver first, then the built-in table names.
	e, err := ParseAll([]string{"table:isp", "table:local", "dst:gw"}, env)
	if err != nil {
		t.Fatal(err)
	}
	if f, ok := e.Tables(); !ok || !f(100) || !f(255) || f(254) {
		t.Error("table names resolved wrongly")
	}
	for _, c := range []struct {
		dst  string
		want bool
	}{{"10.1.0.0/24", true}, {"fd00:1::/64", true}, {"10.2.0.0/24", false}} {
		r := snapshots.Route{Family: snapshots.AFInet, Table: 100, Type: rtnUnicast, Dst: pfx(c.dst)}
		if got := e.MatchRoute(&r); got != c.want {
			t.Errorf("dst:gw on %s = %v", c.dst, got)
		}
	}
}

// TestManPageExample runs the man page's example
// "netstat -nr -f outif:hme0 -f outif:hme1 -f dst:10.0.0.0/8".
func TestManPageExample(t *testing.T) {
	links := []snapshots.Link{{Index: 1, Name: "lo0"}, {Index: 2, Name: "hme0"}, {Index: 3, Name: "hme1"}, {Index: 4, Name: "le0"}}
	addrs := []snapshots.Addr{
		{Family: snapshots.AFInet, Index: 2, PrefixLen: 8, Local: addr("10.0.0.1"), Label: "hme0"},
		{Family: snapshots.AFInet, Index: 2, PrefixLen: 16, Local: addr("10.4.0.1"), Label: "hme0:1"},
	}
	v4 := uint8(snapshots.AFInet)
	u := func(dst, gw string, oifs ...int32) snapshots.Route {
		r := snapshots.Route{Family: v4, Table: 254, Type: rtnUnicast, Protocol: 3, Dst: pfx(dst), Multipath: len(oifs) > 1}
		for _, o := range oifs {
			r.NextHops = append(r.NextHops, hop(gw, o))
		}
		return r
	}
	rs := []snapshots.Route{
		u("0.0.0.0/0", "192.168.1.1", 3),                                       // default: mask 0 < 8
		u("10.0.0.0/8", "", 2),                                                 // yes
		u("10.1.0.0/16", "10.0.0.2", 3),                                        // yes
		u("10.2.0.0/16", "10.0.0.3", 4),                                        // le0: no
		u("10.3.0.0/24", "10.0.0.4", 4, 2),                                     // multipath, one hop on hme0: yes, both rows
		u("10.5.5.5/32", "10.0.0.5", 2),                                        // host route: yes
		u("0.0.0.0/4", "10.0.0.6", 2),                                          // shorter than /8: no
		u("11.0.0.0/8", "10.0.0.7", 2),                                         // outside 10/8: no
		u("192.168.0.0/16", "", 3),                                             // no
		{Family: v4, Table: 254, Type: rtnBlackhole, Dst: pfx("10.66.0.0/16")}, // no interface: no
		{Family: v4, Table: 255, Type: rtnLocal, Protocol: 2, Dst: pfx("10.4.0.1/32"), // hidden without -a
			PrefSrc: addr("10.4.0.1"), NextHops: []snapshots.NextHop{hop("", 2)}},
		{Family: v4, Table: 254, Type: rtnUnicast, Protocol: 2, Dst: pfx("10.4.0.0/16"), // via hme0:1
			PrefSrc: addr("10.4.0.1"), NextHops: []snapshots.NextHop{hop("", 2)}},
	}
	env := Env{Ifaces: NewLinkNames(links, addrs)}
	names := env.Ifaces.(*LinkNames)
	run := func(all bool, args ...string) []string {
		e, err := ParseAll(args, env)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, w := range Select(rs, all, e) {
			out = append(out, w.Dst().String()+" "+names.RowName(w)+" "+w.Flags.String())
		}
		return out
	}
	want := []string{
		"10.0.0.0/8 hme0 U",
		"10.1.0.0/16 hme1 UG",
		"10.3.0.0/24 le0 UGM",
		"10.3.0.0/24 hme0 UGM",
		"10.5.5.5/32 hme0 UGH",
		"10.4.0.0/16 hme0:1 U",
	}
	got := run(false, "outif:hme0", "outif:hme1", "dst:10.0.0.0/8")
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("man page example:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// With -a the local route of hme0:1 joins; the logical name selects
	// only its routes; an ifIndex works like the name.
	if got := run(true, "outif:hme0:1"); strings.Join(got, ",") != "10.4.0.1/32 hme0:1 UHL,10.4.0.0/16 hme0:1 U" {
		t.Errorf("outif:hme0:1 -a = %q", got)
	}
	if a, b := run(false, "outif:2", "outif:3", "dst:10.0.0.0/255.0.0.0"), got; strings.Join(a, ",") != strings.Join(want, ",") {
		t.Errorf("by ifIndex and dotted mask: %q, want %q", a, b)
	}
	if got := run(false, "outif:none"); strings.Join(got, ",") != "10.66.0.0/16  UR" {
		t.Errorf("outif:none = %q", got)
	}
}
