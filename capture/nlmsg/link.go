package nlmsg

import (
	"fmt"

	"github.com/mdlayher/netlink"
	"github.com/netmortem/netmortem/snapshots"
)

// ParseLink decodes an RTM_NEWLINK message (struct ifinfomsg and its IFLA_*
// attributes). IFLA_LINKINFO and IFLA_PROP_LIST are decoded for the kind,
// slave kind and alternative names; when they hold anything else
// (IFLA_INFO_DATA, for instance) the whole attribute is also kept in Raw.
func ParseLink(m netlink.Message) (snapshots.Link, error) {
	l, err := parseLink(m)
	if err != nil {
		return snapshots.Link{}, fmt.Errorf("nlmsg: RTM_NEWLINK: %w", err)
	}
	return l, nil
}

func parseLink(m netlink.Message) (snapshots.Link, error) {
	var l snapshots.Link
	if err := checkType(uint16(m.Header.Type), rtmNewLink, "type"); err != nil {
		return l, err
	}
	b := m.Data
	if len(b) < sizeofIfInfomsg {
		return l, errShort("ifinfomsg", len(b), sizeofIfInfomsg)
	}
	l.Type = native.Uint16(b[2:])
	l.Index = int32(native.Uint32(b[4:]))
	l.Flags = native.Uint32(b[8:])
	l.ParentNetns = -1

	a := newAttrs(b[sizeofIfInfomsg:])
	for a.next() {
		switch a.kind() {
		case iflaIfname:
			l.Name = a.str()
		case iflaMTU:
			l.MTU = a.u32()
		case iflaMinMTU:
			l.MinMTU = a.u32()
		case iflaMaxMTU:
			l.MaxMTU = a.u32()
		case iflaAddress:
			l.HWAddr = a.bytes()
		case iflaBroadcast:
			l.Broadcast = a.bytes()
		case iflaPermAddress:
			l.PermAddr = a.bytes()
		case iflaOperState:
			l.OperState = a.u8()
		case iflaLinkMode:
			l.LinkMode = a.u8()
		case iflaCarrier:
			l.Carrier = a.u8()
		case iflaMaster:
			l.Master = int32(a.u32())
		case iflaLink:
			l.Parent = int32(a.u32())
		case iflaLinkNetnsid:
			l.ParentNetns = int32(a.u32())
		case iflaTxQLen:
			l.TxQueueLen = a.u32()
		case iflaQdisc:
			l.Qdisc = a.str()
		case iflaGroup:
			l.Group = a.u32()
		case iflaPromiscuity:
			l.Promiscuity = a.u32()
		case iflaNumTxQueues:
			l.NumTxQueues = a.u32()
		case iflaNumRxQueues:
			l.NumRxQueues = a.u32()
		case iflaIfAlias:
			l.Alias = a.str()
		case iflaStats64:
			if err := parseStats64(a.data, &l.Stats); err != nil {
				return l, err
			}
		case iflaLinkInfo:
			whole, err := parseLinkInfo(a.data, &l)
			if err != nil {
				return l, err
			}
			if !whole {
				l.Raw = append(l.Raw, a.raw())
			}
		case iflaPropList:
			whole, err := parsePropList(a.data, &l)
			if err != nil {
				return l, err
			}
			if !whole {
				l.Raw = append(l.Raw, a.raw())
			}
		case iflaPad:
		default:
			l.Raw = append(l.Raw, a.raw())
		}
	}
	return l, a.err
}

// parseLinkInfo takes the kind and slave kind from IFLA_LINKINFO and reports
// whether that was all it held.
func parseLinkInfo(b []byte, l *snapshots.Link) (whole bool, err error) {
	whole = true
	a := newAttrs(b)
	for a.next() {
		switch a.kind() {
		case iflaInfoKind:
			l.Kind = a.str()
		case iflaInfoSlaveKind:
			l.SlaveKind = a.str()
		default:
			whole = false
		}
	}
	if a.err != nil {
		return false, fmt.Errorf("IFLA_LINKINFO: %w", a.err)
	}
	return whole, nil
}

// parsePropList takes the alternative names from IFLA_PROP_LIST and reports
// whether that was all it held.
func parsePropList(b []byte, l *snapshots.Link) (whole bool, err error) {
	whole = true
	a := newAttrs(b)
	for a.next() {
		if a.kind() == iflaAltIfname {
			l.AltNames = append(l.AltNames, a.str())
		} else {
			whole = false
		}
	}
	if a.err != nil {
		return false, fmt.Errorf("IFLA_PROP_LIST: %w", a.err)
	}
	return whole, nil
}

// parseStats64 decodes struct rtnl_link_stats64. Older kernels send fewer
// fields (the rest stay zero); counters a newer kernel appended go to Extra.
func parseStats64(b []byte, s *snapshots.LinkStats) error {
	if len(b)%8 != 0 || len(b) == 0 {
		return fmt.Errorf("IFLA_STATS64: length %d is not a positive multiple of 8", len(b))
	}
	fields := [...]*uint64{
		&s.RxPackets, &s.TxPackets, &s.RxBytes, &s.TxBytes,
		&s.RxErrors, &s.TxErrors, &s.RxDropped, &s.TxDropped,
		&s.Multicast, &s.Collisions,
		&s.RxLengthErrors, &s.RxOverErrors, &s.RxCRCErrors,
		&s.RxFrameErrors, &s.RxFIFOErrors, &s.RxMissedErrors,
		&s.TxAbortedErrors, &s.TxCarrierErrors, &s.TxFIFOErrors,
		&s.TxHeartbeatErrors, &s.TxWindowErrors,
		&s.RxCompressed, &s.TxCompressed, &s.RxNoHandler,
		&s.RxOtherhostDropped,
	}
	n := len(b) / 8
	s.Extra = nil
	for i := range n {
		v := native.Uint64(b[8*i:])
		if i < len(fields) {
			*fields[i] = v
		} else {
			s.Extra = append(s.Extra, v)
		}
	}
	s.Valid = true
	return nil
}
