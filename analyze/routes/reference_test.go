package routes

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/netmortem/netmortem/snapshots"
)

// This file holds a slow, literal implementation of the selection and
// filter rules (see doc.go), and a property test that the engine agrees
// with it on random route tables and random filters.

// refLinks is the interface world of the random tables.
var refLinks = struct {
	byName map[string]int32
	labels map[string]refLabel
}{
	byName: map[string]int32{"lo": 1, "a0": 2, "a1": 3, "hme0": 4, "big": 70000},
	labels: map[string]refLabel{
		"a0:1": {2, []string{"10.1.0.11", "10.1.0.12"}},
		"a1:2": {3, []string{"10.2.0.22"}},
	},
}

type refLabel struct {
	dev   int32
	addrs []string
}

func refEnvLinks() ([]snapshots.Link, []snapshots.Addr) {
	var links []snapshots.Link
	for n, i := range refLinks.byName {
		links = append(links, snapshots.Link{Index: i, Name: n})
	}
	addrs := []snapshots.Addr{{Family: snapshots.AFInet, Index: 2, PrefixLen: 24, Local: addr("10.1.0.1"), Label: "a0"}}
	for l, x := range refLinks.labels {
		for _, a := range x.addrs {
			addrs = append(addrs, snapshots.Addr{Family: snapshots.AFInet, Index: x.dev, PrefixLen: 24, Local: addr(a), Label: l})
		}
	}
	return links, addrs
}

var refTables = map[string]uint32{"main": 254, "local": 255, "default": 253, "unspec": 0, "isp": 100}

var refHosts = map[string][]string{"gw": {"10.1.0.2", "fd00:1::2"}, "far": {"10.200.1.1"}}

// refFlags writes the letters of a row from the rules, one by one.
func refFlags(r *snapshots.Route, h int) string {
	var hp *snapshots.NextHop
	if h >= 0 {
		hp = &r.NextHops[h]
	}
	has := map[byte]bool{}
	down := r.Flags&0x11 != 0 || hp != nil && hp.Flags&0x11 != 0
	has['U'] = !down
	has['G'] = hp != nil && hp.Gateway.IsValid() && hp.Gateway != netip.IPv4Unspecified() && hp.Gateway != netip.IPv6Unspecified()
	has['H'] = r.Dst.IsValid() && (r.Dst.Addr().Is4() && r.Dst.Bits() == 32 || r.Dst.Addr().Is6() && r.Dst.Bits() == 128)
	has['M'] = r.Multipath && len(r.NextHops) >= 2
	has['S'] = r.PrefSrc.IsValid() && r.Protocol != 2
	cloned := r.Cloned || r.Flags&0x200 != 0
	has['A'] = cloned
	has['D'] = r.Protocol == 1 || cloned && r.Flags&0x40000 != 0
	has['B'] = r.Type == 3
	has['L'] = r.Type == 2
	has['R'] = r.Type == 6 || r.Type == 7 || r.Type == 8 || r.Type == 9
	var s []byte
	for _, c := range []byte("UGHDABLMSR") {
		if has[c] {
			s = append(s, c)
		}
	}
	return string(s)
}

// bitsEqual compares the first n bits of two addresses of one family.
func bitsEqual(a, b netip.Addr, n int) bool {
	x, y := a.AsSlice(), b.AsSlice()
	for i := 0; i < n; i++ {
		if x[i/8]>>(7-i%8)&1 != y[i/8]>>(7-i%8)&1 {
			return false
		}
	}
	return true
}

// refAddrMatch applies a dst/src value to a route prefix; ok false means
// the route has no such address.
func refAddrMatch(f Filter, p netip.Prefix, ok bool) bool {
	isZero := !ok || !p.IsValid() || strings.Trim(string(p.Addr().AsSlice()), "\x00") == ""
	switch f.Kind {
	case KindAny:
		return !isZero
	case KindNone:
		return isZero
	}
	if !ok || !p.IsValid() {
		return false
	}
	var addrs []netip.Addr
	if f.Kind == KindAddr {
		addrs = []netip.Addr{f.Addr}
	} else {
		for _, s := range refHosts[f.Name] {
			addrs = append(addrs, addr(s))
		}
	}
	for _, a := range addrs {
		if a.Is4() != p.Addr().Is4() {
			continue
		}
		if f.Bits < 0 {
			if bitsEqual(a, p.Addr(), p.Bits()) {
				return true
			}
		} else if p.Bits() >= f.Bits && bitsEqual(a, p.Addr(), f.Bits) {
			return true
		}
	}
	return false
}

