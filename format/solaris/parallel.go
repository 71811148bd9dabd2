package solaris

import (
	"bufio"
	"runtime"
	"sync"
)

// Long lists (a million routes, 400k sockets) are formatted by parts on
// every CPU and written in order: formatting is most of a replay's time
// once the tables are loaded. The row functions only read shared state
// (name tables are built before rendering starts).

const (
	rowsPerPart     = 16384
	parallelRowsMin = 4 * rowsPerPart
)

// writeRows writes row(b, i) for i in [0, n) to w, in order.
func writeRows(w *bufio.Writer, n int, row func(b []byte, i int) []byte) {
	if n < parallelRowsMin || runtime.GOMAXPROCS(0) < 2 {
		b := make([]byte, 0, 256)
		for i := 0; i < n; i++ {
			b = row(b[:0], i)
			w.Write(b)
		}
		return
	}
	parts := (n + rowsPerPart - 1) / rowsPerPart
	batch := runtime.GOMAXPROCS(0)
	bufs := make([][]byte, batch)
	for first := 0; first < parts; first += batch {
		last := min(first+batch, parts)
		var wg sync.WaitGroup
		for p := first; p < last; p++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				b := bufs[p-first][:0]
				for i := p * rowsPerPart; i < min((p+1)*rowsPerPart, n); i++ {
					b = row(b, i)
				}
				bufs[p-first] = b
			}()
		}
		wg.Wait()
		for p := first; p < last; p++ {
			w.Write(bufs[p-first])
		}
	}
}
