package snapshots_test

import (
	"bytes"
	"net/netip"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/netmortem/netmortem/snapshots"
	"github.com/netmortem/netmortem/snapshots/synth"
)

var cmpOpts = cmp.Options{
	cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
	cmp.Comparer(func(a, b netip.Prefix) bool { return a == b }),
	cmp.Comparer(func(a, b netip.AddrPort) bool { return a == b }),
	cmpopts.EquateEmpty(),
}

// TestFullFixtureSetsEveryField keeps the round-trip test honest: a model
// field the fixture leaves zero would not be checked by it.
func TestFullFixtureSetsEveryField(t *testing.T) {
	checkNonZero(t, "Tables", reflect.ValueOf(*synth.Full(1)))
	checkNonZero(t, "Meta", reflect.ValueOf(synth.Meta()))
}

func checkNonZero(t *testing.T, path string, v reflect.Value) {
	t.Helper()
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) || v.Type() == reflect.TypeOf(netip.Addr{}) ||
			v.Type() == reflect.TypeOf(netip.Prefix{}) || v.Type() == reflect.TypeOf(netip.AddrPort{}) {
			if v.IsZero() {
				t.Errorf("%s is zero", path)
			}
			return
		}
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			if f.Name == "BigEndian" { // false is the meaningful common value
				continue
			}
			checkNonZero(t, path+"."+f.Name, v.Field(i))
		}
	case reflect.Slice:
		if v.Len() == 0 {
			t.Errorf("%s is empty", path)
			return
		}
		if v.Type().Elem().Kind() == reflect.Struct {
			for i := 0; i < v.Len(); i++ {
				checkNonZero(t, path+"[]", v.Index(i))
			}
		}
	case reflect.Pointer:
		if v.IsNil() {
			t.Errorf("%s is nil", path)
			return
		}
		checkNonZero(t, path, v.Elem())
	default:
		if v.IsZero() {
			t.Errorf("%s is zero", path)
		}
	}
}

func writeFull(t testing.TB, path string) (frames [][]*snapshots.Tables) {
	t.Helper()
	w, err := snapshots.Create(path, synth.Meta())
	if err != nil {
		t.Fatal(err)
	}
	host := w.AddNamespace(snapshots.NamespaceInfo{Inode: 4026531840, Host: true, Pids: []int32{1}})
	blue := w.AddNamespace(snapshots.NamespaceInfo{Name: "blue", Inode: 4026532000, Pids: []int32{42, 43}, Hints: []string{"cgroup:/x"}, Gone: true})
	names := &snapshots.Tables{Files: []snapshots.RawFile{{Path: "/etc/hosts", Data: []byte("127.0.0.1 localhost\n")}}}
	if err := w.WriteTable(-1, snapshots.TableNames, snapshots.OK(time.Unix(1, 0)), names); err != nil {
		t.Fatal(err)
	}
	for f := 0; f < 3; f++ {
		w.BeginFrame(time.Unix(int64(1000+f), 0))
		var row []*snapshots.Tables
		for _, ns := range []int{host, blue} {
			ts := synth.Full(f*10 + ns)
			if f == 2 { // frame 2 repeats frame 1: every section is shared
				ts = synth.Full(10 + ns)
			}
			row = append(row, ts)
			for _, tb := range snapshots.NamespaceTables {
				st := snapshots.Status{State: snapshots.StateOK, Sources: []string{"test"}, Time: time.Unix(int64(1000+f), 5), Retries: 1}
				if err := w.WriteTable(ns, tb, st, ts); err != nil {
					t.Fatal(err)
				}
			}
		}
		w.EndFrame(time.Unix(int64(1000+f), 500))
		frames = append(frames, row)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return frames
}

func TestRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "full.nms")
	want := writeFull(t, path)
	r, err := snapshots.Open(path, snapshots.ReaderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if d := cmp.Diff(synth.Meta(), r.Meta, cmpOpts); d != "" {
		t.Errorf("meta (-want +got):\n%s", d)
	}
	if len(r.Frames) != 3 || len(r.Namespaces) != 2 {
		t.Fatalf("%d frames, %d namespaces", len(r.Frames), len(r.Namespaces))
	}
	if ns := r.Namespaces[1]; ns.Name != "blue" || !ns.Gone || len(ns.Pids) != 2 || ns.Hints[0] != "cgroup:/x" {
		t.Errorf("namespace 1 = %+v", ns)
	}
	for f, row := range want {
		for ns, ts := range row {
			l, err := r.Load(f, ns, snapshots.NamespaceTables...)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(*ts, l.Tables, cmpOpts); d != "" {
				t.Errorf("frame %d namespace %d (-want +got):\n%s", f, ns, d)
			}
			if st := l.Status[snapshots.TableRoutes]; st.State != snapshots.StateOK || st.Retries != 1 || st.Sources[0] != "test" {
				t.Errorf("status %+v", st)
			}
		}
	}
	var names snapshots.Tables
	if err := r.ReadSection(r.Find(-1, -1, snapshots.TableNames), &names); err != nil || len(names.Files) != 1 {
		t.Errorf("names: %v %v", err, names.Files)
	}
	// Frame 2 equals frame 1: its sections point at frame 1's bytes.
	for _, tb := range snapshots.NamespaceTables {
		s1, s2 := r.Find(1, 0, tb), r.Find(2, 0, tb)
		if s1.Offset != s2.Offset {
			t.Errorf("%s: frame 2 stored again at %d (frame 1 at %d)", tb, s2.Offset, s1.Offset)
		}
		if s0 := r.Find(0, 0, tb); s0.Offset == s1.Offset {
			t.Errorf("%s: frames 0 and 1 differ but share bytes", tb)
		}
	}
	for _, f := range r.Verify() {
		if f.Err != nil {
			t.Errorf("verify %s: %v", f.Name, f.Err)
		}
	}
}

func TestUnavailableTable(t *testing.T) {
	var buf bytes.Buffer
	w, err := snapshots.NewWriter(&buf, synth.Meta())
	if err != nil {
		t.Fatal(err)
	}
	ns := w.AddNamespace(snapshots.NamespaceInfo{Host: true})
	w.BeginFrame(time.Unix(1, 0))
	if err := w.WriteTable(ns, snapshots.TableSCTP, snapshots.Unavailable(time.Unix(1, 0), "sctp module not loaded", "/proc/net/sctp/eps"), nil); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := snapshots.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()), snapshots.ReaderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	l, err := r.Load(0, 0, snapshots.TableSCTP, snapshots.TableRoutes)
	if err != nil {
		t.Fatal(err)
	}
	if st := l.Status[snapshots.TableSCTP]; st.State != snapshots.StateUnavailable || st.Reason != "sctp module not loaded" {
		t.Errorf("sctp status %+v", st)
	}
	if st := l.Status[snapshots.TableRoutes]; st.State != snapshots.StateUnavailable || st.Reason != "not in this snapshot" {
		t.Errorf("routes status %+v", st)
	}
}
