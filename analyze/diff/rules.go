package diff

import (
	"net/netip"

	"github.com/netmortem/netmortem/snapshots"
)

// Rules are joined by family, priority and selector (everything that
// decides whether a packet matches); the action and its target table are
// compared.

const fibRuleInvert = 0x2

type ruleKey struct {
	src, dst       netip.Prefix
	iif, oif       string
	prio           uint32
	fwmark, fwmask uint32
	uid            [2]uint32
	sport, dport   [2]uint16
	hasFw, hasUID  bool
	hasSp, hasDp   bool
	family, tos    uint8
	ipproto        uint8
	l3mdev         uint8
	invert         bool
}

var ruleSpec = spec[snapshots.Rule, ruleKey]{
	key: func(s *side, r *snapshots.Rule) ruleKey {
		k := ruleKey{src: r.Src, dst: r.Dst, iif: r.IIFName, oif: r.OIFName, prio: r.Priority,
			fwmark: r.FwMark, fwmask: r.FwMask, hasFw: r.HasFwMark, family: r.Family, tos: r.TOS,
			ipproto: r.IPProto, l3mdev: r.L3MDev, invert: r.Flags&fibRuleInvert != 0}
		if r.UIDRange != nil {
			k.uid, k.hasUID = *r.UIDRange, true
		}
		if r.SPortRange != nil {
			k.sport, k.hasSp = *r.SPortRange, true
		}
		if r.DPortRange != nil {
			k.dport, k.hasDp = *r.DPortRange, true
		}
		return k
	},
	desc: ruleDesc,
}

func ruleDesc(s *side, r *snapshots.Rule) (key, attrs Fields) {
	k := &key
	k.add("priority", unum(r.Priority))
	k.bare("family", familyName(r.Family))
	if r.Flags&fibRuleInvert != 0 {
		k.bare("not", "not")
	}
	if r.Src.IsValid() {
		k.add("from", r.Src.String())
	} else {
		k.add("from", "all")
	}
	if r.Dst.IsValid() {
		k.add("to", r.Dst.String())
	}
	if r.TOS != 0 {
		k.add("tos", "0x"+hex8(r.TOS))
	}
	if r.HasFwMark {
		k.add("fwmark", "0x"+hex32(r.FwMark)+"/0x"+hex32(r.FwMask))
	}
	k.add("iif", r.IIFName)
	k.add("oif", r.OIFName)
	if r.UIDRange != nil {
		k.add("uidrange", unum(r.UIDRange[0])+"-"+unum(r.UIDRange[1]))
	}
	if r.IPProto != 0 {
		k.add("ipproto", unum(r.IPProto))
	}
	if r.SPortRange != nil {
		k.add("sport", unum(r.SPortRange[0])+"-"+unum(r.SPortRange[1]))
	}
	if r.DPortRange != nil {
		k.add("dport", unum(r.DPortRange[0])+"-"+unum(r.DPortRange[1]))
	}
	if r.L3MDev != 0 {
		k.bare("l3mdev", "l3mdev")
	}
	a := &attrs
	a.add("action", named(ruleActions, r.Action))
	if r.Action == 1 || r.Table != 0 {
		a.add("lookup", s.tableName(r.Table))
	}
	if r.Goto != 0 {
		a.add("goto", unum(r.Goto))
	}
	if r.SuppressPrefixLen >= 0 {
		a.add("suppress_prefixlength", num(r.SuppressPrefixLen))
	}
	if r.SuppressIfGroup >= 0 {
		a.add("suppress_ifgroup", num(r.SuppressIfGroup))
	}
	a.add("proto", named(routeProtos, r.Protocol))
	if r.Flow != 0 {
		a.add("realms", unum(r.Flow))
	}
	if f := r.Flags &^ fibRuleInvert; f != 0 {
		a.add("flags", "0x"+hex32(f))
	}
	return key, attrs
}
