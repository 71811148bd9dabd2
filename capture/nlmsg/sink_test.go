package nlmsg

import (
	"testing"

	"github.com/mdlayher/netlink"
)

// TestSinkSpare checks that rows go into the caller's spare capacity and
// come back in place, and that overflow and retries keep every row once.
func TestSinkSpare(t *testing.T) {
	decode := func(m netlink.Message, p *int) error { *p = int(m.Header.Sequence); return nil }
	for _, c := range []struct{ have, spare, rows int }{
		{0, 0, 10}, {0, 100, 10}, {3, 100, 97}, {3, 100, 500}, {0, 10, 100000},
	} {
		dst := make([]int, c.have, c.have+c.spare)
		for i := range dst {
			dst[i] = -1 - i
		}
		s := newSink(decode, nil)
		s.spare = dst[len(dst):cap(dst)]
		// A first attempt, interrupted, then the real one.
		s.reset()
		for i := 0; i < 7; i++ {
			s.add(netlink.Message{Header: netlink.Header{Sequence: 999}})
		}
		s.reset()
		for i := 0; i < c.rows; i++ {
			s.add(netlink.Message{Header: netlink.Header{Sequence: uint32(i)}})
		}
		out := s.rowsInto(dst)
		if len(out) != c.have+c.rows {
			t.Fatalf("%+v: %d rows", c, len(out))
		}
		for i := 0; i < c.have; i++ {
			if out[i] != -1-i {
				t.Fatalf("%+v: row %d of dst is %d", c, i, out[i])
			}
		}
		for i := 0; i < c.rows; i++ {
			if out[c.have+i] != i {
				t.Fatalf("%+v: row %d is %d", c, i, out[c.have+i])
			}
		}
		inPlace := c.spare > 0 && c.rows <= c.spare
		if inPlace && &out[0] != &dst[:1][0] {
			t.Errorf("%+v: rows were copied although they fit", c)
		}
	}
}
