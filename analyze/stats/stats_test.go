package stats

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/netmortem/netmortem/analyze/netstat"
	"github.com/netmortem/netmortem/snapshots"
)

// labSets reads the counter files captured from the lab namespace
// (testdata/lab: /proc/net/snmp, netstat, snmp6, sockstat, sockstat6 and
// dev_snmp6/a0 of a 6.18 kernel) with a small reader of the three layouts,
// grouping flat names the way capture/procnet does.
func labSets(t testing.TB) []snapshots.CounterSet {
	t.Helper()
	var out []snapshots.CounterSet
	open := func(name string) *bufio.Scanner {
		f, err := os.Open(filepath.Join("testdata", "lab", name))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return bufio.NewScanner(f)
	}
	val := func(s string) snapshots.Counter {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			t.Fatalf("value %q: %v", s, err)
		}
		return snapshots.Counter{Value: uint64(n), Signed: n < 0}
	}
	for _, file := range []string{"snmp", "netstat"} {
		sc := open(file)
		for sc.Scan() {
			names := strings.Fields(sc.Text())
			if !sc.Scan() {
				t.Fatalf("%s: names without values", file)
			}
			vals := strings.Fields(sc.Text())
			set := snapshots.CounterSet{Source: file, Group: strings.TrimSuffix(names[0], ":")}
			for i, n := range names[1:] {
				c := val(vals[i+1])
				c.Name = n
				set.Counters = append(set.Counters, c)
			}
			out = append(out, set)
		}
	}
	for _, f := range [][2]string{{"snmp6", "snmp6"}, {"dev_snmp6_a0", "dev_snmp6/a0"}} {
		sc := open(f[0])
		for sc.Scan() {
			fs := strings.Fields(sc.Text())
			c := val(fs[1])
			c.Name = fs[0]
			g := flatGroup(c.Name)
			if n := len(out); n == 0 || out[n-1].Source != f[1] || out[n-1].Group != g {
				out = append(out, snapshots.CounterSet{Source: f[1], Group: g})
			}
			out[len(out)-1].Counters = append(out[len(out)-1].Counters, c)
		}
	}
	for _, file := range []string{"sockstat", "sockstat6"} {
		sc := open(file)
		for sc.Scan() {
			fs := strings.Fields(sc.Text())
			set := snapshots.CounterSet{Source: file, Group: strings.TrimSuffix(fs[0], ":")}
			for i := 1; i+1 < len(fs); i += 2 {
				c := val(fs[i+1])
				c.Name = fs[i]
				set.Counters = append(set.Counters, c)
			}
			out = append(out, set)
		}
	}
	return out
}

func flatGroup(name string) string {
	start := 1
	if strings.HasPrefix(name, "UdpLite") {
		start = len("UdpLite")
	}
	for i := start; i < len(name); i++ {
		if 'A' <= name[i] && name[i] <= 'Z' {
			return name[:i]
		}
	}
	return name
}

var all = Options{Inet: true, Inet6: true, PerInterface: true}

// TestMappedCountersExist: every Linux counter the Solaris mapping reads
// exists under that name in what a 6.18 kernel prints (a misspelt name
// would silently print the placeholder). SCTP is not loaded in the lab.
func TestMappedCountersExist(t *testing.T) {
	c := Index(labSets(t))
	for _, s := range Sections() {
		for _, b := range s.Blocks {
			for _, v := range b {
				for _, r := range v.From {
					if r.Source == "sctp/snmp" {
						continue
					}
					if _, ok := c.Get(r.Key); !ok {
						t.Errorf("%s %s: no counter %s", s.Title, v.Name, r.Key)
					}
					if r.PerIf {
						k := r.Key
						k.Source = "dev_snmp6/a0"
						if _, ok := c.Get(k); !ok {
							t.Errorf("%s %s: no per-interface counter %s", s.Title, v.Name, k)
						}
					}
				}
			}
		}
	}
}

