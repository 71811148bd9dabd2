package diff

import (
	"math"
	"net/netip"
	"testing"
	"time"

	"github.com/netmortem/netmortem/snapshots"
)

// fz turns fuzz bytes into table values; values come from small sets so
// that keys collide (duplicate keys, the same address on two devices …).
type fz struct{ b []byte }

func (f *fz) u8() uint8 {
	if len(f.b) == 0 {
		return 0
	}
	v := f.b[0]
	f.b = f.b[1:]
	return v
}

func (f *fz) bytes(n int) []byte {
	n = min(n, len(f.b))
	out := f.b[:n:n]
	f.b = f.b[n:]
	return out
}

func (f *fz) u32() uint32 {
	return uint32(f.u8())<<24 | uint32(f.u8())<<16 | uint32(f.u8())<<8 | uint32(f.u8())
}
func (f *fz) u64() uint64   { return uint64(f.u32())<<32 | uint64(f.u32()) }
func (f *fz) n(max int) int { return int(f.u8()) % (max + 1) }

func (f *fz) name() string {
	return []string{"", "lo", "a0", "a1", "a0:1", "\x00abs", "/run/x.sock"}[f.n(6)]
}

func (f *fz) addr() netip.Addr {
	switch f.u8() % 4 {
	case 0:
		return netip.Addr{}
	case 1:
		return netip.AddrFrom4([4]byte{10, 0, 0, f.u8() % 4})
	case 2:
		return netip.AddrFrom16([16]byte{0xfd, 0, 15: f.u8() % 4})
	}
	return netip.AddrFrom4([4]byte{f.u8(), f.u8(), f.u8(), f.u8()})
}

func (f *fz) prefix() netip.Prefix {
	a := f.addr()
	if !a.IsValid() {
		return netip.Prefix{}
	}
	p, _ := a.Prefix(f.n(a.BitLen()))
	return p
}

func (f *fz) addrPort() netip.AddrPort { return netip.AddrPortFrom(f.addr(), uint16(f.n(3))) }

func (f *fz) counter() uint64 {
	switch f.u8() % 4 {
	case 0:
		return uint64(f.u8())
	case 1:
		return math.MaxUint32 - uint64(f.u8())
	case 2:
		return math.MaxUint64 - uint64(f.u8())
	}
	return f.u64()
}

