package diffreport

import (
	"bytes"
	"encoding/json"
	"flag"
	"math"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"

	"github.com/netmortem/netmortem/analyze/diff"
	"github.com/netmortem/netmortem/snapshots"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var t0 = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

func tables(mtu uint32, rx uint64, routes ...string) *snapshots.Tables {
	ts := &snapshots.Tables{
		Links: []snapshots.Link{{Index: 2, Name: "a0", Type: 1, Flags: 0x11043, MTU: mtu, OperState: 6,
			Stats: snapshots.LinkStats{RxPackets: rx, TxPackets: 10, Valid: true}}},
		Addrs: []snapshots.Addr{{Family: snapshots.AFInet, Index: 2, PrefixLen: 24,
			Local: netip.MustParseAddr("10.1.0.1"), Address: netip.MustParseAddr("10.1.0.1"), Label: "a0"}},
		Counters: []snapshots.CounterSet{{Source: "snmp", Group: "Tcp", Counters: []snapshots.Counter{
			{Name: "ActiveOpens", Value: 10 + rx}, {Name: "CurrEstab", Value: 5 - rx%3}}}},
	}
	for _, r := range routes {
		ts.Routes = append(ts.Routes, snapshots.Route{Family: snapshots.AFInet, Table: 254, Protocol: 4, Type: 1,
			Dst:      netip.MustParsePrefix(r),
			NextHops: []snapshots.NextHop{{Gateway: netip.MustParseAddr("10.1.0.2"), OIF: 2, Weight: 1}}})
	}
	return ts
}

func sample() *Report {
	old := &diff.Side{Tables: tables(1500, 100, "10.9.0.0/16", "10.8.0.0/16"), Time: t0, BootTime: t0.Add(-time.Hour)}
	old.Tables.Links[0].Stats.TxPackets = math.MaxUint32 - 9
	new := &diff.Side{Tables: tables(1400, 400, "10.9.0.0/16", "10.7.0.0/16"), Time: t0.Add(20 * time.Second), BootTime: t0.Add(-time.Hour)}
	new.Tables.Addrs = append(new.Tables.Addrs, snapshots.Addr{Family: snapshots.AFInet, Index: 2, PrefixLen: 24,
		Local: netip.MustParseAddr("10.1.0.5"), Address: netip.MustParseAddr("10.1.0.5"), Label: "a0"})
	new.Tables.Links[0].Alias = "uplink"
	new.Tables.Routes[0].NextHops[0].Gateway = netip.MustParseAddr("10.1.0.3")
	old.Status = map[snapshots.Table]snapshots.Status{snapshots.TableNeigh: {State: snapshots.StateUnavailable, Reason: "netlink: permission denied"}}
	tabs := []snapshots.Table{snapshots.TableLinks, snapshots.TableRoutes, snapshots.TableNeigh, snapshots.TableStats}
	res := diff.Compare(old, new, diff.Options{Tables: tabs})

	// A second namespace with nothing but a reboot.
	rb := diff.Compare(&diff.Side{Tables: tables(1500, 100), Time: t0, BootTime: t0.Add(-time.Hour)},
		&diff.Side{Tables: tables(1500, 7), Time: t0.Add(20 * time.Second), BootTime: t0.Add(10 * time.Second)},
		diff.Options{Tables: []snapshots.Table{snapshots.TableLinks}})
	return &Report{
		Old:           Capture{File: "before.nms", Host: "lab1", Frames: 1, Time: t0, BootTime: t0.Add(-time.Hour)},
		New:           Capture{File: "after.nms", Host: "lab1", Frame: 2, Frames: 3, Time: t0.Add(20 * time.Second), BootTime: t0.Add(-time.Hour)},
		Filters:       []string{"outif:a0"},
		ShowNamespace: true,
		Namespaces:    []Namespace{{Name: "host", Result: res}, {Name: "blue", OldID: 1, NewID: 2, Result: rb}},
		OnlyOld:       []string{"red"},
		OnlyNew:       []string{"inode 4026532999"},
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(string(want), string(got)); d != "" {
		t.Errorf("%s (-want +got):\n%s", name, d)
	}
}

func TestText(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, "text", sample()); err != nil {
		t.Fatal(err)
	}
	golden(t, "report.txt", b.Bytes())
	for _, want := range []string{
		"~ a0\n      mtu: 1500 -> 1400\n      alias: (none) -> uplink\n      addresses + 10.1.0.5/24\n",
		"  - table main inet unicast 10.8.0.0/16 metric 0\n",
		"a0 tx_packets  4294967286 -> 10  +20   1.00/s (32-bit wrap)",
		"neighbours: not compared: unavailable in OLD: netlink: permission denied",
		"note: the captures are from different boots",
		"a0 rx_packets  100 -> 7  ?  reset: reboot",
		"namespace red: only in OLD\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text lacks %q", want)
		}
	}
	if strings.Contains(b.String(), "no differences") {
		t.Error("differing report says no differences")
	}
}

