package solaris

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/netmortem/netmortem/analyze/netstat"
	"github.com/netmortem/netmortem/analyze/routes"
	"github.com/netmortem/netmortem/analyze/view"
	"github.com/netmortem/netmortem/snapshots"
)

// Golden tests of the -s, -M -s, -m, -g, -p, -M and -D displays on
// testdata/f5.nms (namespace f5a of the lab, two frames; see
// testdata/f5/README), on a series built from it with counters that go
// backwards, and on a snapshot whose tables are all empty.

var f5Update = flag.Bool("update-f5", false, "rewrite the -s/-m/-g/-p/-M/-D golden files in testdata/f5-golden")

const f5Snapshot = "testdata/f5.nms"

// f5Args parses a netstat command line the way cmd/netmortem does, for
// the flags these forms use.
func f5Args(args []string) (req netstat.Request, filters, ops []string, frame int, err error) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--frame" {
			i++
			frame, err = strconv.Atoi(args[i])
			continue
		}
		if !strings.HasPrefix(a, "-") {
			ops = append(ops, a)
			continue
		}
		for j := 1; j < len(a); j++ {
			switch c := a[j]; c {
			case 'a':
				req.All = true
			case 'n':
				req.Numeric = true
			case 'v':
				req.Verbose = true
			case 'g':
				req.Groups = true
			case 'p':
				req.ARP = true
			case 's':
				req.Stats = true
			case 'm':
				req.Memory = true
			case 'M':
				req.Mroute = true
			case 'D':
				req.DHCP = true
			case 'i':
				req.Interfaces = true
			case 'f', 'P', 'I':
				i++
				switch c {
				case 'f':
					filters = append(filters, args[i])
				case 'P':
					req.Protocol = netstat.Protocol(args[i])
				case 'I':
					req.Interface = args[i]
				}
			default:
				return req, nil, nil, 0, fmt.Errorf("flag -%c", c)
			}
		}
	}
	return req, filters, ops, frame, err
}

// f5Run replays a command line on an opened snapshot as netmortem
// netstat does and returns what it prints.
func f5Run(r *snapshots.Reader, output string, args ...string) (string, error) {
	req0, filters, ops, frame, err := f5Args(args)
	if err != nil {
		return "", err
	}
	req, err := netstat.Parse(req0, filters, ops, routes.Env{})
	if err != nil {
		return "", err
	}
	snap := view.New(r)
	ns, err := snap.NamespaceByArg("")
	if err != nil {
		return "", err
	}
	var passes []*Pass
	var prev *view.View
	for i, f := range netstat.SelectFrames(r.Frames, frame, req.Interval, req.Count) {
		v, err := snap.Load(f, ns, netstat.Tables(req.Forms())...)
		if err != nil {
			return "", err
		}
		passes = append(passes, &Pass{N: i, Cur: v, Prev: prev, Req: req, P: &Printer{Names: v.Names, Numeric: req.Numeric}})
		prev = v
	}
	var out bytes.Buffer
	err = Render(&out, output, passes)
	return out.String(), err
}

func f5Open(t testing.TB, path string) *snapshots.Reader {
	t.Helper()
	r, err := snapshots.Open(path, snapshots.ReaderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// f5Golden compares got with testdata/f5-golden/name, or rewrites it
// with -update-f5.
func f5Golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "f5-golden", name)
	if *f5Update {
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
		t.Fatalf("%v (run go test -update-f5 to create it)", err)
	}
	if string(want) != got {
		wl, gl := strings.Split(string(want), "\n"), strings.Split(got, "\n")
		for i := 0; i < len(wl) || i < len(gl); i++ {
			var w, g string
			if i < len(wl) {
				w = wl[i]
			}
			if i < len(gl) {
				g = gl[i]
			}
			if w != g {
				t.Fatalf("%s differs at line %d:\nwant %q\ngot  %q", path, i+1, w, g)
			}
		}
	}
}

func f5GoldenName(prefix string, args []string, ext string) string {
	s := prefix + strings.Join(args, "")
	s = strings.NewReplacer(" ", "", "-", "_", "/", "_").Replace(s)
	return s + ext
}

// f5Cases are the command lines of the f5 goldens.
var f5Cases = [][]string{
	{"-s"}, {"-s", "-a"}, {"-s", "-P", "tcp"}, {"-s", "-P", "igmp"}, {"-s", "-P", "raw"}, {"-s", "-P", "ipv6"},
	{"-s", "-f", "inet"}, {"-s", "-f", "inet6"}, {"-s", "--frame", "1"},
	{"-Ms"}, {"-Ms", "-f", "inet6"},
	{"-m"}, {"-mv"},
	{"-g"}, {"-gv"}, {"-gn"}, {"-g", "-f", "inet6"},
	{"-p"}, {"-pn"}, {"-pv"}, {"-p", "-f", "inet"},
	{"-M"}, {"-Mn"}, {"-M", "-f", "inet"},
	{"-D"}, {"-D", "-I", "a0"}, {"-D", "-f", "inet6"},
	{"-g", "-p", "-M"}, {"-s", "-m", "-g"},
}

