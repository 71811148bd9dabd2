package sosreport

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/netmortem/netmortem/snapshots"
)

func hasWarning(ws []string, sub string) bool {
	for _, w := range ws {
		if strings.Contains(w, sub) {
			return true
		}
	}
	return false
}

// emptyAfter runs f in a fresh working directory and checks that nothing
// was created there or next to it.
func emptyAfter(t *testing.T, f func()) {
	t.Helper()
	parent := t.TempDir()
	wd := filepath.Join(parent, "wd")
	if err := os.Mkdir(wd, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(wd)
	f()
	for _, d := range []string{wd, parent} {
		ents, err := os.ReadDir(d)
		if err != nil {
			t.Fatal(err)
		}
		if d == parent && len(ents) == 1 && ents[0].Name() == "wd" {
			continue
		}
		if len(ents) > 0 {
			t.Errorf("the import wrote into %s: %v", d, ents)
		}
	}
}

// TestHostileArchive adds to the lab bundle the entries a hostile archive
// would carry. Each is refused with a warning, nothing is written, and the
// lab's tables still import.
func TestHostileArchive(t *testing.T) {
	files, links := labMembers(t)
	top := labName
	extra := []entry{
		{name: "../evil", typ: tar.TypeReg, data: []byte("x")},
		{name: top + "/../../evil2", typ: tar.TypeReg, data: []byte("x")},
		{name: "/etc/passwd", typ: tar.TypeReg, data: []byte("root:x:0:0")},
		{name: top + "/proc/net/../../../../etc/shadow", typ: tar.TypeReg, data: []byte("x")},
		{name: top + "/etc/iproute2/rt_tables.d/out.conf", typ: tar.TypeSymlink, link: "/etc/shadow"},
		{name: top + "/etc/iproute2/rt_tables.d/up.conf", typ: tar.TypeSymlink, link: "../../../../../etc/shadow"},
		{name: top + "/sos_commands/networking/loop1", typ: tar.TypeSymlink, link: "loop2"},
		{name: top + "/sos_commands/networking/loop2", typ: tar.TypeSymlink, link: "loop1"},
		{name: top + "/sos_commands/networking/ip_-d_route_show_cache", typ: tar.TypeSymlink, link: "loop1"},
		{name: top + "/var/lib/dhcp/hard.leases", typ: tar.TypeLink, link: "../../../../etc/passwd"},
		{name: top + "/proc/net/dev_mcast_fifo", typ: tar.TypeFifo},
		{name: top + "/sos_commands/networking/ip_maddr", typ: tar.TypeChar},
		{name: "elsewhere/sos_commands/networking/ip_-4_rule", typ: tar.TypeReg, data: []byte("0: from all lookup 666\n")},
	}
	delete(files, "sos_commands/networking/ip_-4_rule") // so that the outsider would show if taken
	archive := compress(t, "tar.xz", tarOf(t, top, files, links, extra...))
	var res *Result
	emptyAfter(t, func() {
		var err error
		res, err = importBytes(t, archive, Limits{})
		if err != nil {
			t.Fatal(err)
		}
	})
	for _, w := range []string{`"../evil" refused: ".." in path`, `"/etc/passwd" refused: absolute path`,
		"evil2", "etc/shadow", "rt_tables.d/out.conf points outside the bundle (/etc/shadow)",
		"rt_tables.d/up.conf points outside the bundle", "dev_mcast_fifo is a device or fifo",
		"ip_maddr is a device or fifo", "outside the bundle's directory", "too many levels of symbolic links"} {
		if !hasWarning(res.Meta.Warnings, w) {
			t.Errorf("no warning %q in %q", w, res.Meta.Warnings)
		}
	}
	host := res.Namespaces[0]
	for _, r := range host.Tables.Rules {
		if r.Table == 666 {
			t.Error("a rule from outside the bundle's directory was read")
		}
	}
	if st := host.Status[snapshots.TableRoutes]; !strings.Contains(st.Reason, "too many levels of symbolic links") {
		t.Errorf("routes: %q", st.Reason)
	}
	if len(host.Tables.InetSockets) != 15 || len(host.Tables.Routes) != 38 {
		t.Errorf("%d sockets, %d routes: the lab's tables did not import", len(host.Tables.InetSockets), len(host.Tables.Routes))
	}
	for _, f := range res.Names.Files {
		if strings.Contains(string(f.Data), "root:") {
			t.Errorf("name file %s holds a file from outside the bundle", f.Path)
		}
	}
}

// TestLimits checks the size bounds: an oversized member, the total, a
// decompression bomb, too many entries.
func TestLimits(t *testing.T) {
	files, links := labMembers(t)
	big := bytes.Repeat([]byte("0"), 3<<20)

	t.Run("member", func(t *testing.T) {
		f := copyFiles(files)
		f["proc/net/nf_conntrack"] = big // not wanted: skipped without reading
		f["sos_commands/networking/ip_route_show_table_all"] = big
		res, err := importBytes(t, tarOf(t, labName, f, links), Limits{MaxMember: 1 << 20})
		if err != nil {
			t.Fatal(err)
		}
		if !hasWarning(res.Meta.Warnings, "ip_route_show_table_all of 3145728 bytes is larger than the 1048576-byte limit") {
			t.Errorf("warnings %q", res.Meta.Warnings)
		}
		if hasWarning(res.Meta.Warnings, "nf_conntrack") {
			t.Error("a member the importer does not read was reported")
		}
		if st := res.Namespaces[0].Status[snapshots.TableRoutes]; st.State != snapshots.StatePartial {
			t.Errorf("routes %v %q: want partial, from /proc and ip -6 route", st.State, st.Reason)
		}
	})
	t.Run("total", func(t *testing.T) {
		res, err := importBytes(t, tarOf(t, labName, files, links), Limits{MaxTotal: 200 << 10})
		if err != nil {
			t.Fatal(err)
		}
		if !hasWarning(res.Meta.Warnings, "the bundle's members exceed 204800 bytes in all") {
			t.Errorf("warnings %q", res.Meta.Warnings)
		}
	})
	t.Run("bomb", func(t *testing.T) {
		// 64 MiB of zeros in a member nobody reads, after the lab's.
		bomb := entry{name: labName + "/var/log/huge", typ: tar.TypeReg, data: make([]byte, 64<<20)}
		archive := compress(t, "tar.zst", tarOf(t, labName, files, links, bomb))
		start := time.Now()
		res, err := importBytes(t, archive, Limits{BombFloor: 8 << 20, MaxRatio: 100})
		if err != nil {
			t.Fatal(err)
		}
		if !hasWarning(res.Meta.Warnings, "decompression bomb") {
			t.Errorf("warnings %q", res.Meta.Warnings)
		}
		if len(res.Namespaces[0].Tables.Routes) == 0 {
			t.Error("the members before the bomb were lost")
		}
		if d := time.Since(start); d > 20*time.Second {
			t.Errorf("took %v", d)
		}
		// The same archive within MaxStream only: refused too.
		res, err = importBytes(t, archive, Limits{MaxStream: 16 << 20})
		if err != nil {
			t.Fatal(err)
		}
		if !hasWarning(res.Meta.Warnings, "archive larger than 16777216 bytes decompressed") {
			t.Errorf("warnings %q", res.Meta.Warnings)
		}
	})
	t.Run("xz window", func(t *testing.T) {
		lab, err := os.ReadFile(labArchive)
		if err != nil {
			t.Fatal(err)
		}
		// The LZMA2 dictionary byte of the first block header: 28 is
		// 64 MiB; 40 asks for 4 GiB.
		i := bytes.Index(lab[12:40], []byte{0x21, 0x01, 28})
		if i < 0 {
			t.Fatal("no LZMA2 filter in the first block header")
		}
		bomb := append([]byte(nil), lab...)
		bomb[12+i+2] = 40
		if _, err := importBytes(t, bomb, Limits{}); err == nil || !strings.Contains(err.Error(), "4294967295-byte window") {
			t.Errorf("got %v, want a refused window", err)
		}
		if _, err := importBytes(t, lab, Limits{MaxDict: 32 << 20}); err == nil || !strings.Contains(err.Error(), "memory bomb") {
			t.Errorf("got %v with a 32 MiB limit", err)
		}
	})
	t.Run("entries", func(t *testing.T) {
		_, err := importBytes(t, tarOf(t, labName, files, links), Limits{MaxEntries: 50})
		if err == nil || !strings.Contains(err.Error(), "more than 50 archive entries") {
			t.Errorf("got %v, want a refusal naming the entry limit", err)
		}
		n := len(files) + len(links) - 10
		res, err := importBytes(t, tarOf(t, labName, files, links), Limits{MaxEntries: n})
		if err != nil {
			t.Fatal(err)
		}
		if !hasWarning(res.Meta.Warnings, fmt.Sprintf("more than %d archive entries", n)) {
			t.Errorf("warnings %q", res.Meta.Warnings)
		}
	})
}

func copyFiles(m map[string][]byte) map[string][]byte {
	out := make(map[string][]byte, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// TestTruncatedArchive cuts the lab archive at many points: the import
// either fails cleanly or reports the cut and keeps what it read.
func TestTruncatedArchive(t *testing.T) {
	data, err := os.ReadFile(labArchive)
	if err != nil {
		t.Fatal(err)
	}
	lf, ll := labMembers(t)
	raw := tarOf(t, labName, lf, ll)
	for _, c := range []struct {
		kind string
		data []byte
	}{{"tar.xz", data}, {"tar", raw}, {"tar.gz", compress(t, "tar.gz", raw)}} {
		for _, frac := range []float64{0.01, 0.2, 0.5, 0.8, 0.99} {
			cut := c.data[:int(float64(len(c.data))*frac)]
			res, err := importBytes(t, cut, Limits{})
			if err != nil {
				continue // nothing usable: a clean error
			}
			if !hasWarning(res.Meta.Warnings, "cut short") {
				t.Errorf("%s cut at %.0f%%: no warning in %q", c.kind, frac*100, res.Meta.Warnings)
			}
		}
	}
}

// TestGarbage replaces every command output and /proc file with junk: the
// import reports, never panics.
func TestGarbage(t *testing.T) {
	files, links := labMembers(t)
	rng := rand.New(rand.NewPCG(1, 2))
	junk := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.IntN(256))
			if rng.IntN(20) == 0 {
				b[i] = '\n'
			}
		}
		return b
	}
	for round := 0; round < 20; round++ {
		f := copyFiles(files)
		for p, d := range f {
			if p == "sos_reports/manifest.json" && round%2 == 0 {
				continue
			}
			switch rng.IntN(4) {
			case 0:
				f[p] = junk(len(d) + 1)
			case 1: // truncate a line in the middle
				f[p] = d[:rng.IntN(len(d)+1)]
			case 2: // shuffle words within lines
				lines := strings.Split(string(d), "\n")
				for i := range lines {
					w := strings.Fields(lines[i])
					rng.Shuffle(len(w), func(a, b int) { w[a], w[b] = w[b], w[a] })
					lines[i] = strings.Join(w, " ")
				}
				f[p] = []byte(strings.Join(lines, "\n"))
			}
		}
		res, err := FromBundle(context.Background(), FromMembers(labName, f, links, Limits{}), Options{})
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		// The result must write and read back.
		out := filepath.Join(t.TempDir(), "g.nms")
		if err := Write(out, res); err != nil {
			t.Fatalf("round %d: write: %v", round, err)
		}
		r, err := snapshots.Open(out, snapshots.ReaderOptions{})
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		for _, s := range r.Verify() {
			if s.Err != nil {
				t.Errorf("round %d: %v", round, s.Err)
			}
		}
		r.Close()
	}
}

