package nlmsg

import (
	"fmt"

	"github.com/mdlayher/netlink"
	"github.com/netmortem/netmortem/snapshots"
)

const sizeofIfaCacheinfo = 16 // struct ifa_cacheinfo

// ParseAddr decodes an RTM_NEWADDR message (struct ifaddrmsg and its IFA_*
// attributes). Flags is the 32-bit IFA_FLAGS when present, else the 8-bit
// ifa_flags of the header.
func ParseAddr(m netlink.Message) (snapshots.Addr, error) {
	a, err := parseAddr(m)
	if err != nil {
		return snapshots.Addr{}, fmt.Errorf("nlmsg: RTM_NEWADDR: %w", err)
	}
	return a, nil
}

func parseAddr(m netlink.Message) (snapshots.Addr, error) {
	var x snapshots.Addr
	if err := checkType(uint16(m.Header.Type), rtmNewAddr, "type"); err != nil {
		return x, err
	}
	b := m.Data
	if len(b) < sizeofIfAddrmsg {
		return x, errShort("ifaddrmsg", len(b), sizeofIfAddrmsg)
	}
	x.Family = b[0]
	x.PrefixLen = b[1]
	x.Flags = uint32(b[2])
	x.Scope = b[3]
	x.Index = int32(native.Uint32(b[4:]))

	a := newAttrs(b[sizeofIfAddrmsg:])
	for a.next() {
		switch a.kind() {
		case ifaAddress:
			x.Address = a.addr()
		case ifaLocal:
			x.Local = a.addr()
		case ifaBroadcast:
			x.Broadcast = a.addr()
		case ifaAnycast:
			x.Anycast = a.addr()
		case ifaLabel:
			x.Label = a.str()
		case ifaFlags:
			x.Flags = a.u32()
		case ifaProto:
			x.Proto = a.u8()
		case ifaCacheInfo:
			if len(a.data) != sizeofIfaCacheinfo {
				a.fail("struct ifa_cacheinfo")
				break
			}
			x.Preferred = native.Uint32(a.data[0:])
			x.Valid = native.Uint32(a.data[4:])
			x.Created = native.Uint32(a.data[8:])
			x.Updated = native.Uint32(a.data[12:])
			x.HasCacheInfo = true
		default:
			x.Raw = append(x.Raw, a.raw())
		}
	}
	return x, a.err
}