func TestF5Golden(t *testing.T) {
	r := f5Open(t, f5Snapshot)
	for _, args := range f5Cases {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			got, err := f5Run(r, "text", args...)
			if err != nil {
				t.Fatal(err)
			}
			f5Golden(t, f5GoldenName("f5", args, ".txt"), got)
		})
	}
}

func TestF5Records(t *testing.T) {
	r := f5Open(t, f5Snapshot)
	for _, c := range []struct {
		output string
		args   []string
	}{
		{"json", []string{"-s", "-P", "udp"}}, {"json", []string{"-Ms"}}, {"json", []string{"-m"}},
		{"json", []string{"-gv"}}, {"json", []string{"-p"}}, {"json", []string{"-M"}}, {"json", []string{"-D"}},
		{"yaml", []string{"-s", "-P", "icmp"}}, {"yaml", []string{"-D"}}, {"yaml", []string{"-g", "-f", "inet"}},
	} {
		t.Run(c.output+" "+strings.Join(c.args, " "), func(t *testing.T) {
			got, err := f5Run(r, c.output, c.args...)
			if err != nil {
				t.Fatal(err)
			}
			f5Golden(t, f5GoldenName("f5", c.args, "."+c.output), got)
		})
	}
}

// TestF5NotUnderDHCP: -D -I of an interface without a lease is netstat's
// error, which the command turns into exit status 2.
func TestF5NotUnderDHCP(t *testing.T) {
	r := f5Open(t, f5Snapshot)
	for _, ifn := range []string{"a1", "nosuch0"} {
		out, err := f5Run(r, "text", "-D", "-I", ifn)
		var e ErrNotUnderDHCP
		if !errors.As(err, &e) || err.Error() != ifn+": interface is not under DHCP control" {
			t.Errorf("-D -I %s: err %v", ifn, err)
		}
		if out != "" {
			t.Errorf("-D -I %s printed %q", ifn, out)
		}
	}
}

// f5Tables loads every namespace table of a frame of f5.nms.
func f5Tables(t *testing.T, r *snapshots.Reader, frame int) *snapshots.Tables {
	t.Helper()
	l, err := r.Load(frame, 0, snapshots.NamespaceTables...)
	if err != nil {
		t.Fatal(err)
	}
	return &l.Tables
}

