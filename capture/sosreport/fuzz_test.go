package sosreport

import (
	"archive/tar"
	"bytes"
	"context"
	"io"
	"regexp"
	"testing"
	"time"

	"github.com/ulikunitz/xz"

	"github.com/netmortem/netmortem/snapshots"
)

func FuzzManifest(f *testing.F) {
	files, _ := labMembers(f)
	f.Add(files["sos_reports/manifest.json"])
	f.Add([]byte(`{"version":"4.12.0","start_time":"2026-01-02T03:04:05+01:00","components":{"report":{"plugins":{"networking":{"commands":[{"filepath":"../x","return_code":1,"truncated":true}]}}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _, start, _, cmds, err := ParseManifest(data)
		if err != nil {
			return
		}
		for p := range cmds {
			if _, err := cleanMember(p); err != nil {
				t.Fatalf("unclean path %q kept", p)
			}
		}
		parseSosTime(start, time.UTC)
	})
}

func FuzzMeta(f *testing.F) {
	files, _ := labMembers(f)
	f.Add(files["sos_commands/kernel/uname_-a"], files["sos_commands/date/date"], files["sos_commands/date/date_--utc"], []byte("btime 1700000000\n"))
	f.Fuzz(func(t *testing.T, uname, date, utc, stat []byte) {
		if u, ok := parseUname(string(uname)); ok && u.machine == "" {
			t.Fatalf("machine missing in %+v", u)
		}
		zoneFromDate(date, utc)
		bootTime(stat)
		orderFromRoute(uname)
		namespaceList(date)
	})
}

var spaces = regexp.MustCompile(`[ ]{3,}`)

// FuzzArchive feeds archive bytes to the bundle reader and the importer
// with small limits; whatever comes out must encode as a snapshot.
func FuzzArchive(f *testing.F) {
	files, links := labMembers(f)
	small := map[string][]byte{}
	for _, p := range []string{"sos_commands/networking/ip_-d_address", "sos_commands/networking/ip_route_show_table_all",
		"sos_commands/networking/ss_-peaonmi", "sos_reports/manifest.json", "sos_commands/kernel/uname_-a"} {
		small[p] = spaces.ReplaceAll(files[p], []byte("  "))
	}
	small["sos_reports/manifest.json"] = []byte(`{"version":"4.0","start_time":"2026-11-28 23:28:25.581324"}`)
	tcp := files["proc/"+links["proc/self"]+"/net/tcp"]
	raw := tarOf(f, "top", small, map[string]string{"uname": links["uname"], "proc/net": "self/net", "proc/self": "1"},
		entry{name: "top/proc/1/net.tar", typ: tar.TypeReg, data: tarOf(f, "", map[string][]byte{"net/tcp": tcp}, nil)})
	f.Add(raw)
	for _, kind := range []string{"tar.gz", "tar.zst"} {
		f.Add(compress(f, kind, raw))
	}
	// xz with a small window: the decoder allocates the window the
	// stream asks for, which makes a 64 MiB one slow to fuzz.
	var xzb bytes.Buffer
	xw, err := xz.WriterConfig{DictCap: 64 << 10}.NewWriter(&xzb)
	if err != nil {
		f.Fatal(err)
	}
	xw.Write(raw)
	xw.Close()
	f.Add(xzb.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		// Small bounds: a mutated stream decompressing megabytes makes an
		// instrumented run slow without finding more.
		b, err := OpenArchive(bytes.NewReader(data), "fuzz.tar", Limits{MaxMember: 512 << 10, MaxTotal: 1 << 20,
			MaxStream: 2 << 20, MaxEntries: 2000, MaxLinks: 1000, BombFloor: 256 << 10, MaxDict: 1 << 20})
		if err != nil {
			return
		}
		res, err := FromBundle(context.Background(), b, Options{})
		if err != nil {
			return
		}
		w, err := snapshots.NewWriter(io.Discard, res.Meta)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.WriteTable(-1, snapshots.TableNames, res.NameStatus, &res.Names); err != nil {
			t.Fatal(err)
		}
		for _, ns := range res.Namespaces {
			id := w.AddNamespace(ns.Info)
			if id == 0 {
				w.BeginFrame(res.Meta.CaptureStart)
			}
			for tb, st := range ns.Status {
				if err := w.WriteTable(id, tb, st, &ns.Tables); err != nil {
					t.Fatalf("%s: %v", tb, err)
				}
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	})
}
