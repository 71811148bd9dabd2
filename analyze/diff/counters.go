package diff

import (
	"math"
	"strconv"
	"strings"

	"github.com/netmortem/netmortem/snapshots"
)

// Counters. A counter's delta is NEW − OLD and its rate the delta over the
// seconds between the two captures of its table. Every counter restarts
// after a reboot (the boot times differ) or in a re-created namespace (its
// inode differs), and an interface's counters restart when the interface is
// re-created (its index differs): then the delta is unknown and New is
// what was counted since. Otherwise a counter that fell by more than half
// of its range wrapped, and the delta counts across the wrap: the range is
// 2^32 for counters the kernel keeps in 32 bits (softnet, socket drops,
// link statistics some drivers keep in 32 bits, every counter of a 32-bit
// kernel), 2^64 for the others. Any other fall is a reset: of a multicast
// routing entry or vif deleted and added again, or of unknown cause. So a
// delta is never a huge number made of a fall. When NEW was captured
// before OLD, deltas are plain signed differences. A gauge (a level:
// sockets in use, memory, a configured value) is reported as its signed
// change, without rate or reset.

// width says how wide the kernel keeps a counter, and what a fall means.
type width struct {
	bits32 bool   // 32 bits whatever the host (softnet, socket drops, some drivers' link counters)
	fall   string // a fall no wrap explains: ResetUnknown unless said
}

var (
	hostWidth   = width{}                 // unsigned long: 32 bits on 32-bit hosts
	driverWidth = width{bits32: true}     // link statistics: drivers may keep 32 bits
	width32     = width{bits32: true}     // always 32 bits
	entryWidth  = width{fall: ResetEntry} // multicast routing entries and vifs
)

// counter records the movement of one counter; cause, when set, is why it
// restarted whatever its values.
func (c *comparer) counter(sec *Section, name string, o, n uint64, cause string, w width) {
	sec.Watched++
	switch {
	case c.reboot:
		cause = ResetReboot
	case c.nsRecreated:
		cause = ResetNamespace
	}
	if o == n && cause == "" {
		return
	}
	k := Counter{Name: name, Old: o, New: n}
	switch {
	case cause != "":
		if o == n {
			return // nothing counted either side of the restart, or equal by chance
		}
		k.Reset = cause
	case n > o:
		k.Delta, k.HasDelta = clampDelta(n-o), true
	case c.elapsed < 0:
		k.Delta, k.HasDelta = -clampDelta(o-n), true
	case (w.bits32 || c.host32) && o <= math.MaxUint32 && o-n > 1<<31:
		k.Reset = ResetWrap32
		k.Delta, k.HasDelta = int64(n+(1<<32)-o), true
	case o-n > 1<<63:
		k.Reset = ResetWrap64
		k.Delta, k.HasDelta = clampDelta(n-o), true // modular arithmetic is the wrap
	case w.fall != "":
		k.Reset = w.fall
	default:
		k.Reset = ResetUnknown
	}
	if k.HasDelta && c.tableElapsed > 0 && c.elapsed > 0 {
		k.Rate, k.HasRate = float64(k.Delta)/c.tableElapsed.Seconds(), true
	}
	sec.Counters = append(sec.Counters, k)
}

func clampDelta(d uint64) int64 {
	if d > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(d)
}

// gauge records the change of a level.
func (c *comparer) gauge(sec *Section, name string, o, n uint64, signed bool) {
	sec.Watched++
	if o == n {
		return
	}
	k := Counter{Name: name, Old: o, New: n, Signed: signed, Gauge: true, HasDelta: true}
	if signed {
		k.Delta = int64(n) - int64(o)
	} else if n > o {
		k.Delta = clampDelta(n - o)
	} else {
		k.Delta = -clampDelta(o - n)
	}
	sec.Counters = append(sec.Counters, k)
}

// gaugeNames are the values of the kernel's MIB files that are levels or
// settings, not counts.
var gaugeNames = map[string]bool{
	"Ip Forwarding": true, "Ip DefaultTTL": true, "Ip ReasmTimeout": true,
	"Tcp RtoAlgorithm": true, "Tcp RtoMin": true, "Tcp RtoMax": true, "Tcp MaxConn": true, "Tcp CurrEstab": true,
	"Sctp SctpCurrEstab": true, "if ifIndex": true,
}

func isGauge(set *snapshots.CounterSet, c *snapshots.Counter) bool {
	// sockstat lines are counts of sockets and pages in use.
	return c.Signed || strings.HasPrefix(set.Source, "sockstat") || gaugeNames[set.Group+" "+c.Name]
}

type counterKey struct {
	source, group, name string
}

// compareCounterSets compares the MIB counters (snmp, netstat, snmp6,
// dev_snmp6/IF, sctp/snmp, sockstat) by source, group and name, and the
// per-CPU softnet counters by CPU. A counter present on one side only is
// noted, not reported.
func compareCounterSets(c *comparer, sec *Section) {
	old := map[counterKey]snapshots.Counter{}
	for i := range c.old.t.Counters {
		set := &c.old.t.Counters[i]
		for _, k := range set.Counters {
			old[counterKey{set.Source, set.Group, k.Name}] = k
		}
	}
	onlyNew := 0
	for i := range c.new.t.Counters {
		set := &c.new.t.Counters[i]
		cause := c.devCause(set.Source)
		for j := range set.Counters {
			nc := &set.Counters[j]
			k := counterKey{set.Source, set.Group, nc.Name}
			oc, ok := old[k]
			if !ok {
				onlyNew++
				continue
			}
			delete(old, k)
			name := set.Source + " " + set.Group + " " + nc.Name
			if isGauge(set, nc) {
				c.gauge(sec, name, oc.Value, nc.Value, nc.Signed || oc.Signed)
			} else {
				c.counter(sec, name, oc.Value, nc.Value, cause, hostWidth)
			}
		}
	}
	softnetCounters(c, sec)
	if onlyNew > 0 {
		sec.Notes = append(sec.Notes, strconv.Itoa(onlyNew)+" counters only in NEW")
	}
	if len(old) > 0 {
		sec.Notes = append(sec.Notes, strconv.Itoa(len(old))+" counters only in OLD")
	}
}

