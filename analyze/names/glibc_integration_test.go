package names

import (
	"bufio"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The tests in this file check the parsers against the C library itself:
// each fixture is bind-mounted over /etc/<db> in a private mount namespace
// (nothing outside the test's process changes) and getent answers the same
// questions. They need root, unshare(1) and getent(1).

// getentIn runs getent once per query with dir's databases mounted over
// /etc and returns the output of each query ("" when not found).
func getentIn(t *testing.T, dir string, queries [][]string) []string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root for a private mount namespace")
	}
	for _, tool := range []string{"unshare", "getent", "mount"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("needs %s", tool)
		}
	}
	tmp := t.TempDir()
	nss := filepath.Join(tmp, "nsswitch.conf")
	if err := os.WriteFile(nss, []byte("hosts: files\nnetworks: files\nprotocols: files\nservices: files\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var sc strings.Builder
	sc.WriteString("set -e\n")
	fmt.Fprintf(&sc, "mount --bind %q /etc/nsswitch.conf\n", nss)
	for _, db := range []string{"hosts", "networks", "services", "protocols"} {
		p, err := filepath.Abs(filepath.Join(dir, db))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(p); err == nil {
			fmt.Fprintf(&sc, "mount --bind %q /etc/%s\n", p, db)
		}
	}
	sc.WriteString("set +e\n")
	for i, q := range queries {
		fmt.Fprintf(&sc, "echo '@@%d'; getent", i)
		for _, a := range q {
			fmt.Fprintf(&sc, " %q", a)
		}
		sc.WriteString("\n")
	}
	sc.WriteString("exit 0\n")
	out, err := exec.Command("unshare", "-m", "--propagation", "private", "sh", "-c", sc.String()).Output()
	if err != nil {
		t.Fatalf("unshare: %v", err)
	}
	res := make([]string, len(queries))
	cur := -1
	s := bufio.NewScanner(strings.NewReader(string(out)))
	s.Buffer(nil, 1<<20)
	for s.Scan() {
		l := s.Text()
		if strings.HasPrefix(l, "@@") {
			cur, _ = strconv.Atoi(l[2:])
			continue
		}
		if cur >= 0 && cur < len(res) {
			res[cur] += l + "\n"
		}
	}
	return res
}

func readDB(t *testing.T, dir, db string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, db))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var fixtureDirs = []string{"testdata/debian", "testdata/tricky"}

func TestIntegrationGlibcServices(t *testing.T) {
	for _, dir := range fixtureDirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			s := ParseServices(readDB(t, dir, "services"))
			queries := [][]string{{"services"}}
			for _, e := range s.Entries() {
				if e.Proto == "" {
					continue // getent passes "" (not NULL) as the protocol; Lookup's "" means any
				}
				queries = append(queries,
					[]string{"services", fmt.Sprintf("%d/%s", e.Port, e.Proto)},
					[]string{"services", strconv.Itoa(int(e.Port))},
					[]string{"services", e.Name + "/" + e.Proto})
			}
			queries = append(queries, []string{"services", "1/tcp"}, []string{"services", "65535/udp"})
			got := getentIn(t, dir, queries)
			var want []string
			for _, e := range s.Entries() {
				want = append(want, fmtService(e))
			}
			if norm(got[0]) != norm(strings.Join(want, " ")) {
				t.Errorf("enumeration differs:\nglibc:\n%s\nours:\n%s", got[0], strings.Join(want, "\n"))
			}
			for i, q := range queries[1:] {
				key := q[1]
				var e Service
				var ok bool
				if num, proto, slash := strings.Cut(key, "/"); slash {
					if p, err := strconv.Atoi(num); err == nil {
						e, ok = s.Lookup(uint16(p), proto)
					} else {
						e, ok = s.LookupName(num, proto)
					}
				} else {
					p, _ := strconv.Atoi(num)
					e, ok = s.Lookup(uint16(p), "")
				}
				g := norm(got[i+1])
				w := ""
				if ok {
					w = norm(fmtService(e))
				}
				if g != w {
					t.Errorf("getent services %s: glibc %q, ours %q", key, g, w)
				}
			}
		})
	}
}

