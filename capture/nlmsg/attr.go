package nlmsg

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"

	"github.com/netmortem/netmortem/snapshots"
)

// Netlink payloads are in the byte order of the host that produced them.
// Decoding runs on that host at capture time, so native order is right; the
// recorded test dumps come from a little-endian machine.
var native = binary.NativeEndian

// attrs walks a block of netlink attributes without copying, in the manner of
// netlink.AttributeDecoder: next advances, the getters check the exact length
// and the first error sticks. It exists because AttributeDecoder copies every
// attribute's payload into a fresh slice, which at a million routes is
// several million allocations of garbage. Nothing here may outlive the
// message: what a decoder keeps goes through clone.
type attrs struct {
	b    []byte
	typ  uint16 // full type, including the NLA_F_NESTED and byte-order bits
	data []byte
	err  error
}

func newAttrs(b []byte) attrs { return attrs{b: b} }

// next advances to the next attribute and reports whether there is one.
func (a *attrs) next() bool {
	if a.err != nil || len(a.b) == 0 {
		return false
	}
	if len(a.b) < sizeofNlattr {
		a.err = fmt.Errorf("%d trailing bytes after the last attribute", len(a.b))
		return false
	}
	l := int(native.Uint16(a.b))
	if l < sizeofNlattr || l > len(a.b) {
		a.err = fmt.Errorf("attribute %d claims length %d, %d bytes left",
			native.Uint16(a.b[2:])&attrTypeMask, l, len(a.b))
		return false
	}
	a.typ = native.Uint16(a.b[2:])
	a.data = a.b[sizeofNlattr:l]
	if al := align4(l); al < len(a.b) {
		a.b = a.b[al:]
	} else {
		a.b = nil
	}
	return true
}

const attrTypeMask = 0x3fff

// kind returns the attribute type without the flag bits.
func (a *attrs) kind() uint16 { return a.typ & attrTypeMask }

func (a *attrs) fail(what string) {
	if a.err == nil {
		a.err = fmt.Errorf("attribute %d is not %s (length %d)", a.kind(), what, len(a.data))
	}
}

func (a *attrs) u8() uint8 {
	if len(a.data) != 1 {
		a.fail("a u8")
		return 0
	}
	return a.data[0]
}

func (a *attrs) u16() uint16 {
	if len(a.data) != 2 {
		a.fail("a u16")
		return 0
	}
	return native.Uint16(a.data)
}

func (a *attrs) u32() uint32 {
	if len(a.data) != 4 {
		a.fail("a u32")
		return 0
	}
	return native.Uint32(a.data)
}

func (a *attrs) u64() uint64 {
	if len(a.data) != 8 {
		a.fail("a u64")
		return 0
	}
	return native.Uint64(a.data)
}

// uint32or64 reads a counter the kernel sends as either width.
func (a *attrs) uint32or64() uint64 {
	switch len(a.data) {
	case 4:
		return uint64(native.Uint32(a.data))
	case 8:
		return native.Uint64(a.data)
	}
	a.fail("a u32 or u64")
	return 0
}

// str returns a NUL-terminated string attribute (the NUL and anything after
// it dropped).
func (a *attrs) str() string { return cstring(a.data) }

// bytes returns a copy of the payload.
func (a *attrs) bytes() []byte { return clone(a.data) }

// raw returns the attribute as a snapshot RawAttr, its payload copied.
func (a *attrs) raw() snapshots.RawAttr {
	return snapshots.RawAttr{Type: a.typ, Data: clone(a.data)}
}

// addr decodes a 4- or 16-byte address.
func (a *attrs) addr() netip.Addr {
	ip, ok := addrFrom(a.data)
	if !ok {
		a.fail("an IPv4 or IPv6 address")
	}
	return ip
}

// prefix decodes an address attribute with a length from the fixed header.
func (a *attrs) prefix(bits uint8) netip.Prefix {
	ip := a.addr()
	if !ip.IsValid() {
		return netip.Prefix{}
	}
	if int(bits) > ip.BitLen() {
		if a.err == nil {
			a.err = fmt.Errorf("attribute %d: prefix length %d exceeds a %d-bit address", a.kind(), bits, ip.BitLen())
		}
		return netip.Prefix{}
	}
	return netip.PrefixFrom(ip, int(bits))
}

// u32s decodes an array of u32 (SKMEMINFO, ICONS …).
func (a *attrs) u32s() []uint32 {
	if len(a.data)%4 != 0 {
		a.fail("an array of u32")
		return nil
	}
	out := make([]uint32, len(a.data)/4)
	for i := range out {
		out[i] = native.Uint32(a.data[4*i:])
	}
	return out
}

func addrFrom(b []byte) (netip.Addr, bool) {
	switch len(b) {
	case 4:
		return netip.AddrFrom4([4]byte(b)), true
	case 16:
		return netip.AddrFrom16([16]byte(b)), true
	}
	return netip.Addr{}, false
}

func cstring(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	out := make([]byte, len(b))
	copy(out, b)
	return out
}

func align4(n int) int { return (n + 3) &^ 3 }

// errShort reports a fixed header shorter than its struct.
func errShort(what string, got, want int) error {
	return fmt.Errorf("%s: %d bytes, want at least %d", what, got, want)
}

// checkType rejects a message of the wrong type.
func checkType(got uint16, want uint16, name string) error {
	if got != want {
		return fmt.Errorf("%s: message type %d, want %d", name, got, want)
	}
	return nil
}

// ErrFamily reports a message of a family the decoder does not handle, e.g.
// an IPMR entry given to ParseRoute.
var ErrFamily = errors.New("unexpected address family")