// f5Write writes frames, every namespace table in each, with the name
// files of f5.nms, and opens the result.
func f5Write(t *testing.T, src *snapshots.Reader, frames []*snapshots.Tables, at []time.Time) *snapshots.Reader {
	t.Helper()
	var buf bytes.Buffer
	w, err := snapshots.NewWriter(&buf, src.Meta)
	if err != nil {
		t.Fatal(err)
	}
	ns := w.AddNamespace(src.Namespaces[0])
	var names snapshots.Tables
	if s := src.Find(-1, -1, snapshots.TableNames); s != nil {
		if err := src.ReadSection(s, &names); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.WriteTable(-1, snapshots.TableNames, snapshots.OK(at[0], "test"), &names); err != nil {
		t.Fatal(err)
	}
	for i, ts := range frames {
		w.BeginFrame(at[i])
		for _, tb := range snapshots.NamespaceTables {
			if err := w.WriteTable(ns, tb, snapshots.OK(at[i], "test"), ts); err != nil {
				t.Fatal(err)
			}
		}
		w.EndFrame(at[i].Add(time.Millisecond))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := snapshots.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()), snapshots.ReaderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// f5Set changes counter name of group in source to v in a copy of sets.
func f5Set(sets []snapshots.CounterSet, source, group, name string, v uint64) []snapshots.CounterSet {
	out := make([]snapshots.CounterSet, len(sets))
	for i, s := range sets {
		out[i] = snapshots.CounterSet{Source: s.Source, Group: s.Group, Counters: append([]snapshots.Counter(nil), s.Counters...)}
		if s.Source != source || s.Group != group {
			continue
		}
		for j := range out[i].Counters {
			if out[i].Counters[j].Name == name {
				out[i].Counters[j].Value = v
			}
		}
	}
	return out
}

// f5ResetSeries is frames 0 and 1 of f5.nms and a third frame 21 s later
// in which a1 was deleted and created again (its dev_snmp6 ifIndex and
// counters changed), Ip InReceives and Tcp ActiveOpens went backwards, the
// cache entry of 239.2.2.2 was deleted and added again, and one counter
// grew normally.
func f5ResetSeries(t *testing.T) *snapshots.Reader {
	src := f5Open(t, f5Snapshot)
	f0, f1 := f5Tables(t, src, 0), f5Tables(t, src, 1)
	f2 := *f1
	c := f1.Counters
	c = f5Set(c, "snmp", "Ip", "InReceives", 3)
	c = f5Set(c, "snmp", "Tcp", "ActiveOpens", 1)
	c = f5Set(c, "snmp", "Tcp", "InSegs", 1000)
	c = f5Set(c, "dev_snmp6/a1", "if", "ifIndex", 7)
	c = f5Set(c, "dev_snmp6/a1", "Ip6", "Ip6InReceives", 2)
	c = f5Set(c, "dev_snmp6/a1", "Ip6", "Ip6OutRequests", 40)
	f2.Counters = c
	f2.MFC = append([]snapshots.MFCEntry(nil), f1.MFC...)
	for i := range f2.MFC {
		if f2.MFC[i].Group.String() == "239.2.2.2" {
			f2.MFC[i].Packets, f2.MFC[i].Bytes, f2.MFC[i].WrongIf = 1, 30, 0
		}
	}
	at := []time.Time{src.Frames[0].Start, src.Frames[1].Start, src.Frames[1].Start.Add(21 * time.Second)}
	return f5Write(t, src, []*snapshots.Tables{f0, f1, &f2}, at)
}

func TestF5Interval(t *testing.T) {
	r := f5ResetSeries(t)
	for _, args := range [][]string{
		{"-s", "10"}, {"-s", "-a", "-P", "ipv6", "10"}, {"-s", "-P", "tcp", "10", "2"}, {"-s", "30"},
		{"-Ms", "10"}, {"-m", "10"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			got, err := f5Run(r, "text", args...)
			if err != nil {
				t.Fatal(err)
			}
			f5Golden(t, f5GoldenName("interval", args, ".txt"), got)
		})
	}
	got, err := f5Run(r, "json", "-s", "-P", "tcp", "10")
	if err != nil {
		t.Fatal(err)
	}
	f5Golden(t, "interval_s_Ptcp10.json", got)
}

// TestF5IntervalValues checks the deltas themselves, not only their
// layout: pass 2 shows frame 1 − frame 0, pass 3 marks the resets.
func TestF5IntervalValues(t *testing.T) {
	r := f5ResetSeries(t)
	out, err := f5Run(r, "text", "-s", "-P", "tcp", "10")
	if err != nil {
		t.Fatal(err)
	}
	passes := strings.Split(out, "\nTCP\t")
	if len(passes) != 4 {
		t.Fatalf("want 3 passes, got %d:\n%s", len(passes)-1, out)
	}
	src := f5Open(t, f5Snapshot)
	get := func(frame int, name string) uint64 {
		for _, s := range f5Tables(t, src, frame).Counters {
			if s.Source == "snmp" && s.Group == "Tcp" {
				if c, ok := s.Find(name); ok {
					return c.Value
				}
			}
		}
		t.Fatalf("no Tcp %s", name)
		return 0
	}
	want1 := fmt.Sprintf("tcpActiveOpens      =%6d", get(1, "ActiveOpens")-get(0, "ActiveOpens"))
	if !strings.Contains(passes[2], want1) {
		t.Errorf("pass 2 lacks %q", want1)
	}
	// Gauges are copied, not differenced.
	if want := fmt.Sprintf("tcpCurrEstab        =%6d", get(1, "CurrEstab")); !strings.Contains(passes[2], want) {
		t.Errorf("pass 2 lacks %q", want)
	}
	if !strings.Contains(passes[3], "tcpActiveOpens      =    1*") || !strings.Contains(passes[3], cntResetNote) {
		t.Errorf("pass 3 does not mark the reset of ActiveOpens:\n%s", passes[3])
	}
	if want := fmt.Sprintf("tcpInSegs           =%6d\n", 1000-get(1, "InSegs")); !strings.Contains(passes[3], want) {
		t.Errorf("pass 3 lacks %q", want)
	}
}

// TestF5Empty: every form on a snapshot whose tables are all empty
// prints its "is empty" lines, placeholders or nothing.
func TestF5Empty(t *testing.T) {
	src := f5Open(t, f5Snapshot)
	r := f5Write(t, src, []*snapshots.Tables{{}}, []time.Time{src.Frames[0].Start})
	for _, args := range [][]string{{"-s", "-P", "udp"}, {"-Ms"}, {"-m"}, {"-mv"}, {"-g"}, {"-p"}, {"-M"}, {"-D"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			got, err := f5Run(r, "text", args...)
			if err != nil {
				t.Fatal(err)
			}
			f5Golden(t, f5GoldenName("empty", args, ".txt"), got)
		})
	}
}
