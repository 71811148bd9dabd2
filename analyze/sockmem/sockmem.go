// Package sockmem gathers what Linux has in place of the STREAMS memory
// that Solaris netstat -m reports: socket buffer memory per pool against
// its limits (tcp_mem, udp_mem, ipfrag thresholds), the sockets open per
// protocol, the sk_buff slab caches, and — for -v — the counters Linux
// increments when it refuses or prunes buffer memory.
package sockmem

import (
	"strings"

	"github.com/netmortem/netmortem/analyze/stats"
	"github.com/netmortem/netmortem/snapshots"
)

// Num is a value that may be missing from the snapshot.
type Num struct {
	V     int64
	Known bool
	From  string
}

func known(v int64, from string) Num { return Num{V: v, Known: true, From: from} }

// Pool is one socket memory pool: the kernel accounts TCP (all TCP and
// MPTCP sockets, IPv4 and IPv6) and UDP (UDP and UDP-Lite) in pages
// against sysctl limits, and IP fragment queues in bytes.
type Pool struct {
	Name     string
	Unit     string // "pages" or "bytes"
	Current  Num
	Limit    Num // where the kernel stops granting memory
	Pressure Num // where it starts economising (tcp_mem[1], udp_mem[1])
	Failures Num // allocations refused
	// UnderPressure is /proc/net/protocols' press column of the pool's
	// protocol: "yes", "no", or "" when unknown.
	UnderPressure string
}

// Sockets is the number of sockets of one protocol.
type Sockets struct {
	Name  string
	InUse Num
	// From sockstat, for TCP: orphaned, in TIME_WAIT, allocated.
	Orphan, TimeWait, Alloc Num
	Memory                  Num    // protocols' memory column (pages; the pool the protocol shares)
	Pressure                string // protocols' press column
}

// Cache is a slab cache.
type Cache struct {
	Name                 string
	Active, Num, ObjSize uint64
}

// KBytes is the memory of the cache's allocated objects in kilobytes.
func (c Cache) KBytes() uint64 { return c.Num * c.ObjSize / 1024 }

// Item is a named value of the -v detail.
type Item struct {
	Name  string
	Value stats.Value
	Text  string // for sysctls: the value as the kernel printed it
}

// CPU is one CPU's line of softnet_stat: packets processed, dropped
// because the backlog was full, and times the budget ran out.
type CPU struct {
	CPU       int32  `json:"cpu"`
	Processed uint32 `json:"processed"`
	Dropped   uint32 `json:"dropped"`
	Squeeze   uint32 `json:"time_squeeze"`
}

// Report is the -m display's data.
type Report struct {
	Pools   []Pool
	Sockets []Sockets
	// All is sockstat's "sockets: used".
	All Num
	// Caches are the sk_buff caches; SocketCaches the caches of socket
	// objects (shown with -v). SlabsCaptured is false when the snapshot
	// has no slabinfo rows at all (it is root-only).
	Caches, SocketCaches []Cache
	SlabsCaptured        bool
	// BufferKB is the pools' current memory in kilobytes.
	BufferKB Num
	// -v detail.
	Counters []Item
	Limits   []Item
	Softnet  []CPU
}