func refRouteOnLabel(r *snapshots.Route, oif int32, l refLabel) bool {
	if oif != l.dev {
		return false
	}
	var key netip.Addr
	if r.Type == 2 && r.Dst.IsValid() && r.Dst.Bits() == r.Dst.Addr().BitLen() {
		key = r.Dst.Addr()
	} else {
		key = r.PrefSrc
	}
	for _, a := range l.addrs {
		if key.IsValid() && key == addr(a) {
			return true
		}
	}
	return false
}

// refMatchOne applies one filter to one row.
func refMatchOne(f Filter, r *snapshots.Route, h int) bool {
	switch f.Key {
	case KeyAF:
		fam := r.Family
		if fam == 128 {
			fam = 2
		} else if fam == 129 {
			fam = 10
		}
		return fam == f.Family
	case KeyTable:
		switch f.Kind {
		case KindAll:
			return true
		case KindIndex:
			return r.Table == f.Index
		}
		id, ok := refTables[f.Name]
		return ok && r.Table == id
	case KeyDst:
		return refAddrMatch(f, r.Dst, r.Dst.IsValid())
	case KeySrc:
		if r.Src().IsValid() && r.Src().Bits() > 0 {
			return refAddrMatch(f, r.Src(), true)
		}
		if r.PrefSrc.IsValid() {
			return refAddrMatch(f, netip.PrefixFrom(r.PrefSrc, r.PrefSrc.BitLen()), true)
		}
		return refAddrMatch(f, netip.Prefix{}, false)
	case KeyFlags:
		got := refFlags(r, h)
		for _, c := range f.Flags.String() {
			in := strings.ContainsRune(got, c)
			if f.Op != '-' && !in || f.Op == '-' && in {
				return false
			}
		}
		if f.Op == '=' {
			return len(got) == len(f.Flags.String())
		}
		return true
	case KeyInIf:
		switch f.Kind {
		case KindAny:
			return r.IIF != 0
		case KindNone:
			return r.IIF == 0
		case KindIndex:
			return r.IIF != 0 && uint32(r.IIF) == f.Index
		}
		i, ok := refLinks.byName[f.Name]
		return ok && r.IIF == i
	case KeyOutIf:
		var devs []int32
		for _, x := range r.NextHops {
			if x.OIF != 0 {
				devs = append(devs, x.OIF)
			}
		}
		switch f.Kind {
		case KindAny:
			return len(devs) > 0
		case KindNone:
			return len(devs) == 0
		case KindIndex:
			return slices.Contains(devs, int32(f.Index))
		}
		if l, ok := refLinks.labels[f.Name]; ok {
			for _, d := range devs {
				if refRouteOnLabel(r, d, l) {
					return true
				}
			}
			return false
		}
		i, ok := refLinks.byName[f.Name]
		return ok && slices.Contains(devs, i)
	}
	panic("keyword")
}

// refSelect is Select by the rules: visibility, then every keyword group
// ORed inside and ANDed across, row by row.
func refSelect(rs []snapshots.Route, all bool, fs []Filter) []string {
	var tableFilters []Filter
	for _, f := range fs {
		if f.Key == KeyTable {
			tableFilters = append(tableFilters, f)
		}
	}
	var out []string
	for i := range rs {
		r := &rs[i]
		if !all {
			if r.Cloned || r.Flags&0x200 != 0 || !(r.Type == 1 || r.Type == 6 || r.Type == 7 || r.Type == 8) {
				continue
			}
			if len(tableFilters) == 0 && r.Table != 254 {
				continue
			}
		}
		hops := []int{-1}
		if len(r.NextHops) > 0 {
			hops = hops[:0]
			for j := range r.NextHops {
				hops = append(hops, j)
			}
		}
		for _, h := range hops {
			groups := map[Keyword]bool{}
			for _, f := range fs {
				groups[f.Key] = groups[f.Key] || refMatchOne(f, r, h)
			}
			ok := true
			for _, v := range groups {
				ok = ok && v
			}
			if ok {
				out = append(out, fmt.Sprintf("%d/%d %s", i, h, refFlags(r, h)))
			}
		}
	}
	return out
}

// Random tables draw from small pools so that filters hit often.
var (
	poolV4 = []string{"0.0.0.0", "10.0.0.0", "10.1.0.0", "10.1.0.1", "10.1.0.11", "10.1.0.12", "10.1.2.3",
		"10.2.0.22", "10.200.1.1", "10.1.0.2", "192.168.1.0", "192.168.1.255", "172.16.5.4", "128.0.0.0"}
	poolV6 = []string{"::", "fd00::", "fd00:1::", "fd00:1::1", "fd00:1::2", "fd00:1:2::", "fe80::", "fe80::1",
		"2001:db8::", "2001:db8::1", "ff00::", "8000::"}
)

