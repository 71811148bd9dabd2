// Package elfcore reads ELF64 core files that hold a machine's physical
// memory: kernel vmcores from /proc/vmcore, makedumpfile -E, and QEMU
// dump-guest-memory. It maps physical addresses (p_paddr of PT_LOAD) to file
// offsets and returns the notes (VMCOREINFO, NT_PRSTATUS). Everything in the
// file is untrusted: every count and offset is checked against the file size.
package elfcore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sort"
)

// ELF constants used here.
const (
	ptLoad     = 1
	ptNote     = 4
	etCore     = 4
	emX86_64   = 62
	pnXNum     = 0xffff
	phdrSize   = 56
	shdrSize   = 64
	maxNotes   = 64 << 20 // bytes of PT_NOTE read in total
	ntPrStatus = 1
)

// Segment is a PT_LOAD range of physical memory.
type Segment struct {
	Phys   uint64 // p_paddr
	Virt   uint64 // p_vaddr
	Off    uint64 // file offset
	FileSz uint64
	MemSz  uint64
}

// Note is one ELF note.
type Note struct {
	Name string
	Type uint32
	Desc []byte
}

// File is an open ELF core.
type File struct {
	r        io.ReaderAt
	size     int64
	Machine  uint16
	Segments []Segment // every PT_LOAD, file order
	Notes    []Note
	XNum     bool // e_phnum was PN_XNUM; the count came from section 0
	ranges   []rng
}

// rng is a disjoint piece of the physical address space backed by the file.
type rng struct {
	start, end uint64 // [start, end)
	off        uint64 // file offset of start
	fileEnd    uint64 // addresses at or beyond this read as zeros (memsz > filesz)
}

var le = binary.LittleEndian

// IsELF reports whether b starts with the ELF magic.
func IsELF(b []byte) bool { return len(b) >= 4 && string(b[:4]) == "\x7fELF" }

// Open parses the headers and notes of an ELF core of the given size.
func Open(r io.ReaderAt, size int64) (*File, error) {
	var eh [64]byte
	if size < int64(len(eh)) {
		return nil, errors.New("elf: file too short for an ELF header")
	}
	if _, err := r.ReadAt(eh[:], 0); err != nil {
		return nil, fmt.Errorf("elf: reading header: %w", err)
	}
	if !IsELF(eh[:]) {
		return nil, errors.New("elf: bad magic")
	}
	if eh[4] != 2 || eh[5] != 1 {
		return nil, fmt.Errorf("elf: only 64-bit little-endian cores are supported (class %d, data %d)", eh[4], eh[5])
	}
	if t := le.Uint16(eh[16:]); t != etCore {
		return nil, fmt.Errorf("elf: e_type %d is not ET_CORE", t)
	}
	f := &File{r: r, size: size, Machine: le.Uint16(eh[18:])}
	phoff := le.Uint64(eh[32:])
	shoff := le.Uint64(eh[40:])
	phentsize := le.Uint16(eh[54:])
	phnum := uint64(le.Uint16(eh[56:]))
	shentsize := le.Uint16(eh[58:])
	if phentsize != phdrSize {
		return nil, fmt.Errorf("elf: e_phentsize %d, want %d", phentsize, phdrSize)
	}
	if phnum == pnXNum {
		// The real count is in sh_info of section header 0.
		if shoff == 0 || shentsize != shdrSize || !within(shoff, shdrSize, size) {
			return nil, errors.New("elf: PN_XNUM without a valid section header 0")
		}
		var sh [shdrSize]byte
		if _, err := r.ReadAt(sh[:], int64(shoff)); err != nil {
			return nil, fmt.Errorf("elf: reading section header 0: %w", err)
		}
		phnum = uint64(le.Uint32(sh[44:]))
		f.XNum = true
	}
	if phnum == 0 {
		return nil, errors.New("elf: no program headers")
	}
	if phnum > uint64(size)/phdrSize || !within(phoff, phnum*phdrSize, size) {
		return nil, fmt.Errorf("elf: %d program headers at %#x overrun the file (%d bytes)", phnum, phoff, size)
	}
	ph := make([]byte, phnum*phdrSize)
	if _, err := r.ReadAt(ph, int64(phoff)); err != nil {
		return nil, fmt.Errorf("elf: reading program headers: %w", err)
	}
	var noteBytes uint64
	for i := uint64(0); i < phnum; i++ {
		p := ph[i*phdrSize : (i+1)*phdrSize]
		typ := le.Uint32(p)
		off, vaddr, paddr := le.Uint64(p[8:]), le.Uint64(p[16:]), le.Uint64(p[24:])
		filesz, memsz := le.Uint64(p[32:]), le.Uint64(p[40:])
		switch typ {
		case ptLoad:
			if !within(off, filesz, size) {
				return nil, fmt.Errorf("elf: PT_LOAD %d (offset %#x, size %#x) overruns the file", i, off, filesz)
			}
			if memsz < filesz {
				memsz = filesz
			}
			if paddr+memsz < paddr {
				return nil, fmt.Errorf("elf: PT_LOAD %d wraps the address space", i)
			}
			f.Segments = append(f.Segments, Segment{Phys: paddr, Virt: vaddr, Off: off, FileSz: filesz, MemSz: memsz})
		case ptNote:
			if !within(off, filesz, size) {
				return nil, fmt.Errorf("elf: PT_NOTE %d overruns the file", i)
			}
			noteBytes += filesz
			if noteBytes > maxNotes {
				return nil, errors.New("elf: notes exceed 64 MiB")
			}
			buf := make([]byte, filesz)
			if _, err := r.ReadAt(buf, int64(off)); err != nil {
				return nil, fmt.Errorf("elf: reading notes: %w", err)
			}
			notes, err := ParseNotes(buf)
			if err != nil {
				return nil, err
			}
			f.Notes = append(f.Notes, notes...)
		}
	}
	if len(f.Segments) == 0 {
		return nil, errors.New("elf: no PT_LOAD segments")
	}
	f.buildRanges()
	return f, nil
}

