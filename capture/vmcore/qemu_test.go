package vmcore

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/netmortem/netmortem/snapshots"
)

// buildDumps runs testdata/vmcore/build.sh once per version of the script
// and returns the directory holding its dumps. Builds are cached under
// /var/tmp/netmortem-vmcore/<hash of the script>.
func buildDumps(t *testing.T, variant string, env ...string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds a QEMU guest; skipped with -short")
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root to install QEMU and its helpers")
	}
	script, err := filepath.Abs("../../testdata/vmcore/build.sh")
	if err != nil {
		t.Fatal(err)
	}
	body, err := os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(body)
	const cache = "/var/tmp/netmortem-vmcore"
	hash := hex.EncodeToString(sum[:6])
	dir := filepath.Join(cache, hash+variant)
	if _, err := os.Stat(filepath.Join(dir, "DONE")); err == nil {
		return dir
	}
	// Dumps of older versions of the script are half a gigabyte each.
	old, _ := filepath.Glob(filepath.Join(cache, "????????????*"))
	for _, o := range old {
		if !strings.HasPrefix(filepath.Base(o), hash) {
			os.RemoveAll(o)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", script, dir)
	cmd.Env = append(append(os.Environ(), "PKGDIR="+filepath.Join(cache, "pkg")), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		if _, lerr := exec.LookPath("qemu-system-x86_64"); lerr != nil {
			t.Skipf("QEMU could not be installed: %v\n%s", err, out)
		}
		t.Fatalf("build.sh: %v\n%s", err, out)
	}
	return dir
}

// guest is the live state the guest printed before the dump.
type guest struct {
	sections map[string][]string
}

func readGuest(t *testing.T, path string) *guest {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	g := &guest{sections: map[string][]string{}}
	cur := ""
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r ")
		if i := strings.Index(line, "=== "); i >= 0 && strings.HasSuffix(line, " ===") {
			cur = strings.TrimSuffix(line[i+4:], " ===")
			continue
		}
		if cur != "" && cur != "end" && line != "" {
			g.sections[cur] = append(g.sections[cur], line)
		}
	}
	if len(g.sections["link"]) == 0 || len(g.sections["ns2 link"]) == 0 {
		t.Fatalf("%s: the guest printed no state", path)
	}
	return g
}

func sorted(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// sameSet fails unless want and got hold the same keys.
func sameSet(t *testing.T, what string, want, got map[string]bool) {
	t.Helper()
	if len(want) == 0 {
		t.Errorf("%s: the guest printed none; the comparison would be empty", what)
	}
	t.Logf("%s: %d in the guest, %d imported", what, len(want), len(got))
	if d := cmp.Diff(sorted(want), sorted(got)); d != "" {
		t.Errorf("%s differ (-guest +import):\n%s", what, d)
	}
}

// links parses `ip -o link` into keys "index name mtu mac up" and a name→index map.
func guestLinks(lines []string) (map[string]bool, map[string]int) {
	keys, idx := map[string]bool{}, map[string]int{}
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) < 5 {
			continue
		}
		n, _ := strconv.Atoi(strings.TrimSuffix(f[0], ":"))
		name, _, _ := strings.Cut(strings.TrimSuffix(f[1], ":"), "@")
		mtu, mac := "", ""
		for i := range f {
			if f[i] == "mtu" && i+1 < len(f) {
				mtu = f[i+1]
			}
			if strings.HasPrefix(f[i], "link/") && i+1 < len(f) {
				mac = f[i+1]
			}
		}
		up := strings.Contains(f[2], ",UP") || strings.Contains(f[2], "<UP")
		idx[name] = n
		keys[fmt.Sprintf("%d %s %s %s %v", n, name, mtu, mac, up)] = true
	}
	return keys, idx
}

func importLinks(ls []snapshots.Link) map[string]bool {
	keys := map[string]bool{}
	for _, l := range ls {
		var mac []string
		for _, b := range l.HWAddr {
			mac = append(mac, fmt.Sprintf("%02x", b))
		}
		keys[fmt.Sprintf("%d %s %d %s %v", l.Index, l.Name, l.MTU, strings.Join(mac, ":"), l.Flags&1 != 0)] = true
	}
	return keys
}

