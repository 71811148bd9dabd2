package nlmsg

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/mdlayher/netlink"
	"github.com/netmortem/netmortem/snapshots"
)

// Each fuzz target decodes arbitrary payloads of one message type. Beyond
// not panicking, it checks that a decoded value does not change when the
// input bytes do afterwards (noAlias): nothing may keep a subslice of
// Message.Data. Seeds: the payloads of the recorded dumps, plus the corpora
// in testdata/fuzz.

// seedPayloads returns the payloads of every data message of the recordings.
func seedPayloads(names ...string) [][]byte {
	var out [][]byte
	for _, n := range names {
		b, err := readFile(n)
		if err != nil {
			continue
		}
		_ = splitDatagram(b, func(m netlink.Message) error {
			if m.Header.Type != nlmsgDone && m.Header.Type != nlmsgError {
				out = append(out, clone(m.Data))
			}
			return nil
		})
	}
	return out
}

func fuzzDecoder(f *testing.F, typ uint16, dec func(netlink.Message) (any, error), seeds ...string) {
	for _, p := range seedPayloads(seeds...) {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		noAlias(t, "fuzz", netlink.Message{Header: netlink.Header{Type: netlink.HeaderType(typ)}, Data: data}, dec)
	})
}

func FuzzParseLink(f *testing.F) {
	fuzzDecoder(f, rtmNewLink, func(m netlink.Message) (any, error) { return ParseLink(m) }, "link")
}

func FuzzParseAddr(f *testing.F) {
	fuzzDecoder(f, rtmNewAddr, func(m netlink.Message) (any, error) { return ParseAddr(m) }, "addr")
}

func FuzzParseRoute(f *testing.F) {
	fuzzDecoder(f, rtmNewRoute, func(m netlink.Message) (any, error) {
		r, err := ParseRoute(m)
		if err == nil && !r.Dst.IsValid() {
			return nil, fmt.Errorf("route decoded without a destination")
		}
		return r, err
	}, "route-inet", "route-inet6", "route-cloned", "route-cloned6")
}

func FuzzParseMFC(f *testing.F) {
	fuzzDecoder(f, rtmNewRoute, func(m netlink.Message) (any, error) { return ParseMFC(m) }, "route-ipmr")
}

func FuzzParseRule(f *testing.F) {
	fuzzDecoder(f, rtmNewRule, func(m netlink.Message) (any, error) { return ParseRule(m) }, "rule-inet", "rule-inet6")
}

func FuzzParseNeighbour(f *testing.F) {
	fuzzDecoder(f, rtmNewNeigh, func(m netlink.Message) (any, error) { return ParseNeighbour(m) }, "neigh", "neigh-proxy")
}

func FuzzParseInetSocket(f *testing.F) {
	for _, p := range seedPayloads("tcp-inet", "tcp-inet6", "tcp-both") {
		f.Add(p, uint16(snapshots.ProtoTCP))
	}
	for _, p := range seedPayloads("udp-inet", "udp-inet6") {
		f.Add(p, uint16(snapshots.ProtoUDP))
	}
	for _, p := range seedPayloads("mptcp-inet") {
		f.Add(p, uint16(snapshots.ProtoMPTCP))
	}
	f.Fuzz(func(t *testing.T, data []byte, proto uint16) {
		m := netlink.Message{Header: netlink.Header{Type: sockDiagByFamily}, Data: data}
		noAlias(t, "fuzz", m, func(m netlink.Message) (any, error) { return ParseInetSocket(m, proto) })
	})
}

func FuzzParseUnixSocket(f *testing.F) {
	fuzzDecoder(f, sockDiagByFamily, func(m netlink.Message) (any, error) { return ParseUnixSocket(m) }, "unix")
}

func FuzzParsePacketSocket(f *testing.F) {
	fuzzDecoder(f, sockDiagByFamily, func(m netlink.Message) (any, error) { return ParsePacketSocket(m) }, "packet")
}

// FuzzDatagram feeds whole datagrams through the receive path: message
// splitting, the collector's NLMSG_ERROR/NLMSG_DONE handling, and the
// decoder for each message's type.
func FuzzDatagram(f *testing.F) {
	for _, n := range []string{"route-inet", "neigh", "raw-inet", "rule-inet6", "addr"} {
		if b, err := readFile(n); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		col := collector{request: "fuzz", seq: 0, each: func(m netlink.Message) error {
			var err error
			switch m.Header.Type {
			case rtmNewLink:
				_, err = ParseLink(m)
			case rtmNewAddr:
				_, err = ParseAddr(m)
			case rtmNewRoute:
				_, err = ParseRoute(m)
			case rtmNewRule:
				_, err = ParseRule(m)
			case rtmNewNeigh:
				_, err = ParseNeighbour(m)
			}
			return err
		}}
		_ = splitDatagram(b, func(m netlink.Message) error {
			m.Header.Sequence = 0
			return col.message(m)
		})
	})
}

var writeSeeds = flag.Bool("write-fuzz-seeds", false, "rewrite testdata/fuzz/* from the recorded dumps")

// TestWriteFuzzSeeds writes the seed corpora: a few payloads per target.
func TestWriteFuzzSeeds(t *testing.T) {
	if !*writeSeeds {
		t.Skip("-write-fuzz-seeds not given")
	}
	write := func(target string, i int, values ...string) {
		dir := filepath.Join("testdata", "fuzz", target)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		body := "go test fuzz v1\n"
		for _, v := range values {
			body += v + "\n"
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("recorded-%02d", i)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bytesLit := func(b []byte) string { return fmt.Sprintf("[]byte(%q)", b) }
	for target, names := range map[string][]string{
		"FuzzParseLink":         {"link"},
		"FuzzParseAddr":         {"addr"},
		"FuzzParseRoute":        {"route-inet", "route-cloned6"},
		"FuzzParseMFC":          {"route-ipmr"},
		"FuzzParseRule":         {"rule-inet"},
		"FuzzParseNeighbour":    {"neigh", "neigh-proxy"},
		"FuzzParseUnixSocket":   {"unix"},
		"FuzzParsePacketSocket": {"packet"},
	} {
		for i, p := range seedPayloads(names...) {
			if i >= 8 {
				break
			}
			write(target, i, bytesLit(p))
		}
	}
	for i, p := range seedPayloads("tcp-inet") {
		if i >= 8 {
			break
		}
		write("FuzzParseInetSocket", i, bytesLit(p), fmt.Sprintf("uint16(%d)", snapshots.ProtoTCP))
	}
	for i, n := range []string{"route-inet", "raw-inet"} {
		b, err := readFile(n)
		if err != nil {
			t.Fatal(err)
		}
		write("FuzzDatagram", i, bytesLit(b))
	}
}
