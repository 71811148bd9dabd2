package diff

import (
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/netmortem/netmortem/snapshots"
)

// counters returns the moved counters of a result by name.
func counters(r *Result) map[string]Counter {
	out := map[string]Counter{}
	for _, s := range r.Sections {
		for _, c := range s.Counters {
			out[c.Name] = c
		}
	}
	return out
}

func TestCounterDeltasAndRates(t *testing.T) {
	n := base()
	n.Counters[0].Counters[1].Value = 1500 // Ip InReceives 1000 -> 1500
	n.Counters[1].Counters[2].Value = 1    // Tcp CurrEstab 3 -> 1: a gauge
	n.Counters[4].Counters[0].Value = 9    // sockstat TCP inuse 4 -> 9
	n.Links[1].Stats.RxBytes += 4000       // a0 rx_bytes
	n.Softnet[0].Values[0] = 150           // processed
	n.MFC[0].Packets = 25
	n.Vifs[0].PktsIn = 30
	n.Protocols[0].Sockets = 2
	n.Slabs[0].ActiveObjs = 90
	n.InetSockets[5].Drops = 10
	old := mkSide(base(), t0)
	old.Status = map[snapshots.Table]snapshots.Status{snapshots.TableStats: {State: snapshots.StateOK, Time: t0.Add(time.Second)}}
	nw := mkSide(n, t0.Add(10*time.Second))
	nw.Status = map[snapshots.Table]snapshots.Status{snapshots.TableStats: {State: snapshots.StateOK, Time: t0.Add(21 * time.Second)}}
	r := Compare(old, nw, Options{})
	if r.Differs() {
		t.Errorf("moving counters made rows differ: %+v", lines(r))
	}
	want := map[string]Counter{
		// stats uses its own table times: 20 s apart.
		"snmp Ip InReceives":                  {Old: 1000, New: 1500, Delta: 500, HasDelta: true, Rate: 25, HasRate: true},
		"snmp Tcp CurrEstab":                  {Old: 3, New: 1, Delta: -2, HasDelta: true, Gauge: true},
		"sockstat TCP inuse":                  {Old: 4, New: 9, Delta: 5, HasDelta: true, Gauge: true},
		"softnet cpu0 processed":              {Old: 100, New: 150, Delta: 50, HasDelta: true, Rate: 2.5, HasRate: true},
		"a0 rx_bytes":                         {Old: 50000, New: 54000, Delta: 4000, HasDelta: true, Rate: 400, HasRate: true},
		"inet (10.1.0.2, 239.2.2.2) packets":  {Old: 5, New: 25, Delta: 20, HasDelta: true, Rate: 2, HasRate: true},
		"inet vif 0 pkts_in":                  {Old: 10, New: 30, Delta: 20, HasDelta: true, Rate: 2, HasRate: true},
		"TCP sockets":                         {Old: 4, New: 2, Delta: -2, HasDelta: true, Gauge: true, Signed: true},
		"skbuff_head_cache active_objs":       {Old: 100, New: 90, Delta: -10, HasDelta: true, Gauge: true},
		"udp inet 10.1.0.1:5353 -> *:* drops": {Old: 3, New: 10, Delta: 7, HasDelta: true, Rate: 0.7, HasRate: true},
	}
	got := counters(r)
	for name := range got {
		c := got[name]
		c.Name = ""
		got[name] = c
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func TestCounterResets(t *testing.T) {
	for _, tc := range []struct {
		name  string
		mut   func(o, n *Side)
		check map[string]Counter
	}{
		{"reboot", func(o, n *Side) {
			n.BootTime = t0.Add(-time.Minute)
			n.Tables.Counters[0].Counters[1].Value = 2000 // grew, still a restart
			n.Tables.Links[1].Stats.RxPackets = 3
		}, map[string]Counter{
			"snmp Ip InReceives": {Old: 1000, New: 2000, Reset: ResetReboot},
			"a0 rx_packets":      {Old: 500, New: 3, Reset: ResetReboot},
		}},
		{"boot time jitter is no reboot", func(o, n *Side) {
			n.BootTime = n.BootTime.Add(time.Second)
			n.Tables.Counters[0].Counters[1].Value = 2000
		}, map[string]Counter{
			"snmp Ip InReceives": {Old: 1000, New: 2000, Delta: 1000, HasDelta: true, Rate: 100, HasRate: true},
		}},
		{"namespace re-created", func(o, n *Side) {
			n.NSInode++
			n.Tables.Counters[0].Counters[1].Value = 7
		}, map[string]Counter{
			"snmp Ip InReceives": {Old: 1000, New: 7, Reset: ResetNamespace},
		}},
		{"interface re-created", func(o, n *Side) {
			n.Tables.Links[2].Index = 9
			n.Tables.Links[2].Stats.RxPackets = 301 // grew, yet a new interface
			n.Tables.Links[2].Stats.TxPackets = 4
			n.Tables.Counters[2].Counters[0].Value = 9 // dev_snmp6/a0 ifIndex
			n.Tables.Counters[3].Counters[0].Value = 1 // Ip6InReceives
			n.Tables.Links[1].Index = 9
			n.Tables.Links[2].Index = 3
		}, map[string]Counter{
			// a0 is now index 9, a1 keeps 3.
			"a0 rx_packets":                  {}, // absent: unchanged values
			"dev_snmp6/a0 if ifIndex":        {Old: 2, New: 9, Delta: 7, HasDelta: true, Gauge: true},
			"dev_snmp6/a0 Ip6 Ip6InReceives": {Old: 50, New: 1, Reset: ResetRecreated},
			"a1 rx_packets":                  {Old: 300, New: 301, Delta: 1, HasDelta: true, Rate: 0.1, HasRate: true},
		}},
		{"32-bit wrap", func(o, n *Side) {
			o.Tables.Softnet[0].Values[0] = 0xfffffff0
			n.Tables.Softnet[0].Values[0] = 0x10
			o.Tables.Links[1].Stats.RxBytes = math.MaxUint32 - 99
			n.Tables.Links[1].Stats.RxBytes = 900
		}, map[string]Counter{
			"softnet cpu0 processed": {Old: 0xfffffff0, New: 0x10, Delta: 0x20, HasDelta: true, Rate: 3.2, HasRate: true, Reset: ResetWrap32},
			"a0 rx_bytes":            {Old: math.MaxUint32 - 99, New: 900, Delta: 1000, HasDelta: true, Rate: 100, HasRate: true, Reset: ResetWrap32},
		}},
		{"kernel counters wrap at 2^32 on 32-bit hosts only", func(o, n *Side) {
			o.Tables.Counters[0].Counters[1].Value = math.MaxUint32 - 4
			n.Tables.Counters[0].Counters[1].Value = 5
			o.Tables.Counters[1].Counters[1].Value = math.MaxUint32 - 4
			n.Tables.Counters[1].Counters[1].Value = 5
		}, map[string]Counter{
			"snmp Ip InReceives":   {Old: math.MaxUint32 - 4, New: 5, Reset: ResetUnknown},
			"snmp Tcp ActiveOpens": {Old: math.MaxUint32 - 4, New: 5, Reset: ResetUnknown},
		}},
		{"32-bit host", func(o, n *Side) {
			o.Machine, n.Machine = "i686", "i686"
			o.Tables.Counters[0].Counters[1].Value = math.MaxUint32 - 4
			n.Tables.Counters[0].Counters[1].Value = 5
		}, map[string]Counter{
			"snmp Ip InReceives": {Old: math.MaxUint32 - 4, New: 5, Delta: 10, HasDelta: true, Rate: 1, HasRate: true, Reset: ResetWrap32},
		}},
		{"multicast entry re-created", func(o, n *Side) {
			n.Tables.MFC[0].Packets = 1
			n.Tables.Vifs[0].PktsIn = 2
		}, map[string]Counter{
			"inet (10.1.0.2, 239.2.2.2) packets": {Old: 5, New: 1, Reset: ResetEntry},
			"inet vif 0 pkts_in":                 {Old: 10, New: 2, Reset: ResetEntry},
		}},
		{"a small fall is no wrap", func(o, n *Side) {
			o.Tables.Softnet[0].Values[0] = 35
			n.Tables.Softnet[0].Values[0] = 25
		}, map[string]Counter{
			"softnet cpu0 processed": {Old: 35, New: 25, Reset: ResetUnknown},
		}},
		{"64-bit wrap and unexplained fall", func(o, n *Side) {
			o.Tables.Links[1].Stats.TxBytes = math.MaxUint64 - 9
			n.Tables.Links[1].Stats.TxBytes = 20
			o.Tables.Links[2].Stats.TxBytes = 1 << 40
			n.Tables.Links[2].Stats.TxBytes = 5
		}, map[string]Counter{
			"a0 tx_bytes": {Old: math.MaxUint64 - 9, New: 20, Delta: 30, HasDelta: true, Rate: 3, HasRate: true, Reset: ResetWrap64},
			"a1 tx_bytes": {Old: 1 << 40, New: 5, Reset: ResetUnknown},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o, n := mkSide(base(), t0), mkSide(base(), t0.Add(10*time.Second))
			tc.mut(o, n)
			got := counters(Compare(o, n, Options{}))
			for name, want := range tc.check {
				c, ok := got[name]
				if want == (Counter{}) {
					if ok {
						t.Errorf("%s moved: %+v", name, c)
					}
					continue
				}
				want.Name = name
				if d := cmp.Diff(want, c); d != "" {
					t.Errorf("%s (-want +got):\n%s", name, d)
				}
			}
			for _, c := range got {
				if c.HasDelta && !c.Gauge && (c.Delta < 0 || c.Delta > 1<<40) {
					t.Errorf("%s: implausible delta %d", c.Name, c.Delta)
				}
			}
		})
	}
}

func TestReverseOrderNoRates(t *testing.T) {
	o := base()
	o.Counters[0].Counters[1].Value = 1500
	o.Softnet[0].Values[0] = 0xfffffff0
	r := Compare(mkSide(o, t0.Add(time.Minute)), mkSide(base(), t0), Options{})
	got := counters(r)
	if c := got["snmp Ip InReceives"]; !c.HasDelta || c.Delta != -500 || c.HasRate || c.Reset != "" {
		t.Errorf("got %+v, want a delta of -500 and no rate when NEW is older", c)
	}
	if c := got["softnet cpu0 processed"]; !c.HasDelta || c.Delta != 100-0xfffffff0 || c.Reset != "" {
		t.Errorf("got %+v, want a plain fall, no wrap, when NEW is older", c)
	}
	if r.Elapsed != -time.Minute {
		t.Errorf("elapsed %v", r.Elapsed)
	}
}

func TestIs32(t *testing.T) {
	for m, want := range map[string]bool{"x86_64": false, "aarch64": false, "s390x": false, "ppc64le": false,
		"riscv64": false, "i686": true, "armv7l": true, "mips": true, "ppc": true, "": false, "loongarch64": false} {
		if is32(m) != want {
			t.Errorf("is32(%q) = %v", m, !want)
		}
	}
}