// Build gathers the report from one frame's tables.
func Build(t *snapshots.Tables, pageSize uint32) Report {
	c := stats.Index(t.Counters)
	sys := stats.IndexSysctls(t.Sysctls)
	var r Report
	press := map[string]string{}
	for _, p := range t.Protocols {
		press[p.Name] = p.Pressure
	}
	get := func(k stats.Key) Num {
		v, ok := c.Get(k)
		if !ok {
			return Num{}
		}
		return known(v.Int(), k.String())
	}
	sysN := func(name string, i int) Num {
		v, ok := sys.Ints(name)
		if !ok || i >= len(v) {
			return Num{}
		}
		return known(v[i], "sysctl "+name)
	}
	sum := func(ks ...stats.Key) Num {
		var n Num
		var from []string
		for _, k := range ks {
			v, ok := c.Get(k)
			if !ok {
				continue
			}
			n.V += v.Int()
			n.Known = true
			from = append(from, k.String())
		}
		n.From = strings.Join(from, " + ")
		return n
	}
	pressOf := func(p string) string {
		if v := press[p]; v == "yes" || v == "no" {
			return v
		}
		return ""
	}
	r.Pools = []Pool{
		{Name: "TCP", Unit: "pages", Current: get(stats.Key{Source: "sockstat", Group: "TCP", Name: "mem"}),
			Limit: sysN("net.ipv4.tcp_mem", 2), Pressure: sysN("net.ipv4.tcp_mem", 1),
			Failures:      get(stats.Key{Source: "netstat", Group: "TcpExt", Name: "TCPAbortOnMemory"}),
			UnderPressure: pressOf("TCP")},
		{Name: "UDP", Unit: "pages", Current: get(stats.Key{Source: "sockstat", Group: "UDP", Name: "mem"}),
			Limit: sysN("net.ipv4.udp_mem", 2), Pressure: sysN("net.ipv4.udp_mem", 1),
			Failures: sum(stats.Key{Source: "snmp", Group: "Udp", Name: "MemErrors"},
				stats.Key{Source: "snmp6", Name: "Udp6MemErrors"}),
			UnderPressure: pressOf("UDP")},
		{Name: "FRAG", Unit: "bytes", Current: get(stats.Key{Source: "sockstat", Group: "FRAG", Name: "memory"}),
			Limit: sysN("net.ipv4.ipfrag_high_thresh", 0)},
		{Name: "FRAG6", Unit: "bytes", Current: get(stats.Key{Source: "sockstat6", Group: "FRAG6", Name: "memory"}),
			Limit: sysN("net.ipv6.ip6frag_high_thresh", 0)},
	}
	var kb int64
	var kbKnown bool
	for _, p := range r.Pools {
		if !p.Current.Known {
			continue
		}
		kbKnown = true
		if p.Unit == "pages" {
			kb += p.Current.V * int64(pageSize) / 1024
		} else {
			kb += p.Current.V / 1024
		}
	}
	if kbKnown && pageSize != 0 {
		r.BufferKB = known(kb, "sockstat, sockstat6")
	}

	r.All = get(stats.Key{Source: "sockstat", Group: "sockets", Name: "used"})
	tcp := func(n string) Num { return get(stats.Key{Source: "sockstat", Group: "TCP", Name: n}) }
	if len(t.Protocols) > 0 {
		for _, p := range t.Protocols {
			s := Sockets{Name: p.Name, InUse: known(p.Sockets, "protocols sockets"), Pressure: pressOf(p.Name)}
			if p.Memory >= 0 {
				s.Memory = known(p.Memory, "protocols memory")
			}
			if p.Name == "TCP" {
				s.Orphan, s.TimeWait, s.Alloc = tcp("orphan"), tcp("tw"), tcp("alloc")
			}
			r.Sockets = append(r.Sockets, s)
		}
	} else {
		for _, set := range t.Counters {
			// FRAG counts fragment queues, not sockets.
			if set.Source != "sockstat" && set.Source != "sockstat6" || set.Group == "sockets" || set.Group == "FRAG" || set.Group == "FRAG6" {
				continue
			}
			in, ok := set.Find("inuse")
			if !ok {
				continue
			}
			s := Sockets{Name: set.Group, InUse: known(in.Int(), set.Source+" "+set.Group+" inuse")}
			if set.Source == "sockstat" && set.Group == "TCP" {
				s.Orphan, s.TimeWait, s.Alloc = tcp("orphan"), tcp("tw"), tcp("alloc")
			}
			r.Sockets = append(r.Sockets, s)
		}
	}

	r.SlabsCaptured = len(t.Slabs) > 0
	for _, s := range t.Slabs {
		x := Cache{Name: s.Name, Active: s.ActiveObjs, Num: s.NumObjs, ObjSize: s.ObjSize}
		if strings.HasPrefix(s.Name, "skbuff_") {
			r.Caches = append(r.Caches, x)
		} else {
			r.SocketCaches = append(r.SocketCaches, x)
		}
	}

	for _, k := range detailCounters {
		if v, ok := c.Get(k); ok {
			r.Counters = append(r.Counters, Item{Name: k.String(), Value: v})
		}
	}
	for _, n := range detailSysctls {
		if v, ok := sys[n]; ok {
			r.Limits = append(r.Limits, Item{Name: n, Text: v})
		}
	}
	for i, s := range t.Softnet {
		cpu := CPU{CPU: s.CPU}
		if cpu.CPU < 0 {
			cpu.CPU = int32(i)
		}
		if len(s.Values) > 0 {
			cpu.Processed = s.Values[0]
		}
		if len(s.Values) > 1 {
			cpu.Dropped = s.Values[1]
		}
		if len(s.Values) > 2 {
			cpu.Squeeze = s.Values[2]
		}
		r.Softnet = append(r.Softnet, cpu)
	}
	return r
}

// detailCounters are the counters Linux increments when it refuses,
// prunes or drops buffer memory (linux-sources.md A5).
var detailCounters = []stats.Key{
	{Source: "netstat", Group: "TcpExt", Name: "TCPMemoryPressures"},
	{Source: "netstat", Group: "TcpExt", Name: "TCPMemoryPressuresChrono"},
	{Source: "netstat", Group: "TcpExt", Name: "TCPAbortOnMemory"},
	{Source: "netstat", Group: "TcpExt", Name: "PruneCalled"},
	{Source: "netstat", Group: "TcpExt", Name: "RcvPruned"},
	{Source: "netstat", Group: "TcpExt", Name: "OfoPruned"},
	{Source: "netstat", Group: "TcpExt", Name: "TCPRcvQDrop"},
	{Source: "netstat", Group: "TcpExt", Name: "TCPBacklogDrop"},
	{Source: "netstat", Group: "TcpExt", Name: "TCPZeroWindowDrop"},
	{Source: "snmp", Group: "Udp", Name: "RcvbufErrors"},
	{Source: "snmp", Group: "Udp", Name: "SndbufErrors"},
	{Source: "snmp", Group: "Udp", Name: "MemErrors"},
	{Source: "snmp6", Name: "Udp6RcvbufErrors"},
	{Source: "snmp6", Name: "Udp6SndbufErrors"},
	{Source: "snmp6", Name: "Udp6MemErrors"},
}

// detailSysctls are the limits on socket buffers shown with -v.
var detailSysctls = []string{
	"net.ipv4.tcp_mem", "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem",
	"net.ipv4.udp_mem", "net.ipv4.udp_rmem_min", "net.ipv4.udp_wmem_min",
	"net.core.rmem_default", "net.core.rmem_max", "net.core.wmem_default", "net.core.wmem_max",
	"net.core.optmem_max", "net.core.netdev_max_backlog",
	"net.ipv4.ipfrag_high_thresh", "net.ipv4.ipfrag_low_thresh",
	"net.ipv6.ip6frag_high_thresh", "net.ipv6.ip6frag_low_thresh",
	"net.sctp.sctp_mem",
}
