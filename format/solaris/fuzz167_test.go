package solaris

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"strings"
	"testing"

	"github.com/netmortem/netmortem/snapshots"
)

// fxBytes hands out the bytes of a fuzz input as field values; past the
// end every value is zero.
type fxBytes struct{ b []byte }

func (f *fxBytes) u8() uint8 {
	if len(f.b) == 0 {
		return 0
	}
	v := f.b[0]
	f.b = f.b[1:]
	return v
}

func (f *fxBytes) u16() uint16 { return uint16(f.u8())<<8 | uint16(f.u8()) }
func (f *fxBytes) u32() uint32 { return uint32(f.u16())<<16 | uint32(f.u16()) }
func (f *fxBytes) n(max int) int {
	if max <= 0 {
		return 0
	}
	return int(f.u8()) % max
}

func (f *fxBytes) bytes(max int) []byte {
	n := f.n(max + 1)
	out := make([]byte, 0, n)
	for range n {
		out = append(out, f.u8())
	}
	return out
}

func (f *fxBytes) addr() netip.Addr {
	switch f.u8() % 5 {
	case 0:
		return netip.Addr{}
	case 1:
		return netip.AddrFrom4([4]byte{f.u8(), f.u8(), f.u8(), f.u8()})
	case 2:
		return netip.AddrFrom4([4]byte{10, 1, 0, f.u8() % 4})
	case 3:
		var b [16]byte
		b[0], b[1], b[15] = 0xfd, 0, f.u8()%4
		return netip.AddrFrom16(b)
	}
	var b [16]byte
	for i := range b {
		b[i] = f.u8()
	}
	return netip.AddrFrom16(b)
}

func (f *fxBytes) prefix() netip.Prefix {
	a := f.addr()
	if !a.IsValid() {
		return netip.Prefix{}
	}
	p, err := a.Prefix(f.n(a.BitLen() + 1))
	if err != nil {
		return netip.Prefix{}
	}
	return p
}

func (f *fxBytes) name() string {
	return [...]string{"", "lo", "a0", "a0:1", "a1", "veth-long-name0", "\x00x", "bad\nname"}[f.n(8)]
}

// fxTablesFrom builds tables of every kind the forms read, with values
// chosen by the input: missing links, odd families, states and lengths.
func fxTablesFrom(in []byte) *snapshots.Tables {
	f := &fxBytes{b: in}
	t := &snapshots.Tables{}
	for i := f.n(5); i > 0; i-- {
		t.Links = append(t.Links, snapshots.Link{Index: int32(f.n(6)), Name: f.name(), Flags: f.u32(), MTU: f.u32(),
			Stats: snapshots.LinkStats{RxPackets: uint64(f.u32()), TxPackets: uint64(f.u32()), Valid: f.u8()&1 == 1}})
	}
	fams := [...]uint8{snapshots.AFInet, snapshots.AFInet6, 0, 128}
	for i := f.n(6); i > 0; i-- {
		t.Addrs = append(t.Addrs, snapshots.Addr{Family: fams[f.n(4)], Index: int32(f.n(6)), PrefixLen: f.u8(),
			Address: f.addr(), Local: f.addr(), Label: f.name(), Flags: f.u32()})
	}
	for i := f.n(8); i > 0; i-- {
		r := snapshots.Route{Family: fams[f.n(4)], Table: uint32(f.u8()) + 250*uint32(f.u8()&1), Protocol: f.u8(),
			Scope: f.u8(), Type: f.u8() % 13, Flags: f.u32(), Dst: f.prefix(), PrefSrc: f.addr(),
			Priority: f.u32(), Multipath: f.u8()&1 == 1, Cloned: f.u8()&1 == 1, X: &snapshots.RouteExtra{Src: f.prefix()},
		}
		if f.u8()&1 == 1 {
			r.X.Metrics = []snapshots.RouteMetric{{Type: snapshots.RTAXMTU, Value: f.u32()}}
		}
		if f.u8()&1 == 1 {
			r.X.Cache = &snapshots.RouteCacheInfo{ClntRef: f.u32(), Used: f.u32()}
		}
		for j := f.n(3); j > 0; j-- {
			r.NextHops = append(r.NextHops, snapshots.NextHop{Gateway: f.addr(), OIF: int32(f.n(6)), Weight: f.u16(), Flags: f.u8()})
		}
		t.Routes = append(t.Routes, r)
	}
	for i := f.n(4); i > 0; i-- {
		r := snapshots.Rule{Family: fams[f.n(4)], Priority: f.u32(), Table: f.u32(), Action: f.u8() % 10, Flags: f.u32(),
			TOS: f.u8(), Src: f.prefix(), Dst: f.prefix(), IIFName: f.name(), HasFwMark: f.u8()&1 == 1, FwMark: f.u32(),
			FwMask: f.u32(), Flow: f.u32(), SuppressPrefixLen: int32(int8(f.u8())), SuppressIfGroup: int32(int8(f.u8())), IPProto: f.u8()}
		if f.u8()&1 == 1 {
			r.UIDRange = &[2]uint32{f.u32(), f.u32()}
			r.SPortRange = &[2]uint16{f.u16(), f.u16()}
		}
		t.Rules = append(t.Rules, r)
	}
	protos := [...]uint16{snapshots.ProtoTCP, snapshots.ProtoUDP, snapshots.ProtoUDPLite, snapshots.ProtoRaw, snapshots.ProtoMPTCP, snapshots.ProtoICMP}
	for i := f.n(8); i > 0; i-- {
		t.InetSockets = append(t.InetSockets, snapshots.InetSocket{Proto: protos[f.n(len(protos))], RawProto: uint16(f.u8()),
			Family: fams[f.n(4)], State: f.u8() % 16, Local: netip.AddrPortFrom(f.addr(), f.u16()),
			Remote: netip.AddrPortFrom(f.addr(), f.u16()), IfIndex: uint32(f.n(8)), Cookie: uint64(f.u8()),
			SendQ: f.u32(), RecvQ: f.u32(), RTO: f.u32(), Inode: uint64(f.u8()), TCPInfo: f.bytes(250)})
	}
	for i := f.n(3); i > 0; i-- {
		t.SCTPEndpoints = append(t.SCTPEndpoints, snapshots.SCTPEndpoint{State: f.u8() % 12, Port: f.u16(),
			Inode: uint64(f.n(3)), Addrs: []netip.Addr{f.addr(), f.addr()}[:f.n(3)]})
	}
	for i := f.n(3); i > 0; i-- {
		a := snapshots.SCTPAssoc{Family: fams[f.n(4)], State: f.u8() % 10, Inode: uint64(f.n(3)), LocalPort: f.u16(),
			RemotePort: f.u16(), TxQueue: f.u32(), InStreams: f.u32()}
		for j := f.n(3); j > 0; j-- {
			a.Locals = append(a.Locals, snapshots.SCTPAddr{Addr: f.addr()})
			a.Remotes = append(a.Remotes, snapshots.SCTPAddr{Addr: f.addr(), Primary: f.u8()&1 == 1, Active: f.u8() % 3})
		}
		t.SCTPAssocs = append(t.SCTPAssocs, a)
	}
	for i := f.n(6); i > 0; i-- {
		t.UnixSockets = append(t.UnixSockets, snapshots.UnixSocket{Type: f.u8() % 7, State: f.u8() % 14,
			Inode: uint64(f.n(6)), Peer: uint64(f.n(6)), VFSInode: uint64(f.u32()), Name: string(f.bytes(60))})
	}
	return t
}

