package records

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

// trickyStrings are strings a plain YAML scalar could get wrong.
var trickyStrings = []string{
	// empty, null, booleans in the spellings YAML 1.1 and 1.2 have
	"", "~", "null", "Null", "NULL", "nULL",
	"true", "True", "TRUE", "false", "False", "FALSE",
	"yes", "Yes", "YES", "no", "No", "NO", "y", "Y", "n", "N",
	"on", "On", "ON", "off", "Off", "OFF",
	// numbers
	"0", "1", "-1", "+1", "-0", "007", "0777", "0999", "1_000", "1__0", "_1",
	"0x1F", "0X1f", "0x_1F", "0o17", "0O17", "-0o17", "0b101", "-0b101", "0b_1",
	"1.5", "1.", ".5", "-.5", "+.5", "1e3", "1E3", "1e+3", "1.5e-3", "1e400", "-1e400",
	"0x1p-2", "123456789012345678901234567890", "18446744073709551615", "-9223372036854775809",
	".inf", ".Inf", ".INF", "+.inf", "-.inf", ".nan", ".NaN", ".NAN",
	"inf", "Inf", "-inf", "infinity", "Infinity", "nan", "NaN",
	"12:30", "1:20:30.5", "190:20:30", "00:11:22:33:44:55",
	// timestamps and dates
	"2026-11-28T23:04:10Z", "2026-11-28t23:04:10Z", "2026-11-28T23:04:10.123456789+01:00",
	"2026-11-28 23:04:10", "2026-11-28", "2026-1-2", "2026-", "1234-abc",
	// merge and value keys
	"<<", "=", "<", "<a>",
	// indicators
	"-", "--", "---", "--- x", "...", ". ", "- x", "-x", "?", "? x", "?x", ":", ": x", ":x", ",", ",x",
	"[", "[]", "[x]", "]", "{", "{}", "{x: 1}", "}", "#", "#x", "&a", "*a", "!x", "!!str", "|", "|-", ">",
	"'", "'x'", "\"", "\"x\"", "%YAML", "%", "@x", "@netmortem-lab-f4", "`x`",
	// ": " and " #", and the like
	"a: b", "a:b", "a:", "a::", "a :", "a #b", "a#b", "a# b", "a\t#b", "a:\tb", "a, b", "a [b]", "a {b}",
	"key: value # comment",
	// spaces
	" ", "  ", " x", "x ", " x ", "a  b", "\tx", "x\t", "a\tb",
	// line breaks and controls
	"\n", "a\nb", "a\n", "\na", "a\r\nb", "a\rb", "\x00", "a\x00b", "\x01\x07\x08\x0b\x0c\x1b\x1f\x7f",
	"a\u0085b", "a\u2028b", "a\u2029b", "\ufeffx", "x\ufeff", "\ufffe", "\uffff", "\ufffd",
	"\u0080\u009f", "a\u00a0b", "\u00a0", "a\u200bb", "a\u3000b", "\u00ad",
	// quotes and backslashes
	`a"b`, `a\b`, `\`, `\n`, `\u0041`, "it's", "a'b'",
	// Unicode
	"é", "héllo wörld", "日本語", "Ωμέγα", "😀", "a😀b", "\U0001F600: x", "\U000E0001", "\U0010FFFD",
	// ordinary strings that must stay as they are
	"LISTEN", "10.1.0.121", "10.1.0.1:8080", "[::1]:53", "fe80::1%a0", "2001:db8::1", "::1",
	"10.77.0.0/16", "/var/lib/dhcp/dhclient.a0.leases", "(socketpair)", "snmp Icmp InMsgs",
	"laba.example.net", "a-b", "a_b", "a.b", "a?b", "a!b", "a|b", "a>b", "a%b", "a@b", "a`b", "a*b", "a&b",
	"x-", "x.", "x?", "x!", "x~", "~x", "<x", "=x", "../x", "./x", ".x", ".config", "..x", "+x", "+G", ".e", ".E", "+e",
	"._", ".-", ".1.2", "+.Inf", "+.nan", "-.NaN", "+0B0", "+0x1F", "+0o17", "+0b_1", "+1:20", "+2026-01-01",
	// long
	strings.Repeat("x", 10000), strings.Repeat("a b ", 3000), strings.Repeat("é", 300),
	strings.Repeat("\x01", 200), strings.Repeat("k", 128), strings.Repeat("k", 129), strings.Repeat("k", 2000),
}

