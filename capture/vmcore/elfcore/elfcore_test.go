package elfcore

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

type seg struct {
	paddr uint64
	data  []byte
	memsz uint64
}

func note(name string, typ uint32, desc []byte) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.LittleEndian, [3]uint32{uint32(len(name) + 1), uint32(len(desc)), typ})
	b.WriteString(name)
	b.WriteByte(0)
	for b.Len()%4 != 0 {
		b.WriteByte(0)
	}
	b.Write(desc)
	for b.Len()%4 != 0 {
		b.WriteByte(0)
	}
	return b.Bytes()
}

// buildCore lays out an ELF64 core: header, program headers, notes, then
// each segment's bytes. With xnum, e_phnum is PN_XNUM and the count sits in
// section header 0.
func buildCore(notes []byte, segs []seg, xnum bool) []byte {
	le := binary.LittleEndian
	nph := len(segs) + 1
	phoff := uint64(64)
	shoff := phoff + uint64(nph)*phdrSize
	dataOff := shoff + shdrSize
	out := make([]byte, dataOff)
	copy(out, "\x7fELF\x02\x01\x01")
	le.PutUint16(out[16:], etCore)
	le.PutUint16(out[18:], emX86_64)
	le.PutUint32(out[20:], 1)
	le.PutUint64(out[32:], phoff)
	le.PutUint16(out[52:], 64)
	le.PutUint16(out[54:], phdrSize)
	le.PutUint16(out[56:], uint16(nph))
	if xnum {
		le.PutUint64(out[40:], shoff)
		le.PutUint16(out[58:], shdrSize)
		le.PutUint16(out[60:], 1)
		le.PutUint16(out[56:], pnXNum)
		le.PutUint32(out[shoff+44:], uint32(nph))
	}
	ph := func(i int, typ uint32, off, paddr, filesz, memsz uint64) {
		p := out[phoff+uint64(i)*phdrSize:]
		le.PutUint32(p, typ)
		le.PutUint64(p[8:], off)
		le.PutUint64(p[16:], paddr+0xffff888000000000)
		le.PutUint64(p[24:], paddr)
		le.PutUint64(p[32:], filesz)
		le.PutUint64(p[40:], memsz)
	}
	ph(0, ptNote, uint64(len(out)), 0, uint64(len(notes)), uint64(len(notes)))
	out = append(out, notes...)
	for i, s := range segs {
		ph(i+1, ptLoad, uint64(len(out)), s.paddr, uint64(len(s.data)), max(s.memsz, uint64(len(s.data))))
		out = append(out, s.data...)
	}
	return out
}

func fill(n int, b byte) []byte { return bytes.Repeat([]byte{b}, n) }

func sample(xnum bool) []byte {
	notes := append(note("CORE", ntPrStatus, fill(336, 1)), note("CORE", ntPrStatus, fill(336, 2))...)
	notes = append(notes, note("VMCOREINFO", 0, []byte("OSRELEASE=6.1.0\nPAGESIZE=4096\n"))...)
	return buildCore(notes, []seg{
		{paddr: 0x1000, data: fill(0x1800, 0xaa)},                // ends mid-page
		{paddr: 0x4000, data: fill(0x1000, 0xbb), memsz: 0x2000}, // a zero-filled tail
		{paddr: 0x4800, data: fill(0x100, 0xcc)},                 // inside the previous one: ignored
	}, xnum)
}

