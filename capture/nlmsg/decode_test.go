package nlmsg

import (
	"net/netip"
	"reflect"
	"slices"
	"testing"

	"github.com/mdlayher/netlink"
	"github.com/netmortem/netmortem/snapshots"
)

// The recordings come from namespace nla of testdata/lab/lab.sh (PREFIX nl);
// see testdata/README.md. The expectations below are the lab's own
// configuration.

func decodeAll[T any](t *testing.T, name string, parse func(netlink.Message) (T, error)) []T {
	t.Helper()
	var out []T
	for _, m := range dataMessages(loadDump(t, name)) {
		v, err := parse(m)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		t.Fatalf("%s: no messages", name)
	}
	return out
}

// ifindex returns the index of a lab link by name, from the recorded link
// dump.
func ifindex(t *testing.T, name string) int32 {
	t.Helper()
	for _, l := range decodeAll(t, "link", ParseLink) {
		if l.Name == name {
			return l.Index
		}
	}
	t.Fatalf("no link %q in the link dump", name)
	return 0
}

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }
func ip(s string) netip.Addr    { return netip.MustParseAddr(s) }

func findRoute(t *testing.T, rs []snapshots.Route, table uint32, dst string) snapshots.Route {
	t.Helper()
	for _, r := range rs {
		if r.Table == table && r.Dst == pfx(dst) {
			return r
		}
	}
	t.Fatalf("no route %s in table %d", dst, table)
	return snapshots.Route{}
}

func TestParseLink(t *testing.T) {
	links := decodeAll(t, "link", ParseLink)
	byName := map[string]snapshots.Link{}
	for _, l := range links {
		byName[l.Name] = l
	}
	if len(byName) != 3 {
		t.Fatalf("links %v, want lo, a0, a1", slices.Collect(func(yield func(string) bool) {
			for n := range byName {
				yield(n)
			}
		}))
	}
	lo, a0, a1 := byName["lo"], byName["a0"], byName["a1"]
	if lo.Type != 772 || lo.MTU != 65536 || lo.ParentNetns != -1 || lo.Kind != "" {
		t.Errorf("lo: type %d mtu %d netnsid %d kind %q", lo.Type, lo.MTU, lo.ParentNetns, lo.Kind)
	}
	if a1.MTU != 1400 || a0.MTU != 1500 {
		t.Errorf("mtu a0 %d a1 %d, want 1500 1400", a0.MTU, a1.MTU)
	}
	if a1.MinMTU != 68 || a1.MaxMTU != 65535 {
		t.Errorf("a1 mtu range %d..%d", a1.MinMTU, a1.MaxMTU)
	}
	if want := []byte{2, 0, 0, 0, 0x0a, 1}; !slices.Equal(a1.HWAddr, want) {
		t.Errorf("a1 address % x, want % x", a1.HWAddr, want)
	}
	for _, l := range []snapshots.Link{a0, a1} {
		if l.Kind != "veth" {
			t.Errorf("%s kind %q, want veth", l.Name, l.Kind)
		}
		if l.OperState != 6 || l.Carrier != 1 || l.Flags&1 == 0 {
			t.Errorf("%s operstate %d carrier %d flags %#x, want up", l.Name, l.OperState, l.Carrier, l.Flags)
		}
		if l.ParentNetns < 0 || l.Parent == 0 {
			t.Errorf("%s: veth peer link %d netnsid %d, want both set", l.Name, l.Parent, l.ParentNetns)
		}
		if !l.Stats.Valid || l.Stats.TxPackets == 0 || l.Stats.RxBytes == 0 {
			t.Errorf("%s: stats %+v", l.Name, l.Stats)
		}
		if l.Qdisc != "noqueue" || l.TxQueueLen != 1000 || l.NumTxQueues == 0 {
			t.Errorf("%s: qdisc %q txqlen %d queues %d", l.Name, l.Qdisc, l.TxQueueLen, l.NumTxQueues)
		}
		// IFLA_LINKINFO of a veth holds only the kind here; the
		// attributes the model lacks (IFLA_AF_SPEC, IFLA_MAP …) are raw.
		if !hasRaw(l.Raw, iflaAFSpec) || hasRaw(l.Raw, iflaIfname) {
			t.Errorf("%s: raw attributes %v", l.Name, rawTypes(l.Raw))
		}
	}
}

