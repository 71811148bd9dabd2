package names

import (
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
)

// Seeds come from testdata/fuzz/<Target>/ and from the fixture files.
func addFixtureSeeds(f *testing.F, db string) {
	for _, dir := range fixtureDirs {
		if b, err := filepath.Glob(filepath.Join(dir, db)); err == nil && len(b) > 0 {
			f.Add(mustRead(f, b[0]))
		}
	}
}

func checkLines(t *testing.T, data []byte, skipped []int) {
	n := strings.Count(string(data), "\n") + 1
	for _, l := range skipped {
		if l < 1 || l > n {
			t.Fatalf("skipped line %d outside 1..%d", l, n)
		}
	}
}

func FuzzParseHosts(f *testing.F) {
	addFixtureSeeds(f, "hosts")
	f.Fuzz(func(t *testing.T, data []byte) {
		h := ParseHosts(data)
		checkLines(t, data, h.Skipped())
		for _, e := range h.Entries() {
			if e.Name == "" || strings.ContainsAny(e.Name, " \t#\n") {
				t.Fatalf("bad name %q", e.Name)
			}
			got, ok := h.Lookup(e.Addr)
			if e.Addr == netip.IPv6Unspecified() {
				continue
			}
			if !ok || got.Addr != e.Addr && got.Addr.Unmap() != e.Addr.Unmap() || got.Line > e.Line {
				t.Fatalf("Lookup(%s) = %+v, %v for line %d", e.Addr, got, ok, e.Line)
			}
			if len(h.LookupName(e.Name)) == 0 {
				t.Fatalf("LookupName(%q) found nothing", e.Name)
			}
		}
		r := New(Files{Hostname: "h", Hosts: data})
		for _, e := range h.Entries() {
			r.HostName(e.Addr)
		}
	})
}

func FuzzParseNetworks(f *testing.F) {
	addFixtureSeeds(f, "networks")
	f.Fuzz(func(t *testing.T, data []byte) {
		n := ParseNetworks(data)
		checkLines(t, data, n.Skipped())
		for _, e := range n.Entries() {
			if !e.Net.Is4() {
				t.Fatalf("network %q is %s", e.Name, e.Net)
			}
			got, ok := n.Lookup(e.Net)
			if !ok || got.Net != e.Net || got.Line > e.Line {
				t.Fatalf("Lookup(%s) = %+v, %v", e.Net, got, ok)
			}
			if _, ok := n.LookupName(e.Name); !ok {
				t.Fatalf("LookupName(%q) found nothing", e.Name)
			}
		}
	})
}

func FuzzParseServices(f *testing.F) {
	addFixtureSeeds(f, "services")
	f.Fuzz(func(t *testing.T, data []byte) {
		s := ParseServices(data)
		checkLines(t, data, s.Skipped())
		for _, e := range s.Entries() {
			got, ok := s.Lookup(e.Port, e.Proto)
			if e.Proto == "" {
				got.Proto = "" // a lookup with protocol "" takes the first line of any protocol
			}
			if !ok || got.Port != e.Port || got.Proto != e.Proto || got.Line > e.Line {
				t.Fatalf("Lookup(%d, %q) = %+v, %v", e.Port, e.Proto, got, ok)
			}
			if any, ok := s.Lookup(e.Port, ""); !ok || any.Line > e.Line {
				t.Fatalf("Lookup(%d, any) = %+v, %v", e.Port, any, ok)
			}
			if got, ok := s.LookupName(e.Name, e.Proto); !ok || got.Line > e.Line {
				t.Fatalf("LookupName(%q) = %+v, %v", e.Name, got, ok)
			}
		}
	})
}

func FuzzParseProtocols(f *testing.F) {
	addFixtureSeeds(f, "protocols")
	f.Fuzz(func(t *testing.T, data []byte) {
		p := ParseProtocols(data)
		checkLines(t, data, p.Skipped())
		for _, e := range p.Entries() {
			got, ok := p.Lookup(e.Number)
			if !ok || got.Number != e.Number || got.Line > e.Line {
				t.Fatalf("Lookup(%d) = %+v, %v", e.Number, got, ok)
			}
			if _, ok := p.LookupName(e.Name); !ok {
				t.Fatalf("LookupName(%q) found nothing", e.Name)
			}
		}
	})
}

func FuzzParseRouteTables(f *testing.F) {
	f.Add(mustRead(f, "testdata/debian/rt_tables"), []byte(nil))
	f.Add(mustRead(f, "testdata/tricky/rt_tables.d/lab.conf"), mustRead(f, "testdata/tricky/rt_tables.d/ids.conf"))
	f.Fuzz(func(t *testing.T, base, dropin []byte) {
		rt := ParseRouteTables(base, dropin)
		if len(rt.Stopped()) != 2 {
			t.Fatalf("Stopped has %d entries", len(rt.Stopped()))
		}
		if rt.Len() < 1 {
			t.Fatal("no names at all, not even the built-in ones")
		}
		for _, id := range []uint32{0, 253, 254, 255} {
			n, ok := rt.Name(id)
			if !ok {
				t.Fatalf("built-in table %d lost its name", id)
			}
			if _, ok := rt.ID(n); !ok {
				t.Fatalf("ID(%q) not found", n)
			}
		}
		for id, n := range rt.byID {
			if int32(id) < 0 || n == "" || strings.ContainsAny(n, " \t\n") {
				t.Fatalf("entry %d %q", id, n)
			}
		}
	})
}
