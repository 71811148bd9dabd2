// Package btf reads BPF Type Format blobs (the kernel's
// /sys/kernel/btf/vmlinux, or the .BTF section of a vmcore's kernel):
// types by id and by name, struct and union members with their bit
// offsets, array shapes, enumerators, sizes. It reads what netmortem
// needs and nothing more: a general BTF library would add its package
// start-up (and the Go parser it links) to every command.
//
// The format is the kernel's Documentation/bpf/btf.rst: a header, a type
// section (type ids 1, 2, … in order; 0 is void) and a string section.
package btf

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
)

// Kind is a BTF_KIND_* value.
type Kind uint8

const (
	KindVoid     Kind = 0
	KindInt      Kind = 1
	KindPtr      Kind = 2
	KindArray    Kind = 3
	KindStruct   Kind = 4
	KindUnion    Kind = 5
	KindEnum     Kind = 6
	KindFwd      Kind = 7
	KindTypedef  Kind = 8
	KindVolatile Kind = 9
	KindConst    Kind = 10
	KindRestrict Kind = 11
	KindFunc     Kind = 12
	KindFuncProt Kind = 13
	KindVar      Kind = 14
	KindDatasec  Kind = 15
	KindFloat    Kind = 16
	KindDeclTag  Kind = 17
	KindTypeTag  Kind = 18
	KindEnum64   Kind = 19
)

// TypeID numbers a type; 0 is void.
type TypeID uint32

const (
	magic      = 0xeb9f
	headerSize = 24
	typeSize   = 12 // struct btf_type: name_off, info, size or type
	maxDepth   = 32 // typedef and qualifier chains, nested anonymous members
)

// Spec is a parsed BTF blob. Its methods never panic, whatever the blob.
type Spec struct {
	order  binary.ByteOrder
	types  []rawType // types[0] is void
	strs   []byte
	byName map[string][]TypeID
	named  bool // byName built
}

// rawType is one btf_type and the bytes that follow it.
type rawType struct {
	name  uint32
	info  uint32
	sizeT uint32 // size, or the referenced type
	extra []byte
}

func (t rawType) kind() Kind     { return Kind(t.info >> 24 & 0x1f) }
func (t rawType) vlen() int      { return int(t.info & 0xffff) }
func (t rawType) kindFlag() bool { return t.info>>31 != 0 }

// Member is a struct or union member.
type Member struct {
	Name         string
	Type         TypeID
	BitOffset    uint32 // from the start of the enclosing struct
	BitfieldSize uint32 // 0 for ordinary members
}

// EnumValue is an enumerator.
type EnumValue struct {
	Name  string
	Value uint64
}

// LoadKernel parses the running kernel's BTF.
func LoadKernel() (*Spec, error) {
	b, err := os.ReadFile("/sys/kernel/btf/vmlinux")
	if err != nil {
		return nil, fmt.Errorf("kernel BTF: %w", err)
	}
	return Parse(b)
}

// Parse reads a BTF blob; the Spec keeps references into b.
func Parse(b []byte) (*Spec, error) {
	if len(b) < headerSize {
		return nil, errors.New("btf: blob shorter than its header")
	}
	var order binary.ByteOrder = binary.LittleEndian
	switch {
	case binary.LittleEndian.Uint16(b) == magic:
	case binary.BigEndian.Uint16(b) == magic:
		order = binary.BigEndian
	default:
		return nil, errors.New("btf: no BTF magic 0xeb9f")
	}
	if b[2] != 1 {
		return nil, fmt.Errorf("btf: version %d, want 1", b[2])
	}
	hdrLen := order.Uint32(b[4:])
	typeOff, typeLen := order.Uint32(b[8:]), order.Uint32(b[12:])
	strOff, strLen := order.Uint32(b[16:]), order.Uint32(b[20:])
	if hdrLen < headerSize || uint64(hdrLen) > uint64(len(b)) {
		return nil, fmt.Errorf("btf: header length %d", hdrLen)
	}
	body := b[hdrLen:]
	section := func(name string, off, n uint32) ([]byte, error) {
		if uint64(off)+uint64(n) > uint64(len(body)) {
			return nil, fmt.Errorf("btf: %s section (%d bytes at %d) past the end of the blob", name, n, off)
		}
		return body[off : off+n], nil
	}
	typesB, err := section("type", typeOff, typeLen)
	if err != nil {
		return nil, err
	}
	strs, err := section("string", strOff, strLen)
	if err != nil {
		return nil, err
	}
	s := &Spec{order: order, strs: strs, types: make([]rawType, 1, len(typesB)/16+1)}
	for len(typesB) > 0 {
		if len(typesB) < typeSize {
			return nil, fmt.Errorf("btf: type %d truncated", len(s.types))
		}
		t := rawType{name: order.Uint32(typesB), info: order.Uint32(typesB[4:]), sizeT: order.Uint32(typesB[8:])}
		typesB = typesB[typeSize:]
		n, err := extraSize(t)
		if err != nil {
			return nil, fmt.Errorf("btf: type %d: %w", len(s.types), err)
		}
		if n > len(typesB) {
			return nil, fmt.Errorf("btf: type %d truncated", len(s.types))
		}
		t.extra, typesB = typesB[:n], typesB[n:]
		s.types = append(s.types, t)
	}
	return s, nil
}