const iflaAFSpec = 26

func hasRaw(raw []snapshots.RawAttr, typ uint16) bool {
	for _, r := range raw {
		if r.Type&attrTypeMask == typ {
			return true
		}
	}
	return false
}

func rawTypes(raw []snapshots.RawAttr) []uint16 {
	var out []uint16
	for _, r := range raw {
		out = append(out, r.Type)
	}
	return out
}

func TestParseAddr(t *testing.T) {
	addrs := decodeAll(t, "addr", ParseAddr)
	a0 := ifindex(t, "a0")
	var labelled, v6 *snapshots.Addr
	for i, a := range addrs {
		switch a.IP() {
		case ip("10.1.0.11"):
			labelled = &addrs[i]
		case ip("fd00:1::1"):
			v6 = &addrs[i]
		}
		if !a.HasCacheInfo {
			t.Errorf("%v: no IFA_CACHEINFO", a.IP())
		}
	}
	if labelled == nil || v6 == nil {
		t.Fatal("10.1.0.11 or fd00:1::1 missing")
	}
	if labelled.Label != "a0:1" || labelled.Index != a0 || labelled.PrefixLen != 24 || labelled.Family != snapshots.AFInet {
		t.Errorf("labelled address %+v", *labelled)
	}
	// Second address of the subnet: IFA_F_SECONDARY, and permanent.
	if labelled.Flags != 0x81 {
		t.Errorf("labelled address flags %#x, want secondary|permanent", labelled.Flags)
	}
	if labelled.Valid != 0xffffffff || labelled.Preferred != 0xffffffff {
		t.Errorf("lifetimes %d/%d, want forever", labelled.Valid, labelled.Preferred)
	}
	// nodad: IFA_F_NODAD (0x02) sits in the 8-bit field too, but the
	// 32-bit IFA_FLAGS is where the kernel puts every flag.
	if v6.Flags != 0x82 || v6.Label != "" || v6.Local.IsValid() {
		t.Errorf("fd00:1::1: %+v", *v6)
	}
}

func TestParseRoute(t *testing.T) {
	routes := decodeAll(t, "route-inet", ParseRoute)
	a0, a1 := ifindex(t, "a0"), ifindex(t, "a1")

	mp := findRoute(t, routes, 254, "10.50.0.0/16")
	want := []snapshots.NextHop{
		{Gateway: ip("10.1.0.2"), OIF: a0, Weight: 1},
		{Gateway: ip("10.2.0.2"), OIF: a1, Weight: 2},
	}
	if !mp.Multipath || !reflect.DeepEqual(mp.NextHops, want) {
		t.Errorf("multipath route: multipath %v hops %+v", mp.Multipath, mp.NextHops)
	}

	var t100 []string
	for _, r := range routes {
		if r.Table == 100 {
			t100 = append(t100, r.Dst.String())
		}
	}
	slices.Sort(t100)
	if !slices.Equal(t100, []string{"0.0.0.0/0", "10.9.0.0/16"}) {
		t.Errorf("table 100: %v", t100)
	}
	def100 := findRoute(t, routes, 100, "0.0.0.0/0")
	if len(def100.NextHops) != 1 || def100.NextHops[0].Gateway != ip("10.2.0.2") || def100.NextHops[0].OIF != a1 {
		t.Errorf("table 100 default: %+v", def100.NextHops)
	}

	for dst, typ := range map[string]uint8{"10.66.0.0/16": 6, "10.67.0.0/16": 7, "10.68.0.0/16": 8} {
		r := findRoute(t, routes, 254, dst)
		if r.Type != typ || len(r.NextHops) != 0 {
			t.Errorf("%s: type %d hops %v, want type %d and none", dst, r.Type, r.NextHops, typ)
		}
	}

	r := findRoute(t, routes, 254, "10.60.0.0/16")
	if mtu, ok := r.Metric(snapshots.RTAXMTU); !ok || mtu != 1300 || r.Priority != 50 || r.PrefSrc != ip("10.2.0.1") {
		t.Errorf("10.60.0.0/16: mtu %d priority %d src %v", mtu, r.Priority, r.PrefSrc)
	}
	host := findRoute(t, routes, 254, "10.8.8.8/32")
	if host.Protocol != 3 || host.Scope != 0 || host.NextHops[0].Weight != 1 || host.Multipath {
		t.Errorf("10.8.8.8: %+v", host)
	}
	local := findRoute(t, routes, 255, "10.1.0.11/32")
	if local.Type != 2 || local.Scope != 254 || local.PrefSrc != ip("10.1.0.1") || local.NextHops[0].OIF != a0 {
		t.Errorf("local route: %+v", local)
	}
	for _, r := range routes {
		if r.Family != snapshots.AFInet || r.Cloned || len(r.Extra().Raw) != 0 {
			t.Errorf("%v table %d: family %d cloned %v raw %v", r.Dst, r.Table, r.Family, r.Cloned, rawTypes(r.Extra().Raw))
		}
	}
}

