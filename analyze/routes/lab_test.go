package routes

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

const labFile = "testdata/lab.json"

// TestLabRecorded checks the engine against ip's answers recorded from
// the lab namespace (refresh with NETMORTEM_UPDATE=1 go test -run
// TestIntegrationLab as root).
func TestLabRecorded(t *testing.T) {
	b, err := os.ReadFile(labFile)
	if err != nil {
		t.Fatal(err)
	}
	var d labDump
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	checkLab(t, &d)
}

// TestIntegrationLab builds the lab (prefix rf), adds the route kinds the
// flags need (source-specific, labelled source, link-down next hop,
// IPv6 multipath, throw), reads the namespace's routes with ip -j, and
// compares the engine with ip's own selectors live.
func TestIntegrationLab(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	lab, err := filepath.Abs("../../testdata/lab/lab.sh")
	if err != nil {
		t.Fatal(err)
	}
	const ns = "rfa"
	sh := func(args ...string) []byte {
		t.Helper()
		out, err := exec.Command(args[0], args[1:]...).Output()
		if err != nil {
			msg := ""
			if ee, ok := err.(*exec.ExitError); ok {
				msg = string(ee.Stderr)
			}
			t.Fatalf("%q: %v %s", args, err, msg)
		}
		return out
	}
	t.Cleanup(func() { _ = exec.Command(lab, "down", "rf").Run() })
	if out, err := exec.Command(lab, "up", "rf").CombinedOutput(); err != nil {
		t.Fatalf("lab up: %v\n%s", err, out)
	}
	for _, c := range [][]string{
		{"-6", "route", "add", "fd00:97::/48", "from", "fd00:1::/64", "via", "fd00:1::2", "dev", "a0"},
		{"route", "add", "10.70.0.0/16", "via", "10.1.0.2", "src", "10.1.0.11"},
		{"-6", "route", "add", "fd00:96::/48", "via", "fd00:2::2", "dev", "a1", "src", "fd00:2::1"},
		{"link", "add", "a2", "type", "veth", "peer", "name", "b2", "netns", "rfb"},
		{"link", "set", "a2", "up"}, // b2 stays down: a2 has no carrier
		{"addr", "add", "10.3.0.1/24", "dev", "a2"},
		{"route", "add", "10.51.0.0/16", "nexthop", "via", "10.1.0.2", "dev", "a0", "nexthop", "via", "10.3.0.2", "dev", "a2"},
		{"-6", "route", "add", "fd00:95::/48", "nexthop", "via", "fd00:1::2", "dev", "a0", "nexthop", "via", "fd00:2::2", "dev", "a1"},
		{"route", "add", "throw", "10.99.0.0/16", "table", "100"},
	} {
		sh(append([]string{"ip", "-n", ns}, c...)...)
	}
	ipj := func(args ...string) json.RawMessage {
		if args[0] == "-0" {
			args = args[1:]
		}
		out := bytes.TrimSpace(sh(append([]string{"ip", "-n", ns, "-j", "-d", "-N"}, args...)...))
		if len(out) == 0 {
			out = []byte("[]")
		}
		return out
	}
	d := labDump{
		Addrs:  bytes.TrimSpace(sh("ip", "-n", ns, "-j", "addr", "show")),
		Inet:   ipj("-4", "route", "show", "table", "all"),
		Inet6:  ipj("-6", "route", "show", "table", "all"),
		Unspec: ipj("route", "show", "table", "all"),
	}
	links, _, _, err := d.model()
	if err != nil {
		t.Fatal(err)
	}
	qs := append(labQueries(links), []string{"-4", "route", "show"}, []string{"-6", "route", "show"})
	for _, q := range qs {
		d.Queries = append(d.Queries, ipQuery{Args: q, Out: ipj(q...)})
	}
	checkLab(t, &d)
	if os.Getenv("NETMORTEM_UPDATE") != "" && !t.Failed() {
		b, err := json.MarshalIndent(&d, "", " ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(labFile, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
