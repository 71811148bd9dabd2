// Package kdump reads kdump-compressed dump files ("KDUMP   " signature, as
// written by makedumpfile and QEMU): the disk_dump_header, the
// kdump_sub_header with VMCOREINFO and notes, the two page bitmaps and the
// per-page descriptors. Pages compressed with zlib are decompressed; other
// methods are reported as unsupported. All of the file is untrusted.
package kdump

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"time"
)

// Page compression flags of page_desc.flags.
const (
	FlagZlib   = 0x1
	FlagLZO    = 0x2
	FlagSnappy = 0x4
	FlagZstd   = 0x20
)

const (
	descSize      = 24
	maxBlockSize  = 1 << 20
	maxBitmap     = 1 << 30 // bytes of both bitmaps together
	maxNoteBytes  = 64 << 20
	signature     = "KDUMP   "
	flatSignature = "makedumpfile"
)

var le = binary.LittleEndian

// File is an open kdump-compressed dump.
type File struct {
	r          io.ReaderAt
	size       int64
	Version    int32
	BlockSize  uint32
	MaxMapNr   uint64
	NrCPUs     int32
	Timestamp  time.Time // the header's timestamp (zero when unset)
	Utsname    [6]string // sysname, nodename, release, version, machine, domainname
	PhysBase   uint64    // sub-header phys_base (QEMU writes it wrongly; prefer VMCOREINFO)
	DumpLevel  int32
	vmcoreinfo []byte
	notes      []byte
	bitmap2    []byte   // pages present in the dump
	rank       []uint64 // set bits in bitmap2 before each 4096-bit block
	descOff    uint64
	nDesc      uint64
}

// IsKdump reports whether b starts with the kdump signature.
func IsKdump(b []byte) bool { return len(b) >= 8 && string(b[:8]) == signature }

// IsFlattened reports whether b starts a makedumpfile flattened stream.
func IsFlattened(b []byte) bool { return len(b) >= 12 && string(b[:12]) == flatSignature }

func within(off, n uint64, size int64) bool {
	return off <= uint64(size) && n <= uint64(size)-off
}