func randAddr(r *rand.Rand, v6 bool) netip.Addr {
	if v6 {
		a := addr(poolV6[r.IntN(len(poolV6))])
		if r.IntN(4) == 0 {
			b := a.As16()
			b[15] ^= byte(r.IntN(256))
			b[r.IntN(16)] ^= byte(1 << r.IntN(8))
			a = netip.AddrFrom16(b)
		}
		return a
	}
	a := addr(poolV4[r.IntN(len(poolV4))])
	if r.IntN(4) == 0 {
		b := a.As4()
		b[3] ^= byte(r.IntN(256))
		b[r.IntN(4)] ^= byte(1 << r.IntN(8))
		a = netip.AddrFrom4(b)
	}
	return a
}

func randPrefix(r *rand.Rand, v6 bool) netip.Prefix {
	a := randAddr(r, v6)
	var bits int
	if v6 {
		bits = []int{0, 1, 8, 10, 16, 32, 48, 64, 127, 128}[r.IntN(10)]
	} else {
		bits = []int{0, 1, 4, 8, 12, 16, 23, 24, 31, 32}[r.IntN(10)]
	}
	p, _ := a.Prefix(bits)
	return p
}

func randRoute(r *rand.Rand) snapshots.Route {
	fam := uint8(snapshots.AFInet)
	v6 := r.IntN(3) == 0
	if v6 {
		fam = snapshots.AFInet6
	}
	if r.IntN(40) == 0 {
		fam = []uint8{128, 129, 28}[r.IntN(3)]
	}
	rt := snapshots.Route{
		Family:   fam,
		Table:    []uint32{254, 254, 254, 255, 100, 253, 0}[r.IntN(7)],
		Type:     uint8([]int{1, 1, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}[r.IntN(13)]),
		Protocol: uint8([]int{2, 3, 4, 1, 186, 16, 0}[r.IntN(7)]),
		Dst:      randPrefix(r, v6),
		Priority: uint32(r.IntN(3) * 100),
	}
	if r.IntN(50) == 0 {
		rt.Dst = netip.Prefix{} // malformed input: must not panic, matches only dst:none
	}
	if r.IntN(8) == 0 {
		rt.Cloned = true
	}
	if r.IntN(10) == 0 {
		rt.Flags |= []uint32{0x200, 0x40000, 0x240000, 0x1, 0x10, 0x4}[r.IntN(6)]
	}
	if r.IntN(3) == 0 {
		rt.PrefSrc = randAddr(r, v6)
		if !v6 && r.IntN(2) == 0 {
			rt.PrefSrc = addr([]string{"10.1.0.11", "10.1.0.12", "10.2.0.22", "10.1.0.1"}[r.IntN(4)])
		}
	}
	if r.IntN(5) == 0 {
		rt.Ext().Src = randPrefix(r, v6)
	}
	if r.IntN(6) == 0 {
		rt.IIF = []int32{1, 2, 3, 4, 9, 70000}[r.IntN(6)]
	}
	if rt.Type == 2 && r.IntN(2) == 0 && !v6 {
		rt.Dst = netip.PrefixFrom(addr([]string{"10.1.0.11", "10.1.0.12", "10.2.0.22", "10.1.0.1"}[r.IntN(4)]), 32)
	}
	n := []int{0, 1, 1, 1, 2, 3}[r.IntN(6)]
	rt.Multipath = n > 1 || n == 1 && r.IntN(5) == 0
	for j := 0; j < n; j++ {
		h := snapshots.NextHop{OIF: []int32{0, 1, 2, 2, 3, 4, 9, 70000}[r.IntN(8)], Weight: 1}
		switch r.IntN(4) {
		case 0:
		case 1:
			if v6 {
				h.Gateway = netip.IPv6Unspecified()
			} else {
				h.Gateway = netip.IPv4Unspecified()
			}
		default:
			h.Gateway = randAddr(r, v6)
		}
		if r.IntN(6) == 0 {
			h.Flags = []uint8{1, 16, 4, 17}[r.IntN(4)]
		}
		rt.NextHops = append(rt.NextHops, h)
	}
	return rt
}

