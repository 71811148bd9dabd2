package snapshots

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

func TestTranspose8(t *testing.T) {
	var x [8]uint64
	for r := range x {
		for p := 0; p < 8; p++ {
			x[r] |= uint64(r*8+p) << (8 * p) // byte p of row r is r*8+p
		}
	}
	transpose8(&x)
	for p := range x {
		for r := 0; r < 8; r++ {
			if got := byte(x[p] >> (8 * r)); got != byte(r*8+p) {
				t.Fatalf("byte %d of word %d = %d, want %d", r, p, got, r*8+p)
			}
		}
	}
}

// TestPlanesRoundTrip checks the 8×8 paths and their tails against the
// definition, for row counts and widths around multiples of eight.
func TestPlanesRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 7, 8, 9, 17, 64} {
		for _, w := range []int{1, 7, 8, 15, 16, 248} {
			rows := make([][]byte, n)
			for j := range rows {
				rows[j] = make([]byte, w)
				for k := range rows[j] {
					rows[j][k] = byte(rng.Uint32())
				}
			}
			const k0 = 0
			planes := make([]byte, n*w)
			rowsToPlanes(planes, n, rows, k0, w)
			for j := range rows {
				for k := 0; k < w; k++ {
					if planes[k*n+j] != rows[j][k] {
						t.Fatalf("n=%d w=%d: plane %d row %d = %d, want %d", n, w, k, j, planes[k*n+j], rows[j][k])
					}
				}
			}
			back := make([][]byte, n)
			for j := range back {
				back[j] = make([]byte, w)
			}
			planesToRows(back, planes, n, k0, w)
			for j := range rows {
				if !bytes.Equal(back[j], rows[j]) {
					t.Fatalf("n=%d w=%d: row %d = %x, want %x", n, w, j, back[j], rows[j])
				}
			}
		}
	}
}