func TestParseRoute6(t *testing.T) {
	routes := decodeAll(t, "route-inet6", ParseRoute)
	findRoute(t, routes, 100, "fd00:98::/48")
	bh := findRoute(t, routes, 254, "fd00:66::/48")
	if bh.Type != 6 {
		t.Errorf("fd00:66::/48 type %d, want blackhole", bh.Type)
	}
	def := findRoute(t, routes, 254, "::/0")
	if def.Priority != 2048 || def.NextHops[0].Gateway != ip("fd00:1::2") {
		t.Errorf("default: priority %d hops %+v", def.Priority, def.NextHops)
	}
	for _, r := range routes {
		// IPv6 routes always carry RTA_CACHEINFO, and RTA_PREF.
		if r.Extra().Cache == nil || r.Family != snapshots.AFInet6 {
			t.Errorf("%v: cache %v family %d", r.Dst, r.Extra().Cache, r.Family)
		}
	}
}

func TestParseRouteCloned(t *testing.T) {
	v4 := decodeAll(t, "route-cloned", ParseRoute)
	v6 := decodeAll(t, "route-cloned6", ParseRoute)
	// The PMTU exceptions testdata/README.md describes.
	e4 := findRoute(t, v4, 100, "10.70.0.1/32")
	e6 := findRoute(t, v6, 254, "fd00:70::1/128")
	for _, e := range []snapshots.Route{e4, e6} {
		mtu, _ := e.Metric(snapshots.RTAXMTU)
		if !e.Cloned || mtu != 1400 || e.Extra().Cache == nil || e.Extra().Cache.Expires == 0 {
			t.Errorf("%v: cloned %v mtu %d cache %+v", e.Dst, e.Cloned, mtu, e.Extra().Cache)
		}
	}
}

func TestParseMFC(t *testing.T) {
	entries := decodeAll(t, "route-ipmr", ParseMFC)
	if len(entries) != 1 {
		t.Fatalf("%d entries, want 1", len(entries))
	}
	e := entries[0]
	want := snapshots.MFCEntry{
		Family: snapshots.AFInet, Table: 253,
		Source: ip("10.1.0.2"), Group: ip("239.2.2.2"),
		IIFVif: -1, IIF: ifindex(t, "a0"),
		Oifs:     []snapshots.MFCOif{{Vif: -1, IfIndex: ifindex(t, "a1"), TTL: 1}},
		Expires:  e.Expires, // age since last use: whatever it was
		Resolved: true,
	}
	if !reflect.DeepEqual(e, want) {
		t.Errorf("got  %+v\nwant %+v", e, want)
	}
	if len(dataMessages(loadDump(t, "route-ip6mr"))) != 0 {
		t.Error("the lab has no IPv6 multicast routes")
	}
	// ParseRoute and ParseMFC refuse each other's families.
	m := dataMessages(loadDump(t, "route-ipmr"))[0]
	if _, err := ParseRoute(m); err == nil {
		t.Error("ParseRoute accepted an IPMR entry")
	}
	if _, err := ParseMFC(dataMessages(loadDump(t, "route-inet"))[0]); err == nil {
		t.Error("ParseMFC accepted an AF_INET route")
	}
}