func fmtService(e Service) string {
	return strings.Join(append([]string{e.Name, fmt.Sprintf("%d/%s", e.Port, e.Proto)}, e.Aliases...), " ")
}

func norm(s string) string { return strings.Join(strings.Fields(s), " ") }

func TestIntegrationGlibcProtocols(t *testing.T) {
	for _, dir := range fixtureDirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			p := ParseProtocols(readDB(t, dir, "protocols"))
			queries := [][]string{{"protocols"}}
			var keys []uint32
			for _, e := range p.Entries() {
				keys = append(keys, e.Number)
				queries = append(queries, []string{"protocols", strconv.FormatUint(uint64(e.Number), 10)})
			}
			for _, n := range []uint32{15, 200, 254} {
				keys = append(keys, n)
				queries = append(queries, []string{"protocols", strconv.Itoa(int(n))})
			}
			got := getentIn(t, dir, queries)
			var want []string
			for _, e := range p.Entries() {
				want = append(want, fmtProto(e))
			}
			if norm(got[0]) != norm(strings.Join(want, " ")) {
				t.Errorf("enumeration differs:\nglibc:\n%s\nours:\n%s", got[0], strings.Join(want, "\n"))
			}
			for i, n := range keys {
				e, ok := p.Lookup(n)
				w := ""
				if ok {
					w = norm(fmtProto(e))
				}
				if g := norm(got[i+1]); g != w {
					t.Errorf("getent protocols %d: glibc %q, ours %q", n, g, w)
				}
			}
		})
	}
}

func fmtProto(e Protocol) string {
	// getent prints p_proto, a C int.
	return strings.Join(append([]string{e.Name, strconv.Itoa(int(int32(e.Number)))}, e.Aliases...), " ")
}

func TestIntegrationGlibcNetworks(t *testing.T) {
	for _, dir := range fixtureDirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			n := ParseNetworks(readDB(t, dir, "networks"))
			queries := [][]string{{"networks"}}
			addrs := []netip.Addr{netip.MustParseAddr("10.9.9.0"), netip.MustParseAddr("127.0.0.1")}
			for _, e := range n.Entries() {
				addrs = append(addrs, e.Net)
			}
			for _, a := range addrs {
				queries = append(queries, []string{"networks", a.String()})
			}
			got := getentIn(t, dir, queries)
			var want []string
			for _, e := range n.Entries() {
				want = append(want, strings.Join(append([]string{e.Name, e.Net.String()}, e.Aliases...), " "))
			}
			if norm(got[0]) != norm(strings.Join(want, " ")) {
				t.Errorf("enumeration differs:\nglibc:\n%s\nours:\n%s", got[0], strings.Join(want, "\n"))
			}
			for i, a := range addrs {
				e, ok := n.Lookup(a)
				w := ""
				if ok {
					w = norm(strings.Join(append([]string{e.Name, e.Net.String()}, e.Aliases...), " "))
				}
				if g := norm(got[i+1]); g != w {
					t.Errorf("getent networks %s: glibc %q, ours %q", a, g, w)
				}
			}
		})
	}
}

