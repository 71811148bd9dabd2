package btfx

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cilium/ebpf/btf"

	"github.com/netmortem/netmortem/capture/btf/btftest"
)

// sampleBTF builds a small BTF blob shaped like kernel types: an anonymous
// union inside an anonymous struct, a nested struct member, a bitfield, a
// pointer, an array and a typedef.
func sampleBTF(t testing.TB) []byte {
	u8 := &btf.Int{Name: "u8", Size: 1}
	u16 := &btf.Int{Name: "u16", Size: 2}
	u32 := &btf.Int{Name: "u32", Size: 4}
	u64 := &btf.Int{Name: "u64", Size: 8}
	be32 := &btf.Typedef{Name: "__be32", Type: u32}
	inner := &btf.Struct{Name: "possible_net_t", Size: 8, Members: []btf.Member{{Name: "net", Type: &btf.Pointer{Target: &btf.Void{}}, Offset: 0}}}
	addrs := &btf.Struct{Size: 8, Members: []btf.Member{
		{Name: "skc_daddr", Type: be32, Offset: 0},
		{Name: "skc_rcv_saddr", Type: be32, Offset: 32},
	}}
	pair := &btf.Union{Size: 8, Members: []btf.Member{
		{Name: "skc_addrpair", Type: u64, Offset: 0},
		{Name: "", Type: addrs, Offset: 0},
	}}
	common := &btf.Struct{Name: "sock_common", Size: 48, Members: []btf.Member{
		{Name: "", Type: pair, Offset: 0},
		{Name: "skc_family", Type: u16, Offset: 64},
		{Name: "skc_state", Type: &btf.Volatile{Type: u8}, Offset: 80},
		{Name: "skc_reuse", Type: u8, Offset: 88, BitfieldSize: 4},
		{Name: "skc_ipv6only", Type: u8, Offset: 93, BitfieldSize: 1},
		{Name: "skc_net", Type: inner, Offset: 128},
		{Name: "skc_name", Type: &btf.Array{Type: u8, Index: u32, Nelems: 16}, Offset: 192},
		{Name: "skc_next", Type: &btf.Pointer{Target: u8}, Offset: 320},
	}}
	sock := &btf.Struct{Name: "sock", Size: 64, Members: []btf.Member{
		{Name: "__sk_common", Type: common, Offset: 0},
		{Name: "sk_mark", Type: u32, Offset: 384},
	}}
	enum := &btf.Enum{Name: "netdev_state_t", Size: 4, Values: []btf.EnumValue{{Name: "__LINK_STATE_START", Value: 0}, {Name: "__LINK_STATE_NOCARRIER", Value: 2}}}
	return btftest.Blob(t, sock, enum)
}

