package solaris

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"runtime"
	"strconv"
	"testing"
)

func TestWriteRowsOrder(t *testing.T) {
	for _, n := range []int{0, 1, parallelRowsMin - 1, parallelRowsMin, 3*rowsPerPart + 17, 10 * rowsPerPart} {
		var got bytes.Buffer
		w := bufio.NewWriter(&got)
		writeRows(w, n, func(b []byte, i int) []byte {
			if i%7 == 3 {
				return b // a row that prints nothing
			}
			return append(strconv.AppendInt(b, int64(i), 10), '\n')
		})
		w.Flush()
		var exp bytes.Buffer
		for i := 0; i < n; i++ {
			if i%7 != 3 {
				exp.WriteString(strconv.Itoa(i) + "\n")
			}
		}
		if !bytes.Equal(got.Bytes(), exp.Bytes()) {
			t.Fatalf("n=%d: output differs from the rows in order", n)
		}
	}
}

// TestParallelFormsMatchSerial replays the scale snapshot's long lists
// with one CPU and with several: the same bytes (run with -race to check
// the row functions share nothing they write).
func TestParallelFormsMatchSerial(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the 1M-route scale snapshot")
	}
	data := scaleSnapshot(t)
	for _, args := range [][]string{{"-rn"}, {"-an"}, {"-rn", "-f", "outif:eth1"}} {
		sum := func() [32]byte {
			h := sha256.New()
			if err := scaleRun(h, data, args...); err != nil {
				t.Fatal(err)
			}
			return [32]byte(h.Sum(nil))
		}
		prev := runtime.GOMAXPROCS(1)
		serial := sum()
		runtime.GOMAXPROCS(max(prev, 2))
		parallel := sum()
		runtime.GOMAXPROCS(prev)
		if serial != parallel {
			t.Errorf("netstat %v: parallel output differs from serial", args)
		}
	}
}
