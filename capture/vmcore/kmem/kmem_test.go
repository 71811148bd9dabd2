package kmem

import (
	"encoding/binary"
	"errors"
	"fmt"
	"testing"
)

// fakePhys is physical memory made of sparse pages.
type fakePhys map[uint64][]byte

func (p fakePhys) ReadPage(pfn uint64, buf []byte) error {
	b, ok := p[pfn]
	if !ok {
		return fmt.Errorf("pfn %#x not in the dump", pfn)
	}
	copy(buf, b)
	return nil
}

func (p fakePhys) page(pa uint64) []byte {
	if p[pa/PageSize] == nil {
		p[pa/PageSize] = make([]byte, PageSize)
	}
	return p[pa/PageSize]
}

func (p fakePhys) put64(pa, v uint64) { binary.LittleEndian.PutUint64(p.page(pa)[pa%PageSize:], v) }

// mapPage installs va → pa in page tables rooted at root, allocating
// tables from next; size is 4K, 2M or 1G.
func (p fakePhys) mapPage(root uint64, levels int, va, pa, size uint64, next *uint64) {
	table := root
	for level := levels; level >= 1; level-- {
		shift := uint(12 + 9*(level-1))
		slot := table + (va>>shift&511)*8
		if uint64(1)<<shift == size {
			flags := uint64(ptePresent)
			if level > 1 {
				flags |= pteLarge
			}
			p.put64(slot, pa|flags)
			return
		}
		e := binary.LittleEndian.Uint64(p.page(slot)[slot%PageSize:])
		if e&ptePresent == 0 {
			*next += PageSize
			p.page(*next)
			e = *next | ptePresent
			p.put64(slot, e)
		}
		table = e & physMask
	}
}

func TestTranslate(t *testing.T) {
	for _, levels := range []int{4, 5} {
		t.Run(fmt.Sprint(levels, "-level"), func(t *testing.T) {
			ph := fakePhys{}
			const physBase = 0x1000000
			const pgdPhys = 0x1001000 // swapper_pg_dir, inside the kernel image
			next := uint64(0x2000000)
			ph.page(pgdPhys)
			vmalloc := uint64(0xffffc90000001000)
			if levels == 5 {
				vmalloc = 0xffa0000000001000
			}
			ph.mapPage(pgdPhys, levels, vmalloc, 0x30000, PageSize, &next)
			ph.mapPage(pgdPhys, levels, vmalloc+0x200000-0x1000, 0x400000, 1<<21, &next)
			ph.mapPage(pgdPhys, levels, vmalloc+(1<<30)-0x1000, 0x40000000, 1<<30, &next)
			ph.put64(0x30008, 0x1111)
			ph.put64(0x400000+0x12340, 0x2222)
			ph.put64(0x40000000+0x5678, 0x3333)
			ph.put64(physBase+0x2000, 0x4444) // a kernel-image variable
			ph.put64(0x50010, 0x5555)         // reached through the direct map
			m, err := New(ph, Config{PhysBase: physBase, PgdVirt: 0xffffffff80000000 + pgdPhys - physBase,
				FiveLevel: levels == 5, MaxPhys: 1 << 32})
			if err != nil {
				t.Fatal(err)
			}
			m.SetPageOffset(0xffff888000000000)
			for va, want := range map[uint64]uint64{
				vmalloc + 8:                           0x1111,
				vmalloc + 0x200000 - 0x1000 + 0x12340: 0x2222,
				vmalloc + (1 << 30) - 0x1000 + 0x5678: 0x3333,
				0xffffffff80002000:                    0x4444,
				0xffff888000050010:                    0x5555,
			} {
				got, err := m.U64(va)
				if err != nil || got != want {
					t.Errorf("%#x: %#x, %v; want %#x", va, got, err, want)
				}
			}
			if _, err := m.U64(vmalloc + 0x1000); !errors.Is(err, ErrFault) {
				t.Errorf("an unmapped page: %v", err)
			}
			if _, err := m.U64(0x0000800000000000); !errors.Is(err, ErrFault) {
				t.Errorf("a non-canonical address: %v", err)
			}
			// A read spanning the mapped page and the unmapped one fails whole.
			if _, err := m.Bytes(vmalloc+PageSize-4, 8); err == nil {
				t.Error("a read running into an unmapped page succeeded")
			}
			if s, err := m.CString(0xffff888000050010, 1); err != nil || s != "U" {
				t.Errorf("CString: %q %v", s, err)
			}
		})
	}
}

func TestCacheEviction(t *testing.T) {
	ph := fakePhys{}
	for pfn := uint64(0); pfn < 64; pfn++ {
		ph.put64(pfn*PageSize, pfn)
	}
	m, _ := New(ph, Config{PgdVirt: 0xffffffff80000000, MaxPhys: 64 * PageSize, CachePages: 8})
	for round := 0; round < 3; round++ {
		for pfn := uint64(0); pfn < 64; pfn++ {
			var b [8]byte
			if err := m.ReadPhys(b[:], pfn*PageSize); err != nil || binary.LittleEndian.Uint64(b[:]) != pfn {
				t.Fatalf("pfn %d: %v %x", pfn, err, b)
			}
		}
	}
	if len(m.cache) > 8 {
		t.Errorf("cache holds %d pages, limit 8", len(m.cache))
	}
	if err := m.ReadPhys(make([]byte, 8), 64*PageSize); err == nil {
		t.Error("a read beyond MaxPhys succeeded")
	}
}

func TestVMCoreInfo(t *testing.T) {
	v := ParseVMCoreInfo([]byte("OSRELEASE=6.1.0-56-amd64\nSYMBOL(swapper_pg_dir)=ffffffffb180a000\nNUMBER(phys_base)=-1493172224\nNUMBER(pgtable_l5_enabled)=0\nKERNELOFFSET=2f000000\nCRASHTIME=1700000000\nbroken line\n\x00"))
	if v.Values["OSRELEASE"] != "6.1.0-56-amd64" || v.Numbers["phys_base"] != -1493172224 || v.Numbers["pgtable_l5_enabled"] != 0 {
		t.Errorf("%+v", v)
	}
	if a, err := v.Symbol("swapper_pg_dir"); err != nil || a != 0xffffffffb180a000 {
		t.Errorf("swapper_pg_dir %#x %v", a, err)
	}
	if _, err := v.Symbol("init_net"); err == nil {
		t.Error("a missing symbol was found")
	}
	if o, ok := v.KernelOffset(); !ok || o != 0x2f000000 {
		t.Errorf("KERNELOFFSET %#x", o)
	}
	if c, ok := v.CrashTime(); !ok || c != 1700000000 {
		t.Errorf("CRASHTIME %d", c)
	}
}

func FuzzParseVMCoreInfo(f *testing.F) {
	f.Add([]byte("OSRELEASE=6.1.0\nSYMBOL(swapper_pg_dir)=ffffffff82000000\nNUMBER(phys_base)=-16777216\nKERNELOFFSET=1000000\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		v := ParseVMCoreInfo(b)
		v.KernelOffset()
		v.CrashTime()
		v.Symbol("swapper_pg_dir")
	})
}
