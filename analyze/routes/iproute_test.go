package routes

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/netmortem/netmortem/snapshots"
)

// This file reads iproute2's JSON (ip -j -d -N) into the model, so that
// the engine can be checked against ip's own filters on a lab namespace:
// live in TestIntegrationLab, and offline on the recorded
// testdata/lab.json in TestLabRecorded.

// labDump is what one lab namespace gave: its addresses and routes, and
// the answers of ip's route selectors (queries).
type labDump struct {
	Addrs  json.RawMessage `json:"addrs"`  // ip -j addr show
	Inet   json.RawMessage `json:"inet"`   // ip -4 -j -d -N route show table all
	Inet6  json.RawMessage `json:"inet6"`  // ip -6 …
	Unspec json.RawMessage `json:"unspec"` // ip … (adds the multicast routing families)
	// Queries holds ip route show with a selector, and its answer.
	Queries []ipQuery `json:"queries"`
}

type ipQuery struct {
	Args []string        `json:"args"`
	Out  json.RawMessage `json:"out"`
}

type ipHop struct {
	Gateway string   `json:"gateway"`
	Via     *ipVia   `json:"via"`
	Dev     string   `json:"dev"`
	Weight  uint16   `json:"weight"`
	Flags   []string `json:"flags"`
}

type ipVia struct {
	Family string `json:"family"`
	Host   string `json:"host"`
}

type ipRoute struct {
	Type     string                       `json:"type"`
	Dst      string                       `json:"dst"`
	From     string                       `json:"from"`
	Gateway  string                       `json:"gateway"`
	Via      *ipVia                       `json:"via"`
	Dev      string                       `json:"dev"`
	Table    string                       `json:"table"`
	Protocol string                       `json:"protocol"`
	Scope    string                       `json:"scope"`
	PrefSrc  string                       `json:"prefsrc"`
	Metric   uint32                       `json:"metric"`
	IIF      string                       `json:"iif"`
	Flags    []string                     `json:"flags"`
	Metrics  []map[string]json.RawMessage `json:"metrics"`
	Nexthops []ipHop                      `json:"nexthops"`
}

type ipAddrInfo struct {
	Family    string `json:"family"`
	Local     string `json:"local"`
	Address   string `json:"address"`
	PrefixLen uint8  `json:"prefixlen"`
	Label     string `json:"label"`
}

type ipLink struct {
	Index    int32        `json:"ifindex"`
	Name     string       `json:"ifname"`
	AddrInfo []ipAddrInfo `json:"addr_info"`
}

var rtnhFlagNames = map[string]uint8{"dead": 1, "pervasive": 2, "onlink": 4, "offload": 8, "linkdown": 16,
	"unresolved": 32, "trap": 64}

// model turns the dump into the snapshot model.
func (d *labDump) model() ([]snapshots.Link, []snapshots.Addr, []snapshots.Route, error) {
	var ls []ipLink
	if err := json.Unmarshal(d.Addrs, &ls); err != nil {
		return nil, nil, nil, fmt.Errorf("addrs: %v", err)
	}
	var links []snapshots.Link
	var addrs []snapshots.Addr
	index := map[string]int32{}
	for _, l := range ls {
		links = append(links, snapshots.Link{Index: l.Index, Name: l.Name})
		index[l.Name] = l.Index
		for _, a := range l.AddrInfo {
			ip, err := netip.ParseAddr(a.Local)
			if err != nil {
				return nil, nil, nil, fmt.Errorf("address %q: %v", a.Local, err)
			}
			fam := uint8(snapshots.AFInet)
			if a.Family == "inet6" {
				fam = snapshots.AFInet6
			}
			addrs = append(addrs, snapshots.Addr{Family: fam, Index: l.Index, PrefixLen: a.PrefixLen,
				Local: ip, Address: ip, Label: a.Label})
		}
	}
	v4, err := parseIPRoutes(d.Inet, snapshots.AFInet, index)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("inet routes: %v", err)
	}
	v6, err := parseIPRoutes(d.Inet6, snapshots.AFInet6, index)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("inet6 routes: %v", err)
	}
	// The unspecified-family dump adds the multicast routing families;
	// they are the entries neither per-family dump has.
	known := map[string]bool{}
	for _, raw := range [][]byte{d.Inet, d.Inet6} {
		var xs []json.RawMessage
		if err := json.Unmarshal(raw, &xs); err != nil {
			return nil, nil, nil, err
		}
		for _, x := range xs {
			known[compact(x)] = true
		}
	}
	var xs []json.RawMessage
	if err := json.Unmarshal(d.Unspec, &xs); err != nil {
		return nil, nil, nil, err
	}
	routes := append(v4, v6...)
	for _, x := range xs {
		if known[compact(x)] {
			continue
		}
		r, err := parseIPRoutes(json.RawMessage("["+string(x)+"]"), 0, index)
		if err != nil {
			return nil, nil, nil, err
		}
		r[0].Family = 128 // RTNL_FAMILY_IPMR
		if r[0].Dst.Addr().Is6() {
			r[0].Family = 129
		}
		routes = append(routes, r[0])
	}
	return links, addrs, routes, nil
}

