// Command mkf5 turns the text captured from a lab namespace (testdata/f5:
// /proc/net files, sysctls, slabinfo, `ip -j` output, the dhclient lease)
// into the snapshot the golden tests of the -s, -m, -g, -p, -M and -D
// displays replay: testdata/f5.nms, two frames of namespace f5a.
//
//	go run ./format/solaris/testdata/mkf5
//
// from the repository root. The /proc text goes through capture/procnet's
// parsers and the lease through capture/leases, so the snapshot holds
// what a live capture would; links, addresses, routes and neighbours come
// from `ip -j` output. How the text was captured is in testdata/f5/README.
package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/netmortem/netmortem/capture/leases"
	"github.com/netmortem/netmortem/capture/procnet"
	"github.com/netmortem/netmortem/snapshots"
)

const dir = "format/solaris/testdata/f5"

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "mkf5:", err)
		os.Exit(1)
	}
}

func read(p string) []byte {
	b, err := os.ReadFile(filepath.Join(dir, p))
	if err != nil {
		panic(err)
	}
	return b
}

func when(p string) time.Time {
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(string(read(p))))
	if err != nil {
		panic(err)
	}
	return t
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func run() error {
	t0, t1 := when("captured-at"), when("frame1/captured-at")
	meta := snapshots.Meta{
		Hostname: "laba.example.net", KernelRelease: strings.TrimSpace(string(read("uname-r"))),
		Machine: "x86_64", ClockTicks: 100, PageSize: 4096,
		CaptureStart: t0, CaptureEnd: t1.Add(200 * time.Millisecond), ToolVersion: "mkf5",
		Source: snapshots.Source{Kind: "synthetic", Origin: "lab f5 (testdata/lab.sh up f5)", Detail: "format/solaris/testdata/mkf5"},
	}
	var out bytes.Buffer
	w, err := snapshots.NewWriter(&out, meta)
	if err != nil {
		return err
	}
	ns := w.AddNamespace(snapshots.NamespaceInfo{Name: "f5a", Inode: 4026532999})
	names := &snapshots.Tables{Files: []snapshots.RawFile{
		{Path: "/etc/hosts", Data: []byte(hosts), ModTime: t0},
		{Path: "/etc/networks", Data: []byte("loopback 127.0.0.0\nlabnet 10.1.0.0\n"), ModTime: t0},
	}}
	if err := w.WriteTable(-1, snapshots.TableNames, snapshots.OK(t0, "hand-made"), names); err != nil {
		return err
	}
	for i, frame := range []string{"", "frame1/"} {
		start := t0
		if i == 1 {
			start = t1
		}
		w.BeginFrame(start)
		ts := tables(frame)
		for _, t := range snapshots.NamespaceTables {
			if err := w.WriteTable(ns, t, snapshots.OK(start, "lab f5"), ts); err != nil {
				return err
			}
		}
		w.EndFrame(start.Add(100 * time.Millisecond))
	}
	if err := w.Close(); err != nil {
		return err
	}
	return os.WriteFile("format/solaris/testdata/f5.nms", out.Bytes(), 0o644)
}

const hosts = `127.0.0.1	localhost
::1	localhost ip6-localhost ip6-loopback
10.1.0.1	laba.example.net laba
10.1.0.2	labb.example.net labb
10.2.0.2	labb-a1
fd00:1::2	labb6
ff02::1	ip6-allnodes
ff02::2	ip6-allrouters
224.0.0.1	all-systems.mcast.net
`

