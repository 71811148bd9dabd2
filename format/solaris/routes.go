package solaris

import (
	"bufio"
	"net/netip"
	"slices"
	"strconv"

	"github.com/netmortem/netmortem/analyze/netstat"
	"github.com/netmortem/netmortem/analyze/routes"
	"github.com/netmortem/netmortem/snapshots"
)

// Form 7, the routing tables (solaris-display-formats.md §8, flags from
// the man page: U G H M S D, and A B L with -a). Rows and flags come from
// analyze/routes; this file prints them. With -v, after the Solaris
// tables, netmortem adds the Linux view of the same rows (table, protocol,
// scope, type, metric, preferred source) and the policy rules, under
// titles that say they are Linux's.

func init() {
	Register(&Form{Form: netstat.FormRoutes, Text: routesText, Record: routesRecord})
}

// Headers, byte for byte (§8.1); every line ends in a blank.
const (
	hdrRoute4 = "  Destination            Gateway          Flags  Ref     Use     Interface \n" +
		"-------------------- -------------------- ----- ----- ---------- --------- \n"
	hdrRoute4V = "  Destination             Mask           Gateway          Device  MTU  Ref Flg  Out   In/Fwd \n" +
		"-------------------- --------------- -------------------- ------ ----- --- --- ------ ------ \n"
	hdrRoute6 = "  Destination/Mask            Gateway                   Flags Ref   Use    If   \n" +
		"--------------------------- --------------------------- ----- --- ------- ----- \n"
	hdrRoute6V = "  Destination/Mask            Gateway                    If    MTU  Ref Flags  Out   In/Fwd \n" +
		"--------------------------- --------------------------- ----- ----- --- ----- ------ ------ \n"
)

// routeCtx holds what every row of one pass needs.
type routeCtx struct {
	p     *Pass
	names *routes.LinkNames
	// ifAddrs are each link's addresses, for the gateway of a direct
	// route (see ifGateway).
	ifAddrs map[int32][]netip.Prefix
}

func newRouteCtx(p *Pass) *routeCtx {
	v := p.Cur
	c := &routeCtx{p: p, names: routes.NewLinkNames(v.Links, v.Addrs), ifAddrs: map[int32][]netip.Prefix{}}
	for i := range v.Addrs {
		a := &v.Addrs[i]
		if ip := a.IP(); ip.IsValid() {
			c.ifAddrs[a.Index] = append(c.ifAddrs[a.Index], netip.PrefixFrom(ip, int(a.PrefixLen)))
		}
	}
	return c
}

// ifGateway is the Gateway column of a direct route (no next-hop gateway).
// The man page: "the gateway field for such entries shows the address of
// the outgoing interface". That is the route's preferred source when it
// has one, else the first address of the output device that lies in the
// destination prefix; else none ("    --").
func (c *routeCtx) ifGateway(w routes.Row) netip.Addr {
	if s := w.PrefSrc(); s.IsValid() {
		return s
	}
	oif := w.OIF()
	if oif == 0 {
		return netip.Addr{}
	}
	d := w.Dst()
	for _, a := range c.ifAddrs[oif] {
		if a.Addr().Is4() == d.Addr().Is4() && d.Contains(a.Addr()) {
			return a.Addr()
		}
	}
	return netip.Addr{}
}

func (c *routeCtx) gateway(w routes.Row) netip.Addr {
	if g := w.Gateway(); g.IsValid() && !g.IsUnspecified() {
		return g
	}
	return c.ifGateway(w)
}

// mtu is the MTU column of -v: the route's mtu metric, else the output
// device's MTU (what Linux uses for a route without one).
func (c *routeCtx) mtu(w routes.Row) (uint32, bool) {
	if m, ok := w.MTU(); ok {
		return m, true
	}
	if l := c.p.Cur.Link(w.OIF()); l != nil {
		return l.MTU, true
	}
	return 0, false
}

