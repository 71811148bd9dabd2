package neigh

import (
	"net/netip"
	"reflect"
	"testing"

	"github.com/netmortem/netmortem/snapshots"
)

// The entries are those of the lab namespace (ip -j -d neigh, and the
// proxy table), plus the NOARP multicast entry Linux creates when it
// sends IGMP reports and the NUD states the lab does not produce.
func TestMapping(t *testing.T) {
	a := netip.MustParseAddr
	for _, tc := range []struct {
		n                  snapshots.Neighbour
		arp, typ, st, linx string
	}{
		{snapshots.Neighbour{Addr: a("10.1.0.99"), State: NUDPermanent}, "S", "static", "REACHABLE", "PERMANENT"},
		{snapshots.Neighbour{Addr: a("10.1.0.2"), State: NUDReachable}, "", "dynamic", "REACHABLE", "REACHABLE"},
		{snapshots.Neighbour{Addr: a("10.2.0.77"), State: NUDStale}, "o", "dynamic", "STALE", "STALE"},
		{snapshots.Neighbour{Addr: a("10.2.0.2"), State: NUDDelay}, "o", "dynamic", "DELAY", "DELAY"},
		{snapshots.Neighbour{Addr: a("10.2.0.3"), State: NUDProbe}, "o", "dynamic", "PROBE", "PROBE"},
		{snapshots.Neighbour{Addr: a("10.1.0.4"), State: NUDFailed}, "U", "dynamic", "UNREACHABLE", "FAILED"},
		{snapshots.Neighbour{Addr: a("10.1.0.5"), State: NUDIncomplete}, "U", "dynamic", "INCOMPLETE", "INCOMPLETE"},
		{snapshots.Neighbour{Addr: a("224.0.0.22"), State: NUDNoARP}, "M", "other", "REACHABLE", "NOARP"},
		{snapshots.Neighbour{Addr: a("10.9.9.9"), State: NUDNoARP}, "S", "other", "REACHABLE", "NOARP"},
		{snapshots.Neighbour{Addr: a("10.1.0.200"), Proxy: true, Flags: NTFProxy}, "SP", "other", "UNKNOWN", "NONE proxy"},
		{snapshots.Neighbour{Addr: a("fd00:2::2"), State: NUDReachable, Flags: NTFRouter}, "", "dynamic", "REACHABLE", "REACHABLE router"},
		{snapshots.Neighbour{Addr: a("fd00:1::7"), State: NUDStale, Flags: NTFExtLearned | NTFOffloaded | NTFExtManaged}, "o", "dynamic", "STALE", "STALE extern_learn offload managed"},
		{snapshots.Neighbour{Addr: a("10.1.0.6"), State: 0x300}, "", "dynamic", "UNKNOWN", "0x300"},
	} {
		n := tc.n
		got := StateName(n.State)
		if f := FlagNames(&n); len(f) > 0 {
			got += " " + joinSp(f)
		}
		if a, ty, st := ARPFlags(&n), NDPType(&n), NDPState(&n); a != tc.arp || ty != tc.typ || st != tc.st || got != tc.linx {
			t.Errorf("%v state %#x flags %#x: %q %q %q %q, want %q %q %q %q", n.Addr, n.State, n.Flags, a, ty, st, got, tc.arp, tc.typ, tc.st, tc.linx)
		}
	}
}

func joinSp(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out
}

func TestStateName(t *testing.T) {
	if got := StateName(NUDReachable | NUDPermanent); got != "REACHABLE,PERMANENT" {
		t.Errorf("%q", got)
	}
	if got := FlagNames(&snapshots.Neighbour{}); !reflect.DeepEqual(got, []string(nil)) {
		t.Errorf("%q", got)
	}
}
