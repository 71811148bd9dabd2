package snapshots

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/netmortem/netmortem/snapshots/pb"
)

func TestShuffleRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	// Enough rows for the parallel paths too, of mixed sizes.
	big := make([]int, 70_001)
	for i := range big {
		big[i] = []int{248, 0, 248, 232, 248}[i%5]
	}
	for _, sizes := range [][]int{
		{232, 232, 232},
		{0, 232, 0, 232, 104},
		{5, 0, 9, 1, 9, 3},
		{0, 0},
		{},
		big,
	} {
		rows := make([][]byte, len(sizes))
		for i, s := range sizes {
			rows[i] = make([]byte, s)
			for j := range rows[i] {
				rows[i][j] = byte(r.IntN(256))
			}
		}
		m := encShuffled(len(rows), func(i int) []byte { return rows[i] })
		c := &colCheck{rows: len(rows)}
		var rd *bytesReader
		if m == nil {
			rd = &bytesReader{}
		} else {
			rd = c.shuffled("t", m, len(rows))
		}
		if c.err != nil {
			t.Fatalf("%v: %v", sizes, c.err)
		}
		for i := range rows {
			if got := rd.next(); !bytes.Equal(got, rows[i]) {
				t.Fatalf("%d sizes: row %d = %v, want %v", len(sizes), i, got, rows[i])
			}
		}
	}
	// Damaged columns are refused.
	c := &colCheck{rows: 2}
	m := encShuffled(2, func(i int) []byte { return []byte{1, 2, 3} })
	m.Data = m.Data[:5]
	c.shuffled("t", m, 2)
	if c.err == nil {
		t.Error("truncated data accepted")
	}
}

// The writer side of ShuffledBytesColumn: netmortem writes tcp_info
// whole since it measured smaller, but early format-1.1 files hold it
// shuffled, and readers must read them.

// encShuffled encodes one byte string per row transposed (byte k of every
// row, for k = 0, 1, …): the rows of a fixed layout line up their
// fields, which zstd then compresses several times better than whole rows.
func encShuffled(n int, f func(int) []byte) *pb.ShuffledBytesColumn {
	rows, sizes, total := byteRows(n, f)
	if total == 0 {
		return nil
	}
	data := make([]byte, total)
	shuffleInto(data, rows, sizes)
	return &pb.ShuffledBytesColumn{Size: sizes, Data: data}
}

// rowsToPlanes sets dst[(k-k0)*stride+j] = rows[j][k] for every row j and
// k in [k0, k1): byte planes out of rows, eight rows by eight bytes at a
// time.
func rowsToPlanes(dst []byte, stride int, rows [][]byte, k0, k1 int) {
	transposeTile(rows, dst, stride, k0, k1, true)
}

// shuffleInto writes rows transposed into data, by tiles of 64 rows (8×8
// blocks within), parts of the rows in parallel.
func shuffleInto(data []byte, rows [][]byte, sizes []uint32) {
	const tile = 256
	p := 0
	eachSegment(sizes, func(k0, k1 int, active []int32) {
		m := len(active)
		parallel(m, func(lo, hi int) {
			var tr [tile][]byte
			for t := lo; t < hi; t += tile {
				te := min(t+tile, hi)
				for j := t; j < te; j++ {
					tr[j-t] = rows[active[j]]
				}
				rowsToPlanes(data[p+t:], m, tr[:te-t], k0, k1)
			}
		})
		p += (k1 - k0) * m
	})
}