func cstr(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// Open parses the headers and bitmaps of a kdump file of the given size.
func Open(r io.ReaderAt, size int64) (*File, error) {
	var h [464]byte
	if size < int64(len(h)) {
		return nil, errors.New("kdump: file too short for a header")
	}
	if _, err := r.ReadAt(h[:], 0); err != nil {
		return nil, fmt.Errorf("kdump: reading header: %w", err)
	}
	if IsFlattened(h[:]) {
		return nil, errors.New("kdump: this is a makedumpfile flattened stream; reassemble it first with `makedumpfile -R OUT < FILE`")
	}
	if !IsKdump(h[:]) {
		return nil, errors.New("kdump: bad signature")
	}
	f := &File{r: r, size: size}
	f.Version = int32(le.Uint32(h[8:]))
	for i := range f.Utsname {
		f.Utsname[i] = cstr(h[12+65*i : 12+65*(i+1)])
	}
	if sec, usec := int64(le.Uint64(h[408:])), int64(le.Uint64(h[416:])); sec > 0 && usec >= 0 && usec < 1e6 {
		f.Timestamp = time.Unix(sec, usec*1000).UTC()
	}
	bs := le.Uint32(h[428:])
	subBlocks := le.Uint32(h[432:])
	bitmapBlocks := le.Uint32(h[436:])
	f.MaxMapNr = uint64(le.Uint32(h[440:]))
	f.NrCPUs = int32(le.Uint32(h[460:]))
	if bs < 512 || bs > maxBlockSize || bs&(bs-1) != 0 {
		return nil, fmt.Errorf("kdump: block size %d is not a power of two in [512, 1 MiB]", bs)
	}
	f.BlockSize = bs
	bsz := uint64(bs)
	if f.Version >= 1 && subBlocks > 0 {
		if !within(bsz, 104, size) || bsz < 104 {
			return nil, errors.New("kdump: sub-header overruns the file")
		}
		sub := make([]byte, 104)
		if _, err := r.ReadAt(sub, int64(bsz)); err != nil {
			return nil, fmt.Errorf("kdump: reading sub-header: %w", err)
		}
		f.PhysBase = le.Uint64(sub)
		f.DumpLevel = int32(le.Uint32(sub[8:]))
		if f.Version >= 3 {
			off, n := le.Uint64(sub[32:]), le.Uint64(sub[40:])
			if n > 0 {
				b, err := f.readBlob(off, n, "VMCOREINFO")
				if err != nil {
					return nil, err
				}
				f.vmcoreinfo = b
			}
		}
		if f.Version >= 4 {
			off, n := le.Uint64(sub[48:]), le.Uint64(sub[56:])
			if n > 0 {
				b, err := f.readBlob(off, n, "notes")
				if err != nil {
					return nil, err
				}
				f.notes = b
			}
		}
		if f.Version >= 6 {
			if m := le.Uint64(sub[96:]); m > 0 {
				f.MaxMapNr = m
			}
		}
	}
	bmBytes := uint64(bitmapBlocks) * bsz
	bmOff := (1 + uint64(subBlocks)) * bsz
	if bmBytes == 0 || bmBytes > maxBitmap || !within(bmOff, bmBytes, size) {
		return nil, fmt.Errorf("kdump: bitmaps (%d blocks at block %d) overrun the file", bitmapBlocks, 1+subBlocks)
	}
	half := bmBytes / 2
	if f.MaxMapNr > half*8 {
		return nil, fmt.Errorf("kdump: max_mapnr %d exceeds the bitmap's %d bits", f.MaxMapNr, half*8)
	}
	f.bitmap2 = make([]byte, half)
	if _, err := r.ReadAt(f.bitmap2, int64(bmOff+half)); err != nil {
		return nil, fmt.Errorf("kdump: reading bitmap: %w", err)
	}
	f.rank = make([]uint64, half/512+1)
	var total uint64
	for i := uint64(0); i < half; i += 8 {
		if i%512 == 0 {
			f.rank[i/512] = total
		}
		end := min(i+8, half)
		var w [8]byte
		copy(w[:], f.bitmap2[i:end])
		total += uint64(bits.OnesCount64(le.Uint64(w[:])))
	}
	f.nDesc = total
	f.descOff = bmOff + bmBytes
	if !within(f.descOff, total*descSize, size) {
		return nil, fmt.Errorf("kdump: %d page descriptors overrun the file", total)
	}
	return f, nil
}

func (f *File) readBlob(off, n uint64, what string) ([]byte, error) {
	if n > maxNoteBytes || !within(off, n, f.size) {
		return nil, fmt.Errorf("kdump: %s (%d bytes at %#x) overruns the file", what, n, off)
	}
	b := make([]byte, n)
	if _, err := f.r.ReadAt(b, int64(off)); err != nil {
		return nil, fmt.Errorf("kdump: reading %s: %w", what, err)
	}
	return b, nil
}

// VMCoreInfo returns the VMCOREINFO text from the sub-header, or nil.
func (f *File) VMCoreInfo() []byte { return f.vmcoreinfo }

// Notes returns the raw ELF notes from the sub-header, or nil.
func (f *File) Notes() []byte { return f.notes }

// Pages returns the number of pages stored in the dump.
func (f *File) Pages() uint64 { return f.nDesc }

// MaxPhys returns the end of the physical address space the dump describes.
func (f *File) MaxPhys() uint64 { return f.MaxMapNr * uint64(f.BlockSize) }

// present reports whether pfn is stored and its index among stored pages.
func (f *File) present(pfn uint64) (uint64, bool) {
	if pfn >= f.MaxMapNr || pfn/8 >= uint64(len(f.bitmap2)) {
		return 0, false
	}
	byteI := pfn / 8
	if f.bitmap2[byteI]&(1<<(pfn%8)) == 0 {
		return 0, false
	}
	block := byteI / 512
	idx := f.rank[block]
	for i := block * 512; i < byteI; i++ {
		idx += uint64(bits.OnesCount8(f.bitmap2[i]))
	}
	idx += uint64(bits.OnesCount8(f.bitmap2[byteI] & (1<<(pfn%8) - 1)))
	return idx, true
}

// ErrNotInDump is returned for a page beyond the dump's memory.
var ErrNotInDump = errors.New("page not in the dump")

// ReadPage fills buf (BlockSize bytes) with page pfn. A page inside the
// dump's memory that was filtered out (zero, free, cache, user pages) reads
// as zeros, as makedumpfile's readers treat it.
func (f *File) ReadPage(pfn uint64, buf []byte) error {
	if uint64(len(buf)) != uint64(f.BlockSize) {
		return fmt.Errorf("kdump: buffer of %d bytes for a %d-byte page", len(buf), f.BlockSize)
	}
	if pfn >= f.MaxMapNr {
		return fmt.Errorf("%w: pfn %#x beyond max_mapnr %#x", ErrNotInDump, pfn, f.MaxMapNr)
	}
	idx, ok := f.present(pfn)
	if !ok {
		clear(buf)
		return nil
	}
	if idx >= f.nDesc {
		return fmt.Errorf("kdump: descriptor %d of pfn %#x out of range", idx, pfn)
	}
	var d [descSize]byte
	if _, err := f.r.ReadAt(d[:], int64(f.descOff+idx*descSize)); err != nil {
		return fmt.Errorf("kdump: reading descriptor of pfn %#x: %w", pfn, err)
	}
	off, size, flags := le.Uint64(d[:]), uint64(le.Uint32(d[8:])), le.Uint32(d[12:])
	if size == 0 || size > uint64(f.BlockSize)*2 || !within(off, size, f.size) {
		return fmt.Errorf("kdump: page %#x data (%d bytes at %#x) overruns the file", pfn, size, off)
	}
	data := make([]byte, size)
	if _, err := f.r.ReadAt(data, int64(off)); err != nil {
		return fmt.Errorf("kdump: reading page %#x: %w", pfn, err)
	}
	switch {
	case flags&FlagZlib != 0:
		return inflate(data, buf, pfn)
	case flags&FlagLZO != 0:
		return fmt.Errorf("kdump: page %#x is LZO-compressed; only zlib pages are supported (re-save with makedumpfile -c)", pfn)
	case flags&FlagSnappy != 0:
		return fmt.Errorf("kdump: page %#x is snappy-compressed; only zlib pages are supported (re-save with makedumpfile -c)", pfn)
	case flags&FlagZstd != 0:
		return fmt.Errorf("kdump: page %#x is zstd-compressed; only zlib pages are supported (re-save with makedumpfile -c)", pfn)
	case size == uint64(f.BlockSize):
		copy(buf, data)
		return nil
	}
	return fmt.Errorf("kdump: page %#x has %d bytes and unknown flags %#x", pfn, size, flags)
}

func inflate(data, buf []byte, pfn uint64) error {
	zr, err := zlib.NewReader(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("kdump: page %#x: %w", pfn, err)
	}
	n, err := io.ReadFull(zr, buf)
	if err != nil {
		return fmt.Errorf("kdump: page %#x: inflated %d of %d bytes: %w", pfn, n, len(buf), err)
	}
	var one [1]byte
	if m, _ := zr.Read(one[:]); m > 0 {
		return fmt.Errorf("kdump: page %#x inflates to more than a page", pfn)
	}
	return nil
}

// Compression names the method of the first stored page: "zlib", "lzo",
// "snappy", "zstd" or "none".
func (f *File) Compression() string {
	if f.nDesc == 0 {
		return "none"
	}
	var d [descSize]byte
	if _, err := f.r.ReadAt(d[:], int64(f.descOff)); err != nil {
		return "unknown"
	}
	switch fl := le.Uint32(d[12:]); {
	case fl&FlagZlib != 0:
		return "zlib"
	case fl&FlagLZO != 0:
		return "lzo"
	case fl&FlagSnappy != 0:
		return "snappy"
	case fl&FlagZstd != 0:
		return "zstd"
	}
	return "none"
}