func (f *fz) tables() *snapshots.Tables {
	ts := &snapshots.Tables{}
	for range f.n(4) {
		ts.Links = append(ts.Links, snapshots.Link{Index: int32(f.n(4)), Name: f.name(), MTU: uint32(f.n(2)), Flags: f.u32(),
			ParentNetns: int32(f.n(2)) - 1, Parent: int32(f.n(4)), Master: int32(f.n(4)), HWAddr: f.bytes(f.n(6)),
			Stats: snapshots.LinkStats{Valid: f.u8()%2 == 0, RxBytes: f.counter(), TxPackets: f.counter(), Extra: []uint64{f.counter()}}})
	}
	for range f.n(4) {
		ts.Addrs = append(ts.Addrs, snapshots.Addr{Family: []uint8{2, 10, 0}[f.n(2)], Index: int32(f.n(4)), PrefixLen: f.u8(),
			Address: f.addr(), Local: f.addr(), Label: f.name(), Flags: f.u32(), Scope: f.u8()})
	}
	for range f.n(6) {
		r := snapshots.Route{Family: []uint8{2, 10, 128}[f.n(2)], Table: uint32(f.n(3)) + 253, Type: uint8(f.n(12)),
			Dst: f.prefix(), Priority: uint32(f.n(2)), Protocol: f.u8(), PrefSrc: f.addr(), IIF: int32(f.n(4)),
			Cloned: f.u8()%4 == 0, TOS: uint8(f.n(1)), X: &snapshots.RouteExtra{Src: f.prefix()},
		}
		for range f.n(3) {
			r.NextHops = append(r.NextHops, snapshots.NextHop{Gateway: f.addr(), OIF: int32(f.n(4)), Weight: uint16(f.n(3)), Flags: f.u8()})
		}
		for range f.n(2) {
			r.X.Metrics = append(r.X.Metrics, snapshots.RouteMetric{Type: uint16(f.n(20)), Value: f.u32()})
		}
		ts.Routes = append(ts.Routes, r)
	}
	for range f.n(3) {
		r := snapshots.Rule{Family: 2, Priority: uint32(f.n(3)), Table: uint32(f.n(255)), Action: f.u8(), Src: f.prefix(),
			IIFName: f.name(), Flags: uint32(f.n(3)), SuppressPrefixLen: int32(f.n(2)) - 1, SuppressIfGroup: -1}
		if f.u8()%2 == 0 {
			r.UIDRange = &[2]uint32{uint32(f.n(3)), uint32(f.n(3))}
		}
		ts.Rules = append(ts.Rules, r)
	}
	for range f.n(4) {
		ts.Neighbours = append(ts.Neighbours, snapshots.Neighbour{Family: 2, Index: int32(f.n(4)), Addr: f.addr(),
			LLAddr: f.bytes(f.n(6)), State: uint16(1) << f.n(8), Flags: uint32(f.u8()), Proxy: f.u8()%4 == 0})
	}
	for range f.n(5) {
		ts.InetSockets = append(ts.InetSockets, snapshots.InetSocket{Proto: []uint16{6, 17, 255}[f.n(2)], Family: 2,
			State: uint8(f.n(12)), Local: f.addrPort(), Remote: f.addrPort(), Inode: uint64(f.n(5)), RecvQ: uint32(f.n(2)),
			SendQ: uint32(f.n(2)), IfIndex: uint32(f.n(4)), Drops: uint32(f.counter())})
	}
	for range f.n(4) {
		ts.UnixSockets = append(ts.UnixSockets, snapshots.UnixSocket{Type: uint8(f.n(5)), State: uint8(f.n(10)) + 1,
			Name: f.name(), Inode: uint64(f.n(5)), Peer: uint64(f.n(5))})
	}
	for range f.n(2) {
		ts.PacketSockets = append(ts.PacketSockets, snapshots.PacketSocket{Type: 3, Proto: uint16(f.n(3)), IfIndex: int32(f.n(4)), Inode: uint64(f.n(3))})
	}
	for range f.n(2) {
		ts.SCTPAssocs = append(ts.SCTPAssocs, snapshots.SCTPAssoc{LocalPort: uint16(f.n(2)), RemotePort: 1, State: f.u8(),
			Remotes: []snapshots.SCTPAddr{{Addr: f.addr(), Primary: true}}, Inode: uint64(f.n(3))})
	}
	for range f.n(3) {
		m := snapshots.Membership{Family: 2, IfIndex: int32(f.n(4)), Group: f.addr(), Users: uint32(f.n(3)), Mode: uint8(f.n(3))}
		for range f.n(2) {
			m.Sources = append(m.Sources, snapshots.MemberSource{Addr: f.addr()})
		}
		ts.Groups = append(ts.Groups, m)
	}
	for range f.n(2) {
		ts.MFC = append(ts.MFC, snapshots.MFCEntry{Family: 2, Table: 253, Source: f.addr(), Group: f.addr(), IIF: int32(f.n(4)),
			IIFVif: int32(f.n(3)) - 1, Packets: f.counter(), Oifs: []snapshots.MFCOif{{Vif: int32(f.n(2)), IfIndex: int32(f.n(4))}}})
	}
	for range f.n(3) {
		set := snapshots.CounterSet{Source: []string{"snmp", "sockstat", "dev_snmp6/a0"}[f.n(2)], Group: []string{"Tcp", "Ip", "if"}[f.n(2)]}
		for range f.n(3) {
			set.Counters = append(set.Counters, snapshots.Counter{Name: []string{"CurrEstab", "InReceives", "ifIndex"}[f.n(2)],
				Value: f.counter(), Signed: f.u8()%4 == 0})
		}
		ts.Counters = append(ts.Counters, set)
	}
	for range f.n(2) {
		c := snapshots.SoftnetCPU{CPU: int32(f.n(2))}
		for range f.n(16) {
			c.Values = append(c.Values, f.u32())
		}
		ts.Softnet = append(ts.Softnet, c)
	}
	for range f.n(2) {
		ts.Leases = append(ts.Leases, snapshots.Lease{Interface: f.name(), Family: 2, Address: f.addr(),
			Start: time.Unix(int64(f.n(3)), 0)})
	}
	for range f.n(3) {
		ts.Owners = append(ts.Owners, snapshots.SocketOwner{Inode: uint64(f.n(5)), Pid: int32(f.n(3)), Command: f.name()})
	}
	return ts
}

