package snapshots_test

import (
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/netmortem/netmortem/snapshots"
	"github.com/netmortem/netmortem/snapshots/synth"
)

// TestConcurrentWriteTable writes every table of two namespaces from
// goroutines at once, as capture does, and reads them all back (run with
// -race to check the writer's locking).
func TestConcurrentWriteTable(t *testing.T) {
	path := t.TempDir() + "/c.nms"
	w, err := snapshots.Create(path, synth.Meta())
	if err != nil {
		t.Fatal(err)
	}
	w.OneFrame()
	want := []*snapshots.Tables{synth.Full(1), synth.Full(2)}
	for range want {
		w.AddNamespace(snapshots.NamespaceInfo{})
	}
	w.BeginFrame(time.Unix(1, 0))
	var wg sync.WaitGroup
	for ns, ts := range want {
		for _, tb := range snapshots.NamespaceTables {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := w.WriteTable(ns, tb, snapshots.OK(time.Unix(1, 0)), ts); err != nil {
					t.Error(err)
				}
			}()
		}
	}
	wg.Wait()
	r := closeAndOpen(t, w, path)
	defer r.Close()
	for ns, ts := range want {
		l, err := r.Load(0, ns, snapshots.NamespaceTables...)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(*ts, l.Tables, cmpOpts); d != "" {
			t.Errorf("namespace %d (-want +got):\n%s", ns, d)
		}
	}
}

// TestOneFrameStreamsSockets writes a socket table of over 1 MiB with a
// single-frame writer (which compresses its tcp_info rows in parts,
// without joining them) and with a series writer (which joins them): both
// sections must hold the same bytes, load the same and verify clean.
func TestOneFrameStreamsSockets(t *testing.T) {
	base := synth.Full(1).InetSockets[0]
	ts := &snapshots.Tables{}
	for i := range 6000 { // 1.1 MB of tcp_info: compressed in parts
		s := base
		s.Inode, s.Cookie = uint64(1000+i), uint64(i)
		s.TCPInfo = make([]byte, 232)
		for j := range s.TCPInfo {
			s.TCPInfo[j] = byte(i*7 + j*j)
		}
		if i%5 == 0 {
			s.TCPInfo = nil // a socket without tcp_info is no part at all
		}
		ts.InetSockets = append(ts.InetSockets, s)
	}
	secs := writeBothWays(t, ts)
	if secs[0].Size != secs[1].Size || string(secs[0].Hash) != string(secs[1].Hash) || secs[0].Size < 1<<20 {
		t.Errorf("payloads differ or too small: %d %x, %d %x", secs[0].Size, secs[0].Hash, secs[1].Size, secs[1].Hash)
	}
	// A table of one socket with a short tcp_info (an older kernel's) is
	// written in one piece by both writers and reads back.
	small := &snapshots.Tables{InetSockets: []snapshots.InetSocket{{Proto: snapshots.ProtoTCP,
		Family: snapshots.AFInet, State: 1, TCPInfo: make([]byte, 104)}}}
	if secs := writeBothWays(t, small); secs[0].Size >= 256 {
		t.Errorf("the small payload has %d bytes: it no longer tests frames under 256", secs[0].Size)
	}
}

// writeBothWays writes the socket table of ts with a single-frame writer
// and a series writer, reads both back and checks them, and returns
// their sections.
func writeBothWays(t *testing.T, ts *snapshots.Tables) []snapshots.SectionInfo {
	t.Helper()
	var secs []snapshots.SectionInfo
	for _, one := range []bool{true, false} {
		path := t.TempDir() + "/s.nms"
		w, err := snapshots.Create(path, synth.Meta())
		if err != nil {
			t.Fatal(err)
		}
		if one {
			w.OneFrame()
		}
		w.AddNamespace(snapshots.NamespaceInfo{})
		w.BeginFrame(time.Unix(1, 0))
		if err := w.WriteTable(0, snapshots.TableInet, snapshots.OK(time.Unix(1, 0)), ts); err != nil {
			t.Fatal(err)
		}
		r := closeAndOpen(t, w, path)
		for _, v := range r.Verify() {
			if v.Err != nil {
				t.Fatalf("one frame %v: verify: %v", one, v.Err)
			}
		}
		l, err := r.Load(0, 0, snapshots.TableInet)
		if err != nil {
			t.Fatal(err)
		}
		// Row by row with go-cmp is slow on thousands of rows: the ends
		// of the table here, the whole of it through the payload hashes
		// the caller compares.
		got, want := l.Tables.InetSockets, ts.InetSockets
		if len(got) != len(want) {
			t.Fatalf("one frame %v: %d rows, want %d", one, len(got), len(want))
		}
		for _, r := range [][2]int{{0, min(50, len(want))}, {max(0, len(want)-50), len(want)}} {
			if d := cmp.Diff(want[r[0]:r[1]], got[r[0]:r[1]], cmpOpts); d != "" {
				t.Errorf("one frame %v, rows %d-%d (-want +got):\n%s", one, r[0], r[1], d)
			}
		}
		secs = append(secs, *r.Find(0, 0, snapshots.TableInet))
		r.Close()
	}
	return secs
}

// closeAndOpen ends the frame under way, closes w and opens its file.
func closeAndOpen(t *testing.T, w *snapshots.Writer, path string) *snapshots.Reader {
	t.Helper()
	w.EndFrame(time.Unix(2, 0))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := snapshots.Open(path, snapshots.ReaderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}
