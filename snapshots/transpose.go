package snapshots

import "encoding/binary"

// transpose8 transposes an 8×8 byte matrix held as eight little-endian
// words: afterwards byte r of x[p] is what byte p of x[r] was. Three
// rounds swap 4×4, 2×2 and 1×1 blocks (Hacker's Delight, 7–3).
func transpose8(x *[8]uint64) {
	for r := 0; r < 4; r++ {
		t := (x[r]>>32 ^ x[r+4]) & 0x00000000ffffffff
		x[r] ^= t << 32
		x[r+4] ^= t
	}
	for _, r := range [4]int{0, 1, 4, 5} {
		t := (x[r]>>16 ^ x[r+2]) & 0x0000ffff0000ffff
		x[r] ^= t << 16
		x[r+2] ^= t
	}
	for r := 0; r < 8; r += 2 {
		t := (x[r]>>8 ^ x[r+1]) & 0x00ff00ff00ff00ff
		x[r] ^= t << 8
		x[r+1] ^= t
	}
}

// planesToRows sets rows[j][k] = src[(k-k0)*stride+j] for every row j and
// k in [k0, k1): rows out of byte planes, eight rows by eight bytes at a
// time (rowsToPlanes, the inverse, serves the tests).
func planesToRows(rows [][]byte, src []byte, stride int, k0, k1 int) {
	transposeTile(rows, src, stride, k0, k1, false)
}

// transposeTile copies between rows and planes (toPlanes says which way).
func transposeTile(rows [][]byte, planes []byte, stride int, k0, k1 int, toPlanes bool) {
	at := func(j, k int) *byte { return &planes[(k-k0)*stride+j] }
	j := 0
	for ; j+8 <= len(rows); j += 8 {
		r := rows[j : j+8 : j+8]
		k := k0
		for ; k+8 <= k1; k += 8 {
			var x [8]uint64
			for i := range x {
				if toPlanes {
					x[i] = binary.LittleEndian.Uint64(r[i][k:])
				} else {
					x[i] = binary.LittleEndian.Uint64(planes[(k-k0+i)*stride+j:])
				}
			}
			transpose8(&x)
			for i := range x {
				if toPlanes {
					binary.LittleEndian.PutUint64(planes[(k-k0+i)*stride+j:], x[i])
				} else {
					binary.LittleEndian.PutUint64(r[i][k:], x[i])
				}
			}
		}
		for ; k < k1; k++ {
			for i := range r {
				if toPlanes {
					*at(j+i, k) = r[i][k]
				} else {
					r[i][k] = *at(j+i, k)
				}
			}
		}
	}
	for ; j < len(rows); j++ {
		for k := k0; k < k1; k++ {
			if toPlanes {
				*at(j, k) = rows[j][k]
			} else {
				rows[j][k] = *at(j, k)
			}
		}
	}
}
