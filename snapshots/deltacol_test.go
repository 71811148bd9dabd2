package snapshots

import (
	"bytes"
	"math"
	"net/netip"
	"slices"
	"testing"

	"github.com/netmortem/netmortem/snapshots/pb"
)

func TestDeltaAddrsRoundTrip(t *testing.T) {
	addrs := []netip.Addr{
		netip.MustParseAddr("10.0.0.0"), {}, netip.MustParseAddr("10.0.1.0"),
		netip.MustParseAddr("::1"), netip.MustParseAddr("9.255.255.255"), // backwards: wraps
		netip.MustParseAddr("ffff::"), netip.MustParseAddr("255.255.255.255"),
		netip.MustParseAddr("0.0.0.1"), netip.MustParseAddr("::"),
	}
	c := encAddrs(len(addrs), func(i int) netip.Addr { return addrs[i] })
	plain := slices.Clone(c.Data)
	deltaAddrs(c)
	if c.Data != nil || bytes.Equal(c.Delta, plain) {
		t.Fatalf("delta not applied: data %x delta %x", c.Data, c.Delta)
	}
	// 10.0.1.0 - 10.0.0.0 = 0.0.1.0
	if got := c.Delta[4:8]; !bytes.Equal(got, []byte{0, 0, 1, 0}) {
		t.Errorf("second IPv4 delta %x", got)
	}
	ck := &colCheck{rows: len(addrs)}
	r := ck.addrs("dst", c)
	if ck.err != nil {
		t.Fatal(ck.err)
	}
	for i, want := range addrs {
		if got := r.next(); got != want {
			t.Errorf("row %d: %v, want %v", i, got, want)
		}
	}
	c.Data = plain
	ck = &colCheck{rows: len(addrs)}
	ck.addrs("dst", c)
	if ck.err == nil {
		t.Error("a column with both data and delta was accepted")
	}
}

func TestDeltaU64(t *testing.T) {
	vals := []uint64{5, 6, 7, 3, math.MaxUint64, 0, 1 << 63}
	d := encDelta(len(vals), func(i int) uint64 { return vals[i] })
	ck := &colCheck{rows: len(vals)}
	if got := ck.u64Column("cookie", nil, d); !slices.Equal(got, vals) || ck.err != nil {
		t.Fatalf("got %v (%v), want %v", got, ck.err, vals)
	}
	if encDelta(3, func(int) uint64 { return 0 }) != nil {
		t.Error("an all-zero column was stored")
	}
	ck = &colCheck{rows: len(vals)}
	ck.u64Column("cookie", vals, d)
	if ck.err == nil {
		t.Error("a column given whole and as deltas was accepted")
	}
	ck = &colCheck{rows: len(vals) + 1}
	ck.u64Column("cookie", nil, d)
	if ck.err == nil {
		t.Error("a delta column of the wrong length was accepted")
	}
}

func TestTCPInfoFields(t *testing.T) {
	fields := (&pb.InetSockets{}).ProtoReflect().Descriptor().Fields()
	if want := fields.ByName("tcp_info_shuffled").Number(); tcpInfoShuffledField != want {
		t.Errorf("tcpInfoShuffledField = %d, the descriptor says %d", tcpInfoShuffledField, want)
	}
	if want := fields.ByName("tcp_info").Number(); tcpInfoField != want {
		t.Errorf("tcpInfoField = %d, the descriptor says %d", tcpInfoField, want)
	}
}
