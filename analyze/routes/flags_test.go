package routes

import (
	"net/netip"
	"testing"

	"github.com/netmortem/netmortem/snapshots"
)

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }
func addr(s string) netip.Addr  { return netip.MustParseAddr(s) }

func hop(gw string, oif int32) snapshots.NextHop {
	h := snapshots.NextHop{OIF: oif, Weight: 1}
	if gw != "" {
		h.Gateway = addr(gw)
	}
	return h
}

// TestFlagsOfRouteTypes checks the letters of every kind of Linux route.
func TestFlagsOfRouteTypes(t *testing.T) {
	v4, v6 := uint8(snapshots.AFInet), uint8(snapshots.AFInet6)
	dead, linkdown := hop("10.2.0.2", 3), hop("10.2.0.2", 3)
	dead.Flags, linkdown.Flags = rtnhFDead, rtnhFLinkdown
	cases := []struct {
		name  string
		r     snapshots.Route
		flags []string // per row
	}{
		{"default via gateway", snapshots.Route{Family: v4, Table: 254, Type: rtnUnicast, Protocol: 3,
			Dst: pfx("0.0.0.0/0"), NextHops: []snapshots.NextHop{hop("10.1.0.2", 2)}}, []string{"UG"}},
		{"connected (kernel, prefsrc)", snapshots.Route{Family: v4, Table: 254, Type: rtnUnicast, Protocol: rtprotKernel,
			Dst: pfx("10.1.0.0/24"), PrefSrc: addr("10.1.0.1"), NextHops: []snapshots.NextHop{hop("", 2)}}, []string{"U"}},
		{"host via gateway", snapshots.Route{Family: v4, Table: 254, Type: rtnUnicast, Protocol: 3,
			Dst: pfx("10.8.8.8/32"), NextHops: []snapshots.NextHop{hop("10.1.0.2", 2)}}, []string{"UGH"}},
		{"static with src", snapshots.Route{Family: v4, Table: 254, Type: rtnUnicast, Protocol: 3,
			Dst: pfx("10.60.0.0/16"), PrefSrc: addr("10.2.0.1"), NextHops: []snapshots.NextHop{hop("10.2.0.2", 3)}}, []string{"UGS"}},
		{"local", snapshots.Route{Family: v4, Table: 255, Type: rtnLocal, Protocol: rtprotKernel, Scope: 254,
			Dst: pfx("10.1.0.1/32"), PrefSrc: addr("10.1.0.1"), NextHops: []snapshots.NextHop{hop("", 2)}}, []string{"UHL"}},
		{"broadcast", snapshots.Route{Family: v4, Table: 255, Type: rtnBroadcast, Protocol: rtprotKernel,
			Dst: pfx("10.1.0.255/32"), PrefSrc: addr("10.1.0.1"), NextHops: []snapshots.NextHop{hop("", 2)}}, []string{"UHB"}},
		{"blackhole", snapshots.Route{Family: v4, Table: 254, Type: rtnBlackhole, Dst: pfx("10.66.0.0/16")}, []string{"UR"}},
		{"unreachable", snapshots.Route{Family: v4, Table: 254, Type: rtnUnreachable, Dst: pfx("10.67.0.0/16")}, []string{"UR"}},
		{"prohibit", snapshots.Route{Family: v4, Table: 254, Type: rtnProhibit, Dst: pfx("10.68.0.0/16")}, []string{"UR"}},
		{"throw", snapshots.Route{Family: v4, Table: 100, Type: rtnThrow, Dst: pfx("10.69.0.0/16")}, []string{"UR"}},
		{"blackhole v6 on lo", snapshots.Route{Family: v6, Table: 254, Type: rtnBlackhole, Dst: pfx("fd00:66::/48"),
			NextHops: []snapshots.NextHop{hop("", 1)}}, []string{"UR"}},
		{"multipath", snapshots.Route{Family: v4, Table: 254, Type: rtnUnicast, Protocol: 3, Dst: pfx("10.50.0.0/16"),
			Multipath: true, NextHops: []snapshots.NextHop{hop("10.1.0.2", 2), hop("10.2.0.2", 3)}}, []string{"UGM", "UGM"}},
		{"multipath, one hop dead, one link down", snapshots.Route{Family: v4, Table: 254, Type: rtnUnicast, Protocol: 3,
			Dst: pfx("10.51.0.0/16"), Multipath: true, NextHops: []snapshots.NextHop{hop("10.1.0.2", 2), dead, linkdown}},
			[]string{"UGM", "GM", "GM"}},
		{"single path, linkdown in rtm_flags", snapshots.Route{Family: v4, Table: 254, Type: rtnUnicast, Protocol: 2,
			Flags: rtnhFLinkdown, Dst: pfx("10.3.0.0/24"), PrefSrc: addr("10.3.0.1"), NextHops: []snapshots.NextHop{hop("", 4)}}, []string{""}},
		{"multipath of one hop", snapshots.Route{Family: v4, Table: 254, Type: rtnUnicast, Protocol: 3, Dst: pfx("10.52.0.0/16"),
			Multipath: true, NextHops: []snapshots.NextHop{hop("10.1.0.2", 2)}}, []string{"UG"}},
		{"redirect protocol", snapshots.Route{Family: v4, Table: 254, Type: rtnUnicast, Protocol: rtprotRedirect,
			Dst: pfx("10.9.9.9/32"), NextHops: []snapshots.NextHop{hop("10.1.0.3", 2)}}, []string{"UGHD"}},
		{"PMTU exception", snapshots.Route{Family: v4, Table: 254, Type: rtnUnicast, Cloned: true, Flags: rtmFCloned,
			Dst: pfx("10.50.1.1/32"), NextHops: []snapshots.NextHop{hop("10.1.0.2", 2)},
			X: &snapshots.RouteExtra{Metrics: []snapshots.RouteMetric{{Type: snapshots.RTAXMTU, Value: 1280}}}}, []string{"UGHA"}},
		{"redirect exception v4", snapshots.Route{Family: v4, Table: 254, Type: rtnUnicast, Flags: rtmFCloned | rtcfRedirect,
			Dst: pfx("10.50.1.2/32"), NextHops: []snapshots.NextHop{hop("10.1.0.3", 2)}}, []string{"UGHDA"}},
		{"redirect exception v6", snapshots.Route{Family: v6, Table: 254, Type: rtnUnicast, Cloned: true, Protocol: rtprotRedirect,
			Dst: pfx("fd00:99::5/128"), NextHops: []snapshots.NextHop{hop("fe80::2", 2)}}, []string{"UGHDA"}},
		{"anycast v6", snapshots.Route{Family: v6, Table: 255, Type: rtnAnycast, Protocol: rtprotKernel,
			Dst: pfx("fd00:1::/128"), NextHops: []snapshots.NextHop{hop("", 2)}}, []string{"UH"}},
		{"multicast v6", snapshots.Route{Family: v6, Table: 255, Type: rtnMulticast, Protocol: rtprotKernel,
			Dst: pfx("ff00::/8"), NextHops: []snapshots.NextHop{hop("", 2)}}, []string{"U"}},
		{"unspecified gateway is no gateway", snapshots.Route{Family: v6, Table: 254, Type: rtnUnicast, Protocol: 3,
			Dst: pfx("fd00:5::/64"), NextHops: []snapshots.NextHop{hop("::", 2)}}, []string{"U"}},
	}
	for _, c := range cases {
		rows := Select([]snapshots.Route{c.r}, true, nil)
		if len(rows) != len(c.flags) {
			t.Errorf("%s: %d rows, want %d", c.name, len(rows), len(c.flags))
			continue
		}
		for i, w := range rows {
			if got := w.Flags.String(); got != c.flags[i] {
				t.Errorf("%s: row %d flags %q, want %q", c.name, i, got, c.flags[i])
			}
			if got := FlagsOf(&c.r, int(w.Hop)).String(); got != c.flags[i] {
				t.Errorf("%s: FlagsOf row %d = %q, want %q", c.name, i, got, c.flags[i])
			}
		}
	}
}

