//go:build linux

package procnet

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/netmortem/netmortem/snapshots"
)

// TestIntegrationLab builds a lab, parses the live /proc files of its
// namespace A and compares them with what ss and ip -j report for the same
// namespace.
func TestIntegrationLab(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root (network namespaces)")
	}
	if testing.Short() {
		t.Skip("builds a lab (-short)")
	}
	for _, tool := range []string{"ip", "ss", "socat", "dnsmasq", "smcrouted", "dhclient", "ping"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	lab := "../../testdata/lab/lab.sh"
	prefix := fmt.Sprintf("pni%d", os.Getpid()%100000)
	ns := prefix + "a"
	t.Cleanup(func() {
		if out, err := exec.Command(lab, "down", prefix).CombinedOutput(); err != nil {
			t.Errorf("lab down: %v\n%s", err, out)
		}
	})
	if out, err := exec.Command(lab, "up", prefix).CombinedOutput(); err != nil {
		t.Fatalf("lab up: %v\n%s", err, out)
	}
	pids := strings.Fields(run(t, "ip", "netns", "pids", ns))
	if len(pids) == 0 {
		t.Fatal("no process in the lab namespace")
	}
	// /proc/PID/net is the namespace of that process's thread-group leader.
	read := func(name string) []byte {
		t.Helper()
		b, err := os.ReadFile("/proc/" + pids[0] + "/net/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	var links []struct {
		Index int32  `json:"ifindex"`
		Name  string `json:"ifname"`
	}
	ipJSON(t, &links, "-n", ns, "link", "show")
	ifindex := map[string]int32{}
	for _, l := range links {
		ifindex[l.Name] = l.Index
	}
	order := binary.NativeEndian // a live capture: this host's byte order
	const ticks = 100            // USER_HZ on every mainstream Linux arch

	t.Run("sockets", func(t *testing.T) {
		// Sockets come and go (TIME_WAIT expires): retry a few times.
		var err error
		for try := 0; try < 4; try++ {
			if err = compareSockets(t, read, ns, order, ticks); err == nil {
				return
			}
			time.Sleep(300 * time.Millisecond)
		}
		t.Error(err)
	})

	t.Run("unix", func(t *testing.T) {
		socks, err := ParseUnix(bytes.NewReader(read("unix")))
		if err != nil {
			t.Fatal(err)
		}
		byInode := map[uint64]snapshots.UnixSocket{}
		for _, s := range socks {
			byInode[s.Inode] = s
		}
		lines := nonEmptyLines(run(t, "ip", "netns", "exec", ns, "ss", "-H", "-xan"))
		if len(lines) != len(socks) {
			t.Errorf("ss lists %d unix sockets, /proc %d", len(lines), len(socks))
		}
		types := map[string]uint8{"u_str": 1, "u_dgr": 2, "u_seq": 5}
		for _, line := range lines {
			f := strings.Fields(line)
			if len(f) < 8 {
				t.Fatalf("ss line %q", line)
			}
			ino, _ := strconv.ParseUint(f[5], 10, 64)
			s, ok := byInode[ino]
			if !ok {
				t.Errorf("inode %d of ss missing: %s", ino, line)
				continue
			}
			name := strings.ReplaceAll(s.Name, "\x00", "@")
			if name == "" {
				name = "*"
			}
			if s.Type != types[f[0]] || (f[1] == "LISTEN") != (s.State == tcpListen) || name != f[4] {
				t.Errorf("inode %d: ss %q, /proc %+v", ino, line, s)
			}
		}
	})

	t.Run("routes", func(t *testing.T) {
		rts, err := ParseRoute(bytes.NewReader(read("route")), order, ifindex)
		if err != nil {
			t.Fatal(err)
		}
		var ip []ipRoute
		ipJSON(t, &ip, "-n", ns, "-4", "route", "show", "table", "main")
		if len(ip) != len(rts) {
			t.Errorf("ip shows %d main routes, /proc %d", len(ip), len(rts))
		}
		want := map[netip.Prefix]ipRoute{}
		for _, r := range ip {
			want[r.prefix(t)] = r
		}
		for _, r := range rts {
			w, ok := want[r.Dst]
			if !ok {
				t.Errorf("%s not in ip route", r.Dst)
				continue
			}
			gw, dev := w.Gateway, w.Dev
			if len(w.Nexthops) > 0 {
				gw, dev = w.Nexthops[0].Gateway, w.Nexthops[0].Dev // /proc shows the first hop
			}
			var got netip.Addr
			var oif int32
			if len(r.NextHops) > 0 {
				got, oif = r.NextHops[0].Gateway, r.NextHops[0].OIF
			}
			typ := w.rtnType()
			if w.Type == "prohibit" {
				typ = rtnUnreachable // the same RTF_REJECT in /proc/net/route
			}
			if gw != got || ifindex[dev] != oif || r.Priority != w.Metric || r.Type != typ {
				t.Errorf("%s: ip %+v, /proc %+v", r.Dst, w, r)
			}
		}
	})

	t.Run("fib_trie", func(t *testing.T) {
		rts, err := ParseFibTrie(bytes.NewReader(read("fib_trie")))
		if err != nil {
			t.Fatal(err)
		}
		var ip []ipRoute
		ipJSON(t, &ip, "-n", ns, "-4", "route", "show", "table", "all")
		var want, got []string
		for _, r := range ip {
			if r.Type == "multicast" { // the multicast routing table, not in the trie
				continue
			}
			want = append(want, fmt.Sprintf("%d %s %d", r.table(t), r.prefix(t), r.rtnType()))
		}
		for _, r := range rts {
			got = append(got, fmt.Sprintf("%d %s %d", r.Table, r.Dst, r.Type))
		}
		sort.Strings(want)
		sort.Strings(got)
		if d := cmpDiff(want, got); d != "" {
			t.Errorf("ip route show table all vs fib_trie (-ip +fib_trie):\n%s", d)
		}
	})

	t.Run("ipv6", func(t *testing.T) {
		addrs, err := ParseIfInet6(bytes.NewReader(read("if_inet6")))
		if err != nil {
			t.Fatal(err)
		}
		var ip []struct {
			Index int32 `json:"ifindex"`
			Info  []struct {
				Local     netip.Addr `json:"local"`
				PrefixLen uint8      `json:"prefixlen"`
				Scope     string     `json:"scope"`
			} `json:"addr_info"`
		}
		ipJSON(t, &ip, "-n", ns, "-6", "addr", "show")
		scopes := map[string]uint8{"global": scopeUniverse, "link": scopeLink, "host": scopeHost, "site": scopeSite}
		var want, got []string
		for _, l := range ip {
			for _, a := range l.Info {
				want = append(want, fmt.Sprintf("%d %s/%d %d", l.Index, a.Local, a.PrefixLen, scopes[a.Scope]))
			}
		}
		for _, a := range addrs {
			got = append(got, fmt.Sprintf("%d %s/%d %d", a.Index, a.Address, a.PrefixLen, a.Scope))
		}
		sort.Strings(want)
		sort.Strings(got)
		if d := cmpDiff(want, got); d != "" {
			t.Errorf("(-ip +if_inet6):\n%s", d)
		}
		rts, err := ParseIPv6Route(bytes.NewReader(read("ipv6_route")), ifindex)
		if err != nil {
			t.Fatal(err)
		}
		var main []ipRoute
		ipJSON(t, &main, "-n", ns, "-6", "route", "show", "table", "main")
		for _, w := range main {
			found := false
			for _, r := range rts {
				if r.Dst == w.prefix(t) && r.NextHops[0].Gateway == w.Gateway && r.NextHops[0].OIF == ifindex[w.Dev] {
					found = true
				}
			}
			if !found {
				t.Errorf("ip -6 route %+v not in ipv6_route", w)
			}
		}
	})

	t.Run("neighbours", func(t *testing.T) {
		ns4, err := ParseARP(bytes.NewReader(read("arp")), ifindex)
		if err != nil {
			t.Fatal(err)
		}
		var ip []struct {
			Dst    netip.Addr `json:"dst"`
			Dev    string     `json:"dev"`
			LLAddr string     `json:"lladdr"`
			State  []string   `json:"state"`
		}
		ipJSON(t, &ip, "-n", ns, "-4", "neigh", "show")
		var want, got []string
		for _, n := range ip {
			perm := len(n.State) > 0 && n.State[0] == "PERMANENT"
			want = append(want, fmt.Sprintf("%s %d %s %v", n.Dst, ifindex[n.Dev], n.LLAddr, perm))
		}
		for _, n := range ns4 {
			mac := ""
			for i, b := range n.LLAddr {
				mac += fmt.Sprintf("%s%02x", map[bool]string{true: ":"}[i > 0], b)
			}
			got = append(got, fmt.Sprintf("%s %d %s %v", n.Addr, n.Index, mac, n.State == nudPermanent))
		}
		sort.Strings(want)
		sort.Strings(got)
		if d := cmpDiff(want, got); d != "" {
			t.Errorf("(-ip +arp):\n%s", d)
		}
	})

	t.Run("multicast", func(t *testing.T) {
		g4, _, err := ParseIGMP(bytes.NewReader(read("igmp")), order)
		if err != nil {
			t.Fatal(err)
		}
		g6, err := ParseIGMP6(bytes.NewReader(read("igmp6")))
		if err != nil {
			t.Fatal(err)
		}
		f4, err := ParseMcFilter(bytes.NewReader(read("mcfilter")))
		if err != nil {
			t.Fatal(err)
		}
		link, err := ParseDevMcast(bytes.NewReader(read("dev_mcast")))
		if err != nil {
			t.Fatal(err)
		}
		var ip []struct {
			Index int32 `json:"ifindex"`
			Maddr []struct {
				Family  string `json:"family"`
				Address string `json:"address"`
				Link    string `json:"link"`
			} `json:"maddr"`
		}
		ipJSON(t, &ip, "-n", ns, "maddr", "show")
		var want, got []string
		for _, l := range ip {
			for _, m := range l.Maddr {
				a := m.Address
				if m.Link != "" {
					a = strings.ReplaceAll(m.Link, ":", "")
				}
				want = append(want, fmt.Sprintf("%d %s", l.Index, a))
			}
		}
		for _, g := range append(g4, g6...) {
			got = append(got, fmt.Sprintf("%d %s", g.IfIndex, g.Group))
		}
		for _, m := range link {
			got = append(got, fmt.Sprintf("%d %x", m.IfIndex, m.Addr))
		}
		sort.Strings(want)
		sort.Strings(got)
		if d := cmpDiff(want, got); d != "" {
			t.Errorf("(-ip maddr +/proc):\n%s", d)
		}
		all := AttachSources(g4, f4)
		for _, g := range all {
			if g.Group == mustAddr("232.1.1.1") && (g.Mode != snapshots.FilterInclude || len(g.Sources) != 1 || g.Sources[0].Addr != mustAddr("10.1.0.2")) {
				t.Errorf("source-specific join: %+v", g)
			}
		}
	})

	t.Run("mroute", func(t *testing.T) {
		mfc, err := ParseIPMrCache(bytes.NewReader(read("ip_mr_cache")), order)
		if err != nil {
			t.Fatal(err)
		}
		vifs, err := ParseIPMrVif(bytes.NewReader(read("ip_mr_vif")), order)
		if err != nil {
			t.Fatal(err)
		}
		vifDev := map[int32]string{}
		for _, v := range vifs {
			vifDev[v.Index] = v.Name
		}
		var ip []struct {
			Src       netip.Addr `json:"src"`
			Dst       netip.Addr `json:"dst"`
			IIF       string     `json:"iif"`
			Multipath []struct {
				OIF string `json:"oif"`
			} `json:"multipath"`
		}
		ipJSON(t, &ip, "-n", ns, "mroute", "show")
		var want, got []string
		for _, m := range ip {
			s := fmt.Sprintf("%s %s %s", m.Src, m.Dst, m.IIF)
			for _, o := range m.Multipath {
				s += " " + o.OIF
			}
			want = append(want, s)
		}
		for _, e := range mfc {
			s := fmt.Sprintf("%s %s %s", e.Source, e.Group, vifDev[e.IIFVif])
			for _, o := range e.Oifs {
				s += " " + vifDev[o.Vif]
			}
			got = append(got, s)
		}
		sort.Strings(want)
		sort.Strings(got)
		if d := cmpDiff(want, got); d != "" || len(got) == 0 {
			t.Errorf("(-ip mroute +ip_mr_cache):\n%s", d)
		}
	})

	t.Run("counters", func(t *testing.T) {
		devs, err := ParseDev(bytes.NewReader(read("dev")))
		if err != nil {
			t.Fatal(err)
		}
		var ip []struct {
			Name  string `json:"ifname"`
			Stats struct {
				RX struct{ Packets uint64 } `json:"rx"`
				TX struct{ Packets uint64 } `json:"tx"`
			} `json:"stats64"`
		}
		ipJSON(t, &ip, "-n", ns, "-s", "link", "show")
		if len(ip) != len(devs) {
			t.Errorf("ip shows %d links, dev %d", len(ip), len(devs))
		}
		for _, d := range devs {
			for _, l := range ip {
				// /proc was read first; counters only grow.
				if l.Name == d.Name && (d.Stats.RxPackets > l.Stats.RX.Packets || d.Stats.TxPackets > l.Stats.TX.Packets) {
					t.Errorf("%s: dev %+v, ip %+v", d.Name, d.Stats, l.Stats)
				}
			}
		}
		snmp, err := ParseSNMP(bytes.NewReader(read("snmp")))
		if err != nil {
			t.Fatal(err)
		}
		tcp := findSet(t, snmp, "Tcp")
		mc, ok := tcp.Find("MaxConn")
		if !ok || mc.Int() != -1 {
			t.Errorf("MaxConn %+v", mc)
		}
		if _, err := ParseNetstat(bytes.NewReader(read("netstat"))); err != nil {
			t.Error(err)
		}
		if _, err := ParseNameValues(bytes.NewReader(read("snmp6")), "snmp6"); err != nil {
			t.Error(err)
		}
		if _, err := ParseSockstat(bytes.NewReader(read("sockstat")), "sockstat"); err != nil {
			t.Error(err)
		}
	})
}

// compareSockets matches tcp, tcp6, udp, udp6, raw and raw6 against
// `ss -tuwane`: the same sockets (protocol, state, endpoints), the same
// inodes where ss prints them, the same queues except a listener's send
// queue (its backlog maximum, netlink only).
func compareSockets(t *testing.T, read func(string) []byte, ns string, order binary.ByteOrder, ticks uint32) error {
	var socks []snapshots.InetSocket
	for _, f := range []InetFile{TCP, TCP6, UDP, UDP6, Raw, Raw6} {
		s, err := ParseInet(bytes.NewReader(read(f.Name)), f, order, ticks)
		if err != nil {
			return err
		}
		socks = append(socks, s...)
	}
	out, err := exec.Command("ip", "netns", "exec", ns, "ss", "-H", "-tuwane").Output()
	if err != nil {
		return fmt.Errorf("ss: %v", err)
	}
	states := map[string]uint8{"ESTAB": 1, "SYN-SENT": 2, "SYN-RECV": 3, "FIN-WAIT-1": 4, "FIN-WAIT-2": 5, "TIME-WAIT": 6,
		"UNCONN": 7, "CLOSE-WAIT": 8, "LAST-ACK": 9, "LISTEN": 10, "CLOSING": 11}
	protos := map[uint16]string{snapshots.ProtoTCP: "tcp", snapshots.ProtoUDP: "udp", snapshots.ProtoRaw: "raw"}
	ep := func(a netip.AddrPort) string {
		s := a.Addr().String()
		if a.Addr().IsUnspecified() {
			s = "*"
		}
		return s + ":" + strconv.Itoa(int(a.Port()))
	}
	var want, got []string
	for _, line := range nonEmptyLines(string(out)) {
		f := strings.Fields(line)
		if len(f) < 6 {
			return fmt.Errorf("ss line %q", line)
		}
		key := fmt.Sprintf("%s %d %s %s", f[0], states[f[1]], ssEndpoint(f[4]), ssEndpoint(f[5]))
		if f[1] != "LISTEN" {
			key += " q" + f[2] + "/" + f[3]
		} else {
			key += " q" + f[2]
		}
		ino := " ino:0" // TIME-WAIT rows print none
		if f[0] == "raw" {
			ino = "" // read from /proc/net/raw without -e details
		}
		for _, x := range f[6:] {
			if strings.HasPrefix(x, "ino:") {
				ino = " " + x
			}
		}
		key += ino
		want = append(want, key)
	}
	for _, s := range socks {
		key := fmt.Sprintf("%s %d %s %s", protos[s.Proto], s.State, ep(s.Local), ep(s.Remote))
		if s.State != tcpListen {
			key += fmt.Sprintf(" q%d/%d", s.RecvQ, s.SendQ)
		} else {
			key += fmt.Sprintf(" q%d", s.RecvQ)
		}
		if s.Proto != snapshots.ProtoRaw { // ss reads raw sockets from /proc without inodes here
			key += fmt.Sprintf(" ino:%d", s.Inode)
		}
		got = append(got, key)
	}
	sort.Strings(want)
	sort.Strings(got)
	if d := cmpDiff(want, got); d != "" {
		return fmt.Errorf("ss vs /proc (-ss +proc):\n%s", d)
	}
	return nil
}

// ssEndpoint normalises ss's "[::ffff:10.1.0.1]:80", "*:58", "0.0.0.0:*".
func ssEndpoint(s string) string {
	i := strings.LastIndexByte(s, ':')
	host, port := strings.Trim(s[:i], "[]"), s[i+1:]
	if port == "*" {
		port = "0"
	}
	if a, err := netip.ParseAddr(host); err == nil && a.IsUnspecified() {
		host = "*"
	}
	return host + ":" + port
}

type ipRoute struct {
	Type     string     `json:"type"`
	Dst      string     `json:"dst"`
	Gateway  netip.Addr `json:"gateway"`
	Dev      string     `json:"dev"`
	Table    string     `json:"table"`
	Metric   uint32     `json:"metric"`
	Nexthops []struct {
		Gateway netip.Addr `json:"gateway"`
		Dev     string     `json:"dev"`
	} `json:"nexthops"`
}

func (r ipRoute) prefix(t *testing.T) netip.Prefix {
	t.Helper()
	switch {
	case r.Dst == "default" && strings.Contains(r.Gateway.String(), ":"):
		return mustPrefix("::/0")
	case r.Dst == "default":
		return mustPrefix("0.0.0.0/0")
	case strings.Contains(r.Dst, "/"):
		return mustPrefix(r.Dst)
	}
	a := mustAddr(r.Dst)
	return netip.PrefixFrom(a, a.BitLen())
}

func (r ipRoute) table(t *testing.T) uint32 {
	switch r.Table {
	case "", "main":
		return TableMain
	case "local":
		return TableLocal
	}
	n, err := strconv.ParseUint(r.Table, 10, 32)
	if err != nil {
		t.Fatalf("table %q", r.Table)
	}
	return uint32(n)
}

func (r ipRoute) rtnType() uint8 {
	switch r.Type {
	case "local":
		return rtnLocal
	case "broadcast":
		return rtnBroadcast
	case "blackhole":
		return rtnBlackhole
	case "unreachable":
		return rtnUnreachable
	case "prohibit":
		return 8
	}
	return rtnUnicast
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		t.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
	}
	return string(out)
}

func ipJSON(t *testing.T, v any, args ...string) {
	t.Helper()
	if err := json.Unmarshal([]byte(run(t, "ip", append([]string{"-j"}, args...)...)), v); err != nil {
		t.Fatalf("ip -j %s: %v", strings.Join(args, " "), err)
	}
}

func nonEmptyLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}
