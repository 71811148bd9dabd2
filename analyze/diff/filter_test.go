package diff

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/netmortem/netmortem/analyze/routes"
	"github.com/netmortem/netmortem/snapshots"
)

// withFilters compiles -f values against each side, leniently, as the
// command does.
func withFilters(t *testing.T, s *Side, args ...string) *Side {
	t.Helper()
	e, err := routes.ParseAll(args, routes.Env{Ifaces: routes.NewLinkNames(s.Tables.Links, s.Tables.Addrs), Lenient: true})
	if err != nil {
		t.Fatal(err)
	}
	s.Routes = e
	return s
}

func TestRouteFilters(t *testing.T) {
	mutate := func(ts *snapshots.Tables) {
		ts.Routes[4].NextHops[0] = hop("10.1.0.2", 2) // 10.60/16 moves from a1 to a0
		ts.Routes[0].Protocol = 4                     // default via a0 changes
		ts.Routes = append(ts.Routes,
			snapshots.Route{Family: snapshots.AFInet, Table: 254, Type: 1, Dst: pfx("10.98.0.0/16"), NextHops: []snapshots.NextHop{hop("10.2.0.2", 3)}},
			snapshots.Route{Family: snapshots.AFInet, Table: 254, Type: 1, Dst: pfx("10.97.0.0/16"), NextHops: []snapshots.NextHop{hop("10.1.0.2", 2)}})
		ts.Links = append(ts.Links, snapshots.Link{Index: 8, Name: "a2"})
		ts.Routes = append(ts.Routes, snapshots.Route{Family: snapshots.AFInet, Table: 254, Type: 1, Dst: pfx("10.96.0.0/16"), NextHops: []snapshots.NextHop{hop("", 8)}})
	}
	for _, tc := range []struct {
		args      []string
		want      []line
		unchanged int
	}{
		// A route leaving a1 is still a changed route of a1.
		{[]string{"outif:a1"}, []line{
			{"routes", "changed", "table main inet unicast 10.60.0.0/16 metric 0", []string{"nexthops: via 10.2.0.2 dev a1 -> via 10.1.0.2 dev a0"}},
			{"routes", "added", "table main inet unicast 10.98.0.0/16 metric 0", nil},
		}, 1},
		// a2 exists in NEW only: the filter compiles on both sides.
		{[]string{"outif:a2"}, []line{{"routes", "added", "table main inet unicast 10.96.0.0/16 metric 0", nil}}, 0},
		{[]string{"dst:10.97.0.0/16"}, []line{{"routes", "added", "table main inet unicast 10.97.0.0/16 metric 0", nil}}, 0},
		{[]string{"af:inet6"}, nil, 1},
	} {
		o := withFilters(t, mkSide(base(), t0), tc.args...)
		nt := base()
		mutate(nt)
		n := withFilters(t, mkSide(nt, t0.Add(time.Second)), tc.args...)
		r := Compare(o, n, Options{Tables: []snapshots.Table{snapshots.TableRoutes}})
		// The route 10.60/16 has metric 50.
		for i := range tc.want {
			if tc.want[i].Key == "table main inet unicast 10.60.0.0/16 metric 0" {
				tc.want[i].Key = "table main inet unicast 10.60.0.0/16 metric 50"
			}
		}
		if d := cmp.Diff(tc.want, lines(r)); d != "" {
			t.Errorf("%v (-want +got):\n%s", tc.args, d)
		}
		if len(r.Sections) != 1 || r.Sections[0].Unchanged != tc.unchanged {
			t.Errorf("%v: sections %+v, want %d unchanged routes", tc.args, r.Sections, tc.unchanged)
		}
	}
}

