// Package kmem reads an x86-64 kernel's virtual memory out of a dump's
// physical memory: kernel-image addresses through phys_base, the direct map
// through page_offset_base, and everything else (vmalloc, per-cpu, modules)
// by walking the page tables from swapper_pg_dir, with 4 or 5 levels.
// Physical pages are cached so that repeated small reads stay cheap.
package kmem

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// PageSize is the x86-64 base page size.
const PageSize = 4096

// Kernel address-space constants of x86-64 that do not move with KASLR.
const (
	startKernelMap = 0xffffffff80000000 // __START_KERNEL_map
	kernelImageEnd = 0xffffffffc0000000 // + KERNEL_IMAGE_SIZE (1 GiB with KASLR)
	physMask       = 0x000ffffffffff000
	pteLarge       = 1 << 7
	ptePresent     = 1
)

// Phys is a dump's physical memory, one page at a time.
type Phys interface {
	// ReadPage fills buf (PageSize bytes) with physical page pfn.
	ReadPage(pfn uint64, buf []byte) error
}

// Mem is a kernel's virtual address space.
type Mem struct {
	phys       Phys
	physBase   uint64
	pgd        uint64 // physical address of swapper_pg_dir
	levels     int
	pageOffset uint64 // direct-map base; 0 until set
	maxPhys    uint64

	cache    map[uint64][]byte
	order    []uint64
	next     int
	xlat     map[uint64]uint64 // virtual page -> physical page from page walks
	maxCache int
}

var le = binary.LittleEndian

// Config says how to translate.
type Config struct {
	PhysBase   uint64 // NUMBER(phys_base), as unsigned two's complement
	PgdVirt    uint64 // SYMBOL(swapper_pg_dir) or init_top_pgt
	FiveLevel  bool   // NUMBER(pgtable_l5_enabled)
	MaxPhys    uint64 // end of physical memory the dump describes
	CachePages int    // physical pages kept; 0 picks 4096 (16 MiB)
}

// New makes a Mem over phys.
func New(phys Phys, c Config) (*Mem, error) {
	if c.PgdVirt < startKernelMap || c.PgdVirt >= kernelImageEnd {
		return nil, fmt.Errorf("swapper_pg_dir %#x is not in the kernel image mapping", c.PgdVirt)
	}
	m := &Mem{phys: phys, physBase: c.PhysBase, levels: 4, maxPhys: c.MaxPhys,
		cache: map[uint64][]byte{}, xlat: map[uint64]uint64{}, maxCache: c.CachePages}
	if c.FiveLevel {
		m.levels = 5
	}
	if m.maxCache <= 0 {
		m.maxCache = 4096
	}
	m.order = make([]uint64, m.maxCache)
	m.pgd = c.PgdVirt - startKernelMap + c.PhysBase
	return m, nil
}

// SetPageOffset sets the direct-map base (page_offset_base).
func (m *Mem) SetPageOffset(base uint64) { m.pageOffset = base }

// PageOffset returns the direct-map base.
func (m *Mem) PageOffset() uint64 { return m.pageOffset }

// Levels returns the number of page-table levels.
func (m *Mem) Levels() int { return m.levels }

// ErrFault is wrapped by errors for addresses that do not translate.
var ErrFault = errors.New("address does not translate")

// page returns the cached physical page pfn.
func (m *Mem) page(pfn uint64) ([]byte, error) {
	if p, ok := m.cache[pfn]; ok {
		return p, nil
	}
	if m.maxPhys > 0 && pfn*PageSize >= m.maxPhys {
		return nil, fmt.Errorf("physical page %#x beyond the dump's memory", pfn*PageSize)
	}
	var p []byte
	if len(m.cache) >= m.maxCache {
		old := m.order[m.next]
		p = m.cache[old]
		delete(m.cache, old)
	} else {
		p = make([]byte, PageSize)
	}
	if err := m.phys.ReadPage(pfn, p); err != nil {
		return nil, err
	}
	m.cache[pfn] = p
	m.order[m.next] = pfn
	m.next = (m.next + 1) % m.maxCache
	return p, nil
}