func routesText(w *bufio.Writer, p *Pass) error {
	c := newRouteCtx(p)
	r := p.Req
	rows := routes.Select(p.Cur.Routes, r.All, r.Filter)
	for _, af := range inetFamilies {
		if !r.FamilySelected(af) {
			continue
		}
		first := slices.IndexFunc(rows, func(row routes.Row) bool { return row.Family() == af })
		if first < 0 {
			continue
		}
		w.WriteString(routeTitle(af, r.Verbose))
		rest := rows[first:]
		writeRows(w, len(rest), func(b []byte, i int) []byte {
			switch {
			case rest[i].Family() != af:
				return b
			case af == snapshots.AFInet:
				return c.row4(b, rest[i])
			}
			return c.row6(b, rest[i])
		})
	}
	if r.Verbose {
		linuxRoutesText(w, c, rows)
	}
	return nil
}

func routeTitle(af uint8, verbose bool) string {
	switch {
	case af == snapshots.AFInet && verbose:
		return "\nIRE Table: IPv4\n" + hdrRoute4V
	case af == snapshots.AFInet:
		return "\nRouting Table: IPv4\n" + hdrRoute4
	case verbose:
		return "\nIRE Table: IPv6\n" + hdrRoute6V
	}
	return "\nRouting Table: IPv6\n" + hdrRoute6
}

// colOpt prints %wu of a number Linux may lack, or the placeholder.
func colOpt(b []byte, v uint32, ok bool, w int) []byte {
	if !ok {
		return colRight(b, colNA, w)
	}
	return colUint(b, uint64(v), w)
}

// row4 prints `%-20s %-20s %-5s  %4u %10u %-9s %s`, or with -v `%-20s
// %-15s %-20s %-6s %5u %3u %-4s%6u %6u %s`; the last field, Solaris's
// security attributes, is empty.
func (c *routeCtx) row4(b []byte, w routes.Row) []byte {
	pr := c.p.P
	d := w.Dst()
	start := len(b)
	b = pr.AppendRouteDest4(b, d, w.Flags&routes.FlagH != 0)
	b = colPad(b, start, 20)
	b = append(b, ' ')
	ref, refOK := w.Ref()
	use, useOK := w.Use()
	if c.p.Req.Verbose {
		b = colLeft(b, Mask4(d.Bits()), 15)
		b = append(b, ' ')
		start = len(b)
		b = pr.AppendGateway(b, c.gateway(w))
		b = colPad(b, start, 20)
		b = append(b, ' ')
		b = colLeft(b, c.names.RowName(w), 6)
		b = append(b, ' ')
		m, mOK := c.mtu(w)
		b = colOpt(b, m, mOK, 5)
		b = append(b, ' ')
		b = colOpt(b, ref, refOK, 3)
		b = append(b, ' ')
		b = colLeft(b, w.Flags.String(), 4)
		b = colOpt(b, use, useOK, 6)
		b = append(b, ' ')
		b = colRight(b, colNA, 6)
		return append(b, " \n"...)
	}
	start = len(b)
	b = pr.AppendGateway(b, c.gateway(w))
	b = colPad(b, start, 20)
	b = append(b, ' ')
	b = colLeft(b, w.Flags.String(), 5)
	b = append(b, "  "...)
	b = colOpt(b, ref, refOK, 4)
	b = append(b, ' ')
	b = colOpt(b, use, useOK, 10)
	b = append(b, ' ')
	b = colLeft(b, c.names.RowName(w), 9)
	return append(b, " \n"...)
}

// row6 prints `%-27s %-27s %-5s %3u %7u %-5s %s`, or with -v `%-27s %-27s
// %-5s %5u %3u %-5s %6u %6u %s`.
func (c *routeCtx) row6(b []byte, w routes.Row) []byte {
	pr := c.p.P
	start := len(b)
	b = pr.AppendPrefix6(b, w.Dst())
	b = colPad(b, start, 27)
	b = append(b, ' ')
	start = len(b)
	b = pr.AppendGateway(b, c.gateway(w))
	b = colPad(b, start, 27)
	b = append(b, ' ')
	ref, refOK := w.Ref()
	use, useOK := w.Use()
	if c.p.Req.Verbose {
		b = colLeft(b, c.names.RowName(w), 5)
		b = append(b, ' ')
		m, mOK := c.mtu(w)
		b = colOpt(b, m, mOK, 5)
		b = append(b, ' ')
		b = colOpt(b, ref, refOK, 3)
		b = append(b, ' ')
		b = colLeft(b, w.Flags.String(), 5)
		b = append(b, ' ')
		b = colOpt(b, use, useOK, 6)
		b = append(b, ' ')
		b = colRight(b, colNA, 6)
		return append(b, " \n"...)
	}
	b = colLeft(b, w.Flags.String(), 5)
	b = append(b, ' ')
	b = colOpt(b, ref, refOK, 3)
	b = append(b, ' ')
	b = colOpt(b, use, useOK, 7)
	b = append(b, ' ')
	b = colLeft(b, c.names.RowName(w), 5)
	return append(b, " \n"...)
}