// FuzzCompare builds two namespaces from the input and checks what holds
// whatever the rows: no panic, a side equals itself, every row of a
// simple table is accounted for once on each side, and no counter delta is
// a fall disguised as a huge number.
func FuzzCompare(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("\x04\x01\x02\x00\x00\x00\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"))
	f.Add([]byte("\x03\x03\x02\x01\x01\x02\x02\x02\x02\x02\x06\x05\x04\x03\x02\x01\x00\xff\xfe\xfd\xfc\xfb\xfa\x01\x02\x03\x04"))
	f.Add(make([]byte, 512))
	seq := make([]byte, 1024)
	for i := range seq {
		seq[i] = byte(i * 7)
	}
	f.Add(seq)
	f.Fuzz(func(t *testing.T, data []byte) {
		fo := &fz{b: data[:len(data)/2]}
		fn := &fz{b: data[len(data)/2:]}
		a, b := fo.tables(), fn.tables()
		old := &Side{Tables: a, Time: t0, BootTime: t0, NSInode: 1}
		if r := Compare(old, old, Options{}); r.Differs() {
			t.Fatalf("a side differs from itself: %+v", lines(r))
		}
		new := &Side{Tables: b, Time: t0.Add(time.Second), BootTime: t0, NSInode: 1}
		r := Compare(old, new, Options{})
		rows := map[string][2]int{
			"routes": {len(a.Routes), len(b.Routes)}, "rules": {len(a.Rules), len(b.Rules)},
			"neighbours": {len(a.Neighbours), len(b.Neighbours)}, "inet sockets": {len(a.InetSockets), len(b.InetSockets)},
			"unix sockets": {len(a.UnixSockets), len(b.UnixSockets)}, "packet sockets": {len(a.PacketSockets), len(b.PacketSockets)},
			"interfaces": {len(a.Links), len(b.Links)}, "memberships": {len(a.Groups), len(b.Groups)},
		}
		checkSame(t, old, new)
		for _, s := range r.Sections {
			if n, ok := rows[s.Name]; ok && (s.Removed+s.Changed+s.Unchanged != n[0] || s.Added+s.Changed+s.Unchanged != n[1]) {
				t.Errorf("%s: %d old and %d new rows, got +%d -%d ~%d =%d", s.Name, n[0], n[1], s.Added, s.Removed, s.Changed, s.Unchanged)
			}
			for _, c := range s.Counters {
				if c.HasDelta && !c.Gauge && (c.Delta < 0 || (c.Reset == ResetWrap32 && c.Delta >= 1<<31)) {
					t.Errorf("%s: %+v", c.Name, c)
				}
			}
		}
	})
}

// checkSame holds every fast equality to its promise: when it says two rows
// are the same, their compared fields are equal.
func checkSame(t *testing.T, old, new *Side) {
	c := &comparer{old: newSide(old), new: newSide(new)}
	c.old.sameIdx = sameIndexes(c.old, c.new)
	c.new.sameIdx = c.old.sameIdx
	sameCheck(t, c, "routes", &routeSpec, old.Tables.Routes, new.Tables.Routes)
	sameCheck(t, c, "neighbours", &neighSpec, old.Tables.Neighbours, new.Tables.Neighbours)
	sameCheck(t, c, "inet", &inetSpec, old.Tables.InetSockets, new.Tables.InetSockets)
	sameCheck(t, c, "unix", &unixSpec, old.Tables.UnixSockets, new.Tables.UnixSockets)
}

func sameCheck[T any, K comparable](t *testing.T, c *comparer, name string, sp *spec[T, K], a, b []T) {
	for i := range a {
		for j := range b {
			if !sp.same(c.old, &a[i], c.new, &b[j]) {
				continue
			}
			_, oa := sp.desc(c.old, &a[i])
			_, na := sp.desc(c.new, &b[j])
			if ch := diffFields(oa, na); len(ch) > 0 {
				t.Errorf("%s: same() but fields differ: %+v", name, ch)
			}
		}
	}
}
