//go:build linux

package solaris

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/netmortem/netmortem/analyze/stats"
	"github.com/netmortem/netmortem/capture/live"
	"github.com/netmortem/netmortem/capture/procnet"
	"github.com/netmortem/netmortem/snapshots"
)

// TestIntegrationF5Forms builds the lab, captures its namespace A with
// the live capture, and checks the -s, -g, -p, -M and -D displays of the
// snapshot against what the kernel and the DHCP client say: -s values lie
// between the namespace's /proc/net/snmp and netstat read just before and
// just after the capture, -g lists every membership of /proc/net/igmp,
// igmp6 and mcfilter, -p every `ip neigh` entry, -M every `ip mroute`
// entry, -D the lease dhclient obtained from dnsmasq.
func TestIntegrationF5Forms(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root (network namespaces)")
	}
	if testing.Short() {
		t.Skip("builds a lab")
	}
	lab, err := filepath.Abs("../../testdata/lab/lab.sh")
	if err != nil {
		t.Fatal(err)
	}
	prefix := fmt.Sprintf("f5i%d", os.Getpid()%100000)
	ns := prefix + "a"
	t.Cleanup(func() { exec.Command(lab, "down", prefix).Run() })
	if out, err := exec.Command(lab, "up", prefix).CombinedOutput(); err != nil {
		t.Fatalf("lab.sh up: %v\n%s", err, out)
	}
	state := "/run/netmortem-lab/" + prefix

	proc := func(file string) []byte {
		out, err := exec.Command("ip", "netns", "exec", ns, "cat", "/proc/net/"+file).Output()
		if err != nil {
			t.Fatalf("reading %s: %v", file, err)
		}
		return out
	}
	counters := func() map[stats.Key]snapshots.Counter {
		m := map[stats.Key]snapshots.Counter{}
		a, err := procnet.ParseSNMP(bytes.NewReader(proc("snmp")))
		if err != nil {
			t.Fatal(err)
		}
		b, err := procnet.ParseNetstat(bytes.NewReader(proc("netstat")))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range append(a, b...) {
			for _, c := range s.Counters {
				m[stats.Key{Source: s.Source, Group: s.Group, Name: c.Name}] = c
			}
		}
		return m
	}

	before := counters()
	path := filepath.Join(t.TempDir(), "lab.nms")
	if _, err := live.Capture(context.Background(), live.Options{Output: path, NetNS: ns,
		LeaseFiles: []string{state + "/dhclient*.leases"}}); err != nil {
		t.Fatal(err)
	}
	after := counters()
	r := f5Open(t, path)

	t.Run("statistics", func(t *testing.T) {
		out, err := f5Run(r, "text", "-s")
		if err != nil {
			t.Fatal(err)
		}
		shown := f5ParseStats(out)
		// -f inet shows UDP without the IPv6 counters Solaris's UDP
		// section adds to IPv4's.
		out4, err := f5Run(r, "text", "-s", "-f", "inet")
		if err != nil {
			t.Fatal(err)
		}
		shown4 := f5ParseStats(out4)
		// Where each counter of snmp and netstat is printed: as the
		// Solaris variable that reads it alone (with -f inet for the UDP
		// sums), or under its own name.
		where := map[stats.Key][2]string{}
		inet := map[stats.Key]bool{}
		for _, s := range stats.Sections() {
			for _, b := range s.Blocks {
				for _, v := range b {
					for _, r := range v.From {
						if len(v.From) == 1 || r.Family == snapshots.AFInet {
							where[r.Key] = [2]string{s.Title, v.Name}
							inet[r.Key] = len(v.From) > 1
						}
					}
				}
			}
		}
		checked := 0
		for k, b := range before {
			a, ok := after[k]
			if !ok {
				continue
			}
			at, ok := where[k]
			if !ok {
				at = [2]string{k.Group, k.Name}
			}
			s, ok := shown[at]
			if inet[k] {
				s, ok = shown4[at]
			}
			if !ok {
				t.Errorf("%s (%s %s) not shown", k, at[0], at[1])
				continue
			}
			v, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				u, err2 := strconv.ParseUint(s, 10, 64)
				if err2 != nil {
					t.Errorf("%s shown as %q", k, s)
					continue
				}
				v = int64(u)
			}
			lo, hi := b.Int(), a.Int()
			if lo > hi {
				lo, hi = hi, lo
			}
			if v < lo || v > hi {
				t.Errorf("%s shown as %d, the kernel had %d before the capture and %d after", k, v, b.Int(), a.Int())
			}
			checked++
		}
		if checked < 200 {
			t.Errorf("only %d counters checked", checked)
		}
	})

	t.Run("groups", func(t *testing.T) {
		out, err := f5Run(r, "text", "-gnv")
		if err != nil {
			t.Fatal(err)
		}
		g4, _, err := procnet.ParseIGMP(bytes.NewReader(proc("igmp")), binary.NativeEndian)
		if err != nil {
			t.Fatal(err)
		}
		g6, err := procnet.ParseIGMP6(bytes.NewReader(proc("igmp6")))
		if err != nil {
			t.Fatal(err)
		}
		f4, err := procnet.ParseMcFilter(bytes.NewReader(proc("mcfilter")))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range append(g4, g6...) {
			w := 9
			if m.Group.Is6() {
				w = 5
			}
			re := "(?m)^" + regexp.QuoteMeta(padOut(m.IfName, w)) + " " + regexp.QuoteMeta(m.Group.String()) + " +" + strconv.Itoa(int(m.Users)) + "$"
			if !regexp.MustCompile(re).MatchString(out) {
				t.Errorf("membership %s %s users %d not listed", m.IfName, m.Group, m.Users)
			}
		}
		if len(f4) == 0 {
			t.Error("the lab's source-specific join is not in mcfilter")
		}
		for _, f := range f4 {
			re := regexp.QuoteMeta(" "+f.Group.String()+" ") + `[^\n]*\n(\t[^\n]*\n)*\t(INCLUDE:    |EXCLUDE:    |            )` + regexp.QuoteMeta(f.Source.Addr.String()) + "\n"
			if !regexp.MustCompile(re).MatchString(out) {
				t.Errorf("source %s of %s not listed", f.Source.Addr, f.Group)
			}
		}
	})

	t.Run("net to media", func(t *testing.T) {
		out, err := f5Run(r, "text", "-pn")
		if err != nil {
			t.Fatal(err)
		}
		var ns4, ns6 []map[string]any
		for _, args := range [][]string{{"-j", "neigh", "show"}, {"-j", "neigh", "show", "proxy"}} {
			b, err := exec.Command("ip", append([]string{"-n", ns}, args...)...).Output()
			if err != nil {
				t.Fatal(err)
			}
			var es []map[string]any
			if err := json.Unmarshal(b, &es); err != nil {
				t.Fatal(err)
			}
			for _, e := range es {
				if strings.Contains(e["dst"].(string), ":") {
					ns6 = append(ns6, e)
				} else {
					ns4 = append(ns4, e)
				}
			}
		}
		if len(ns4) < 3 || len(ns6) < 1 {
			t.Fatalf("ip neigh: %d IPv4, %d IPv6 entries", len(ns4), len(ns6))
		}
		for _, e := range ns4 {
			re := "(?m)^" + regexp.QuoteMeta(padOut(e["dev"].(string), 6)+" "+padOut(e["dst"].(string), 20)) + " 255\\.255\\.255\\.255 [SPUMo]* +"
			if ll, ok := e["lladdr"].(string); ok {
				re += regexp.QuoteMeta(ll)
			}
			if !regexp.MustCompile(re).MatchString(out) {
				t.Errorf("ARP entry %v not listed", e)
			}
		}
		for _, e := range ns6 {
			ll, _ := e["lladdr"].(string)
			re := "(?m)^" + regexp.QuoteMeta(padOut(e["dev"].(string), 5)) + " " + regexp.QuoteMeta(ll) + " +[a-z]+ +[A-Z]+ +" + regexp.QuoteMeta(e["dst"].(string)) + " *$"
			if ll == "" {
				re = "(?m)^" + regexp.QuoteMeta(padOut(e["dev"].(string), 5)) + " .* " + regexp.QuoteMeta(e["dst"].(string)) + " *$"
			}
			if !regexp.MustCompile(re).MatchString(out) {
				t.Errorf("neighbour %v not listed", e)
			}
		}
	})

	t.Run("multicast routing", func(t *testing.T) {
		out, err := f5Run(r, "text", "-Mn")
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, fam := range []string{"-4", "-6"} {
			b, err := exec.Command("ip", "-n", ns, fam, "-j", "mroute", "show").Output()
			if err != nil {
				t.Fatal(err)
			}
			var es []struct{ Src, Dst, Iif string }
			if len(bytes.TrimSpace(b)) > 0 {
				if err := json.Unmarshal(b, &es); err != nil {
					t.Fatal(err)
				}
			}
			for _, e := range es {
				n++
				if !regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(e.Src) + ` +` + regexp.QuoteMeta(e.Dst) + ` `).MatchString(out) {
					t.Errorf("mroute (%s, %s) not listed", e.Src, e.Dst)
				}
			}
		}
		if n == 0 {
			t.Error("ip mroute shows nothing: smcroute did not install the lab's route")
		}
	})

	t.Run("dhcp", func(t *testing.T) {
		out, err := f5Run(r, "text", "-D")
		if err != nil {
			t.Fatal(err)
		}
		lf, err := os.ReadFile(state + "/dhclient.a0.leases")
		if err != nil {
			t.Fatal(err)
		}
		// The last lease block is the current one; its expire is UTC.
		var expire, addr string
		sc := bufio.NewScanner(bytes.NewReader(lf))
		for sc.Scan() {
			f := strings.Fields(strings.TrimSuffix(strings.TrimSpace(sc.Text()), ";"))
			switch {
			case len(f) == 4 && f[0] == "expire":
				expire = f[2] + " " + f[3]
			case len(f) == 2 && f[0] == "fixed-address":
				addr = f[1]
			}
		}
		exp, err := time.Parse("2006/01/02 15:04:05", expire)
		if err != nil {
			t.Fatalf("lease file expire %q: %v", expire, err)
		}
		if !regexp.MustCompile(`(?m)^a0         (BOUND|RENEWING|REBINDING) +- +- +- +\[PRIMARY\] $`).MatchString(out) {
			t.Errorf("no a0 status line:\n%s", out)
		}
		if !strings.Contains(out, ", "+exp.Format("01/02/2006 15:04")+", ") {
			t.Errorf("lease expiry %s not shown:\n%s", exp, out)
		}
		js, err := f5Run(r, "json", "-D")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(js, `"address": "`+addr+`"`) {
			t.Errorf("lease address %s not in the records:\n%s", addr, js)
		}
	})
}

func padOut(s string, w int) string {
	for len(s) < w {
		s += " "
	}
	return s
}

// f5ParseStats reads "-s" text into (section title, name) → value.
func f5ParseStats(out string) map[[2]string]string {
	m := map[[2]string]string{}
	pair := regexp.MustCompile(`\t(\S+?)\s*=\s*(-?[0-9]+\*?|-)`)
	title := ""
	for _, l := range strings.Split(out, "\n") {
		if l == "" {
			continue
		}
		if l[0] != '\t' {
			title, _, _ = strings.Cut(l, "\t")
			l = strings.TrimPrefix(l, title)
		}
		for _, p := range pair.FindAllStringSubmatch(l, -1) {
			m[[2]string{title, p[1]}] = p[2]
		}
	}
	return m
}
