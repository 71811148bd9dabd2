package vmcore

import (
	"fmt"
	"net/netip"

	"github.com/netmortem/netmortem/capture/vmcore/btfx"
	"github.com/netmortem/netmortem/snapshots"
)

const frActGoto = 2 // FR_ACT_GOTO

// rules reads the IPv4 and IPv6 policy routing rules (fib_rules_ops lists).
func (w *walker) rules() ([]snapshots.Rule, error) {
	l := btfx.NewLayout(w.d.Types)
	opsList := l.F("fib_rules_ops", "rules_list")
	c := func(p string) btfx.Field { return l.F("fib_rule", p) }
	list, pref, table, action, flags := c("list"), c("pref"), c("table"), c("action"), c("flags")
	mark, markMask, target := c("mark"), c("mark_mask"), c("target")
	iif, oif := c("iifname"), c("oifname")
	supLen, supGrp := c("suppress_prefixlen"), c("suppress_ifgroup")
	l3, proto, ipProto := c("l3mdev"), c("proto"), c("ip_proto")
	uidStart, uidEnd := c("uid_range.start"), c("uid_range.end")
	spS, spE, dpS, dpE := c("sport_range.start"), c("sport_range.end"), c("dport_range.start"), c("dport_range.end")
	if err := l.Err(); err != nil {
		return nil, err
	}
	type fam struct {
		family           uint8
		ops, rule        string
		src, dst, sl, dl btfx.Field
		tos              btfx.Field
		size             uint32
		err              error
	}
	fl := btfx.NewLayout(w.d.Types)
	v4 := fam{family: snapshots.AFInet, ops: "ipv4.rules_ops", rule: "fib4_rule",
		src: fl.F("fib4_rule", "src"), dst: fl.F("fib4_rule", "dst"), sl: fl.F("fib4_rule", "src_len"),
		dl: fl.F("fib4_rule", "dst_len"), size: fl.Size("fib4_rule")}
	if f, ok := fl.Opt("fib4_rule", "dscp"); ok {
		v4.tos = f
	} else {
		v4.tos = fl.F("fib4_rule", "tos")
	}
	v4.err = fl.Err()
	fl = btfx.NewLayout(w.d.Types)
	v6 := fam{family: snapshots.AFInet6, ops: "ipv6.fib6_rules_ops", rule: "fib6_rule",
		src: fl.F("fib6_rule", "src.addr"), dst: fl.F("fib6_rule", "dst.addr"), sl: fl.F("fib6_rule", "src.plen"),
		dl: fl.F("fib6_rule", "dst.plen"), size: fl.Size("fib6_rule")}
	if f, ok := fl.Opt("fib6_rule", "dscp"); ok {
		v6.tos = f
	} else {
		v6.tos = fl.F("fib6_rule", "tclass")
	}
	v6.err = fl.Err()
	var out []snapshots.Rule
	read := 0
	for _, f := range []fam{v4, v6} {
		if f.err != nil {
			w.errf("%s: %v", f.rule, f.err)
			continue
		}
		of, err := w.d.Types.Field("net", f.ops)
		if err != nil {
			w.errf("%v", err)
			continue
		}
		ops, err := w.d.Mem.U64(w.net + uint64(of.Off))
		if err != nil || ops == 0 {
			w.errf("%s: no rules_ops (%v)", f.rule, err)
			continue
		}
		read++
		err = walkList(w.d, ops+uint64(opsList.Off), w.max, func(node uint64) error {
			o, err := w.d.obj(node-uint64(list.Off), f.size)
			if err != nil {
				return err
			}
			r := snapshots.Rule{
				Family: f.family, Priority: uint32(o.U(pref)), Table: uint32(o.U(table)),
				Action: uint8(o.U(action)), Flags: uint32(o.U(flags)), TOS: uint8(o.U(f.tos)),
				IIFName: o.Str(iif), OIFName: o.Str(oif), FwMark: uint32(o.U(mark)), FwMask: uint32(o.U(markMask)),
				SuppressPrefixLen: int32(o.S(supLen)), SuppressIfGroup: int32(o.S(supGrp)),
				L3MDev: uint8(o.U(l3)), Protocol: uint8(o.U(proto)), IPProto: uint8(o.U(ipProto)),
			}
			r.HasFwMark = r.FwMark != 0 || r.FwMask != 0
			if r.Action == frActGoto {
				r.Goto = uint32(o.U(target))
			}
			if s, e := uint32(o.U(uidStart)), uint32(o.U(uidEnd)); s != ^uint32(0) && e != ^uint32(0) {
				r.UIDRange = &[2]uint32{s, e}
			}
			if s, e := uint16(o.U(spS)), uint16(o.U(spE)); s != 0 && e != 0 {
				r.SPortRange = &[2]uint16{s, e}
			}
			if s, e := uint16(o.U(dpS)), uint16(o.U(dpE)); s != 0 && e != 0 {
				r.DPortRange = &[2]uint16{s, e}
			}
			r.Src = rulePrefix(f.family, o.B(f.src), int(o.U(f.sl)))
			r.Dst = rulePrefix(f.family, o.B(f.dst), int(o.U(f.dl)))
			out = append(out, r)
			return nil
		})
		if err != nil {
			w.errf("%s list: %v", f.rule, err)
		}
	}
	if read == 0 {
		return nil, fmt.Errorf("no rule list could be read")
	}
	return out, nil
}

// rulePrefix is a selector, invalid when its length is zero (absent).
func rulePrefix(family uint8, b []byte, bits int) netip.Prefix {
	if bits == 0 {
		return netip.Prefix{}
	}
	var a netip.Addr
	switch {
	case family == snapshots.AFInet && len(b) >= 4:
		a = netip.AddrFrom4([4]byte(b[:4]))
	case family == snapshots.AFInet6 && len(b) >= 16:
		a = netip.AddrFrom16([16]byte(b[:16]))
	default:
		return netip.Prefix{}
	}
	p, _ := a.Prefix(bits)
	return p
}
