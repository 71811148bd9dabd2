package diff

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netmortem/netmortem/snapshots"
)

// testdata/lab-before.nms and lab-after.nms are captures of the lab's
// namespace A (cmd/netmortem's TestIntegrationDiffLab writes them with
// NETMORTEM_DIFF_LAB_OUT): between them a route was added, a permanent
// neighbour deleted, a TCP listener opened and a1's MTU lowered.

func loadLab(t testing.TB, name string) *Side {
	t.Helper()
	r, err := snapshots.Open("testdata/"+name, snapshots.ReaderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ns := r.HostNamespace()
	l, err := r.Load(0, ns, Load(Comparable)...)
	if err != nil {
		t.Fatal(err)
	}
	return &Side{Tables: &l.Tables, Status: l.Status, Time: r.Frames[0].Start, BootTime: r.Meta.BootTime,
		NSInode: r.Namespaces[ns].Inode}
}

func TestLabCaptures(t *testing.T) {
	before, after := loadLab(t, "lab-before.nms"), loadLab(t, "lab-after.nms")
	if r := Compare(before, before, Options{}); r.Differs() {
		t.Errorf("lab-before differs from itself: %+v", lines(r))
	}
	r := Compare(before, after, Options{})
	want := []line{
		{"interfaces", "changed", "a1", []string{"mtu: 1400 -> 1300"}},
		{"routes", "added", "table main inet unicast 10.77.0.0/16 metric 0", nil},
		{"neighbours", "removed", "inet 10.1.0.99 dev a0", nil},
		{"inet sockets", "added", "tcp inet 10.2.0.1:7070 -> *:*", nil},
	}
	if d := cmp.Diff(want, lines(r)); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	// Every table the lab fills was compared, and unchanged rows counted.
	for _, s := range r.Sections {
		if s.Name == "sctp endpoints" || s.Name == "sctp associations" || s.Name == "dhcp leases" {
			continue
		}
		if !s.Compared {
			t.Errorf("%s not compared: %v", s.Name, s.Notes)
		}
		if s.Unchanged == 0 && s.Name != "statistics" {
			t.Errorf("%s: no unchanged rows", s.Name)
		}
	}
	// Turned around, the same changes the other way.
	back := Compare(after, before, Options{})
	var kinds []string
	for _, l := range lines(back) {
		kinds = append(kinds, l.Section+" "+l.Kind)
	}
	if d := cmp.Diff([]string{"interfaces changed", "routes removed", "neighbours added", "inet sockets removed"}, kinds); d != "" {
		t.Errorf("reversed (-want +got):\n%s", d)
	}
}
