package ifaces

import (
	"net/netip"
	"slices"
	"testing"

	"github.com/netmortem/netmortem/snapshots"
)

func a(s string) netip.Addr { return netip.MustParseAddr(s) }

// lab returns the links and addresses of the lab's namespace A
// (testdata/lab/lab.sh) as RTM_GETLINK/RTM_GETADDR reported them, plus a
// link with no address.
func lab() ([]snapshots.Link, []snapshots.Addr) {
	links := []snapshots.Link{
		{Index: 1, Name: "lo", Type: 772, Flags: 65609, MTU: 65536, Stats: snapshots.LinkStats{Valid: true}},
		{Index: 2, Name: "a0", Kind: "veth", Type: 1, Flags: 69699, MTU: 1500,
			Stats: snapshots.LinkStats{RxPackets: 31, TxPackets: 22, RxBytes: 3010, TxBytes: 2520, Valid: true}},
		{Index: 3, Name: "a1", Kind: "veth", Type: 1, Flags: 69699, MTU: 1400,
			Stats: snapshots.LinkStats{RxPackets: 8, TxPackets: 20, RxBytes: 892, TxBytes: 2320, Valid: true}},
		{Index: 4, Name: "bare0", AltNames: []string{"enp0s9"}, Type: 1, MTU: 1500,
			Stats: snapshots.LinkStats{RxPackets: 1, Valid: true}},
	}
	addrs := []snapshots.Addr{
		{Family: 2, Index: 1, PrefixLen: 8, Address: a("127.0.0.1"), Local: a("127.0.0.1"), Label: "lo", Scope: 254},
		{Family: 2, Index: 2, PrefixLen: 24, Address: a("10.1.0.1"), Local: a("10.1.0.1"), Label: "a0"},
		{Family: 2, Index: 2, PrefixLen: 24, Address: a("10.1.0.11"), Local: a("10.1.0.11"), Label: "a0:1", Flags: 129},
		{Family: 2, Index: 3, PrefixLen: 24, Address: a("10.2.0.1"), Local: a("10.2.0.1"), Label: "a1"},
		{Family: 10, Index: 1, PrefixLen: 128, Address: a("::1"), Scope: 254},
		{Family: 10, Index: 2, PrefixLen: 64, Address: a("fd00:1::1"), Flags: 130},
		{Family: 10, Index: 2, PrefixLen: 64, Address: a("fe80::ff:fe00:a00"), Scope: 253},
		{Family: 10, Index: 3, PrefixLen: 64, Address: a("fd00:2::1"), Flags: 130},
		{Family: 10, Index: 3, PrefixLen: 64, Address: a("fe80::ff:fe00:a01"), Scope: 253},
	}
	return links, addrs
}

func names(ls []Line) []string {
	var out []string
	for _, l := range ls {
		s := l.Name
		if l.Logical {
			s += "*"
		}
		if l.Addr != nil {
			s += " " + l.Addr.IP().String()
		}
		out = append(out, s)
	}
	return out
}

func TestLines(t *testing.T) {
	tb := New(lab())
	cases := []struct {
		af   uint8
		all  bool
		only string
		want []string
	}{
		{2, false, "", []string{"lo 127.0.0.1", "a0 10.1.0.1", "a1 10.2.0.1", "bare0"}},
		{2, true, "", []string{"lo 127.0.0.1", "lo* 127.0.0.1", "a0 10.1.0.1", "a0* 10.1.0.1", "a0:1* 10.1.0.11",
			"a1 10.2.0.1", "a1* 10.2.0.1", "bare0"}},
		{10, false, "", []string{"lo ::1", "a0 fd00:1::1", "a1 fd00:2::1"}},
		{10, true, "a1", []string{"a1 fd00:2::1", "a1* fd00:2::1", "a1* fe80::ff:fe00:a01"}},
		{2, true, "a0", []string{"a0 10.1.0.1", "a0* 10.1.0.1", "a0:1* 10.1.0.11"}},
		{2, false, "a0:1", []string{"a0 10.1.0.11"}},
		{10, false, "a0:1", nil},
		{2, false, "enp0s9", []string{"bare0"}},
		{2, false, "nosuch", nil},
	}
	for _, c := range cases {
		if got := names(tb.Lines(c.af, c.all, c.only)); !slices.Equal(got, c.want) {
			t.Errorf("Lines(%d, %v, %q) = %q, want %q", c.af, c.all, c.only, got, c.want)
		}
	}
	for _, n := range []string{"a0", "a0:1", "enp0s9", "bare0"} {
		if !tb.Has(n) {
			t.Errorf("Has(%q) = false", n)
		}
	}
	if tb.Has("a0:2") || tb.Has("") == false {
		t.Error("Has of an unknown logical name, or of the empty selection, is wrong")
	}
}