func TestFieldLookup(t *testing.T) {
	ty, err := Load(sampleBTF(t))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		typ, path   string
		off, size   uint32
		bitOff, bit uint32
	}{
		{"sock", "__sk_common.skc_daddr", 0, 4, 0, 0},
		{"sock", "__sk_common.skc_rcv_saddr", 4, 4, 0, 0},
		{"sock_common", "skc_addrpair", 0, 8, 0, 0},
		{"sock_common", "skc_state", 10, 1, 0, 0},
		{"sock_common", "skc_ipv6only", 11, 1, 5, 1},
		{"sock", "__sk_common.skc_net.net", 16, 8, 0, 0},
		{"sock", "sk_mark", 48, 4, 0, 0},
		{"sock_common", "skc_name", 24, 16, 0, 0},
	}
	for _, c := range cases {
		f, err := ty.Field(c.typ, c.path)
		if err != nil {
			t.Errorf("%s.%s: %v", c.typ, c.path, err)
			continue
		}
		if f.Off != c.off || f.Size != c.size || f.BitOff != c.bitOff || f.BitSize != c.bit {
			t.Errorf("%s.%s = %+v, want off %d size %d bit %d/%d", c.typ, c.path, f, c.off, c.size, c.bitOff, c.bit)
		}
	}
	if f, _ := ty.Field("sock_common", "skc_next"); !f.IsPointer() {
		t.Error("skc_next is a pointer")
	}
	if f, _ := ty.Field("sock_common", "skc_name"); f.ArrayLen() != 16 || f.ElemSize() != 1 {
		t.Errorf("skc_name: %d elements of %d", f.ArrayLen(), f.ElemSize())
	}
	if n, err := ty.Size("sock"); err != nil || n != 64 {
		t.Errorf("sizeof sock = %d, %v", n, err)
	}
	for _, bad := range []struct{ typ, path, want string }{
		{"sock", "sk_nothing", "struct sock has no member sk_nothing"},
		{"sock", "__sk_common.skc_nope", "member __sk_common has no member skc_nope"},
		{"sock", "sk_mark.x", "is not a struct"},
		{"tcp_sock", "rcv_nxt", "no struct tcp_sock"},
	} {
		if _, err := ty.Field(bad.typ, bad.path); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s.%s: error %v, want one containing %q", bad.typ, bad.path, err, bad.want)
		}
	}
	if e := ty.Enumerators(); e["__LINK_STATE_NOCARRIER"] != 2 {
		t.Errorf("enumerators: %v", e)
	}
	l := NewLayout(ty)
	l.F("sock", "sk_mark")
	l.F("sock", "sk_gone")
	l.Size("inet_sock")
	if err := l.Err(); err == nil || !strings.Contains(err.Error(), "sk_gone") || !strings.Contains(err.Error(), "inet_sock") {
		t.Errorf("layout error %v must name every missing member and type", err)
	}
}

func TestObj(t *testing.T) {
	o := Obj{0x01, 0x02, 0x03, 0x04, 0xff, 0xff, 0xff, 0xff, 0xa0}
	if v := o.U(Field{Off: 0, Size: 4}); v != 0x04030201 {
		t.Errorf("u32 %#x", v)
	}
	if v := o.S(Field{Off: 4, Size: 4}); v != -1 {
		t.Errorf("s32 %d", v)
	}
	if v := o.U(Field{Off: 8, Size: 1, BitOff: 5, BitSize: 3}); v != 5 {
		t.Errorf("bitfield %d", v)
	}
	if v := o.U(Field{Off: 6, Size: 8}); v != 0 {
		t.Errorf("a read past the end must give zero, got %#x", v)
	}
	if o.B(Field{Off: 8, Size: 4}) != nil || o.Str(Field{Off: 100, Size: 4}) != "" {
		t.Error("out-of-range bytes must be empty")
	}
}

func TestLoadRejects(t *testing.T) {
	for _, b := range [][]byte{nil, []byte("not btf at all, not btf at all"), sampleBTF(t)[:30]} {
		if _, err := Load(b); err == nil {
			t.Errorf("%q accepted", b)
		}
	}
}

func TestWriteSeeds(t *testing.T) {
	if os.Getenv("NETMORTEM_WRITE_SEEDS") == "" {
		t.Skip("set NETMORTEM_WRITE_SEEDS=1 to rewrite testdata/fuzz seeds")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzLookup")
	os.MkdirAll(dir, 0o755)
	if err := os.WriteFile(filepath.Join(dir, "sample"), []byte(fmt.Sprintf("go test fuzz v1\n[]byte(%q)\nstring(%q)\n", sampleBTF(t), "__sk_common.skc_net.net")), 0o644); err != nil {
		t.Fatal(err)
	}
}

func FuzzLookup(f *testing.F) {
	f.Add(sampleBTF(f), "__sk_common.skc_net.net")
	f.Fuzz(func(t *testing.T, blob []byte, path string) {
		ty, err := Load(blob)
		if err != nil {
			return
		}
		for _, typ := range []string{"sock", "sock_common", "possible_net_t"} {
			if f, err := ty.Field(typ, path); err == nil {
				Obj(make([]byte, 64)).U(f)
			}
			ty.Size(typ)
		}
		ty.Enumerators()
	})
}