func TestParseRule(t *testing.T) {
	rules := decodeAll(t, "rule-inet", ParseRule)
	var prios []uint32
	var lab *snapshots.Rule
	for i, r := range rules {
		prios = append(prios, r.Priority)
		if r.Priority == 1000 {
			lab = &rules[i]
		}
	}
	if !slices.Equal(prios, []uint32{0, 1000, 32766, 32767}) {
		t.Errorf("priorities %v", prios)
	}
	if lab == nil {
		t.Fatal("no rule 1000")
	}
	if lab.Table != 100 || lab.Src != pfx("10.1.0.0/24") || lab.Dst.IsValid() || lab.Action != 1 || lab.SuppressPrefixLen != -1 || lab.HasFwMark {
		t.Errorf("rule 1000: %+v", *lab)
	}
	if rules[0].Table != 255 || rules[2].Table != 254 || rules[3].Table != 253 {
		t.Errorf("default rules' tables: %d %d %d", rules[0].Table, rules[2].Table, rules[3].Table)
	}
	if v6 := decodeAll(t, "rule-inet6", ParseRule); len(v6) != 2 || v6[0].Family != snapshots.AFInet6 {
		t.Errorf("IPv6 rules: %+v", v6)
	}
}

func TestParseNeighbour(t *testing.T) {
	ns := decodeAll(t, "neigh", ParseNeighbour)
	find := func(addr string) snapshots.Neighbour {
		t.Helper()
		for _, n := range ns {
			if n.Addr == ip(addr) {
				return n
			}
		}
		t.Fatalf("no neighbour %s", addr)
		return snapshots.Neighbour{}
	}
	a0, a1 := ifindex(t, "a0"), ifindex(t, "a1")
	perm := find("10.1.0.99")
	if perm.State != 0x80 || perm.Index != a0 || !slices.Equal(perm.LLAddr, []byte{2, 0, 0, 0, 0, 0x99}) || !perm.HasCacheInfo || perm.Proxy {
		t.Errorf("permanent neighbour: %+v", perm)
	}
	if p6 := find("fd00:1::99"); p6.State != 0x80 || p6.Family != snapshots.AFInet6 {
		t.Errorf("permanent IPv6 neighbour: %+v", p6)
	}
	if st := find("10.2.0.77"); st.Index != a1 || st.State&(0x04|0x08|0x10|0x02) == 0 {
		t.Errorf("stale neighbour: %+v", st)
	}
	// B answers router advertisements' solicitations: NTF_ROUTER.
	if r := find("fd00:1::2"); r.Flags&0x80 == 0 {
		t.Errorf("fd00:1::2 flags %#x, want NTF_ROUTER", r.Flags)
	}

	proxies := decodeAll(t, "neigh-proxy", ParseNeighbour)
	if len(proxies) != 1 || !proxies[0].Proxy || proxies[0].Addr != ip("10.1.0.200") || proxies[0].Index != a0 {
		t.Errorf("proxy entries: %+v", proxies)
	}
}

func parseTCP(m netlink.Message) (snapshots.InetSocket, error) {
	return ParseInetSocket(m, snapshots.ProtoTCP)
}

func parseUDP(m netlink.Message) (snapshots.InetSocket, error) {
	return ParseInetSocket(m, snapshots.ProtoUDP)
}

func findSocket(t *testing.T, ss []snapshots.InetSocket, local, remote string) snapshots.InetSocket {
	t.Helper()
	for _, s := range ss {
		if s.Local == netip.MustParseAddrPort(local) && (remote == "" || s.Remote == netip.MustParseAddrPort(remote)) {
			return s
		}
	}
	t.Fatalf("no socket %s %s", local, remote)
	return snapshots.InetSocket{}
}

