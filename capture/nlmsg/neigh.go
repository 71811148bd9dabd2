package nlmsg

import (
	"fmt"

	"github.com/mdlayher/netlink"
	"github.com/netmortem/netmortem/snapshots"
)

const sizeofNdaCacheinfo = 16 // struct nda_cacheinfo

// ParseNeighbour decodes an RTM_NEWNEIGH message (struct ndmsg and its NDA_*
// attributes). Flags holds ndm_flags in its low byte and NDA_FLAGS_EXT
// shifted left by 8, as the model documents; extended flags that do not fit
// (bit 24 and up) keep NDA_FLAGS_EXT in Raw as well. Proxy is NTF_PROXY. A
// destination that is not an IP address (bridge or MPLS tables) stays raw.
func ParseNeighbour(m netlink.Message) (snapshots.Neighbour, error) {
	n, err := parseNeighbour(m)
	if err != nil {
		return snapshots.Neighbour{}, fmt.Errorf("nlmsg: RTM_NEWNEIGH: %w", err)
	}
	return n, nil
}

func parseNeighbour(m netlink.Message) (snapshots.Neighbour, error) {
	var n snapshots.Neighbour
	if err := checkType(uint16(m.Header.Type), rtmNewNeigh, "type"); err != nil {
		return n, err
	}
	b := m.Data
	if len(b) < sizeofNdmsg {
		return n, errShort("ndmsg", len(b), sizeofNdmsg)
	}
	n.Family = b[0]
	n.Index = int32(native.Uint32(b[4:]))
	n.State = native.Uint16(b[8:])
	n.Flags = uint32(b[10])
	n.Type = b[11]
	n.Proxy = b[10]&ntfProxy != 0

	a := newAttrs(b[sizeofNdmsg:])
	for a.next() {
		switch a.kind() {
		case ndaDst:
			if ip, ok := addrFrom(a.data); ok {
				n.Addr = ip
			} else {
				n.Raw = append(n.Raw, a.raw())
			}
		case ndaLLAddr:
			n.LLAddr = a.bytes()
		case ndaCacheInfo:
			if len(a.data) != sizeofNdaCacheinfo {
				a.fail("struct nda_cacheinfo")
				break
			}
			n.Confirmed = native.Uint32(a.data[0:])
			n.Used = native.Uint32(a.data[4:])
			n.Updated = native.Uint32(a.data[8:])
			n.RefCnt = native.Uint32(a.data[12:])
			n.HasCacheInfo = true
		case ndaProbes:
			n.Probes = a.u32()
		case ndaVLAN:
			n.VLAN = a.u16()
		case ndaMaster:
			n.Master = int32(a.u32())
		case ndaProtocol:
			n.Protocol = a.u8()
		case ndaFlagsExt:
			ext := a.u32()
			n.Flags |= ext << 8
			if ext>>24 != 0 {
				n.Raw = append(n.Raw, a.raw())
			}
		default:
			n.Raw = append(n.Raw, a.raw())
		}
	}
	return n, a.err
}
