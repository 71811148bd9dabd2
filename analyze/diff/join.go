package diff

import (
	"sort"
)

// spec says how one kind of row is joined and compared.
type spec[T any, K comparable] struct {
	// key is the row's identity; rows of the two sides with equal keys are
	// the same row.
	key func(s *side, r *T) K
	// tie, when set, first pairs rows whose keys and ties are both equal
	// (a socket's inode): duplicate keys are real for sockets (SO_REUSEPORT
	// listeners, raw sockets) and this keeps the same socket paired with
	// itself. Rows left over are then paired by key alone, in order.
	tie func(r *T) uint64
	// same is a fast equality on the compared fields; it must be false
	// whenever desc's attributes differ. Nil compares the attributes.
	same func(o *side, a *T, n *side, b *T) bool
	// desc gives the row's key and compared attributes as text.
	desc func(s *side, r *T) (key, attrs Fields)
	// keep, when set, leaves rows out (route filters). A pair is kept when
	// either side is.
	keep func(s *side, r *T) bool
	// pair, when set, sees every pair, changed or not (counters).
	pair func(c *comparer, sec *Section, a *T, b *T)
}

type tied[K comparable] struct {
	k K
	t uint64
}

// compareRows hash-joins two tables on their keys: linear in the number of
// rows, whatever their order.
func compareRows[T any, K comparable](c *comparer, sp *spec[T, K], sec *Section, oldRows, newRows []T) {
	o, n := c.old, c.new
	mo := make([]int32, len(oldRows))
	mn := make([]int32, len(newRows))
	for i := range mo {
		mo[i] = -1
	}
	for j := range mn {
		mn[j] = -1
	}
	left := true
	if sp.tie != nil {
		matchRows(len(oldRows), len(newRows),
			func(i int) tied[K] { return tied[K]{sp.key(o, &oldRows[i]), sp.tie(&oldRows[i])} },
			func(j int) tied[K] { return tied[K]{sp.key(n, &newRows[j]), sp.tie(&newRows[j])} },
			mo, mn)
		left = false
		for i := range mo {
			if mo[i] < 0 {
				left = true
				break
			}
		}
	}
	if left {
		matchRows(len(oldRows), len(newRows),
			func(i int) K { return sp.key(o, &oldRows[i]) },
			func(j int) K { return sp.key(n, &newRows[j]) },
			mo, mn)
	}
	keep := func(s *side, r *T) bool { return sp.keep == nil || sp.keep(s, r) }
	for i := range oldRows {
		if mo[i] < 0 && keep(o, &oldRows[i]) {
			sec.Removed++
			k, a := sp.desc(o, &oldRows[i])
			sec.Rows = append(sec.Rows, Row{Kind: Removed, Key: k, Attrs: a})
		}
	}
	for j := range newRows {
		b := &newRows[j]
		i := mn[j]
		if i < 0 {
			if keep(n, b) {
				sec.Added++
				k, a := sp.desc(n, b)
				sec.Rows = append(sec.Rows, Row{Kind: Added, Key: k, Attrs: a})
			}
			continue
		}
		a := &oldRows[i]
		if sp.keep != nil && !sp.keep(o, a) && !sp.keep(n, b) {
			continue
		}
		if sp.pair != nil {
			sp.pair(c, sec, a, b)
		}
		if sp.same != nil && sp.same(o, a, n, b) {
			sec.Unchanged++
			continue
		}
		_, oa := sp.desc(o, a)
		k, na := sp.desc(n, b)
		ch := diffFields(oa, na)
		if len(ch) == 0 {
			sec.Unchanged++
			continue
		}
		sec.Changed++
		sec.Rows = append(sec.Rows, Row{Kind: Changed, Key: k, Attrs: na, Changes: ch})
	}
}

