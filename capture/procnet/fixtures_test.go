package procnet

import (
	"bytes"
	"encoding/binary"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// The fixture trees (see testdata/proc/README.md).
const (
	x86Dir  = "../../testdata/proc/x86_64"
	s390Dir = "../../testdata/proc/s390x"
	handDir = "../../testdata/proc/handmade"
)

// The lab captures ran with USER_HZ 100.
const labTicks = 100

var (
	le binary.ByteOrder = binary.LittleEndian
	be binary.ByteOrder = binary.BigEndian
)

func readFixture(t testing.TB, dir, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// parseFunc runs one parser over a file's bytes with a byte order.
type parseFunc func(r io.Reader, order binary.ByteOrder) (any, error)

func inetParser(f InetFile) parseFunc {
	return func(r io.Reader, o binary.ByteOrder) (any, error) { return ParseInet(r, f, o, labTicks) }
}

// fixtureParsers maps every fixture file to its parser.
var fixtureParsers = map[string]parseFunc{
	"net/tcp": inetParser(TCP), "net/tcp6": inetParser(TCP6),
	"net/udp": inetParser(UDP), "net/udp6": inetParser(UDP6),
	"net/udplite": inetParser(UDPLite), "net/udplite6": inetParser(UDPLite6),
	"net/raw": inetParser(Raw), "net/raw6": inetParser(Raw6),
	"net/unix":   func(r io.Reader, _ binary.ByteOrder) (any, error) { return ParseUnix(r) },
	"net/packet": func(r io.Reader, _ binary.ByteOrder) (any, error) { return ParsePacket(r) },
	"net/igmp": func(r io.Reader, o binary.ByteOrder) (any, error) {
		g, i, err := ParseIGMP(r, o)
		return [2]any{g, i}, err
	},
	"net/igmp6":        func(r io.Reader, _ binary.ByteOrder) (any, error) { return ParseIGMP6(r) },
	"net/mcfilter":     func(r io.Reader, _ binary.ByteOrder) (any, error) { return ParseMcFilter(r) },
	"net/mcfilter6":    func(r io.Reader, _ binary.ByteOrder) (any, error) { return ParseMcFilter6(r) },
	"net/dev_mcast":    func(r io.Reader, _ binary.ByteOrder) (any, error) { return ParseDevMcast(r) },
	"net/ip_mr_vif":    func(r io.Reader, o binary.ByteOrder) (any, error) { return ParseIPMrVif(r, o) },
	"net/ip6_mr_vif":   func(r io.Reader, _ binary.ByteOrder) (any, error) { return ParseIP6MrVif(r) },
	"net/ip_mr_cache":  func(r io.Reader, o binary.ByteOrder) (any, error) { return ParseIPMrCache(r, o) },
	"net/ip6_mr_cache": func(r io.Reader, _ binary.ByteOrder) (any, error) { return ParseIP6MrCache(r) },
	"net/snmp":         func(r io.Reader, _ binary.ByteOrder) (any, error) { return ParseSNMP(r) },
	"net/netstat":      func(r io.Reader, _ binary.ByteOrder) (any, error) { return ParseNetstat(r) },
	"net/snmp6":        func(r io.Reader, _ binary.ByteOrder) (any, error) { return ParseNameValues(r, "snmp6") },
	"net/dev_snmp6/a0": func(r io.Reader, _ binary.ByteOrder) (any, error) { return ParseNameValues(r, "dev_snmp6/a0") },
	"net/sockstat":     func(r io.Reader, _ binary.ByteOrder) (any, error) { return ParseSockstat(r, "sockstat") },
	"net/sockstat6":    func(r io.Reader, _ binary.ByteOrder) (any, error) { return ParseSockstat(r, "sockstat6") },
	"net/protocols":    func(r io.Reader, _ binary.ByteOrder) (any, error) { return ParseProtocols(r) },
	"net/softnet_stat": func(r io.Reader, _ binary.ByteOrder) (any, error) { return ParseSoftnetStat(r) },
	"net/dev":          func(r io.Reader, _ binary.ByteOrder) (any, error) { return ParseDev(r) },
	"net/arp":          func(r io.Reader, _ binary.ByteOrder) (any, error) { return ParseARP(r, labIfIndex) },
	"net/route":        func(r io.Reader, o binary.ByteOrder) (any, error) { return ParseRoute(r, o, labIfIndex) },
	"net/ipv6_route":   func(r io.Reader, _ binary.ByteOrder) (any, error) { return ParseIPv6Route(r, labIfIndex) },
	"net/if_inet6":     func(r io.Reader, _ binary.ByteOrder) (any, error) { return ParseIfInet6(r) },
	"net/fib_trie":     func(r io.Reader, _ binary.ByteOrder) (any, error) { return ParseFibTrie(r) },
	"slabinfo":         func(r io.Reader, _ binary.ByteOrder) (any, error) { return ParseSlabinfo(r, nil) },
}

// labIfIndex is namespace A's interfaces, as if_inet6 and igmp name them.
var labIfIndex = map[string]int32{"lo": 1, "a0": 2, "a1": 3}

// TestFixturesParse runs every parser over its real file; the tests of
// each parser check the decoded values.
func TestFixturesParse(t *testing.T) {
	for name, parse := range fixtureParsers {
		b := readFixture(t, x86Dir, name)
		v, err := parse(bytes.NewReader(b), le)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if v == nil {
			t.Errorf("%s: no result", name)
		}
	}
}

// TestByteOrderPairs decodes each file that exists for both
// architectures and requires the same values.
func TestByteOrderPairs(t *testing.T) {
	names, err := filepath.Glob(filepath.Join(s390Dir, "net", "*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(names) < 4 {
		t.Fatalf("only %d s390x fixtures", len(names))
	}
	for _, path := range names {
		name := "net/" + filepath.Base(path)
		parse := fixtureParsers[name]
		if parse == nil {
			t.Errorf("no parser for %s", name)
			continue
		}
		x, err1 := parse(bytes.NewReader(readFixture(t, x86Dir, name)), le)
		s, err2 := parse(bytes.NewReader(readFixture(t, s390Dir, name)), be)
		if err1 != nil || err2 != nil {
			t.Errorf("%s: %v / %v", name, err1, err2)
			continue
		}
		if diff := cmpDiff(x, s); diff != "" {
			t.Errorf("%s: x86_64 and s390x decode differently (-x86_64 +s390x):\n%s", name, diff)
		}
		// Where the texts differ, decoding with the wrong byte order must
		// not give the same values. (ip_mr_vif reads the same on both: its
		// vifs keep an ifindex where the address would be.)
		if bytes.Equal(readFixture(t, x86Dir, name), readFixture(t, s390Dir, name)) {
			continue
		}
		if w, err := parse(bytes.NewReader(readFixture(t, s390Dir, name)), le); err == nil && cmpDiff(x, w) == "" {
			t.Errorf("%s: byte order has no effect", name)
		}
	}
}

func mustAddr(s string) netip.Addr             { return netip.MustParseAddr(s) }
func mustAP(s string) netip.AddrPort           { return netip.MustParseAddrPort(s) }
func mustPrefix(s string) netip.Prefix         { return netip.MustParsePrefix(s) }
func reader(s string) io.Reader                { return bytes.NewReader([]byte(s)) }
func fixture(t *testing.T, n string) io.Reader { return bytes.NewReader(readFixture(t, x86Dir, n)) }

func cmpDiff(x, y any) string {
	return cmp.Diff(x, y, cmpopts.EquateComparable(netip.Addr{}, netip.Prefix{}, netip.AddrPort{}))
}