// TestEveryCounterShownOnce: with every family and -a, each captured
// counter is printed exactly once — as a Solaris variable or under its
// own name — except the dev_snmp6 ifIndex, which names the interface.
func TestEveryCounterShownOnce(t *testing.T) {
	sets := labSets(t)
	c := Index(sets)
	seen := map[string]int{}
	for _, s := range Build(c, nil, all) {
		for _, b := range s.Blocks {
			for _, it := range b {
				if !it.Known {
					continue
				}
				for _, f := range strings.Split(it.From, " + ") {
					seen[f]++
				}
			}
		}
	}
	total := 0
	for _, set := range sets {
		for _, x := range set.Counters {
			total++
			full, flat := Key{set.Source, set.Group, x.Name}.String(), Key{set.Source, "", x.Name}.String()
			n := seen[full] + seen[flat]
			if x.Name == "ifIndex" {
				if n != 0 {
					t.Errorf("%s shown", full)
				}
				continue
			}
			if n != 1 {
				t.Errorf("%s shown %d times", full, n)
			}
		}
	}
	if total < 400 {
		t.Fatalf("only %d counters read from testdata", total)
	}
}

func titles(ss []Section) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Title)
	}
	return out
}

func TestBuildSelection(t *testing.T) {
	c := Index(labSets(t))
	for _, tc := range []struct {
		o    Options
		want string
	}{
		{Options{Inet: true, Inet6: true, Proto: netstat.ProtoTCP}, "TCP Tcp TcpExt MPTcpExt sockstat TCP sockstat6 TCP6"},
		{Options{Inet: true, Proto: netstat.ProtoUDP}, "UDP Udp UdpLite sockstat UDP sockstat UDPLITE"},
		{Options{Inet6: true, Proto: netstat.ProtoUDP}, "UDP Udp6 UdpLite6 sockstat6 UDP6 sockstat6 UDPLITE6"},
		{Options{Inet: true, Inet6: true, Proto: netstat.ProtoIGMP}, "IGMP"},
		{Options{Inet6: true, Proto: netstat.ProtoIGMP}, ""},
		{Options{Inet6: true, Proto: netstat.ProtoICMPv6, PerInterface: true}, "ICMPv6 for a0 ICMPv6 Icmp6 Icmp6 for a0"},
		{Options{Inet: true, Proto: netstat.ProtoIPv6}, ""},
		{Options{Inet6: true, Proto: netstat.ProtoIPv6}, "IPv6 Ip6 sockstat6 FRAG6"},
		{Options{Inet: true, Inet6: true, Proto: netstat.ProtoRaw}, "RAWIP sockstat RAW sockstat6 RAW6"},
		{Options{Inet: true}, "IPv4 ICMPv4 TCP UDP RAWIP IGMP SCTP Ip Icmp IcmpMsg Tcp Udp UdpLite TcpExt IpExt MPTcpExt sockstat sockets sockstat TCP sockstat UDP sockstat UDPLITE sockstat RAW sockstat FRAG"},
	} {
		if got := strings.Join(titles(Build(c, nil, tc.o)), " "); got != tc.want {
			t.Errorf("%+v:\n got %s\nwant %s", tc.o, got, tc.want)
		}
	}
}

func findItem(t *testing.T, ss []Section, title, name string) Item {
	t.Helper()
	for _, s := range ss {
		if s.Title != title {
			continue
		}
		for _, b := range s.Blocks {
			for _, it := range b {
				if it.Name == name {
					return it
				}
			}
		}
	}
	t.Fatalf("no %s in %s", name, title)
	return Item{}
}

func set(source, group string, kv ...any) snapshots.CounterSet {
	s := snapshots.CounterSet{Source: source, Group: group}
	for i := 0; i+1 < len(kv); i += 2 {
		v := kv[i+1].(int)
		s.Counters = append(s.Counters, snapshots.Counter{Name: kv[i].(string), Value: uint64(int64(v)), Signed: v < 0})
	}
	return s
}

