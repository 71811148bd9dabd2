package btf

import (
	"encoding/binary"
	"os"
	"testing"

	cbtf "github.com/cilium/ebpf/btf"

	"github.com/netmortem/netmortem/capture/btf/btftest"
)

// sample builds a small blob with cilium/ebpf's encoder (a test-only
// dependency): every kind this package reads, a bitfield, anonymous
// members, qualifier chains and a signed enum.
func sample(t testing.TB) []byte {
	u8 := &cbtf.Int{Name: "u8", Size: 1}
	u32 := &cbtf.Int{Name: "u32", Size: 4}
	arr := &cbtf.Array{Type: &cbtf.Typedef{Name: "byte", Type: u8}, Index: u32, Nelems: 16}
	inner := &cbtf.Union{Size: 4, Members: []cbtf.Member{{Name: "a", Type: u32}, {Name: "b", Type: u8}}}
	st := &cbtf.Struct{Name: "thing", Size: 32, Members: []cbtf.Member{
		{Name: "x", Type: &cbtf.Const{Type: &cbtf.Volatile{Type: u32}}, Offset: 0},
		{Name: "", Type: inner, Offset: 32},
		{Name: "flag", Type: u8, Offset: 69, BitfieldSize: 1},
		{Name: "name", Type: arr, Offset: 96},
		{Name: "next", Type: &cbtf.Pointer{Target: u8}, Offset: 192},
	}}
	en := &cbtf.Enum{Name: "e", Size: 4, Signed: true, Values: []cbtf.EnumValue{{Name: "NEG", Value: uint64(0xffffffffffffffff)}, {Name: "TWO", Value: 2}}}
	en64 := &cbtf.Enum{Name: "e64", Size: 8, Values: []cbtf.EnumValue{{Name: "BIG", Value: 1 << 40}}}
	return btftest.Blob(t, st, en, en64)
}

func TestSample(t *testing.T) {
	s, err := Parse(sample(t))
	if err != nil {
		t.Fatal(err)
	}
	ids := s.ByName("thing")
	if len(ids) != 1 || s.Kind(ids[0]) != KindStruct {
		t.Fatalf("thing: %v", ids)
	}
	if size, ok := s.Composite(ids[0]); !ok || size != 32 {
		t.Errorf("size %d %v", size, ok)
	}
	ms := s.Members(ids[0])
	if len(ms) != 5 || ms[2].Name != "flag" || ms[2].BitOffset != 69 || ms[2].BitfieldSize != 1 || ms[1].Name != "" {
		t.Fatalf("members %+v", ms)
	}
	if n, ok := s.Size(ms[0].Type); !ok || n != 4 || s.Kind(s.Underlying(ms[0].Type)) != KindInt {
		t.Errorf("const volatile u32: %d %v", n, ok)
	}
	if got := s.Members(s.Underlying(ms[1].Type)); len(got) != 2 || got[1].Name != "b" {
		t.Errorf("anonymous union %+v", got)
	}
	if m, off, ok := s.Lookup(ids[0], "b"); !ok || m.Name != "b" || off != 32 {
		t.Errorf("b through the anonymous union: %+v at %d, %v", m, off, ok)
	}
	if m, off, ok := s.Lookup(ids[0], "flag"); !ok || off != 69 || m.BitfieldSize != 1 {
		t.Errorf("flag: %+v at %d, %v", m, off, ok)
	}
	if _, _, ok := s.Lookup(ids[0], "nope"); ok {
		t.Error("found a member that is not there")
	}
	if id, ok := s.CompositeByName("thing"); !ok || id != ids[0] {
		t.Errorf("CompositeByName: %d %v", id, ok)
	}
	elem, n, ok := s.Array(ms[3].Type)
	if size, _ := s.Size(ms[3].Type); !ok || n != 16 || s.Name(elem) != "byte" || size != 16 {
		t.Errorf("array %d %d %v", elem, n, ok)
	}
	if s.Kind(ms[4].Type) != KindPtr {
		t.Errorf("pointer kind %d", s.Kind(ms[4].Type))
	}
	vals := s.EnumValues(s.ByName("e")[0])
	if len(vals) != 2 || vals[0].Value != 0xffffffffffffffff || vals[1] != (EnumValue{"TWO", 2}) {
		t.Errorf("enum %+v", vals)
	}
	if v := s.EnumValues(s.ByName("e64")[0]); len(v) != 1 || v[0].Value != 1<<40 {
		t.Errorf("enum64 %+v", v)
	}
}

