package sosreport

import (
	"archive/tar"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/netmortem/netmortem/snapshots"
)

// sameImport checks that two imports hold the same namespaces, tables and
// statuses (file modification times aside, which directories and
// archives record differently).
func sameImport(t *testing.T, what string, a, b *Result) {
	t.Helper()
	if len(a.Namespaces) != len(b.Namespaces) {
		t.Fatalf("%s: %d namespaces, want %d", what, len(b.Namespaces), len(a.Namespaces))
	}
	norm := func(ts snapshots.Tables) snapshots.Tables {
		ts.Files = append([]snapshots.RawFile(nil), ts.Files...)
		for i := range ts.Files {
			ts.Files[i].ModTime = a.Meta.CaptureStart
		}
		return ts
	}
	for i := range a.Namespaces {
		x, y := a.Namespaces[i], b.Namespaces[i]
		if x.Info.Name != y.Info.Name {
			t.Errorf("%s: namespace %d is %q, want %q", what, i, y.Info.Name, x.Info.Name)
		}
		for _, tb := range snapshots.NamespaceTables {
			sx, sy := x.Status[tb], y.Status[tb]
			if sx.State != sy.State || sx.Reason != sy.Reason {
				t.Errorf("%s: %s %s: %v %q, want %v %q", what, x.Info.Name, tb, sy.State, sy.Reason, sx.State, sx.Reason)
			}
		}
		if !reflect.DeepEqual(norm(x.Tables), norm(y.Tables)) {
			for _, tb := range snapshots.NamespaceTables {
				if x.Tables.Rows(tb) != y.Tables.Rows(tb) {
					t.Errorf("%s: %s %s: %d rows, want %d", what, x.Info.Name, tb, y.Tables.Rows(tb), x.Tables.Rows(tb))
				}
			}
			t.Errorf("%s: namespace %q tables differ", what, x.Info.Name)
		}
	}
	if !reflect.DeepEqual(a.Names.Files, b.Names.Files) {
		t.Errorf("%s: name files differ", what)
	}
	if a.Meta.CaptureStart != b.Meta.CaptureStart || a.Meta.Source.Detail != b.Meta.Source.Detail {
		t.Errorf("%s: meta %v %q, want %v %q", what, b.Meta.CaptureStart, b.Meta.Source.Detail, a.Meta.CaptureStart, a.Meta.Source.Detail)
	}
}

