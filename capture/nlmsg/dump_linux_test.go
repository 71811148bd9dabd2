//go:build linux

package nlmsg

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mdlayher/netlink"
	"github.com/netmortem/netmortem/snapshots"
	"golang.org/x/sys/unix"
)

func TestDumpUnsupportedErrno(t *testing.T) {
	req, _ := InetDiagRequest(snapshots.AFInet, snapshots.ProtoRaw)
	replay(t, req, "raw-inet")
	_, _, err := DumpInet(nil, snapshots.AFInet, snapshots.ProtoRaw)
	if !errors.Is(err, ErrUnsupported) || !errors.Is(err, unix.ENOENT) {
		t.Fatalf("err %v, want ENOENT matching ErrUnsupported", err)
	}
}

// TestDumpLive dumps the test's own namespace through a real socket, which
// needs no privilege.
func TestDumpLive(t *testing.T) {
	links, st, err := DumpLinks(nil)
	if err != nil {
		t.Fatal(err)
	}
	ifs, err := net.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	if len(links) != len(ifs) || st.Messages != len(links) {
		t.Errorf("%d links (%d messages), net.Interfaces has %d", len(links), st.Messages, len(ifs))
	}
	for _, l := range links {
		if l.Type == 772 && (l.Name != "lo" || l.Flags&unix.IFF_LOOPBACK == 0) {
			t.Errorf("loopback: %+v", l)
		}
	}
	if _, _, err := DumpRoutes(nil, snapshots.AFInet, false); err != nil {
		t.Error(err)
	}
	if _, _, err := DumpUnix(nil); err != nil {
		t.Error(err)
	}
}

// The lab's namespaces, built once per test binary run by TestIntegration*.

func labUp(t *testing.T, prefix string) (nsA string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	script, err := filepath.Abs("../../testdata/lab/lab.sh")
	if err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "PATH="+filepath.Join(runtime.GOROOT(), "bin")+":"+os.Getenv("PATH"))
	run := func(args ...string) {
		cmd := exec.Command(script, args...)
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("lab.sh %v: %v\n%s", args, err, out)
		}
	}
	t.Cleanup(func() { run("down", prefix) })
	run("up", prefix)
	return prefix + "a"
}

func nsConfig(t *testing.T, ns string) *netlink.Config {
	t.Helper()
	f, err := os.Open(filepath.Join("/run/netns", ns))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return &netlink.Config{NetNS: int(f.Fd())}
}

func ipJSON(t *testing.T, ns string, args ...string) []map[string]any {
	t.Helper()
	out, err := exec.Command("ip", append([]string{"-n", ns, "-j"}, args...)...).Output()
	if err != nil {
		t.Fatalf("ip %v: %v", args, err)
	}
	var v []map[string]any
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("ip %v: %v", args, err)
	}
	return v
}

