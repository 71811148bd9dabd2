package procnet

import (
	"net/netip"
	"testing"

	"github.com/netmortem/netmortem/snapshots"
)

func TestMergeMFC(t *testing.T) {
	a := netip.MustParseAddr
	nl := []snapshots.MFCEntry{
		{Family: 2, Table: 253, Source: a("10.1.0.2"), Group: a("239.2.2.2"), IIF: 2, IIFVif: -1,
			Oifs: []snapshots.MFCOif{{Vif: -1, IfIndex: 3, TTL: 1}}, Packets: 5},
		{Family: 2, Table: 100, Source: a("10.1.0.3"), Group: a("239.3.3.3"), IIF: 2, IIFVif: -1},
	}
	proc := []snapshots.MFCEntry{
		{Family: 2, Table: 253, Source: a("10.1.0.2"), Group: a("239.2.2.2"), IIFVif: 0,
			Oifs: []snapshots.MFCOif{{Vif: 1, TTL: 1}}, Packets: 7},
		{Family: 2, Table: 253, Source: a("10.1.0.3"), Group: a("239.3.3.3"), IIFVif: 0}, // another table's twin
		{Family: 2, Table: 253, Source: a("10.1.0.4"), Group: a("239.4.4.4"), IIFVif: 1},
	}
	got := MergeMFC(proc, nl)
	if len(got) != 4 {
		t.Fatalf("%d entries: %+v", len(got), got)
	}
	e := got[0]
	if e.IIF != 2 || e.IIFVif != 0 || e.Oifs[0].Vif != 1 || e.Oifs[0].IfIndex != 3 || e.Packets != 5 {
		t.Errorf("merged entry %+v", e)
	}
	if got[1].Table != 100 || got[2].Table != 253 || got[2].Source != a("10.1.0.3") || got[3].Source != a("10.1.0.4") {
		t.Errorf("entries of one side only: %+v", got[1:])
	}
}