func TestFlagsString(t *testing.T) {
	if got := AllFlags.String(); got != "UGHDABLMSR" {
		t.Errorf("AllFlags = %q", got)
	}
	for i := 0; i < len(flagLetters); i++ {
		if flagOf(flagLetters[i]).String() != flagLetters[i:i+1] {
			t.Errorf("letter %c does not round-trip", flagLetters[i])
		}
	}
	if flagOf('b') != 0 || flagOf('Z') != 0 || flagOf('u') != 0 {
		t.Error("letters must be the man page's, case-sensitive")
	}
}

// TestVisible checks which routes netstat -r shows without and with -a.
func TestVisible(t *testing.T) {
	v4 := uint8(snapshots.AFInet)
	type c struct {
		r         snapshots.Route
		plain, wA bool
	}
	cases := []c{
		{snapshots.Route{Family: v4, Table: 254, Type: rtnUnicast}, true, true},
		{snapshots.Route{Family: v4, Table: 254, Type: rtnBlackhole}, true, true},
		{snapshots.Route{Family: v4, Table: 254, Type: rtnUnreachable}, true, true},
		{snapshots.Route{Family: v4, Table: 254, Type: rtnProhibit}, true, true},
		{snapshots.Route{Family: v4, Table: 254, Type: rtnThrow}, false, true},
		{snapshots.Route{Family: v4, Table: 255, Type: rtnLocal}, false, true},
		{snapshots.Route{Family: v4, Table: 255, Type: rtnBroadcast}, false, true},
		{snapshots.Route{Family: v4, Table: 254, Type: rtnLocal}, false, true},
		{snapshots.Route{Family: v4, Table: 255, Type: rtnAnycast}, false, true},
		{snapshots.Route{Family: v4, Table: 255, Type: rtnMulticast}, false, true},
		{snapshots.Route{Family: v4, Table: 100, Type: rtnUnicast}, false, true},
		{snapshots.Route{Family: v4, Table: 254, Type: rtnUnicast, Cloned: true}, false, true},
		{snapshots.Route{Family: v4, Table: 254, Type: rtnUnicast, Flags: rtmFCloned}, false, true},
	}
	for i, x := range cases {
		if got := Visible(&x.r, false, nil); got != x.plain {
			t.Errorf("case %d (table %d type %d): visible without -a = %v", i, x.r.Table, x.r.Type, got)
		}
		if got := Visible(&x.r, true, nil); got != x.wA {
			t.Errorf("case %d: visible with -a = %v", i, got)
		}
	}
	// A table filter replaces the main-table rule but not the type rule.
	t100 := func(id uint32) bool { return id == 100 }
	if !Visible(&cases[10].r, false, t100) || Visible(&cases[0].r, false, t100) || Visible(&cases[5].r, false, t100) {
		t.Error("table filter visibility wrong")
	}
}
