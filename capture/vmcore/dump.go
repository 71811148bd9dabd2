package vmcore

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/netmortem/netmortem/capture/vmcore/btfx"
	"github.com/netmortem/netmortem/capture/vmcore/elfcore"
	"github.com/netmortem/netmortem/capture/vmcore/kallsyms"
	"github.com/netmortem/netmortem/capture/vmcore/kdump"
	"github.com/netmortem/netmortem/capture/vmcore/kmem"
)

// maxBTF bounds the BTF section a dump may claim.
const maxBTF = 64 << 20

// Dump is an opened vmcore with symbols and types.
type Dump struct {
	Format string // e.g. "ELF", "kdump-zlib"
	Info   *kmem.VMCoreInfo
	Mem    *kmem.Mem
	Syms   *kallsyms.Table
	Types  *btfx.Types
	CPUs   int
	Time   time.Time // crash time (CRASHTIME) or the dump header's stamp; zero if unknown
	Crash  bool      // Time is the crash time from VMCOREINFO
	file   *os.File
	pcpu   []uint64
	phys   kmem.Phys   // the dump's physical memory
	memCfg kmem.Config // how Mem was made, so tests can rebuild it
	enumV  map[string]uint64
}

// Close releases the dump file.
func (d *Dump) Close() error { return d.file.Close() }

// OpenDump opens an ELF or kdump-compressed vmcore and prepares address
// translation, kallsyms and BTF.
func OpenDump(path string) (*Dump, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	d, err := openDump(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return d, nil
}

func openDump(f *os.File) (*Dump, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	head := make([]byte, 64)
	n, _ := f.ReadAt(head, 0)
	head = head[:n]
	d := &Dump{file: f}
	var phys kmem.Phys
	var info []byte
	var maxPhys uint64
	switch {
	case elfcore.IsELF(head):
		ef, err := elfcore.Open(f, st.Size())
		if err != nil {
			return nil, err
		}
		if ef.Machine != 62 {
			return nil, fmt.Errorf("ELF machine %d: only x86-64 dumps are supported", ef.Machine)
		}
		d.Format = "ELF"
		if ef.XNum {
			d.Format = fmt.Sprintf("ELF (PN_XNUM, %d segments)", len(ef.Segments))
		}
		phys, info, maxPhys, d.CPUs = ef, ef.VMCoreInfo(), ef.MaxPhys(), ef.CPUs()
	case kdump.IsKdump(head) || kdump.IsFlattened(head):
		kf, err := kdump.Open(f, st.Size())
		if err != nil {
			return nil, err
		}
		if m := kf.Utsname[4]; m != "" && m != "x86_64" {
			return nil, fmt.Errorf("kdump machine %q: only x86-64 dumps are supported", m)
		}
		d.Format = "kdump-" + kf.Compression()
		phys, info, maxPhys, d.CPUs, d.Time = kf, kf.VMCoreInfo(), kf.MaxPhys(), int(kf.NrCPUs), kf.Timestamp
	default:
		return nil, errors.New("not an ELF vmcore or a kdump-compressed dump")
	}
	if len(info) == 0 {
		return nil, errors.New("the dump has no VMCOREINFO (for QEMU dumps: -device vmcoreinfo and the guest's qemu_fw_cfg module)")
	}
	d.Info = kmem.ParseVMCoreInfo(info)
	if t, ok := d.Info.CrashTime(); ok {
		d.Time, d.Crash = time.Unix(t, 0).UTC(), true
	}
	pb, ok := d.Info.Numbers["phys_base"]
	if !ok {
		return nil, errors.New("VMCOREINFO has no NUMBER(phys_base)")
	}
	pgd, err := d.Info.Symbol("swapper_pg_dir")
	if err != nil {
		if pgd, err = d.Info.Symbol("init_top_pgt"); err != nil {
			return nil, errors.New("VMCOREINFO has neither SYMBOL(swapper_pg_dir) nor SYMBOL(init_top_pgt)")
		}
	}
	d.phys = phys
	d.memCfg = kmem.Config{PhysBase: uint64(pb), PgdVirt: pgd,
		FiveLevel: d.Info.Numbers["pgtable_l5_enabled"] == 1, MaxPhys: maxPhys}
	d.Mem, err = kmem.New(phys, d.memCfg)
	if err != nil {
		return nil, err
	}
	if err := d.loadSymbols(); err != nil {
		return nil, err
	}
	// The direct-map base is randomized and not in VMCOREINFO.
	if a, ok := d.Syms.Lookup("page_offset_base"); ok {
		base, err := d.Mem.U64(a)
		if err != nil {
			return nil, fmt.Errorf("reading page_offset_base: %w", err)
		}
		if base < 0xff00000000000000 || base%(1<<30) != 0 {
			return nil, fmt.Errorf("page_offset_base %#x is implausible", base)
		}
		d.Mem.SetPageOffset(base)
	}
	if err := d.loadBTF(); err != nil {
		return nil, err
	}
	return d, nil
}

func (d *Dump) loadSymbols() error {
	sym := func(name string) uint64 { return d.Info.Symbols[name] }
	t := kallsyms.Tables{
		Names: sym("kallsyms_names"), TokenTable: sym("kallsyms_token_table"),
		TokenIndex: sym("kallsyms_token_index"), NumSyms: sym("kallsyms_num_syms"),
		Offsets: sym("kallsyms_offsets"), RelativeBase: sym("kallsyms_relative_base"),
		Addresses: sym("kallsyms_addresses"),
	}
	if a, ok := d.Info.Symbols["_stext"]; ok {
		t.CheckName, t.CheckAddr = "_stext", a
	}
	tab, err := kallsyms.Decode(d.Mem.Read, t)
	if err != nil {
		return err
	}
	d.Syms = tab
	return nil
}

func (d *Dump) loadBTF() error {
	start, err1 := d.Syms.Addr("__start_BTF")
	stop, err2 := d.Syms.Addr("__stop_BTF")
	if err1 != nil || err2 != nil {
		return errors.New("kallsyms has no __start_BTF/__stop_BTF: the kernel was built without CONFIG_DEBUG_INFO_BTF")
	}
	if stop <= start || stop-start > maxBTF {
		return fmt.Errorf("BTF section [%#x, %#x) is implausible", start, stop)
	}
	blob, err := d.Mem.Bytes(start, int(stop-start))
	if err != nil {
		return fmt.Errorf("reading BTF: %w", err)
	}
	d.Types, err = btfx.Load(blob)
	return err
}

// enums returns every enumerator in BTF by name (read once).
func (d *Dump) enums() map[string]uint64 {
	if d.enumV == nil {
		d.enumV = d.Types.Enumerators()
	}
	return d.enumV
}
