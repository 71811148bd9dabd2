// Package btfx looks up kernel structure layouts by name in BTF: the byte
// offset and size of a member path such as "ipv4.fib_table_hash" inside
// struct net, descending through anonymous structs and unions the way C
// does. Nothing is hard-coded: a type or member BTF lacks is an error that
// names it.
package btfx

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/netmortem/netmortem/capture/btf"
)

// Types is a parsed BTF blob.
type Types struct {
	spec  *btf.Spec
	comps map[string]btf.TypeID // 0: looked up, not there
}

// Load parses a raw BTF blob (the kernel's .BTF section).
func Load(blob []byte) (*Types, error) {
	if len(blob) < 24 || binary.LittleEndian.Uint16(blob) != 0xeb9f {
		return nil, errors.New("btf: no BTF magic 0xeb9f")
	}
	spec, err := btf.Parse(blob)
	if err != nil {
		return nil, err
	}
	return &Types{spec: spec, comps: map[string]btf.TypeID{}}, nil
}

// Composite returns the struct or union called name. When BTF has several
// (vmlinux BTF can), the first complete one wins.
func (t *Types) Composite(name string) (btf.TypeID, error) {
	id, seen := t.comps[name]
	if !seen {
		id, _ = t.spec.CompositeByName(name)
		t.comps[name] = id
	}
	if id == 0 {
		return 0, fmt.Errorf("btf: no struct %s", name)
	}
	return id, nil
}

// Size returns the size in bytes of struct name.
func (t *Types) Size(name string) (uint32, error) {
	c, err := t.Composite(name)
	if err != nil {
		return 0, err
	}
	return t.sizeOf(c), nil
}

func (t *Types) sizeOf(id btf.TypeID) uint32 {
	n, ok := t.spec.Size(id)
	if !ok || n > 1<<32-1 {
		return 0
	}
	return uint32(n)
}

// Field is where a member lives inside its outermost struct.
type Field struct {
	Off     uint32 // byte offset of the member (of its storage unit for bitfields)
	Size    uint32 // bytes of the member's type
	BitOff  uint32 // for bitfields, bit offset from Off
	BitSize uint32 // bitfield width, 0 for ordinary members

	pointer  bool   // the member's type (without typedefs and qualifiers) is a pointer
	arrayLen uint32 // or an array of arrayLen elements of elemSize bytes
	elemSize uint32
}

// IsPointer reports whether the member is a pointer.
func (f Field) IsPointer() bool { return f.pointer }

// ArrayLen returns the element count of an array member, 0 otherwise.
func (f Field) ArrayLen() uint32 { return f.arrayLen }

// ElemSize returns the element size of an array member.
func (f Field) ElemSize() uint32 { return f.elemSize }

// Field resolves a dotted member path inside struct typ.
func (t *Types) Field(typ, path string) (Field, error) {
	cur, err := t.Composite(typ)
	if err != nil {
		return Field{}, err
	}
	var bits uint32
	parts := strings.Split(path, ".")
	for i, p := range parts {
		m, off, ok := t.spec.Lookup(cur, p)
		if !ok {
			return Field{}, fmt.Errorf("btf: %s has no member %s", describe(typ, parts[:i]), p)
		}
		bits += off
		under := t.spec.Underlying(m.Type)
		if i == len(parts)-1 {
			f := Field{Size: t.sizeOf(under), pointer: t.spec.Kind(under) == btf.KindPtr}
			if elem, n, ok := t.spec.Array(under); ok {
				f.arrayLen, f.elemSize = n, t.sizeOf(elem)
			}
			if m.BitfieldSize > 0 {
				f.BitSize = m.BitfieldSize
				f.Off = bits / 8
				f.BitOff = bits % 8
				f.Size = (f.BitOff + f.BitSize + 7) / 8
			} else {
				if bits%8 != 0 {
					return Field{}, fmt.Errorf("btf: %s.%s is not byte-aligned", typ, path)
				}
				f.Off = bits / 8
			}
			return f, nil
		}
		if _, ok := t.spec.Composite(under); !ok {
			return Field{}, fmt.Errorf("btf: %s.%s is not a struct or union", typ, strings.Join(parts[:i+1], "."))
		}
		cur = under
	}
	return Field{}, fmt.Errorf("btf: empty member path in %s", typ)
}

