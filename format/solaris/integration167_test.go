package solaris

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// TestIntegrationForms167 builds a lab (testdata/lab/lab.sh), captures its
// namespace with the real binary, replays netstat -an, -ranv and -in on
// the capture, and compares the rows with ss -tan, ip route show table all
// and ip -s link run around the capture: every socket, route and interface
// is present, none is invented. Sockets and counters may move while the
// capture runs, so what the replay shows must lie between what the tools
// saw before and after it.
func TestIntegrationForms167(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root (network namespaces)")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	labSh := filepath.Join(root, "testdata", "lab", "lab.sh")
	prefix := fmt.Sprintf("i%d", os.Getpid()%100000)
	ns := prefix + "a"
	run := func(name string, args ...string) []byte {
		t.Helper()
		cmd := exec.Command(name, args...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s %q: %v\n%s", name, args, err, stderr.Bytes())
		}
		return out
	}
	t.Cleanup(func() { exec.Command(labSh, "down", prefix).Run() })
	run(labSh, "up", prefix)

	bin := filepath.Join(t.TempDir(), "netmortem")
	gocmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-o", bin, "./cmd/netmortem")
	gocmd.Dir = root
	if out, err := gocmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	snap := filepath.Join(t.TempDir(), "lab.nms")

	ssBefore := ssTCP(t, run("ip", "netns", "exec", ns, "ss", "-tanH"))
	linkBefore := ipLinks(t, run("ip", "-n", ns, "-j", "-s", "link"))
	run(bin, "capture", "--quiet", "--netns", ns, "-o", snap)
	ssAfter := ssTCP(t, run("ip", "netns", "exec", ns, "ss", "-tanH"))
	linkAfter := ipLinks(t, run("ip", "-n", ns, "-j", "-s", "link"))
	routes := ipRoutes(t, run("ip", "-n", ns, "-4", "-j", "route", "show", "table", "all"), "inet")
	for k := range ipRoutes(t, run("ip", "-n", ns, "-6", "-j", "route", "show", "table", "all"), "inet6") {
		routes[k] = true
	}
	// Route-cache exceptions show with -a (flag A); ip lists them apart.
	for fam, opt := range map[string]string{"inet": "-4", "inet6": "-6"} {
		for k := range ipRoutes(t, run("ip", "-n", ns, opt, "-j", "route", "show", "cache"), fam) {
			routes[k] = true
		}
	}

	replay := func(output string, args ...string) []byte {
		return run(bin, append([]string{"--output", output, "netstat"}, append(args, snap)...)...)
	}
	// record decodes the display called form of a JSON replay into v.
	record := func(form string, v any, args ...string) {
		t.Helper()
		var doc map[string]json.RawMessage
		if err := json.Unmarshal(replay("json", args...), &doc); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(doc[form], v); err != nil {
			t.Fatalf("%s: %v", form, err)
		}
	}

	t.Run("sockets", func(t *testing.T) {
		var secs []struct {
			Title string
			Rows  []InetSocketRecord
		}
		record("sockets", &secs, "-an", "-P", "tcp")
		got := map[string]bool{}
		for _, s := range secs {
			for _, r := range s.Rows {
				got[sockKey(r.LocalAddress, r.LocalPort, r.RemoteAddress, r.RemotePort, r.State)] = true
			}
		}
		within(t, "TCP sockets", got, ssBefore, ssAfter)
		t.Logf("%d TCP sockets, ss saw %d and %d", len(got), len(ssBefore), len(ssAfter))
		if len(got) < 5 {
			t.Errorf("only %d TCP sockets: the lab has listeners and connections in four states", len(got))
		}
		text := string(replay("text", "-an", "-P", "tcp", "-f", "inet"))
		text6 := string(replay("text", "-an", "-P", "tcp", "-f", "inet6"))
		if n := dataLines(text) + dataLines(text6); n != len(got) {
			t.Errorf("text shows %d TCP rows, records %d", n, len(got))
		}
	})

	t.Run("routes", func(t *testing.T) {
		var rec RoutesRecord
		record("routes", &rec, "-ranv")
		got := map[string]bool{}
		for _, r := range rec.Routes {
			got[routeKey(r.Family, r.Destination.String(), r.Gateway, r.Device, strconv.FormatUint(uint64(r.Table), 10))] = true
		}
		within(t, "routes", got, routes, routes)
		t.Logf("%d route rows, ip shows %d", len(got), len(routes))
		text := string(replay("text", "-ranv"))
		if n := strings.Count(text, "\n"); n < len(rec.Routes)*2 {
			t.Errorf("text -ranv has %d lines for %d rows (shown twice: Solaris and Linux tables)", n, len(rec.Routes))
		}
	})

	t.Run("interfaces", func(t *testing.T) {
		var rows []InterfaceRecord
		record("interfaces", &rows, "-in")
		seen := map[string]bool{}
		for _, r := range rows {
			b, ok := linkBefore[r.Device]
			a := linkAfter[r.Device]
			if !ok {
				t.Errorf("interface %s is not in ip -s link", r.Device)
				continue
			}
			seen[r.Device] = true
			if r.Ipkts == nil || r.Opkts == nil || r.Ierrs == nil || r.Oerrs == nil || r.Collis == nil {
				t.Errorf("%s: counters missing", r.Device)
				continue
			}
			for i, v := range []uint64{*r.Ipkts, *r.Ierrs, *r.Opkts, *r.Oerrs, *r.Collis} {
				if v < b[i] || v > a[i] {
					t.Errorf("%s counter %d = %d, outside [%d, %d] of ip -s link", r.Device, i, v, b[i], a[i])
				}
			}
		}
		t.Logf("%d interface lines for %d links", len(rows), len(linkAfter))
		for name := range linkAfter {
			if _, ok := linkBefore[name]; ok && !seen[name] {
				t.Errorf("interface %s of ip -s link is missing", name)
			}
		}
		text := string(replay("text", "-in"))
		for name := range seen {
			if !strings.Contains(text, "\n"+name+" ") {
				t.Errorf("text -in has no line for %s", name)
			}
		}
	})
}