// Names of kernel route codes, as iproute2 prints them.
var (
	rtProtoNames = map[uint8]string{0: "unspec", 1: "redirect", 2: "kernel", 3: "boot", 4: "static",
		8: "gated", 9: "ra", 10: "mrt", 11: "zebra", 12: "bird", 13: "dnrouted", 14: "xorp", 15: "ntk",
		16: "dhcp", 17: "mrouted", 18: "keepalived", 42: "babel", 99: "openr", 186: "bgp", 187: "isis",
		188: "ospf", 189: "rip", 192: "eigrp"}
	rtScopeNames = map[uint8]string{0: "global", 200: "site", 253: "link", 254: "host", 255: "nowhere"}
	rtTypeNames  = [...]string{"unspec", "unicast", "local", "broadcast", "anycast", "multicast",
		"blackhole", "unreachable", "prohibit", "throw", "nat", "xresolve"}
)

func codeName(m map[uint8]string, v uint8) string {
	if s, ok := m[v]; ok {
		return s
	}
	return strconv.Itoa(int(v))
}

func rtTypeName(t uint8) string {
	if int(t) < len(rtTypeNames) {
		return rtTypeNames[t]
	}
	return strconv.Itoa(int(t))
}

// tableName names a routing table from the captured rt_tables unless -n.
func tableName(p *Pass, id uint32) string {
	if !p.P.Numeric {
		if n, ok := p.Cur.Names.TableName(id); ok {
			return n
		}
	}
	return strconv.FormatUint(uint64(id), 10)
}

// The Linux sections of -rv. Their layout is netmortem's (docs/FORMS.md):
//
//	Destination  as in the Solaris table, with /len for IPv4 networks
//	Gateway      the next hop's gateway as Linux has it ("    --" for a
//	             direct route)
//	Device       the output device
//	Table        the routing table (name from the captured rt_tables unless -n)
//	Proto, Scope, Type  rtm_protocol, rtm_scope, rtm_type as ip names them
//	Metric       RTA_PRIORITY; Weight the next hop's weight
//	Pref-Src     RTA_PREFSRC; From the source prefix of a source route
var (
	hdrLinux4 = linuxHeader(20)
	hdrLinux6 = linuxHeader(27)
)

const hdrRules = "Priority Rule\n" +
	"-------- ----\n"

// linuxHeader builds the title and dash lines of a Linux route section
// whose address columns are aw wide.
func linuxHeader(aw int) string {
	cols := []struct {
		title string
		w     int // negative: right-aligned
	}{{"Destination", aw}, {"Gateway", aw}, {"Device", 9}, {"Table", 10}, {"Proto", 8},
		{"Scope", 7}, {"Type", 11}, {"Metric", -10}, {"Weight", -6}, {"Pref-Src", aw}, {"From", 0}}
	var t, d []byte
	for i, c := range cols {
		if i > 0 {
			t, d = append(t, ' '), append(d, ' ')
		}
		w := max(c.w, -c.w, len(c.title))
		if c.w < 0 {
			t = colRight(t, c.title, w)
		} else if c.w > 0 {
			t = colLeft(t, c.title, w)
		} else {
			t = append(t, c.title...)
		}
		for range w {
			d = append(d, '-')
		}
	}
	return string(t) + "\n" + string(d) + "\n"
}