// tables builds one frame. Frame 1 holds a second capture of the counter
// and multicast routing files; everything else is the same as frame 0.
func tables(frame string) *snapshots.Tables {
	var ts snapshots.Tables
	ts.Links = links()
	ifindex := map[string]int32{}
	byIndex := map[int32]string{}
	for _, l := range ts.Links {
		ifindex[l.Name] = l.Index
		byIndex[l.Index] = l.Name
	}
	ts.Addrs = addrs()
	ts.Routes = routes(ifindex)
	ts.Neighbours = neighbours(ifindex)

	counters := func(p string) string {
		if frame != "" {
			if _, err := os.Stat(filepath.Join(dir, frame, p)); err == nil {
				return frame + p
			}
		}
		return p
	}
	r := func(p string) *bytes.Reader { return bytes.NewReader(read(counters(p))) }
	add := func(sets []snapshots.CounterSet, err error) { ts.Counters = append(ts.Counters, must(sets, err)...) }
	add(procnet.ParseSNMP(r("net/snmp")))
	add(procnet.ParseNetstat(r("net/netstat")))
	add(procnet.ParseNameValues(r("net/snmp6"), "snmp6"))
	for _, n := range []string{"lo", "a0", "a1"} {
		add(procnet.ParseNameValues(r("net/dev_snmp6/"+n), "dev_snmp6/"+n))
	}
	add(procnet.ParseSockstat(r("net/sockstat"), "sockstat"))
	add(procnet.ParseSockstat(r("net/sockstat6"), "sockstat6"))
	ts.Protocols = must(procnet.ParseProtocols(r("net/protocols")))
	ts.Softnet = must(procnet.ParseSoftnetStat(r("net/softnet_stat")))

	le := binary.LittleEndian
	g4, ifs := must2(procnet.ParseIGMP(r("net/igmp"), le))
	g6 := must(procnet.ParseIGMP6(r("net/igmp6")))
	f4 := must(procnet.ParseMcFilter(r("net/mcfilter")))
	f6 := must(procnet.ParseMcFilter6(r("net/mcfilter6")))
	ts.Groups = procnet.AttachSources(append(g4, g6...), append(f4, f6...))
	ts.McastIfaces = ifs
	ts.LinkGroups = must(procnet.ParseDevMcast(r("net/dev_mcast")))

	ts.Vifs = append(must(procnet.ParseIPMrVif(r("net/ip_mr_vif"), le)), must(procnet.ParseIP6MrVif(r("net/ip6_mr_vif")))...)
	ts.MFC = append(must(procnet.ParseIPMrCache(r("net/ip_mr_cache"), le)), must(procnet.ParseIP6MrCache(r("net/ip6_mr_cache")))...)

	sc := bufio.NewScanner(bytes.NewReader(read("sysctl.txt")))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), " = ")
		if ok {
			ts.Sysctls = append(ts.Sysctls, snapshots.Sysctl{Name: k, Value: v})
		}
	}
	ts.Slabs = must(procnet.ParseSlabinfo(bytes.NewReader(read("slabinfo")), nil))

	const lease = "/var/lib/dhcp/dhclient.a0.leases"
	ts.Leases = must(leases.Parse(lease, read("dhclient.a0.leases"), when("captured-at"), byIndex))
	return &ts
}

func must2[A, B any](a A, b B, err error) (A, B) {
	if err != nil {
		panic(err)
	}
	return a, b
}

func links() []snapshots.Link {
	var js []struct {
		Index   int32    `json:"ifindex"`
		Name    string   `json:"ifname"`
		Flags   []string `json:"flags"`
		MTU     uint32   `json:"mtu"`
		Address string   `json:"address"`
		Type    string   `json:"link_type"`
		Kind    struct {
			Kind string `json:"info_kind"`
		} `json:"linkinfo"`
	}
	if err := json.Unmarshal(read("cmd/ip-link.json"), &js); err != nil {
		panic(err)
	}
	flag := map[string]uint32{"UP": 0x1, "BROADCAST": 0x2, "LOOPBACK": 0x8, "MULTICAST": 0x1000, "LOWER_UP": 0x10000}
	var out []snapshots.Link
	for _, j := range js {
		l := snapshots.Link{Index: j.Index, Name: j.Name, MTU: j.MTU, Kind: j.Kind.Kind, ParentNetns: -1}
		for _, f := range j.Flags {
			l.Flags |= flag[f]
		}
		if hw, err := net.ParseMAC(j.Address); err == nil {
			l.HWAddr = hw
		}
		l.Type = 1
		if j.Type == "loopback" {
			l.Type = 772
		}
		out = append(out, l)
	}
	return out
}

