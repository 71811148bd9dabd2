package names

import (
	"bytes"
	"math"
)

// RouteTables maps routing table ids to names as iproute2 does from
// /etc/iproute2/rt_tables and rt_tables.d/*.conf. The zero value and nil
// know no names; ParseRouteTables starts from iproute2's built-in names.
type RouteTables struct {
	byID    map[uint32]string
	byName  map[string]uint32
	skipped []int // per file: line number where reading stopped, 0 if none
}

// Built-in table ids (linux/rtnetlink.h).
const (
	TableUnspec  = 0
	TableDefault = 253
	TableMain    = 254
	TableLocal   = 255
)

type rtEntry struct {
	id   uint32
	name string
}

var builtinTables = []rtEntry{
	{TableUnspec, "unspec"}, {TableDefault, "default"}, {TableMain, "main"}, {TableLocal, "local"},
}

// ParseRouteTables builds the table names from the built-in ones (unspec 0,
// default 253, main 254, local 255) and the given files in the order
// iproute2 reads them: rt_tables first, then each rt_tables.d/*.conf.
//
// It follows iproute2 6.1's reader: a line is "ID NAME" where ID is decimal
// or 0x-hex and anything after NAME is ignored; an ID that does not fit a
// positive C int is ignored (see scanIDName); lines starting (after blanks)
// with '#' are comments; the first line that does not scan ends that file
// ("Database … is corrupted") but the entries before it stay. A later
// definition of an id replaces the name; when a name is given to several ids,
// the one iproute2's hash walk meets first wins (lowest id modulo 256, then
// the latest definition).
func ParseRouteTables(files ...[]byte) *RouteTables {
	all := append([]rtEntry(nil), builtinTables...)
	t := &RouteTables{}
	for _, data := range files {
		stop := 0
		for n := 1; len(data) > 0; n++ {
			line := data
			if i := bytes.IndexByte(data, '\n'); i >= 0 {
				line, data = data[:i], data[i+1:]
			} else {
				data = nil
			}
			if len(line) > maxLine {
				stop = n
				break
			}
			p := trimBlanks(line)
			if len(p) == 0 || p[0] == '#' || p[0] == 0 {
				continue
			}
			id, name, keep, ok := scanIDName(p)
			if !ok {
				stop = n
				break
			}
			if keep {
				all = append(all, rtEntry{id, name})
			}
		}
		t.skipped = append(t.skipped, stop)
	}
	t.byID = make(map[uint32]string, len(all))
	t.byName = make(map[string]uint32, len(all))
	for _, e := range all { // later definitions replace earlier ones
		t.byID[e.id] = e.name
		if old, dup := t.byName[e.name]; !dup || e.id&255 <= old&255 {
			t.byName[e.name] = e.id
		}
	}
	return t
}

func trimBlanks(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	return b
}

// scanIDName does what iproute2's sscanf("0x%x %s") / sscanf("%d %s") pair
// does with a line: a number, optional blanks, then a non-blank word. ok is
// false when the line does not scan (iproute2 stops reading the file).
// iproute2 keeps the id in a C int and ignores lines where it is negative:
// only the low 32 bits of the number count (4294967297 is table 1), and ids
// of 2^31 and above are dropped, which keep reports as false.
func scanIDName(p []byte) (id uint32, name string, keep, ok bool) {
	i := 0
	var v uint64
	digits := 0
	overflow := false
	if len(p) > 2 && p[0] == '0' && p[1] == 'x' && hexVal(p[2]) >= 0 {
		for i = 2; i < len(p) && hexVal(p[i]) >= 0; i++ {
			if v > math.MaxUint64>>4 {
				overflow = true
			}
			v = v<<4 | uint64(hexVal(p[i]))
			digits++
		}
	} else {
		neg := false
		if i < len(p) && (p[i] == '+' || p[i] == '-') {
			neg = p[i] == '-'
			i++
		}
		for ; i < len(p) && p[i] >= '0' && p[i] <= '9'; i++ {
			d := uint64(p[i] - '0')
			if v > (math.MaxInt64-d)/10 {
				overflow = true
			}
			v = v*10 + d
			digits++
		}
		if neg {
			v = -v
		}
	}
	if digits == 0 {
		return 0, "", false, false
	}
	for i < len(p) && isSpace(p[i]) {
		i++
	}
	j := i
	for j < len(p) && !isSpace(p[j]) {
		j++
	}
	if j == i {
		return 0, "", false, false
	}
	id = uint32(v)
	return id, string(p[i:j]), !overflow && int32(id) >= 0, true
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// Name returns the name of table id.
func (t *RouteTables) Name(id uint32) (string, bool) {
	if t == nil {
		return "", false
	}
	n, ok := t.byID[id]
	return n, ok
}

// ID returns the id of the table called name.
func (t *RouteTables) ID(name string) (uint32, bool) {
	if t == nil {
		return 0, false
	}
	id, ok := t.byName[name]
	return id, ok
}

// Len returns the number of table ids that have a name.
func (t *RouteTables) Len() int {
	if t == nil {
		return 0
	}
	return len(t.byID)
}

// Stopped returns, for each file given to ParseRouteTables, the line at
// which iproute2 would have stopped reading it as corrupt, or 0.
func (t *RouteTables) Stopped() []int {
	if t == nil {
		return nil
	}
	return t.skipped
}
