package leases

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/netmortem/netmortem/snapshots"
)

// Modification times of the lab files, as they were when captured (git
// does not keep them; see testdata/README.md).
var (
	mtimeDhclientLab = time.Date(2026, 11, 28, 22, 47, 27, 543209089, time.UTC)
	mtimeDhcpcd4     = time.Date(2026, 11, 28, 22, 59, 12, 119209089, time.UTC)
	mtimeDhcpcd6     = time.Date(2026, 11, 28, 22, 59, 34, 203209089, time.UTC)
	mtimeNetworkd    = time.Date(2026, 11, 28, 23, 3, 14, 250700518, time.UTC)
)

func read(t testing.TB, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func utc(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04:05", s)
	if err != nil {
		panic(err)
	}
	return t
}

func option(l snapshots.Lease, name string) (string, bool) {
	for _, o := range l.Options {
		if o.Name == name {
			return o.Value, true
		}
	}
	return "", false
}

func addrs(s ...string) []netip.Addr {
	var out []netip.Addr
	for _, a := range s {
		out = append(out, netip.MustParseAddr(a))
	}
	return out
}

// labLease4 checks what the lab's dnsmasq hands out: an address of
// 10.1.0.100–150 for an hour from 10.1.0.2, router 10.1.0.2, /24.
func labLease4(t *testing.T, l snapshots.Lease) {
	t.Helper()
	if l.Interface != "a0" || l.Family != snapshots.AFInet {
		t.Errorf("interface %q family %d", l.Interface, l.Family)
	}
	if !netip.MustParsePrefix("10.1.0.0/24").Contains(l.Address) || l.Address.As4()[3] < 100 || l.Address.As4()[3] > 150 {
		t.Errorf("address %s outside the lab's pool", l.Address)
	}
	if l.Server != netip.MustParseAddr("10.1.0.2") || !slices.Equal(l.Routers, addrs("10.1.0.2")) {
		t.Errorf("server %s routers %v", l.Server, l.Routers)
	}
	if l.LeaseTime != 3600 || l.PrefixLen != 24 || l.BOOTP {
		t.Errorf("lease time %d prefix %d bootp %v", l.LeaseTime, l.PrefixLen, l.BOOTP)
	}
	if got := l.Expire.Sub(l.Start); got != time.Hour {
		t.Errorf("expire − start = %v", got)
	}
	if !(l.Start.Before(l.Renew) && l.Renew.Before(l.Rebind) && l.Rebind.Before(l.Expire)) {
		t.Errorf("times out of order: %v %v %v %v", l.Start, l.Renew, l.Rebind, l.Expire)
	}
}

func TestDhclientLab(t *testing.T) {
	const p = "/run/netmortem-lab/ls/dhclient.a0.leases"
	ls, err := ParseDhclient(p, read(t, "testdata/lab/dhclient.a0.leases"), mtimeDhclientLab)
	if err != nil || len(ls) != 1 {
		t.Fatalf("ParseDhclient = %d leases, %v", len(ls), err)
	}
	l := ls[0]
	labLease4(t, l)
	if l.Address != netip.MustParseAddr("10.1.0.121") {
		t.Errorf("address %s", l.Address)
	}
	// The file's times are UTC instants.
	if !l.Renew.Equal(utc("2026-11-28 23:13:44")) || !l.Rebind.Equal(utc("2026-11-28 23:39:57")) ||
		!l.Expire.Equal(utc("2026-11-28 23:47:27")) {
		t.Errorf("renew %v rebind %v expire %v", l.Renew, l.Rebind, l.Expire)
	}
	// dhclient wrote the file when it bound, so expire − lease time is the mtime to the second.
	if d := mtimeDhclientLab.Sub(l.Start); d < 0 || d >= time.Second {
		t.Errorf("start %v is not the file's mtime %v", l.Start, mtimeDhclientLab)
	}
	if l.Client != ClientDhclient || l.SourceFile != p || !l.ModTime.Equal(mtimeDhclientLab) {
		t.Errorf("client %q source %q mtime %v", l.Client, l.SourceFile, l.ModTime)
	}
	if v, _ := option(l, "host-name"); v != `"vm"` {
		t.Errorf("host-name option = %q", v)
	}
	if v, _ := option(l, "dhcp-renewal-time"); v != "1800" {
		t.Errorf("dhcp-renewal-time option = %q", v)
	}
	if len(l.Options) != 14 { // every statement of the block
		t.Errorf("%d options: %v", len(l.Options), l.Options)
	}
}

func TestDhclientLastBlockWins(t *testing.T) {
	ls, err := ParseDhclient("/var/lib/dhcp/dhclient.a0.leases", read(t, "testdata/lab/dhclient.renewed.leases"), time.Time{})
	if err != nil || len(ls) != 1 {
		t.Fatalf("ParseDhclient = %d leases, %v", len(ls), err)
	}
	labLease4(t, ls[0])
	if !ls[0].Renew.Equal(utc("2026-11-28 23:24:40")) || !ls[0].Expire.Equal(utc("2026-11-28 23:59:40")) {
		t.Errorf("not the last block: renew %v expire %v", ls[0].Renew, ls[0].Expire)
	}
}

func TestDhclient6Lab(t *testing.T) {
	ls, err := ParseDhclient("/var/lib/dhcp/dhclient6.a0.leases", read(t, "testdata/lab/dhclient6.a0.leases"), time.Time{})
	if err != nil || len(ls) != 1 {
		t.Fatalf("ParseDhclient = %d leases, %v", len(ls), err)
	}
	l := ls[0]
	start := time.Unix(1795906767, 0)
	if l.Family != snapshots.AFInet6 || l.Interface != "a0" || !netip.MustParsePrefix("fd00:1::/64").Contains(l.Address) || l.PrefixLen != 128 {
		t.Errorf("family %d iface %q address %s/%d", l.Family, l.Interface, l.Address, l.PrefixLen)
	}
	if !l.Start.Equal(start) || !l.Renew.Equal(start.Add(1800*time.Second)) || !l.Rebind.Equal(start.Add(3150*time.Second)) ||
		!l.Expire.Equal(start.Add(time.Hour)) || l.LeaseTime != 3600 {
		t.Errorf("start %v renew %v rebind %v expire %v lease %d", l.Start, l.Renew, l.Rebind, l.Expire, l.LeaseTime)
	}
	if v, _ := option(l, "dhcp6.server-id"); v != "0:1:0:1:32:9e:19:4b:2:0:0:0:b:0" {
		t.Errorf("server-id = %q", v)
	}
	if v, _ := option(l, "ia-na.iaaddr.preferred-life"); v != "3600" {
		t.Errorf("preferred-life = %q", v)
	}
}

func TestDhcpcdLab(t *testing.T) {
	ls, err := ParseDhcpcd("/var/lib/dhcpcd/a0.lease", read(t, "testdata/lab/a0.lease"), mtimeDhcpcd4)
	if err != nil || len(ls) != 1 {
		t.Fatalf("ParseDhcpcd = %d leases, %v", len(ls), err)
	}
	l := ls[0]
	labLease4(t, l)
	if !l.Start.Equal(mtimeDhcpcd4) || !l.Renew.Equal(mtimeDhcpcd4.Add(1800*time.Second)) ||
		!l.Rebind.Equal(mtimeDhcpcd4.Add(3150*time.Second)) || !l.Expire.Equal(mtimeDhcpcd4.Add(time.Hour)) {
		t.Errorf("times %v %v %v %v", l.Start, l.Renew, l.Rebind, l.Expire)
	}
	if v, _ := option(l, "option-28"); v != "0a0100ff" { // broadcast 10.1.0.255
		t.Errorf("option-28 = %q", v)
	}
	if v, _ := option(l, "chaddr"); v != "02000000"+"0a00" {
		t.Errorf("chaddr = %q", v)
	}
}

func TestDhcpcdBOOTPAndOverload(t *testing.T) {
	lab := read(t, "testdata/lab/a0.lease")
	// A BOOTP reply: the same message without option 53 (its first option).
	bootp := slices.Clone(lab)
	copy(bootp[240:], append(slices.Clone(lab[243:]), 0, 0, 0))
	ls, err := ParseDhcpcd("/var/lib/dhcpcd/eth0.lease", bootp, mtimeDhcpcd4)
	if err != nil || !ls[0].BOOTP || ls[0].Interface != "eth0" || ls[0].LeaseTime != 3600 {
		t.Fatalf("BOOTP reply: %+v, %v", ls, err)
	}
	// Option overload (52 = 3): the lease time moves into the file field,
	// the router into sname.
	ov := slices.Clone(lab[:240])
	ov = append(ov, 53, 1, 5, 54, 4, 10, 1, 0, 2, 52, 1, 3, 255)
	copy(ov[108:], []byte{51, 4, 0, 0, 0x0e, 0x10, 255})
	copy(ov[44:], []byte{3, 4, 10, 1, 0, 2, 1, 4, 255, 255, 255, 0, 255})
	ls, err = ParseDhcpcd("/var/lib/dhcpcd/eth0.lease", ov, mtimeDhcpcd4)
	if err != nil {
		t.Fatal(err)
	}
	if l := ls[0]; l.LeaseTime != 3600 || !slices.Equal(l.Routers, addrs("10.1.0.2")) || l.PrefixLen != 24 || l.BOOTP {
		t.Errorf("overloaded: %+v", l)
	}
	if _, ok := option(ls[0], "sname"); ok {
		t.Error("an overloaded sname must not be reported as a server name")
	}
	for _, bad := range [][]byte{lab[:100], append(slices.Clone(lab[:240]), 51, 9, 0), append(slices.Clone(lab[:236]), 1, 2, 3, 4)} {
		if _, err := ParseDhcpcd("/var/lib/dhcpcd/eth0.lease", bad, mtimeDhcpcd4); err == nil {
			t.Errorf("no error for a %d-byte damaged message", len(bad))
		}
	}
}

func TestDhcpcd6Lab(t *testing.T) {
	ls, err := ParseDhcpcd6("/var/lib/dhcpcd/a0.lease6", read(t, "testdata/lab/a0.lease6"), mtimeDhcpcd6)
	if err != nil || len(ls) != 1 {
		t.Fatalf("ParseDhcpcd6 = %d leases, %v", len(ls), err)
	}
	l := ls[0]
	if l.Interface != "a0" || l.Family != snapshots.AFInet6 || !netip.MustParsePrefix("fd00:1::/64").Contains(l.Address) || l.PrefixLen != 128 {
		t.Errorf("iface %q family %d address %s/%d", l.Interface, l.Family, l.Address, l.PrefixLen)
	}
	if l.LeaseTime != 3600 || !l.Renew.Equal(mtimeDhcpcd6.Add(1800*time.Second)) || !l.Rebind.Equal(mtimeDhcpcd6.Add(3150*time.Second)) ||
		!l.Expire.Equal(mtimeDhcpcd6.Add(time.Hour)) {
		t.Errorf("lease %d renew %v rebind %v expire %v", l.LeaseTime, l.Renew, l.Rebind, l.Expire)
	}
	if v, _ := option(l, "option6-2"); !strings.HasPrefix(v, "00010001") { // server DUID-LLT
		t.Errorf("server id = %q", v)
	}
	if v, _ := option(l, "msg-type"); v != "7" {
		t.Errorf("msg-type = %q (want REPLY)", v)
	}
}

func TestNetworkdLab(t *testing.T) {
	const p = "/run/systemd/netif/leases/2"
	data := read(t, "testdata/lab/networkd/lease.2")
	ls, err := ParseNetworkd(p, data, mtimeNetworkd, map[int32]string{1: "lo", 2: "a0", 3: "a1"})
	if err != nil || len(ls) != 1 {
		t.Fatalf("ParseNetworkd = %d leases, %v", len(ls), err)
	}
	l := ls[0]
	labLease4(t, l)
	if !l.Start.Equal(mtimeNetworkd) || !l.Renew.Equal(mtimeNetworkd.Add(1800*time.Second)) || !l.Rebind.Equal(mtimeNetworkd.Add(3150*time.Second)) {
		t.Errorf("times %v %v %v", l.Start, l.Renew, l.Rebind)
	}
	if v, _ := option(l, "CLIENTID"); v == "" {
		t.Error("CLIENTID not kept")
	}
	ls, err = ParseNetworkd(p, data, mtimeNetworkd, nil)
	if err != nil || ls[0].Interface != "if#2" {
		t.Errorf("unknown index: %q, %v", ls[0].Interface, err)
	}
}

func TestTimespan(t *testing.T) {
	for s, want := range map[string]uint32{
		"3600": 3600, "5min": 300, "8min 45s": 525, "52min 30s": 3150, "1h": 3600, "1d": 86400,
		"1.5s": 1, "2w": 1209600, "1M": 2629800, "1y 1d": 31644000, "infinity": infinite, "90 sec": 90,
	} {
		if got, err := parseTimespan(s); err != nil || got != want {
			t.Errorf("parseTimespan(%q) = %d, %v; want %d", s, got, err, want)
		}
	}
	for _, s := range []string{"", "min", "5 parsecs", "1.2.3s", "99999999999y", "-5s"} {
		if got, err := parseTimespan(s); err == nil {
			t.Errorf("parseTimespan(%q) = %d; want an error", s, got)
		}
	}
}

// TestFixtures reads the hand-written files of testdata/root (formats from
// the clients' documentation and sources; see testdata/README.md).
func TestFixtures(t *testing.T) {
	root := "testdata/root"
	mtime := time.Date(2025, 6, 2, 8, 20, 0, 0, time.UTC)
	parse := func(p string, ifn map[int32]string) ([]snapshots.Lease, error) {
		return Parse(p, read(t, filepath.Join(root, p)), mtime, ifn)
	}

	t.Run("debian-shared", func(t *testing.T) {
		ls, err := parse("/var/lib/dhcp/dhclient.leases", nil)
		if err == nil || !strings.Contains(err.Error(), "end of file") {
			t.Errorf("a truncated last block must be reported, got %v", err)
		}
		if len(ls) != 3 {
			t.Fatalf("%d leases; want eth0, eth1, wlan0", len(ls))
		}
		eth0, eth1, wlan0 := ls[0], ls[1], ls[2]
		if eth0.Interface != "eth0" || eth0.Address != netip.MustParseAddr("192.168.10.57") ||
			!eth0.Expire.Equal(utc("2024-03-12 21:35:02")) || !eth0.Start.Equal(utc("2024-03-11 21:35:02")) {
			t.Errorf("eth0 (the second eth0 block; the cut third is dropped): %+v", eth0)
		}
		if v, _ := option(eth0, "domain-search"); v != `"corp.example.com.", "example.com."` {
			t.Errorf("domain-search kept as %q", v)
		}
		if !eth1.BOOTP || eth1.Interface != "eth1" || !eth1.Expire.IsZero() || !eth1.Start.IsZero() || eth1.PrefixLen != 16 {
			t.Errorf("eth1 BOOTP lease: %+v", eth1)
		}
		if v, _ := option(eth1, "filename"); v != `"pxelinux.0"` {
			t.Errorf("filename = %q", v)
		}
		if !wlan0.Renew.Equal(time.Unix(1710230400, 0)) || !wlan0.Expire.Equal(time.Unix(1710236700, 0)) ||
			!wlan0.Start.Equal(time.Unix(1710236700-7200, 0)) || wlan0.PrefixLen != 22 {
			t.Errorf("wlan0 epoch times: %+v", wlan0)
		}
	})

	t.Run("rhel", func(t *testing.T) {
		ls, err := parse("/var/lib/dhclient/dhclient-ens192.leases", nil)
		if err != nil || len(ls) != 1 {
			t.Fatalf("%d leases, %v", len(ls), err)
		}
		l := ls[0]
		if l.Interface != "ens192" || l.Server != netip.MustParseAddr("10.44.0.10") || l.PrefixLen != 23 ||
			l.LeaseTime != 43200 || !l.Start.Equal(utc("2023-11-02 08:00:00")) || !l.Renew.Equal(utc("2023-11-02 14:00:00")) {
			t.Errorf("%+v", l)
		}
	})

	t.Run("rhel-v6", func(t *testing.T) {
		ls, err := parse("/var/lib/dhclient/dhclient6-ens192.leases", nil)
		if err != nil || len(ls) != 2 {
			t.Fatalf("%d leases, %v", len(ls), err)
		}
		na, pd := ls[0], ls[1]
		if na.Address != netip.MustParseAddr("2001:db8:44:3::21") || !na.Expire.IsZero() || na.LeaseTime != infinite ||
			!na.Renew.IsZero() || !na.Rebind.IsZero() {
			t.Errorf("IA_NA with infinite life and T1=T2=0: %+v", na)
		}
		if pd.Address != netip.MustParseAddr("2001:db8:4400:100::") || pd.PrefixLen != 56 ||
			!pd.Start.Equal(time.Unix(1698926410, 0)) || !pd.Expire.Equal(time.Unix(1698926410+3600, 0)) ||
			!pd.Renew.Equal(time.Unix(1698926400+1800, 0)) {
			t.Errorf("IA_PD: %+v", pd)
		}
	})

	t.Run("nm-dhclient", func(t *testing.T) {
		ls, err := parse("/var/lib/NetworkManager/dhclient-5b2a1c3e-8f4d-4c1a-9b7e-2d6f0a1b3c4d-ens3.lease", nil)
		if err != nil || len(ls) != 1 || ls[0].Client != ClientNetworkManager || ls[0].Interface != "ens3" ||
			!ls[0].Start.Equal(utc("2019-06-05 09:55:11")) {
			t.Fatalf("%+v, %v", ls, err)
		}
	})

	t.Run("nm-internal", func(t *testing.T) {
		ls, err := parse("/var/lib/NetworkManager/internal-5b2a1c3e-8f4d-4c1a-9b7e-2d6f0a1b3c4d-enp1s0.lease", nil)
		if err != nil || len(ls) != 1 {
			t.Fatalf("%d leases, %v", len(ls), err)
		}
		l := ls[0]
		if l.Interface != "enp1s0" || l.Address != netip.MustParseAddr("192.168.122.140") || !l.Start.IsZero() || !l.Expire.IsZero() ||
			l.Client != ClientNetworkManager {
			t.Errorf("%+v", l)
		}
	})

	t.Run("networkd-timespans", func(t *testing.T) {
		ls, err := parse("/run/systemd/netif/leases/3", map[int32]string{3: "enp0s3"})
		if err != nil || len(ls) != 1 {
			t.Fatalf("%d leases, %v", len(ls), err)
		}
		l := ls[0]
		if l.Interface != "enp0s3" || !slices.Equal(l.Routers, addrs("10.0.2.2", "10.0.2.3")) || l.LeaseTime != 86400 ||
			!l.Renew.Equal(mtime.Add(12*time.Hour)) || !l.Rebind.Equal(mtime.Add(21*time.Hour)) || !l.Expire.Equal(mtime.Add(24*time.Hour)) {
			t.Errorf("%+v", l)
		}
		if v, _ := option(l, "OPTION_245"); v != "0a000201" {
			t.Errorf("OPTION_245 = %q", v)
		}
	})

	t.Run("networkd-json", func(t *testing.T) {
		ls, err := parse("/run/systemd/netif/leases/4", map[int32]string{4: "ens4"})
		if err != nil || len(ls) != 1 {
			t.Fatalf("%d leases, %v", len(ls), err)
		}
		l := ls[0]
		stamp := time.Date(2025, 6, 2, 8, 15, 30, 123456000, time.UTC)
		if l.Address != netip.MustParseAddr("10.0.3.15") || l.PrefixLen != 24 || l.Server != netip.MustParseAddr("10.0.3.2") ||
			!slices.Equal(l.Routers, addrs("10.0.3.2")) || l.LeaseTime != 3600 {
			t.Errorf("%+v", l)
		}
		if !l.Start.Equal(stamp) || !l.Renew.Equal(stamp.Add(30*time.Minute)) || !l.Rebind.Equal(stamp.Add(3150*time.Second)) {
			t.Errorf("times from Timestamp_realtime: %v %v %v", l.Start, l.Renew, l.Rebind)
		}
		if v, _ := option(l, "Servers"); v != `{"DNS":[[10,0,3,3]]}` {
			t.Errorf("Servers kept as %q", v)
		}
		if l.Options[0].Name != "Address" || l.Options[len(l.Options)-1].Name != "Timestamp_realtime" {
			t.Errorf("options not in file order: %v", l.Options)
		}
	})

	t.Run("dhcpcd-wifi", func(t *testing.T) {
		ls, err := parse("/var/lib/dhcpcd/wlan0-Home-Net.lease", nil)
		if err != nil || len(ls) != 1 || ls[0].Interface != "wlan0-Home-Net" || !ls[0].Start.Equal(mtime) {
			t.Fatalf("%+v, %v", ls, err)
		}
	})

	t.Run("wicked", func(t *testing.T) {
		ls, err := parse("/var/lib/wicked/lease-eth0-dhcp-ipv4.xml", nil)
		if err != nil || len(ls) != 1 {
			t.Fatalf("%d leases, %v", len(ls), err)
		}
		l := ls[0]
		start := time.Unix(1655190000, 0)
		if l.Interface != "eth0" || l.Address != netip.MustParseAddr("192.168.100.77") || l.PrefixLen != 24 ||
			l.Server != netip.MustParseAddr("192.168.100.1") || l.LeaseTime != 28800 || !l.Start.Equal(start) ||
			!l.Renew.Equal(start.Add(4*time.Hour)) || !l.Rebind.Equal(start.Add(7*time.Hour)) || !l.Expire.Equal(start.Add(8*time.Hour)) {
			t.Errorf("%+v", l)
		}
		if v, _ := option(l, "ipv4:dhcp.routes.route.nexthop.gateway"); v != "192.168.100.1" {
			t.Errorf("gateway option = %q", v)
		}
		if _, err := ParseWicked("/var/lib/wicked/lease-eth0-dhcp-ipv6.xml",
			[]byte("<lease><family>ipv6</family><type>dhcp</type></lease>"), mtime); !errors.Is(err, ErrWickedIPv6) {
			t.Errorf("IPv6 wicked lease: %v", err)
		}
	})
}

func TestClassifyAndIface(t *testing.T) {
	for p, want := range map[string]struct {
		kind  Kind
		iface string
	}{
		"/var/lib/dhcp/dhclient.eth0.leases":                                                {KindDhclient, "eth0"},
		"/var/lib/dhcp/dhclient6.eth0.leases":                                               {KindDhclient, "eth0"},
		"/var/lib/dhcp/dhclient.leases":                                                     {KindDhclient, ""},
		"/var/lib/dhclient/dhclient-bond0.100.leases":                                       {KindDhclient, "bond0.100"},
		"/var/lib/dhclient/dhclient6-eth1.leases":                                           {KindDhclient, "eth1"},
		"/var/lib/NetworkManager/dhclient6-5b2a1c3e-8f4d-4c1a-9b7e-2d6f0a1b3c4d-eth0.lease": {KindDhclient, "eth0"},
		"/var/lib/NetworkManager/internal-5b2a1c3e-8f4d-4c1a-9b7e-2d6f0a1b3c4d-my-if.lease": {KindNMInternal, "my-if"},
		"/var/lib/NetworkManager/internal6-5b2a1c3e-8f4d-4c1a-9b7e-2d6f0a1b3c4d-eth0.lease": {KindNMInternal, "eth0"},
		"/run/systemd/netif/leases/12":                                                      {KindNetworkd, "12"},
		"/var/lib/dhcpcd/eth0.lease":                                                        {KindDhcpcd, "eth0"},
		"/var/lib/dhcpcd/eth0.lease6":                                                       {KindDhcpcd6, "eth0"},
		"/var/db/dhcpcd-eth0.lease":                                                         {KindDhcpcd, "eth0"},
		"/var/lib/wicked/lease-eth0-dhcp-ipv4.xml":                                          {KindWicked, "eth0"},
	} {
		c, ok := Classify(p)
		if !ok || c.Kind != want.kind || ifaceFromName(p) != want.iface {
			t.Errorf("%s: %v %v iface %q; want %v %q", p, c.Kind, ok, ifaceFromName(p), want.kind, want.iface)
		}
	}
	for _, p := range []string{"/var/lib/dhcp/dhcpd.leases", "/var/lib/NetworkManager/NetworkManager.state",
		"/run/systemd/netif/leases/x", "/var/db/other.lease", "/var/lib/dhcpcd/duid", "/etc/hosts"} {
		if c, ok := Classify(p); ok {
			t.Errorf("%s classified as %v", p, c.Kind)
		}
		if _, err := Parse(p, nil, time.Time{}, nil); !errors.Is(err, ErrUnsupported) {
			t.Errorf("Parse(%s) = %v", p, err)
		}
	}
}

func TestDiscover(t *testing.T) {
	found, err := Discover("testdata/root")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range found {
		got = append(got, f.Kind.String()+" "+f.Path)
		if f.Size <= 0 || !strings.HasSuffix(filepath.ToSlash(f.File), f.Path) {
			t.Errorf("%+v", f)
		}
	}
	want := []string{
		"networkd /run/systemd/netif/leases/3",
		"networkd /run/systemd/netif/leases/4",
		"dhclient /var/lib/NetworkManager/dhclient-5b2a1c3e-8f4d-4c1a-9b7e-2d6f0a1b3c4d-ens3.lease",
		"nm-internal /var/lib/NetworkManager/internal-5b2a1c3e-8f4d-4c1a-9b7e-2d6f0a1b3c4d-enp1s0.lease",
		"dhclient /var/lib/dhclient/dhclient-ens192.leases",
		"dhclient /var/lib/dhclient/dhclient6-ens192.leases",
		"dhclient /var/lib/dhcp/dhclient.leases",
		"dhcpcd /var/lib/dhcpcd/wlan0-Home-Net.lease",
		"wicked /var/lib/wicked/lease-eth0-dhcp-ipv4.xml",
	}
	if !slices.Equal(got, want) {
		t.Errorf("Discover:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, f := range found {
		if _, err := Parse(f.Path, read(t, f.File), time.Now(), nil); err != nil && f.Path != "/var/lib/dhcp/dhclient.leases" {
			t.Errorf("Parse(%s): %v", f.Path, err)
		}
	}
}

func TestDiscoverSkipsLinks(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "dhclient.eth9.leases"), []byte("lease {}"), 0o644); err != nil {
		t.Fatal(err)
	}
	mk := func(p string) string {
		d := filepath.Join(root, p)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	dhcp := mk("var/lib/dhcp")
	// A symlinked file and a subdirectory are skipped; a symlinked lease
	// directory leading outside the root is not followed.
	if err := os.Symlink(filepath.Join(outside, "dhclient.eth9.leases"), filepath.Join(dhcp, "dhclient.eth8.leases")); err != nil {
		t.Fatal(err)
	}
	mk("var/lib/dhcp/dhclient.sub.leases")
	if err := os.WriteFile(filepath.Join(dhcp, "dhclient.eth0.leases"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	mk("var/lib")
	if err := os.Symlink(outside, filepath.Join(root, "var/lib/dhclient")); err != nil {
		t.Fatal(err)
	}
	found, err := Discover(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 1 || found[0].Path != "/var/lib/dhcp/dhclient.eth0.leases" {
		t.Errorf("Discover = %+v", found)
	}
}