func within(off, n uint64, size int64) bool {
	return off <= uint64(size) && n <= uint64(size)-off
}

// ParseNotes splits a PT_NOTE body into notes.
func ParseNotes(b []byte) ([]Note, error) {
	var out []Note
	for len(b) > 0 {
		if len(b) < 12 {
			// Trailing padding is common; anything shorter than a header ends the list.
			break
		}
		namesz, descsz, typ := uint64(le.Uint32(b)), uint64(le.Uint32(b[4:])), le.Uint32(b[8:])
		b = b[12:]
		np, dp := align4(namesz), align4(descsz)
		if np > uint64(len(b)) || dp > uint64(len(b))-np {
			return out, fmt.Errorf("elf: note (name %d, desc %d bytes) overruns its segment", namesz, descsz)
		}
		name := b[:namesz]
		for len(name) > 0 && name[len(name)-1] == 0 {
			name = name[:len(name)-1]
		}
		out = append(out, Note{Name: string(name), Type: typ, Desc: b[np : np+descsz]})
		b = b[np+dp:]
		if namesz == 0 && descsz == 0 && typ == 0 {
			break
		}
	}
	return out, nil
}

func align4(n uint64) uint64 { return (n + 3) &^ 3 }

// buildRanges turns possibly overlapping PT_LOADs into sorted disjoint ranges.
func (f *File) buildRanges() {
	segs := make([]Segment, len(f.Segments))
	copy(segs, f.Segments)
	sort.Slice(segs, func(i, j int) bool {
		if segs[i].Phys != segs[j].Phys {
			return segs[i].Phys < segs[j].Phys
		}
		return segs[i].MemSz > segs[j].MemSz
	})
	var end uint64
	for i, s := range segs {
		start, sEnd := s.Phys, s.Phys+s.MemSz
		if s.MemSz == 0 || (i > 0 && sEnd <= end) {
			continue
		}
		off, fileEnd := s.Off, s.Phys+s.FileSz
		if i > 0 && start < end {
			off += end - start
			start = end
		}
		f.ranges = append(f.ranges, rng{start: start, end: sEnd, off: off, fileEnd: fileEnd})
		end = sEnd
	}
}

// VMCoreInfo returns the VMCOREINFO note text, or nil.
func (f *File) VMCoreInfo() []byte {
	for _, n := range f.Notes {
		if n.Name == "VMCOREINFO" {
			return n.Desc
		}
	}
	return nil
}

// CPUs returns the number of NT_PRSTATUS notes (one per CPU).
func (f *File) CPUs() int {
	n := 0
	for _, x := range f.Notes {
		if x.Name == "CORE" && x.Type == ntPrStatus {
			n++
		}
	}
	return n
}

// MaxPhys returns the end of the highest physical range.
func (f *File) MaxPhys() uint64 {
	if len(f.ranges) == 0 {
		return 0
	}
	return f.ranges[len(f.ranges)-1].end
}

// ErrNotInDump is returned for physical addresses no PT_LOAD covers.
var ErrNotInDump = errors.New("physical address not in the dump")

// ReadPhys fills buf from physical address pa. Parts beyond p_filesz read as
// zeros; an address no segment covers is an error.
func (f *File) ReadPhys(buf []byte, pa uint64) error {
	for len(buf) > 0 {
		i := sort.Search(len(f.ranges), func(i int) bool { return f.ranges[i].end > pa })
		if i == len(f.ranges) || f.ranges[i].start > pa {
			return fmt.Errorf("%w: %#x", ErrNotInDump, pa)
		}
		r := f.ranges[i]
		n := r.end - pa
		if n > uint64(len(buf)) {
			n = uint64(len(buf))
		}
		chunk := buf[:n]
		if pa >= r.fileEnd {
			clear(chunk)
		} else {
			m := n
			if pa+m > r.fileEnd {
				m = r.fileEnd - pa
				clear(chunk[m:])
			}
			if _, err := f.r.ReadAt(chunk[:m], int64(r.off+(pa-r.start))); err != nil {
				return fmt.Errorf("elf: reading physical %#x: %w", pa, err)
			}
		}
		buf = buf[n:]
		pa += n
	}
	return nil
}

// ReadPage fills buf with the page at pfn*len(buf). Parts of the page that
// no segment covers read as zeros (segments need not be page-aligned); a
// page no segment touches is an error.
func (f *File) ReadPage(pfn uint64, buf []byte) error {
	n := uint64(len(buf))
	pa := pfn * n
	if n == 0 || pa/n != pfn {
		return fmt.Errorf("%w: pfn %#x", ErrNotInDump, pfn)
	}
	end := pa + n
	i := sort.Search(len(f.ranges), func(i int) bool { return f.ranges[i].end > pa })
	if i == len(f.ranges) || f.ranges[i].start >= end {
		return fmt.Errorf("%w: %#x", ErrNotInDump, pa)
	}
	clear(buf)
	for ; i < len(f.ranges) && f.ranges[i].start < end; i++ {
		r := f.ranges[i]
		s, e := max(r.start, pa), min(r.end, end)
		if err := f.ReadPhys(buf[s-pa:e-pa], s); err != nil {
			return err
		}
	}
	return nil
}
