package names

import (
	"net/netip"
	"os"
	"slices"
	"testing"

	"github.com/netmortem/netmortem/snapshots"
)

func mustRead(t testing.TB, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func debianResolver(t testing.TB, hostname string) *Resolver {
	return New(Files{
		Hostname:    hostname,
		Hosts:       mustRead(t, "testdata/tricky/hosts"),
		Networks:    mustRead(t, "testdata/debian/networks"),
		Services:    mustRead(t, "testdata/debian/services"),
		Protocols:   mustRead(t, "testdata/debian/protocols"),
		RouteTables: [][]byte{mustRead(t, "testdata/debian/rt_tables")},
	})
}

func TestServicesDebian(t *testing.T) {
	s := ParseServices(mustRead(t, "testdata/debian/services"))
	for _, c := range []struct {
		port  uint16
		proto string
		name  string
	}{
		{22, "tcp", "ssh"}, {53, "udp", "domain"}, {80, "tcp", "http"}, {443, "tcp", "https"},
		{5672, "sctp", "amqp"}, {4, "ddp", "echo"}, {21, "udp", "fsp"}, {21, "tcp", "ftp"},
		{7, "", "echo"},
	} {
		e, ok := s.Lookup(c.port, c.proto)
		if !ok || e.Name != c.name {
			t.Errorf("Lookup(%d, %q) = %q, %v; want %q", c.port, c.proto, e.Name, ok, c.name)
		}
	}
	if _, ok := s.Lookup(22, "udp"); ok {
		t.Error("22/udp has a name in Debian's file; it should not")
	}
	if e, _ := s.Lookup(80, "tcp"); !slices.Equal(e.Aliases, []string{"www"}) {
		t.Errorf("http aliases = %q", e.Aliases)
	}
	if e, ok := s.LookupName("www", "tcp"); !ok || e.Port != 80 {
		t.Errorf("LookupName(www) = %+v, %v", e, ok)
	}
	if len(s.Skipped()) != 0 {
		t.Errorf("Debian's services has unreadable lines %v", s.Skipped())
	}
}

func TestServicesTricky(t *testing.T) {
	s := ParseServices(mustRead(t, "testdata/tricky/services"))
	for _, c := range []struct {
		port  uint16
		proto string
		name  string
		ok    bool
	}{
		{22, "tcp", "ssh", true},       // first line wins over ssh2
		{8080, "tcp", "hexport", true}, // 0x1f90
		{8, "udp", "octport", true},    // 010
		{99, "tcp", "slashes", true},   // 99//tcp
		{100, "", "noproto", true},     // "100/": protocol ""
		{101, "", "noslash", true},     // number ends the line
		{4464, "tcp", "big", true},     // 70000 keeps its low 16 bits
		{53, "", "both", true},         // any protocol: first line
		{53, "tcp", "both-tcp", true},
		{9899, "tcp", "", false},
	} {
		e, ok := s.Lookup(c.port, c.proto)
		if ok != c.ok || e.Name != c.name {
			t.Errorf("Lookup(%d, %q) = %q, %v; want %q, %v", c.port, c.proto, e.Name, ok, c.name, c.ok)
		}
	}
	if _, ok := s.LookupName("upper", "tcp"); ok {
		t.Error("service names must compare with case")
	}
	if got := s.Skipped(); !slices.Equal(got, []int{10}) { // "neg -5/tcp"
		t.Errorf("Skipped = %v", got)
	}
}

func TestProtocols(t *testing.T) {
	p := ParseProtocols(mustRead(t, "testdata/debian/protocols"))
	for n, want := range map[uint32]string{0: "ip", 1: "icmp", 6: "tcp", 17: "udp", 58: "ipv6-icmp", 132: "sctp"} {
		if got, ok := p.Lookup(n); !ok || got.Name != want {
			t.Errorf("Lookup(%d) = %q, %v; want %q", n, got.Name, ok, want)
		}
	}
	if e, ok := p.LookupName("HOPOPT"); !ok || e.Name != "hopopt" || e.Number != 0 {
		t.Errorf("LookupName(HOPOPT) = %+v, %v", e, ok)
	}
	tr := ParseProtocols(mustRead(t, "testdata/tricky/protocols"))
	if e, ok := tr.Lookup(17); !ok || e.Name != "lead" { // "017" is decimal and comes before udp
		t.Errorf("tricky Lookup(17) = %+v, %v", e, ok)
	}
	if e, ok := tr.Lookup(300); !ok || e.Name != "big" {
		t.Errorf("tricky Lookup(300) = %+v, %v", e, ok)
	}
	if _, ok := tr.Lookup(16); ok {
		t.Error("0x10 is not a decimal protocol number")
	}
	if n, ok := tr.LookupName("icmp6"); !ok || n.Number != 58 {
		t.Errorf("alias icmp6 = %+v, %v", n, ok)
	}
}

func TestNetworks(t *testing.T) {
	n := ParseNetworks(mustRead(t, "testdata/tricky/networks"))
	for a, want := range map[string]string{
		"127.0.0.0": "loopback", "10.1.0.0": "lab", "10.2.0.0": "lab2", "10.3.0.0": "hexnet",
		"10.4.0.0": "octnet", "192.168.1.0": "MixedCase", "255.255.255.255": "badoct", "0.0.0.0": "default",
	} {
		if got, ok := n.Lookup(netip.MustParseAddr(a)); !ok || got.Name != want {
			t.Errorf("Lookup(%s) = %q, %v; want %q", a, got.Name, ok, want)
		}
	}
	if _, ok := n.Lookup(netip.MustParseAddr("127.0.0.1")); ok {
		t.Error("a host address must not match a network number")
	}
	if got, ok := n.LookupName("LAB-NET"); !ok || got.Net != netip.MustParseAddr("10.1.0.0") {
		t.Errorf("LookupName(LAB-NET) = %+v, %v", got, ok)
	}
	if got := n.Skipped(); !slices.Equal(got, []int{10, 11, 12, 13}) {
		t.Errorf("Skipped = %v", got)
	}
}

func TestHosts(t *testing.T) {
	h := ParseHosts(mustRead(t, "testdata/tricky/hosts"))
	for a, want := range map[string]string{
		"10.1.0.2": "gw.lab.example.com", "::1": "localhost", "10.1.0.8": "mapped",
		"::ffff:10.1.0.8": "mapped", "10.1.0.6": "name", "10.1.0.5": "indented",
	} {
		if got, ok := h.Lookup(netip.MustParseAddr(a)); !ok || got.Name != want {
			t.Errorf("Lookup(%s) = %q, %v; want %q", a, got.Name, ok, want)
		}
	}
	for _, a := range []string{"10.1.0.3", "8.1.0.3", "10.1.0.4", "fe80::1", "::ffff:10.1.0.5", "::", "1.2.0.3"} {
		if got, ok := h.Lookup(netip.MustParseAddr(a)); ok {
			t.Errorf("Lookup(%s) = %+v; want no name", a, got)
		}
	}
	if e, _ := h.Lookup(netip.MustParseAddr("10.1.0.7")); !slices.Equal(e.Aliases, []string{"alias1", "alias2"}) {
		t.Errorf("aliases = %q", e.Aliases)
	}
	if got := h.LookupName("GW"); !slices.Equal(got, []netip.Addr{netip.MustParseAddr("10.1.0.2")}) {
		t.Errorf("LookupName(GW) = %v", got)
	}
	if got := h.LookupName("localhost"); len(got) != 2 {
		t.Errorf("LookupName(localhost) = %v", got)
	}
	if got := h.Skipped(); !slices.Equal(got, []int{9, 10, 11, 19}) {
		t.Errorf("Skipped = %v", got)
	}
}

func TestRouteTables(t *testing.T) {
	deb := ParseRouteTables(mustRead(t, "testdata/debian/rt_tables"))
	for id, want := range map[uint32]string{0: "unspec", 253: "default", 254: "main", 255: "local"} {
		if got, ok := deb.Name(id); !ok || got != want {
			t.Errorf("Name(%d) = %q, %v", id, got, ok)
		}
	}
	if _, ok := deb.Name(1); ok {
		t.Error("the commented #1 inr.ruhep must not count")
	}
	tr := ParseRouteTables(mustRead(t, "testdata/debian/rt_tables"), mustRead(t, "testdata/tricky/rt_tables.d/lab.conf"),
		mustRead(t, "testdata/tricky/rt_tables.d/broken.conf"))
	for id, want := range map[uint32]string{100: "lab", 0x200: "hexid", 254: "primary", 101: "trailing", 7: "seven"} {
		if got, ok := tr.Name(id); !ok || got != want {
			t.Errorf("Name(%d) = %q, %v; want %q", id, got, ok, want)
		}
	}
	if _, ok := tr.Name(9); ok {
		t.Error("a line after the corrupt one must not be read")
	}
	if _, ok := tr.ID("minus1"); ok {
		t.Error("iproute2 drops negative ids")
	}
	if id, ok := tr.ID("main"); !ok || id != 254 {
		t.Errorf("ID(main) = %d, %v", id, ok) // the built-in entry survives the renaming
	}
	if id, ok := tr.ID("dup"); !ok || id != 300 { // 300&255=44 beats 150
		t.Errorf("ID(dup) = %d, %v", id, ok)
	}
	if got := tr.Stopped(); !slices.Equal(got, []int{0, 0, 3}) {
		t.Errorf("Stopped = %v", got)
	}
	none := ParseRouteTables()
	if got, ok := none.Name(254); !ok || got != "main" || none.Len() != 4 {
		t.Errorf("defaults: Name(254) = %q, %v, Len %d", got, ok, none.Len())
	}
}

func TestResolverDomainAndNames(t *testing.T) {
	r := debianResolver(t, "vm") // short name: the domain comes from the hosts line of "vm"
	if r.Domain() != "lab.example.com" {
		t.Fatalf("Domain = %q", r.Domain())
	}
	for a, want := range map[string]string{
		"10.1.0.2":        "gw",                   // gw.lab.example.com
		"10.1.0.121":      "dhcp121",              // dhcp121.lab.example.com
		"192.168.1.10":    "Mixed",                // case-insensitive domain
		"10.1.0.9":        "db.other.example.com", // other domain: kept
		"::ffff:10.1.0.2": "gw",                   // netstat looks mapped addresses up as IPv4
		"fd00:1::1":       "v6host",
	} {
		if got, ok := r.HostName(netip.MustParseAddr(a)); !ok || got != want {
			t.Errorf("HostName(%s) = %q, %v; want %q", a, got, ok, want)
		}
	}
	if e, ok := r.Host(netip.MustParseAddr("10.1.0.2")); !ok || e.Name != "gw.lab.example.com" {
		t.Errorf("Host = %+v", e)
	}
	if r2 := debianResolver(t, "box.other.example.com"); r2.Domain() != "other.example.com" {
		t.Errorf("Domain from FQDN hostname = %q", r2.Domain())
	} else if got, _ := r2.HostName(netip.MustParseAddr("10.1.0.9")); got != "db" {
		t.Errorf("HostName with other domain = %q", got)
	}
	if r3 := debianResolver(t, "unknown"); r3.Domain() != "" {
		t.Errorf("Domain of a host not in hosts = %q", r3.Domain())
	} else if got, _ := r3.HostName(netip.MustParseAddr("10.1.0.2")); got != "gw.lab.example.com" {
		t.Errorf("no domain: HostName = %q", got)
	}
	if s := r.StripDomain("x.LAB.example.com"); s != "x" {
		t.Errorf("StripDomain = %q", s)
	}

	if n, _ := r.ServiceName(22, "tcp"); n != "ssh" {
		t.Errorf("ServiceName(22) = %q", n)
	}
	if p, _ := r.ServicePort("https", "tcp"); p != 443 {
		t.Errorf("ServicePort(https) = %d", p)
	}
	if n, _ := r.ProtocolName(132); n != "sctp" {
		t.Errorf("ProtocolName(132) = %q", n)
	}
	if n, _ := r.ProtocolNumber("udp"); n != 17 {
		t.Errorf("ProtocolNumber(udp) = %d", n)
	}
	if n, _ := r.TableName(255); n != "local" {
		t.Errorf("TableName(255) = %q", n)
	}
	if id, _ := r.TableID("main"); id != 254 {
		t.Errorf("TableID(main) = %d", id)
	}
}

func TestResolverRouteAndInterfaceNames(t *testing.T) {
	r := New(Files{Hostname: "vm", Hosts: mustRead(t, "testdata/tricky/hosts"), Networks: mustRead(t, "testdata/tricky/networks")})
	for p, want := range map[string]string{
		"127.0.0.0/8":    "loopback",
		"10.1.0.0/16":    "lab", // networks first
		"10.1.0.0/24":    "lab", // the number matches whatever the mask
		"10.1.0.2/32":    "gw",  // then hosts, domain-stripped
		"169.254.0.0/16": "link-local",
		"fd00:1::1/128":  "v6host",
	} {
		if got, ok := r.RouteDestName(netip.MustParsePrefix(p)); !ok || got != want {
			t.Errorf("RouteDestName(%s) = %q, %v; want %q", p, got, ok, want)
		}
	}
	if got, ok := r.RouteDestName(netip.MustParsePrefix("10.77.0.0/16")); ok {
		t.Errorf("RouteDestName(10.77/16) = %q", got)
	}
	// -i Net/Dest: network name first, else the interface's own host name.
	if got, _ := r.InterfaceNetName(netip.MustParseAddr("127.0.0.1"), 8); got != "loopback" {
		t.Errorf("InterfaceNetName(lo) = %q", got)
	}
	if got, _ := r.InterfaceNetName(netip.MustParseAddr("10.1.0.121"), 30); got != "dhcp121" {
		t.Errorf("InterfaceNetName(10.1.0.121/30) = %q", got) // 10.1.0.120 is no network
	}
	if got, _ := r.InterfaceNetName(netip.MustParseAddr("10.1.0.121"), 24); got != "lab" {
		t.Errorf("InterfaceNetName(10.1.0.121/24) = %q", got) // 10.1.0.0 is "lab 10.1"
	}
	// A zero mask gets a classful guess: 10.1.2.3 → 10.0.0.0/8, not named; 127.1.2.3 → loopback.
	if got, _ := r.InterfaceNetName(netip.MustParseAddr("127.1.2.3"), 0); got != "loopback" {
		t.Errorf("classful guess = %q", got)
	}
}

func TestNilAndEmptyResolver(t *testing.T) {
	a := netip.MustParseAddr("127.0.0.1")
	for name, r := range map[string]*Resolver{"nil": nil, "zero": {}} {
		if _, ok := r.HostName(a); ok {
			t.Errorf("%s: HostName has a name", name)
		}
		if _, ok := r.NetworkName(a); ok {
			t.Errorf("%s: NetworkName has a name", name)
		}
		if _, ok := r.ServiceName(22, "tcp"); ok {
			t.Errorf("%s: ServiceName has a name", name)
		}
		if _, ok := r.ProtocolName(6); ok {
			t.Errorf("%s: ProtocolName has a name", name)
		}
		if _, ok := r.TableName(254); ok {
			t.Errorf("%s: TableName has a name", name)
		}
		if _, ok := r.RouteDestName(netip.MustParsePrefix("127.0.0.0/8")); ok {
			t.Errorf("%s: RouteDestName has a name", name)
		}
		if _, ok := r.InterfaceNetName(a, 8); ok {
			t.Errorf("%s: InterfaceNetName has a name", name)
		}
		if r.StripDomain("a.b") != "a.b" || r.HostAddrs("localhost") != nil {
			t.Errorf("%s: StripDomain/HostAddrs", name)
		}
	}
	// Missing files: numbers everywhere but table names keep iproute2's built-ins.
	r := New(Files{Hostname: "vm"})
	if _, ok := r.ServiceName(22, "tcp"); ok {
		t.Error("no services file and no fallback: ServiceName has a name")
	}
	if n, ok := r.TableName(254); !ok || n != "main" {
		t.Errorf("TableName(254) = %q, %v", n, ok)
	}
	fb := New(Files{FallbackServices: true})
	if n, ok := fb.ServiceName(22, "tcp"); !ok || n != "ssh" {
		t.Errorf("fallback ServiceName(22) = %q, %v", n, ok)
	}
	if n, ok := fb.ServiceName(53, "udp"); !ok || n != "domain" {
		t.Errorf("fallback ServiceName(53/udp) = %q, %v", n, ok)
	}
	withFile := New(Files{Services: []byte("myssh 22/tcp\n"), FallbackServices: true})
	if n, _ := withFile.ServiceName(22, "tcp"); n != "myssh" {
		t.Errorf("the captured file must win over the fallback: %q", n)
	}
	if _, ok := withFile.ServiceName(53, "udp"); ok {
		t.Error("the fallback must not fill gaps of a captured file")
	}
}

func TestFilesFrom(t *testing.T) {
	raw := []snapshots.RawFile{
		{Path: "/etc/hosts", Data: []byte("10.0.0.1 a.example.org a\n")},
		{Path: "/etc/services", Err: "permission denied"},
		{Path: "/usr/share/iproute2/rt_tables", Data: []byte("1 vendorbase\n")},
		{Path: "/etc/iproute2/rt_tables", Data: []byte("2 etcbase\n")},
		{Path: "/usr/share/iproute2/rt_tables.d/b.conf", Data: []byte("3 vendor-b\n")},
		{Path: "/etc/iproute2/rt_tables.d/b.conf", Data: []byte("3 etc-b\n")},
		{Path: "/etc/iproute2/rt_tables.d/a.conf", Data: []byte("4 etc-a\n")},
		{Path: "/etc/iproute2/rt_tables.d/README", Data: []byte("junk\n")},
	}
	f := FilesFrom("h.example.org", raw)
	if f.Services != nil || f.Hosts == nil || f.Networks != nil {
		t.Errorf("FilesFrom picked %+v", f)
	}
	r := New(f)
	want := map[uint32]string{2: "etcbase", 3: "etc-b", 4: "etc-a"}
	for id, n := range want {
		if got, _ := r.TableName(id); got != n {
			t.Errorf("TableName(%d) = %q; want %q", id, got, n)
		}
	}
	if _, ok := r.TableName(1); ok {
		t.Error("the vendor rt_tables must be ignored when /etc has one")
	}
	if got, _ := r.HostName(netip.MustParseAddr("10.0.0.1")); got != "a" {
		t.Errorf("HostName = %q", got)
	}
	if len(f.RouteTables) != 3 {
		t.Errorf("RouteTables has %d files", len(f.RouteTables))
	}
}
