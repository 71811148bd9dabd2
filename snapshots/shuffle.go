package snapshots

import (
	"slices"

	"github.com/netmortem/netmortem/snapshots/pb"
)

// encShuffled encodes one byte string per row transposed (byte k of every
// row, for k = 0, 1, …): the rows of a fixed layout line up their
// fields, which zstd then compresses several times better than whole rows.
func encShuffled(n int, f func(int) []byte) *pb.ShuffledBytesColumn {
	rows := make([][]byte, n)
	sizes := make([]uint32, n)
	total := 0
	uniform := true
	for i := range rows {
		rows[i] = f(i)
		l := len(rows[i])
		sizes[i] = uint32(l)
		total += l
		uniform = uniform && l == len(rows[0])
	}
	if total == 0 {
		return nil
	}
	data := make([]byte, total)
	if uniform {
		for i, r := range rows {
			for k, b := range r {
				data[k*n+i] = b
			}
		}
		return &pb.ShuffledBytesColumn{Size: sizes, Data: data}
	}
	p := 0
	eachSegment(sizes, func(k0, k1 int, active []int32) {
		m := len(active)
		for j, i := range active {
			for k := k0; k < k1; k++ {
				data[p+(k-k0)*m+j] = rows[i][k]
			}
		}
		p += (k1 - k0) * m
	})
	return &pb.ShuffledBytesColumn{Size: sizes, Data: data}
}

// shuffled rebuilds the rows of a ShuffledBytesColumn into one buffer and
// returns a reader of them.
func (c *colCheck) shuffled(name string, m *pb.ShuffledBytesColumn, rows int) *bytesReader {
	sizes, data := m.GetSize(), m.GetData()
	if len(sizes) == 0 {
		if len(data) != 0 {
			c.fail("column %s: data without sizes", name)
		}
		return &bytesReader{}
	}
	if len(sizes) != rows {
		c.fail("column %s has %d entries for %d rows", name, len(sizes), rows)
		return &bytesReader{}
	}
	total, width := uint64(0), uint32(0)
	for _, s := range sizes {
		total += uint64(s)
		width = max(width, s)
	}
	if total != uint64(len(data)) {
		c.fail("column %s: sizes add up to %d bytes, data has %d", name, total, len(data))
		return &bytesReader{}
	}
	out := make([]byte, total)
	off := make([]int, len(sizes))
	o := 0
	uniform := true
	for i, s := range sizes {
		off[i] = o
		o += int(s)
		uniform = uniform && s == sizes[0]
	}
	p := 0
	if uniform {
		// Transpose back by tiles of rows, so that reads and writes both
		// stay within a few cache lines.
		w, n := int(width), len(sizes)
		const tile = 64
		for lo := 0; lo < n; lo += tile {
			hi := min(lo+tile, n)
			for k := 0; k < w; k++ {
				src := data[k*n+lo : k*n+hi]
				for j, b := range src {
					out[(lo+j)*w+k] = b
				}
			}
		}
	} else {
		eachSegment(sizes, func(k0, k1 int, active []int32) {
			// As the uniform case, over the rows having bytes k0..k1-1.
			m := len(active)
			const tile = 64
			for lo := 0; lo < m; lo += tile {
				hi := min(lo+tile, m)
				for k := k0; k < k1; k++ {
					src := data[p+(k-k0)*m+lo : p+(k-k0)*m+hi]
					for j, b := range src {
						out[off[active[lo+j]]+k] = b
					}
				}
			}
			p += (k1 - k0) * m
		})
	}
	if p != 0 && p != len(data) {
		c.fail("column %s: %d bytes placed of %d", name, p, len(data))
		return &bytesReader{}
	}
	return &bytesReader{size: sizes, data: out}
}

// eachSegment calls fn for the runs of byte positions [k0, k1) in which
// the same rows have a byte, with those rows in row order: the set only
// changes where k passes a row size, so it is built once per distinct
// size. Within a run, the column stores byte k of those rows together.
func eachSegment(sizes []uint32, fn func(k0, k1 int, active []int32)) {
	distinct := slices.Clone(sizes)
	slices.Sort(distinct)
	distinct = slices.Compact(distinct)
	var active []int32
	for i, s := range sizes {
		if s > 0 {
			active = append(active, int32(i))
		}
	}
	k := 0
	for _, s := range distinct {
		if s == 0 {
			continue
		}
		fn(k, int(s), active)
		k = int(s)
		// Rows of exactly this size end here.
		kept := active[:0]
		for _, i := range active {
			if sizes[i] > s {
				kept = append(kept, i)
			}
		}
		active = kept
	}
}