var fxFuzzArgs = [][]string{
	{"-a"}, {"-anv"}, {"-P", "raw", "-a"}, {"-P", "sctp", "-av"}, {"-f", "unix", "-v"},
	{"-ranv"}, {"-rn", "-f", "flags:+G"}, {"-ia"}, {"-ian", "-f", "inet6"}, {"-I", "a0", "-a"}, {"-i", "1"},
}

// FuzzForms167 renders forms 1, 6 and 7 of arbitrary tables (written to a
// snapshot and read back, as a customer's file would be): no input may
// panic, JSON must be valid, and route rows end in a blank.
func FuzzForms167(f *testing.F) {
	f.Add([]byte{})
	f.Add(bytes.Repeat([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9}, 40))
	f.Add(bytes.Repeat([]byte{0xff, 0x80, 0x10, 0x3, 0x0}, 80))
	f.Fuzz(func(t *testing.T, in []byte) {
		var buf bytes.Buffer
		w, err := snapshots.NewWriter(&buf, fxMeta("fuzz"))
		if err != nil {
			t.Fatal(err)
		}
		if err := fxFill(w, "fuzz", []*snapshots.Tables{fxTablesFrom(in)}); err != nil {
			return // the writer refused the tables; nothing to replay
		}
		data := buf.Bytes()
		for _, args := range fxFuzzArgs {
			for _, output := range []string{"text", "json"} {
				r, err := snapshots.NewReader(bytes.NewReader(data), int64(len(data)), snapshots.ReaderOptions{})
				if err != nil {
					t.Fatal(err)
				}
				passes, err := fxPasses(r, args...)
				if err != nil {
					r.Close()
					continue // e.g. a filter naming an interface the tables lack
				}
				var out bytes.Buffer
				err = Render(&out, output, passes)
				r.Close()
				if err != nil {
					if !strings.Contains(err.Error(), "no such interface") && !strings.Contains(err.Error(), "no compatible interfaces") {
						t.Errorf("%v %s: %v", args, output, err)
					}
					continue
				}
				if output == "json" && !json.Valid(out.Bytes()) {
					t.Errorf("%v: invalid JSON", args)
				}
				if output == "text" && args[0] == "-rn" {
					for _, l := range strings.Split(out.String(), "\n") {
						if l != "" && !strings.HasPrefix(l, "Routing Table") && !strings.HasSuffix(l, " ") {
							t.Errorf("route line without its trailing blank: %q", l)
						}
					}
				}
			}
		}
	})
}