func randAddrValue(r *rand.Rand) string {
	switch r.IntN(10) {
	case 0:
		return "any"
	case 1:
		return "none"
	case 2:
		return []string{"gw", "far", "gw/24", "gw/0", "far/8"}[r.IntN(5)]
	}
	v6 := r.IntN(3) == 0
	a := randAddr(r, v6).String()
	switch r.IntN(4) {
	case 0:
		return a
	case 1:
		if !v6 {
			bits := r.IntN(33)
			var b [4]byte
			for i := 0; i < bits; i++ {
				b[i/8] |= 0x80 >> (i % 8)
			}
			return a + "/" + netip.AddrFrom4(b).String()
		}
	}
	if v6 {
		return fmt.Sprintf("%s/%d", a, r.IntN(129))
	}
	return fmt.Sprintf("%s/%d", a, r.IntN(33))
}

func randFilter(r *rand.Rand) string {
	switch r.IntN(8) {
	case 0:
		return []string{"inet", "inet6", "af:inet", "af:inet6", "af:unix", "af:28", "af:128"}[r.IntN(7)]
	case 1:
		return "outif:" + []string{"a0", "a1", "lo", "hme0", "big", "a0:1", "a1:2", "2", "3", "9", "70000", "any", "none"}[r.IntN(13)]
	case 2:
		return "inif:" + []string{"a0", "a1", "2", "9", "70000", "any", "none"}[r.IntN(7)]
	case 3:
		return "dst:" + randAddrValue(r)
	case 4:
		return "src:" + randAddrValue(r)
	case 5:
		var b []byte
		for i, n := 0, 1+r.IntN(4); i < n; i++ {
			b = append(b, flagLetters[r.IntN(len(flagLetters))])
		}
		return "flags:" + []string{"", "+", "-"}[r.IntN(3)] + string(b)
	case 6:
		return "table:" + []string{"main", "local", "isp", "default", "100", "253", "0", "all", "7"}[r.IntN(9)]
	}
	// Many dst filters at once: the bart path.
	return ""
}

func TestEngineMatchesReference(t *testing.T) {
	links, addrs := refEnvLinks()
	env := Env{Ifaces: NewLinkNames(links, addrs), Tables: tableMap{"isp": 100},
		Hosts: func(n string) []netip.Addr {
			var out []netip.Addr
			for _, s := range refHosts[n] {
				out = append(out, addr(s))
			}
			return out
		}}
	r := rand.New(rand.NewPCG(1, 2))
	rounds := 3000
	if testing.Short() {
		rounds = 300
	}
	selected := 0
	for round := 0; round < rounds; round++ {
		rs := make([]snapshots.Route, 1+r.IntN(60))
		for i := range rs {
			rs[i] = randRoute(r)
		}
		var args []string
		for i, n := 0, r.IntN(5); i < n; i++ {
			if a := randFilter(r); a != "" {
				args = append(args, a)
				continue
			}
			key := []string{"dst:", "src:"}[r.IntN(2)]
			for j := 0; j < bartMin+r.IntN(10); j++ {
				args = append(args, key+randAddrValue(r))
			}
		}
		var fs []Filter
		for _, a := range args {
			f, err := Parse(a)
			if err != nil {
				t.Fatalf("Parse(%q): %v", a, err)
			}
			fs = append(fs, f)
		}
		e, err := Compile(fs, env)
		if err != nil {
			t.Fatalf("Compile(%q): %v", args, err)
		}
		index := map[*snapshots.Route]int{}
		for i := range rs {
			index[&rs[i]] = i
		}
		for _, all := range []bool{false, true} {
			var got []string
			for _, w := range Select(rs, all, e) {
				got = append(got, fmt.Sprintf("%d/%d %s", index[w.Route], w.Hop, w.Flags))
				if !e.MatchRow(w) {
					t.Fatalf("MatchRow false for a selected row")
				}
			}
			if n := Count(rs, all, e); n != len(got) {
				t.Fatalf("Count = %d, Select gave %d rows", n, len(got))
			}
			want := refSelect(rs, all, fs)
			selected += len(want)
			if !slices.Equal(got, want) {
				t.Fatalf("round %d -a=%v filters %q:\n got %v\nwant %v\nroutes: %+v", round, all, args, got, want, rs)
			}
		}
		// MatchRoute: some row of the route passes (no visibility rule).
		for i := range rs {
			want := len(refSelect(rs[i:i+1], true, fs)) > 0
			if got := e.MatchRoute(&rs[i]); got != want {
				t.Fatalf("MatchRoute(%+v) with %q = %v, want %v", rs[i], args, got, want)
			}
		}
	}
	if selected == 0 {
		t.Fatal("no row was ever selected: the generator is broken")
	}
}
