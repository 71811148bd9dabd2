package kdump

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// buildKdump lays out a kdump-compressed file (header version 6) with the
// given stored pages (pfn → flags and data) over maxMapnr pages.
func buildKdump(bs int, maxMapnr uint64, info string, pages map[uint64]struct {
	flags uint32
	data  []byte
}) []byte {
	le := binary.LittleEndian
	bitmapBlocks := 2 // one block per bitmap
	out := make([]byte, (1+1+bitmapBlocks)*bs)
	copy(out, "KDUMP   ")
	le.PutUint32(out[8:], 6)
	copy(out[12+65*2:], "6.1.0-test")
	copy(out[12+65*4:], "x86_64")
	le.PutUint64(out[408:], 1700000000)
	le.PutUint32(out[428:], uint32(bs))
	le.PutUint32(out[432:], 1)
	le.PutUint32(out[436:], uint32(bitmapBlocks))
	le.PutUint32(out[440:], uint32(maxMapnr))
	le.PutUint32(out[460:], 2)
	sub := out[bs:]
	le.PutUint64(sub[0:], 0x1000000)
	le.PutUint64(sub[96:], maxMapnr)
	bm1, bm2 := out[2*bs:3*bs], out[3*bs:4*bs]
	for pfn := uint64(0); pfn < maxMapnr; pfn++ {
		bm1[pfn/8] |= 1 << (pfn % 8)
	}
	var pfns []uint64
	for pfn := uint64(0); pfn < maxMapnr; pfn++ {
		if _, ok := pages[pfn]; ok {
			bm2[pfn/8] |= 1 << (pfn % 8)
			pfns = append(pfns, pfn)
		}
	}
	descOff := uint64(len(out))
	out = append(out, make([]byte, descSize*len(pfns))...)
	for i, pfn := range pfns {
		p := pages[pfn]
		d := out[descOff+uint64(i)*descSize:]
		le.PutUint64(d, uint64(len(out)))
		le.PutUint32(d[8:], uint32(len(p.data)))
		le.PutUint32(d[12:], p.flags)
		out = append(out, p.data...)
	}
	off := uint64(len(out))
	out = append(out, info...)
	le.PutUint64(out[bs+32:], off)
	le.PutUint64(out[bs+40:], uint64(len(info)))
	return out
}

func zpage(bs int, b byte) []byte {
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	w.Write(bytes.Repeat([]byte{b}, bs))
	w.Close()
	return z.Bytes()
}

func sample() []byte { return sampleBS(4096) }

func sampleBS(bs int) []byte {
	return buildKdump(bs, 20, "OSRELEASE=6.1.0-test\n", map[uint64]struct {
		flags uint32
		data  []byte
	}{
		1:  {FlagZlib, zpage(bs, 0x11)},
		3:  {0, bytes.Repeat([]byte{0x33}, bs)},
		7:  {FlagLZO, []byte("lzo!")},
		9:  {FlagZstd, []byte("zstd")},
		19: {FlagZlib, zpage(bs, 0x19)},
	})
}

const bs = 4096

func TestReadPages(t *testing.T) {
	b := sample()
	f, err := Open(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if f.Version != 6 || f.MaxMapNr != 20 || f.Pages() != 5 || f.Utsname[2] != "6.1.0-test" || f.Timestamp.Unix() != 1700000000 {
		t.Fatalf("header: %+v", f)
	}
	if string(f.VMCoreInfo()) != "OSRELEASE=6.1.0-test\n" || f.Compression() != "zlib" || f.PhysBase != 0x1000000 {
		t.Errorf("VMCOREINFO %q, compression %s, phys_base %#x", f.VMCoreInfo(), f.Compression(), f.PhysBase)
	}
	page := make([]byte, bs)
	for pfn, want := range map[uint64]byte{1: 0x11, 3: 0x33, 19: 0x19, 2: 0} {
		if err := f.ReadPage(pfn, page); err != nil {
			t.Fatalf("pfn %d: %v", pfn, err)
		}
		if !bytes.Equal(page, bytes.Repeat([]byte{want}, bs)) {
			t.Errorf("pfn %d: want all %#x", pfn, want)
		}
	}
	for pfn, word := range map[uint64]string{7: "LZO", 9: "zstd", 20: "not in the dump"} {
		if err := f.ReadPage(pfn, page); err == nil || !strings.Contains(err.Error(), word) {
			t.Errorf("pfn %d: error %v, want one saying %s", pfn, err, word)
		}
	}
}

func TestRejects(t *testing.T) {
	good := sample()
	le := binary.LittleEndian
	cases := map[string]func([]byte) []byte{
		"short":      func(b []byte) []byte { return b[:100] },
		"signature":  func(b []byte) []byte { b[0] = 'X'; return b },
		"flattened":  func(b []byte) []byte { copy(b, "makedumpfile\x00\x00\x00\x00"); return b },
		"block size": func(b []byte) []byte { le.PutUint32(b[428:], 1000); return b },
		"bitmaps":    func(b []byte) []byte { le.PutUint32(b[436:], 1<<20); return b },
		"max_mapnr":  func(b []byte) []byte { le.PutUint64(b[bs+96:], 1<<40); return b },
		"vmcoreinfo": func(b []byte) []byte { le.PutUint64(b[bs+40:], 1<<40); return b },
		"truncated":  func(b []byte) []byte { return b[:4*bs+10] },
	}
	for name, mod := range cases {
		b := mod(append([]byte(nil), good...))
		if _, err := Open(bytes.NewReader(b), int64(len(b))); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// A page descriptor pointing past the end fails that page only.
	b := append([]byte(nil), good...)
	le.PutUint64(b[4*bs:], uint64(len(b)))
	f, err := Open(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.ReadPage(1, make([]byte, bs)); err == nil {
		t.Error("a descriptor beyond the file was read")
	}
	if err := f.ReadPage(3, make([]byte, bs)); err != nil {
		t.Errorf("an intact page failed: %v", err)
	}
}

func TestWriteSeeds(t *testing.T) {
	if os.Getenv("NETMORTEM_WRITE_SEEDS") == "" {
		t.Skip("set NETMORTEM_WRITE_SEEDS=1 to rewrite testdata/fuzz seeds")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzOpen")
	os.MkdirAll(dir, 0o755)
	os.Remove(filepath.Join(dir, "sample"))
	if err := os.WriteFile(filepath.Join(dir, "sample512"), []byte(fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", sampleBS(512))), 0o644); err != nil {
		t.Fatal(err)
	}
}

func FuzzOpen(f *testing.F) {
	f.Add(sampleBS(512))
	f.Fuzz(func(t *testing.T, b []byte) {
		kf, err := Open(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		kf.Compression()
		page := make([]byte, kf.BlockSize)
		for _, pfn := range []uint64{0, 1, 3, 7, 19, kf.MaxMapNr - 1, kf.MaxMapNr} {
			kf.ReadPage(pfn, page)
		}
	})
}

func TestSmallBlocks(t *testing.T) {
	b := sampleBS(512)
	f, err := Open(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	page := make([]byte, 512)
	if err := f.ReadPage(19, page); err != nil || page[511] != 0x19 {
		t.Errorf("512-byte block: %v %x", err, page[511])
	}
	if err := f.ReadPage(19, make([]byte, 4096)); err == nil {
		t.Error("a 4096-byte read of a 512-byte block succeeded")
	}
}