func str(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

var (
	routeTypes = map[string]uint8{"unicast": 1, "local": 2, "broadcast": 3, "anycast": 4, "multicast": 5,
		"blackhole": 6, "unreachable": 7, "prohibit": 8, "throw": 9, "nat": 10}
	tableNames = map[string]uint32{"": 254, "main": 254, "local": 255, "default": 253}
)

// ipRouteKey normalises a route of ip -j route show: table, prefix, type,
// device and gateway.
func ipRouteKey(t *testing.T, r map[string]any, fam uint8) string {
	t.Helper()
	dst := str(r["dst"])
	zero := "0.0.0.0"
	if fam == snapshots.AFInet6 {
		zero = "::"
	}
	switch {
	case dst == "default":
		dst = zero + "/0"
	case !strings.Contains(dst, "/"):
		a := netip.MustParseAddr(dst)
		dst = netip.PrefixFrom(a, a.BitLen()).String()
	}
	table, ok := tableNames[str(r["table"])]
	if !ok {
		n, err := strconv.ParseUint(str(r["table"]), 10, 32)
		if err != nil {
			t.Fatalf("table %q", r["table"])
		}
		table = uint32(n)
	}
	typ := uint8(1)
	if s := str(r["type"]); s != "" {
		typ = routeTypes[s]
	}
	return fmt.Sprintf("%d %s %d %s %s", table, dst, typ, str(r["dev"]), str(r["gateway"]))
}

func ourRouteKey(r snapshots.Route, names map[int32]string) string {
	var dev, gw string
	if len(r.NextHops) == 1 && !r.Multipath {
		dev = names[r.NextHops[0].OIF]
		if r.NextHops[0].Gateway.IsValid() {
			gw = r.NextHops[0].Gateway.String()
		}
	}
	return fmt.Sprintf("%d %s %d %s %s", r.Table, r.Dst, r.Type, dev, gw)
}

func sortedDiff(t *testing.T, what string, ours, theirs []string) {
	t.Helper()
	slices.Sort(ours)
	slices.Sort(theirs)
	if len(theirs) == 0 {
		t.Errorf("%s: iproute2 listed nothing", what)
	}
	t.Logf("%s: %d rows each", what, len(theirs))
	if !slices.Equal(ours, theirs) {
		t.Errorf("%s differ:\nnlmsg: %q\nip/ss: %q", what, ours, theirs)
	}
}

// TestIntegration builds a lab and compares the dumps of its namespace A
// with what iproute2 prints for the same namespace.
func TestIntegration(t *testing.T) {
	ns := labUp(t, fmt.Sprintf("nlt%d", os.Getpid()%10000))
	cfg := nsConfig(t, ns)

	links, _, err := DumpLinks(cfg)
	if err != nil {
		t.Fatal(err)
	}
	names := map[int32]string{}
	for _, l := range links {
		names[l.Index] = l.Name
	}

	t.Run("routes", func(t *testing.T) {
		for _, fam := range []uint8{snapshots.AFInet, snapshots.AFInet6} {
			routes, st, err := DumpRoutes(cfg, fam, false)
			if err != nil {
				t.Fatal(err)
			}
			flag := map[uint8]string{snapshots.AFInet: "-4", snapshots.AFInet6: "-6"}[fam]
			var ours, theirs []string
			for _, r := range routes {
				ours = append(ours, ourRouteKey(r, names))
			}
			var ipMP []any
			for _, r := range ipJSON(t, ns, flag, "route", "show", "table", "all") {
				theirs = append(theirs, ipRouteKey(t, r, fam))
				if str(r["dst"]) == "10.50.0.0/16" {
					ipMP, _ = r["nexthops"].([]any)
				}
			}
			sortedDiff(t, fmt.Sprintf("family %d routes", fam), ours, theirs)
			if st.Messages != len(routes) || st.Retries != 0 {
				t.Errorf("stats %+v", st)
			}
			if fam == snapshots.AFInet {
				mp := findRoute(t, routes, 254, "10.50.0.0/16")
				if len(ipMP) != len(mp.NextHops) {
					t.Fatalf("multipath: ip has %d hops, nlmsg %d", len(ipMP), len(mp.NextHops))
				}
				for i, h := range ipMP {
					h := h.(map[string]any)
					nh := mp.NextHops[i]
					if str(h["gateway"]) != nh.Gateway.String() || str(h["dev"]) != names[nh.OIF] || str(h["weight"]) != strconv.Itoa(int(nh.Weight)) {
						t.Errorf("hop %d: ip %v, nlmsg %+v", i, h, nh)
					}
				}
			}
		}
	})

	t.Run("mroute", func(t *testing.T) {
		mfc, _, err := DumpMFC(cfg, snapshots.AFInet)
		if err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("ip", "-n", ns, "mroute", "show").Output()
		if err != nil {
			t.Fatal(err)
		}
		var ours []string
		for _, e := range mfc {
			ours = append(ours, fmt.Sprintf("(%s,%s) Iif: %s", e.Source, e.Group, names[e.IIF]))
		}
		var theirs []string
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if f := strings.Fields(l); len(f) >= 3 {
				theirs = append(theirs, strings.Join(f[:3], " "))
			}
		}
		sortedDiff(t, "multicast routes", ours, theirs)
	})

	t.Run("rules", func(t *testing.T) {
		rules, _, err := DumpRules(cfg, snapshots.AFInet)
		if err != nil {
			t.Fatal(err)
		}
		var ours, theirs []string
		for _, r := range rules {
			ours = append(ours, fmt.Sprintf("%d %d", r.Priority, r.Table))
		}
		for _, r := range ipJSON(t, ns, "-4", "rule") {
			tab, ok := tableNames[str(r["table"])]
			if !ok {
				n, _ := strconv.Atoi(str(r["table"]))
				tab = uint32(n)
			}
			theirs = append(theirs, fmt.Sprintf("%s %d", str(r["priority"]), tab))
		}
		sortedDiff(t, "rules", ours, theirs)
	})

	t.Run("neighbours", func(t *testing.T) {
		ns6, _, err := DumpNeighbours(cfg, 0, false)
		if err != nil {
			t.Fatal(err)
		}
		var ours, theirs []string
		for _, n := range ns6 {
			if n.State&0x40 != 0 { // NUD_NOARP: ip neigh hides these
				continue
			}
			ours = append(ours, fmt.Sprintf("%s %s %s", n.Addr, names[n.Index], net.HardwareAddr(n.LLAddr)))
		}
		for _, n := range ipJSON(t, ns, "neigh") {
			theirs = append(theirs, fmt.Sprintf("%s %s %s", str(n["dst"]), str(n["dev"]), str(n["lladdr"])))
		}
		sortedDiff(t, "neighbours", ours, theirs)
	})

	t.Run("addrs", func(t *testing.T) {
		addrs, _, err := DumpAddrs(cfg, 0)
		if err != nil {
			t.Fatal(err)
		}
		var ours, theirs []string
		for _, a := range addrs {
			ours = append(ours, fmt.Sprintf("%d %s/%d %s", a.Index, a.IP(), a.PrefixLen, a.Label))
		}
		for _, l := range ipJSON(t, ns, "addr") {
			infos, _ := l["addr_info"].([]any)
			for _, i := range infos {
				i := i.(map[string]any)
				theirs = append(theirs, fmt.Sprintf("%s %s/%s %s", str(l["ifindex"]), str(i["local"]), str(i["prefixlen"]), str(i["label"])))
			}
		}
		sortedDiff(t, "addresses", ours, theirs)
	})

	t.Run("links", func(t *testing.T) {
		ipLinks := ipJSON(t, ns, "-s", "link")
		before := links
		links, _, err := DumpLinks(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if len(ipLinks) != len(links) {
			t.Fatalf("ip has %d links, nlmsg %d", len(ipLinks), len(links))
		}
		for i, il := range ipLinks {
			l, b := links[i], before[i]
			if str(il["ifname"]) != l.Name || str(il["ifindex"]) != strconv.Itoa(int(l.Index)) || str(il["mtu"]) != strconv.Itoa(int(l.MTU)) {
				t.Errorf("link %v: nlmsg %s %d mtu %d", il["ifname"], l.Name, l.Index, l.MTU)
			}
			if l.Type != 772 && str(il["address"]) != net.HardwareAddr(l.HWAddr).String() {
				t.Errorf("%s: address %v, nlmsg %s", l.Name, il["address"], net.HardwareAddr(l.HWAddr))
			}
			st := il["stats64"].(map[string]any)
			for _, dir := range []string{"rx", "tx"} {
				s := st[dir].(map[string]any)
				ipPackets, _ := strconv.ParseUint(str(s["packets"]), 10, 64)
				lo, hi := b.Stats.RxPackets, l.Stats.RxPackets
				if dir == "tx" {
					lo, hi = b.Stats.TxPackets, l.Stats.TxPackets
				}
				// ip ran between our two dumps; counters only grow.
				if ipPackets < lo || ipPackets > hi {
					t.Errorf("%s %s packets: ip %d, nlmsg %d..%d", l.Name, dir, ipPackets, lo, hi)
				}
			}
		}
	})

	t.Run("sockets", func(t *testing.T) {
		ssStates := map[uint8]string{1: "ESTAB", 2: "SYN-SENT", 3: "SYN-RECV", 4: "FIN-WAIT-1", 5: "FIN-WAIT-2",
			6: "TIME-WAIT", 7: "UNCONN", 8: "CLOSE-WAIT", 9: "LAST-ACK", 10: "LISTEN", 11: "CLOSING"}
		var ours []string
		tcpCookies := map[uint64]uint8{}
		for _, proto := range []uint16{snapshots.ProtoTCP, snapshots.ProtoUDP} {
			for _, fam := range []uint8{snapshots.AFInet, snapshots.AFInet6} {
				socks, st, err := DumpInet(cfg, fam, proto)
				if err != nil {
					t.Fatal(err)
				}
				if st.Duplicates != 0 {
					t.Errorf("%d duplicates", st.Duplicates)
				}
				netid := map[uint16]string{snapshots.ProtoTCP: "tcp", snapshots.ProtoUDP: "udp"}[proto]
				for _, s := range socks {
					ours = append(ours, fmt.Sprintf("%s %s %d %d", netid, ssStates[s.State], s.Local.Port(), s.Remote.Port()))
					if proto == snapshots.ProtoTCP && s.State != 6 { // TIME_WAIT ones may expire meanwhile
						tcpCookies[s.Cookie] = s.Family
					}
				}
			}
		}
		// One TCPDIAG_GETSOCK dump holds what the two per-family ones did.
		both, _, err := DumpInet(cfg, 0, snapshots.ProtoTCP)
		if err != nil {
			t.Fatal(err)
		}
		fams := map[uint8]bool{}
		for _, s := range both {
			if fam, ok := tcpCookies[s.Cookie]; ok && fam == s.Family {
				delete(tcpCookies, s.Cookie)
				fams[s.Family] = true
			}
		}
		if len(tcpCookies) != 0 || !fams[snapshots.AFInet] || !fams[snapshots.AFInet6] {
			t.Errorf("both-family TCP dump lacks %d sockets of the per-family dumps (families seen %v)", len(tcpCookies), fams)
		}
		out, err := exec.Command("ip", "netns", "exec", ns, "ss", "-tuanH").Output()
		if err != nil {
			t.Fatal(err)
		}
		port := func(s string) string {
			p := s[strings.LastIndexByte(s, ':')+1:]
			if p == "*" {
				return "0"
			}
			return p
		}
		var theirs []string
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			f := strings.Fields(l)
			if len(f) < 6 {
				continue
			}
			theirs = append(theirs, fmt.Sprintf("%s %s %s %s", f[0], f[1], port(f[4]), port(f[5])))
		}
		sortedDiff(t, "sockets", ours, theirs)
	})

	t.Run("unix", func(t *testing.T) {
		us, _, err := DumpUnix(cfg)
		if err != nil {
			t.Fatal(err)
		}
		var ours, theirs []string
		for _, s := range us {
			ours = append(ours, fmt.Sprintf("%d %d", s.Inode, s.Peer))
		}
		out, err := exec.Command("ip", "netns", "exec", ns, "ss", "-xaH").Output()
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			// u_str ESTAB 0 0 /path 30447 * 30442: the inode follows the
			// name, the peer's inode ends the line.
			f := strings.Fields(l)
			if len(f) < 8 {
				continue
			}
			theirs = append(theirs, f[5]+" "+f[7])
		}
		sortedDiff(t, "unix sockets", ours, theirs)
	})

	t.Run("packet", func(t *testing.T) {
		ps, _, err := DumpPacket(cfg)
		if err != nil {
			t.Fatal(err)
		}
		var ours, theirs []string
		for _, p := range ps {
			ours = append(ours, fmt.Sprintf("%d %d %04X %d", p.Inode, p.Type, p.Proto, p.IfIndex))
		}
		out, err := exec.Command("ip", "netns", "exec", ns, "cat", "/proc/net/packet").Output()
		if err != nil {
			t.Fatal(err)
		}
		// sk RefCnt Type Proto Iface R Rmem User Inode
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n")[1:] {
			f := strings.Fields(l)
			if len(f) >= 9 {
				theirs = append(theirs, fmt.Sprintf("%s %s %s %s", f[8], f[2], f[3], f[4]))
			}
		}
		sortedDiff(t, "packet sockets", ours, theirs)
	})

	t.Run("unsupported", func(t *testing.T) {
		// raw_diag and sctp_diag are not loaded on the development kernel,
		// and mptcp_diag may be absent; where they are, the dump works.
		for _, proto := range []uint16{snapshots.ProtoRaw, snapshots.ProtoSCTP, snapshots.ProtoMPTCP, snapshots.ProtoUDPLite} {
			_, _, err := DumpInet(cfg, snapshots.AFInet, proto)
			if err != nil && !errors.Is(err, ErrUnsupported) {
				t.Errorf("proto %d: %v is not ErrUnsupported", proto, err)
			}
			t.Logf("proto %d: %v", proto, err)
		}
	})
}