// dataLines counts the rows of a socket display: lines that are not
// titles, headers, dashes or blank.
func dataLines(s string) int {
	n := 0
	for _, l := range strings.Split(s, "\n") {
		if l == "" || strings.HasPrefix(l, "---") || strings.HasPrefix(l, "   Local") || strings.HasSuffix(l, ": IPv4") || strings.HasSuffix(l, ": IPv6") {
			continue
		}
		n++
	}
	return n
}

// within checks that got holds everything in both before and after, and
// nothing that is in neither.
func within(t *testing.T, what string, got, before, after map[string]bool) {
	t.Helper()
	var missing, invented []string
	for k := range before {
		if after[k] && !got[k] {
			missing = append(missing, k)
		}
	}
	for k := range got {
		if !before[k] && !after[k] {
			invented = append(invented, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(invented)
	for _, k := range missing {
		t.Errorf("%s: missing %s", what, k)
	}
	for _, k := range invented {
		t.Errorf("%s: invented %s", what, k)
	}
	if len(before) == 0 {
		t.Errorf("%s: the reference is empty; the comparison proves nothing", what)
	}
}

func sockKey(la netip.Addr, lp uint16, ra netip.Addr, rp uint16, state string) string {
	return netip.AddrPortFrom(la.Unmap(), lp).String() + " " + netip.AddrPortFrom(ra.Unmap(), rp).String() + " " + state
}

// ssStates maps ss's state names to the Solaris ones the replay prints.
var ssStates = map[string]string{
	"ESTAB": "ESTABLISHED", "SYN-SENT": "SYN_SENT", "SYN-RECV": "SYN_RCVD", "FIN-WAIT-1": "FIN_WAIT_1",
	"FIN-WAIT-2": "FIN_WAIT_2", "TIME-WAIT": "TIME_WAIT", "UNCONN": "CLOSED", "CLOSE-WAIT": "CLOSE_WAIT",
	"LAST-ACK": "LAST_ACK", "LISTEN": "LISTEN", "CLOSING": "CLOSING",
}

// ssTCP parses ss -tanH: state, queues, local and peer address:port.
func ssTCP(t *testing.T, out []byte) map[string]bool {
	t.Helper()
	m := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(l)
		if len(f) < 5 {
			continue
		}
		st, ok := ssStates[f[0]]
		if !ok {
			t.Fatalf("ss state %q", f[0])
		}
		la, lp := ssAddr(t, f[3])
		ra, rp := ssAddr(t, f[4])
		m[sockKey(la, lp, ra, rp, st)] = true
	}
	return m
}

func ssAddr(t *testing.T, s string) (netip.Addr, uint16) {
	t.Helper()
	i := strings.LastIndexByte(s, ':')
	host, port := strings.Trim(s[:i], "[]"), s[i+1:]
	if j := strings.IndexByte(host, '%'); j >= 0 {
		host = host[:j]
	}
	var a netip.Addr
	if host == "*" {
		a = netip.IPv6Unspecified()
	} else {
		var err error
		if a, err = netip.ParseAddr(host); err != nil {
			t.Fatalf("ss address %q: %v", s, err)
		}
	}
	p := 0
	if port != "*" {
		p, _ = strconv.Atoi(port)
	}
	return a.Unmap(), uint16(p)
}

func routeKey(fam, dst string, gw netip.Addr, dev, table string) string {
	g := "-"
	if gw.IsValid() && !gw.IsUnspecified() {
		g = gw.String()
	}
	return fam + " " + dst + " via " + g + " dev " + dev + " table " + table
}

// ipRoutes parses ip -j route show: one key per next hop, destinations as
// prefixes, table names as ids.
func ipRoutes(t *testing.T, out []byte, fam string) map[string]bool {
	t.Helper()
	type hop struct {
		Gateway string `json:"gateway"`
		Dev     string `json:"dev"`
	}
	var rs []struct {
		Dst      string `json:"dst"`
		Gateway  string `json:"gateway"`
		Dev      string `json:"dev"`
		Table    string `json:"table"`
		Nexthops []hop  `json:"nexthops"`
	}
	if len(bytes.TrimSpace(out)) == 0 {
		return map[string]bool{}
	}
	if err := json.Unmarshal(out, &rs); err != nil {
		t.Fatalf("ip route: %v", err)
	}
	tables := map[string]string{"": "254", "main": "254", "local": "255", "default": "253"}
	m := map[string]bool{}
	for _, r := range rs {
		dst := r.Dst
		switch {
		case dst == "default" && fam == "inet":
			dst = "0.0.0.0/0"
		case dst == "default":
			dst = "::/0"
		case !strings.Contains(dst, "/") && fam == "inet":
			dst += "/32"
		case !strings.Contains(dst, "/"):
			dst += "/128"
		}
		table, ok := tables[r.Table]
		if !ok {
			table = r.Table
		}
		hops := r.Nexthops
		if len(hops) == 0 {
			hops = []hop{{r.Gateway, r.Dev}}
		}
		for _, h := range hops {
			var gw netip.Addr
			if h.Gateway != "" {
				gw = netip.MustParseAddr(h.Gateway)
			}
			m[routeKey(fam, dst, gw, h.Dev, table)] = true
		}
	}
	return m
}

// ipLinks parses ip -j -s link: per name, rx packets and errors, tx
// packets and errors, collisions.
func ipLinks(t *testing.T, out []byte) map[string][5]uint64 {
	t.Helper()
	var ls []struct {
		Name  string `json:"ifname"`
		Stats struct {
			RX struct{ Packets, Errors uint64 } `json:"rx"`
			TX struct {
				Packets, Errors, Collisions uint64
			} `json:"tx"`
		} `json:"stats64"`
	}
	if err := json.Unmarshal(out, &ls); err != nil {
		t.Fatalf("ip link: %v", err)
	}
	m := map[string][5]uint64{}
	for _, l := range ls {
		s := l.Stats
		m[l.Name] = [5]uint64{s.RX.Packets, s.RX.Errors, s.TX.Packets, s.TX.Errors, s.TX.Collisions}
	}
	return m
}
