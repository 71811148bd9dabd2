package kallsyms

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeMem is kernel memory made of a few regions.
type fakeMem map[uint64][]byte

func (m fakeMem) read(buf []byte, va uint64) error {
	for base, b := range m {
		if va >= base && va-base+uint64(len(buf)) <= uint64(len(b)) {
			copy(buf, b[va-base:])
			return nil
		}
	}
	return fmt.Errorf("fault at %#x", va)
}

const (
	aNames  = 0xffffffff81000000
	aTokTab = 0xffffffff81100000
	aTokIdx = 0xffffffff81200000
	aNum    = 0xffffffff81300000
	aOffs   = 0xffffffff81400000
	aBase   = 0xffffffff81500000
	base    = 0xffffffff80000000
)

// symbolTable compresses syms with a trivial token table: tokens 0..255
// are single bytes, except token 0x01 which stands for "init_" to test
// multi-byte expansion. Offsets use the absolute-per-cpu rule when percpu.
func symbolTable(syms []Symbol, percpu bool) fakeMem {
	le := binary.LittleEndian
	var tokTab []byte
	idx := make([]byte, 512)
	for i := 0; i < 256; i++ {
		le.PutUint16(idx[2*i:], uint16(len(tokTab)))
		if i == 1 {
			tokTab = append(tokTab, "init_"...)
		} else {
			tokTab = append(tokTab, byte(i))
		}
		tokTab = append(tokTab, 0)
	}
	var names []byte
	offs := make([]byte, 4*len(syms))
	for i, s := range syms {
		full := string(s.Type) + s.Name
		var enc []byte
		for j := 0; j < len(full); j++ {
			if strings.HasPrefix(full[j:], "init_") {
				enc = append(enc, 1)
				j += 4
				continue
			}
			enc = append(enc, full[j])
		}
		if len(enc) >= 0x80 {
			names = append(names, byte(len(enc)&0x7f|0x80), byte(len(enc)>>7))
		} else {
			names = append(names, byte(len(enc)))
		}
		names = append(names, enc...)
		var off int32
		if percpu {
			off = int32(-int64(s.Addr-base) - 1)
		} else {
			off = int32(uint32(s.Addr - base))
		}
		le.PutUint32(offs[4*i:], uint32(off))
	}
	num := make([]byte, 4)
	le.PutUint32(num, uint32(len(syms)))
	rb := make([]byte, 8)
	le.PutUint64(rb, base)
	return fakeMem{aNames: names, aTokTab: tokTab, aTokIdx: idx, aNum: num, aOffs: offs, aBase: rb}
}

var testSyms = []Symbol{
	{Name: "_stext", Type: 'T', Addr: 0xffffffff81000000},
	{Name: "init_net", Type: 'D', Addr: 0xffffffff82a9dcc0},
	{Name: strings.Repeat("long_symbol_", 12), Type: 't', Addr: 0xffffffff81234567},
	{Name: "init_net", Type: 'd', Addr: 0xffffffff83000000}, // a duplicate: the first wins
}

var tables = Tables{Names: aNames, TokenTable: aTokTab, TokenIndex: aTokIdx, NumSyms: aNum,
	Offsets: aOffs, RelativeBase: aBase, CheckName: "_stext", CheckAddr: 0xffffffff81000000}

func TestDecode(t *testing.T) {
	for _, percpu := range []bool{true, false} {
		mem := symbolTable(testSyms, percpu)
		tab, err := Decode(mem.read, tables)
		if err != nil {
			t.Fatal(err)
		}
		if len(tab.Syms) != len(testSyms) {
			t.Fatalf("%d symbols", len(tab.Syms))
		}
		for i, s := range testSyms {
			if tab.Syms[i] != s {
				t.Errorf("percpu=%v symbol %d: %+v, want %+v", percpu, i, tab.Syms[i], s)
			}
		}
		if a, _ := tab.Lookup("init_net"); a != 0xffffffff82a9dcc0 {
			t.Errorf("init_net at %#x", a)
		}
		if _, err := tab.Addr("missing"); err == nil || !strings.Contains(err.Error(), "missing") {
			t.Errorf("missing symbol: %v", err)
		}
		want := "base-relative, absolute per-cpu"
		if !percpu {
			want = "base-relative"
		}
		if tab.Encoding != want {
			t.Errorf("encoding %q, want %q", tab.Encoding, want)
		}
	}
}

func TestDecodeRejects(t *testing.T) {
	mem := symbolTable(testSyms, true)
	bad := tables
	bad.CheckAddr = 0x1234
	if _, err := Decode(mem.read, bad); err == nil {
		t.Error("a check symbol at the wrong address was accepted")
	}
	if _, err := Decode(mem.read, Tables{}); err == nil {
		t.Error("no tables accepted")
	}
	binary.LittleEndian.PutUint32(mem[aNum], 1<<30)
	if _, err := Decode(mem.read, tables); err == nil {
		t.Error("an implausible count was accepted")
	}
	binary.LittleEndian.PutUint32(mem[aNum], 100) // more names than the table holds
	if _, err := Decode(mem.read, tables); err == nil {
		t.Error("names running off mapped memory were accepted")
	}
}

func TestWriteSeeds(t *testing.T) {
	if os.Getenv("NETMORTEM_WRITE_SEEDS") == "" {
		t.Skip("set NETMORTEM_WRITE_SEEDS=1 to rewrite testdata/fuzz seeds")
	}
	mem := symbolTable(testSyms, true)
	dir := filepath.Join("testdata", "fuzz", "FuzzDecode")
	os.MkdirAll(dir, 0o755)
	if err := os.WriteFile(filepath.Join(dir, "sample"), []byte(fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n[]byte(%q)\nuint32(%d)\n", mem[aNames], mem[aOffs], len(testSyms))), 0o644); err != nil {
		t.Fatal(err)
	}
}

func FuzzDecode(f *testing.F) {
	mem := symbolTable(testSyms, true)
	f.Add(mem[aNames], mem[aOffs], uint32(len(testSyms)))
	f.Fuzz(func(t *testing.T, names, offs []byte, num uint32) {
		m := symbolTable(testSyms, true)
		m[aNames], m[aOffs] = names, offs
		binary.LittleEndian.PutUint32(m[aNum], num)
		tab, err := Decode(m.read, tables)
		if err == nil && uint32(len(tab.Syms)) != num {
			t.Fatalf("%d symbols decoded, %d claimed", len(tab.Syms), num)
		}
	})
}