func linuxRoutesText(w *bufio.Writer, c *routeCtx, rows []routes.Row) {
	p := c.p
	b := make([]byte, 0, 256)
	for _, af := range inetFamilies {
		if !p.Req.FamilySelected(af) {
			continue
		}
		first := true
		for _, row := range rows {
			if row.Family() != af {
				continue
			}
			if first {
				first = false
				if af == snapshots.AFInet {
					w.WriteString("\nLinux routes: IPv4 (netmortem -v)\n" + hdrLinux4)
				} else {
					w.WriteString("\nLinux routes: IPv6 (netmortem -v)\n" + hdrLinux6)
				}
			}
			b = c.linuxRow(b[:0], row)
			w.Write(b)
		}
	}
	for _, af := range inetFamilies {
		if !p.Req.FamilySelected(af) {
			continue
		}
		first := true
		for i := range p.Cur.Rules {
			ru := &p.Cur.Rules[i]
			if ru.Family != af {
				continue
			}
			if first {
				first = false
				w.WriteString("\nLinux policy rules: " + familyTitle(af) + " (netmortem -v)\n" + hdrRules)
			}
			b = colUint(b[:0], uint64(ru.Priority), 8)
			b = append(b, ' ')
			b = appendRule(b, p, ru)
			b = append(b, '\n')
			w.Write(b)
		}
	}
}

func (c *routeCtx) linuxRow(b []byte, w routes.Row) []byte {
	p := c.p
	pr := p.P
	aw := 20
	if w.Family() == snapshots.AFInet6 {
		aw = 27
	}
	start := len(b)
	b = appendRouteDest(b, pr, w)
	b = colPad(b, start, aw)
	b = append(b, ' ')
	start = len(b)
	b = pr.AppendGateway(b, w.Gateway())
	b = colPad(b, start, aw)
	b = append(b, ' ')
	b = colLeft(b, p.Cur.IfName(w.OIF()), 9)
	b = append(b, ' ')
	b = colLeft(b, tableName(p, w.Table()), 10)
	b = append(b, ' ')
	b = colLeft(b, codeName(rtProtoNames, w.Protocol()), 8)
	b = append(b, ' ')
	b = colLeft(b, codeName(rtScopeNames, w.Scope()), 7)
	b = append(b, ' ')
	b = colLeft(b, rtTypeName(w.Type()), 11)
	b = append(b, ' ')
	b = colUint(b, uint64(w.Metric()), 10)
	b = append(b, ' ')
	if wt := w.Weight(); wt > 0 {
		b = colUint(b, uint64(wt), 6)
	} else {
		b = colRight(b, colNA, 6)
	}
	if src := w.Src(); src.IsValid() {
		b = append(b, ' ')
		start = len(b)
		b = pr.AppendHost(b, w.PrefSrc())
		b = colPad(b, start, aw)
		b = append(b, ' ')
		b = appendPrefix(b, pr, src)
	} else if ps := w.PrefSrc(); ps.IsValid() {
		b = append(b, ' ')
		b = pr.AppendHost(b, ps)
	}
	return append(b, '\n')
}

// appendRouteDest prints a destination for the Linux sections: "default",
// else the Solaris destination with /len unless it is a host route.
func appendRouteDest(b []byte, pr *Printer, w routes.Row) []byte {
	d := w.Dst()
	if d.Addr().Is6() {
		return pr.AppendPrefix6(b, d)
	}
	host := d.Bits() == 32
	b = pr.AppendRouteDest4(b, d, host)
	if !host && !(d.Bits() == 0 && d.Addr().IsUnspecified()) {
		b = append(b, '/')
		b = strconv.AppendInt(b, int64(d.Bits()), 10)
	}
	return b
}

// appendPrefix prints a selector prefix as ip does: the address alone for
// a host prefix, else address/len.
func appendPrefix(b []byte, pr *Printer, px netip.Prefix) []byte {
	b = pr.AppendHost(b, px.Addr())
	if px.Bits() != px.Addr().BitLen() {
		b = append(b, '/')
		b = strconv.AppendInt(b, int64(px.Bits()), 10)
	}
	return b
}

