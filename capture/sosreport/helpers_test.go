package sosreport

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"

	"github.com/netmortem/netmortem/snapshots"
)

// labArchive is a real sosreport (sos 4.0, Debian 12) of the lab
// namespace "sra" with "srb" collected through ip netns exec, trimmed to
// what the importer reads; live-sra.nms and live-srb.nms are live
// captures of both namespaces taken while sos ran. See
// testdata/sosreport/README.
const (
	labDir     = "../../testdata/sosreport/"
	labArchive = labDir + "sosreport-vm-lab-2026-11-28-rndpvqn.tar.xz"
	labName    = "sosreport-vm-lab-2026-11-28-rndpvqn"
)

// labMembers returns the lab bundle's files and links.
func labMembers(t testing.TB) (map[string][]byte, map[string]string) {
	t.Helper()
	b, err := Open(labArchive, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if w := b.Warnings(); len(w) > 0 {
		t.Fatalf("the lab bundle reads with warnings: %v", w)
	}
	files := make(map[string][]byte, len(b.files))
	for k, v := range b.files {
		files[k] = v
	}
	links := make(map[string]string, len(b.links))
	for k, v := range b.links {
		links[k] = v
	}
	return files, links
}

// entry is one archive entry for makeTar.
type entry struct {
	name string
	typ  byte
	data []byte
	link string
	size int64 // for headers that claim a size without data (0: len(data))
}

// tarOf writes members under top (no top directory when "") in a stable
// order, then the extra entries.
func tarOf(t testing.TB, top string, files map[string][]byte, links map[string]string, extra ...entry) []byte {
	t.Helper()
	var es []entry
	for p, d := range files {
		es = append(es, entry{name: p, typ: tar.TypeReg, data: d})
	}
	for p, l := range links {
		es = append(es, entry{name: p, typ: tar.TypeSymlink, link: l})
	}
	sort.Slice(es, func(i, j int) bool { return es[i].name < es[j].name })
	if top != "" {
		for i := range es {
			es[i].name = top + "/" + es[i].name
		}
		es = append([]entry{{name: top + "/", typ: tar.TypeDir}}, es...)
	}
	es = append(es, extra...)
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range es {
		h := &tar.Header{Name: e.name, Typeflag: e.typ, Mode: 0o644, Linkname: e.link,
			ModTime: time.Date(2026, 11, 28, 23, 28, 0, 0, time.UTC), Format: tar.FormatPAX}
		if e.typ == tar.TypeReg {
			h.Size = int64(len(e.data))
		}
		if e.typ == tar.TypeDir {
			h.Mode = 0o755
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatalf("%s: %v", e.name, err)
		}
		if len(e.data) > 0 {
			if _, err := tw.Write(e.data); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func compress(t testing.TB, kind string, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w io.WriteCloser
	var err error
	switch kind {
	case "tar":
		return data
	case "tar.gz":
		w = gzip.NewWriter(&buf)
	case "tar.xz":
		w, err = xz.NewWriter(&buf)
	case "tar.zst":
		w, err = zstd.NewWriter(&buf)
	default:
		t.Fatalf("no compressor %s", kind)
	}
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func importBytes(t testing.TB, archive []byte, lim Limits) (*Result, error) {
	t.Helper()
	b, err := OpenArchive(bytes.NewReader(archive), "test.tar", lim)
	if err != nil {
		return nil, err
	}
	return FromBundle(context.Background(), b, Options{})
}

func importMembers(t testing.TB, files map[string][]byte, links map[string]string) *Result {
	t.Helper()
	res, err := FromBundle(context.Background(), FromMembers(labName, files, links, Limits{}), Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// liveCapture is a live capture of the lab.
type liveCapture struct {
	Meta snapshots.Meta
	*snapshots.Loaded
}

// loadLive reads a live capture of the lab.
func loadLive(t testing.TB, name string) liveCapture {
	t.Helper()
	r, err := snapshots.Open(filepath.Join(labDir, name), snapshots.ReaderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	l, err := r.Load(0, 0, snapshots.AllTables...)
	if err != nil {
		t.Fatal(err)
	}
	return liveCapture{r.Index.Meta, l}
}

func nsByName(t testing.TB, r *Result, name string) *Namespace {
	t.Helper()
	for i := range r.Namespaces {
		if r.Namespaces[i].Info.Name == name {
			return &r.Namespaces[i]
		}
	}
	t.Fatalf("no namespace %q in the import", name)
	return nil
}

func writeFile(t testing.TB, p string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