// mustQuote are strings some YAML reader takes for something else; yaml.v3
// reads some of them (yes, on, 12:30) as strings, but they are quoted.
var mustQuote = []string{
	"", "~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE",
	"yes", "Yes", "YES", "no", "No", "NO", "y", "Y", "n", "N", "on", "On", "ON", "off", "Off", "OFF",
	"0", "1", "-1", "+1", "0x1F", "0o17", "0b101", "0777", "1_000", "1.5", ".5", "1e3", "1e400",
	".inf", "-.inf", "+.inf", ".nan", ".NaN", "12:30", "190:20:30",
	"2026-11-28T23:04:10Z", "2026-11-28", "2026-11-28 23:04:10", "<<", "=",
	"- x", "-x", "-", "---", "...", "?", ": x", ":x", "#x", "@x", "a: b", "a #b", "a:",
	" x", "x ", "a\tb", "a\nb", "\x00", "a\u0085b", "a\u2028b", "\ufeffx", "a\u00a0b", "😀",
	"33:33:00:00:00:16", "::1", "::", "+", ".", "..", "...x", ".1.2", "+.Inf", ".NaN", "+.5", "+1e3",
	"+0B0", "+0x1f", "+0o7", "+0b1", "+1_0", "+12:30", "+0777",
}

// plainStrings stay plain, as yaml.v3 wrote them.
var plainStrings = []string{
	"LISTEN", "10.1.0.121", "10.1.0.1:8080", "fe80::1%a0", "2001:db8::1", "10.77.0.0/16",
	"/var/lib/dhcp/dhclient.a0.leases", "(socketpair)", "snmp Icmp InMsgs", "a:b", "a#b", "é", "日本語",
	"it's", `a"b`, `a\b`, "x-", "a, b", "../../testdata/snapshots/lab.nms", "./x", ".config", "+G", "~x", "<x",
	"fe80::1", "33:33:ff:00:00:16",
}

func TestYAMLQuoting(t *testing.T) {
	for _, s := range mustQuote {
		if !needsQuotes(s) {
			t.Errorf("%q not quoted", s)
		}
	}
	for _, s := range plainStrings {
		if needsQuotes(s) {
			t.Errorf("%q quoted", s)
		}
	}
}

// TestYAMLStrings writes every tricky string as a value, a key, a list item
// and a whole document, and reads it back.
func TestYAMLStrings(t *testing.T) {
	for _, s := range trickyStrings {
		for _, v := range []any{
			s,
			[]any{s, s},
			map[string]any{"v": s, s: s},
			map[string]any{"m": map[string]any{s: []any{s, map[string]any{s: s}}}},
		} {
			checkRoundTrip(t, v)
		}
	}
	// All of them in one document.
	m := map[string]any{}
	for i, s := range trickyStrings {
		m[s] = []any{s, i, map[string]any{"s": s}}
	}
	checkRoundTrip(t, m)
	checkRoundTrip(t, trickyStrings)
}

// TestYAMLValues covers the other values and the nesting of collections.
func TestYAMLValues(t *testing.T) {
	for _, doc := range []string{
		`null`, `true`, `false`, `0`, `-0`, `1.5`, `-1e-7`, `1E+21`, `18446744073709551615`,
		`123456789012345678901234567890`, `0.1000000000000000055511151231257827`, `"x"`, `{}`, `[]`,
		`[null, true, false, 0, -1, 2.5, 1e300, "", {}, [], [[]], [{}], {"a": {}}, {"a": []}]`,
		`{"a": null, "b": {"c": {"d": {"e": [[[1, [2, {"f": [3]}]]]]}}}, "g": [{"h": [{"i": {}}]}]}`,
		`[[{"a": 1, "b": 2}], [], {}, [[1, 2], [3]], {"x": [[], {}]}]`,
		`{"` + strings.Repeat("k", 200) + `": {"x": [1, {"` + strings.Repeat("j", 300) + `": [2, 3]}]}, "y": []}`,
		`[{"` + strings.Repeat("k", 200) + `": {"x": 1}, "b": [{"` + strings.Repeat("k", 1500) + `": null}]}]`,
	} {
		var v any
		d := json.NewDecoder(strings.NewReader(doc))
		d.UseNumber()
		if err := d.Decode(&v); err != nil {
			t.Fatalf("%s: %v", doc, err)
		}
		checkRoundTrip(t, v)
		// The order of the keys is the JSON's.
		checkRoundTrip(t, json.RawMessage(doc))
	}
}

