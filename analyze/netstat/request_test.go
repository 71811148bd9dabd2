package netstat

import (
	"testing"
	"time"

	"github.com/netmortem/netmortem/analyze/routes"
	"github.com/netmortem/netmortem/snapshots"
)

func frames(offsets ...time.Duration) []snapshots.FrameInfo {
	t0 := time.Unix(1000, 0)
	var fs []snapshots.FrameInfo
	for i, o := range offsets {
		fs = append(fs, snapshots.FrameInfo{Index: i, Start: t0.Add(o)})
	}
	return fs
}

func TestSelectFrames(t *testing.T) {
	ms := time.Millisecond
	fs := frames(0, 995*ms, 2001*ms, 2990*ms, 4000*ms, 4500*ms, 6000*ms)
	for _, c := range []struct {
		start    int
		interval time.Duration
		count    int
		want     []int
	}{
		{0, 0, 0, []int{0}},
		{2, 0, 0, []int{2}},
		{0, time.Second, 0, []int{0, 1, 2, 3, 4, 6}}, // jitter of a few ms is tolerated
		{0, time.Second, 3, []int{0, 1, 2}},
		{0, 2 * time.Second, 0, []int{0, 2, 4, 6}},
		{1, 3 * time.Second, 0, []int{1, 4}},
		{9, time.Second, 0, nil},
	} {
		got := SelectFrames(fs, c.start, c.interval, c.count)
		if len(got) != len(c.want) {
			t.Errorf("%+v: got %v", c, got)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%+v: got %v", c, got)
			}
		}
	}
}

func TestFormsOrderAndOperands(t *testing.T) {
	req, err := Parse(Request{Routes: true, Interfaces: true, Stats: true, Groups: true}, nil, []string{"5", "3"}, routes.Env{})
	if err != nil {
		t.Fatal(err)
	}
	fs := req.Forms()
	want := []Form{FormInterfaces, FormRoutes, FormStats, FormGroups}
	if len(fs) != len(want) {
		t.Fatalf("forms %v", fs)
	}
	for i := range fs {
		if fs[i] != want[i] {
			t.Fatalf("forms %v, want %v", fs, want)
		}
	}
	if req.Interval != 5*time.Second || req.Count != 3 {
		t.Errorf("interval %v count %d", req.Interval, req.Count)
	}
	// Operands only go with -i, -s, -m.
	if _, err := Parse(Request{Routes: true}, nil, []string{"5"}, routes.Env{}); err == nil {
		t.Error("-r 5 accepted")
	}
	for _, bad := range [][]string{{"0"}, {"x"}, {"5", "0"}, {"1", "2", "3"}} {
		if _, err := Parse(Request{Stats: true}, nil, bad, routes.Env{}); err == nil {
			t.Errorf("-s %v accepted", bad)
		}
	}
	// -M -s is multicast routing statistics only; -D runs alone.
	req, _ = Parse(Request{Stats: true, Mroute: true}, nil, nil, routes.Env{})
	if fs := req.Forms(); len(fs) != 1 || fs[0] != FormMrouteStats {
		t.Errorf("-Ms forms %v", fs)
	}
	req, _ = Parse(Request{DHCP: true, Routes: true}, nil, nil, routes.Env{})
	if fs := req.Forms(); len(fs) != 1 || fs[0] != FormDHCP {
		t.Errorf("-D forms %v", fs)
	}
	// -f unix: only the UNIX section of the socket list.
	req, _ = Parse(Request{}, []string{"unix"}, nil, routes.Env{})
	if fs := req.Forms(); len(fs) != 1 || fs[0] != FormUnix {
		t.Errorf("-f unix forms %v", fs)
	}
	if _, err := ParseProtocol("TCP"); err == nil {
		t.Error("uppercase protocol accepted")
	}
}
