package snapshots

import (
	"slices"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/netmortem/netmortem/snapshots/pb"
)

// byteRows gathers f's rows, their sizes and their total size.
func byteRows(n int, f func(int) []byte) (rows [][]byte, sizes []uint32, total int) {
	rows = make([][]byte, n)
	sizes = make([]uint32, n)
	for i := range rows {
		rows[i] = f(i)
		sizes[i] = uint32(len(rows[i]))
		total += len(rows[i])
	}
	return rows, sizes, total
}

// bytesFieldParts encodes f's rows as field num, a BytesColumn, appended
// to b up to the data, which stays in the rows: tcp_info of 400k sockets
// is 100 MB, which then is neither built apart nor copied. The payload
// is b followed by every row; rows is nil when there is no data at all.
func bytesFieldParts(b []byte, num protowire.Number, n int, f func(int) []byte) ([]byte, [][]byte) {
	rows, sizes, total := byteRows(n, f)
	if total == 0 {
		return b, nil
	}
	packed := 0
	for _, s := range sizes {
		packed += protowire.SizeVarint(uint64(s))
	}
	inner := protowire.SizeTag(1) + protowire.SizeBytes(packed) + protowire.SizeTag(2) + protowire.SizeBytes(total)
	b = slices.Grow(b, protowire.SizeTag(num)+protowire.SizeBytes(inner)-total)
	b = protowire.AppendTag(b, num, protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(inner))
	b = protowire.AppendTag(b, 1, protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(packed))
	for _, s := range sizes {
		b = protowire.AppendVarint(b, uint64(s))
	}
	b = protowire.AppendTag(b, 2, protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(total))
	return b, rows
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
	for i, s := range sizes {
		off[i] = o
		o += int(s)
	}
	// The encoder's walk, backwards: by tiles of 64 rows, 8×8 blocks
	// within, parts of the rows in parallel.
	p := 0
	eachSegment(sizes, func(k0, k1 int, active []int32) {
		m := len(active)
		const tile = 64
		parallel(m, func(lo, hi int) {
			var tr [tile][]byte
			for t := lo; t < hi; t += tile {
				te := min(t+tile, hi)
				for j := t; j < te; j++ {
					i := active[j]
					tr[j-t] = out[off[i] : off[i]+int(sizes[i])]
				}
				planesToRows(tr[:te-t], data[p+t:], m, k0, k1)
			}
		})
		p += (k1 - k0) * m
	})
	if p != len(data) {
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
