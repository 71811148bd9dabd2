package solaris

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/netmortem/netmortem/analyze/netstat"
	"github.com/netmortem/netmortem/analyze/routes"
	"github.com/netmortem/netmortem/analyze/view"
	"github.com/netmortem/netmortem/snapshots"
)

var fxUpdate = flag.Bool("update-f167", false, "rewrite the golden files and the fixture snapshots in testdata")

// The captured host's name files of the fxFixtures.
const (
	fxHosts = `127.0.0.1	localhost
::1	localhost ip6-localhost ip6-loopback
10.1.0.1	labhost.example.net labhost
10.1.0.2	peer-b0.example.net peer-b0
10.2.0.2	peer-b1.example.net peer-b1
fd00:1::1	labhost6.example.net labhost6
fd00:1::2	peer6.example.net peer6
192.168.10.5	edge.example.net edge
192.168.10.254	a-very-long-gateway-hostname.upstream.example.org
198.51.100.7	mirror.example.org
`
	fxNetworks = `default		0.0.0.0
loopback	127.0.0.0
link-local	169.254.0.0
labnet		10.1.0.0
`
	fxServices = `ssh		22/tcp
ntp		123/udp
bgp		179/tcp
https		443/tcp
bootpc		68/udp
m3ua		2905/sctp
diameter	3868/tcp
diameter	3868/sctp
mdns		5353/udp
sip		5060/udp
http-alt	8080/tcp	webcache
`
	fxProtocols = `icmp	1	ICMP
igmp	2	IGMP
tcp	6	TCP
udp	17	UDP
ipv6-icmp 58	IPv6-ICMP
sctp	132	SCTP
`
	fxRtTables = `255	local
254	main
253	default
0	unspec
100	uplink2
`
)

var fxEpoch = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

func fxMeta(kind string) snapshots.Meta {
	return snapshots.Meta{
		Hostname: "labhost.example.net", KernelRelease: "6.18.44", Machine: "x86_64",
		BootTime: fxEpoch.Add(-time.Hour), ClockTicks: 100, PageSize: 4096,
		CaptureStart: fxEpoch, CaptureEnd: fxEpoch.Add(time.Second),
		ToolVersion: "netmortem test", Source: snapshots.Source{Kind: "synthetic", Origin: "format/solaris tests", Detail: kind},
	}
}

func fxNameFiles() []snapshots.RawFile {
	f := func(path, data string) snapshots.RawFile {
		return snapshots.RawFile{Path: path, Data: []byte(data), ModTime: fxEpoch}
	}
	return []snapshots.RawFile{
		f("/etc/hosts", fxHosts), f("/etc/networks", fxNetworks), f("/etc/services", fxServices),
		f("/etc/protocols", fxProtocols), f("/etc/iproute2/rt_tables", fxRtTables),
	}
}

// fxFixtures are the hand-made snapshots: name → frames of the one
// namespace.
var fxFixtures = map[string]func() []*snapshots.Tables{
	"lab":    func() []*snapshots.Tables { return []*snapshots.Tables{fxLab()} },
	"edge":   func() []*snapshots.Tables { return []*snapshots.Tables{fxEdge()} },
	"series": fxSeries,
}

// fxCaptures are the lead's live captures of the lab namespace, in the
// repository's testdata/snapshots.
var fxCaptures = map[string]string{
	"capture":        "lab.nms",
	"capture-series": "lab-series.nms",
}

func fxPath(name string) string {
	if f, ok := fxCaptures[name]; ok {
		return filepath.Join("..", "..", "testdata", "snapshots", f)
	}
	return filepath.Join("testdata", "forms167", name+".nms")
}

// fxWrite writes frames one second apart, every namespace table in
// each, and the name files.
func fxWrite(path, kind string, frames []*snapshots.Tables) error {
	w, err := snapshots.Create(path, fxMeta(kind))
	if err != nil {
		return err
	}
	return fxFill(w, kind, frames)
}

// fxFill writes the frames and the name files with w and closes it.
func fxFill(w *snapshots.Writer, kind string, frames []*snapshots.Tables) error {
	ns := w.AddNamespace(snapshots.NamespaceInfo{Name: "f4a", Inode: 4026532999, Host: true, Pids: []int32{9198}})
	for i, ts := range frames {
		at := fxEpoch.Add(time.Duration(i) * time.Second)
		w.BeginFrame(at)
		for _, t := range snapshots.NamespaceTables {
			if err := w.WriteTable(ns, t, snapshots.OK(at, "test fixture"), ts); err != nil {
				w.Abort()
				return err
			}
		}
		w.EndFrame(at.Add(100 * time.Millisecond))
	}
	if err := w.WriteTable(-1, snapshots.TableNames, snapshots.OK(fxEpoch, "test fixture"), &snapshots.Tables{Files: fxNameFiles()}); err != nil {
		w.Abort()
		return err
	}
	return w.Close()
}