// TestUDPFamilies: the Solaris UDP section sums Linux's Udp (IPv4) and
// Udp6 counters of the selected families.
func TestUDPFamilies(t *testing.T) {
	c := Index([]snapshots.CounterSet{
		set("snmp", "Udp", "InDatagrams", 7, "InErrors", 1, "OutDatagrams", 3),
		set("snmp6", "Udp6", "Udp6InDatagrams", 100, "Udp6InErrors", 2, "Udp6OutDatagrams", 30),
	})
	for _, tc := range []struct {
		o        Options
		in, errs uint64
	}{{Options{Inet: true, Inet6: true}, 107, 3}, {Options{Inet: true}, 7, 1}, {Options{Inet6: true}, 100, 2}} {
		ss := Build(c, nil, tc.o)
		if it := findItem(t, ss, "UDP", "udpInDatagrams"); !it.Known || it.Value.V != tc.in {
			t.Errorf("%+v: udpInDatagrams %+v, want %d", tc.o, it, tc.in)
		}
		if it := findItem(t, ss, "UDP", "udpInErrors"); it.Value.V != tc.errs {
			t.Errorf("%+v: udpInErrors %+v, want %d", tc.o, it, tc.errs)
		}
		if it := findItem(t, ss, "UDP", "udpOutErrors"); it.Known {
			t.Errorf("udpOutErrors has no Linux counter but is %+v", it)
		}
	}
}

func TestSysctlValues(t *testing.T) {
	sys := IndexSysctls([]snapshots.Sysctl{
		{Name: "net.ipv4.ipfrag_time", Value: "30\n"},
		{Name: "/proc/sys/net/ipv6/conf/all/forwarding", Value: "0"},
		{Name: "net/ipv6/conf/eth0.100/hop_limit", Value: "17"},
		{Name: "net.ipv6.conf.eth0.100.forwarding", Value: "1"},
		{Name: "net.ipv4.tcp_mem", Value: "1\t2  3"},
		{Name: "net.sctp.rto_min", Value: "x"},
	})
	c := Index([]snapshots.CounterSet{set("dev_snmp6/eth0.100", "if", "ifIndex", 5)})
	ss := Build(c, sys, Options{Inet: true, Inet6: true, PerInterface: true})
	if it := findItem(t, ss, "IPv4", "ipReasmTimeout"); it.Value.V != 30 || it.From != "sysctl net.ipv4.ipfrag_time" {
		t.Errorf("ipReasmTimeout %+v", it)
	}
	// forwarding 0 is the MIB's not-forwarding(2).
	if it := findItem(t, ss, "IPv6", "ipv6Forwarding"); it.Value.V != 2 {
		t.Errorf("ipv6Forwarding %+v", it)
	}
	if it := findItem(t, ss, "IPv6 for eth0.100", "ipv6Forwarding"); it.Value.V != 1 {
		t.Errorf("per-interface ipv6Forwarding %+v", it)
	}
	if it := findItem(t, ss, "IPv6 for eth0.100", "ipv6DefaultHopLimit"); it.Value.V != 17 {
		t.Errorf("per-interface hop limit %+v", it)
	}
	if it := findItem(t, ss, "SCTP", "sctpRtoMin"); it.Known {
		t.Errorf("a sysctl that is not a number gave %+v", it)
	}
	if v, ok := sys.Ints("net.ipv4.tcp_mem"); !ok || len(v) != 3 || v[2] != 3 {
		t.Errorf("tcp_mem %v %v", v, ok)
	}
	if _, ok := sys.Int("net.ipv4.tcp_mem"); ok {
		t.Error("Int of a three-number sysctl")
	}
}

func TestParseInt(t *testing.T) {
	for s, want := range map[string]int64{"0": 0, "-1": -1, "9223372036854775807": 9223372036854775807, "120000": 120000} {
		if n, ok := parseInt(s); !ok || n != want {
			t.Errorf("%q: %d %v", s, n, ok)
		}
	}
	for _, s := range []string{"", "-", "1e3", "0x10", "99999999999999999999", "1 2", "+1"} {
		if n, ok := parseInt(s); ok {
			t.Errorf("%q parsed as %d", s, n)
		}
	}
}
