package stats

import (
	"strconv"
	"strings"
	"testing"

	"github.com/netmortem/netmortem/analyze/netstat"
	"github.com/netmortem/netmortem/snapshots"
)

// fuzzSets turns text into counter sets: lines "source group name value".
func fuzzSets(s string) []snapshots.CounterSet {
	var out []snapshots.CounterSet
	for _, l := range strings.Split(s, "\n") {
		f := strings.Fields(l)
		if len(f) != 4 {
			continue
		}
		v, err := strconv.ParseUint(f[3], 10, 64)
		if err != nil {
			continue
		}
		if n := len(out); n == 0 || out[n-1].Source != f[0] || out[n-1].Group != f[1] {
			out = append(out, snapshots.CounterSet{Source: f[0], Group: f[1]})
		}
		out[len(out)-1].Counters = append(out[len(out)-1].Counters, snapshots.Counter{Name: f[2], Value: v})
	}
	return out
}

// FuzzDeltaBuild: counters a snapshot claims (any names, any values)
// never make Delta or Build panic, and a difference is never more than
// the current value.
func FuzzDeltaBuild(f *testing.F) {
	f.Add("snmp Tcp ActiveOpens 5\nsnmp6 Ip6 Ip6InReceives 9\ndev_snmp6/a0 if ifIndex 2\n",
		"snmp Tcp ActiveOpens 9\nsnmp6 Ip6 Ip6InReceives 3\ndev_snmp6/a0 if ifIndex 4\n", "net.ipv4.ipfrag_time 30")
	f.Add("sockstat TCP inuse 1\nsnmp Udp InDatagrams 18446744073709551615\n", "snmp Udp InDatagrams 0\nsnmp6 Udp6 Udp6InDatagrams 1\n", "")
	f.Add("dev_snmp6/ if ifIndex 0\nx y z 1\n", "dev_snmp6/ if ifIndex 0\nx y z 0\n", "net.ipv6.conf.all.forwarding -0")
	f.Fuzz(func(t *testing.T, a, b, sys string) {
		prev, cur := Index(fuzzSets(a)), Index(fuzzSets(b))
		var sl []snapshots.Sysctl
		for _, l := range strings.Split(sys, "\n") {
			if k, v, ok := strings.Cut(l, " "); ok {
				sl = append(sl, snapshots.Sysctl{Name: k, Value: v})
			}
		}
		for _, wrap := range []bool{false, true} {
			d := Delta(cur, prev, wrap)
			for _, s := range cur.Sets {
				for _, x := range s.Counters {
					k := Key{s.Source, s.Group, x.Name}
					v, ok := d.Get(k)
					if !ok {
						t.Fatalf("%s lost", k)
					}
					if !wrap && v.V > x.Value {
						t.Fatalf("%s: delta %d above value %d", k, v.V, x.Value)
					}
				}
			}
			for _, p := range []netstat.Protocol{netstat.ProtoAll, netstat.ProtoTCP, netstat.ProtoIPv6} {
				Build(d, IndexSysctls(sl), Options{Inet: true, Inet6: true, Proto: p, PerInterface: true})
			}
			Mroute(d, MrtSample{}, &MrtSample{}, true, true)
		}
	})
}

// FuzzSysctlInts: any sysctl text parses without panicking, and what
// parses prints back to the same fields.
func FuzzSysctlInts(f *testing.F) {
	for _, s := range []string{"1 2 3", "-1", "4096\t131072\t6291456", "", "x", "99999999999999999999", "--1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		sys := IndexSysctls([]snapshots.Sysctl{{Name: "net/ipv4/tcp_mem", Value: v}})
		ns, ok := sys.Ints("net.ipv4.tcp_mem")
		if !ok {
			return
		}
		fs := strings.Fields(v)
		if len(fs) != len(ns) {
			t.Fatalf("%q: %d fields, %d numbers", v, len(fs), len(ns))
		}
		for i, n := range ns {
			if p, err := strconv.ParseInt(fs[i], 10, 64); err != nil || p != n {
				t.Fatalf("%q: field %q read as %d", v, fs[i], n)
			}
		}
	})
}