func TestOpenAndRead(t *testing.T) {
	for _, xnum := range []bool{false, true} {
		t.Run(fmt.Sprint("xnum=", xnum), func(t *testing.T) {
			b := sample(xnum)
			f, err := Open(bytes.NewReader(b), int64(len(b)))
			if err != nil {
				t.Fatal(err)
			}
			if f.XNum != xnum || len(f.Segments) != 3 || f.CPUs() != 2 {
				t.Fatalf("XNum %v, %d segments, %d CPUs", f.XNum, len(f.Segments), f.CPUs())
			}
			if got := string(f.VMCoreInfo()); got != "OSRELEASE=6.1.0\nPAGESIZE=4096\n" {
				t.Errorf("VMCOREINFO %q", got)
			}
			page := make([]byte, 4096)
			if err := f.ReadPage(2, page); err != nil {
				t.Fatal(err)
			}
			if page[0] != 0xaa || page[0x7ff] != 0xaa || page[0x800] != 0 || page[4095] != 0 {
				t.Errorf("page 2: want 0x800 bytes of 0xaa then zeros, got %x %x %x", page[0], page[0x800], page[4095])
			}
			if err := f.ReadPage(4, page); err != nil || page[0x900] != 0xbb {
				t.Errorf("page 4: %v, byte %#x (the overlapping segment must not win)", err, page[0x900])
			}
			if err := f.ReadPage(5, page); err != nil || !bytes.Equal(page, make([]byte, 4096)) {
				t.Errorf("page 5 (memsz beyond filesz) must read as zeros: %v", err)
			}
			if err := f.ReadPage(3, page); !errors.Is(err, ErrNotInDump) {
				t.Errorf("page 3 is in no segment, got %v", err)
			}
			buf := make([]byte, 16)
			if err := f.ReadPhys(buf, 0x27f0); err != nil || buf[15] != 0xaa {
				t.Errorf("ReadPhys up to the segment end: %v %x", err, buf)
			}
			if err := f.ReadPhys(buf, 0x27f8); !errors.Is(err, ErrNotInDump) {
				t.Errorf("ReadPhys across the segment end into a hole: %v", err)
			}
			if err := f.ReadPhys(buf, 0x1ffffff0); !errors.Is(err, ErrNotInDump) {
				t.Errorf("ReadPhys beyond memory: %v", err)
			}
			if f.MaxPhys() != 0x6000 {
				t.Errorf("MaxPhys %#x", f.MaxPhys())
			}
		})
	}
}

func TestOpenRejects(t *testing.T) {
	good := sample(false)
	cases := map[string]func([]byte) []byte{
		"short":     func(b []byte) []byte { return b[:40] },
		"magic":     func(b []byte) []byte { b[0] = 'X'; return b },
		"32-bit":    func(b []byte) []byte { b[4] = 1; return b },
		"not core":  func(b []byte) []byte { b[16] = 2; return b },
		"phnum":     func(b []byte) []byte { binary.LittleEndian.PutUint16(b[56:], 0x7fff); return b },
		"truncated": func(b []byte) []byte { return b[:len(b)-100] },
		"xnum without section": func(b []byte) []byte {
			binary.LittleEndian.PutUint16(b[56:], pnXNum)
			return b
		},
	}
	for name, mod := range cases {
		b := mod(append([]byte(nil), good...))
		if _, err := Open(bytes.NewReader(b), int64(len(b))); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestParseNotesOverrun(t *testing.T) {
	n := note("VMCOREINFO", 0, []byte("abc"))
	binary.LittleEndian.PutUint32(n[4:], 1000)
	if _, err := ParseNotes(n); err == nil {
		t.Error("a note whose descriptor overruns was accepted")
	}
}

// TestWriteSeeds refreshes the fuzz seed corpus when asked to.
func TestWriteSeeds(t *testing.T) {
	if os.Getenv("NETMORTEM_WRITE_SEEDS") == "" {
		t.Skip("set NETMORTEM_WRITE_SEEDS=1 to rewrite testdata/fuzz seeds")
	}
	writeSeed(t, "FuzzOpen", "plain", sample(false))
	writeSeed(t, "FuzzOpen", "xnum", sample(true))
}

func writeSeed(t *testing.T, fuzz, name string, b []byte) {
	dir := filepath.Join("testdata", "fuzz", fuzz)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), []byte(fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", b)), 0o644); err != nil {
		t.Fatal(err)
	}
}

func FuzzOpen(f *testing.F) {
	f.Add(sample(false))
	f.Add(sample(true))
	f.Fuzz(func(t *testing.T, b []byte) {
		ef, err := Open(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		ef.VMCoreInfo()
		page := make([]byte, 4096)
		for _, pfn := range []uint64{0, 1, 2, 4, 5, 1 << 40} {
			ef.ReadPage(pfn, page)
		}
		buf := make([]byte, 100)
		ef.ReadPhys(buf, 0xff0)
	})
}