// TestFixtures keeps testdata/forms167/*.nms equal to what the fixture functions
// build (the end-to-end scripts read those files); -fxUpdate rewrites them.
func TestForms167Fixtures(t *testing.T) {
	for name, build := range fxFixtures {
		tmp := filepath.Join(t.TempDir(), name+".nms")
		if err := fxWrite(tmp, name, build()); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(tmp)
		if err != nil {
			t.Fatal(err)
		}
		if *fxUpdate {
			if err := os.WriteFile(fxPath(name), got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(fxPath(name))
		if err != nil {
			t.Fatalf("%v (run go test -update-f167)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from its fixture function (run go test -update-f167)", fxPath(name))
		}
	}
}

// fxParseArgs reads a netstat command line the way cmd/netmortem does
// (grouped short flags, -f/-P/-I values attached or separate, operands).
func fxParseArgs(args []string) (req netstat.Request, filters, operands []string, err error) {
	for i := 0; i < len(args); i++ {
		s := args[i]
		if len(s) < 2 || s[0] != '-' {
			operands = append(operands, s)
			continue
		}
		for j := 1; j < len(s); j++ {
			c := s[j]
			if c == 'f' || c == 'P' || c == 'I' {
				v := s[j+1:]
				if v == "" {
					i++
					if i >= len(args) {
						return req, nil, nil, fmt.Errorf("-%c needs a value", c)
					}
					v = args[i]
				}
				switch c {
				case 'f':
					filters = append(filters, v)
				case 'P':
					p, err := netstat.ParseProtocol(v)
					if err != nil {
						return req, nil, nil, err
					}
					req.Protocol = p
				case 'I':
					req.Interface = v
				}
				break
			}
			flags := map[byte]*bool{'a': &req.All, 'n': &req.Numeric, 'v': &req.Verbose, 'g': &req.Groups,
				'p': &req.ARP, 's': &req.Stats, 'm': &req.Memory, 'i': &req.Interfaces, 'r': &req.Routes,
				'M': &req.Mroute, 'D': &req.DHCP}
			b, ok := flags[c]
			if !ok {
				return req, nil, nil, fmt.Errorf("unknown flag -%c", c)
			}
			*b = true
		}
	}
	return req, filters, operands, nil
}

// fxNetstat replays a netstat command line on a snapshot file and
// returns what it prints in output format "text", "json" or "yaml".
func fxNetstat(path, output string, args ...string) (string, error) {
	var out bytes.Buffer
	err := fxNetstatTo(&out, path, output, args...)
	return out.String(), err
}

// fxNetstatTo is fxNetstat writing to w, as cmd/netmortem does: open,
// load the tables the forms need, select and render.
func fxNetstatTo(w io.Writer, path, output string, args ...string) error {
	r, err := snapshots.Open(path, snapshots.ReaderOptions{})
	if err != nil {
		return err
	}
	defer r.Close()
	passes, err := fxPasses(r, args...)
	if err != nil {
		return err
	}
	return Render(w, output, passes)
}

// fxPasses parses a command line and loads the passes it prints from r.
func fxPasses(r *snapshots.Reader, args ...string) ([]*Pass, error) {
	req0, filters, operands, err := fxParseArgs(args)
	if err != nil {
		return nil, err
	}
	snap := view.New(r)
	ns := r.Index.HostNamespace()
	first, err := snap.Load(0, ns, snapshots.TableLinks, snapshots.TableAddrs)
	if err != nil {
		return nil, err
	}
	env := routes.Env{Ifaces: routes.NewLinkNames(first.Links, first.Addrs), Tables: first.Names, Hosts: first.Names.HostAddrs}
	req, err := netstat.Parse(req0, filters, operands, env)
	if err != nil {
		return nil, err
	}
	var passes []*Pass
	var prev *view.View
	for i, f := range netstat.SelectFrames(r.Frames, 0, req.Interval, req.Count) {
		v, err := snap.Load(f, ns, netstat.Tables(req.Forms())...)
		if err != nil {
			return nil, err
		}
		passes = append(passes, &Pass{N: i, Cur: v, Prev: prev, Req: req, P: &Printer{Names: v.Names, Numeric: req.Numeric}})
		prev = v
	}
	return passes, nil
}

// fxGolden compares got with testdata/forms167/golden/name, or rewrites
// it with -update-f167.
func fxGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "forms167", "golden", name)
	if *fxUpdate {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update-f167)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\n%s", path, fxDiff(string(want), got))
	}
}

// fxDiff shows the first differing lines of two texts.
func fxDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	n := 0
	for i := 0; i < max(len(w), len(g)) && n < 8; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d:\n  want %q\n  got  %q\n", i+1, wl, gl)
			n++
		}
	}
	return b.String()
}

// fxGoldenName turns a command line into a file name.
func fxGoldenName(fixture, output string, args []string) string {
	s := strings.Join(append([]string{"netstat"}, args...), "_")
	s = strings.NewReplacer(":", "=", "/", "%", " ", "_").Replace(s)
	ext := ".txt"
	if output != "text" {
		ext = "." + output
	}
	return fixture + "/" + s + ext
}
