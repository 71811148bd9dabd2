package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"
)

// diffRecord is the part of diff's JSON record the tests read.
type diffRecord struct {
	Differs    bool `json:"differs"`
	Namespaces []struct {
		Sections []struct {
			Section   string `json:"section"`
			Compared  bool   `json:"compared"`
			Unchanged int    `json:"unchanged"`
			Rows      []struct {
				Change  string            `json:"change"`
				Key     map[string]string `json:"key"`
				Fields  map[string]any    `json:"fields"`
				Changes []struct {
					Field string `json:"field"`
					Old   string `json:"old"`
					New   string `json:"new"`
				} `json:"changes"`
			} `json:"rows"`
		} `json:"sections"`
	} `json:"namespaces"`
}

// labRow is a row difference as the test spells it.
type labRow struct {
	Section, Change, Key string
	Changes              []string
}

func labRows(t *testing.T, rec *diffRecord) []labRow {
	t.Helper()
	var out []labRow
	for _, ns := range rec.Namespaces {
		for _, s := range ns.Sections {
			for _, r := range s.Rows {
				var key []string
				for k, v := range r.Key {
					key = append(key, k+"="+v)
				}
				slices.Sort(key)
				row := labRow{Section: s.Section, Change: r.Change, Key: strings.Join(key, " ")}
				for _, c := range r.Changes {
					row.Changes = append(row.Changes, c.Field+": "+c.Old+" -> "+c.New)
				}
				out = append(out, row)
			}
		}
	}
	return out
}

// runCmd runs one netmortem command line in this process.
func runCmd(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = run(context.Background(), args, &o, &e)
	return code, o.String(), e.String()
}

// listenIn opens a TCP listener inside network namespace ns: a thread
// enters the namespace, listens, and dies with its goroutine (a locked
// thread is not reused), so no other goroutine runs in the namespace.
func listenIn(ns, addr string) (net.Listener, error) {
	type result struct {
		ln  net.Listener
		err error
	}
	ch := make(chan result)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
		f, err := os.Open("/run/netns/" + ns)
		if err != nil {
			ch <- result{nil, err}
			return
		}
		defer f.Close()
		if err := unix.Setns(int(f.Fd()), unix.CLONE_NEWNET); err != nil {
			ch <- result{nil, fmt.Errorf("setns %s: %w", ns, err)}
			return
		}
		// Plain TCP: Go listens with MPTCP by default, which is a second socket.
		var lc net.ListenConfig
		lc.SetMultipathTCP(false)
		ln, err := lc.Listen(context.Background(), "tcp4", addr)
		ch <- result{ln, err}
	}()
	r := <-ch
	return r.ln, r.err
}

// TestIntegrationDiffLab captures the lab's namespace A with the real
// capture command, makes four changes (a route added, a neighbour deleted,
// a listener opened, an MTU changed), captures again, and checks that diff
// reports exactly those changes: none of the volatile fields of a live
// namespace (timers, neighbour ageing, counters) leak in. A capture
// diffed with itself, and two captures a moment apart, show no
// difference. NETMORTEM_DIFF_LAB_OUT=DIR keeps the two snapshots (the
// fixtures of analyze/diff/testdata).
func TestIntegrationDiffLab(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: builds network namespaces")
	}
	lab, _ := filepath.Abs("../../testdata/lab/lab.sh")
	const prefix, ns = "df", "dfa"
	t.Cleanup(func() { exec.Command(lab, "down", prefix).Run() })
	if out, err := exec.Command(lab, "up", prefix).CombinedOutput(); err != nil {
		t.Fatalf("lab up: %v\n%s", err, out)
	}
	dir := t.TempDir()
	capture := func(name string) string {
		t.Helper()
		path := filepath.Join(dir, name)
		if code, _, stderr := runCmd("capture", "--netns", ns, "--lease-file", "/run/netmortem-lab/"+prefix+"/dhclient.a0.leases", "-o", path); code != 0 {
			t.Fatalf("capture %s: exit %d\n%s", name, code, stderr)
		}
		return path
	}
	ip := func(args ...string) {
		t.Helper()
		if out, err := exec.Command("ip", append([]string{"-n", ns}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("ip %v: %v\n%s", args, err, out)
		}
	}

	before := capture("before.nms")
	again := capture("again.nms")
	for _, pair := range [][2]string{{before, before}, {before, again}} {
		code, stdout, stderr := runCmd("diff", pair[0], pair[1])
		if code != 0 || !strings.Contains(stdout, "\nno differences\n") {
			t.Errorf("diff %s %s: exit %d\n%s%s", filepath.Base(pair[0]), filepath.Base(pair[1]), code, stdout, stderr)
		}
	}

	ip("route", "add", "10.77.0.0/16", "via", "10.2.0.2", "dev", "a1")
	ip("neigh", "del", "10.1.0.99", "dev", "a0")
	ln, err := listenIn(ns, "10.2.0.1:7070")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ip("link", "set", "a1", "mtu", "1300")
	after := capture("after.nms")

	code, stdout, stderr := runCmd("--output", "json", "diff", before, after)
	if code != exitDiffers {
		t.Fatalf("diff: exit %d, want 1\n%s", code, stderr)
	}
	var rec diffRecord
	if err := json.Unmarshal([]byte(stdout), &rec); err != nil {
		t.Fatal(err)
	}
	want := []labRow{
		{"interfaces", "changed", "name=a1", []string{"mtu: 1400 -> 1300"}},
		{"routes", "added", "dst=10.77.0.0/16 family=inet metric=0 table=main type=unicast", nil},
		{"neighbours", "removed", "address=10.1.0.99 dev=a0 family=inet", nil},
		{"inet sockets", "added", "family=inet local=10.2.0.1:7070 proto=tcp remote=*:*", nil},
	}
	if d := cmp.Diff(want, labRows(t, &rec)); d != "" {
		t.Errorf("diff before after (-want +got):\n%s", d)
	}
	for _, s := range rec.Namespaces[0].Sections {
		if !s.Compared && !strings.HasPrefix(s.Section, "sctp") {
			t.Errorf("section %s not compared", s.Section)
		}
		if s.Section == "dhcp leases" && s.Unchanged != 1 {
			t.Errorf("%d unchanged DHCP leases, want the lab's lease on a0", s.Unchanged)
		}
		if s.Section == "inet sockets" && len(s.Rows) == 1 {
			owners := fmt.Sprint(s.Rows[0].Fields["owners"])
			if !strings.Contains(owners, fmt.Sprintf("/%d", os.Getpid())) {
				t.Errorf("listener owners %s, want this process (%d)", owners, os.Getpid())
			}
		}
	}
	// The text form says the same.
	_, text, _ := runCmd("diff", before, after)
	for _, w := range []string{"~ a1\n      mtu: 1400 -> 1300\n", "+ table main inet unicast 10.77.0.0/16 metric 0\n",
		"- inet 10.1.0.99 dev a0\n", "+ tcp inet 10.2.0.1:7070 -> *:*\n"} {
		if !strings.Contains(text, w) {
			t.Errorf("text lacks %q:\n%s", w, text)
		}
	}

	if out := os.Getenv("NETMORTEM_DIFF_LAB_OUT"); out != "" {
		for _, p := range []string{before, after} {
			copyFile(t, p, filepath.Join(out, "lab-"+filepath.Base(p)))
		}
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