func addrs() []snapshots.Addr {
	var js []struct {
		Index int32 `json:"ifindex"`
		Info  []struct {
			Family string `json:"family"`
			Local  string `json:"local"`
			Len    uint8  `json:"prefixlen"`
			Label  string `json:"label"`
		} `json:"addr_info"`
	}
	if err := json.Unmarshal(read("cmd/ip-addr.json"), &js); err != nil {
		panic(err)
	}
	var out []snapshots.Addr
	for _, j := range js {
		for _, a := range j.Info {
			ip := netip.MustParseAddr(a.Local)
			f := uint8(snapshots.AFInet)
			if ip.Is6() {
				f = snapshots.AFInet6
			}
			out = append(out, snapshots.Addr{Family: f, Index: j.Index, PrefixLen: a.Len, Address: ip, Local: ip, Label: a.Label})
		}
	}
	return out
}

// routes keeps the default routes, which -D reads to find the primary
// interface.
func routes(ifindex map[string]int32) []snapshots.Route {
	var out []snapshots.Route
	for _, f := range []string{"cmd/ip-route.json", "cmd/ip-route6.json"} {
		var js []struct {
			Dst     string `json:"dst"`
			Gateway string `json:"gateway"`
			Dev     string `json:"dev"`
			Table   string `json:"table"`
			Metric  uint32 `json:"metric"`
		}
		if err := json.Unmarshal(read(f), &js); err != nil {
			panic(err)
		}
		for _, j := range js {
			if j.Dst != "default" || j.Gateway == "" {
				continue
			}
			gw := netip.MustParseAddr(j.Gateway)
			r := snapshots.Route{Family: snapshots.AFInet, Table: 254, Protocol: 3, Type: 1, Priority: j.Metric,
				Dst: netip.PrefixFrom(netip.IPv4Unspecified(), 0)}
			if gw.Is6() {
				r.Family, r.Dst = snapshots.AFInet6, netip.PrefixFrom(netip.IPv6Unspecified(), 0)
			}
			if j.Table == "100" {
				r.Table = 100
			}
			r.NextHops = []snapshots.NextHop{{Gateway: gw, OIF: ifindex[j.Dev], Weight: 1}}
			out = append(out, r)
		}
	}
	return out
}

func neighbours(ifindex map[string]int32) []snapshots.Neighbour {
	nud := map[string]uint16{"INCOMPLETE": 0x01, "REACHABLE": 0x02, "STALE": 0x04, "DELAY": 0x08,
		"PROBE": 0x10, "FAILED": 0x20, "NOARP": 0x40, "PERMANENT": 0x80}
	var out []snapshots.Neighbour
	for _, f := range []string{"cmd/ip-neigh.json", "cmd/ip-neigh-proxy.json"} {
		var js []map[string]any
		if err := json.Unmarshal(read(f), &js); err != nil {
			panic(err)
		}
		for _, j := range js {
			dst := netip.MustParseAddr(j["dst"].(string))
			n := snapshots.Neighbour{Family: snapshots.AFInet, Index: ifindex[j["dev"].(string)], Addr: dst, Type: 1}
			if dst.Is6() {
				n.Family = snapshots.AFInet6
			}
			if s, ok := j["lladdr"].(string); ok {
				n.LLAddr = must(net.ParseMAC(s))
			}
			if ss, ok := j["state"].([]any); ok {
				for _, s := range ss {
					n.State |= nud[s.(string)]
				}
			}
			if _, ok := j["router"]; ok {
				n.Flags |= 0x80
			}
			if _, ok := j["proxy"]; ok {
				n.Proxy = true
				n.Flags |= 0x08
			}
			out = append(out, n)
		}
	}
	return out
}
