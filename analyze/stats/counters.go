// Package stats turns the Linux counters of a snapshot (/proc/net/snmp,
// netstat, snmp6, dev_snmp6, sctp/snmp, sockstat …) into the sections of
// Solaris netstat -s and -M -s: the Solaris variables that have a Linux
// counter of the same meaning, a placeholder for those that have none,
// and every other Linux counter under its own name. It also computes the
// differences between two frames for interval mode, without printing
// huge numbers when a counter went backwards.
package stats

import (
	"math"
	"strconv"
	"strings"

	"github.com/netmortem/netmortem/snapshots"
)

// Key names one Linux counter: the file it came from (snmp, netstat,
// snmp6, dev_snmp6/eth0, sctp/snmp, sockstat …), its group (Ip, TcpExt,
// Ip6 …) and its name as the kernel prints it.
type Key struct {
	Source, Group, Name string
}

func (k Key) String() string {
	if k.Group == "" {
		return k.Source + " " + k.Name
	}
	return k.Source + " " + k.Group + " " + k.Name
}

// Value is a counter's value in one sample: the kernel's value, or in
// an interval sample the difference from the previous sample.
type Value struct {
	V      uint64
	Signed bool // V holds a negative number as int64 bits
	// Reset marks a counter that went backwards between the samples (a
	// reboot, an interface or namespace created again): V is then the
	// count since the reset, not a difference.
	Reset bool
}

// Int returns the value as a signed number.
func (v Value) Int() int64 { return int64(v.V) }

// Counters indexes the counter sets of one sample.
type Counters struct {
	Sets []snapshots.CounterSet
	// Resets holds the counters that went backwards, when the sample is
	// a difference of two frames.
	Resets map[Key]bool
	// Interval is set on a difference of two frames.
	Interval bool

	full map[Key]snapshots.Counter
	flat map[[2]string]Key // (source, name) → full key
}

// Index builds the index of counter sets.
func Index(sets []snapshots.CounterSet) *Counters {
	c := &Counters{Sets: sets, full: map[Key]snapshots.Counter{}, flat: map[[2]string]Key{}}
	for _, s := range sets {
		for _, x := range s.Counters {
			k := Key{s.Source, s.Group, x.Name}
			if _, dup := c.full[k]; !dup {
				c.full[k] = x
			}
			fk := [2]string{s.Source, x.Name}
			if _, dup := c.flat[fk]; !dup {
				c.flat[fk] = k
			}
		}
	}
	return c
}

// Get returns a counter. An empty Group matches any group of the source
// (the flat files, where names are unique: snmp6, dev_snmp6, sctp/snmp).
func (c *Counters) Get(k Key) (Value, bool) {
	if k.Group == "" {
		fk, ok := c.flat[[2]string{k.Source, k.Name}]
		if !ok {
			return Value{}, false
		}
		k = fk
	}
	x, ok := c.full[k]
	if !ok {
		return Value{}, false
	}
	return Value{V: x.Value, Signed: x.Signed, Reset: c.Resets[k]}, true
}

// Has reports whether any counter of source was captured.
func (c *Counters) Has(source string) bool {
	for _, s := range c.Sets {
		if s.Source == source && len(s.Counters) > 0 {
			return true
		}
	}
	return false
}

// Gauge reports whether a Linux counter is a level (a configuration value
// or a current count) rather than a running total: interval mode copies
// it instead of differencing it.
func Gauge(k Key) bool {
	switch {
	case k.Source == "snmp" && k.Group == "Ip":
		return k.Name == "Forwarding" || k.Name == "DefaultTTL"
	case k.Source == "snmp" && k.Group == "Tcp":
		switch k.Name {
		case "RtoAlgorithm", "RtoMin", "RtoMax", "MaxConn", "CurrEstab":
			return true
		}
	case k.Source == "sctp/snmp":
		return k.Name == "SctpCurrEstab"
	case strings.HasPrefix(k.Source, "sockstat"):
		return true // sockets in use, memory in use
	case strings.HasPrefix(k.Source, "dev_snmp6/"):
		return k.Name == "ifIndex"
	}
	return false
}