// ReadPhys reads physical memory.
func (m *Mem) ReadPhys(buf []byte, pa uint64) error {
	for len(buf) > 0 {
		p, err := m.page(pa / PageSize)
		if err != nil {
			return err
		}
		n := copy(buf, p[pa%PageSize:])
		buf = buf[n:]
		pa += uint64(n)
	}
	return nil
}

func (m *Mem) physU64(pa uint64) (uint64, error) {
	var b [8]byte
	if err := m.ReadPhys(b[:], pa); err != nil {
		return 0, err
	}
	return le.Uint64(b[:]), nil
}

// Translate returns the physical address of va.
func (m *Mem) Translate(va uint64) (uint64, error) {
	switch {
	case va >= startKernelMap && va < kernelImageEnd:
		return va - startKernelMap + m.physBase, nil
	case m.pageOffset != 0 && va >= m.pageOffset && va-m.pageOffset < m.maxPhys:
		return va - m.pageOffset, nil
	}
	vp := va &^ (PageSize - 1)
	if pp, ok := m.xlat[vp]; ok {
		return pp | va&(PageSize-1), nil
	}
	pa, err := m.walk(va)
	if err != nil {
		return 0, err
	}
	if len(m.xlat) > 1<<16 {
		clear(m.xlat)
	}
	m.xlat[vp] = pa &^ (PageSize - 1)
	return pa, nil
}

// walk translates through the page tables.
func (m *Mem) walk(va uint64) (uint64, error) {
	// Canonical check: bits 63..47 (or 56) must be copies of bit 47 (56).
	top := uint(47)
	if m.levels == 5 {
		top = 56
	}
	if s := int64(va) >> top; s != 0 && s != -1 {
		return 0, fmt.Errorf("%w: %#x is not canonical", ErrFault, va)
	}
	table := m.pgd
	for level := m.levels; level >= 1; level-- {
		shift := uint(12 + 9*(level-1))
		idx := (va >> shift) & 511
		e, err := m.physU64(table + idx*8)
		if err != nil {
			return 0, fmt.Errorf("%w: %#x: page table at %#x: %v", ErrFault, va, table, err)
		}
		if e&ptePresent == 0 {
			return 0, fmt.Errorf("%w: %#x not mapped (level %d)", ErrFault, va, level)
		}
		if level <= 3 && level >= 2 && e&pteLarge != 0 {
			size := uint64(1) << shift
			return (e&physMask)&^(size-1) | va&(size-1), nil
		}
		table = e & physMask
	}
	return table | va&(PageSize-1), nil
}

// Read fills buf from virtual address va.
func (m *Mem) Read(buf []byte, va uint64) error {
	for len(buf) > 0 {
		pa, err := m.Translate(va)
		if err != nil {
			return err
		}
		n := PageSize - va%PageSize
		if n > uint64(len(buf)) {
			n = uint64(len(buf))
		}
		if err := m.ReadPhys(buf[:n], pa); err != nil {
			return fmt.Errorf("reading %#x: %w", va, err)
		}
		buf = buf[n:]
		va += n
	}
	return nil
}

// Bytes reads n bytes at va into a new slice. n is capped by the caller.
func (m *Mem) Bytes(va uint64, n int) ([]byte, error) {
	if n < 0 || n > 64<<20 {
		return nil, fmt.Errorf("read of %d bytes at %#x refused", n, va)
	}
	b := make([]byte, n)
	return b, m.Read(b, va)
}

// U64 reads a little-endian 64-bit value.
func (m *Mem) U64(va uint64) (uint64, error) {
	var b [8]byte
	err := m.Read(b[:], va)
	return le.Uint64(b[:]), err
}

// U32 reads a little-endian 32-bit value.
func (m *Mem) U32(va uint64) (uint32, error) {
	var b [4]byte
	err := m.Read(b[:], va)
	return le.Uint32(b[:]), err
}

// CString reads a NUL-terminated string of at most max bytes.
func (m *Mem) CString(va uint64, max int) (string, error) {
	var out []byte
	var b [64]byte
	for len(out) < max {
		n := 64 - int(va%64)
		if err := m.Read(b[:n], va); err != nil {
			return string(out), err
		}
		for _, c := range b[:n] {
			if c == 0 {
				return string(out), nil
			}
			out = append(out, c)
			if len(out) == max {
				break
			}
		}
		va += uint64(n)
	}
	return string(out), nil
}
