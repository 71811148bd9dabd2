package snapshots

import "github.com/netmortem/netmortem/snapshots/pb"

// Delta columns (format 1.1) store a sorted or sequential column as
// differences from the previous row: socket cookies are handed out in dump
// order, owners are sorted by inode, the FIB dumps destinations in trie
// order. (Delta sections, which store a table as changes from an earlier
// frame, are another thing: see writer.go.) Random 64-bit values do not compress; their small differences do
// (1.2 MB of cookies become 77 bytes at 400k sockets).

// encDelta returns f's values as differences from the previous row, or nil
// when every value is zero.
func encDelta(n int, f func(int) uint64) []int64 {
	var out []int64
	var prev uint64
	for i := 0; i < n; i++ {
		v := f(i)
		if out == nil {
			if v == 0 {
				continue
			}
			out = make([]int64, n)
		}
		out[i] = int64(v - prev)
		prev = v
	}
	return out
}

// u64Column returns a uint64 column given either whole (plain) or as
// differences (delta); a section must not give both.
func (c *colCheck) u64Column(name string, plain []uint64, delta []int64) []uint64 {
	if len(delta) == 0 {
		c.n(name, len(plain))
		return plain
	}
	if len(plain) != 0 {
		c.fail("column %s given twice", name)
		return nil
	}
	c.n(name, len(delta))
	if c.err != nil {
		return nil
	}
	out := make([]uint64, len(delta))
	var v uint64
	for i, d := range delta {
		v += uint64(d)
		out[i] = v
	}
	return out
}

// deltaAddrs rewrites an AddrColumn's data as differences between
// consecutive addresses of the same size.
func deltaAddrs(c *pb.AddrColumn) *pb.AddrColumn {
	if c == nil {
		return nil
	}
	var p4 [4]byte
	var p16 [16]byte
	d := c.Data
	off := 0
	for _, s := range c.Size {
		switch s {
		case 4:
			cur := [4]byte(d[off:])
			subBE(d[off:off+4], p4[:])
			p4 = cur
		case 16:
			cur := [16]byte(d[off:])
			subBE(d[off:off+16], p16[:])
			p16 = cur
		}
		off += int(s)
	}
	c.Delta, c.Data = c.Data, nil
	return c
}

// undeltaAddrs returns the addresses of a delta column; the sizes must
// already be checked to add up to len(delta).
func undeltaAddrs(size []uint32, delta []byte) []byte {
	out := make([]byte, len(delta))
	var p4 [4]byte
	var p16 [16]byte
	off := 0
	for _, s := range size {
		switch s {
		case 4:
			addBE(out[off:off+4], delta[off:off+4], p4[:])
			p4 = [4]byte(out[off:])
		case 16:
			addBE(out[off:off+16], delta[off:off+16], p16[:])
			p16 = [16]byte(out[off:])
		}
		off += int(s)
	}
	return out
}

// subBE sets a to a-b, both big-endian unsigned integers of one length.
func subBE(a, b []byte) {
	borrow := 0
	for k := len(a) - 1; k >= 0; k-- {
		x := int(a[k]) - int(b[k]) - borrow
		borrow = 0
		if x < 0 {
			x += 256
			borrow = 1
		}
		a[k] = byte(x)
	}
}

// addBE sets dst to a+b, big-endian unsigned integers of one length.
func addBE(dst, a, b []byte) {
	carry := 0
	for k := len(a) - 1; k >= 0; k-- {
		x := int(a[k]) + int(b[k]) + carry
		dst[k] = byte(x)
		carry = x >> 8
	}
}