// devCause says whether the per-interface counters of source
// "dev_snmp6/IF" restarted because IF was re-created.
func (c *comparer) devCause(source string) string {
	dev, ok := strings.CutPrefix(source, "dev_snmp6/")
	if !ok {
		return ""
	}
	var oi, ni int32
	for _, l := range c.old.t.Links {
		if l.Name == dev {
			oi = l.Index
		}
	}
	for _, l := range c.new.t.Links {
		if l.Name == dev {
			ni = l.Index
		}
	}
	if oi != 0 && ni != 0 && oi != ni {
		return ResetRecreated
	}
	return ""
}

// softnetColumns name the columns of /proc/net/softnet_stat; those marked
// are levels or identities, not counts.
var softnetColumns = []struct {
	name  string
	gauge bool
	skip  bool
}{
	{"processed", false, false}, {"dropped", false, false}, {"time_squeeze", false, false},
	{"", false, true}, {"", false, true}, {"", false, true}, {"", false, true}, {"", false, true},
	{"cpu_collision", false, false}, {"received_rps", false, false}, {"flow_limit_count", false, false},
	{"backlog_len", true, false}, {"cpu", false, true}, {"input_qlen", true, false}, {"process_qlen", true, false},
}

func softnetCounters(c *comparer, sec *Section) {
	old := make(map[int32]*snapshots.SoftnetCPU, len(c.old.t.Softnet))
	for i := range c.old.t.Softnet {
		old[c.old.t.Softnet[i].CPU] = &c.old.t.Softnet[i]
	}
	for i := range c.new.t.Softnet {
		n := &c.new.t.Softnet[i]
		o := old[n.CPU]
		if o == nil {
			continue
		}
		for j := 0; j < len(o.Values) && j < len(n.Values); j++ {
			col := struct {
				name  string
				gauge bool
				skip  bool
			}{name: "column" + strconv.Itoa(j)}
			if j < len(softnetColumns) {
				col = softnetColumns[j]
			}
			if col.skip {
				continue
			}
			name := "softnet cpu" + strconv.Itoa(int(n.CPU)) + " " + col.name
			if col.gauge {
				c.gauge(sec, name, uint64(o.Values[j]), uint64(n.Values[j]), false)
			} else {
				c.counter(sec, name, uint64(o.Values[j]), uint64(n.Values[j]), "", width32)
			}
		}
	}
}

// /proc/net/protocols rows are joined by name; their sockets and memory
// are gauges.
var protoSpec = spec[snapshots.ProtocolRow, string]{
	key: func(s *side, p *snapshots.ProtocolRow) string { return p.Name },
	desc: func(s *side, p *snapshots.ProtocolRow) (key, attrs Fields) {
		key.bare("protocol", p.Name)
		a := &attrs
		a.add("size", unum(p.Size))
		a.add("maxhdr", unum(p.MaxHdr))
		a.add("slab", boolStr(p.Slab))
		a.add("module", p.Module)
		a.add("methods", p.Methods)
		a.add("pressure", p.Pressure)
		return key, attrs
	},
	pair: func(c *comparer, sec *Section, a, b *snapshots.ProtocolRow) {
		c.gauge(sec, b.Name+" sockets", uint64(a.Sockets), uint64(b.Sockets), true)
		if a.Memory >= 0 && b.Memory >= 0 {
			c.gauge(sec, b.Name+" memory", uint64(a.Memory), uint64(b.Memory), true)
		}
	},
}

var sysctlSpec = spec[snapshots.Sysctl, string]{
	key: func(s *side, x *snapshots.Sysctl) string { return x.Name },
	desc: func(s *side, x *snapshots.Sysctl) (key, attrs Fields) {
		key.bare("name", x.Name)
		attrs = Fields{{Name: "value", Value: x.Value}}
		return key, attrs
	},
}

// Slab caches are joined by name; their object counts are gauges.
var slabSpec = spec[snapshots.Slab, string]{
	key: func(s *side, x *snapshots.Slab) string { return x.Name },
	desc: func(s *side, x *snapshots.Slab) (key, attrs Fields) {
		key.bare("cache", x.Name)
		a := &attrs
		a.add("objsize", unum(x.ObjSize))
		a.add("objperslab", unum(x.ObjPerSlab))
		a.add("pagesperslab", unum(x.PagesPerSlab))
		return key, attrs
	},
	pair: func(c *comparer, sec *Section, a, b *snapshots.Slab) {
		c.gauge(sec, b.Name+" active_objs", a.ActiveObjs, b.ActiveObjs, false)
		c.gauge(sec, b.Name+" num_objs", a.NumObjs, b.NumObjs, false)
	},
}