// matchRows pairs unmatched rows of equal keys, the first unmatched old row
// of a key with the first unmatched new row of that key, and so on.
//
// Tables mostly come in the same order on both sides (the kernel dumps
// them in its own order), so a first pass walks both in step, looking a
// few rows ahead to get past insertions and deletions; it touches memory
// in order and leaves only the rows it could not pair to the hash join.
// Either pass pairs only rows of equal keys: the order of the rows never
// decides what is compared with what.
func matchRows[K comparable](no, nn int, ko, kn func(int) K, mo, mn []int32) {
	const window = 8
	i, j := 0, 0
	for i < no && j < nn {
		if mo[i] >= 0 {
			i++
			continue
		}
		if mn[j] >= 0 {
			j++
			continue
		}
		ki, kj := ko(i), kn(j)
		if ki == kj {
			mo[i], mn[j] = int32(j), int32(i)
			i++
			j++
			continue
		}
		found := false
		for d := 1; d <= window && !found; d++ {
			if j+d < nn && mn[j+d] < 0 && kn(j+d) == ki {
				j += d // new rows j … j+d-1 are left to the hash join
				mo[i], mn[j] = int32(j), int32(i)
				found = true
			} else if i+d < no && mo[i+d] < 0 && ko(i+d) == kj {
				i += d
				mo[i], mn[j] = int32(j), int32(i)
				found = true
			}
		}
		i++
		j++
	}

	left := 0
	for i := range mo {
		if mo[i] < 0 {
			left++
		}
	}
	if left == 0 {
		return
	}
	head := make(map[K]int32, left)
	next := make([]int32, no)
	for i := no - 1; i >= 0; i-- {
		if mo[i] >= 0 {
			continue
		}
		k := ko(i)
		if h, ok := head[k]; ok {
			next[i] = h
		} else {
			next[i] = -1
		}
		head[k] = int32(i)
	}
	for j := 0; j < nn; j++ {
		if mn[j] >= 0 {
			continue
		}
		k := kn(j)
		i, ok := head[k]
		if !ok {
			continue
		}
		if next[i] < 0 {
			delete(head, k)
		} else {
			head[k] = next[i]
		}
		mo[i], mn[j] = int32(j), i
	}
}

// diffFields lists the fields whose values differ, in NEW's order, then
// those only OLD has.
func diffFields(o, n Fields) []Change {
	var out []Change
	seen := make(map[string]bool, len(n))
	for _, nf := range n {
		seen[nf.Name] = true
		of, ok := find(o, nf.Name)
		if !ok {
			of = Field{Name: nf.Name, isSet: nf.isSet}
		}
		if ch, differs := diffField(of, nf); differs {
			out = append(out, ch)
		}
	}
	for _, of := range o {
		if !seen[of.Name] {
			if ch, differs := diffField(of, Field{Name: of.Name, isSet: of.isSet}); differs {
				out = append(out, ch)
			}
		}
	}
	return out
}

func find(fs Fields, name string) (Field, bool) {
	for _, f := range fs {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

func diffField(o, n Field) (Change, bool) {
	if o.isSet || n.isSet {
		add, rem := setDiff(o.Set, n.Set)
		if len(add) == 0 && len(rem) == 0 {
			return Change{}, false
		}
		if len(o.Set) == 1 && len(n.Set) == 1 {
			return Change{Name: n.Name, Old: o.Value, New: n.Value}, true
		}
		return Change{Name: n.Name, Added: add, Removed: rem, IsSet: true}, true
	}
	oc, nc := o.Value, n.Value
	if o.cmp != "" || n.cmp != "" {
		oc, nc = o.cmp, n.cmp
	}
	if oc == nc {
		return Change{}, false
	}
	return Change{Name: n.Name, Old: o.Value, New: n.Value}, true
}

// setDiff compares two sorted lists of elements (duplicates count).
func setDiff(o, n []string) (added, removed []string) {
	i, j := 0, 0
	for i < len(o) || j < len(n) {
		switch {
		case j >= len(n) || (i < len(o) && o[i] < n[j]):
			removed = append(removed, o[i])
			i++
		case i >= len(o) || n[j] < o[i]:
			added = append(added, n[j])
			j++
		default:
			i++
			j++
		}
	}
	return added, removed
}

// setField builds a set-valued field; the elements are sorted in place.
func setField(name string, elems []string) Field {
	sort.Strings(elems)
	f := Field{Name: name, Set: elems, isSet: true}
	for i, e := range elems {
		if i > 0 {
			f.Value += ", "
		}
		f.Value += e
	}
	return f
}
