//go:build linux

package live

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/netmortem/netmortem/snapshots"
)

// lab builds testdata/lab's namespaces under a prefix unique to this test
// process and tears them down at the end.
func lab(t *testing.T, prefix string) (nsA, state string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to build network namespaces")
	}
	for _, tool := range []string{"ip", "ss", "socat", "dnsmasq", "smcrouted", "dhclient"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (.ci/run installs it)", tool)
		}
	}
	script, _ := filepath.Abs("../../testdata/lab/lab.sh")
	t.Cleanup(func() { exec.Command(script, "down", prefix).Run() })
	out, err := exec.Command(script, "up", prefix).CombinedOutput()
	if err != nil {
		t.Fatalf("lab up: %v\n%s", err, out)
	}
	return prefix + "a", "/run/netmortem-lab/" + prefix
}

func ipJSON(t *testing.T, ns string, args ...string) []map[string]any {
	t.Helper()
	out, err := exec.Command("ip", append([]string{"-n", ns, "-j"}, args...)...).Output()
	if err != nil {
		t.Fatalf("ip %v: %v", args, err)
	}
	var v []map[string]any
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("ip %v: %v\n%s", args, err, out)
	}
	return v
}

func str(m map[string]any, k string) string {
	if v, ok := m[k]; ok {
		return fmt.Sprint(v)
	}
	return ""
}

