//go:build linux

package live

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/netmortem/netmortem/snapshots"
)

func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to build network namespaces")
	}
}

// netns creates a namespace with a veth pair inside it (so it has routes
// of its own) and removes it at the end of the test.
func netns(t *testing.T, name string, cmds ...string) {
	t.Helper()
	run(t, "ip", "netns", "add", name)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", name).Run() })
	run(t, "ip", "-n", name, "link", "set", "lo", "up")
	run(t, "ip", "-n", name, "link", "add", "v0", "type", "veth", "peer", "name", "v1")
	run(t, "ip", "-n", name, "link", "set", "v0", "up")
	run(t, "ip", "-n", name, "link", "set", "v1", "up")
	for _, c := range cmds {
		run(t, "ip", append([]string{"-n", name}, strings.Fields(c)...)...)
	}
}

func run(t *testing.T, name string, args ...string) {
	t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

func routeSet(t *testing.T, l *snapshots.Loaded) map[string]bool {
	m := map[string]bool{}
	for _, r := range l.Routes {
		if r.Table == 254 && !r.Cloned && r.Family == snapshots.AFInet {
			m[r.Dst.String()] = true
		}
	}
	return m
}

// TestIntegrationAllNetns captures three namespaces with different routes
// in one run and checks each against ip -n NAME.
func TestIntegrationAllNetns(t *testing.T) {
	needRoot(t)
	p := fmt.Sprintf("an%d", os.Getpid()%100000)
	names := []string{p + "x", p + "y", p + "z"}
	for i, n := range names {
		netns(t, n, fmt.Sprintf("addr add 10.%d.0.1/24 dev v0", 10+i),
			fmt.Sprintf("route add 172.%d.0.0/16 via 10.%d.0.9", 16+i, 10+i))
	}
	out := filepath.Join(t.TempDir(), "all.nms")
	sum, err := Capture(context.Background(), Options{Output: out, AllNetNS: true,
		Tables: []snapshots.Table{snapshots.TableLinks, snapshots.TableAddrs, snapshots.TableRoutes}})
	if err != nil {
		t.Fatal(err)
	}
	r, err := snapshots.Open(out, snapshots.ReaderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if sum.Namespaces != len(r.Namespaces) || len(r.Namespaces) < 4 {
		t.Fatalf("%d namespaces (summary %d)", len(r.Namespaces), sum.Namespaces)
	}
	hosts := 0
	for _, n := range r.Namespaces {
		if n.Host {
			hosts++
		}
	}
	if hosts != 1 {
		t.Errorf("%d host namespaces", hosts)
	}
	for _, name := range names {
		id := -1
		for _, n := range r.Namespaces {
			if n.Name == name {
				id = n.ID
			}
		}
		if id < 0 {
			t.Fatalf("namespace %s not captured", name)
		}
		l, err := r.Load(0, id, snapshots.TableRoutes)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]bool{}
		ipout, _ := exec.Command("ip", "-n", name, "-j", "-4", "route", "show", "table", "main").Output()
		var rs []map[string]any
		json.Unmarshal(ipout, &rs)
		for _, m := range rs {
			d := fmt.Sprint(m["dst"])
			if !strings.Contains(d, "/") {
				d += "/32"
			}
			want[d] = true
		}
		got := routeSet(t, l)
		if fmt.Sprint(want) != fmt.Sprint(got) {
			t.Errorf("%s: ip says %v, snapshot %v", name, want, got)
		}
	}
}

// TestIntegrationSeries captures five frames of a namespace, a route being
// added between the second and the third: the routes differ exactly
// there, and the series costs little more than one frame.
func TestIntegrationSeries(t *testing.T) {
	needRoot(t)
	name := fmt.Sprintf("se%d", os.Getpid()%100000)
	netns(t, name, "addr add 10.20.0.1/24 dev v0")
	dir := t.TempDir()
	one := filepath.Join(dir, "one.nms")
	if _, err := Capture(context.Background(), Options{Output: one, NetNS: name}); err != nil {
		t.Fatal(err)
	}
	series := filepath.Join(dir, "series.nms")
	addRoute := func(frame int) {
		if frame == 1 { // between frames 1 and 2
			run(t, "ip", "-n", name, "route", "add", "10.99.0.0/16", "via", "10.20.0.9")
		}
	}
	if _, err := Capture(context.Background(), Options{Output: series, NetNS: name, Interval: 600 * time.Millisecond,
		Count: 5, FrameDone: addRoute}); err != nil {
		t.Fatal(err)
	}
	r, err := snapshots.Open(series, snapshots.ReaderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if len(r.Frames) != 5 {
		t.Fatalf("%d frames", len(r.Frames))
	}
	var sets []map[string]bool
	for f := 0; f < 5; f++ {
		l, err := r.Load(f, 0, snapshots.TableRoutes)
		if err != nil {
			t.Fatal(err)
		}
		sets = append(sets, routeSet(t, l))
	}
	// The route went in between frames 1 and 2: the route sets change
	// there, by exactly that route, and nowhere else. (IPv6 routes carry
	// cache ages that move every frame, so only the route sets are
	// compared; the size check below covers storage.)
	for f := 1; f < 5; f++ {
		same := fmt.Sprint(sets[f]) == fmt.Sprint(sets[f-1])
		if f == 2 {
			if same || !sets[f]["10.99.0.0/16"] || sets[f-1]["10.99.0.0/16"] || len(sets[f]) != len(sets[f-1])+1 {
				t.Errorf("frame 2 should add exactly 10.99.0.0/16: %v → %v", sets[f-1], sets[f])
			}
		} else if !same {
			t.Errorf("frame %d: routes changed: %v → %v", f, sets[f-1], sets[f])
		}
	}
	a, _ := os.Stat(one)
	b, _ := os.Stat(series)
	t.Logf("one frame %d bytes, five frames %d bytes", a.Size(), b.Size())
	if b.Size() > a.Size()*3/2 {
		t.Errorf("five frames take %d bytes, one %d", b.Size(), a.Size())
	}
}

// TestIntegrationSIGKILL kills captures at random moments: the output path
// always holds a valid snapshot (the previous one) or nothing.
func TestIntegrationSIGKILL(t *testing.T) {
	needRoot(t)
	bin := buildNetmortem(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "k.nms")
	rng := rand.New(rand.NewPCG(uint64(os.Getpid()), 1))
	kept := 0
	for i := 0; i < 20; i++ {
		if i == 10 {
			os.Remove(out) // second half: start from nothing
		}
		cmd := exec.Command(bin, "capture", "--quiet", "-o", out)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rng.IntN(400)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		if _, err := os.Stat(out); os.IsNotExist(err) {
			continue
		}
		r, err := snapshots.Open(out, snapshots.ReaderOptions{})
		if err != nil {
			t.Fatalf("kill %d: %s is not a valid snapshot: %v", i, out, err)
		}
		for _, f := range r.Verify() {
			if f.Err != nil {
				t.Fatalf("kill %d: %v", i, f.Err)
			}
		}
		r.Close()
		kept++
	}
	t.Logf("%d of 20 kills left a complete snapshot at the path, the rest none or the previous", kept)
	// A later capture clears the temporary files killed captures left.
	if _, err := Capture(context.Background(), Options{Output: out, Tables: []snapshots.Table{snapshots.TableLinks}}); err != nil {
		t.Fatal(err)
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".k.nms.tmp-*"))
	if len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// TestIntegrationDiskFull captures into a tiny tmpfs: a clear error, and
// nothing left behind.
func TestIntegrationDiskFull(t *testing.T) {
	needRoot(t)
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs: %v %s", err, out)
	}
	defer exec.Command("umount", dir).Run()
	_, err := Capture(context.Background(), Options{Output: filepath.Join(dir, "full.nms")})
	if err == nil || !strings.Contains(err.Error(), "no space left on device") {
		t.Fatalf("got %v", err)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 0 {
		t.Errorf("left behind: %v", ents)
	}
}

// TestIntegrationChurn opens and closes thousands of loopback connections
// a second while a series is captured: the capture neither fails nor
// hangs, and no socket is recorded twice in a frame.
func TestIntegrationChurn(t *testing.T) {
	needRoot(t)
	name := fmt.Sprintf("ch%d", os.Getpid()%100000)
	netns(t, name)
	tool := buildLabtool(t)
	srv := exec.Command("ip", "netns", "exec", name, tool, "serve", "127.0.0.1:7000")
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { srv.Process.Kill(); srv.Wait() }()
	time.Sleep(300 * time.Millisecond)
	const rate, secs = 2000, 4
	var churn []*exec.Cmd
	var outs []*bytes.Buffer
	for i := 0; i < 2; i++ {
		c := exec.Command("ip", "netns", "exec", name, tool, "churn", "127.0.0.1:7000", fmt.Sprint(rate/2), fmt.Sprint(secs))
		var b bytes.Buffer
		c.Stdout = &b
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		churn = append(churn, c)
		outs = append(outs, &b)
	}
	out := filepath.Join(t.TempDir(), "churn.nms")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	_, err := Capture(ctx, Options{Output: out, NetNS: name, Interval: 400 * time.Millisecond, Count: 8,
		Tables: []snapshots.Table{snapshots.TableInet, snapshots.TableOwners, snapshots.TableLinks}})
	for _, c := range churn {
		c.Wait()
	}
	if err != nil {
		t.Fatal(err)
	}
	r, err := snapshots.Open(out, snapshots.ReaderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for f := range r.Frames {
		l, err := r.Load(f, 0, snapshots.TableInet)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[uint64]bool{}
		for _, s := range l.InetSockets {
			if s.Cookie != 0 && seen[s.Cookie] {
				t.Errorf("frame %d: socket cookie %#x recorded twice", f, s.Cookie)
			}
			seen[s.Cookie] = true
		}
	}
	t.Logf("churn: %s / %s over %d s while capturing %d frames", strings.TrimSpace(outs[0].String()), strings.TrimSpace(outs[1].String()), secs, len(r.Frames))
}

func buildNetmortem(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "netmortem")
	run(t, "go", "build", "-o", bin, "../../cmd/netmortem")
	return bin
}

func buildLabtool(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "labtool")
	run(t, "go", "build", "-o", bin, "../../testdata/lab/labtool")
	return bin
}
