package solaris

import (
	"strings"
	"testing"
)

// TestForms167HeaderWidths checks every header of forms 1, 6 and 7 byte
// for byte against the lengths solaris-display-formats.md states (§2.4–
// §2.7, §7.2, §7.4, §8.1), and that title and dash lines agree.
func TestForms167HeaderWidths(t *testing.T) {
	cases := []struct {
		name   string
		header string
		want   []int // length of each line
	}{
		{"TCP IPv4", hdrTCP4, []int{81, 81}},
		{"TCP IPv4 -v", hdrTCP4V, []int{94, 94}},
		{"TCP IPv6", hdrTCP6, []int{113, 113}},
		{"TCP IPv6 -v", hdrTCP6V, []int{113, 113}},
		{"UDP IPv4", hdrUDP4, []int{52, 52}},
		{"UDP IPv6", hdrUDP6, []int{84, 84}},
		{"SCTP", hdrSCTP, []int{111, 111, 0}},
		{"UNIX", hdrUnix + "\n" + dshUnix + "\n", []int{141, 141}},
		{"UNIX -v", hdrUnix + hdrUnixV + "\n" + dshUnix + dshUnixV + "\n", []int{167, 167}},
		// %-5.5s %-5.5s%-13.13s %-14.14s %-6.6s %-5.5s %-6.6s %-5.5s %-6.6s %-6.6s
		{"-i IPv4", hdrIf4, []int{5 + 1 + 5 + 13 + 1 + 14 + 1 + 6 + 1 + 5 + 1 + 6 + 1 + 5 + 1 + 6 + 1 + 6}},
		// %-5.5s %-5.5s%-27.27s %-27.27s %-6.6s %-5.5s %-6.6s %-5.5s %-6.6s
		{"-i IPv6", hdrIf6, []int{5 + 1 + 5 + 27 + 1 + 27 + 1 + 6 + 1 + 5 + 1 + 6 + 1 + 5 + 1 + 6}},
		{"-i interval line 2", hdrTraffic2, []int{69}},
		{"-r IPv4", hdrRoute4, []int{75, 75}},
		{"-r IPv4 -v", hdrRoute4V, []int{93, 93}},
		{"-r IPv6", hdrRoute6, []int{80, 80}},
		{"-r IPv6 -v", hdrRoute6V, []int{92, 92}},
	}
	for _, c := range cases {
		if !strings.HasSuffix(c.header, "\n") {
			t.Errorf("%s: header does not end in a newline", c.name)
			continue
		}
		lines := strings.Split(strings.TrimSuffix(c.header, "\n"), "\n")
		if len(lines) != len(c.want) {
			t.Errorf("%s: %d lines, want %d", c.name, len(lines), len(c.want))
			continue
		}
		for i, l := range lines {
			if len(l) != c.want[i] {
				t.Errorf("%s line %d: %d bytes, want %d: %q", c.name, i+1, len(l), c.want[i], l)
			}
		}
		// Every heading lies over dashes of its own column.
		if len(lines) >= 2 && strings.HasPrefix(lines[1], "---") {
			checkColumns(t, c.name, lines[0], lines[1])
		}
	}
}

// checkColumns verifies that the dash line is dashes and blanks only, and
// that no heading of title crosses a column gap (a blank in the dash
// line).
func checkColumns(t *testing.T, name, title, dashes string) {
	t.Helper()
	for i := 0; i < len(dashes) && i < len(title); i++ {
		if dashes[i] != ' ' && dashes[i] != '-' {
			t.Errorf("%s: dash line has %q at %d", name, dashes[i], i)
		}
	}
	for i := 0; i < len(title); {
		if title[i] == ' ' {
			i++
			continue
		}
		j := i
		for j < len(title) && title[j] != ' ' {
			j++
		}
		for k := i; k < j && k < len(dashes); k++ {
			if dashes[k] != '-' {
				t.Errorf("%s: heading %q crosses a column gap at %d", name, title[i:j], k)
				break
			}
		}
		i = j
	}
}

// TestForms167RowWidths checks that rows of short values line up with
// their headers: a row's fixed-width part is as long as the title line.
func TestForms167RowWidths(t *testing.T) {
	out, err := fxNetstat(fxPath("lab"), "text", "-rn", "-f", "inet")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) < 5 {
		t.Fatalf("too few lines:\n%s", out)
	}
	for _, l := range lines[2:] {
		if len(l) != 75 {
			t.Errorf("IPv4 route row is %d bytes, header 75: %q", len(l), l)
		}
		if !strings.HasSuffix(l, " ") {
			t.Errorf("route row does not end in a blank: %q", l)
		}
	}
	out, err = fxNetstat(fxPath("lab"), "text", "-in")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if strings.HasPrefix(l, "a") && strings.Contains(l, "10.") && len(l) != len(hdrIf4)-1 {
			t.Errorf("-i row is %d bytes, header %d: %q", len(l), len(hdrIf4)-1, l)
		}
	}
}
