package dhcp

import (
	"net/netip"
	"testing"
	"time"

	"github.com/netmortem/netmortem/snapshots"
)

// lease is the one dhclient obtained from dnsmasq in the lab (lease time
// 3600 s, T1 1800 s and T2 3150 s as the server sent them), with the times
// the lease file records.
func lease() snapshots.Lease {
	exp := time.Date(2026, 11, 29, 0, 4, 10, 0, time.UTC)
	return snapshots.Lease{
		Interface: "a0", Client: "dhclient", Family: snapshots.AFInet, Address: netip.MustParseAddr("10.1.0.121"),
		PrefixLen: 24, Server: netip.MustParseAddr("10.1.0.2"), LeaseTime: 3600,
		Renew: time.Date(2026, 11, 28, 23, 33, 19, 0, time.UTC), Rebind: time.Date(2026, 11, 28, 23, 56, 40, 0, time.UTC),
		Expire: exp,
	}
}

func TestStates(t *testing.T) {
	l := lease()
	b, e, r, rb, never := Times(&l)
	if want := l.Expire.Add(-time.Hour); !b.Equal(want) || never {
		t.Errorf("began %v, want expiry − lease time %v", b, want)
	}
	for _, tc := range []struct {
		at   time.Time
		want string
	}{
		{b.Add(-time.Minute), StateBound}, // a clock behind the server's
		{b, StateBound},
		{r.Add(-time.Second), StateBound},
		{r, StateRenewing},
		{rb.Add(-time.Second), StateRenewing},
		{rb, StateRebinding},
		{e.Add(-time.Second), StateRebinding},
		{e, StateInit},
		{e.Add(48 * time.Hour), StateInit},
	} {
		if got := State(r, rb, e, never, tc.at); got != tc.want {
			t.Errorf("at %v: %s, want %s", tc.at, got, tc.want)
		}
	}
}

// TestDefaults: a lease without T1, T2 or start (systemd-networkd and
// dhcpcd record less than dhclient) gets RFC 2131's defaults.
func TestDefaults(t *testing.T) {
	l := lease()
	l.Renew, l.Rebind = time.Time{}, time.Time{}
	b, e, r, rb, _ := Times(&l)
	if !r.Equal(b.Add(30*time.Minute)) || !rb.Equal(b.Add(52*time.Minute+30*time.Second)) || !e.Equal(l.Expire) {
		t.Errorf("T1 %v T2 %v", r, rb)
	}
	l = lease()
	l.Expire, l.Start = time.Time{}, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, e, _, _, _ := Times(&l); !e.Equal(l.Start.Add(time.Hour)) {
		t.Errorf("expiry %v", e)
	}
	l.LeaseTime = Infinite
	if _, e, r, _, never := Times(&l); !never || !e.IsZero() || !r.IsZero() || State(r, r, e, never, time.Now()) != StateBound {
		t.Errorf("infinite lease: %v %v %v", e, r, never)
	}
	l = snapshots.Lease{Interface: "x"}
	if _, e, r, rb, _ := Times(&l); !e.IsZero() || !r.IsZero() || !rb.IsZero() || State(r, rb, e, false, time.Now()) != StateBound {
		t.Error("a lease without times")
	}
}

func TestStatuses(t *testing.T) {
	old := lease()
	old.Expire = old.Expire.Add(-24 * time.Hour)
	old.Renew, old.Rebind = old.Renew.Add(-24*time.Hour), old.Rebind.Add(-24*time.Hour)
	v6 := snapshots.Lease{Interface: "a1", Family: snapshots.AFInet6, Address: netip.MustParseAddr("fd00:2::99"), LeaseTime: Infinite}
	gone := snapshots.Lease{Interface: "eth9", Family: snapshots.AFInet, LeaseTime: 60, BOOTP: true,
		Start: time.Date(2026, 11, 28, 23, 0, 0, 0, time.UTC)}
	b1 := lease()
	b1.Interface = "a1"
	in := Input{
		Leases: []snapshots.Lease{v6, gone, old, lease(), b1},
		Links:  []snapshots.Link{{Index: 1, Name: "lo"}, {Index: 2, Name: "a0"}, {Index: 3, Name: "a1"}},
		Routes: []snapshots.Route{
			{Family: snapshots.AFInet, Table: 100, Type: 1, Dst: netip.MustParsePrefix("0.0.0.0/0"), NextHops: []snapshots.NextHop{{OIF: 3}}},
			{Family: snapshots.AFInet, Table: 254, Type: 1, Priority: 100, Dst: netip.MustParsePrefix("0.0.0.0/0"), NextHops: []snapshots.NextHop{{OIF: 3}}},
			{Family: snapshots.AFInet, Table: 254, Type: 1, Priority: 0, Dst: netip.MustParsePrefix("0.0.0.0/0"), NextHops: []snapshots.NextHop{{OIF: 2}}},
		},
		Now: time.Date(2026, 11, 28, 23, 40, 0, 0, time.UTC),
	}
	got := Statuses(in)
	want := []struct {
		ifn            string
		idx            int32
		state          string
		primary, bootp bool
		expires        time.Time
	}{
		{"a0", 2, StateRenewing, true, false, lease().Expire},
		{"a1", 3, StateRenewing, false, false, lease().Expire},
		{"eth9", 0, StateInit, false, true, gone.Start.Add(time.Minute)},
		{"a1", 3, StateBound, false, false, time.Time{}},
	}
	if len(got) != len(want) {
		t.Fatalf("%d statuses: %+v", len(got), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Interface != w.ifn || g.IfIndex != w.idx || g.State != w.state || g.Primary != w.primary || g.BOOTP != w.bootp || !g.Expires.Equal(w.expires) {
			t.Errorf("%d: %+v, want %+v", i, g, w)
		}
	}
	if !got[3].Never || got[3].Family != snapshots.AFInet6 || !got[3].Leased() || got[2].Leased() {
		t.Errorf("%+v %+v", got[3], got[2])
	}
}