// TestFormats reads the lab bundle as an extracted directory and as every
// archive kind, with and without a top directory: the result is the same.
func TestFormats(t *testing.T) {
	want, err := Import(context.Background(), labArchive, Options{})
	if err != nil {
		t.Fatal(err)
	}
	files, links := labMembers(t)

	t.Run("directory", func(t *testing.T) {
		root := filepath.Join(t.TempDir(), "extract", labName)
		for p, d := range files {
			writeFile(t, filepath.Join(root, p), d)
		}
		for p, l := range links {
			if err := os.MkdirAll(filepath.Dir(filepath.Join(root, p)), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(l, filepath.Join(root, p)); err != nil {
				t.Fatal(err)
			}
		}
		alias := filepath.Join(t.TempDir(), "alias")
		if err := os.Symlink(root, alias); err != nil {
			t.Fatal(err)
		}
		// The bundle, the directory holding it, a link to it.
		for _, dir := range []string{root, filepath.Dir(root), alias} {
			got, err := Import(context.Background(), dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Meta.Warnings) != len(want.Meta.Warnings) {
				t.Errorf("warnings %q", got.Meta.Warnings)
			}
			sameImport(t, "directory", want, got)
		}
	})
	t.Run("tar.bz2", func(t *testing.T) {
		// Go has no bzip2 writer: use the system's, when there is one.
		bz, err := exec.LookPath("bzip2")
		if err != nil {
			t.Skip("no bzip2 command")
		}
		cmd := exec.Command(bz, "-c")
		cmd.Stdin = bytes.NewReader(tarOf(t, labName, files, links))
		out, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		got, err := importBytes(t, out, Limits{})
		if err != nil {
			t.Fatal(err)
		}
		sameImport(t, "tar.bz2", want, got)
	})
	for _, kind := range []string{"tar", "tar.gz", "tar.xz", "tar.zst"} {
		t.Run(kind, func(t *testing.T) {
			for _, top := range []string{labName, ""} {
				got, err := importBytes(t, compress(t, kind, tarOf(t, top, files, links)), Limits{})
				if err != nil {
					t.Fatal(err)
				}
				sameImport(t, kind, want, got)
				if top != "" && got.Meta.Source.Origin != labName {
					t.Errorf("origin %q", got.Meta.Source.Origin)
				}
			}
		})
	}
}

// TestModernLayout moves the lab bundle's files to where sos 4.5 and later
// put them — per-namespace outputs under namespaces/NS/, "ip -4 rule list",
// and proc/net packed as net.tar (sos 4.12's --pack-dir) — and checks the
// import is unchanged.
func TestModernLayout(t *testing.T) {
	files, links := labMembers(t)
	want := importMembers(t, files, links)

	modern := map[string][]byte{}
	var packed []entry
	pid := links["proc/self"]
	for p, d := range files {
		switch {
		case strings.HasPrefix(p, "sos_commands/networking/ip_netns_exec_srb_"):
			modern["sos_commands/networking/namespaces/srb/"+p[len("sos_commands/networking/"):]] = d
		case p == "sos_commands/networking/ip_-4_rule" || p == "sos_commands/networking/ip_-6_rule":
			modern[p+"_list"] = d
		case strings.HasPrefix(p, "proc/"+pid+"/net/"):
			packed = append(packed, entry{name: "net/" + strings.TrimPrefix(p, "proc/"+pid+"/net/"), typ: tar.TypeReg, data: d})
		default:
			modern[p] = d
		}
	}
	if len(packed) < 20 {
		t.Fatalf("only %d /proc/net files to pack", len(packed))
	}
	modern["proc/"+pid+"/net.tar"] = tarOf(t, "", nil, nil, packed...)
	got := importMembers(t, modern, links)

	// Sources name the new paths; the tables are the same.
	for i := range got.Namespaces {
		for tb, st := range got.Namespaces[i].Status {
			w := want.Namespaces[i].Status[tb]
			st.Sources, w.Sources = nil, nil
			got.Namespaces[i].Status[tb], want.Namespaces[i].Status[tb] = st, w
		}
		for j := range got.Namespaces[i].Tables.Files {
			got.Namespaces[i].Tables.Files[j].Path = ""
		}
		for j := range want.Namespaces[i].Tables.Files {
			want.Namespaces[i].Tables.Files[j].Path = ""
		}
	}
	sameImport(t, "modern layout", want, got)
}

// TestTailed marks outputs as cut by sos's size limit, both ways sos does
// it: the manifest's "truncated" flag, and a .tailed file in place of the
// output. The tables say so.
func TestTailed(t *testing.T) {
	files, links := labMembers(t)
	man := string(files["sos_reports/manifest.json"])
	i := strings.Index(man, `"filepath": "sos_commands/networking/ss_-peaonmi"`)
	if i < 0 {
		t.Fatal("no ss entry in the manifest")
	}
	files["sos_reports/manifest.json"] = []byte(man[:i] + `"truncated": true, ` + man[i:])
	d := files["sos_commands/networking/ip_-s_-s_neigh_show"]
	delete(files, "sos_commands/networking/ip_-s_-s_neigh_show")
	files["sos_strings/networking/ip_-s_-s_neigh_show.tailed"] = d
	links["sos_commands/networking/ip_-s_-s_neigh_show"] = "../../sos_strings/networking/ip_-s_-s_neigh_show.tailed"

	res := importMembers(t, files, links)
	host := res.Namespaces[0]
	for _, tb := range []snapshots.Table{snapshots.TableInet, snapshots.TableUnix, snapshots.TableOwners} {
		st := host.Status[tb]
		if st.State != snapshots.StatePartial || !strings.Contains(st.Reason, "ss_-peaonmi: cut by sos's size limit") {
			t.Errorf("%s: %v %q", tb, st.State, st.Reason)
		}
	}
	st := host.Status[snapshots.TableNeigh]
	if st.State != snapshots.StatePartial || !strings.Contains(st.Reason, "ip_-s_-s_neigh_show: cut by sos's size limit") {
		t.Errorf("neigh: %v %q", st.State, st.Reason)
	}
	if len(host.Tables.Neighbours) != 11 {
		t.Errorf("%d neighbours from the tailed output, want 11", len(host.Tables.Neighbours))
	}
}

// TestCleaned recognises a bundle that sos clean obfuscated and says what
// that means for the tables.
func TestCleaned(t *testing.T) {
	files, links := labMembers(t)
	man := string(files["sos_reports/manifest.json"])
	files["sos_reports/manifest.json"] = []byte(strings.Replace(man, `"components": {`, `"components": {"cleaner": {"version": "1.0"}, `, 1))
	res := importMembers(t, files, links)
	if res.Meta.Source.Detail != "sos 4.0, cleaned" || !hasWarning(res.Meta.Warnings, "obfuscated by sos clean") {
		t.Errorf("detail %q, warnings %q", res.Meta.Source.Detail, res.Meta.Warnings)
	}
	files["sos_reports/manifest.json"] = []byte(man)
	if plain := importMembers(t, files, links); hasWarning(plain.Meta.Warnings, "sos clean") || plain.Meta.Source.Detail != "sos 4.0" {
		t.Error("an uncleaned bundle was called cleaned")
	}
}

// TestLeases puts a dhclient lease file where sos's dhcp plugin copies
// them: the lease is read for the interface it names, in the namespace
// that has it.
func TestLeases(t *testing.T) {
	files, links := labMembers(t)
	files["var/lib/dhcp/dhclient.a0.leases"] = []byte(`lease {
  interface "a0";
  fixed-address 10.1.0.121;
  option subnet-mask 255.255.255.0;
  option routers 10.1.0.2;
  option dhcp-lease-time 3600;
  option dhcp-server-identifier 10.1.0.2;
  renew 6 2026/11/28 23:52:43;
  rebind 6 2026/11/29 00:20:00;
  expire 6 2026/11/29 00:27:30;
}
`)
	res := importMembers(t, files, links)
	host, srb := res.Namespaces[0], nsByName(t, res, "srb")
	if len(host.Tables.Leases) != 1 || host.Tables.Leases[0].Address.String() != "10.1.0.121" || host.Tables.Leases[0].LeaseTime != 3600 {
		t.Errorf("leases %+v", host.Tables.Leases)
	}
	if st := host.Status[snapshots.TableDHCP]; st.State != snapshots.StateOK || st.Sources[0] != "1 lease files in the bundle" {
		t.Errorf("dhcp status %+v", st)
	}
	if len(srb.Tables.Leases) != 0 {
		t.Errorf("srb has no a0, but leases %+v", srb.Tables.Leases)
	}
}