// TestYAMLLikeYAMLv3 checks that, strings quoted apart, the output is byte
// for byte the one yaml.v3 wrote before (the golden files rely on it).
func TestYAMLLikeYAMLv3(t *testing.T) {
	long := strings.Repeat("k", 129)
	for _, doc := range []string{
		`null`, `true`, `5`, `"x"`, `{}`, `[]`,
		`{"dhcp": [{"interface": "a0", "ifindex": 2, "flags": ["PRIMARY"], "address": "10.1.0.121", "never_expires": false, "began": "2026-11-28T23:04:10Z"}], "frame": 0, "namespace": {"host": false, "name": "f5a"}, "sources": [], "opts": {}, "value": null}`,
		`{"a": [{"b": {"c": 1}, "d": [1, 2, [3, []], {}]}, [[1], {"x": []}]], "e": {}}`,
		`[[{"a": 1, "b": 2}], [], {}, [[[1]]], [{"a": [{"b": [{"c": {}}]}]}]]`,
		`{"` + long + `": {"x": 1, "ys": [1, {"z": 2}]}, "` + long + `y": [1, [2, 3]], "` + long + `z": 3, "w": [{"` + long + `": {"q": []}}]}`,
		`{"remote_address": "", "time": "2026-03-14T09:26:53Z", "lease_file": "/var/lib/x", "dst": "10.77.0.0/16", "rate": 1.5e-7, "port": "0", "up": "true"}`,
	} {
		got := yamlOf(t, json.RawMessage(doc))
		want := yamlV3(t, []byte(doc))
		if got != want {
			t.Errorf("%s:\n%s", doc, cmp.Diff(want, got))
		}
	}
	// Every string we leave plain, yaml.v3 left plain.
	for _, s := range append(trickyStrings, plainStrings...) {
		checkPlainLikeYAMLv3(t, s)
	}
}

// TestYAMLQuoted pins the quoted forms. Where yaml.v3 used single quotes
// (a leading indicator, ": ", " #", surrounding spaces) the quotes are
// double now.
func TestYAMLQuoted(t *testing.T) {
	for s, want := range map[string]string{
		"":                     `""`,
		"@netmortem-lab-f4":    `"@netmortem-lab-f4"`,
		"[::1]:53":             `"[::1]:53"`,
		"a: b #c":              `"a: b #c"`,
		"it's ":                `"it's "`,
		"2026-11-28T23:04:10Z": `"2026-11-28T23:04:10Z"`,
		"a\"b\\c\td\ne\r\b\f":  `"a\"b\\c\td\ne\r\b\f"`,
		"\x00\x1f\x7f\u0085":   `"\u0000\u001f\u007f\u0085"`,
		"\u2028\u2029\ufeff":   `"\u2028\u2029\ufeff"`,
		"é 😀 \U000E0001":       "\"é 😀 \U000E0001\"",
		" x":                   `" x"`,
	} {
		if got := string(appendString(nil, s)); got != want {
			t.Errorf("%q: got %s, want %s", s, got, want)
		}
	}
}

