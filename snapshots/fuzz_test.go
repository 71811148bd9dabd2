package snapshots

import (
	"bytes"
	"os"
	"testing"
)

// FuzzReader feeds arbitrary bytes to the reader: it must never panic, and
// must either refuse the file or read sections that each decode or fail
// cleanly.
func FuzzReader(f *testing.F) {
	f.Add(writeSmall(f))
	for _, v := range []string{"1.0", "1.1"} {
		if b, err := os.ReadFile("../testdata/snapshots/format-v" + v + ".nms"); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte{})
	f.Add(putHeader(FormatVersion))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := NewReader(bytes.NewReader(b), int64(len(b)), ReaderOptions{MaxSectionMemory: 64 << 20})
		if err != nil {
			if r != nil {
				t.Fatal("reader returned with an error")
			}
			return
		}
		for _, f := range r.Verify() {
			_ = f
		}
		for fr := range r.Frames {
			for ns := range r.Namespaces {
				r.Load(fr, ns, NamespaceTables...)
			}
		}
	})
}