func TestIntegrationGlibcHosts(t *testing.T) {
	for _, dir := range fixtureDirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			h := ParseHosts(readDB(t, dir, "hosts"))
			addrs := []netip.Addr{netip.IPv6Unspecified(), netip.MustParseAddr("10.99.0.1"), netip.MustParseAddr("fe80::1")}
			for _, e := range h.Entries() {
				a := e.Addr
				addrs = append(addrs, a)
				if a.Is4() {
					addrs = append(addrs, netip.AddrFrom16(a.As16()))
				} else if a.Is4In6() {
					addrs = append(addrs, a.Unmap())
				}
			}
			var queries [][]string
			for _, a := range addrs {
				queries = append(queries, []string{"hosts", a.String()})
			}
			got := getentIn(t, dir, queries)
			for i, a := range addrs {
				g := norm(got[i])
				if f := strings.Fields(g); len(f) == 1 {
					g = "" // glibc's empty name for an address-only line: we skip those
				}
				e, ok := h.Lookup(a)
				w := ""
				if ok {
					w = norm(strings.Join(append([]string{a.String(), e.Name}, e.Aliases...), " "))
				}
				if g != w {
					t.Errorf("getent hosts %s: glibc %q, ours %q", a, g, w)
				}
			}
		})
	}
}

// TestIntegrationIproute2Tables checks ParseRouteTables against iproute2's
// own reader: in a private mount and network namespace, the fixtures are
// mounted over /etc/iproute2, rules are added by table id and by name, and
// `ip rule show` / `ip -N rule show` print what iproute2 made of them.
func TestIntegrationIproute2Tables(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root for private namespaces")
	}
	for _, tool := range []string{"unshare", "ip", "mount"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("needs %s", tool)
		}
	}
	base, _ := filepath.Abs("testdata/debian/rt_tables")
	dir, _ := filepath.Abs("testdata/tricky/rt_tables.d")
	var files [][]byte
	files = append(files, readDB(t, "testdata/debian", "rt_tables"))
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".conf") {
			files = append(files, readDB(t, dir, e.Name()))
		}
	}
	rt := ParseRouteTables(files...)
	ids := []uint32{1, 2, 7, 8, 9, 44, 100, 101, 150, 253, 254, 255, 300, 512, 2147483647, 2147483649, 4294967295}
	names := []string{"main", "local", "default", "lab", "hexid", "primary", "trailing", "seven", "dup", "eight",
		"wrap", "hexwrap", "imax", "hexneg", "big", "nine", "minus1"}
	var sc strings.Builder
	fmt.Fprintf(&sc, "mount --bind %q /etc/iproute2/rt_tables\nmount --bind %q /etc/iproute2/rt_tables.d\n", base, dir)
	for i, id := range ids {
		fmt.Fprintf(&sc, "ip rule add pref %d table %d\n", 1000+i, id)
	}
	for i, n := range names {
		fmt.Fprintf(&sc, "ip rule add pref %d table %s || true\n", 2000+i, n)
	}
	sc.WriteString("echo @@names; ip rule show; echo @@ids; ip -N rule show\n")
	out, err := exec.Command("unshare", "-m", "-n", "--propagation", "private", "sh", "-c", sc.String()).Output()
	if err != nil {
		t.Fatalf("unshare: %v\n%s", err, out)
	}
	shown := map[string]map[int]string{}
	section := ""
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, "@@") {
			section = l[2:]
			shown[section] = map[int]string{}
			continue
		}
		pref, rest, ok := strings.Cut(l, ":")
		f := strings.Fields(rest)
		if p, err := strconv.Atoi(pref); ok && err == nil && len(f) > 0 && section != "" {
			shown[section][p] = f[len(f)-1]
		}
	}
	if len(shown["names"]) < len(ids) || len(shown["ids"]) < len(ids) {
		t.Fatalf("ip rule show printed too little:\n%s", out)
	}
	for i, id := range ids {
		want := strconv.FormatUint(uint64(id), 10)
		if n, ok := rt.Name(id); ok {
			want = n
		}
		if got := shown["names"][1000+i]; got != want {
			t.Errorf("table %d: iproute2 prints %q, ours %q", id, got, want)
		}
	}
	for i, n := range names {
		got, added := shown["ids"][2000+i]
		id, ok := rt.ID(n)
		if added != ok || (ok && got != strconv.FormatUint(uint64(id), 10)) {
			t.Errorf("table %s: iproute2 %q (added %v), ours %d, %v", n, got, added, id, ok)
		}
	}
}