// Rule actions and flags (linux/fib_rules.h).
const (
	frActToTbl      = 1
	frActGoto       = 2
	frActNop        = 3
	frActBlackhole  = 6
	frActUnreach    = 7
	frActProhibit   = 8
	fibRuleInvert   = 0x2
	fibRuleUnresolv = 0x4
	fibRuleIIFDet   = 0x8
	fibRuleOIFDet   = 0x10
)

// appendRule prints a policy rule in `ip rule` syntax.
func appendRule(b []byte, p *Pass, r *snapshots.Rule) []byte {
	pr := p.P
	hex := func(b []byte, v uint64) []byte { return strconv.AppendUint(append(b, "0x"...), v, 16) }
	if r.Flags&fibRuleInvert != 0 {
		b = append(b, "not "...)
	}
	b = append(b, "from "...)
	if r.Src.IsValid() && r.Src.Bits() > 0 {
		b = appendPrefix(b, pr, r.Src)
	} else {
		b = append(b, "all"...)
	}
	if r.Dst.IsValid() && r.Dst.Bits() > 0 {
		b = append(b, " to "...)
		b = appendPrefix(b, pr, r.Dst)
	}
	if r.TOS != 0 {
		b = hex(append(b, " tos "...), uint64(r.TOS))
	}
	if r.HasFwMark {
		b = hex(append(b, " fwmark "...), uint64(r.FwMark))
		if r.FwMask != 0xffffffff {
			b = hex(append(b, '/'), uint64(r.FwMask))
		}
	}
	if r.IIFName != "" {
		b = append(append(b, " iif "...), r.IIFName...)
		if r.Flags&fibRuleIIFDet != 0 {
			b = append(b, " [detached]"...)
		}
	}
	if r.OIFName != "" {
		b = append(append(b, " oif "...), r.OIFName...)
		if r.Flags&fibRuleOIFDet != 0 {
			b = append(b, " [detached]"...)
		}
	}
	if r.UIDRange != nil {
		b = strconv.AppendUint(append(b, " uidrange "...), uint64(r.UIDRange[0]), 10)
		b = strconv.AppendUint(append(b, '-'), uint64(r.UIDRange[1]), 10)
	}
	if r.IPProto != 0 {
		b = append(b, " ipproto "...)
		b = appendIPProto(b, pr, uint16(r.IPProto))
	}
	portRange := func(b []byte, what string, pr *[2]uint16) []byte {
		if pr == nil {
			return b
		}
		b = strconv.AppendUint(append(b, what...), uint64(pr[0]), 10)
		if pr[1] != pr[0] {
			b = strconv.AppendUint(append(b, '-'), uint64(pr[1]), 10)
		}
		return b
	}
	b = portRange(b, " sport ", r.SPortRange)
	b = portRange(b, " dport ", r.DPortRange)
	switch r.Action {
	case frActToTbl:
		if r.L3MDev != 0 {
			b = append(b, " lookup [l3mdev-table]"...)
		} else {
			b = append(append(b, " lookup "...), tableName(p, r.Table)...)
		}
		if r.SuppressPrefixLen >= 0 {
			b = strconv.AppendInt(append(b, " suppress_prefixlength "...), int64(r.SuppressPrefixLen), 10)
		}
		if r.SuppressIfGroup >= 0 {
			b = strconv.AppendInt(append(b, " suppress_ifgroup "...), int64(r.SuppressIfGroup), 10)
		}
	case frActGoto:
		b = strconv.AppendUint(append(b, " goto "...), uint64(r.Goto), 10)
		if r.Flags&fibRuleUnresolv != 0 {
			b = append(b, " [unresolved]"...)
		}
	case frActNop:
		b = append(b, " nop"...)
	case frActBlackhole:
		b = append(b, " blackhole"...)
	case frActUnreach:
		b = append(b, " unreachable"...)
	case frActProhibit:
		b = append(b, " prohibit"...)
	default:
		b = strconv.AppendUint(append(b, " action "...), uint64(r.Action), 10)
	}
	if r.Flow != 0 {
		b = append(b, " realms "...)
		if from := r.Flow >> 16; from != 0 {
			b = strconv.AppendUint(b, uint64(from), 10)
			b = append(b, '/')
		}
		b = strconv.AppendUint(b, uint64(r.Flow&0xffff), 10)
	}
	return b
}