func compact(x []byte) string {
	var b bytes.Buffer
	if json.Compact(&b, x) != nil {
		return string(x)
	}
	return b.String()
}

func parseAddrOrPrefix(s string, fam uint8) (netip.Prefix, error) {
	if s == "default" {
		if fam == snapshots.AFInet6 {
			return netip.MustParsePrefix("::/0"), nil
		}
		return netip.MustParsePrefix("0.0.0.0/0"), nil
	}
	if strings.Contains(s, "/") {
		return netip.ParsePrefix(s)
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

func atou(s string) (uint64, error) { return strconv.ParseUint(s, 10, 32) }

// parseIPRoutes reads an ip -j -d -N route dump of family fam (0: from
// the destination).
func parseIPRoutes(raw json.RawMessage, fam uint8, index map[string]int32) ([]snapshots.Route, error) {
	var in []ipRoute
	if err := json.Unmarshal(raw, &in); err != nil {
		return nil, err
	}
	dev := func(name string) (int32, error) {
		if name == "" {
			return 0, nil
		}
		i, ok := index[name]
		if !ok {
			return 0, fmt.Errorf("unknown device %q", name)
		}
		return i, nil
	}
	gw := func(g string, via *ipVia) (netip.Addr, error) {
		if via != nil {
			g = via.Host
		}
		if g == "" {
			return netip.Addr{}, nil
		}
		return netip.ParseAddr(g)
	}
	var out []snapshots.Route
	for _, x := range in {
		f := fam
		if f == 0 {
			f = snapshots.AFInet
			if strings.Contains(x.Dst, ":") {
				f = snapshots.AFInet6
			}
		}
		dst, err := parseAddrOrPrefix(x.Dst, f)
		if err != nil {
			return nil, fmt.Errorf("dst %q: %v", x.Dst, err)
		}
		if x.Table == "" {
			x.Table = "254" // ip omits the main table without "table all"
		}
		typ, err1 := atou(x.Type)
		table, err2 := atou(x.Table)
		proto, err3 := atou(x.Protocol)
		scope, err4 := atou(x.Scope)
		if err := cmpOr(err1, err2, err3, err4); err != nil {
			return nil, fmt.Errorf("route %s: numbers (use ip -N): %v", x.Dst, err)
		}
		r := snapshots.Route{Family: f, Dst: dst, Type: uint8(typ), Table: uint32(table), Protocol: uint8(proto),
			Scope: uint8(scope), Priority: x.Metric}
		for _, fl := range x.Flags {
			r.Flags |= uint32(rtnhFlagNames[fl])
		}
		if x.From != "" {
			src, err := parseAddrOrPrefix(x.From, f)
			if err != nil {
				return nil, err
			}
			r.Ext().Src = src
		}
		if x.PrefSrc != "" {
			if r.PrefSrc, err = netip.ParseAddr(x.PrefSrc); err != nil {
				return nil, err
			}
		}
		if r.IIF, err = dev(x.IIF); err != nil {
			return nil, err
		}
		for _, m := range x.Metrics {
			if v, ok := m["mtu"]; ok {
				var n uint32
				if json.Unmarshal(v, &n) == nil {
					r.Ext().Metrics = append(r.Ext().Metrics, snapshots.RouteMetric{Type: snapshots.RTAXMTU, Value: n})
				}
			}
		}
		if len(x.Nexthops) > 0 {
			r.Multipath = true
			for _, h := range x.Nexthops {
				nh := snapshots.NextHop{Weight: h.Weight}
				if nh.OIF, err = dev(h.Dev); err != nil {
					return nil, err
				}
				if nh.Gateway, err = gw(h.Gateway, h.Via); err != nil {
					return nil, err
				}
				for _, fl := range h.Flags {
					nh.Flags |= rtnhFlagNames[fl]
				}
				r.NextHops = append(r.NextHops, nh)
			}
		} else if x.Dev != "" || x.Gateway != "" || x.Via != nil {
			nh := snapshots.NextHop{Weight: 1}
			if nh.OIF, err = dev(x.Dev); err != nil {
				return nil, err
			}
			if nh.Gateway, err = gw(x.Gateway, x.Via); err != nil {
				return nil, err
			}
			r.NextHops = []snapshots.NextHop{nh}
		}
		out = append(out, r)
	}
	return out, nil
}

func cmpOr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// routeKey identifies a route across ip's answers and the engine's rows.
func routeKey(r *snapshots.Route) string {
	var devs []string
	for _, h := range r.NextHops {
		devs = append(devs, strconv.Itoa(int(h.OIF)))
	}
	sort.Strings(devs)
	return fmt.Sprintf("%d|%d|%d|%s|%s|%d|%s", routeFamily(r.Family), r.Table, r.Type, r.Dst, r.Src(), r.Priority,
		strings.Join(devs, ","))
}

// labQueries lists the ip selectors checked on the lab: every device,
// and destination and source prefixes and addresses of both families.
func labQueries(links []snapshots.Link) [][]string {
	var qs [][]string
	show := func(fam string, sel ...string) {
		qs = append(qs, append([]string{fam, "route", "show", "table", "all"}, sel...))
	}
	for _, l := range links {
		show("-4", "dev", l.Name)
		show("-6", "dev", l.Name)
		show("-0", "iif", l.Name) // placeholder family: see runQuery
	}
	for _, p := range []string{"0.0.0.0/0", "10.0.0.0/8", "10.1.0.0/16", "10.1.0.0/24", "10.8.8.8/32", "10.50.0.0/15",
		"127.0.0.0/8", "10.1.0.255/32", "239.0.0.0/8"} {
		show("-4", "root", p)
	}
	for _, p := range []string{"::/0", "fd00::/16", "fd00:1::/64", "fe80::/10", "fd00:99::/48", "::1/128", "ff00::/8"} {
		show("-6", "root", p)
	}
	for _, a := range []string{"10.1.0.5", "10.1.0.11", "10.8.8.8", "10.50.1.1", "10.66.3.3", "192.0.2.1", "127.0.0.1"} {
		show("-4", "match", a)
	}
	for _, a := range []string{"fd00:1::5", "fd00:99::1", "fd00:97::1", "fe80::1", "2001:db8::1"} {
		show("-6", "match", a)
	}
	for _, p := range []string{"10.1.0.0/24", "10.1.0.11/32", "10.2.0.1/32", "10.0.0.0/8", "0.0.0.0/0"} {
		show("-4", "from", "root", p)
		show("-4", "src", p)
	}
	for _, a := range []string{"10.1.0.1", "10.1.0.11", "10.2.0.1"} {
		show("-4", "from", "match", a)
		show("-4", "src", a)
	}
	for _, p := range []string{"fd00:1::/64", "fd00::/16", "fd00:2::1/128", "::/0"} {
		show("-6", "from", "root", p)
		show("-6", "src", p)
	}
	for _, a := range []string{"fd00:1::7", "fd00:2::1"} {
		show("-6", "from", "match", a)
		show("-6", "src", a)
	}
	return qs
}

// checkLab compares the engine with ip's answers, and checks the rows'
// flags and the default selection against ip's own view of each route.
func checkLab(t *testing.T, d *labDump) {
	t.Helper()
	links, addrs, routes, err := d.model()
	if err != nil {
		t.Fatal(err)
	}
	ifs := NewLinkNames(links, addrs)
	index := map[string]int32{}
	for _, l := range links {
		index[l.Name] = l.Index
	}
	answers := map[string][]snapshots.Route{}
	for _, q := range d.Queries {
		fam := uint8(0)
		switch q.Args[0] {
		case "-4":
			fam = snapshots.AFInet
		case "-6":
			fam = snapshots.AFInet6
		}
		rs, err := parseIPRoutes(q.Out, fam, index)
		if err != nil {
			t.Fatalf("%q: %v", q.Args, err)
		}
		// ip leaves out what the selector fixed: the device of "dev X",
		// the preferred source of "src A" with a host address.
		if n := len(q.Args); n >= 2 && q.Args[n-2] == "src" {
			if p, err := parseAddrOrPrefix(q.Args[n-1], fam); err == nil && p.IsSingleIP() {
				for i := range rs {
					if !rs[i].PrefSrc.IsValid() {
						rs[i].PrefSrc = p.Addr()
					}
				}
			}
		}
		if n := len(q.Args); n >= 2 && q.Args[n-2] == "dev" {
			for i := range rs {
				if len(rs[i].NextHops) == 1 && rs[i].NextHops[0].OIF == 0 {
					rs[i].NextHops[0].OIF = index[q.Args[n-1]]
				} else if len(rs[i].NextHops) == 0 {
					rs[i].NextHops = []snapshots.NextHop{{OIF: index[q.Args[n-1]], Weight: 1}}
				}
			}
		}
		answers[strings.Join(q.Args, " ")] = rs
	}
	ask := func(args ...string) []snapshots.Route {
		rs, ok := answers[strings.Join(args, " ")]
		if !ok {
			t.Fatalf("no recorded answer for ip %q", args)
		}
		return rs
	}
	// ours runs the engine with -a; ip -4 and -6 dump one family, while
	// af:inet also takes IPv4 multicast routing entries, so rows are
	// kept by exact family.
	ours := func(fam string, filters ...string) map[string]*snapshots.Route {
		e, err := ParseAll(filters, Env{Ifaces: ifs})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]uint8{"-4": snapshots.AFInet, "-6": snapshots.AFInet6}[fam]
		out := map[string]*snapshots.Route{}
		for _, w := range Select(routes, true, e) {
			if want == 0 || w.Family() == want {
				out[routeKey(w.Route)] = w.Route
			}
		}
		return out
	}
	keys := func(rs []snapshots.Route, keep func(*snapshots.Route) bool) map[string]bool {
		out := map[string]bool{}
		for i := range rs {
			if keep == nil || keep(&rs[i]) {
				out[routeKey(&rs[i])] = true
			}
		}
		return out
	}
	same := func(what string, got map[string]*snapshots.Route, want map[string]bool) {
		t.Helper()
		var missing, extra []string
		for k := range want {
			if got[k] == nil {
				missing = append(missing, k)
			}
		}
		for k := range got {
			if !want[k] {
				extra = append(extra, k)
			}
		}
		if len(missing)+len(extra) > 0 {
			sort.Strings(missing)
			sort.Strings(extra)
			t.Errorf("%s: engine misses %q, adds %q", what, missing, extra)
		}
	}
	hasSrc := func(r *snapshots.Route) bool { return r.Src().IsValid() && r.Src().Bits() > 0 }
	compared := 0
	for _, q := range labQueries(links) {
		fam, sel := q[0], q[5:]
		switch {
		case sel[0] == "dev":
			got := ours(fam, "outif:"+sel[1])
			want := keys(ask(q...), nil)
			// ip's dev selector skips multipath routes (they have no
			// RTA_OIF); outif matches any next hop, so add those.
			for i := range routes {
				r := &routes[i]
				if len(r.NextHops) > 1 && fmt.Sprint(routeFamily(r.Family)) == map[string]string{"-4": "2", "-6": "10"}[fam] {
					for _, h := range r.NextHops {
						if h.OIF == index[sel[1]] {
							want[routeKey(r)] = true
						}
					}
				}
			}
			same(strings.Join(q, " "), got, want)
		case sel[0] == "iif":
			ipq := append([]string{"route", "show", "table", "all"}, sel...)
			same(strings.Join(ipq, " "), ours(fam, "inif:"+sel[1]), keys(ask(q...), nil))
		case sel[0] == "root":
			same(strings.Join(q, " "), ours(fam, "dst:"+sel[1]), keys(ask(q...), nil))
		case sel[0] == "match":
			same(strings.Join(q, " "), ours(fam, "dst:"+sel[1]), keys(ask(q...), nil))
		case sel[0] == "from":
			// src: the source prefix of source-specific routes (ip's from
			// selector), else the preferred source (ip's src selector).
			want := keys(ask(q...), hasSrc)
			// ip's src selector compares an absent preferred source as
			// zero; the engine gives such a route no source at all.
			prefOnly := func(r *snapshots.Route) bool { return !hasSrc(r) && r.PrefSrc.IsValid() }
			for k := range keys(ask(fam, "route", "show", "table", "all", "src", sel[2]), prefOnly) {
				want[k] = true
			}
			same(strings.Join(q, " ")+" + src", ours(fam, "src:"+sel[2]), want)
		case sel[0] == "src":
			continue // used with from
		default:
			t.Fatalf("query %q", q)
		}
		compared++
	}
	if compared < 40 {
		t.Fatalf("only %d ip selectors compared", compared)
	}

	// Flags, against what ip says of each route.
	var raws []ipRoute
	for _, raw := range [][]byte{d.Inet, d.Inet6} {
		var xs []ipRoute
		if err := json.Unmarshal(raw, &xs); err != nil {
			t.Fatal(err)
		}
		raws = append(raws, xs...)
	}
	seen := map[string]bool{}
	for i, x := range raws {
		r := &routes[i] // model() keeps inet then inet6 order
		hops := x.Nexthops
		if len(hops) == 0 {
			hops = []ipHop{{Gateway: x.Gateway, Via: x.Via, Dev: x.Dev}}
		}
		for j, h := range hops {
			got := FlagsOf(r, j)
			if len(r.NextHops) == 0 {
				got = FlagsOf(r, -1)
			}
			down := slices.Contains(h.Flags, "dead") || slices.Contains(h.Flags, "linkdown") ||
				slices.Contains(x.Flags, "dead") || slices.Contains(x.Flags, "linkdown")
			want := map[Flags]bool{
				FlagU: !down,
				FlagG: h.Gateway != "" || h.Via != nil,
				FlagH: !strings.Contains(x.Dst, "/") && x.Dst != "default",
				FlagM: len(x.Nexthops) > 1,
				FlagL: x.Type == "2",
				FlagB: x.Type == "3",
				FlagR: slices.Contains([]string{"6", "7", "8", "9"}, x.Type),
				FlagS: x.PrefSrc != "" && x.Protocol != "2",
				FlagA: false,
				FlagD: x.Protocol == "1",
			}
			for fl, w := range want {
				if got&fl != 0 != w {
					t.Errorf("%s hop %d: flags %s, %s should be %v", x.Dst, j, got, fl, w)
				}
				if got&fl != 0 {
					seen[fl.String()] = true
				}
			}
		}
	}
	for _, fl := range []string{"U", "G", "H", "M", "S", "L", "B", "R"} {
		if !seen[fl] {
			t.Errorf("no route of the lab carries flag %s; the lab lost a case", fl)
		}
	}

	// Without -a: exactly ip's main table minus the -a types.
	for _, fam := range []string{"-4", "-6"} {
		want := keys(ask(fam, "route", "show"), func(r *snapshots.Route) bool {
			return r.Type == rtnUnicast || r.Type == rtnBlackhole || r.Type == rtnUnreachable || r.Type == rtnProhibit
		})
		e, _ := ParseAll([]string{map[string]string{"-4": "inet", "-6": "inet6"}[fam]}, Env{})
		got := map[string]*snapshots.Route{}
		n := 0
		for _, w := range Select(routes, false, e) {
			got[routeKey(w.Route)] = w.Route
			n++
		}
		same("netstat -r "+fam+" vs ip route show", got, want)
		rows := 0
		for _, r := range got {
			rows += max(1, len(r.NextHops))
		}
		if n != rows {
			t.Errorf("%s: %d rows for %d routes with %d next hops", fam, n, len(got), rows)
		}
	}
}