// TestNotASosreport refuses inputs that are not sosreports.
func TestNotASosreport(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.tar.xz")
	writeFile(t, junk, []byte("this is not an archive at all, just text\n"))
	if _, err := Import(context.Background(), junk, Options{}); err == nil || !strings.Contains(err.Error(), "neither a directory nor a tar archive") {
		t.Errorf("junk: %v", err)
	}
	if _, err := importBytes(t, tarOf(t, "x", map[string][]byte{"notes.txt": []byte("hello")}, nil), Limits{}); err == nil {
		t.Error("a tar of unrelated files was accepted")
	}
	if _, err := importBytes(t, tarOf(t, "", nil, nil), Limits{}); err == nil {
		t.Error("an empty tar was accepted")
	}
	if _, err := Import(context.Background(), filepath.Join(dir, "missing"), Options{}); err == nil {
		t.Error("a missing path was accepted")
	}
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Import(context.Background(), empty, Options{}); err == nil {
		t.Error("an empty directory was accepted")
	}
}

// TestHostileDirectory reads an extracted bundle holding links out of it
// and a fifo where a /proc file should be: nothing is followed, nothing
// blocks.
func TestHostileDirectory(t *testing.T) {
	files, links := labMembers(t)
	root := filepath.Join(t.TempDir(), labName)
	for p, d := range files {
		writeFile(t, filepath.Join(root, p), d)
	}
	for p, l := range links {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(root, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(l, filepath.Join(root, p)); err != nil {
			t.Fatal(err)
		}
	}
	outside := filepath.Join(t.TempDir(), "secret")
	writeFile(t, outside, []byte("0: from all lookup 666\n"))
	rule := filepath.Join(root, "sos_commands/networking/ip_-4_rule")
	if err := os.Remove(rule); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, rule); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../../../../..", filepath.Join(root, "sos_commands/networking/ip_-6_rule.up")); err != nil {
		t.Fatal(err)
	}
	pid := links["proc/self"]
	fifo := filepath.Join(root, "proc", pid, "net", "udplite")
	if err := os.Remove(fifo); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	done := make(chan *Result, 1)
	go func() {
		res, err := Import(context.Background(), root, Options{})
		if err != nil {
			t.Error(err)
		}
		done <- res
	}()
	var res *Result
	select {
	case res = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the import blocked")
	}
	if res == nil {
		return
	}
	for _, w := range []string{"ip_-4_rule points outside the bundle", "udplite is not a regular file"} {
		if !hasWarning(res.Meta.Warnings, w) {
			t.Errorf("no warning %q in %q", w, res.Meta.Warnings)
		}
	}
	for _, r := range res.Namespaces[0].Tables.Rules {
		if r.Table == 666 {
			t.Error("a rule was read through a link out of the bundle")
		}
	}
}