// TestKernelAgainstCilium reads this kernel's BTF with both parsers and
// compares every type: kind, name, size, members, arrays, enumerators.
func TestKernelAgainstCilium(t *testing.T) {
	blob, err := os.ReadFile("/sys/kernel/btf/vmlinux")
	if err != nil {
		t.Skipf("no kernel BTF: %v", err)
	}
	s, err := Parse(blob)
	if err != nil {
		t.Fatal(err)
	}
	spec, err := cbtf.LoadKernelSpec()
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for typ, err := range spec.All() {
		if err != nil {
			t.Fatal(err)
		}
		id, err := spec.TypeID(typ)
		if err != nil {
			t.Fatal(err)
		}
		tid := TypeID(id)
		// Type and declaration tags: cilium keeps their text as a value.
		if k := s.Kind(tid); k != KindTypeTag && k != KindDeclTag && s.Name(tid) != typ.TypeName() {
			t.Fatalf("type %d: name %q, cilium %q", id, s.Name(tid), typ.TypeName())
		}
		want, werr := cbtf.Sizeof(typ)
		if got, ok := s.Size(tid); ok != (werr == nil) || ok && got != uint64(want) {
			if _, isVar := typ.(*cbtf.Var); !isVar { // cilium sizes variables by their type
				t.Fatalf("type %d (%s): size %d %v, cilium %d %v", id, typ.TypeName(), got, ok, want, werr)
			}
		}
		switch c := typ.(type) {
		case *cbtf.Struct, *cbtf.Union:
			var cms []cbtf.Member
			if st, ok := c.(*cbtf.Struct); ok {
				cms = st.Members
			} else {
				cms = c.(*cbtf.Union).Members
			}
			ms := s.Members(tid)
			if len(ms) != len(cms) {
				t.Fatalf("%s: %d members, cilium %d", typ.TypeName(), len(ms), len(cms))
			}
			for i, m := range ms {
				cid, _ := spec.TypeID(cms[i].Type)
				if m.Name != cms[i].Name || m.BitOffset != uint32(cms[i].Offset) ||
					m.BitfieldSize != uint32(cms[i].BitfieldSize) || m.Type != TypeID(cid) {
					t.Fatalf("%s member %d: %+v, cilium %+v (type %d)", typ.TypeName(), i, m, cms[i], cid)
				}
			}
			checked++
		case *cbtf.Array:
			elem, n, ok := s.Array(tid)
			cid, _ := spec.TypeID(c.Type)
			if !ok || n != c.Nelems || elem != TypeID(cid) {
				t.Fatalf("array %d: %d x %d, cilium %d x %d", id, n, elem, c.Nelems, cid)
			}
		case *cbtf.Enum:
			vs := s.EnumValues(tid)
			if len(vs) != len(c.Values) {
				t.Fatalf("enum %s: %d values, cilium %d", c.Name, len(vs), len(c.Values))
			}
			for i, v := range vs {
				if v.Name != c.Values[i].Name || v.Value != c.Values[i].Value {
					t.Fatalf("enum %s value %d: %+v, cilium %+v", c.Name, i, v, c.Values[i])
				}
			}
		}
	}
	if checked < 1000 {
		t.Fatalf("only %d structs and unions", checked)
	}
	t.Logf("%d types, %d structs and unions compared", s.Types(), checked)
}

// FuzzParse: no blob makes the parser or any accessor panic or loop.
func FuzzParse(f *testing.F) {
	f.Add(sample(f))
	f.Add([]byte{0x9f, 0xeb, 1, 0, 24, 0, 0, 0, 0, 0, 0, 0, 12, 0, 0, 0, 12, 0, 0, 0, 1, 0, 0, 0,
		1, 0, 0, 0, 0, 0, 0, 8, 1, 0, 0, 0, 0}) // a typedef of itself
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := Parse(b)
		if err != nil {
			return
		}
		for i := range s.Types() {
			id := TypeID(i)
			s.Size(id)
			s.Underlying(id)
			s.Array(id)
			s.EnumValues(id)
			for _, m := range s.Members(id) {
				s.Size(m.Type)
			}
			s.ByName(s.Name(id))
		}
	})
}

// TestLegacyBitfield: a struct without kind_flag keeps a bitfield's width
// and extra offset in its int type.
func TestLegacyBitfield(t *testing.T) {
	le := binary.LittleEndian
	var types []byte
	put := func(v ...uint32) {
		for _, x := range v {
			types = le.AppendUint32(types, x)
		}
	}
	strs := []byte("\x00u32\x00s\x00a\x00b\x00")
	// 1: int u32, size 4, 3 bits at bit offset 2; 2: int u32, whole
	put(1, uint32(KindInt)<<24, 4, 2<<16|3)
	put(1, uint32(KindInt)<<24, 4, 32)
	// 3: struct s, size 8, two members, kind_flag 0
	put(5, uint32(KindStruct)<<24|2, 8)
	put(7, 1, 32) // a: the 3-bit int, at 32 (+2)
	put(9, 2, 0)  // b: a whole u32
	hdr := le.AppendUint16(nil, magic)
	hdr = append(hdr, 1, 0)
	hdr = le.AppendUint32(hdr, headerSize)
	hdr = le.AppendUint32(hdr, 0)
	hdr = le.AppendUint32(hdr, uint32(len(types)))
	hdr = le.AppendUint32(hdr, uint32(len(types)))
	hdr = le.AppendUint32(hdr, uint32(len(strs)))
	s, err := Parse(append(append(hdr, types...), strs...))
	if err != nil {
		t.Fatal(err)
	}
	ms := s.Members(3)
	if len(ms) != 2 || ms[0] != (Member{Name: "a", Type: 1, BitOffset: 34, BitfieldSize: 3}) ||
		ms[1] != (Member{Name: "b", Type: 2, BitOffset: 0}) {
		t.Errorf("members %+v", ms)
	}
}
