package routes

import (
	"bufio"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/netmortem/netmortem/snapshots"
)

// TestIntegrationScale compares the engine on synth's 1M-route table with
// a live `ip route show` of the same table in a namespace ("rfscale"). It
// takes about a minute, so it runs only with NETMORTEM_SCALE=1.
func TestIntegrationScale(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	if os.Getenv("NETMORTEM_SCALE") == "" {
		t.Skip("set NETMORTEM_SCALE=1 to build a 1M-route namespace")
	}
	const ns = "rfscale"
	run := func(args ...string) {
		t.Helper()
		if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%q: %v\n%s", args, err, out)
		}
	}
	_ = exec.Command("ip", "netns", "del", ns).Run()
	run("ip", "netns", "add", ns)
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", ns).Run() })
	// synth's next hops use devices 2, 3 and 4: name them d2, d3, d4.
	// Their gateways must be unicast addresses for onlink next hops to be
	// accepted: give each device one of the gateways' subnets.
	for i, d := range []string{"d2", "d3", "d4"} {
		run("ip", "-n", ns, "link", "add", d, "type", "veth", "peer", "name", "p"+d[1:])
		run("ip", "-n", ns, "link", "set", d, "up")
		run("ip", "-n", ns, "link", "set", "p"+d[1:], "up")
		run("ip", "-n", ns, "addr", "add", []string{"192.0.2.10/24", "198.51.100.10/24", "203.0.113.10/24"}[i], "dev", d)
	}
	rs := big1M()
	batch := filepath.Join(t.TempDir(), "routes.batch")
	f, err := os.Create(batch)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	// Should synth ever repeat a prefix, the repeat gets a higher metric,
	// so that the namespace still holds every route.
	seen := make(map[netip.Prefix]uint32, len(rs))
	for i := range rs {
		r := &rs[i]
		k := seen[r.Dst]
		seen[r.Dst] = k + 1
		fmt.Fprintf(w, "route add %s proto bgp metric %d", r.Dst, r.Priority+k)
		if len(r.NextHops) == 1 {
			h := r.NextHops[0]
			fmt.Fprintf(w, " via %s dev d%d onlink\n", h.Gateway, h.OIF)
			continue
		}
		for _, h := range r.NextHops {
			fmt.Fprintf(w, " nexthop via %s dev d%d onlink", h.Gateway, h.OIF)
		}
		w.WriteString("\n")
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	start := time.Now()
	run("ip", "-n", ns, "-batch", batch)
	t.Logf("ip -batch of %d routes: %v", len(rs), time.Since(start))
	out, err := exec.Command("sh", "-c", "ip -n "+ns+" route show | wc -l").Output()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("routes in the namespace: %s", out)

	best := func(n int, fn func()) time.Duration {
		var b time.Duration
		for i := 0; i < n; i++ {
			s := time.Now()
			fn()
			if d := time.Since(s); i == 0 || d < b {
				b = d
			}
		}
		return b
	}
	ipShow := best(3, func() {
		cmd := exec.Command("ip", "-n", ns, "route", "show")
		cmd.Stdout = nil // /dev/null
		if err := cmd.Run(); err != nil {
			t.Fatal(err)
		}
	})
	links := []snapshots.Link{{Index: 2, Name: "d2"}, {Index: 3, Name: "d3"}, {Index: 4, Name: "d4"}}
	env := Env{Ifaces: NewLinkNames(links, nil)}
	for _, arg := range []string{"dst:20.0.0.0/8", "outif:d3"} {
		e, err := ParseAll([]string{arg}, env)
		if err != nil {
			t.Fatal(err)
		}
		var rows int
		d := best(5, func() { rows = len(Select(rs, false, e)) })
		ratio := float64(d) / float64(ipShow)
		t.Logf("-f %s: %d rows in %v; ip route show: %v; ratio %.4f", arg, rows, d, ipShow, ratio)
		if ratio > 0.1 {
			t.Errorf("-f %s takes %.3f × ip route show, goal ≤ 0.1", arg, ratio)
		}
	}
	d := best(3, func() { Select(rs, false, nil) })
	t.Logf("Select without filter: %v (%.4f × ip route show)", d, float64(d)/float64(ipShow))
}
