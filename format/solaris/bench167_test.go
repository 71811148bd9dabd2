package solaris

import (
	"bytes"
	"io"
	"math/rand/v2"
	"net/netip"
	"os"
	"sync"
	"testing"

	"github.com/netmortem/netmortem/snapshots"
	"github.com/netmortem/netmortem/snapshots/synth"
)

// The scale snapshot: 1M IPv4 routes (synth's BGP table), 100k IPv6
// routes, 200k TCP sockets, three uplinks. Built once per test binary, in
// memory: replays read it through snapshots.NewReader as they would a file
// in the page cache.
var (
	scaleOnce  sync.Once
	scaleBytes []byte
	scaleErr   error
)

const (
	scaleV4      = 1_000_000
	scaleV6      = 100_000
	scaleSockets = 200_000
)

// fxRoutes6 returns n IPv6 routes shaped like a BGP table in the main
// table: /32–/48 prefixes of 2000::/3 in ascending order, link-local
// gateways on the three uplinks, protocol bgp, with RTA_CACHEINFO as the
// kernel sends it.
func fxRoutes6(n int, seed uint64) []snapshots.Route {
	r := rand.New(rand.NewPCG(seed, 13))
	gws := []netip.Addr{fa("fe80::1"), fa("fe80::2"), fa("fe80::3")}
	out := make([]snapshots.Route, n)
	nhs := make([]snapshots.NextHop, n)
	caches := make([]snapshots.RouteCacheInfo, n)
	var hi uint64 = 0x2001_0000 << 32
	for i := range out {
		bits := 48
		switch x := r.IntN(100); {
		case x < 60:
			bits = 48
		case x < 80:
			bits = 40 + r.IntN(8)
		default:
			bits = 32 + r.IntN(8)
		}
		step := uint64(1) << (64 - bits)
		hi = (hi + step - 1) &^ (step - 1)
		var b [16]byte
		for k := 0; k < 8; k++ {
			b[k] = byte(hi >> (56 - 8*k))
		}
		hi += step * uint64(1+r.IntN(3))
		g := r.IntN(len(gws))
		nhs[i] = snapshots.NextHop{Gateway: gws[g], OIF: int32(2 + g), Weight: 1}
		out[i] = snapshots.Route{Family: snapshots.AFInet6, Table: 254, Protocol: 186, Type: 1,
			Dst: netip.PrefixFrom(netip.AddrFrom16(b), bits), Priority: 20, NextHops: nhs[i : i+1 : i+1], X: &snapshots.RouteExtra{Cache: &caches[i]}}
	}
	return out
}

func scaleTables() *snapshots.Tables {
	links := []snapshots.Link{
		{Index: 1, Name: "lo", Flags: 0x8 | 0x1, MTU: 65536, Stats: snapshots.LinkStats{Valid: true}},
		{Index: 2, Name: "eth0", Flags: 0x1, MTU: 1500, Stats: snapshots.LinkStats{RxPackets: 1 << 40, TxPackets: 1 << 39, Valid: true}},
		{Index: 3, Name: "eth1", Flags: 0x1, MTU: 1500, Stats: snapshots.LinkStats{RxPackets: 1 << 30, Valid: true}},
		{Index: 4, Name: "eth2", Flags: 0x1, MTU: 9000, Stats: snapshots.LinkStats{RxPackets: 1 << 20, Valid: true}},
	}
	addrs := []snapshots.Addr{
		{Family: 2, Index: 2, PrefixLen: 24, Address: fa("192.0.2.10"), Local: fa("192.0.2.10"), Label: "eth0"},
		{Family: 2, Index: 3, PrefixLen: 24, Address: fa("198.51.100.10"), Local: fa("198.51.100.10"), Label: "eth1"},
		{Family: 2, Index: 4, PrefixLen: 24, Address: fa("203.0.113.10"), Local: fa("203.0.113.10"), Label: "eth2"},
	}
	return &snapshots.Tables{
		Links: links, Addrs: addrs,
		Routes:      append(synth.Routes(scaleV4, 1), fxRoutes6(scaleV6, 1)...),
		InetSockets: synth.TCPSockets(scaleSockets, 1),
	}
}

