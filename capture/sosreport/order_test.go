package sosreport

import (
	"reflect"
	"strings"
	"testing"

	"github.com/netmortem/netmortem/snapshots"
)

// swapWords byte-swaps every 8-hex-digit word of a hex string: how a
// big-endian host prints the same __be32 values with %08X.
func swapWords(h string) string {
	var b strings.Builder
	for i := 0; i+8 <= len(h); i += 8 {
		w := h[i : i+8]
		b.WriteString(w[6:8] + w[4:6] + w[2:4] + w[0:2])
	}
	return b.String()
}

// bigEndian rewrites the lab's socket and route tables as an s390x host
// would print them.
func bigEndian(t *testing.T, files map[string][]byte, pid string) {
	t.Helper()
	for _, name := range []string{"tcp", "tcp6", "udp", "udp6", "raw", "raw6"} {
		p := "proc/" + pid + "/net/" + name
		lines := strings.Split(string(files[p]), "\n")
		for i := 1; i < len(lines); i++ {
			f := strings.Fields(lines[i])
			if len(f) < 3 {
				continue
			}
			for _, col := range []int{1, 2} {
				a, port, _ := strings.Cut(f[col], ":")
				lines[i] = strings.Replace(lines[i], f[col], swapWords(a)+":"+port, 1)
			}
		}
		files[p] = []byte(strings.Join(lines, "\n"))
	}
	p := "proc/" + pid + "/net/route"
	lines := strings.Split(string(files[p]), "\n")
	for i := 1; i < len(lines); i++ {
		f := strings.Fields(lines[i])
		if len(f) < 8 {
			continue
		}
		for _, col := range []int{1, 2, 7} {
			f[col] = swapWords(f[col])
		}
		lines[i] = strings.Join(f, "\t")
	}
	files[p] = []byte(strings.Join(lines, "\n"))
}

// TestByteOrder imports the lab bundle as an s390x host would have written
// it: /proc addresses decode to the same sockets and routes, the byte
// order coming from uname — or, without uname, from the route netmasks.
func TestByteOrder(t *testing.T) {
	files, links := labMembers(t)
	pid := links["proc/self"]
	// Routes from /proc/net/route, not ip's text, to see its decoding.
	for _, c := range []string{"ip_route_show_table_all", "ip_-6_route_show_table_all"} {
		delete(files, "sos_commands/networking/"+c)
	}
	want := importMembers(t, files, links).Namespaces[0].Tables
	v4 := 0
	for _, r := range want.Routes {
		if r.Family == snapshots.AFInet {
			v4++
		}
	}
	if len(want.InetSockets) != 15 || v4 != 9 {
		t.Fatalf("%d sockets, %d IPv4 routes from the little-endian files", len(want.InetSockets), v4)
	}

	be := copyFiles(files)
	bigEndian(t, be, pid)
	be["sos_commands/kernel/uname_-a"] = []byte(strings.Replace(string(files["sos_commands/kernel/uname_-a"]), "x86_64", "s390x", 1))
	res := importMembers(t, be, links)
	if !res.Meta.BigEndian || res.Meta.Machine != "s390x" {
		t.Fatalf("meta %+v", res.Meta)
	}
	sameSocketsRoutes(t, "s390x", want, res.Namespaces[0].Tables)

	// The same files read as little-endian decode to other addresses.
	wrong := importMembers(t, withUname(be, files), links).Namespaces[0].Tables
	if reflect.DeepEqual(wrong.InetSockets, want.InetSockets) {
		t.Error("byte order makes no difference: the test proves nothing")
	}

	for _, c := range []struct {
		name  string
		files map[string][]byte
		big   bool
	}{{"little", files, false}, {"big", be, true}} {
		f := copyFiles(c.files)
		delete(f, "sos_commands/kernel/uname_-a")
		delete(links, "uname")
		r := importMembers(t, f, links)
		if r.Meta.BigEndian != c.big || !hasWarning(r.Meta.Warnings, "inferred from proc/net/route's netmasks") {
			t.Errorf("%s without uname: big-endian %v, warnings %q", c.name, r.Meta.BigEndian, r.Meta.Warnings)
		}
		sameSocketsRoutes(t, c.name+" without uname", want, r.Namespaces[0].Tables)
	}
}

func withUname(files, from map[string][]byte) map[string][]byte {
	f := copyFiles(files)
	f["sos_commands/kernel/uname_-a"] = from["sos_commands/kernel/uname_-a"]
	return f
}

func sameSocketsRoutes(t *testing.T, what string, want, got snapshots.Tables) {
	t.Helper()
	if !reflect.DeepEqual(want.InetSockets, got.InetSockets) {
		t.Errorf("%s: sockets differ", what)
	}
	if !reflect.DeepEqual(want.Routes, got.Routes) {
		t.Errorf("%s: routes differ:\n%v\n%v", what, want.Routes, got.Routes)
	}
}

func TestParseUname(t *testing.T) {
	for _, c := range []struct{ in, machine, version string }{
		{"Linux vm 6.18.44-fc-v782 #1 SMP PREEMPT_DYNAMIC @0 x86_64 GNU/Linux", "x86_64", "#1 SMP PREEMPT_DYNAMIC @0"},
		{"Linux rhel9 5.14.0-362.el9.s390x #1 SMP Mon Sep 4 09:17:46 EDT 2023 s390x s390x s390x GNU/Linux", "s390x", "#1 SMP Mon Sep 4 09:17:46 EDT 2023"},
		{"Linux p9 4.18.0-513.el8.ppc64le #1 SMP Wed Aug 16 10:26:43 EDT 2023 ppc64le ppc64le ppc64le GNU/Linux\n", "ppc64le", "#1 SMP Wed Aug 16 10:26:43 EDT 2023"},
		{"Linux u 6.8.0-45-generic #45-Ubuntu SMP PREEMPT_DYNAMIC Fri Aug 30 12:02:04 UTC 2024 aarch64 aarch64 aarch64 GNU/Linux", "aarch64", "#45-Ubuntu SMP PREEMPT_DYNAMIC Fri Aug 30 12:02:04 UTC 2024"},
		{"Linux h 3.10.0 #1 SMP x86_64 unknown unknown GNU/Linux", "x86_64", "#1 SMP"},
	} {
		u, ok := parseUname(c.in)
		if !ok || u.machine != c.machine || u.version != c.version {
			t.Errorf("%q: %+v %v", c.in, u, ok)
		}
	}
	for _, bad := range []string{"", "Linux", "FreeBSD x 14.0 GENERIC amd64", "Linux a b c d e"} {
		if u, ok := parseUname(bad); ok {
			t.Errorf("%q: %+v accepted", bad, u)
		}
	}
	if !bigEndianArches["s390x"] || bigEndianArches["ppc64le"] || bigEndianArches["x86_64"] {
		t.Error("byte order table")
	}
}
