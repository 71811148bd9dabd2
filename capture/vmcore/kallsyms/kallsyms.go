// Package kallsyms decodes the kernel's compressed symbol table out of its
// memory, using the table addresses VMCOREINFO gives on Linux 6.0 and later
// (kallsyms_names, _token_table, _token_index, _num_syms, and either
// _offsets with _relative_base or _addresses).
package kallsyms

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// ReadFunc reads kernel virtual memory.
type ReadFunc func(buf []byte, va uint64) error

// Tables are the addresses of the kallsyms arrays.
type Tables struct {
	Names, TokenTable, TokenIndex, NumSyms uint64
	Offsets, RelativeBase                  uint64 // base-relative kernels
	Addresses                              uint64 // absolute kernels
	// Check is a symbol whose true address is known (SYMBOL(_stext) from
	// VMCOREINFO); it selects among the offset encodings.
	CheckName string
	CheckAddr uint64
}

// Symbol is one decoded entry.
type Symbol struct {
	Name string
	Type byte // the nm-style type letter
	Addr uint64
}

// Table is a decoded symbol table.
type Table struct {
	Syms   []Symbol
	byName map[string]int
	// Encoding names how offsets were turned into addresses.
	Encoding string
}

// maxSyms bounds the symbol count a corrupt dump can claim.
const maxSyms = 4 << 20

var le = binary.LittleEndian

// seqReader reads memory sequentially in chunks.
type seqReader struct {
	read ReadFunc
	va   uint64
	buf  []byte
	pos  int
}

func (r *seqReader) byte() (byte, error) {
	if r.pos >= len(r.buf) {
		if r.buf == nil {
			r.buf = make([]byte, 16384)
		}
		// Read a large chunk; near the end of mapped memory fall back to
		// the rest of the page, then to single bytes.
		n := 16384 - int(r.va%4096)
		err := r.read(r.buf[:n], r.va)
		if err != nil {
			n = 4096 - int(r.va%4096)
			if err = r.read(r.buf[:n], r.va); err != nil {
				n = 1
				if err = r.read(r.buf[:n], r.va); err != nil {
					return 0, err
				}
			}
		}
		r.buf = r.buf[:n]
		r.va += uint64(n)
		r.pos = 0
	}
	b := r.buf[r.pos]
	r.pos++
	return b, nil
}

// Decode reads the whole symbol table.
func Decode(read ReadFunc, t Tables) (*Table, error) {
	if t.Names == 0 || t.TokenTable == 0 || t.TokenIndex == 0 || t.NumSyms == 0 {
		return nil, errors.New("kallsyms: VMCOREINFO lacks the kallsyms tables (kernel older than 6.0?)")
	}
	if t.Offsets == 0 && t.Addresses == 0 {
		return nil, errors.New("kallsyms: neither kallsyms_offsets nor kallsyms_addresses is known")
	}
	var nb [4]byte
	if err := read(nb[:], t.NumSyms); err != nil {
		return nil, fmt.Errorf("kallsyms: reading kallsyms_num_syms: %w", err)
	}
	num := le.Uint32(nb[:])
	if num == 0 || num > maxSyms {
		return nil, fmt.Errorf("kallsyms: implausible symbol count %d", num)
	}
	var idx [512]byte
	if err := read(idx[:], t.TokenIndex); err != nil {
		return nil, fmt.Errorf("kallsyms: reading token index: %w", err)
	}
	var maxOff uint16
	for i := 0; i < 256; i++ {
		maxOff = max(maxOff, le.Uint16(idx[2*i:]))
	}
	// The last token ends within 256 bytes of its start, but the table may
	// end close to unmapped memory: take the longest readable prefix.
	tokBuf := make([]byte, int(maxOff)+256)
	if err := read(tokBuf, t.TokenTable); err != nil {
		lo, hi := int(maxOff)+1, len(tokBuf)-1 // lo readable?, hi known bad+1
		if err := read(tokBuf[:lo], t.TokenTable); err != nil {
			return nil, fmt.Errorf("kallsyms: reading token table: %w", err)
		}
		for lo < hi {
			mid := (lo + hi + 1) / 2
			if read(tokBuf[:mid], t.TokenTable) == nil {
				lo = mid
			} else {
				hi = mid - 1
			}
		}
		tokBuf = tokBuf[:lo]
		if err := read(tokBuf, t.TokenTable); err != nil {
			return nil, fmt.Errorf("kallsyms: reading token table: %w", err)
		}
	}
	var tokens [256][]byte
	for i := range tokens {
		o := int(le.Uint16(idx[2*i:]))
		if o >= len(tokBuf) {
			return nil, fmt.Errorf("kallsyms: token %d offset %d beyond the table", i, o)
		}
		end := o
		for end < len(tokBuf) && tokBuf[end] != 0 {
			end++
		}
		tokens[i] = tokBuf[o:end]
	}
	tab := &Table{Syms: make([]Symbol, 0, num), byName: make(map[string]int, num)}
	r := &seqReader{read: read, va: t.Names}
	var name []byte
	for i := uint32(0); i < num; i++ {
		l, err := r.byte()
		if err != nil {
			return nil, fmt.Errorf("kallsyms: name %d: %w", i, err)
		}
		n := int(l)
		if l&0x80 != 0 { // "big symbol": two-byte length
			h, err := r.byte()
			if err != nil {
				return nil, fmt.Errorf("kallsyms: name %d: %w", i, err)
			}
			n = int(l&0x7f) | int(h)<<7
		}
		name = name[:0]
		for j := 0; j < n; j++ {
			tk, err := r.byte()
			if err != nil {
				return nil, fmt.Errorf("kallsyms: name %d: %w", i, err)
			}
			name = append(name, tokens[tk]...)
		}
		if len(name) == 0 {
			return nil, fmt.Errorf("kallsyms: empty name %d", i)
		}
		tab.Syms = append(tab.Syms, Symbol{Type: name[0], Name: string(name[1:])})
	}
	if err := tab.addresses(read, t); err != nil {
		return nil, err
	}
	for i, s := range tab.Syms {
		if _, dup := tab.byName[s.Name]; !dup {
			tab.byName[s.Name] = i
		}
	}
	return tab, nil
}