var large = flag.Int("large", 0, "TestIntegrationLarge: routes to load into a scratch namespace (root only)")

// TestIntegrationLarge times DumpRoutes against ip route show on a namespace
// holding -large routes: go test -run TestIntegrationLarge -large 200000 -v.
func TestIntegrationLarge(t *testing.T) {
	if *large == 0 {
		t.Skip("-large not given")
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	ns := fmt.Sprintf("nlbig%d", os.Getpid()%10000)
	ip := func(args ...string) {
		t.Helper()
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %v: %v\n%s", args, err, out)
		}
	}
	ip("netns", "add", ns)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	ip("-n", ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1")
	ip("-n", ns, "link", "set", "v0", "up")
	ip("-n", ns, "link", "set", "v1", "up")
	ip("-n", ns, "addr", "add", "10.255.0.1/16", "dev", "v0")
	batch := filepath.Join(t.TempDir(), "routes")
	var b strings.Builder
	// 20.0.0.0/24, 20.0.1.0/24 … then 21.x.y.0/24 past 65536 routes.
	for i := range *large {
		fmt.Fprintf(&b, "route add %d.%d.%d.0/24 via 10.255.0.2 dev v0 proto bgp\n", 20+i>>16, i>>8&0xff, i&0xff)
	}
	if err := os.WriteFile(batch, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	ip("-n", ns, "-batch", batch)
	cfg := nsConfig(t, ns)

	for run := range 3 {
		var ms0, ms1 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms0)
		start := time.Now()
		routes, st, err := DumpRoutes(cfg, snapshots.AFInet, false)
		d := time.Since(start)
		runtime.ReadMemStats(&ms1)
		if err != nil {
			t.Fatal(err)
		}
		if len(routes) < *large {
			t.Fatalf("%d routes, want at least %d", len(routes), *large)
		}
		start = time.Now()
		if err := exec.Command("ip", "-n", ns, "route", "show", "table", "all").Run(); err != nil {
			t.Fatal(err)
		}
		ipd := time.Since(start)
		t.Logf("run %d: DumpRoutes %d routes in %v (%.0f ns/route, %.0f B/route allocated, %d retries); ip route show table all %v",
			run, len(routes), d, float64(d.Nanoseconds())/float64(len(routes)),
			float64(ms1.TotalAlloc-ms0.TotalAlloc)/float64(len(routes)), st.Retries, ipd)
	}
}
