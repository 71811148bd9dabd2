//go:build linux

package nlmsg

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/mdlayher/netlink"
	"github.com/netmortem/netmortem/snapshots"
)

var (
	record     = flag.String("record", "", "re-record testdata/*.nlmsg from this named network namespace (root only)")
	recordOnly = flag.String("record-only", "", "with -record, only the recordings whose name matches this regexp")
)

// recordings lists the dumps kept in testdata, by file name.
func recordings() map[string]struct {
	proto int
	req   netlink.Message
} {
	type rec = struct {
		proto int
		req   netlink.Message
	}
	inet := func(fam uint8, proto uint16) netlink.Message {
		m, err := InetDiagRequest(fam, proto)
		if err != nil {
			panic(err)
		}
		return m
	}
	return map[string]rec{
		"link":          {netlinkRoute, LinkRequest()},
		"addr":          {netlinkRoute, AddrRequest(afUnspec)},
		"route-inet":    {netlinkRoute, RouteRequest(snapshots.AFInet, false)},
		"route-inet6":   {netlinkRoute, RouteRequest(snapshots.AFInet6, false)},
		"route-ipmr":    {netlinkRoute, RouteRequest(FamilyIPMR, false)},
		"route-ip6mr":   {netlinkRoute, RouteRequest(FamilyIP6MR, false)},
		"route-cloned":  {netlinkRoute, RouteRequest(snapshots.AFInet, true)},
		"route-cloned6": {netlinkRoute, RouteRequest(snapshots.AFInet6, true)},
		"rule-inet":     {netlinkRoute, RuleRequest(snapshots.AFInet)},
		"rule-inet6":    {netlinkRoute, RuleRequest(snapshots.AFInet6)},
		"neigh":         {netlinkRoute, NeighRequest(afUnspec, false)},
		"neigh-proxy":   {netlinkRoute, NeighRequest(afUnspec, true)},
		"tcp-inet":      {netlinkSockDiag, inet(snapshots.AFInet, snapshots.ProtoTCP)},
		"tcp-inet6":     {netlinkSockDiag, inet(snapshots.AFInet6, snapshots.ProtoTCP)},
		"tcp-both":      {netlinkSockDiag, TCPDiagRequest()},
		"udp-inet":      {netlinkSockDiag, inet(snapshots.AFInet, snapshots.ProtoUDP)},
		"udp-inet6":     {netlinkSockDiag, inet(snapshots.AFInet6, snapshots.ProtoUDP)},
		"raw-inet":      {netlinkSockDiag, inet(snapshots.AFInet, snapshots.ProtoRaw)},
		"mptcp-inet":    {netlinkSockDiag, inet(snapshots.AFInet, snapshots.ProtoMPTCP)},
		"unix":          {netlinkSockDiag, UnixDiagRequest()},
		"packet":        {netlinkSockDiag, PacketDiagRequest()},
	}
}

// TestIntegrationRecord saves the raw replies of every dump from a lab
// namespace: go test -run TestIntegrationRecord -record nla (as root, with
// testdata/lab/lab.sh up nl).
func TestIntegrationRecord(t *testing.T) {
	if *record == "" {
		t.Skip("-record not given")
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	ns, err := os.Open(filepath.Join("/run/netns", *record))
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Close()
	cfg := &netlink.Config{NetNS: int(ns.Fd())}
	only := regexp.MustCompile(*recordOnly)
	for name, r := range recordings() {
		if !only.MatchString(name) {
			continue
		}
		b, err := recordDump(cfg, r.proto, r.req)
		var de *DumpError
		switch {
		case errors.As(err, &de):
			t.Logf("%s: %v (the error reply is recorded)", name, err)
		case err != nil:
			t.Fatalf("%s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join("testdata", name+".nlmsg"), b, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d bytes", name, len(b))
	}
}

// recordDump runs one dump and returns every datagram of its reply,
// concatenated.
func recordDump(cfg *netlink.Config, proto int, req netlink.Message) ([]byte, error) {
	c, err := dial(proto, cfg)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if proto == netlinkRoute {
		_ = c.SetOption(netlink.GetStrictCheck, true)
	}
	sent, err := c.Send(req)
	if err != nil {
		return nil, err
	}
	var out []byte
	col := collector{request: "record", seq: sent.Header.Sequence, each: func(netlink.Message) error { return nil }}
	err = receive(c, &col, func(b []byte) { out = append(out, b...) })
	return out, err
}
