package snapshots_test

import (
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/netmortem/netmortem/snapshots"
	"github.com/netmortem/netmortem/snapshots/synth"
)

var (
	bigOnce sync.Once
	bigDir  string
	bigRT   []snapshots.Route
	bigTCP  []snapshots.InetSocket
)

// bigTables builds the 1M-route and 200k-socket tables once per process.
func bigTables(b *testing.B) (string, []snapshots.Route, []snapshots.InetSocket) {
	bigOnce.Do(func() {
		bigDir, _ = os.MkdirTemp("", "nmbench")
		bigRT = synth.Routes(1_000_000, 1)
		bigTCP = synth.TCPSockets(200_000, 1)
	})
	return bigDir, bigRT, bigTCP
}

func writeTable(b *testing.B, path string, t snapshots.Table, ts *snapshots.Tables) {
	w, err := snapshots.Create(path, synth.Meta())
	if err != nil {
		b.Fatal(err)
	}
	w.AddNamespace(snapshots.NamespaceInfo{Host: true})
	w.BeginFrame(time.Now())
	if err := w.WriteTable(0, t, snapshots.OK(time.Now()), ts); err != nil {
		b.Fatal(err)
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
}

func benchWrite(b *testing.B, name string, t snapshots.Table, ts *snapshots.Tables, rows int) {
	dir, _, _ := bigTables(b)
	path := filepath.Join(dir, name)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		writeTable(b, path, t, ts)
	}
	b.StopTimer()
	st, _ := os.Stat(path)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(rows), "ns/row")
	b.ReportMetric(float64(st.Size())/float64(rows), "filebytes/row")
	b.ReportMetric(float64(st.Size())/1e6, "fileMB")
}

// benchRead measures loading a table as `netmortem netstat` does: in a
// process holding nothing else, so the benchmark's own source tables are
// dropped first (they would otherwise double the heap the GC scans).
func benchRead(b *testing.B, name string, t snapshots.Table, make func() *snapshots.Tables) {
	dir, err := os.MkdirTemp("", "nmbench")
	if err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, name)
	ts := make()
	rows := ts.Rows(t)
	writeTable(b, path, t, ts)
	ts = nil
	runtime.GC()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := snapshots.Open(path, snapshots.ReaderOptions{})
		if err != nil {
			b.Fatal(err)
		}
		l, err := r.Load(0, 0, t)
		if err != nil {
			b.Fatal(err)
		}
		if l.Rows(t) != rows {
			b.Fatalf("%d rows", l.Rows(t))
		}
		r.Close()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(rows), "ns/row")
}

func BenchmarkWriteRoutes1M(b *testing.B) {
	_, rt, _ := bigTables(b)
	benchWrite(b, "routes.nms", snapshots.TableRoutes, &snapshots.Tables{Routes: rt}, len(rt))
}

func BenchmarkReadRoutes1M(b *testing.B) {
	benchRead(b, "routes.nms", snapshots.TableRoutes, func() *snapshots.Tables {
		return &snapshots.Tables{Routes: synth.Routes(1_000_000, 1)}
	})
}

func BenchmarkWriteTCP200k(b *testing.B) {
	_, _, tcp := bigTables(b)
	benchWrite(b, "tcp.nms", snapshots.TableInet, &snapshots.Tables{InetSockets: tcp}, len(tcp))
}

func BenchmarkReadTCP200k(b *testing.B) {
	benchRead(b, "tcp.nms", snapshots.TableInet, func() *snapshots.Tables {
		return &snapshots.Tables{InetSockets: synth.TCPSockets(200_000, 1)}
	})
}

// BenchmarkOpenIndex is what `netmortem info` costs: header and index only.
func BenchmarkOpenIndex(b *testing.B) {
	dir, rt, tcp := bigTables(b)
	path := filepath.Join(dir, "both.nms")
	w, _ := snapshots.Create(path, synth.Meta())
	w.AddNamespace(snapshots.NamespaceInfo{Host: true})
	w.BeginFrame(time.Now())
	ts := &snapshots.Tables{Routes: rt, InetSockets: tcp}
	w.WriteTable(0, snapshots.TableRoutes, snapshots.OK(time.Now()), ts)
	w.WriteTable(0, snapshots.TableInet, snapshots.OK(time.Now()), ts)
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := snapshots.Open(path, snapshots.ReaderOptions{})
		if err != nil {
			b.Fatal(err)
		}
		r.Close()
	}
}
