package snapshots

import (
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/klauspost/compress/zstd"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/netmortem/netmortem/snapshots/pb"
)

// sameAsProto checks a hand-written decoder against proto.Unmarshal on b:
// whatever it accepts, the generated decoder accepts too and decodes to an
// equal message (but for unknown fields, which the fast decoders skip).
func sameAsProto[M any, PM interface {
	*M
	proto.Message
}](t *testing.T, b []byte, dec func(PM, []byte) error) {
	fast, slow := PM(new(M)), PM(new(M))
	if err := dec(fast, b); err != nil {
		return
	}
	if err := proto.Unmarshal(b, slow); err != nil {
		t.Fatalf("fast decoder accepted what proto.Unmarshal refuses: %v", err)
	}
	dropUnknown(slow.ProtoReflect())
	if !proto.Equal(fast, slow) {
		t.Fatalf("decoders differ:\nfast %v\nslow %v", fast, slow)
	}
}

// FuzzFastRoutes holds the hand-written Routes decoder to proto.Unmarshal:
// whatever it accepts, the generated decoder accepts too and decodes to
// an equal message.
func FuzzFastRoutes(f *testing.F) {
	full := smallTables()
	for _, rs := range [][]Route{full.Routes, fullRoutes()} {
		b, err := encodeTable(TableRoutes, &Tables{Routes: rs})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	// Unpacked repeated values, and a field given twice.
	f.Add([]byte{0x08, 0x02, 0x10, 0x02, 0x10, 0x0a, 0x12, 0x01, 0x02})
	f.Fuzz(func(t *testing.T, b []byte) { sameAsProto(t, b, fastRoutes) })
}

// fullRoutes is a route with every column set, built here because
// snapshots/synth imports this package.
func fullRoutes() []Route {
	return []Route{{Family: AFInet6, Table: 1000, Protocol: 186, Scope: 253, Type: 1, Flags: 0x200, TOS: 4,
		Dst: mustPrefix("2001:db8::/32"), IIF: 3, PrefSrc: mustAddr("2001:db8::1"), Priority: 1024,
		NextHops: []NextHop{{Gateway: mustAddr("fe80::1"), OIF: -2, Weight: 2, Flags: 4, Realms: 7,
			X: &NextHopExtra{EncapType: 1, Encap: []byte{0, 1}, Raw: []RawAttr{{Type: 3, Data: []byte{1}}}}}},
		Multipath: true, Cloned: true,
		X: &RouteExtra{Src: mustPrefix("2001:db8:1::/48"), Metrics: []RouteMetric{{Type: 2, Value: 1400}},
			CongCtl: "bbr", Pref: 1, Mark: 9, NHID: 12, Expires: 1 << 40,
			Cache: &RouteCacheInfo{ClntRef: 1, Used: 5}, Raw: []RawAttr{{Type: 99, Data: []byte{1, 2}}}},
	}}
}

func mustPrefix(s string) netip.Prefix { return netip.MustParsePrefix(s) }
func mustAddr(s string) netip.Addr     { return netip.MustParseAddr(s) }

func dropUnknown(m protoreflect.Message) {
	m.SetUnknown(nil)
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.Message() == nil || fd.IsMap():
		case fd.IsList():
			for i := range v.List().Len() {
				dropUnknown(v.List().Get(i).Message())
			}
		default:
			dropUnknown(v.Message())
		}
		return true
	})
}

// FuzzFastInet holds the InetSockets decoder to proto.Unmarshal.
func FuzzFastInet(f *testing.F) {
	b, err := encodeTable(TableInet, &Tables{InetSockets: []InetSocket{{Proto: ProtoTCP, Family: AFInet, State: 1,
		Local: netip.MustParseAddrPort("10.1.0.1:22"), Remote: netip.MustParseAddrPort("10.1.0.2:5000"),
		Cookie: 7, Inode: 9, Ssthresh: -1, Cong: "cubic", SkMem: []uint32{1, 2}, MemInfo: []uint32{3},
		TCPInfo: []byte{1, 2, 3}, Raw: []RawAttr{{Type: 1, Data: []byte{4}}}}, {Proto: ProtoUDP}}})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) { sameAsProto(t, b, fastInet) })
}

// indexOf returns the decompressed index message of a snapshot file.
func indexOf(t testing.TB, path string) []byte {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := parseTrailer(b[len(b)-trailerSize:])
	if err != nil {
		t.Fatal(err)
	}
	dec, err := zstd.NewReader(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer dec.Close()
	raw, _, err := decompress(dec, b[tr.indexOffset+8:len(b)-trailerSize], maxIndexBytes)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// FuzzFastIndex holds the Index decoder to proto.Unmarshal.
func FuzzFastIndex(f *testing.F) {
	for _, p := range []string{"format-v1.0.nms", "format-v1.1.nms", "lab-series.nms"} {
		f.Add(indexOf(f, filepath.Join("..", "testdata", "snapshots", p)))
	}
	// Packed and unpacked pids, a meta given twice, a section with a hash.
	f.Add([]byte{0x12, 0x06, 0x2a, 0x02, 0x01, 0x02, 0x28, 0x03, 0x0a, 0x02, 0x08, 0x01, 0x0a, 0x02, 0x38, 0x64,
		0x22, 0x0a, 0x08, 0x03, 0x1a, 0x01, 0x61, 0x6d, 0x01, 0x02, 0x03, 0x04})
	f.Fuzz(func(t *testing.T, b []byte) {
		sameAsProto(t, b, fastIndex)
		// And the other way: what proto.Unmarshal accepts, so does the
		// index decoder.
		var slow, fast pb.Index
		if proto.Unmarshal(b, &slow) == nil {
			if err := fastIndex(&fast, b); err != nil {
				t.Fatalf("proto.Unmarshal accepts what the index decoder refuses: %v", err)
			}
		}
	})
}

// TestFastIndexFiles decodes the index of every kept snapshot file as
// proto.Unmarshal does, and refuses what the fast decoder must not accept.
func TestFastIndexFiles(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "snapshots", "*.nms"))
	if len(files) == 0 {
		t.Fatal("no snapshot files in testdata/snapshots")
	}
	for _, p := range files {
		raw := indexOf(t, p)
		var fast, slow pb.Index
		if err := fastIndex(&fast, raw); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if err := proto.Unmarshal(raw, &slow); err != nil {
			t.Fatal(err)
		}
		if len(fast.Sections) == 0 || !proto.Equal(&fast, &slow) {
			t.Fatalf("%s: decoders differ (%d sections)", p, len(fast.Sections))
		}
	}
	for name, b := range map[string][]byte{
		"hostname not UTF-8": {0x0a, 0x03, 0x0a, 0x01, 0xff},
		"truncated section":  {0x22, 0x05, 0x08, 0x01},
	} {
		var m pb.Index
		if err := fastIndex(&m, b); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// Fields of another wire type than their own are unknown fields, as
	// proto.Unmarshal has them.
	for name, b := range map[string][]byte{
		"section crc as varint": {0x22, 0x02, 0x68, 0x01},
		"frame index as bytes":  {0x1a, 0x03, 0x0a, 0x01, 0x00},
		"meta as a varint":      {0x08, 0x05},
		"meta with a bool":      {0x0a, 0x02, 0x28, 0x05},
	} {
		var m pb.Index
		if err := fastIndex(&m, b); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		sameAsProto(t, b, fastIndex)
	}
}