func TestTablesOption(t *testing.T) {
	ts, err := CheckTables([]snapshots.Table{snapshots.TableAddrs, snapshots.TableStats, snapshots.TableLinks})
	if err != nil || !cmp.Equal(ts, []snapshots.Table{snapshots.TableLinks, snapshots.TableStats}) {
		t.Errorf("CheckTables = %v, %v", ts, err)
	}
	for _, bad := range []snapshots.Table{snapshots.TableOwners, snapshots.TableFiles, snapshots.TableNames} {
		if _, err := CheckTables([]snapshots.Table{bad}); err == nil {
			t.Errorf("CheckTables(%s) accepted", bad)
		}
	}
	if got := Load([]snapshots.Table{snapshots.TableInet}); !cmp.Equal(got, []snapshots.Table{snapshots.TableLinks, snapshots.TableInet, snapshots.TableOwners}) {
		t.Errorf("Load(inet) = %v", got)
	}
	n := base()
	n.Links[1].MTU = 9000
	n.Routes = nil
	r := Compare(mkSide(base(), t0), mkSide(n, t0), Options{Tables: []snapshots.Table{snapshots.TableNeigh, snapshots.TableLinks}})
	var names []string
	for _, s := range r.Sections {
		names = append(names, s.Name)
	}
	if !cmp.Equal(names, []string{"interfaces", "neighbours"}) {
		t.Errorf("sections %v", names)
	}
	if !r.Differs() {
		t.Error("the MTU change was not seen")
	}
}

func TestUnavailableTables(t *testing.T) {
	o, n := mkSide(base(), t0), mkSide(base(), t0)
	n.Tables.Routes = nil
	n.Status = map[snapshots.Table]snapshots.Status{
		snapshots.TableRoutes: {State: snapshots.StateUnavailable, Reason: "netlink: permission denied"},
		snapshots.TableNeigh:  {State: snapshots.StatePartial, Reason: "proxy entries missing"},
	}
	r := Compare(o, n, Options{})
	if r.Differs() {
		t.Errorf("an unavailable table made a difference: %+v", lines(r))
	}
	for _, s := range r.Sections {
		switch s.Name {
		case "routes":
			if s.Compared || !cmp.Equal(s.Notes, []string{"not compared: unavailable in NEW: netlink: permission denied"}) {
				t.Errorf("routes: %+v", s)
			}
		case "neighbours":
			if !s.Compared || !cmp.Equal(s.Notes, []string{"partial in NEW: proxy entries missing"}) {
				t.Errorf("neighbours: %+v", s)
			}
		}
	}
}

func TestMatchNamespaces(t *testing.T) {
	old := []snapshots.NamespaceInfo{
		{ID: 0, Host: true, Inode: 1}, {ID: 1, Name: "blue", Inode: 10}, {ID: 2, Inode: 20},
		{ID: 3, Name: "gone", Inode: 30}, {ID: 4, Inode: 40},
	}
	new := []snapshots.NamespaceInfo{
		{ID: 0, Name: "red", Inode: 50}, {ID: 1, Host: true, Inode: 1}, {ID: 2, Inode: 20},
		{ID: 3, Name: "blue", Inode: 11}, {ID: 4, Inode: 41},
	}
	pairs, oo, on := MatchNamespaces(old, new)
	if d := cmp.Diff([]NSPair{{0, 1}, {1, 3}, {2, 2}}, pairs); d != "" {
		t.Errorf("pairs (-want +got):\n%s", d)
	}
	if !cmp.Equal(oo, []int{3, 4}) || !cmp.Equal(on, []int{0, 4}) {
		t.Errorf("only old %v, only new %v", oo, on)
	}
	if got := NamespaceLabel(old[2]); got != "inode 20" {
		t.Errorf("label %q", got)
	}
}

// TestIdentical tables are reported unchanged with the row counts given,
// without their rows.
func TestIdenticalOption(t *testing.T) {
	o, n := mkSide(base(), t0), mkSide(base(), t0)
	full := Compare(o, n, Options{})
	o.Tables.Routes, n.Tables.Routes = nil, nil
	o.Tables.UnixSockets, n.Tables.UnixSockets = nil, nil
	n.Status = map[snapshots.Table]snapshots.Status{snapshots.TableUnix: {State: snapshots.StatePartial, Reason: "x"}}
	o.Status = n.Status
	skipped := Compare(o, n, Options{Identical: map[snapshots.Table]int{
		snapshots.TableRoutes: len(base().Routes), snapshots.TableUnix: len(base().UnixSockets),
		snapshots.TableStats: 99, // not skippable: compared as usual
	}})
	for i := range full.Sections {
		f, s := full.Sections[i], skipped.Sections[i]
		if f.Name != s.Name || f.Unchanged != s.Unchanged || s.Differs() || !s.Compared {
			t.Errorf("%s: full %+v, skipped %+v", f.Name, f, s)
		}
		if s.Name == "unix sockets" && !cmp.Equal(s.Notes, []string{"partial in OLD and NEW: x"}) {
			t.Errorf("unix notes %v", s.Notes)
		}
	}
}
