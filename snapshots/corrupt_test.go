package snapshots

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
	"google.golang.org/protobuf/proto"

	"github.com/netmortem/netmortem/snapshots/pb"
)

// fullTables is a small table set used by the corruption tests; the
// exhaustive fixture lives in snapshots/synth (which imports this package).
func smallTables() *Tables {
	return &Tables{
		Links:  []Link{{Index: 1, Name: "lo", MTU: 65536}, {Index: 2, Name: "eth0", MTU: 1500}},
		Routes: []Route{{Family: AFInet, Table: 254, Type: 1}, {Family: AFInet, Table: 255, Type: 2}},
		Files:  []RawFile{{Path: "/proc/net/snmp", Data: bytes.Repeat([]byte("Ip: 1 2 3\n"), 50)}},
	}
}

func writeSmall(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, Meta{Hostname: "h"})
	if err != nil {
		t.Fatal(err)
	}
	ns := w.AddNamespace(NamespaceInfo{Host: true})
	w.BeginFrame(time.Unix(1, 0))
	ts := smallTables()
	for _, tb := range []Table{TableLinks, TableRoutes, TableFiles} {
		if err := w.WriteTable(ns, tb, OK(time.Unix(1, 0)), ts); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func open(b []byte) (*Reader, error) {
	return NewReader(bytes.NewReader(b), int64(len(b)), ReaderOptions{})
}

func loadAll(r *Reader) error {
	for i := range r.Sections {
		var ts Tables
		if err := r.ReadSection(&r.Sections[i], &ts); err != nil {
			return err
		}
	}
	return nil
}

func TestTruncation(t *testing.T) {
	b := writeSmall(t)
	r, err := open(b)
	if err != nil {
		t.Fatal(err)
	}
	cuts := []int{0, 3, headerSize - 1, headerSize, len(b) - 1, len(b) - trailerSize}
	for _, s := range r.Sections {
		cuts = append(cuts, int(s.Offset), int(s.Offset+s.Compressed/2), int(s.Offset+s.Compressed))
	}
	for _, n := range cuts {
		_, err := open(b[:n])
		if err == nil {
			t.Errorf("truncated at %d of %d: opened", n, len(b))
			continue
		}
		var se *SectionError
		if !errors.As(err, &se) {
			t.Errorf("truncated at %d: error %v does not name a section", n, err)
		}
		if n >= headerSize && !errors.Is(err, ErrCorrupt) {
			t.Errorf("truncated at %d: %v is not ErrCorrupt", n, err)
		}
	}
}

func TestFlippedByte(t *testing.T) {
	b := writeSmall(t)
	r, _ := open(b)
	cases := map[string]int{
		"header":  17,
		"index":   int(binary.LittleEndian.Uint64(b[len(b)-trailerSize+16:])) + 12,
		"trailer": len(b) - 5,
	}
	for i, s := range r.Sections {
		cases["section "+string(s.Table)+string(rune('0'+i))] = int(s.Offset + s.Compressed/2)
	}
	for name, off := range cases {
		c := append([]byte(nil), b...)
		c[off] ^= 0x40
		r, err := open(c)
		if strings.HasPrefix(name, "section") {
			if err != nil {
				t.Errorf("%s: open failed: %v", name, err)
				continue
			}
			err = loadAll(r)
			if err == nil || !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "checksum") {
				t.Errorf("%s: load gave %v", name, err)
			}
			// verify keeps going and finds exactly one damaged section.
			bad := 0
			for _, f := range r.Verify() {
				if f.Err != nil {
					bad++
				}
			}
			if bad != 1 {
				t.Errorf("%s: verify found %d damaged sections", name, bad)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: error %v does not name the %s", name, err, name)
		}
	}
}

func TestWrongMagic(t *testing.T) {
	b := writeSmall(t)
	b[0] = 'X'
	if _, err := open(b); !errors.Is(err, ErrNotSnapshot) {
		t.Errorf("got %v", err)
	}
	if _, err := open([]byte("hello")); !errors.Is(err, ErrNotSnapshot) {
		t.Errorf("short file: got %v", err)
	}
}

// rebuild writes a file from parts so tests can forge versions, indexes
// and sections.
func rebuild(t *testing.T, v Version, sections [][]byte, idx *pb.Index) []byte {
	t.Helper()
	var b bytes.Buffer
	b.Write(putHeader(v))
	for i, s := range sections {
		if i < len(idx.Sections) && idx.Sections[i].Offset == 0 {
			idx.Sections[i].Offset = uint64(b.Len())
			idx.Sections[i].Compressed = uint64(len(s))
			idx.Sections[i].Crc32C = crc32.Checksum(s, castagnoli)
		}
		b.Write(s)
	}
	raw, err := proto.Marshal(idx)
	if err != nil {
		t.Fatal(err)
	}
	enc, _ := zstd.NewWriter(nil, zstd.WithSingleSegment(true))
	z := enc.EncodeAll(raw, nil)
	frame := binary.LittleEndian.AppendUint32(nil, magicIndex)
	frame = binary.LittleEndian.AppendUint32(frame, uint32(len(z)))
	frame = append(frame, z...)
	off := uint64(b.Len())
	b.Write(frame)
	b.Write(trailer{indexOffset: off, indexLen: uint64(len(frame)), version: v, crc: crc32.Checksum(frame, castagnoli)}.bytes())
	return b.Bytes()
}

func oneSection(size uint64) *pb.Index {
	return &pb.Index{
		Meta:       &pb.Meta{Hostname: "forged"},
		Namespaces: []*pb.Namespace{{Id: 0, Host: true}},
		Frames:     []*pb.Frame{{Index: 0}},
		Sections:   []*pb.Section{{Frame: 0, Namespace: 0, Table: "files", State: 1, Size: size, Rows: 1}},
	}
}

func TestNewerMajorVersion(t *testing.T) {
	b := rebuild(t, Version{2, 0}, nil, &pb.Index{})
	_, err := open(b)
	if !errors.Is(err, ErrNewerVersion) || !strings.Contains(err.Error(), "format 2.0") {
		t.Fatalf("got %v", err)
	}
	// A newer minor version of our major opens.
	b = rebuild(t, Version{1, 7}, nil, &pb.Index{Meta: &pb.Meta{Hostname: "x"}})
	r, err := open(b)
	if err != nil || r.Meta.Hostname != "x" || r.Version.Minor != 7 {
		t.Fatalf("minor version: %v", err)
	}
}

// allocated runs f and returns the bytes it allocated.
func allocated(f func()) uint64 {
	var a, b runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&a)
	f()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}