func FuzzYAML(f *testing.F) {
	for _, s := range []string{
		`{"a": [1, {"b": null}], "c": "d: e"}`,
		`[true, false, null, "", "yes", "0x10", "2026-11-28T23:04:10Z", "- x", " #", "a\nb"]`,
		`{"dhcp": [{"interface": "a0", "ifindex": 2, "flags": ["PRIMARY"]}], "e": {}, "f": []}`,
		`"\u0085\u2028\ufeff\u00a0\t"`,
		`[[[[{}]]], 1e300, -0, 1.5E-7, 123456789012345678901234567890]`,
		`{"` + strings.Repeat("k", 129) + `": {"x": [1]}}`,
		`12:30`, `"12:30"`, `"~"`, `"<<"`, `"😀"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		// The input as a string, as a key and as a value.
		s := string(in)
		checkRoundTrip(t, []any{s, map[string]any{s: s}})
		if utf8.ValidString(s) {
			checkPlainLikeYAMLv3(t, s)
		}
		// The input as a JSON document.
		d := json.NewDecoder(bytes.NewReader(in))
		d.UseNumber()
		var v any
		if d.Decode(&v) != nil || d.InputOffset() != int64(len(bytes.TrimRight(in, " \t\r\n"))) {
			return
		}
		if !fitsYAML(v, 0) {
			return
		}
		checkRoundTrip(t, v)
	})
}

// fitsYAML rejects what yaml.v3 reads differently on purpose: numbers out
// of the float64 range (strings to it) and nesting deeper than it allows.
func fitsYAML(v any, depth int) bool {
	if depth > 1000 {
		return false
	}
	switch v := v.(type) {
	case json.Number:
		_, err := strconv.ParseFloat(string(v), 64)
		return err == nil
	case []any:
		for _, e := range v {
			if !fitsYAML(e, depth+1) {
				return false
			}
		}
	case map[string]any:
		for _, e := range v {
			if !fitsYAML(e, depth+1) {
				return false
			}
		}
	}
	return true
}

func yamlOf(t *testing.T, v any) string {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, "yaml", v); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// checkRoundTrip reads v's YAML back with yaml.v3 and compares it with v's
// JSON read back with encoding/json.
func checkRoundTrip(t *testing.T, v any) {
	t.Helper()
	j, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	y := yamlOf(t, v)
	d := json.NewDecoder(bytes.NewReader(j))
	d.UseNumber()
	var fromJSON, fromYAML any
	if err := d.Decode(&fromJSON); err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal([]byte(y), &fromYAML); err != nil {
		t.Fatalf("%v reading back\n%s\n(from %s)", err, clip(y), clip(string(j)))
	}
	want, err := normalize(fromJSON)
	if err != nil {
		t.Fatal(err)
	}
	got, err := normalize(fromYAML)
	if err != nil {
		t.Fatalf("%v in\n%s", err, clip(y))
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("YAML read back differs (-json +yaml):\n%s\nYAML:\n%s", clip(d), clip(y))
	}
}

// checkPlainLikeYAMLv3 checks that a string we write plain is one yaml.v3
// wrote plain too.
func checkPlainLikeYAMLv3(t *testing.T, s string) {
	t.Helper()
	if needsQuotes(s) {
		return
	}
	j, err := json.Marshal([]string{s})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := yamlV3(t, j), "- "+s+"\n"; got != want {
		t.Errorf("%q is plain here, yaml.v3 wrote %q", s, got)
	}
}

// yamlV3 is the former YAML form: the JSON document through a yaml.Node,
// styles cleared, encoded by yaml.v3.
func yamlV3(t *testing.T, doc []byte) string {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal(doc, &n); err != nil {
		t.Fatal(err)
	}
	var clear func(*yaml.Node)
	clear = func(n *yaml.Node) {
		n.Style = 0
		for _, c := range n.Content {
			clear(c)
		}
	}
	clear(&n)
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&n); err != nil {
		t.Fatal(err)
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// normalize makes every number a float64, so that JSON's and YAML's
// readings compare.
func normalize(v any) (any, error) {
	switch v := v.(type) {
	case nil, bool, string:
		return v, nil
	case json.Number:
		f, err := strconv.ParseFloat(string(v), 64)
		return f, err
	case int:
		return float64(v), nil
	case int64:
		return float64(v), nil
	case uint64:
		return float64(v), nil
	case float64:
		return v, nil
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			n, err := normalize(e)
			if err != nil {
				return nil, err
			}
			out[i] = n
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			n, err := normalize(e)
			if err != nil {
				return nil, err
			}
			out[k] = n
		}
		return out, nil
	}
	return nil, fmt.Errorf("unexpected %T %v", v, v)
}

func clip(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "..."
	}
	return s
}