func TestNoDifferences(t *testing.T) {
	s := &diff.Side{Tables: tables(1500, 100, "10.9.0.0/16"), Time: t0}
	r := &Report{Old: Capture{File: "a.nms", Frames: 1}, New: Capture{File: "a.nms", Frames: 1},
		Namespaces: []Namespace{{Name: "host", Result: diff.Compare(s, s, diff.Options{})}}}
	var b bytes.Buffer
	if err := WriteText(&b, r); err != nil {
		t.Fatal(err)
	}
	if r.Differs() || !strings.HasSuffix(b.String(), "\nno differences\n") {
		t.Errorf("differs %v, text:\n%s", r.Differs(), b.String())
	}
}

func TestRecords(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, "json", sample()); err != nil {
		t.Fatal(err)
	}
	golden(t, "report.json", b.Bytes())
	var rec struct {
		Differs    bool `json:"differs"`
		Namespaces []struct {
			Sections []struct {
				Section string `json:"section"`
				Rows    []struct {
					Change  string            `json:"change"`
					Key     map[string]string `json:"key"`
					Fields  map[string]any    `json:"fields"`
					Changes []struct {
						Field   string   `json:"field"`
						Old     *string  `json:"old"`
						New     *string  `json:"new"`
						Added   []string `json:"added"`
						Removed []string `json:"removed"`
					} `json:"changes"`
				} `json:"rows"`
				Counters []struct {
					Name  string   `json:"name"`
					Delta *int64   `json:"delta"`
					Rate  *float64 `json:"rate_per_second"`
					Reset string   `json:"reset"`
				} `json:"counters"`
			} `json:"sections"`
		} `json:"namespaces"`
	}
	if err := json.Unmarshal(b.Bytes(), &rec); err != nil {
		t.Fatal(err)
	}
	if !rec.Differs || len(rec.Namespaces) != 2 {
		t.Fatalf("differs %v, %d namespaces", rec.Differs, len(rec.Namespaces))
	}
	ifs := rec.Namespaces[0].Sections[0]
	if ifs.Section != "interfaces" || len(ifs.Rows) != 1 || ifs.Rows[0].Key["name"] != "a0" {
		t.Fatalf("interfaces: %+v", ifs)
	}
	ch := ifs.Rows[0].Changes
	if len(ch) != 3 || ch[0].Field != "mtu" || *ch[0].Old != "1500" || *ch[0].New != "1400" ||
		ch[1].Old != nil || *ch[1].New != "uplink" || !cmp.Equal(ch[2].Added, []string{"10.1.0.5/24"}) {
		t.Errorf("changes %+v", ch)
	}
	if addrs, ok := ifs.Rows[0].Fields["addresses"].([]any); !ok || len(addrs) != 2 {
		t.Errorf("addresses is %#v, want a list of 2", ifs.Rows[0].Fields["addresses"])
	}
	wrap := false
	for _, c := range ifs.Counters {
		if c.Name == "a0 tx_packets" && c.Reset == diff.ResetWrap32 && c.Delta != nil && *c.Delta == 20 && *c.Rate == 1 {
			wrap = true
		}
	}
	if !wrap {
		t.Errorf("no 32-bit wrap of a0 tx_packets in %+v", ifs.Counters)
	}
	// Key order is the text's: the JSON object keeps it.
	if i, j := bytes.Index(b.Bytes(), []byte(`"table": "main"`)), bytes.Index(b.Bytes(), []byte(`"dst": "10.7.0.0/16"`)); i < 0 || j < 0 || i > j {
		t.Errorf("route key out of order (%d, %d)", i, j)
	}

	var y bytes.Buffer
	if err := Write(&y, "yaml", sample()); err != nil {
		t.Fatal(err)
	}
	var fromYAML, fromJSON any
	if err := yaml.Unmarshal(y.Bytes(), &fromYAML); err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b.Bytes(), &fromJSON); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(fromJSON, fromYAML); d != "" {
		t.Errorf("YAML and JSON differ (-json +yaml):\n%s", d)
	}
}

func TestRate(t *testing.T) {
	for r, want := range map[float64]string{0.123: "0.12", 5: "5.00", 12.34: "12.3", 400: "400", 1234567.8: "1234568", -2.5: "-2.50"} {
		if got := Rate(r); got != want {
			t.Errorf("Rate(%v) = %q, want %q", r, got, want)
		}
	}
}