func TestSectionClaimingHuge(t *testing.T) {
	enc, _ := zstd.NewWriter(nil, zstd.WithSingleSegment(true))
	small := enc.EncodeAll([]byte("tiny"), nil)
	b := rebuild(t, FormatVersion, [][]byte{small}, oneSection(4<<30))
	r, err := open(b)
	if err != nil {
		t.Fatal(err)
	}
	var lerr error
	n := allocated(func() { lerr = loadAll(r) })
	if lerr == nil || !strings.Contains(lerr.Error(), "over the memory limit") {
		t.Errorf("got %v", lerr)
	}
	if n > 1<<20 {
		t.Errorf("allocated %d bytes refusing a 4 GiB claim", n)
	}
}

func TestDecompressionBomb(t *testing.T) {
	zeros := make([]byte, 256<<20)
	single, _ := zstd.NewWriter(nil, zstd.WithSingleSegment(true))
	bomb := single.EncodeAll(zeros, nil)
	var stream bytes.Buffer
	sw, _ := zstd.NewWriter(&stream)
	sw.Write(zeros[:64<<20])
	sw.Close()
	zeros = nil
	cases := []struct {
		name  string
		frame []byte
		size  uint64
		want  string
	}{
		{"honest size, impossible ratio", bomb, 256 << 20, "more than zstd can expand"},
		{"small claim, big frame", bomb, 1000, "over the limit"},
		{"frame without size", stream.Bytes(), 1000, "does not declare its size"},
	}
	for _, c := range cases {
		b := rebuild(t, FormatVersion, [][]byte{c.frame}, oneSection(c.size))
		r, err := open(b)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var lerr error
		n := allocated(func() { lerr = loadAll(r) })
		if lerr == nil || !strings.Contains(lerr.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.name, lerr, c.want)
		}
		if n > 8<<20 {
			t.Errorf("%s: allocated %d bytes", c.name, n)
		}
	}
}

