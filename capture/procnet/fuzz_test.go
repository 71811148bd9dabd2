package procnet

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/netmortem/netmortem/snapshots"
)

// The fuzz targets are seeded with the real files (both architectures
// where they exist); crashers found so far live in testdata/fuzz. Every
// target checks that a parser fails cleanly (nil result, a printable
// error) or returns rows that keep the file's invariants.

func addSeeds(f *testing.F, names ...string) {
	for _, dir := range []string{x86Dir, s390Dir, handDir} {
		for _, n := range names {
			b, err := os.ReadFile(filepath.Join(dir, n))
			if err == nil {
				f.Add(b)
			}
		}
	}
}

// checkErr requires a nil result with an error, and a printable error.
func checkErr(t *testing.T, err error, results ...any) bool {
	t.Helper()
	if err == nil {
		return false
	}
	_ = err.Error()
	for _, r := range results {
		if v := reflect.ValueOf(r); v.IsValid() && !v.IsNil() {
			t.Fatalf("error %v with a result", err)
		}
	}
	return true
}

func orderOf(big bool) binary.ByteOrder {
	if big {
		return binary.BigEndian
	}
	return binary.LittleEndian
}

func FuzzInet(f *testing.F) {
	for i, k := range InetFiles {
		for _, c := range []struct {
			dir string
			big bool
		}{{x86Dir, false}, {s390Dir, true}} {
			if b, err := os.ReadFile(filepath.Join(c.dir, "net", k.Name)); err == nil {
				f.Add(uint8(i), c.big, uint16(100), b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, kind uint8, big bool, ticks uint16, data []byte) {
		k := InetFiles[int(kind)%len(InetFiles)]
		socks, err := ParseInet(bytes.NewReader(data), k, orderOf(big), uint32(ticks))
		if checkErr(t, err, socks) {
			return
		}
		for _, s := range socks {
			if s.Family != k.Family || s.Proto != k.Proto || s.Local.Addr().Is4() != (k.Family == snapshots.AFInet) {
				t.Fatalf("%s: %+v", k.Name, s)
			}
			if k.Proto == snapshots.ProtoRaw && s.RawProto != s.Local.Port() {
				t.Fatalf("raw proto %d port %d", s.RawProto, s.Local.Port())
			}
			if s.State == tcpListen && k.Proto == snapshots.ProtoTCP && s.Ssthresh != 0 {
				t.Fatal("listener with ssthresh")
			}
		}
	})
}

func FuzzUnix(f *testing.F) {
	addSeeds(f, "net/unix")
	f.Add([]byte("Num       RefCount Protocol Flags    Type St Inode Path\n01: 2 0 0 1 3 7 /a\nb\n\n02: 2 0 10000 1 1 8 @x@y\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		socks, err := ParseUnix(bytes.NewReader(data))
		if checkErr(t, err, socks) {
			return
		}
		for _, s := range socks {
			if s.State != tcpListen && s.State != tcpEstablished && s.State != tcpClose {
				t.Fatalf("state %d", s.State)
			}
			if (s.Flags&soAcceptCon != 0) != (s.State == tcpListen) {
				t.Fatalf("flags %#x state %d", s.Flags, s.State)
			}
		}
	})
}

func FuzzPacket(f *testing.F) {
	addSeeds(f, "net/packet")
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParsePacket(bytes.NewReader(data))
		checkErr(t, err, p)
	})
}

func FuzzSCTPEndpoints(f *testing.F) {
	addSeeds(f, "net/sctp/eps")
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := ParseSCTPEndpoints(bytes.NewReader(data))
		checkErr(t, err, e)
	})
}

func FuzzSCTPAssocs(f *testing.F) {
	addSeeds(f, "net/sctp/assocs", "net/sctp/assocs-3.10", "net/sctp/assocs-2.6.18")
	f.Fuzz(func(t *testing.T, data []byte) {
		as, err := ParseSCTPAssocs(bytes.NewReader(data))
		if checkErr(t, err, as) {
			return
		}
		for _, a := range as {
			for _, l := range a.Locals {
				if !l.Addr.IsValid() {
					t.Fatal("invalid local address")
				}
			}
		}
	})
}

