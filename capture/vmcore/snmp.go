package vmcore

import (
	"fmt"

	"github.com/netmortem/netmortem/capture/vmcore/btfx"
	"github.com/netmortem/netmortem/snapshots"
)

// mibGroup is one /proc/net/{snmp,netstat,snmp6} group: the kernel's own
// name table (struct snmp_mib[], NULL-terminated) and the per-cpu MIB it
// indexes.
type mibGroup struct {
	source, group string
	names         string // kallsyms name of the snmp_mib array
	field         string // member of struct netns_mib (per-cpu pointer)
	mib           string // struct type of the per-cpu MIB
}

var mibGroups = []mibGroup{
	{"snmp", "Ip", "snmp4_ipstats_list", "ip_statistics", "ipstats_mib"},
	{"snmp", "Tcp", "snmp4_tcp_list", "tcp_statistics", "tcp_mib"},
	{"snmp", "Udp", "snmp4_udp_list", "udp_statistics", "udp_mib"},
	{"snmp", "UdpLite", "snmp4_udp_list", "udplite_statistics", "udp_mib"},
	{"netstat", "TcpExt", "snmp4_net_list", "net_statistics", "linux_mib"},
	{"snmp6", "Ip6", "snmp6_ipstats_list", "ipv6_statistics", "ipstats_mib"},
	{"snmp6", "Udp6", "snmp6_udp6_list", "udp_stats_in6", "udp_mib"},
	{"snmp6", "UdpLite6", "snmp6_udplite6_list", "udplite_stats_in6", "udp_mib"},
}

// counters sums each MIB over the possible CPUs and names the values with
// the kernel's own tables, so the names are exactly those of /proc.
func (w *walker) counters() ([]snapshots.CounterSet, error) {
	l := btfx.NewLayout(w.d.Types)
	mibF := l.F("net", "mib")
	nameF, entryF := l.F("snmp_mib", "name"), l.F("snmp_mib", "entry")
	entSize := l.Size("snmp_mib")
	if err := l.Err(); err != nil {
		return nil, err
	}
	cpus := w.d.cpuOffsets()
	if len(cpus) == 0 {
		return nil, fmt.Errorf("no per-cpu offsets (__per_cpu_offset, nr_cpu_ids)")
	}
	var out []snapshots.CounterSet
	tables := map[string][]nameEntry{}
	for _, g := range mibGroups {
		f, err := w.d.Types.Field("netns_mib", g.field)
		if err != nil {
			w.errf("%s %s: %v", g.source, g.group, err)
			continue
		}
		arr, err := w.d.Types.Field(g.mib, "mibs")
		if err != nil {
			w.errf("%s %s: %v", g.source, g.group, err)
			continue
		}
		names, ok := tables[g.names]
		if !ok {
			names, err = w.mibNames(g.names, nameF, entryF, entSize)
			if err != nil {
				w.errf("%s %s: %v", g.source, g.group, err)
			}
			tables[g.names] = names
		}
		if len(names) == 0 {
			continue
		}
		p, err := w.d.Mem.U64(w.net + uint64(mibF.Off+f.Off))
		if err != nil || p == 0 {
			w.errf("%s %s: per-cpu pointer unreadable", g.source, g.group)
			continue
		}
		el, n := arr.ElemSize(), arr.ArrayLen()
		if el != 8 || n == 0 || n > 4096 {
			w.errf("%s %s: %s.mibs has %d elements of %d bytes", g.source, g.group, g.mib, n, el)
			continue
		}
		sums := make([]uint64, n)
		okCPU := 0
		for _, c := range cpus {
			b, err := w.d.Mem.Bytes(p+c+uint64(arr.Off), int(n*8))
			if err != nil {
				continue
			}
			okCPU++
			for i := uint32(0); i < n; i++ {
				sums[i] += btfx.Obj(b).At(i * 8)
			}
		}
		if okCPU < len(cpus) {
			w.errf("%s %s: %d of %d CPUs unreadable", g.source, g.group, len(cpus)-okCPU, len(cpus))
		}
		if okCPU == 0 {
			continue
		}
		set := snapshots.CounterSet{Source: g.source, Group: g.group}
		for _, ne := range names {
			if ne.entry < 0 || uint32(ne.entry) >= n {
				continue
			}
			c := snapshots.Counter{Name: ne.name, Value: sums[ne.entry]}
			if g.group == "Tcp" && ne.name == "MaxConn" {
				c.Signed = true
			}
			set.Counters = append(set.Counters, c)
		}
		out = append(out, set)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no SNMP group could be read")
	}
	return out, nil
}

type nameEntry struct {
	name  string
	entry int64
}

// mibNames reads a NULL-terminated struct snmp_mib array.
func (w *walker) mibNames(sym string, nameF, entryF btfx.Field, size uint32) ([]nameEntry, error) {
	a, err := w.d.Syms.Addr(sym)
	if err != nil {
		return nil, err
	}
	var out []nameEntry
	for i := 0; i < 1024; i++ {
		o, err := w.d.obj(a+uint64(i)*uint64(size), size)
		if err != nil {
			return out, err
		}
		np := o.U(nameF)
		if np == 0 {
			return out, nil
		}
		name, err := w.d.Mem.CString(np, 64)
		if err != nil {
			return out, err
		}
		out = append(out, nameEntry{name, o.S(entryF)})
	}
	return out, fmt.Errorf("%s has no terminator", sym)
}
