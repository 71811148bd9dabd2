package snapshots

import (
	"net/netip"
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/netmortem/netmortem/snapshots/pb"
)

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
	f.Fuzz(func(t *testing.T, b []byte) {
		var fast pb.Routes
		if err := fastRoutes(&fast, b); err != nil {
			return
		}
		var slow pb.Routes
		if err := proto.Unmarshal(b, &slow); err != nil {
			t.Fatalf("fast decoder accepted what proto.Unmarshal refuses: %v", err)
		}
		dropUnknown(slow.ProtoReflect()) // the fast decoder skips fields it does not know
		if !proto.Equal(&fast, &slow) {
			t.Fatalf("decoders differ:\nfast %v\nslow %v", &fast, &slow)
		}
	})
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
		if fd.Message() != nil && !fd.IsList() && !fd.IsMap() {
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
	f.Fuzz(func(t *testing.T, b []byte) {
		var fast pb.InetSockets
		if err := fastInet(&fast, b); err != nil {
			return
		}
		var slow pb.InetSockets
		if err := proto.Unmarshal(b, &slow); err != nil {
			t.Fatalf("fast decoder accepted what proto.Unmarshal refuses: %v", err)
		}
		dropUnknown(slow.ProtoReflect())
		if !proto.Equal(&fast, &slow) {
			t.Fatalf("decoders differ:\nfast %v\nslow %v", &fast, &slow)
		}
	})
}