func setDiff(t *testing.T, what string, want, got map[string]bool) {
	t.Helper()
	var missing, extra []string
	for k := range want {
		if !got[k] {
			missing = append(missing, k)
		}
	}
	for k := range got {
		if !want[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 || len(extra) > 0 {
		t.Errorf("%s: missing from the snapshot %v; invented by the snapshot %v", what, missing, extra)
	}
	if len(want) == 0 {
		t.Errorf("%s: the reference is empty; the comparison proves nothing", what)
	}
}

func TestIntegrationCaptureLab(t *testing.T) {
	prefix := fmt.Sprintf("lc%d", os.Getpid()%100000)
	ns, state := lab(t, prefix)
	out := filepath.Join(t.TempDir(), "lab.nms")
	sum, err := Capture(context.Background(), Options{Output: out, NetNS: ns, LeaseFiles: []string{state + "/dhclient*.leases"}})
	if err != nil {
		t.Fatal(err)
	}
	r, err := snapshots.Open(out, snapshots.ReaderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	l, err := r.Load(0, 0, snapshots.NamespaceTables...)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("summary %+v", sum)
	for _, tb := range []snapshots.Table{snapshots.TableLinks, snapshots.TableAddrs, snapshots.TableRoutes,
		snapshots.TableRules, snapshots.TableNeigh, snapshots.TableInet, snapshots.TableUnix,
		snapshots.TableGroups, snapshots.TableMroute, snapshots.TableStats, snapshots.TableDHCP} {
		if st := l.Status[tb]; st.State == snapshots.StateUnavailable {
			t.Errorf("table %s unavailable: %s", tb, st.Reason)
		}
	}
	if n := r.Namespaces[0]; n.Name != ns || n.Inode == 0 {
		t.Errorf("namespace %+v", n)
	}
	ifname := map[int32]string{}
	for _, lk := range l.Links {
		ifname[lk.Index] = lk.Name
	}

	t.Run("links", func(t *testing.T) {
		want, got := map[string]bool{}, map[string]bool{}
		for _, m := range ipJSON(t, ns, "-s", "link") {
			want[fmt.Sprintf("%s mtu %v addr %s", str(m, "ifname"), m["mtu"], str(m, "address"))] = true
		}
		for _, lk := range l.Links {
			addr := ""
			if len(lk.HWAddr) > 0 {
				addr = netHW(lk.HWAddr)
			}
			got[fmt.Sprintf("%s mtu %d addr %s", lk.Name, lk.MTU, addr)] = true
			if !lk.Stats.Valid {
				t.Errorf("%s: no 64-bit counters", lk.Name)
			}
		}
		setDiff(t, "links", want, got)
	})

	t.Run("addrs", func(t *testing.T) {
		want, got := map[string]bool{}, map[string]bool{}
		for _, m := range ipJSON(t, ns, "addr") {
			infos, _ := m["addr_info"].([]any)
			for _, x := range infos {
				a := x.(map[string]any)
				label := str(a, "label")
				want[fmt.Sprintf("%s %s/%v %s", str(m, "ifname"), str(a, "local"), a["prefixlen"], label)] = true
			}
		}
		for _, a := range l.Addrs {
			got[fmt.Sprintf("%s %s/%d %s", ifname[a.Index], a.IP(), a.PrefixLen, a.Label)] = true
		}
		setDiff(t, "addresses", want, got)
	})

	t.Run("routes", func(t *testing.T) {
		want, got := map[string]bool{}, map[string]bool{}
		for _, fam := range []string{"-4", "-6"} {
			for _, m := range ipJSON(t, ns, fam, "route", "show", "table", "all") {
				table := str(m, "table")
				if table == "" {
					table = "main"
				}
				typ := str(m, "type")
				if typ == "" {
					typ = "unicast"
				}
				dst := str(m, "dst")
				want[fmt.Sprintf("%s %s %s", table, typ, dst)] = true
			}
		}
		tables := map[uint32]string{254: "main", 255: "local", 253: "default"}
		types := map[uint8]string{1: "unicast", 2: "local", 3: "broadcast", 4: "anycast", 5: "multicast", 6: "blackhole", 7: "unreachable", 8: "prohibit", 9: "throw"}
		for _, rt := range l.Routes {
			if rt.Cloned {
				continue
			}
			table := tables[rt.Table]
			if table == "" {
				table = fmt.Sprint(rt.Table)
			}
			dst := rt.Dst.String()
			if rt.Dst.Bits() == 0 {
				dst = "default"
			} else if rt.Dst.IsSingleIP() {
				dst = rt.Dst.Addr().String()
			}
			got[fmt.Sprintf("%s %s %s", table, types[rt.Type], dst)] = true
		}
		setDiff(t, "routes", want, got)
		var mp *snapshots.Route
		for i := range l.Routes {
			if l.Routes[i].Dst == netip.MustParsePrefix("10.50.0.0/16") {
				mp = &l.Routes[i]
			}
		}
		if mp == nil || len(mp.NextHops) != 2 || mp.NextHops[1].Weight != 2 {
			t.Errorf("multipath route: %+v", mp)
		}
	})

	t.Run("rules", func(t *testing.T) {
		found := false
		for _, ru := range l.Rules {
			if ru.Priority == 1000 && ru.Table == 100 && ru.Src == netip.MustParsePrefix("10.1.0.0/24") {
				found = true
			}
		}
		if !found {
			t.Errorf("rule 1000 from 10.1.0.0/24 lookup 100 missing: %+v", l.Rules)
		}
	})

	t.Run("neighbours", func(t *testing.T) {
		want, got := map[string]bool{}, map[string]bool{}
		for _, m := range ipJSON(t, ns, "neigh", "show", "nud", "all") {
			want[fmt.Sprintf("%s %s %s", str(m, "dev"), str(m, "dst"), str(m, "lladdr"))] = true
		}
		for _, n := range l.Neighbours {
			if n.Proxy {
				continue
			}
			ll := ""
			if len(n.LLAddr) > 0 {
				ll = netHW(n.LLAddr)
			}
			got[fmt.Sprintf("%s %s %s", ifname[n.Index], n.Addr, ll)] = true
		}
		setDiff(t, "neighbours", want, got)
	})

	t.Run("sockets", func(t *testing.T) {
		out, err := exec.Command("ip", "netns", "exec", ns, "ss", "-Htuan").Output()
		if err != nil {
			t.Fatal(err)
		}
		want, got := map[string]bool{}, map[string]bool{}
		ssState := map[string]uint8{"ESTAB": 1, "SYN-SENT": 2, "SYN-RECV": 3, "FIN-WAIT-1": 4, "FIN-WAIT-2": 5,
			"TIME-WAIT": 6, "UNCONN": 7, "CLOSE-WAIT": 8, "LAST-ACK": 9, "LISTEN": 10, "CLOSING": 11}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			f := strings.Fields(line)
			if len(f) < 6 {
				continue
			}
			want[fmt.Sprintf("%s %d %s %s", f[0], ssState[f[1]], norm(f[4]), norm(f[5]))] = true
		}
		for _, s := range l.InetSockets {
			p := map[uint16]string{snapshots.ProtoTCP: "tcp", snapshots.ProtoUDP: "udp"}[s.Proto]
			if p == "" {
				continue
			}
			got[fmt.Sprintf("%s %d %s %s", p, s.State, apStr(s.Local), apStr(s.Remote))] = true
		}
		setDiff(t, "tcp and udp sockets", want, got)
		var listen, closeWait, timeWait bool
		for _, s := range l.InetSockets {
			switch {
			case s.State == 10 && s.Local.Port() == 8080:
				listen = len(s.TCPInfo) > 0
			case s.State == 8:
				closeWait = true
			case s.State == 6:
				timeWait = true
			}
		}
		if !listen || !closeWait || !timeWait {
			t.Errorf("listener %v close-wait %v time-wait %v", listen, closeWait, timeWait)
		}
		var abstract, path bool
		for _, u := range l.UnixSockets {
			abstract = abstract || strings.HasPrefix(u.Name, "\x00netmortem-lab-")
			path = path || u.Name == state+"/unix.sock"
		}
		if !abstract || !path {
			t.Errorf("unix sockets: abstract %v path %v", abstract, path)
		}
		owned := 0
		for _, o := range l.Owners {
			if o.Command == "socat" {
				owned++
			}
		}
		if owned == 0 {
			t.Error("no socket owned by socat")
		}
	})

	t.Run("multicast", func(t *testing.T) {
		var asm, ssm, v6 bool
		for _, g := range l.Groups {
			switch g.Group.String() {
			case "239.1.1.1":
				asm = true
			case "232.1.1.1":
				ssm = len(g.Sources) == 1 && g.Sources[0].Addr.String() == "10.1.0.2" && g.Mode == snapshots.FilterInclude
			case "ff15::1234":
				v6 = true
			}
		}
		if !asm || !ssm || !v6 {
			t.Errorf("memberships: any-source %v source-specific %v v6 %v: %+v", asm, ssm, v6, l.Groups)
		}
		out, _ := exec.Command("ip", "-n", ns, "mroute", "show").Output()
		if strings.Contains(string(out), "239.2.2.2") {
			found := false
			for _, e := range l.MFC {
				if e.Group.String() == "239.2.2.2" && e.Source.String() == "10.1.0.2" && ifname[e.IIF] == "a0" &&
					len(e.Oifs) == 1 && ifname[e.Oifs[0].IfIndex] == "a1" {
					found = true
				}
			}
			if !found {
				t.Errorf("mroute (10.1.0.2, 239.2.2.2) a0 → a1 missing: %+v", l.MFC)
			}
		} else {
			t.Log("smcroute did not install its route in time; mroute not compared")
		}
	})

	t.Run("stats", func(t *testing.T) {
		var tcp, ext bool
		for _, cs := range l.Counters {
			if cs.Source == "snmp" && cs.Group == "Tcp" {
				if c, ok := cs.Find("MaxConn"); ok && c.Signed && int64(c.Value) == -1 {
					tcp = true
				}
			}
			ext = ext || (cs.Source == "netstat" && cs.Group == "TcpExt" && len(cs.Counters) > 50)
		}
		if !tcp || !ext {
			t.Errorf("counters: Tcp MaxConn %v TcpExt %v", tcp, ext)
		}
	})

	t.Run("dhcp", func(t *testing.T) {
		b, err := os.ReadFile(state + "/dhclient.a0.leases")
		if err != nil {
			t.Fatal(err)
		}
		var addr string
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), "fixed-address "); ok {
				addr = strings.TrimSuffix(v, ";")
			}
		}
		if len(l.Leases) != 1 || l.Leases[0].Address.String() != addr || l.Leases[0].Interface != "a0" ||
			l.Leases[0].Server.String() != "10.1.0.2" || l.Leases[0].Expire.IsZero() {
			t.Errorf("lease %s: %+v", addr, l.Leases)
		}
	})
}

func netHW(b []byte) string {
	var s []string
	for _, c := range b {
		s = append(s, fmt.Sprintf("%02x", c))
	}
	return strings.Join(s, ":")
}

// norm turns ss's "addr:port" forms into netip.AddrPort text.
func norm(s string) string {
	s = strings.ReplaceAll(s, "*", "0.0.0.0")
	i := strings.LastIndexByte(s, ':')
	host, port := s[:i], s[i+1:]
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if j := strings.IndexByte(host, '%'); j >= 0 {
		host = host[:j]
	}
	if port == "0.0.0.0" {
		port = "0"
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return s
	}
	if a.IsUnspecified() {
		return "*:" + port // ss prints * for both families' wildcards
	}
	return a.Unmap().String() + ":" + port
}

func apStr(ap netip.AddrPort) string {
	a := ap.Addr()
	if !a.IsValid() || a.IsUnspecified() {
		return "*:" + fmt.Sprint(ap.Port())
	}
	return a.Unmap().String() + ":" + fmt.Sprint(ap.Port())
}
