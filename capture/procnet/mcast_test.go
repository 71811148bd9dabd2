package procnet

import (
	"bytes"
	"testing"

	"github.com/netmortem/netmortem/snapshots"
)

func findGroup(t *testing.T, gs []snapshots.Membership, ifindex int32, group string) snapshots.Membership {
	t.Helper()
	for _, g := range gs {
		if g.IfIndex == ifindex && g.Group == mustAddr(group) {
			return g
		}
	}
	t.Fatalf("no membership of %s on %d", group, ifindex)
	return snapshots.Membership{}
}

func TestIGMP(t *testing.T) {
	groups, ifaces, err := ParseIGMP(fixture(t, "net/igmp"), le)
	if err != nil {
		t.Fatal(err)
	}
	wantIfaces := []snapshots.McastIface{
		{IfIndex: 1, IfName: "lo", Count: 1, Querier: "V3"},
		{IfIndex: 2, IfName: "a0", Count: 4, Querier: "V3"},
		{IfIndex: 3, IfName: "a1", Count: 1, Querier: "V3"},
	}
	if d := cmpDiff(wantIfaces, ifaces); d != "" {
		t.Errorf("interfaces (-want +got):\n%s", d)
	}
	var a0 []string
	for _, g := range groups {
		if g.Family != snapshots.AFInet || g.Users != 1 {
			t.Errorf("%+v", g)
		}
		if g.IfIndex == 2 {
			a0 = append(a0, g.Group.String())
		}
	}
	if len(groups) != 6 || cmpDiff([]string{"239.3.3.3", "232.1.1.1", "239.1.1.1", "224.0.0.1"}, a0) != "" {
		t.Errorf("%d groups; a0 has %v", len(groups), a0)
	}
	// The big-endian file decodes to the same memberships.
	g2, i2, err := ParseIGMP(bytes.NewReader(readFixture(t, s390Dir, "net/igmp")), be)
	if err != nil || cmpDiff(groups, g2) != "" || cmpDiff(ifaces, i2) != "" {
		t.Errorf("s390x igmp differs: %v", err)
	}

	// Timers, a long interface name, and errors.
	in := "Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter\n" +
		"7\tverylongname15: 1      V2\n" +
		"\t\t\t\tFB0000E0     2 1:0000012C\t\t1\n"
	gs, ifs, err := ParseIGMP(reader(in), le)
	if err != nil {
		t.Fatal(err)
	}
	want := snapshots.Membership{Family: snapshots.AFInet, IfIndex: 7, IfName: "verylongname15", Group: mustAddr("224.0.0.251"),
		Users: 2, Timer: true, Expires: 300, Reporter: true}
	if d := cmpDiff([]snapshots.Membership{want}, gs); d != "" || ifs[0].Querier != "V2" {
		t.Errorf("(-want +got):\n%s", d)
	}
	for _, bad := range []string{
		"Idx\n\t\t\t\tFB0000E0     2 1:0000012C\t\t1\n",      // group before interface
		"Idx\n7\tx: 1 V2\n\t\t\t\tFB0000E0 2 1-0000012C 1\n", // bad timer
		"Idx\n7\tx 1 V2\n",
		"Group\n",
	} {
		if _, _, err := ParseIGMP(reader(bad), le); err == nil {
			t.Errorf("no error for %q", bad)
		}
	}
}

func TestIGMP6(t *testing.T) {
	groups, err := ParseIGMP6(fixture(t, "net/igmp6"))
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 17 {
		t.Errorf("%d groups, want 17", len(groups))
	}
	g := findGroup(t, groups, 2, "ff15::1234")
	want := snapshots.Membership{Family: snapshots.AFInet6, IfIndex: 2, IfName: "a0", Group: mustAddr("ff15::1234"), Users: 1, Flags: 4}
	if d := cmpDiff(want, g); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if g := findGroup(t, groups, 2, "ff02::1:ff00:0"); g.Users != 2 {
		t.Errorf("solicited-node users %d", g.Users)
	}
	gs, err := ParseIGMP6(reader("2    a0              ff020000000000000000000000000002     1 00000007 250\n"))
	if err != nil || !gs[0].Timer || !gs[0].Reporter || gs[0].Expires != 250 {
		t.Errorf("timer flags: %+v %v", gs, err)
	}
}