func TestLogicalName(t *testing.T) {
	l := &snapshots.Link{Name: "eth0"}
	cases := map[string]string{"eth0": "eth0", "eth0:web": "eth0:web", "": "eth0", "other": "eth0", "eth01": "eth0"}
	for label, want := range cases {
		if got := LogicalName(l, &snapshots.Addr{Family: 2, Label: label}); got != want {
			t.Errorf("label %q: %q, want %q", label, got, want)
		}
	}
	if got := LogicalName(l, &snapshots.Addr{Family: 10, Label: "eth0:1"}); got != "eth0" {
		t.Errorf("IPv6 address named %q", got)
	}
}

func TestChosen(t *testing.T) {
	tb := New(lab())
	for _, c := range []struct{ only, want string }{{"", "a0"}, {"a1", "a1"}, {"a0:1", "a0"}, {"enp0s9", "bare0"}} {
		l, err := tb.Chosen(2, c.only)
		if err != nil || l.Name != c.want {
			t.Errorf("Chosen(%q) = %v, %v; want %s", c.only, l, err, c.want)
		}
	}
	if _, err := tb.Chosen(2, "eth9"); err == nil || err.Error() != "-I: eth9 no such interface" {
		t.Errorf("unknown -I: %v", err)
	}
	links, addrs := lab()
	only := New(links[:1], addrs[:1])
	if l, err := only.Chosen(2, ""); err != nil || l.Name != "lo" {
		t.Errorf("loopback only: %v %v", l, err)
	}
	if _, err := New(nil, nil).Chosen(2, ""); err == nil {
		t.Error("no interfaces chose one")
	}
}

func TestTraffic(t *testing.T) {
	links0, addrs := lab()
	t0 := New(links0, addrs)
	ms0 := t0.Members(2)
	first := Sample(&links0[1], ms0)
	want := Counters{Ipkts: 31, Opkts: 22, Valid: true}
	if first.If != want {
		t.Errorf("first line, interface: %+v", first.If)
	}
	if first.Total != (Counters{Ipkts: 40, Opkts: 42, Valid: true}) {
		t.Errorf("first line, total: %+v", first.Total)
	}

	links1, _ := lab()
	links1[1].Stats.RxPackets += 10
	links1[1].Stats.TxErrors += 2
	links1[2].Stats.TxPackets += 5
	links1[3] = snapshots.Link{Index: 40, Name: "bare0", Stats: snapshots.LinkStats{RxPackets: 0, Valid: true}} // recreated
	t1 := New(links1, addrs)
	d := Delta(&links1[1], &links0[1], t1.Members(2), ms0)
	if d.If != (Counters{Ipkts: 10, Oerrs: 2, Valid: true}) {
		t.Errorf("delta, interface: %+v", d.If)
	}
	if d.Total != (Counters{Ipkts: 10, Opkts: 5, Oerrs: 2, Valid: true}) {
		t.Errorf("delta, total (the recreated link left out): %+v", d.Total)
	}
	// The chosen interface recreated: it counts from zero.
	d = Delta(&links1[3], &links0[3], t1.Members(2), ms0)
	if d.If != (Counters{Valid: true}) {
		t.Errorf("recreated interface: %+v", d.If)
	}
	// Counters that went back count from zero too.
	back := links1[2]
	back.Stats.TxPackets = 1
	if d = Delta(&back, &links0[2], nil, nil); d.If.Opkts != 1 || d.If.Ipkts != 8 {
		t.Errorf("counter reset: %+v", d.If)
	}
	// Counters not captured stay unknown.
	nc := links0[1]
	nc.Stats.Valid = false
	if c := CountersOf(&nc); c.Valid {
		t.Error("counters without stats are valid")
	}
	if Find(links1, "a1") != &links1[2] || Find(links1, "zz") != nil {
		t.Error("Find")
	}
}