func describe(typ string, parts []string) string {
	if len(parts) == 0 {
		return "struct " + typ
	}
	return "struct " + typ + " member " + strings.Join(parts, ".")
}

// Enumerators returns every enumerator of every enum in BTF by name; the
// first definition of a name wins.
func (t *Types) Enumerators() map[string]uint64 {
	out := map[string]uint64{}
	for i := 1; i < t.spec.Types(); i++ {
		for _, v := range t.spec.EnumValues(btf.TypeID(i)) {
			if _, dup := out[v.Name]; !dup {
				out[v.Name] = v.Value
			}
		}
	}
	return out
}

// Layout collects field lookups for one walker and remembers the first
// failures, so a walker states all it needs up front and fails with an
// error naming every missing type or member.
type Layout struct {
	T    *Types
	errs []string
}

// NewLayout starts a layout over t.
func NewLayout(t *Types) *Layout { return &Layout{T: t} }

// F resolves typ.path, recording a failure.
func (l *Layout) F(typ, path string) Field {
	f, err := l.T.Field(typ, path)
	if err != nil {
		l.fail(err)
		// An impossible offset keeps reads of a failed field harmless.
		return Field{Off: 1 << 30}
	}
	return f
}

// Opt resolves typ.path without recording a failure.
func (l *Layout) Opt(typ, path string) (Field, bool) {
	f, err := l.T.Field(typ, path)
	return f, err == nil
}

// Size returns the size of struct typ, recording a failure.
func (l *Layout) Size(typ string) uint32 {
	n, err := l.T.Size(typ)
	if err != nil {
		l.fail(err)
	}
	return n
}

func (l *Layout) fail(err error) {
	s := err.Error()
	for _, e := range l.errs {
		if e == s {
			return
		}
	}
	l.errs = append(l.errs, s)
}

// Err returns the recorded failures, or nil.
func (l *Layout) Err() error {
	if len(l.errs) == 0 {
		return nil
	}
	return errors.New(strings.Join(l.errs, "; "))
}

// Obj is the bytes of one kernel object; reads outside it return zero.
type Obj []byte

// U reads an unsigned little-endian member of 1, 2, 4 or 8 bytes, or a bitfield.
func (o Obj) U(f Field) uint64 {
	if f.BitSize > 0 {
		var v uint64
		for i := uint32(0); i < f.Size && i < 8; i++ {
			v |= uint64(o.byteAt(f.Off+i)) << (8 * i)
		}
		return (v >> f.BitOff) & (1<<f.BitSize - 1)
	}
	switch f.Size {
	case 1, 2, 4, 8:
	default:
		return 0
	}
	if uint64(f.Off)+uint64(f.Size) > uint64(len(o)) {
		return 0
	}
	b := o[f.Off : f.Off+f.Size]
	switch f.Size {
	case 1:
		return uint64(b[0])
	case 2:
		return uint64(binary.LittleEndian.Uint16(b))
	case 4:
		return uint64(binary.LittleEndian.Uint32(b))
	}
	return binary.LittleEndian.Uint64(b)
}

// S reads a signed member.
func (o Obj) S(f Field) int64 {
	v := o.U(f)
	if f.BitSize > 0 {
		sh := 64 - f.BitSize
		return int64(v<<sh) >> sh
	}
	switch f.Size {
	case 1:
		return int64(int8(v))
	case 2:
		return int64(int16(v))
	case 4:
		return int64(int32(v))
	}
	return int64(v)
}

// At reads a 64-bit value at a raw offset (pointers inside arrays).
func (o Obj) At(off uint32) uint64 {
	return o.U(Field{Off: off, Size: 8})
}

// B returns the bytes of a member (nil when out of range).
func (o Obj) B(f Field) []byte {
	if uint64(f.Off)+uint64(f.Size) > uint64(len(o)) {
		return nil
	}
	return o[f.Off : f.Off+f.Size]
}

// Str returns a char-array member up to its first NUL.
func (o Obj) Str(f Field) string {
	b := o.B(f)
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

func (o Obj) byteAt(i uint32) byte {
	if uint64(i) >= uint64(len(o)) {
		return 0
	}
	return o[i]
}