func TestParseInetSocket(t *testing.T) {
	tcp := decodeAll(t, "tcp-inet", parseTCP)
	l := findSocket(t, tcp, "10.1.0.1:8080", "0.0.0.0:0")
	// struct tcp_info starts with tcpi_state; 10 is TCP_LISTEN.
	if l.State != 10 || len(l.TCPInfo) < 104 || l.TCPInfo[0] != 10 {
		t.Errorf("listener: state %d tcp_info %d bytes", l.State, len(l.TCPInfo))
	}
	if l.SendQ != 5 || l.Inode == 0 || l.Cookie == 0 || l.Cong == "" || len(l.SkMem) < 9 || len(l.MemInfo) != 4 {
		t.Errorf("listener: backlog %d inode %d cookie %d cong %q skmem %v meminfo %v",
			l.SendQ, l.Inode, l.Cookie, l.Cong, l.SkMem, l.MemInfo)
	}
	if l.Proto != snapshots.ProtoTCP || l.Family != snapshots.AFInet {
		t.Errorf("listener: proto %d family %d", l.Proto, l.Family)
	}
	var est, cw, tw int
	cookies := map[uint64]bool{}
	for _, s := range tcp {
		switch s.State {
		case 1:
			est++
		case 8:
			cw++
			if s.Remote.Port() != 9000 || s.RecvQ != 1 {
				t.Errorf("CLOSE_WAIT: %v recvq %d", s.Remote, s.RecvQ)
			}
		case 6:
			tw++
			// A time-wait socket has no inode and its timer is 3.
			if s.Timer != 3 || s.Inode != 0 || s.Expires == 0 || s.Remote.Port() != 9001 {
				t.Errorf("TIME_WAIT: timer %d inode %d expires %d remote %v", s.Timer, s.Inode, s.Expires, s.Remote)
			}
		}
		if cookies[s.Cookie] {
			t.Errorf("cookie %d twice", s.Cookie)
		}
		cookies[s.Cookie] = true
	}
	if est != 1 || cw != 1 || tw != 1 {
		t.Errorf("established %d close-wait %d time-wait %d, want 1 each", est, cw, tw)
	}

	tcp6 := decodeAll(t, "tcp-inet6", parseTCP)
	l6 := findSocket(t, tcp6, "[fd00:1::1]:8443", "")
	if l6.State != 10 || l6.V6Only != 2 || l6.Family != snapshots.AFInet6 || len(l6.TCPInfo) == 0 {
		t.Errorf("IPv6 listener: state %d v6only %d family %d", l6.State, l6.V6Only, l6.Family)
	}

	udp := decodeAll(t, "udp-inet", parseUDP)
	conn := findSocket(t, udp, "10.1.0.1:7778", "10.1.0.2:7777")
	if conn.State != 1 || conn.TCPInfo != nil || conn.Proto != snapshots.ProtoUDP {
		t.Errorf("connected UDP: state %d", conn.State)
	}
	if b := findSocket(t, udp, "10.1.0.1:5353", ""); b.State != 7 {
		t.Errorf("bound UDP: state %d", b.State)
	}
	udp6 := decodeAll(t, "udp-inet6", parseUDP)
	if s := findSocket(t, udp6, "[::]:5354", ""); s.V6Only != 1 {
		t.Errorf("udp6 [::]:5354 v6only %d, want 1 (false)", s.V6Only)
	}
}

func TestParseUnixSocket(t *testing.T) {
	us := decodeAll(t, "unix", ParseUnixSocket)
	byName := map[string][]snapshots.UnixSocket{}
	for _, s := range us {
		byName[s.Name] = append(byName[s.Name], s)
		if !s.HasUID || s.Inode == 0 || s.Cookie == 0 || len(s.SkMem) == 0 {
			t.Errorf("inode %d: uid %v cookie %d skmem %v", s.Inode, s.HasUID, s.Cookie, s.SkMem)
		}
	}
	abs := byName["\x00netmortem-lab-nl"]
	if len(abs) != 1 || abs[0].State != 10 || abs[0].Type != 1 || abs[0].VFSInode != 0 {
		t.Errorf("abstract listener: %+v", abs)
	}
	path := byName["/run/netmortem-lab/nl/unix.sock"]
	var listener, accepted int
	for _, s := range path {
		switch s.State {
		case 10:
			listener++
			if s.VFSInode == 0 || s.Peer != 0 {
				t.Errorf("path listener: vfs %d peer %d", s.VFSInode, s.Peer)
			}
		case 1:
			accepted++
			if s.Peer == 0 {
				t.Error("accepted socket without a peer")
			}
		}
	}
	if listener != 1 || accepted != 1 {
		t.Errorf("path socket: %d listeners %d accepted, want 1 and 1", listener, accepted)
	}
	// Every peer of a connected pair names a socket of the dump, and each
	// side names the other.
	inode := map[uint64]snapshots.UnixSocket{}
	for _, s := range us {
		inode[s.Inode] = s
	}
	for _, s := range us {
		if s.Type == 2 && s.Peer != 0 {
			if p, ok := inode[s.Peer]; !ok || p.Peer != s.Inode {
				t.Errorf("socketpair %d -> %d not mutual", s.Inode, s.Peer)
			}
		}
	}
}