func FuzzSCTPRemaddr(f *testing.F) {
	addSeeds(f, "net/sctp/remaddr")
	assocs := readFixture(f, handDir, "net/sctp/assocs")
	f.Fuzz(func(t *testing.T, data []byte) {
		paths, err := ParseSCTPRemaddr(bytes.NewReader(data))
		if checkErr(t, err, paths) {
			return
		}
		as, err := ParseSCTPAssocs(bytes.NewReader(assocs))
		if err != nil {
			t.Fatal(err)
		}
		before := 0
		for _, a := range as {
			before += len(a.Remotes)
		}
		n := AttachSCTPPaths(as, paths)
		after := 0
		for _, a := range as {
			after += len(a.Remotes)
		}
		if n < 0 || n > len(paths) || after < before || after > before+len(paths)-n {
			t.Fatalf("attach: %d unmatched, remotes %d -> %d", n, before, after)
		}
	})
}

func FuzzIGMP(f *testing.F) {
	for _, c := range []struct {
		dir string
		big bool
	}{{x86Dir, false}, {s390Dir, true}} {
		f.Add(c.big, readFixture(f, c.dir, "net/igmp"))
	}
	f.Fuzz(func(t *testing.T, big bool, data []byte) {
		g, i, err := ParseIGMP(bytes.NewReader(data), orderOf(big))
		if checkErr(t, err, g, i) {
			return
		}
		for _, m := range g {
			if !m.Group.Is4() || m.Family != snapshots.AFInet {
				t.Fatalf("%+v", m)
			}
		}
	})
}

func FuzzIGMP6(f *testing.F) {
	addSeeds(f, "net/igmp6")
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := ParseIGMP6(bytes.NewReader(data))
		checkErr(t, err, g)
	})
}

func FuzzMcFilter(f *testing.F) {
	for _, n := range []string{"net/mcfilter", "net/mcfilter6"} {
		f.Add(n == "net/mcfilter6", readFixture(f, x86Dir, n))
	}
	igmp := readFixture(f, x86Dir, "net/igmp")
	f.Fuzz(func(t *testing.T, v6 bool, data []byte) {
		parse := ParseMcFilter
		if v6 {
			parse = ParseMcFilter6
		}
		fs, err := parse(bytes.NewReader(data))
		if checkErr(t, err, fs) {
			return
		}
		groups, _, err := ParseIGMP(bytes.NewReader(igmp), binary.LittleEndian)
		if err != nil {
			t.Fatal(err)
		}
		all := AttachSources(groups, fs)
		n := 0
		for _, g := range all {
			n += len(g.Sources)
			if g.Mode != snapshots.FilterInclude && g.Mode != snapshots.FilterExclude {
				t.Fatalf("mode %d", g.Mode)
			}
		}
		if n != len(fs) {
			t.Fatalf("%d sources attached of %d", n, len(fs))
		}
	})
}

func FuzzDevMcast(f *testing.F) {
	addSeeds(f, "net/dev_mcast")
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseDevMcast(bytes.NewReader(data))
		checkErr(t, err, m)
	})
}

func FuzzVif(f *testing.F) {
	f.Add(false, false, readFixture(f, x86Dir, "net/ip_mr_vif"))
	f.Add(false, true, readFixture(f, s390Dir, "net/ip_mr_vif"))
	f.Add(true, false, readFixture(f, x86Dir, "net/ip6_mr_vif"))
	f.Fuzz(func(t *testing.T, v6, big bool, data []byte) {
		var vs []snapshots.Vif
		var err error
		if v6 {
			vs, err = ParseIP6MrVif(bytes.NewReader(data))
		} else {
			vs, err = ParseIPMrVif(bytes.NewReader(data), orderOf(big))
		}
		if checkErr(t, err, vs) {
			return
		}
		for _, v := range vs {
			if v.Flags&viffUseIfIndex != 0 && v.Local.IsValid() {
				t.Fatalf("%+v", v)
			}
		}
	})
}

func FuzzMFC(f *testing.F) {
	f.Add(false, false, readFixture(f, x86Dir, "net/ip_mr_cache"))
	f.Add(false, true, readFixture(f, s390Dir, "net/ip_mr_cache"))
	f.Add(true, false, readFixture(f, x86Dir, "net/ip6_mr_cache"))
	f.Fuzz(func(t *testing.T, v6, big bool, data []byte) {
		var es []snapshots.MFCEntry
		var err error
		if v6 {
			es, err = ParseIP6MrCache(bytes.NewReader(data))
		} else {
			es, err = ParseIPMrCache(bytes.NewReader(data), orderOf(big))
		}
		if checkErr(t, err, es) {
			return
		}
		for _, e := range es {
			if e.Resolved != (e.IIFVif >= 0) || e.Table != TableMrouteDefault {
				t.Fatalf("%+v", e)
			}
		}
	})
}