func TestColumnRowsBounded(t *testing.T) {
	// A routes section that claims 2^32-1 rows with every column empty
	// must be refused before the rows are allocated.
	m := &pb.Routes{Rows: ^uint32(0)}
	raw, _ := proto.Marshal(m)
	enc, _ := zstd.NewWriter(nil, zstd.WithSingleSegment(true))
	idx := oneSection(uint64(len(raw)))
	idx.Sections[0].Table = "routes"
	b := rebuild(t, FormatVersion, [][]byte{enc.EncodeAll(raw, nil)}, idx)
	r, err := NewReader(bytes.NewReader(b), int64(len(b)), ReaderOptions{MaxSectionMemory: 64 << 20})
	if err != nil {
		t.Fatal(err)
	}
	var lerr error
	n := allocated(func() { lerr = loadAll(r) })
	if lerr == nil || !strings.Contains(lerr.Error(), "rows") {
		t.Errorf("got %v", lerr)
	}
	if n > 1<<20 {
		t.Errorf("allocated %d bytes", n)
	}
}

func TestBadColumns(t *testing.T) {
	bad := []*pb.Routes{
		{Rows: 2, Family: []uint32{2}},
		{Rows: 1, Dst: &pb.PrefixColumn{Addr: &pb.AddrColumn{Size: []uint32{5}, Data: []byte{1, 2, 3, 4, 5}}}},
		{Rows: 1, Dst: &pb.PrefixColumn{Addr: &pb.AddrColumn{Size: []uint32{4}, Data: []byte{1, 2, 3, 4}}, Bits: []uint32{33}}},
		{Rows: 1, NexthopCount: []uint32{3}},
		{Rows: 1, CongCtl: &pb.StringColumn{Dict: []string{""}, Index: []uint32{4}}},
		{Rows: 1, Raw: &pb.RawAttrColumn{Count: []uint32{2}, Type: []uint32{1}}},
	}
	for i, m := range bad {
		if _, err := decRoutes(m); err == nil {
			t.Errorf("case %d decoded", i)
		}
	}
}

func TestAtomicCreate(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/x.nms"
	w, err := Create(path, Meta{})
	if err != nil {
		t.Fatal(err)
	}
	w.AddNamespace(NamespaceInfo{Host: true})
	w.BeginFrame(time.Unix(1, 0))
	w.WriteTable(0, TableLinks, OK(time.Unix(1, 0)), smallTables())
	if _, err := Open(path, ReaderOptions{}); err == nil {
		t.Fatal("destination exists before Close")
	}
	w.Abort()
	if ents, _ := readDir(dir); len(ents) != 0 {
		t.Fatalf("Abort left %v", ents)
	}
}

func readDir(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names, err
}

// TestContentHash: a section whose content does not match the index's hash
// is reported by Verify; a plain load relies on the zstd content checksum
// when the frame has one, and checks the hash when it has none.
func TestContentHash(t *testing.T) {
	payload, err := proto.Marshal(&pb.Files{Files: []*pb.File{{Path: "/x", Data: []byte("y")}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, withCRC := range []bool{true, false} {
		enc, _ := zstd.NewWriter(nil, zstd.WithSingleSegment(true), zstd.WithEncoderCRC(withCRC))
		idx := oneSection(uint64(len(payload)))
		idx.Sections[0].Hash = bytes.Repeat([]byte{0xee}, 16) // not the content's
		r, err := open(rebuild(t, FormatVersion, [][]byte{enc.EncodeAll(payload, nil)}, idx))
		if err != nil {
			t.Fatal(err)
		}
		_, err = r.Load(0, 0, TableFiles)
		if withCRC && err != nil {
			t.Errorf("load of a checksummed frame: %v", err)
		}
		if !withCRC && (err == nil || !strings.Contains(err.Error(), "content hash mismatch")) {
			t.Errorf("load of a frame without checksum: %v", err)
		}
		if f := r.Verify(); len(f) != 1 || f[0].Err == nil || !strings.Contains(f[0].Err.Error(), "content hash mismatch") {
			t.Errorf("verify (crc %v): %+v", withCRC, f)
		}
	}
}