// extraSize is the size of the data that follows a btf_type of t's kind.
func extraSize(t rawType) (int, error) {
	switch t.kind() {
	case KindInt:
		return 4, nil
	case KindPtr, KindFwd, KindTypedef, KindVolatile, KindConst, KindRestrict, KindFunc, KindFloat, KindTypeTag:
		return 0, nil
	case KindArray:
		return 12, nil
	case KindStruct, KindUnion, KindDatasec, KindEnum64:
		return 12 * t.vlen(), nil
	case KindEnum, KindFuncProt:
		return 8 * t.vlen(), nil
	case KindVar, KindDeclTag:
		return 4, nil
	}
	return 0, fmt.Errorf("unknown kind %d", t.kind())
}

func (s *Spec) str(off uint32) string {
	if uint64(off) >= uint64(len(s.strs)) {
		return ""
	}
	b := s.strs[off:]
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

func (s *Spec) get(id TypeID) (rawType, bool) {
	if int64(id) >= int64(len(s.types)) {
		return rawType{}, false
	}
	return s.types[id], true
}

// Types is the number of type ids, void included.
func (s *Spec) Types() int { return len(s.types) }

// Kind returns a type's kind (KindVoid for an unknown id).
func (s *Spec) Kind(id TypeID) Kind {
	t, _ := s.get(id)
	return t.kind()
}

// Name returns a type's name ("" for anonymous ones).
func (s *Spec) Name(id TypeID) string {
	t, ok := s.get(id)
	if !ok || id == 0 {
		return ""
	}
	return s.str(t.name)
}

// ByName returns the types called name, in id order.
func (s *Spec) ByName(name string) []TypeID {
	if !s.named {
		s.byName = make(map[string][]TypeID, len(s.types)/2)
		for i := 1; i < len(s.types); i++ {
			if n := s.types[i].name; n != 0 {
				k := s.str(n)
				s.byName[k] = append(s.byName[k], TypeID(i))
			}
		}
		s.named = true
	}
	return s.byName[name]
}

// Underlying follows typedefs and qualifiers (const, volatile, restrict,
// type tags) to the type they name.
func (s *Spec) Underlying(id TypeID) TypeID {
	for range maxDepth {
		t, ok := s.get(id)
		if !ok {
			return 0
		}
		switch t.kind() {
		case KindTypedef, KindVolatile, KindConst, KindRestrict, KindTypeTag:
			id = TypeID(t.sizeT)
		default:
			return id
		}
	}
	return 0
}

// Size is a type's size in bytes, through typedefs, qualifiers and
// arrays; void's is 0. ok is false for types without one (functions,
// forward declarations), for unknown ids and on loops or overflow.
func (s *Spec) Size(id TypeID) (uint64, bool) {
	mult := uint64(1)
	for range maxDepth {
		t, ok := s.get(id)
		if !ok {
			return 0, false
		}
		switch t.kind() {
		case KindVoid:
			return 0, true
		case KindTypedef, KindVolatile, KindConst, KindRestrict, KindTypeTag:
			id = TypeID(t.sizeT)
		case KindInt, KindStruct, KindUnion, KindEnum, KindEnum64, KindFloat, KindDatasec:
			n := uint64(t.sizeT) * mult
			if mult != 0 && n/mult != uint64(t.sizeT) {
				return 0, false
			}
			return n, true
		case KindPtr:
			if mult > 1<<61 {
				return 0, false
			}
			return 8 * mult, true
		case KindArray:
			elem, n, _ := s.Array(id)
			if n == 0 {
				return 0, true
			}
			if mult*uint64(n)/uint64(n) != mult {
				return 0, false
			}
			mult *= uint64(n)
			id = elem
		default:
			return 0, false
		}
	}
	return 0, false
}

// Array returns an array's element type and length; ok is false for any
// other kind.
func (s *Spec) Array(id TypeID) (elem TypeID, n uint32, ok bool) {
	t, found := s.get(id)
	if !found || t.kind() != KindArray || len(t.extra) < 12 {
		return 0, 0, false
	}
	return TypeID(s.order.Uint32(t.extra)), s.order.Uint32(t.extra[8:]), true
}

// Composite reports whether a type is a struct or a union, and its size.
func (s *Spec) Composite(id TypeID) (size uint32, ok bool) {
	t, found := s.get(id)
	if !found || (t.kind() != KindStruct && t.kind() != KindUnion) {
		return 0, false
	}
	return t.sizeT, true
}

// Members returns a struct's or union's members (nil for other kinds).
func (s *Spec) Members(id TypeID) []Member {
	t, ok := s.get(id)
	if !ok || (t.kind() != KindStruct && t.kind() != KindUnion) {
		return nil
	}
	out := make([]Member, t.vlen())
	for i := range out {
		b := t.extra[12*i:]
		m := Member{Name: s.str(s.order.Uint32(b)), Type: TypeID(s.order.Uint32(b[4:]))}
		off := s.order.Uint32(b[8:])
		if t.kindFlag() {
			// Bitfield size in the top 8 bits, offset in the low 24.
			m.BitfieldSize, m.BitOffset = off>>24, off&0xffffff
		} else {
			// Older encoding: a bitfield's width and extra offset are
			// in its int type (BTF_INT_BITS, BTF_INT_OFFSET).
			m.BitOffset = off
			if it, ok := s.get(s.Underlying(m.Type)); ok && it.kind() == KindInt && len(it.extra) == 4 {
				enc := s.order.Uint32(it.extra)
				bits, extra := enc&0xff, enc>>16&0xff
				if bits != 8*it.sizeT || extra != 0 {
					m.BitfieldSize, m.BitOffset = bits, off+extra
				}
			}
		}
		out[i] = m
	}
	return out
}

// CompositeByName returns the first struct or union called name that has
// a size or members (BTF can also hold empty forward-declared ones).
func (s *Spec) CompositeByName(name string) (TypeID, bool) {
	for _, id := range s.ByName(name) {
		if size, ok := s.Composite(id); ok && (size > 0 || len(s.Members(id)) > 0) {
			return id, true
		}
	}
	return 0, false
}

// Lookup finds member name of struct or union id as C does: among its
// own members first, then inside its anonymous structs and unions. off
// is the member's bit offset from the start of id.
func (s *Spec) Lookup(id TypeID, name string) (m Member, off uint32, ok bool) {
	return s.lookup(id, name, 0)
}

func (s *Spec) lookup(id TypeID, name string, depth int) (Member, uint32, bool) {
	if depth > maxDepth {
		return Member{}, 0, false
	}
	ms := s.Members(id)
	for _, m := range ms {
		if m.Name == name {
			return m, m.BitOffset, true
		}
	}
	for _, m := range ms {
		if m.Name != "" {
			continue
		}
		if sub, off, ok := s.lookup(s.Underlying(m.Type), name, depth+1); ok {
			return sub, m.BitOffset + off, true
		}
	}
	return Member{}, 0, false
}

// EnumValues returns an enum's enumerators (nil for other kinds); the
// values of 32-bit enums are sign-extended as C does when signed.
func (s *Spec) EnumValues(id TypeID) []EnumValue {
	t, ok := s.get(id)
	if !ok {
		return nil
	}
	switch t.kind() {
	case KindEnum:
		out := make([]EnumValue, t.vlen())
		for i := range out {
			b := t.extra[8*i:]
			v := uint64(s.order.Uint32(b[4:]))
			if t.kindFlag() { // signed
				v = uint64(int64(int32(v)))
			}
			out[i] = EnumValue{Name: s.str(s.order.Uint32(b)), Value: v}
		}
		return out
	case KindEnum64:
		out := make([]EnumValue, t.vlen())
		for i := range out {
			b := t.extra[12*i:]
			v := uint64(s.order.Uint32(b[8:]))<<32 | uint64(s.order.Uint32(b[4:]))
			out[i] = EnumValue{Name: s.str(s.order.Uint32(b)), Value: v}
		}
		return out
	}
	return nil
}