func TestMcFilterAttach(t *testing.T) {
	groups, _, err := ParseIGMP(fixture(t, "net/igmp"), le)
	if err != nil {
		t.Fatal(err)
	}
	g6, err := ParseIGMP6(fixture(t, "net/igmp6"))
	if err != nil {
		t.Fatal(err)
	}
	f4, err := ParseMcFilter(fixture(t, "net/mcfilter"))
	if err != nil {
		t.Fatal(err)
	}
	f6, err := ParseMcFilter6(fixture(t, "net/mcfilter6"))
	if err != nil {
		t.Fatal(err)
	}
	wantF := McFilter{Family: snapshots.AFInet, IfIndex: 2, IfName: "a0", Group: mustAddr("232.1.1.1"),
		Source: snapshots.MemberSource{Addr: mustAddr("10.1.0.2"), Include: 1}}
	if len(f4) != 2 || cmpDiff(wantF, f4[1]) != "" {
		t.Errorf("mcfilter: %+v", f4)
	}
	n := len(groups) + len(g6)
	all := AttachSources(append(groups, g6...), append(f4, f6...))
	if len(all) != n {
		t.Errorf("attach added memberships: %d -> %d", n, len(all))
	}
	// The source-specific join of the lab: 232.1.1.1 from 10.1.0.2 only.
	ssm := findGroup(t, all, 2, "232.1.1.1")
	if ssm.Mode != snapshots.FilterInclude || cmpDiff([]snapshots.MemberSource{{Addr: mustAddr("10.1.0.2"), Include: 1}}, ssm.Sources) != "" {
		t.Errorf("232.1.1.1: mode %d sources %+v", ssm.Mode, ssm.Sources)
	}
	// IP_BLOCK_SOURCE on an any-source join.
	if ex := findGroup(t, all, 2, "239.3.3.3"); ex.Mode != snapshots.FilterExclude || len(ex.Sources) != 1 || ex.Sources[0].Exclude != 1 {
		t.Errorf("239.3.3.3: %+v", ex)
	}
	if asm := findGroup(t, all, 2, "239.1.1.1"); asm.Mode != snapshots.FilterExclude || asm.Sources != nil {
		t.Errorf("239.1.1.1: %+v", asm)
	}
	if v6 := findGroup(t, all, 2, "ff3e::8888"); v6.Mode != snapshots.FilterInclude || v6.Sources[0].Addr != mustAddr("fd00:1::2") {
		t.Errorf("ff3e::8888: %+v", v6)
	}
	if v6 := findGroup(t, all, 2, "ff15::abcd"); v6.Mode != snapshots.FilterExclude || v6.Sources[0].Addr != mustAddr("fd00:1::77") {
		t.Errorf("ff15::abcd: %+v", v6)
	}
	// A filter row whose membership is gone still lands somewhere.
	extra := AttachSources(nil, []McFilter{{Family: snapshots.AFInet, IfIndex: 9, IfName: "verylo", Group: mustAddr("232.9.9.9"),
		Source: snapshots.MemberSource{Addr: mustAddr("10.9.9.9"), Include: 1}}})
	if len(extra) != 1 || extra[0].Mode != snapshots.FilterInclude || extra[0].IfName != "verylo" {
		t.Errorf("orphan filter: %+v", extra)
	}
	if _, err := ParseMcFilter(reader("Idx Device MCA SRC INC EXC\n  2 a0 e8010101 0x0a010002 1 0\n")); err == nil {
		t.Error("group without 0x accepted")
	}
}

func TestDevMcast(t *testing.T) {
	ms, err := ParseDevMcast(fixture(t, "net/dev_mcast"))
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, m := range ms {
		if m.IfIndex == 2 && bytes.Equal(m.Addr, []byte{0x01, 0x00, 0x5e, 0x01, 0x01, 0x01}) {
			found = true
			// 239.1.1.1 and 232.1.1.1 map to the same MAC.
			if m.Users != 2 || m.Global || m.IfName != "a0" {
				t.Errorf("01:00:5e:01:01:01: %+v", m)
			}
		}
	}
	if !found || len(ms) != 17 {
		t.Errorf("%d rows, 01:00:5e:01:01:01 found %v", len(ms), found)
	}
	if _, err := ParseDevMcast(reader("2 a0 1 0 01005e00000\n")); err == nil {
		t.Error("odd hex accepted")
	}
}
