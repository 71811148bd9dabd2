package solaris

import "strconv"

// Column helpers of the socket, interface and route displays. They append
// to a line buffer the way printf conversions pad, so that rows of large
// tables are built without allocating. Names carry a col prefix to stay
// clear of the package's other files.

// colSpaces is a run of blanks to pad from.
const colSpaces = "                                                                "

// colPad appends blanks until the field that began at start is w wide.
func colPad(b []byte, start, w int) []byte {
	for n := w - (len(b) - start); n > 0; {
		k := min(n, len(colSpaces))
		b = append(b, colSpaces[:k]...)
		n -= k
	}
	return b
}

// colLeft is %-ws: s, then blanks to width w; never truncated.
func colLeft(b []byte, s string, w int) []byte {
	start := len(b)
	return colPad(append(b, s...), start, w)
}

// colTrunc is %-w.ws: s cut to w bytes, then blanks to width w.
func colTrunc(b []byte, s string, w int) []byte {
	if len(s) > w {
		s = s[:w]
	}
	return colLeft(b, s, w)
}

// colRight is %ws: blanks, then s, to width w.
func colRight(b []byte, s string, w int) []byte {
	for n := w - len(s); n > 0; {
		k := min(n, len(colSpaces))
		b = append(b, colSpaces[:k]...)
		n -= k
	}
	return append(b, s...)
}

// colUint is %wu (w > 0) or %-wu (w < 0).
func colUint(b []byte, v uint64, w int) []byte {
	var tmp [20]byte
	d := strconv.AppendUint(tmp[:0], v, 10)
	if w < 0 {
		start := len(b)
		return colPad(append(b, d...), start, -w)
	}
	for n := w - len(d); n > 0; n-- {
		b = append(b, ' ')
	}
	return append(b, d...)
}

// colHex8 is %08x.
func colHex8(b []byte, v uint32) []byte {
	const hex = "0123456789abcdef"
	for i := 28; i >= 0; i -= 4 {
		b = append(b, hex[(v>>uint(i))&15])
	}
	return b
}

// colNA is the placeholder a numeric column prints when Linux has no such
// datum (documented in docs/FORMS.md).
const colNA = "-"