func FuzzPaired(f *testing.F) {
	addSeeds(f, "net/snmp", "net/netstat")
	f.Fuzz(func(t *testing.T, data []byte) {
		sets, err := ParseSNMP(bytes.NewReader(data))
		if checkErr(t, err, sets) {
			return
		}
		for _, s := range sets {
			for _, c := range s.Counters {
				if c.Signed && c.Int() >= 0 {
					t.Fatalf("%+v", c)
				}
			}
		}
	})
}

func FuzzNameValues(f *testing.F) {
	addSeeds(f, "net/snmp6", "net/dev_snmp6/a0", "net/sctp/snmp")
	f.Fuzz(func(t *testing.T, data []byte) {
		sets, err := ParseNameValues(bytes.NewReader(data), "snmp6")
		if checkErr(t, err, sets) {
			return
		}
		for _, s := range sets {
			if len(s.Counters) == 0 {
				t.Fatal("empty set")
			}
		}
	})
}

func FuzzSockstat(f *testing.F) {
	addSeeds(f, "net/sockstat", "net/sockstat6")
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSockstat(bytes.NewReader(data), "sockstat")
		checkErr(t, err, s)
	})
}

func FuzzProtocols(f *testing.F) {
	addSeeds(f, "net/protocols")
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParseProtocols(bytes.NewReader(data))
		checkErr(t, err, p)
	})
}

func FuzzSoftnet(f *testing.F) {
	addSeeds(f, "net/softnet_stat")
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSoftnetStat(bytes.NewReader(data))
		checkErr(t, err, s)
	})
}

func FuzzDev(f *testing.F) {
	addSeeds(f, "net/dev")
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := ParseDev(bytes.NewReader(data))
		if checkErr(t, err, d) {
			return
		}
		for _, s := range d {
			if s.Name == "" || !s.Stats.Valid {
				t.Fatalf("%+v", s)
			}
		}
	})
}

func FuzzSlabinfo(f *testing.F) {
	addSeeds(f, "slabinfo")
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSlabinfo(bytes.NewReader(data), nil)
		if checkErr(t, err, s) {
			return
		}
		for _, x := range s {
			if !NetSlab(x.Name) {
				t.Fatalf("kept %q", x.Name)
			}
		}
	})
}

func FuzzARP(f *testing.F) {
	addSeeds(f, "net/arp")
	f.Fuzz(func(t *testing.T, data []byte) {
		ns, err := ParseARP(bytes.NewReader(data), labIfIndex)
		if checkErr(t, err, ns) {
			return
		}
		for i := range ns {
			switch ATFFlags(&ns[i]) {
			case 0, ATFCom, ATFCom | ATFPerm, ATFPubl | ATFPerm:
			default:
				t.Fatalf("%+v", ns[i])
			}
		}
	})
}

func FuzzRoute(f *testing.F) {
	f.Add(false, readFixture(f, x86Dir, "net/route"))
	f.Add(true, readFixture(f, s390Dir, "net/route"))
	f.Fuzz(func(t *testing.T, big bool, data []byte) {
		rs, err := ParseRoute(bytes.NewReader(data), orderOf(big), labIfIndex)
		if checkErr(t, err, rs) {
			return
		}
		for _, r := range rs {
			if !r.Dst.IsValid() || r.Table != TableMain {
				t.Fatalf("%+v", r)
			}
		}
	})
}

func FuzzIPv6Route(f *testing.F) {
	addSeeds(f, "net/ipv6_route")
	f.Fuzz(func(t *testing.T, data []byte) {
		rs, err := ParseIPv6Route(bytes.NewReader(data), labIfIndex)
		if checkErr(t, err, rs) {
			return
		}
		for _, r := range rs {
			if !r.Dst.IsValid() || len(r.NextHops) != 1 {
				t.Fatalf("%+v", r)
			}
		}
	})
}

func FuzzIfInet6(f *testing.F) {
	addSeeds(f, "net/if_inet6")
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := ParseIfInet6(bytes.NewReader(data))
		checkErr(t, err, a)
	})
}

func FuzzFibTrie(f *testing.F) {
	addSeeds(f, "net/fib_trie")
	f.Fuzz(func(t *testing.T, data []byte) {
		rs, err := ParseFibTrie(bytes.NewReader(data))
		if checkErr(t, err, rs) {
			return
		}
		for _, r := range rs {
			if !r.Dst.IsValid() || !r.Dst.Addr().Is4() {
				t.Fatalf("%+v", r)
			}
		}
	})
}