func (tab *Table) addresses(read ReadFunc, t Tables) error {
	n := len(tab.Syms)
	if t.Addresses != 0 && t.Offsets == 0 {
		b := make([]byte, 8*n)
		if err := read(b, t.Addresses); err != nil {
			return fmt.Errorf("kallsyms: reading kallsyms_addresses: %w", err)
		}
		for i := range tab.Syms {
			tab.Syms[i].Addr = le.Uint64(b[8*i:])
		}
		tab.Encoding = "absolute"
		return nil
	}
	var bb [8]byte
	if err := read(bb[:], t.RelativeBase); err != nil {
		return fmt.Errorf("kallsyms: reading kallsyms_relative_base: %w", err)
	}
	base := le.Uint64(bb[:])
	b := make([]byte, 4*n)
	if err := read(b, t.Offsets); err != nil {
		return fmt.Errorf("kallsyms: reading kallsyms_offsets: %w", err)
	}
	percpu := func(off int32) uint64 { // KALLSYMS_ABSOLUTE_PERCPU
		if off >= 0 {
			return uint64(off)
		}
		return base - 1 - uint64(int64(off))
	}
	relative := func(off int32) uint64 { return base + uint64(uint32(off)) }
	decode, enc := percpu, "base-relative, absolute per-cpu"
	if t.CheckName != "" {
		for i, s := range tab.Syms {
			if s.Name != t.CheckName {
				continue
			}
			off := int32(le.Uint32(b[4*i:]))
			switch t.CheckAddr {
			case percpu(off):
			case relative(off):
				decode, enc = relative, "base-relative"
			default:
				return fmt.Errorf("kallsyms: %s decodes to %#x or %#x, VMCOREINFO says %#x: unknown offset encoding",
					t.CheckName, percpu(off), relative(off), t.CheckAddr)
			}
			break
		}
	}
	for i := range tab.Syms {
		tab.Syms[i].Addr = decode(int32(le.Uint32(b[4*i:])))
	}
	tab.Encoding = enc
	return nil
}

// Lookup returns the address of the first symbol called name.
func (tab *Table) Lookup(name string) (uint64, bool) {
	i, ok := tab.byName[name]
	if !ok {
		return 0, false
	}
	return tab.Syms[i].Addr, true
}

// Addr returns the address of name or an error naming it.
func (tab *Table) Addr(name string) (uint64, error) {
	a, ok := tab.Lookup(name)
	if !ok {
		return 0, fmt.Errorf("kallsyms: no symbol %s", name)
	}
	return a, nil
}