// Delta returns the differences cur − prev, counter by counter, for an
// interval pass. Gauges are copied. A counter absent from prev (a new
// interface, a module loaded in between) counts from zero. A counter that
// went backwards is a reset: its value is cur (what it counted since the
// reset) and Resets lists it — unless wrap32 is set (a 32-bit kernel,
// whose unsigned long counters wrap at 2^32) and the drop is one only a
// wrap explains, in which case the wrapped difference is used. A
// dev_snmp6 set whose ifIndex changed belongs to a re-created interface:
// all its counters are resets.
func Delta(cur, prev *Counters, wrap32 bool) *Counters {
	out := make([]snapshots.CounterSet, len(cur.Sets))
	resets := map[Key]bool{}
	for i, s := range cur.Sets {
		d := snapshots.CounterSet{Source: s.Source, Group: s.Group, Counters: make([]snapshots.Counter, len(s.Counters))}
		recreated := false
		if strings.HasPrefix(s.Source, "dev_snmp6/") {
			now, ok1 := cur.Get(Key{s.Source, "", "ifIndex"})
			was, ok2 := prev.Get(Key{s.Source, "", "ifIndex"})
			recreated = ok1 && ok2 && now.V != was.V
		}
		for j, x := range s.Counters {
			k := Key{s.Source, s.Group, x.Name}
			y := x
			p, had := prev.full[k]
			switch {
			case Gauge(k) || !had:
			case recreated:
				resets[k] = true
			case x.Value >= p.Value:
				y.Value = x.Value - p.Value
			case wrap32 && p.Value <= math.MaxUint32 && x.Value <= math.MaxUint32 && p.Value-x.Value > 1<<31:
				y.Value = x.Value + (1 << 32) - p.Value
			default:
				resets[k] = true
			}
			if !Gauge(k) {
				y.Signed = false
			}
			d.Counters[j] = y
		}
		out[i] = d
	}
	c := Index(out)
	c.Resets = resets
	c.Interval = true
	return c
}

// Wrap32 reports whether a kernel of this machine type keeps 32-bit
// counters (unsigned long on a 32-bit architecture).
func Wrap32(machine string) bool {
	switch machine {
	case "i386", "i486", "i586", "i686", "armv5l", "armv6l", "armv7l", "arm", "mips", "mipsel", "ppc", "s390", "sh4", "m68k", "parisc", "sparc", "riscv32":
		return true
	}
	return false
}

// Sysctls indexes sysctl values by their dotted name; names captured as
// paths (/proc/sys/net/ipv4/tcp_mem, net/ipv4/tcp_mem) are indexed the
// same way.
type Sysctls map[string]string

// IndexSysctls builds the index.
func IndexSysctls(list []snapshots.Sysctl) Sysctls {
	m := make(Sysctls, len(list))
	for _, s := range list {
		n := strings.TrimPrefix(s.Name, "/proc/sys/")
		n = strings.ReplaceAll(n, "/", ".")
		if _, dup := m[n]; !dup {
			m[n] = strings.TrimSpace(s.Value)
		}
	}
	return m
}

// Ints returns the whitespace-separated integers of a sysctl (tcp_mem has
// three).
func (s Sysctls) Ints(name string) ([]int64, bool) {
	v, ok := s[name]
	if !ok {
		return nil, false
	}
	var out []int64
	for _, f := range strings.Fields(v) {
		n, ok := parseInt(f)
		if !ok {
			return nil, false
		}
		out = append(out, n)
	}
	return out, len(out) > 0
}

// Int returns a one-number sysctl.
func (s Sysctls) Int(name string) (int64, bool) {
	v, ok := s.Ints(name)
	if !ok || len(v) != 1 {
		return 0, false
	}
	return v[0], true
}

func parseInt(s string) (int64, bool) {
	if strings.HasPrefix(s, "+") {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}