// scaleSnapshot builds the scale snapshot once and returns its bytes.
func scaleSnapshot(tb testing.TB) []byte {
	tb.Helper()
	scaleOnce.Do(func() {
		var buf bytes.Buffer
		w, err := snapshots.NewWriter(&buf, fxMeta("scale"))
		if err == nil {
			err = fxFill(w, "scale", []*snapshots.Tables{scaleTables()})
		}
		scaleBytes, scaleErr = buf.Bytes(), err
	})
	if scaleErr != nil {
		tb.Fatal(scaleErr)
	}
	return scaleBytes
}

// scaleRun replays a command line on the scale snapshot end to end:
// open, load the tables, select, render.
func scaleRun(w io.Writer, data []byte, args ...string) error {
	r, err := snapshots.NewReader(bytes.NewReader(data), int64(len(data)), snapshots.ReaderOptions{})
	if err != nil {
		return err
	}
	defer r.Close()
	passes, err := fxPasses(r, args...)
	if err != nil {
		return err
	}
	return Render(w, "text", passes)
}

// benchNetstat times a netstat command line end to end on the scale
// snapshot, rendering to io.Discard.
func benchNetstat(b *testing.B, rows int, args ...string) {
	data := scaleSnapshot(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := scaleRun(io.Discard, data, args...); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(rows), "ns/row")
}

// BenchmarkNetstatRN is netstat -rn on 1.1M routes (1.1M rows, 3% of the
// IPv4 routes have two next hops).
func BenchmarkNetstatRN(b *testing.B) { benchNetstat(b, scaleV4+scaleV6, "-rn") }

// BenchmarkNetstatAN is netstat -an on 200k TCP sockets.
func BenchmarkNetstatAN(b *testing.B) { benchNetstat(b, scaleSockets, "-an") }

// BenchmarkRenderRoutes is the -rn display alone on loaded tables: rows
// selected and printed, without reading the snapshot.
func BenchmarkRenderRoutes(b *testing.B) {
	benchRender(b, scaleV4+scaleV6, "-rn")
}

// BenchmarkRenderSockets is the -an display alone on loaded tables.
func BenchmarkRenderSockets(b *testing.B) {
	benchRender(b, scaleSockets, "-an")
}

func benchRender(b *testing.B, rows int, args ...string) {
	data := scaleSnapshot(b)
	r, err := snapshots.NewReader(bytes.NewReader(data), int64(len(data)), snapshots.ReaderOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	passes, err := fxPasses(r, args...)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := Render(io.Discard, "text", passes); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(rows), "ns/row")
}

// TestForms167ScaleRowCounts checks that the scale snapshot's displays
// print every row: one line per next hop of every route, one per socket.
// It takes about a minute, so it runs only with NETMORTEM_SCALE=1; with
// NETMORTEM_SCALE_FILE=PATH it also writes the snapshot there, for timing
// the real binary.
func TestForms167ScaleRowCounts(t *testing.T) {
	if os.Getenv("NETMORTEM_SCALE") == "" {
		t.Skip("set NETMORTEM_SCALE=1 to build the 1.1M-route snapshot")
	}
	data := scaleSnapshot(t)
	if f := os.Getenv("NETMORTEM_SCALE_FILE"); f != "" {
		if err := os.WriteFile(f, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var c lineCounter
	if err := scaleRun(&c, data, "-rn"); err != nil {
		t.Fatal(err)
	}
	hops := 0
	for _, r := range scaleTables().Routes {
		hops += len(r.NextHops)
	}
	// Two titles, two headers of two lines, an empty line before each title.
	if want := hops + 8; c.n != want {
		t.Errorf("-rn printed %d lines, want %d", c.n, want)
	}
	c = lineCounter{}
	if err := scaleRun(&c, data, "-an", "-P", "tcp", "-f", "inet"); err != nil {
		t.Fatal(err)
	}
	if want := scaleSockets + 4; c.n != want {
		t.Errorf("-an printed %d lines, want %d", c.n, want)
	}
}

type lineCounter struct{ n int }

func (c *lineCounter) Write(p []byte) (int, error) {
	for _, b := range p {
		if b == '\n' {
			c.n++
		}
	}
	return len(p), nil
}