// RouteRecord is a routing-table row as a record.
type RouteRecord struct {
	Family      string       `json:"family"`
	Destination netip.Prefix `json:"destination"`
	Gateway     netip.Addr   `json:"gateway"`   // the next hop's gateway, "" when direct
	Flags       string       `json:"flags"`     // Solaris letters
	Interface   string       `json:"interface"` // as printed: device or logical name
	Device      string       `json:"device"`    // the output device
	Ref         *uint64      `json:"ref,omitempty"`
	Use         *uint64      `json:"use,omitempty"`
	MTU         *uint64      `json:"mtu,omitempty"` // the route's mtu metric
	Table       uint32       `json:"table"`
	TableName   string       `json:"table_name,omitempty"`
	Protocol    string       `json:"protocol"`
	Scope       string       `json:"scope"`
	Type        string       `json:"type"`
	Metric      uint32       `json:"metric"`
	Weight      uint16       `json:"weight,omitempty"`
	PrefSrc     netip.Addr   `json:"pref_src"`
	Source      netip.Prefix `json:"source"`
	Cloned      bool         `json:"cloned,omitempty"`
	Expires     uint64       `json:"expires_s,omitempty"`
}

// RuleRecord is a policy rule as a record.
type RuleRecord struct {
	Family   string `json:"family"`
	Priority uint32 `json:"priority"`
	Rule     string `json:"rule"` // in ip rule syntax
	Table    uint32 `json:"table"`
	Action   uint8  `json:"action"`
	Protocol string `json:"protocol"`
}

// RoutesRecord is the -r display as a record: rows of the selected
// families, and with -v the policy rules.
type RoutesRecord struct {
	Routes []RouteRecord `json:"routes"`
	Rules  []RuleRecord  `json:"rules,omitempty"`
}

func routesRecord(p *Pass) (any, error) {
	c := newRouteCtx(p)
	r := p.Req
	out := RoutesRecord{Routes: []RouteRecord{}}
	rows := routes.Select(p.Cur.Routes, r.All, r.Filter)
	for _, af := range inetFamilies {
		if !r.FamilySelected(af) {
			continue
		}
		for _, w := range rows {
			if w.Family() == af {
				out.Routes = append(out.Routes, c.record(w))
			}
		}
	}
	if r.Verbose {
		for _, af := range inetFamilies {
			if !r.FamilySelected(af) {
				continue
			}
			for i := range p.Cur.Rules {
				ru := &p.Cur.Rules[i]
				if ru.Family == af {
					out.Rules = append(out.Rules, RuleRecord{Family: familyName(af), Priority: ru.Priority,
						Rule: string(appendRule(nil, p, ru)), Table: ru.Table, Action: ru.Action,
						Protocol: codeName(rtProtoNames, ru.Protocol)})
				}
			}
		}
	}
	return out, nil
}

func (c *routeCtx) record(w routes.Row) RouteRecord {
	v := c.p.Cur
	rec := RouteRecord{
		Family: familyName(w.Family()), Destination: w.Dst(), Gateway: w.Gateway(), Flags: w.Flags.String(),
		Interface: c.names.RowName(w), Device: v.IfName(w.OIF()), Table: w.Table(),
		Protocol: codeName(rtProtoNames, w.Protocol()), Scope: codeName(rtScopeNames, w.Scope()),
		Type: rtTypeName(w.Type()), Metric: w.Metric(), Weight: w.Weight(), PrefSrc: w.PrefSrc(),
		Source: w.Src(), Cloned: w.Cloned(), Expires: w.Route.Extra().Expires,
	}
	if n, ok := v.Names.TableName(w.Table()); ok {
		rec.TableName = n
	}
	if x, ok := w.Ref(); ok {
		rec.Ref = num(uint64(x))
	}
	if x, ok := w.Use(); ok {
		rec.Use = num(uint64(x))
	}
	if x, ok := w.MTU(); ok {
		rec.MTU = num(uint64(x))
	}
	return rec
}