// guestAddrs parses `ip -o addr` into "index family addr/len label".
func guestAddrs(lines []string) map[string]bool {
	keys := map[string]bool{}
	for _, l := range lines {
		l, _, _ = strings.Cut(l, `\`)
		f := strings.Fields(l)
		if len(f) < 4 {
			continue
		}
		n := strings.TrimSuffix(f[0], ":")
		label := ""
		if f[2] == "inet" {
			label = f[len(f)-1]
		}
		keys[fmt.Sprintf("%s %s %s %s", n, f[2], f[3], label)] = true
	}
	return keys
}

func importAddrs(as []snapshots.Addr) map[string]bool {
	keys := map[string]bool{}
	for _, a := range as {
		fam := "inet"
		if a.Family == snapshots.AFInet6 {
			fam = "inet6"
		}
		keys[fmt.Sprintf("%d %s %s/%d %s", a.Index, fam, a.IP(), a.PrefixLen, a.Label)] = true
	}
	return keys
}

var routeTypes = map[string]uint8{"local": 2, "broadcast": 3, "blackhole": 6, "unreachable": 7, "prohibit": 8, "multicast": 5}

// guestRoutes parses `ip route show table all` into
// "family table type dst via dev metric".
func guestRoutes(lines []string, ifs map[string]int) map[string]bool {
	keys := map[string]bool{}
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) == 0 {
			continue
		}
		typ := uint8(1)
		if t, ok := routeTypes[f[0]]; ok {
			typ, f = t, f[1:]
		}
		dst := f[0]
		fam := 4
		if strings.Contains(dst, ":") {
			fam = 6
		}
		switch {
		case dst == "default" && fam == 4:
			dst = "0.0.0.0/0"
		case dst == "default":
			dst = "::/0"
		case !strings.Contains(dst, "/"):
			p := netip.MustParseAddr(dst)
			dst = netip.PrefixFrom(p, p.BitLen()).String()
		}
		table, via, dev, metric := "254", "", 0, ""
		for i := 1; i+1 < len(f); i++ {
			switch f[i] {
			case "table":
				table = map[string]string{"local": "255", "main": "254", "default": "253"}[f[i+1]]
				if table == "" {
					table = f[i+1]
				}
			case "via":
				via = f[i+1]
				if strings.Contains(via, ":") {
					fam = 6
				}
			case "dev":
				dev = ifs[f[i+1]]
			case "metric":
				metric = f[i+1]
			}
		}
		if dst == "0.0.0.0/0" && fam == 6 {
			dst = "::/0"
		}
		if fam == 4 && metric == "" {
			metric = "0"
		}
		if fam == 6 && (typ == 6 || typ == 7 || typ == 8) {
			dev = 0 // reject routes point at lo inside the kernel; compare without it
		}
		keys[fmt.Sprintf("%d %s %d %s %s %d %s", fam, table, typ, dst, via, dev, metric)] = true
	}
	return keys
}

func importRoutes(rs []snapshots.Route) map[string]bool {
	keys := map[string]bool{}
	for _, r := range rs {
		fam := 4
		if r.Family == snapshots.AFInet6 {
			fam = 6
		}
		via, dev := "", 0
		if len(r.NextHops) > 0 {
			if r.NextHops[0].Gateway.IsValid() {
				via = r.NextHops[0].Gateway.String()
			}
			dev = int(r.NextHops[0].OIF)
		}
		if fam == 6 && (r.Type == 6 || r.Type == 7 || r.Type == 8) {
			dev = 0
		}
		keys[fmt.Sprintf("%d %d %d %s %s %d %d", fam, r.Table, r.Type, r.Dst, via, dev, r.Priority)] = true
	}
	return keys
}

// hexAddr decodes a /proc/net/tcp address ("0100007F:0050").
func hexAddr(s string) string {
	a, p, _ := strings.Cut(s, ":")
	port, _ := strconv.ParseUint(p, 16, 16)
	b, _ := hex.DecodeString(a)
	for i := 0; i+4 <= len(b); i += 4 { // each 32-bit word is in host (little-endian) order
		b[i], b[i+1], b[i+2], b[i+3] = b[i+3], b[i+2], b[i+1], b[i]
	}
	ip, _ := netip.AddrFromSlice(b)
	return netip.AddrPortFrom(ip, uint16(port)).String()
}

// guestSockets parses /proc/net/{tcp,udp}{,6} lines into "local remote state".
func guestSockets(lines []string) map[string]bool {
	keys := map[string]bool{}
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) < 4 || f[0] == "sl" {
			continue
		}
		st, _ := strconv.ParseUint(f[3], 16, 8)
		keys[fmt.Sprintf("%s %s %d", hexAddr(f[1]), hexAddr(f[2]), st)] = true
	}
	return keys
}

func importSockets(ss []snapshots.InetSocket, proto uint16) map[string]bool {
	keys := map[string]bool{}
	for _, s := range ss {
		if s.Proto == proto {
			keys[fmt.Sprintf("%s %s %d", s.Local, s.Remote, s.State)] = true
		}
	}
	return keys
}

var nudNames = map[string]uint16{"INCOMPLETE": 0x01, "REACHABLE": 0x02, "STALE": 0x04, "DELAY": 0x08, "PROBE": 0x10, "FAILED": 0x20, "NOARP": 0x40, "PERMANENT": 0x80}

func guestNeigh(lines []string, ifs map[string]int) map[string]bool {
	keys := map[string]bool{}
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) < 3 || f[1] != "dev" {
			continue
		}
		mac := ""
		for i := range f {
			if f[i] == "lladdr" && i+1 < len(f) {
				mac = f[i+1]
			}
		}
		keys[fmt.Sprintf("%s %d %s %d", f[0], ifs[f[2]], mac, nudNames[f[len(f)-1]])] = true
	}
	return keys
}

func importNeigh(ns []snapshots.Neighbour) map[string]bool {
	keys := map[string]bool{}
	for _, n := range ns {
		if n.State == 0x40 { // ip neigh hides NOARP entries
			continue
		}
		var mac []string
		for _, b := range n.LLAddr {
			mac = append(mac, fmt.Sprintf("%02x", b))
		}
		keys[fmt.Sprintf("%s %d %s %d", n.Addr, n.Index, strings.Join(mac, ":"), n.State)] = true
	}
	return keys
}

// TestIntegrationQEMUVmcore imports the ELF, kdump-zlib and paging (PN_XNUM)
// dumps of a 4-level-paging guest.
func TestIntegrationQEMUVmcore(t *testing.T) {
	dir := buildDumps(t, "")
	checkDumps(t, dir, 4, "vmcore.elf", "vmcore.kdump", "vmcore.paging.elf")
}

// TestIntegrationQEMUVmcore5Level does the same with LA57 (5-level paging).
func TestIntegrationQEMUVmcore5Level(t *testing.T) {
	dir := buildDumps(t, "-la57", "LA57=1", "PAGING=0")
	checkDumps(t, dir, 5, "vmcore.elf", "vmcore.kdump")
}

func checkDumps(t *testing.T, dir string, levels int, names ...string) {
	g := readGuest(t, filepath.Join(dir, "console.log"))
	var first *Result
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			d, err := OpenDump(path)
			if err != nil {
				t.Fatal(err)
			}
			if d.Mem.Levels() != levels {
				t.Errorf("%d-level page tables, want %d", d.Mem.Levels(), levels)
			}
			d.Close()
			start := time.Now()
			res, err := Import(context.Background(), path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %s, imported in %v", name, res.Meta.Source.Detail, time.Since(start))
			if res.Meta.Source.Kind != "vmcore" || res.Meta.KernelRelease != strings.TrimSpace(g.sections["uname"][0]) ||
				res.Meta.Hostname != strings.TrimSpace(g.sections["uname"][1]) {
				t.Errorf("meta %+v does not match the guest's uname %q", res.Meta, g.sections["uname"])
			}
			if len(res.Namespaces) != 2 {
				t.Fatalf("%d namespaces, want 2 (init and the unshare'd one)", len(res.Namespaces))
			}
			for i, ns := range res.Namespaces {
				prefix := ""
				if !ns.Info.Host {
					prefix = "ns2 "
				}
				if (i == 0) != ns.Info.Host || ns.Info.Inode == 0 {
					t.Errorf("namespace %d: %+v", i, ns.Info)
				}
				for _, tb := range readTables {
					if st := ns.Status[tb]; st.State != snapshots.StateOK {
						t.Errorf("%snamespace %s: %v %s", prefix, tb, st.State, st.Reason)
					}
				}
				wantLinks, ifs := guestLinks(g.sections[prefix+"link"])
				sameSet(t, prefix+"devices", wantLinks, importLinks(ns.Tables.Links))
				sameSet(t, prefix+"addresses", guestAddrs(g.sections[prefix+"addr"]), importAddrs(ns.Tables.Addrs))
				routes := g.sections[prefix+"route4"]
				sameSet(t, prefix+"routes", guestRoutes(routes, ifs), importRoutes(ns.Tables.Routes))
				sameSet(t, prefix+"TCP sockets", guestSockets(g.sections[prefix+"tcp"]), importSockets(ns.Tables.InetSockets, snapshots.ProtoTCP))
				if prefix == "" {
					sameSet(t, "UDP sockets", guestSockets(g.sections["udp"]), importSockets(ns.Tables.InetSockets, snapshots.ProtoUDP))
					sameSet(t, "rules", guestRules(g.sections["rule"]), importRules(ns.Tables.Rules, snapshots.AFInet))
					sameSet(t, "neighbours", guestNeigh(g.sections["neigh"], ifs), importNeigh(ns.Tables.Neighbours))
					checkCounters(t, g.sections["snmp"], ns.Tables.Counters)
				}
			}
			if first == nil {
				first = res
				out := filepath.Join(t.TempDir(), "vm.nms")
				if err := Write(out, res); err != nil {
					t.Fatal(err)
				}
				checkWritten(t, out, res)
				return
			}
			// Every dump format of the same memory must give the same tables.
			for i := range res.Namespaces {
				if d := cmp.Diff(first.Namespaces[i].Tables, res.Namespaces[i].Tables, cmpopts.EquateComparable(netip.Addr{}, netip.Prefix{}, netip.AddrPort{}), cmpopts.EquateEmpty()); d != "" {
					t.Errorf("namespace %d differs from the ELF import (-elf +%s):\n%s", i, name, d)
				}
			}
		})
	}
}

// checkCounters compares Tcp ActiveOpens and Udp/Ip counters that cannot
// move while the guest sleeps... but may move a little between the print
// and the dump: the import must not be below what the guest printed.
func checkCounters(t *testing.T, lines []string, sets []snapshots.CounterSet) {
	t.Helper()
	compared := 0
	defer func() {
		if compared == 0 {
			t.Error("no SNMP counter could be compared with the guest's /proc/net/snmp")
		}
	}()
	for i := 0; i+1 < len(lines); i += 2 {
		h, v := strings.Fields(lines[i]), strings.Fields(lines[i+1])
		if len(h) != len(v) || len(h) < 2 {
			continue
		}
		group := strings.TrimSuffix(h[0], ":")
		var set *snapshots.CounterSet
		for j := range sets {
			if sets[j].Source == "snmp" && sets[j].Group == group {
				set = &sets[j]
			}
		}
		if set == nil {
			if group == "Tcp" || group == "Ip" || group == "Udp" {
				t.Errorf("no %s counters imported", group)
			}
			continue
		}
		for k := 1; k < len(h); k++ {
			c, ok := set.Find(h[k])
			if !ok {
				if group == "Ip" && (h[k] == "Forwarding" || h[k] == "DefaultTTL") {
					continue // sysctls, not MIB counters
				}
				if group == "Tcp" || group == "Udp" {
					t.Errorf("counter %s %s missing", group, h[k])
				}
				continue
			}
			want, err := strconv.ParseInt(v[k], 10, 64)
			if err != nil {
				continue
			}
			compared++
			if got := c.Int(); got < want && !(h[k] == "CurrEstab") {
				t.Errorf("counter %s %s = %d, the guest printed %d earlier", group, h[k], got, want)
			}
		}
	}
}

func checkWritten(t *testing.T, path string, res *Result) {
	t.Helper()
	r, err := snapshots.Open(path, snapshots.ReaderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Meta.Source.Kind != "vmcore" || len(r.Namespaces) != len(res.Namespaces) {
		t.Fatalf("written snapshot: meta %+v, %d namespaces", r.Meta, len(r.Namespaces))
	}
	for i, ns := range res.Namespaces {
		l, err := r.Load(0, i, snapshots.NamespaceTables...)
		if err != nil {
			t.Fatal(err)
		}
		for _, tb := range snapshots.NamespaceTables {
			if l.Status[tb].State != ns.Status[tb].State {
				t.Errorf("namespace %d %s: written %v, imported %v", i, tb, l.Status[tb].State, ns.Status[tb].State)
			}
			if l.Tables.Rows(tb) != ns.Tables.Rows(tb) {
				t.Errorf("namespace %d %s: %d rows written, %d imported", i, tb, l.Tables.Rows(tb), ns.Tables.Rows(tb))
			}
		}
	}
}

var tableNames = map[string]string{"local": "255", "main": "254", "default": "253"}

// guestRules parses busybox `ip rule` ("1000:\tfrom 172.16.0.0/12 lookup 100").
func guestRules(lines []string) map[string]bool {
	keys := map[string]bool{}
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) < 5 || f[1] != "from" || f[3] != "lookup" {
			continue
		}
		table := f[4]
		if n, ok := tableNames[table]; ok {
			table = n
		}
		src := f[2]
		if src == "all" {
			src = "any"
		}
		keys[fmt.Sprintf("%s %s %s", strings.TrimSuffix(f[0], ":"), src, table)] = true
	}
	return keys
}

func importRules(rs []snapshots.Rule, family uint8) map[string]bool {
	keys := map[string]bool{}
	for _, r := range rs {
		if r.Family != family {
			continue
		}
		src := "any"
		if r.Src.IsValid() {
			src = r.Src.String()
		}
		keys[fmt.Sprintf("%d %s %d", r.Priority, src, r.Table)] = true
	}
	return keys
}
