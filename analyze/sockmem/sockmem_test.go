package sockmem

import (
	"testing"

	"github.com/netmortem/netmortem/snapshots"
)

func cs(source, group string, kv ...any) snapshots.CounterSet {
	s := snapshots.CounterSet{Source: source, Group: group}
	for i := 0; i+1 < len(kv); i += 2 {
		s.Counters = append(s.Counters, snapshots.Counter{Name: kv[i].(string), Value: uint64(kv[i+1].(int))})
	}
	return s
}

// labTables holds the lab namespace's sockstat, sockstat6, protocols and
// slabinfo rows and the host's tcp_mem and udp_mem (format/solaris/
// testdata/f5), plus memory errors the lab did not produce.
func labTables() *snapshots.Tables {
	return &snapshots.Tables{
		Counters: []snapshots.CounterSet{
			cs("sockstat", "sockets", "used", 98),
			cs("sockstat", "TCP", "inuse", 10, "orphan", 2, "tw", 0, "alloc", 80, "mem", 1806),
			cs("sockstat", "UDP", "inuse", 4, "mem", 3),
			cs("sockstat", "FRAG", "inuse", 0, "memory", 4096),
			cs("sockstat6", "TCP6", "inuse", 3),
			cs("sockstat6", "FRAG6", "inuse", 1, "memory", 2048),
			cs("snmp", "Udp", "MemErrors", 5, "RcvbufErrors", 1),
			cs("snmp6", "Udp6", "Udp6MemErrors", 2),
			cs("netstat", "TcpExt", "TCPAbortOnMemory", 0, "PruneCalled", 4),
		},
		Protocols: []snapshots.ProtocolRow{
			{Name: "UDPv6", Sockets: 2, Memory: 3, Pressure: "NI"},
			{Name: "TCPv6", Sockets: 3, Memory: 1806, Pressure: "no"},
			{Name: "UNIX", Sockets: 41, Memory: -1, Pressure: "NI"},
			{Name: "UDP", Sockets: 4, Memory: 3, Pressure: "NI"},
			{Name: "TCP", Sockets: 10, Memory: 1806, Pressure: "yes"},
		},
		Sysctls: []snapshots.Sysctl{
			{Name: "net.ipv4.tcp_mem", Value: "287898\t383865\t575796"},
			{Name: "net.ipv4.udp_mem", Value: "575796 767731 1151592"},
			{Name: "net.ipv4.ipfrag_high_thresh", Value: "4194304"},
			{Name: "net.core.rmem_max", Value: "4194304"},
		},
		Slabs: []snapshots.Slab{
			{Name: "skbuff_small_head", ActiveObjs: 2786, NumObjs: 2786, ObjSize: 576},
			{Name: "TCP", ActiveObjs: 78, NumObjs: 78, ObjSize: 2368},
			{Name: "skbuff_head_cache", ActiveObjs: 432, NumObjs: 432, ObjSize: 256},
		},
		Softnet: []snapshots.SoftnetCPU{{CPU: 0, Values: []uint32{795, 1, 2}}, {CPU: 1, Values: []uint32{17446}}},
	}
}

func TestBuild(t *testing.T) {
	r := Build(labTables(), 4096)
	tcp, udp, frag, frag6 := r.Pools[0], r.Pools[1], r.Pools[2], r.Pools[3]
	if tcp.Current.V != 1806 || tcp.Limit.V != 575796 || tcp.Pressure.V != 383865 || !tcp.Failures.Known || tcp.Failures.V != 0 || tcp.UnderPressure != "yes" {
		t.Errorf("tcp %+v", tcp)
	}
	// UDP memory errors of IPv4 and IPv6 add up.
	if udp.Current.V != 3 || udp.Limit.V != 1151592 || udp.Failures.V != 7 || udp.UnderPressure != "" {
		t.Errorf("udp %+v", udp)
	}
	if frag.Current.V != 4096 || frag.Limit.V != 4194304 || frag.Failures.Known || frag.Pressure.Known {
		t.Errorf("frag %+v", frag)
	}
	if frag6.Limit.Known {
		t.Errorf("ip6frag_high_thresh was not captured: %+v", frag6)
	}
	// (1806 + 3) pages of 4 KiB, 4096 + 2048 bytes.
	if r.BufferKB.V != (1806+3)*4+4+2 {
		t.Errorf("Kbytes %+v", r.BufferKB)
	}
	if len(r.Sockets) != 5 || r.Sockets[4].Name != "TCP" || r.Sockets[4].Orphan.V != 2 || r.Sockets[4].Alloc.V != 80 || r.Sockets[2].Memory.Known {
		t.Errorf("sockets %+v", r.Sockets)
	}
	if r.All.V != 98 {
		t.Errorf("all %+v", r.All)
	}
	if len(r.Caches) != 2 || len(r.SocketCaches) != 1 || !r.SlabsCaptured || r.Caches[0].KBytes() != 2786*576/1024 {
		t.Errorf("caches %+v %+v", r.Caches, r.SocketCaches)
	}
	if len(r.Limits) != 4 || r.Limits[0].Name != "net.ipv4.tcp_mem" {
		t.Errorf("limits %+v", r.Limits)
	}
	if len(r.Counters) != 5 {
		t.Errorf("counters %+v", r.Counters)
	}
	if len(r.Softnet) != 2 || r.Softnet[0].Dropped != 1 || r.Softnet[0].Squeeze != 2 || r.Softnet[1].Processed != 17446 {
		t.Errorf("softnet %+v", r.Softnet)
	}
}

// TestFallbacks: without /proc/net/protocols the sockets come from
// sockstat; without sockstat nothing is invented.
func TestFallbacks(t *testing.T) {
	ts := labTables()
	ts.Protocols, ts.Slabs = nil, nil
	r := Build(ts, 4096)
	var names []string
	for _, s := range r.Sockets {
		names = append(names, s.Name)
	}
	if len(names) != 3 || names[0] != "TCP" || names[2] != "TCP6" || r.Sockets[0].TimeWait.V != 0 || !r.Sockets[0].TimeWait.Known {
		t.Errorf("sockets %v %+v", names, r.Sockets)
	}
	if r.SlabsCaptured {
		t.Error("slabs")
	}
	r = Build(&snapshots.Tables{}, 4096)
	if r.BufferKB.Known || r.All.Known || len(r.Sockets) != 0 || r.Pools[0].Current.Known || r.Pools[0].Limit.Known {
		t.Errorf("%+v", r)
	}
}