func TestParsePacketSocket(t *testing.T) {
	ps := decodeAll(t, "packet", ParsePacketSocket)
	// dhclient's raw packet socket on a0.
	var found bool
	for _, p := range ps {
		if p.IfIndex == ifindex(t, "a0") && p.Type == 3 && p.Running {
			found = true
			if p.Inode == 0 || !hasRaw(p.Raw, packetDiagInfo) || !hasRaw(p.Raw, 7) {
				t.Errorf("packet socket: inode %d raw %v", p.Inode, rawTypes(p.Raw))
			}
		}
	}
	if !found {
		t.Errorf("no running SOCK_RAW packet socket on a0: %+v", ps)
	}
}

// TestNoAliasing checks that no decoded value keeps a subslice of the
// message: after scribbling over the message, the value must not change.
func TestNoAliasing(t *testing.T) {
	decoders := map[string]func(netlink.Message) (any, error){
		"link":        func(m netlink.Message) (any, error) { return ParseLink(m) },
		"addr":        func(m netlink.Message) (any, error) { return ParseAddr(m) },
		"route-inet":  func(m netlink.Message) (any, error) { return ParseRoute(m) },
		"route-inet6": func(m netlink.Message) (any, error) { return ParseRoute(m) },
		"route-ipmr":  func(m netlink.Message) (any, error) { return ParseMFC(m) },
		"rule-inet":   func(m netlink.Message) (any, error) { return ParseRule(m) },
		"neigh":       func(m netlink.Message) (any, error) { return ParseNeighbour(m) },
		"tcp-inet":    func(m netlink.Message) (any, error) { return parseTCP(m) },
		"unix":        func(m netlink.Message) (any, error) { return ParseUnixSocket(m) },
		"packet":      func(m netlink.Message) (any, error) { return ParsePacketSocket(m) },
	}
	for name, dec := range decoders {
		for _, m := range dataMessages(loadDump(t, name)) {
			noAlias(t, name, m, dec)
		}
	}
}

func noAlias(t testing.TB, name string, m netlink.Message, dec func(netlink.Message) (any, error)) {
	t.Helper()
	got, err := dec(m)
	if err != nil {
		return
	}
	m2 := m
	m2.Data = clone(m.Data)
	want, _ := dec(m2)
	for i := range m.Data {
		m.Data[i] ^= 0xa5
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s: decoded value changed with the message bytes", name)
	}
}

func TestParseMPTCPSocket(t *testing.T) {
	ss := decodeAll(t, "mptcp-inet", func(m netlink.Message) (snapshots.InetSocket, error) {
		return ParseInetSocket(m, snapshots.ProtoMPTCP)
	})
	l := findSocket(t, ss, "10.1.0.1:7070", "0.0.0.0:0")
	if l.State != 10 || l.Proto != snapshots.ProtoMPTCP {
		t.Errorf("MPTCP listener: state %d proto %d", l.State, l.Proto)
	}
	var est *snapshots.InetSocket
	for i, s := range ss {
		if s.State == 1 {
			est = &ss[i]
		}
	}
	// INET_DIAG_INFO of an MPTCP socket is a struct mptcp_info: raw, not
	// TCPInfo.
	if est == nil || est.TCPInfo != nil || !hasRaw(est.Raw, inetDiagInfo) || est.Local.Port() != 7070 {
		t.Errorf("established MPTCP socket: %+v", est)
	}
}
