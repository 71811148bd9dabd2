//go:build linux

package nlmsg

import (
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/mdlayher/netlink"
	"github.com/netmortem/netmortem/snapshots"
)

// synthRouteDump builds the datagrams a kernel would send for n IPv4 routes
// of a full BGP table: 10.x.y.z/24-ish prefixes in the main table, protocol
// bgp, one gateway and device each, every hundredth one multipath over two
// gateways. Datagrams hold up to 32 KiB, as the kernel's dump buffers do;
// the last one ends with NLMSG_DONE.
func synthRouteDump(n int) [][]byte {
	const dgramSize = 32 << 10
	var (
		out [][]byte
		b   = make([]byte, 0, dgramSize)
	)
	attr := func(b []byte, typ uint16, v []byte) []byte {
		b = native.AppendUint16(b, uint16(4+len(v)))
		b = native.AppendUint16(b, typ)
		b = append(b, v...)
		for len(b)%4 != 0 {
			b = append(b, 0)
		}
		return b
	}
	u32 := func(v uint32) []byte { return native.AppendUint32(nil, v) }
	var msg []byte
	for i := range n {
		msg = msg[:0]
		msg = append(msg, make([]byte, sizeofNlmsghdr)...)
		msg = append(msg, snapshots.AFInet, 24, 0, 0, 254, 186 /* bgp */, 0, 1 /* unicast */, 0, 0, 0, 0)
		msg = attr(msg, rtaTable, u32(254))
		msg = attr(msg, rtaDst, []byte{byte(1 + i>>16), byte(i >> 8), byte(i), 0})
		msg = attr(msg, rtaPriority, u32(20))
		if i%100 == 0 {
			hop := func(gw byte, oif uint32) []byte {
				h := native.AppendUint16(nil, sizeofRtnexthop+8)
				h = append(h, 0, 0)
				h = native.AppendUint32(h, oif)
				return attr(h, rtaGateway, []byte{192, 0, 2, gw})
			}
			msg = attr(msg, rtaMultipath, append(hop(1, 2), hop(2, 3)...))
		} else {
			msg = attr(msg, rtaGateway, []byte{192, 0, 2, 1})
			msg = attr(msg, rtaOIF, u32(2))
		}
		native.PutUint32(msg[0:], uint32(len(msg)))
		native.PutUint16(msg[4:], rtmNewRoute)
		native.PutUint16(msg[6:], uint16(netlink.Multi))
		native.PutUint32(msg[8:], 1)
		if len(b)+len(msg) > dgramSize {
			out = append(out, b)
			b = make([]byte, 0, dgramSize)
		}
		b = append(b, msg...)
	}
	done := make([]byte, sizeofNlmsghdr+4)
	native.PutUint32(done[0:], uint32(len(done)))
	native.PutUint16(done[4:], nlmsgDone)
	native.PutUint16(done[6:], uint16(netlink.Multi))
	native.PutUint32(done[8:], 1)
	return append(out, append(b, done...))
}

// BenchmarkDecodeRoutes1M decodes a synthetic one-million-route dump through
// the same path DumpRoutes takes after recvmsg: datagram splitting, the
// collector, and the sink DumpRoutes uses. cpu-ns/route is process CPU time
// (user+system), which a busy shared machine distorts less than wall time;
// B/route and allocs/route count everything allocated, the result included;
// live-MB is the heap the result keeps once garbage is collected.
func BenchmarkDecodeRoutes1M(b *testing.B) {
	const n = 1_000_000
	dgrams := synthRouteDump(n)
	var size int
	for _, d := range dgrams {
		size += len(d)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	var ms0, ms1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms0)
	cpu0 := cpuTime()
	var routes []snapshots.Route
	iters := 0
	for b.Loop() {
		routes = nil
		sink := newSink(routeDecoder(snapshots.AFInet), nil)
		col := collector{request: "bench", seq: 1, each: sink.add}
		for _, d := range dgrams {
			if err := splitDatagram(d, col.message); err != nil {
				b.Fatal(err)
			}
		}
		routes = sink.rowsInto(nil)
		if len(routes) != n || !col.done || !routes[n-1].Dst.IsValid() {
			b.Fatalf("%d routes, done %v", len(routes), col.done)
		}
		iters++
	}
	cpu := cpuTime() - cpu0
	runtime.ReadMemStats(&ms1)
	total := float64(iters * n)
	b.ReportMetric(float64(cpu.Nanoseconds())/total, "cpu-ns/route")
	b.ReportMetric(float64(ms1.TotalAlloc-ms0.TotalAlloc)/total, "B/route")
	b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/total, "allocs/route")
	runtime.GC()
	runtime.ReadMemStats(&ms1)
	b.ReportMetric(float64(ms1.HeapAlloc-ms0.HeapAlloc)/(1<<20), "live-MB")
	runtime.KeepAlive(routes)
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
