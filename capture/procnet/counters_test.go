package procnet

import (
	"strings"
	"testing"

	"github.com/netmortem/netmortem/snapshots"
)

func groups(sets []snapshots.CounterSet) []string {
	var g []string
	for _, s := range sets {
		g = append(g, s.Group)
	}
	return g
}

func findSet(t *testing.T, sets []snapshots.CounterSet, group string) snapshots.CounterSet {
	t.Helper()
	for _, s := range sets {
		if s.Group == group {
			return s
		}
	}
	t.Fatalf("no group %q in %v", group, groups(sets))
	return snapshots.CounterSet{}
}

func TestSNMP(t *testing.T) {
	sets, err := ParseSNMP(fixture(t, "net/snmp"))
	if err != nil {
		t.Fatal(err)
	}
	if d := cmpDiff([]string{"Ip", "Icmp", "IcmpMsg", "Tcp", "Udp", "UdpLite"}, groups(sets)); d != "" {
		t.Errorf("groups (-want +got):\n%s", d)
	}
	tcp := findSet(t, sets, "Tcp")
	if tcp.Source != "snmp" {
		t.Errorf("source %q", tcp.Source)
	}
	mc, _ := tcp.Find("MaxConn")
	if !mc.Signed || mc.Int() != -1 || mc.Value != 1<<64-1 {
		t.Errorf("MaxConn = %+v", mc)
	}
	if c, _ := tcp.Find("RtoMax"); c.Value != 120000 || c.Signed {
		t.Errorf("RtoMax = %+v", c)
	}
	// Kernel order is kept, new counters included.
	ip := findSet(t, sets, "Ip")
	if ip.Counters[0] != (snapshots.Counter{Name: "Forwarding", Value: 1}) || ip.Counters[len(ip.Counters)-1].Name != "OutTransmits" {
		t.Errorf("Ip counters %v … %v", ip.Counters[0], ip.Counters[len(ip.Counters)-1])
	}

	ns, err := ParseNetstat(fixture(t, "net/netstat"))
	if err != nil {
		t.Fatal(err)
	}
	if d := cmpDiff([]string{"TcpExt", "IpExt", "MPTcpExt"}, groups(ns)); d != "" {
		t.Errorf("netstat groups (-want +got):\n%s", d)
	}
	// Every counter of the header line is kept.
	first := strings.SplitN(string(readFixture(t, x86Dir, "net/netstat")), "\n", 2)[0]
	if n := len(strings.Fields(first)) - 1; len(ns[0].Counters) != n || n < 130 {
		t.Errorf("TcpExt: %d counters, header has %d", len(ns[0].Counters), n)
	}
}

func TestPairedValues(t *testing.T) {
	sets, err := parseSNMPString("Ip: InOctets Neg\nIp: 18446744073709551615 -9223372036854775808\n")
	if err != nil {
		t.Fatal(err)
	}
	c := sets[0].Counters
	if c[0].Value != 1<<64-1 || c[0].Signed || c[1].Int() != -1<<63 || !c[1].Signed {
		t.Errorf("%+v", c)
	}
	for _, bad := range []string{
		"Ip: A B\nIp: 1\n",
		"Ip: A B\nTcp: 1 2\n",
		"Ip: A\n",
		"Ip: A\nIp: 18446744073709551616\n",
		"Ip A\nIp 1\n",
		"Ip: A\nIp: 1.5\n",
	} {
		if _, err := parseSNMPString(bad); err == nil {
			t.Errorf("no error for %q", bad)
		}
	}
}

func parseSNMPString(s string) ([]snapshots.CounterSet, error) { return ParseSNMP(reader(s)) }

func TestNameValues(t *testing.T) {
	sets, err := ParseNameValues(fixture(t, "net/snmp6"), "snmp6")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmpDiff([]string{"Ip6", "Icmp6", "Udp6", "UdpLite6"}, groups(sets)); d != "" {
		t.Errorf("groups (-want +got):\n%s", d)
	}
	n := 0
	for _, s := range sets {
		n += len(s.Counters)
		for _, c := range s.Counters {
			if !strings.HasPrefix(c.Name, s.Group) {
				t.Errorf("%s in group %s", c.Name, s.Group)
			}
		}
	}
	if n != 92 {
		t.Errorf("%d counters, want 92", n)
	}
	dev, err := ParseNameValues(fixture(t, "net/dev_snmp6/a0"), "dev_snmp6/a0")
	if err != nil {
		t.Fatal(err)
	}
	if dev[0].Group != "if" || dev[0].Counters[0] != (snapshots.Counter{Name: "ifIndex", Value: 2}) || dev[1].Source != "dev_snmp6/a0" {
		t.Errorf("dev_snmp6: %+v", dev[:2])
	}
	for name, want := range map[string]string{"Ip6InReceives": "Ip6", "UdpLite6InErrors": "UdpLite6", "Icmp6OutType143": "Icmp6",
		"SctpT1InitExpireds": "Sctp", "ifIndex": "if", "X": "X"} {
		if g := counterGroup(name); g != want {
			t.Errorf("group of %s = %q, want %q", name, g, want)
		}
	}
	if _, err := ParseNameValues(reader("Ip6InReceives 1 2\n"), "snmp6"); err == nil {
		t.Error("three fields accepted")
	}
}

func TestSockstat(t *testing.T) {
	sets, err := ParseSockstat(fixture(t, "net/sockstat"), "sockstat")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmpDiff([]string{"sockets", "TCP", "UDP", "UDPLITE", "RAW", "FRAG"}, groups(sets)); d != "" {
		t.Errorf("groups (-want +got):\n%s", d)
	}
	want := snapshots.CounterSet{Source: "sockstat", Group: "TCP", Counters: []snapshots.Counter{
		{Name: "inuse", Value: 10}, {Name: "orphan", Value: 2}, {Name: "tw", Value: 2}, {Name: "alloc", Value: 56}, {Name: "mem", Value: 632}}}
	if d := cmpDiff(want, sets[1]); d != "" {
		t.Errorf("TCP (-want +got):\n%s", d)
	}
	s6, err := ParseSockstat(fixture(t, "net/sockstat6"), "sockstat6")
	if err != nil || s6[0].Group != "TCP6" || s6[0].Counters[0].Value != 3 || s6[0].Source != "sockstat6" {
		t.Errorf("sockstat6: %+v %v", s6, err)
	}
	if _, err := ParseSockstat(reader("TCP: inuse\n"), "sockstat"); err == nil {
		t.Error("name without value accepted")
	}
}
