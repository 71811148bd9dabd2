package nlmsg

import (
	"fmt"

	"github.com/mdlayher/netlink"
	"github.com/netmortem/netmortem/snapshots"
)

// ParseRule decodes an RTM_NEWRULE message (struct fib_rule_hdr and its FRA_*
// attributes) of any family, IPMR's included. The table is FRA_TABLE when
// present (the header's is 8 bits). SuppressPrefixLen and SuppressIfGroup
// are -1 unless the kernel sent a value; the kernel itself sends -1 for
// "unset" in FRA_SUPPRESS_PREFIXLEN. Selectors the model has no field for
// (FRA_TUN_ID, FRA_DSCP, FRA_FLOWLABEL …) stay in Raw.
func ParseRule(m netlink.Message) (snapshots.Rule, error) {
	r, err := parseRule(m)
	if err != nil {
		return snapshots.Rule{}, fmt.Errorf("nlmsg: RTM_NEWRULE: %w", err)
	}
	return r, nil
}

func parseRule(m netlink.Message) (snapshots.Rule, error) {
	var r snapshots.Rule
	if err := checkType(uint16(m.Header.Type), rtmNewRule, "type"); err != nil {
		return r, err
	}
	b := m.Data
	if len(b) < sizeofFibRuleHdr {
		return r, errShort("fib_rule_hdr", len(b), sizeofFibRuleHdr)
	}
	r.Family = b[0]
	dstLen, srcLen := b[1], b[2]
	r.TOS = b[3]
	r.Table = uint32(b[4])
	r.Action = b[7]
	r.Flags = native.Uint32(b[8:])
	r.SuppressPrefixLen = -1
	r.SuppressIfGroup = -1

	a := newAttrs(b[sizeofFibRuleHdr:])
	for a.next() {
		switch a.kind() {
		case fraPriority:
			r.Priority = a.u32()
		case fraTable:
			r.Table = a.u32()
		case fraSrc:
			r.Src = a.prefix(srcLen)
		case fraDst:
			r.Dst = a.prefix(dstLen)
		case fraIIFName:
			r.IIFName = a.str()
		case fraOIFName:
			r.OIFName = a.str()
		case fraFwMark:
			r.FwMark, r.HasFwMark = a.u32(), true
		case fraFwMask:
			r.FwMask = a.u32()
		case fraGoto:
			r.Goto = a.u32()
		case fraSuppressPrefixLen:
			r.SuppressPrefixLen = int32(a.u32())
		case fraSuppressIfGroup:
			r.SuppressIfGroup = int32(a.u32())
		case fraL3MDev:
			r.L3MDev = a.u8()
		case fraUIDRange:
			if len(a.data) != 8 {
				a.fail("struct fib_rule_uid_range")
				break
			}
			r.UIDRange = &[2]uint32{native.Uint32(a.data), native.Uint32(a.data[4:])}
		case fraProtocol:
			r.Protocol = a.u8()
		case fraIPProto:
			r.IPProto = a.u8()
		case fraSPortRange:
			r.SPortRange = portRange(&a)
		case fraDPortRange:
			r.DPortRange = portRange(&a)
		case fraFlow:
			r.Flow = a.u32()
		case fraPad:
		default:
			r.Raw = append(r.Raw, a.raw())
		}
	}
	return r, a.err
}

func portRange(a *attrs) *[2]uint16 {
	if len(a.data) != 4 {
		a.fail("struct fib_rule_port_range")
		return nil
	}
	return &[2]uint16{native.Uint16(a.data), native.Uint16(a.data[2:])}
}
