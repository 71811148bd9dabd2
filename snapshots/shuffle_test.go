package snapshots

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

func TestShuffleRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, sizes := range [][]int{
		{232, 232, 232},
		{0, 232, 0, 232, 104},
		{5, 0, 9, 1, 9, 3},
		{0, 0},
		{},
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
				t.Fatalf("%v: row %d = %v, want %v", sizes, i, got, rows[i])
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
