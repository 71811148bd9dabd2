package iptext

import (
	"iter"
	"net/netip"
	"strconv"
	"strings"

	"github.com/netmortem/netmortem/snapshots"
)

// Interfaces is what `ip address` and `ip link` print: devices and their
// addresses.
type Interfaces struct {
	Links []snapshots.Link
	Addrs []snapshots.Addr
	// LinkNetns maps an ifindex to the namespace name printed after
	// "link-netns" (iproute2 prints the name instead of the nsid when it
	// knows one); Link.ParentNetns is -1 for those until the caller maps
	// the name to the nsid.
	LinkNetns map[int32]string
}

// IFF_* flag names as iproute2 prints them between angle brackets.
var iffNames = map[string]uint32{
	"UP": 0x1, "BROADCAST": 0x2, "DEBUG": 0x4, "LOOPBACK": 0x8, "POINTOPOINT": 0x10,
	"NOTRAILERS": 0x20, "RUNNING": 0x40, "NOARP": 0x80, "PROMISC": 0x100, "ALLMULTI": 0x200,
	"MASTER": 0x400, "SLAVE": 0x800, "MULTICAST": 0x1000, "PORTSEL": 0x2000, "AUTOMEDIA": 0x4000,
	"DYNAMIC": 0x8000, "LOWER_UP": 0x10000, "DORMANT": 0x20000, "ECHO": 0x40000,
}

var operStates = map[string]uint8{"UNKNOWN": 0, "NOTPRESENT": 1, "DOWN": 2, "LOWERLAYERDOWN": 3,
	"TESTING": 4, "DORMANT": 5, "UP": 6}

var linkModes = map[string]uint8{"DEFAULT": 0, "DORMANT": 1, "TESTING": 2}

// ARPHRD_* numbers of iproute2's link/TYPE names (lib/ll_types.c).
var arphrd = map[string]uint16{
	"netrom": 0, "ether": 1, "eether": 2, "ax25": 3, "pronet": 4, "chaos": 5, "ieee802": 6,
	"arcnet": 7, "atalk": 8, "dlci": 15, "atm": 19, "metricom": 23, "ieee1394": 24, "eui64": 27,
	"infiniband": 32, "slip": 256, "cslip": 257, "slip6": 258, "cslip6": 259, "rsrvd": 260,
	"adapt": 264, "rose": 270, "x25": 271, "hwx25": 272, "can": 280, "mctp": 290, "ppp": 512,
	"hdlc": 513, "lapb": 516, "ddcmp": 517, "rawhdlc": 518, "rawip": 519, "ipip": 768,
	"tunnel6": 769, "frad": 770, "skip": 771, "loopback": 772, "ltalk": 773, "fddi": 774,
	"bif": 775, "sit": 776, "ip/ddp": 777, "gre": 778, "pimreg": 779, "hippi": 780, "ash": 781,
	"econet": 782, "irda": 783, "fcpp": 784, "fcal": 785, "fcpl": 786, "fcfb0": 787, "tr": 800,
	"ieee802.11": 801, "ieee802.11/prism": 802, "ieee802.11/radiotap": 803, "ieee802.15.4": 804,
	"ieee802.15.4/monitor": 805, "phonet": 820, "phonet_pipe": 821, "caif": 822, "gre6": 823,
	"netlink": 824, "6lowpan": 825, "vsockmon": 826, "none": 0xfffe, "void": 0xffff,
}

// Keywords of the detail lines (-d) that are not a link kind.
var linkDetailKeys = map[string]bool{
	"promiscuity": true, "allmulti": true, "minmtu": true, "maxmtu": true, "numtxqueues": true,
	"numrxqueues": true, "gso_max_size": true, "gso_max_segs": true, "tso_max_size": true,
	"tso_max_segs": true, "gro_max_size": true, "gso_ipv4_max_size": true, "gro_ipv4_max_size": true,
	"addrgenmode": true, "parentbus": true, "parentdev": true, "portname": true, "portid": true,
	"switchid": true, "link-netns": true, "link-netnsid": true, "permaddr": true, "protodown": true,
	"protodown_reason": true, "vf": true, "prop": true, "altname": true, "alias": true,
	"xdp": true, "xdpgeneric": true, "xdpdrv": true, "xdpoffload": true, "netns": true,
	"new-netnsid": true, "new-ifindex": true,
}

// IFA_F_* flag words of address lines.
var ifaFlags = map[string]uint32{
	"secondary": 0x01, "temporary": 0x01, "nodad": 0x02, "optimistic": 0x04, "dadfailed": 0x08,
	"home": 0x10, "deprecated": 0x20, "tentative": 0x40, "permanent": 0x80, "mngtmpaddr": 0x100,
	"noprefixroute": 0x200, "autojoin": 0x400, "stable-privacy": 0x800,
}

var ifaProtos = map[string]uint8{"kernel_lo": 1, "kernel_ra": 2, "kernel_ll": 3}

const ifaPermanent = 0x80

// ParseInterfaces parses the output of `ip address`, `ip -d address`,
// `ip -s -d link`, `ip link` and their one-line (-o) forms.
//
// From the link header and link/ line: Index, Name, Parent (from
// "name@ifN" or "name@parent"), Flags (IFF_RUNNING is implied by UP
// without NO-CARRIER, as iproute2 hides it), MTU, Qdisc, Master,
// OperState, LinkMode, Group, TxQueueLen, Type, HWAddr, Broadcast,
// PermAddr; Carrier is 1 when LOWER_UP is shown (the text cannot say
// whether a down device has carrier). With -d: Kind and SlaveKind,
// Promiscuity, MinMTU, MaxMTU, NumTxQueues, NumRxQueues, ParentNetns from
// "link-netnsid"; AltNames and Alias. With -s: the counters of the RX/TX
// tables, found by their header words, with Stats.Valid set.
//
// Address lines give Family, Index, Address/Local (IFA_ADDRESS is the
// peer on point-to-point links), PrefixLen, Broadcast, Anycast, Scope,
// Flags (IFA_F_PERMANENT unless "dynamic"), Proto when printed, Label
// (IPv4) and the lifetimes, with HasCacheInfo; the created/updated
// stamps are not printed and stay 0.
func ParseInterfaces(data []byte, names *Names) (Interfaces, Skipped) {
	var sk Skipped
	var out Interfaces
	var cur *snapshots.Link // link being read
	var addr *snapshots.Addr
	parentName := map[int]string{} // link position → parent name to resolve
	masterName := map[int]string{}
	var stats *statsTable // RX/TX header waiting for its values
	for l := range expandOneLine(lines(data, &sk)) {
		f := strings.Fields(l.text)
		if !l.indented() {
			stats, addr = nil, nil
			if len(f) < 2 || !strings.HasSuffix(f[0], ":") {
				sk.add(l.n, l.text, "not a link or address line")
				continue
			}
			idx, err := strconv.ParseInt(strings.TrimSuffix(f[0], ":"), 10, 32)
			if err != nil || idx <= 0 {
				sk.add(l.n, l.text, "bad interface index")
				continue
			}
			if len(f) >= 3 && (f[2] == "inet" || f[2] == "inet6" || f[2] == "link") && !strings.HasSuffix(f[1], ":") {
				// -o address line: "2: a0    inet 10.1.0.1/24 …".
				if f[2] == "link" {
					continue
				}
				a, ok := parseAddrLine(f[2:], names)
				if !ok {
					sk.add(l.n, l.text, "bad address")
					continue
				}
				a.Index = int32(idx)
				out.Addrs = append(out.Addrs, a)
				addr = &out.Addrs[len(out.Addrs)-1]
				cur = nil
				continue
			}
			lk, parent, master, ok := parseLinkHeader(int32(idx), f, names)
			if !ok {
				sk.add(l.n, l.text, "bad link header")
				cur = nil
				continue
			}
			out.Links = append(out.Links, lk)
			cur = &out.Links[len(out.Links)-1]
			if parent != "" {
				parentName[len(out.Links)-1] = parent
			}
			if master != "" {
				masterName[len(out.Links)-1] = master
			}
			continue
		}
		if len(f) == 0 {
			continue
		}
		switch {
		case f[0] == "inet" || f[0] == "inet6":
			stats = nil
			if cur == nil {
				sk.add(l.n, l.text, "address outside a link")
				continue
			}
			a, ok := parseAddrLine(f, names)
			if !ok {
				sk.add(l.n, l.text, "bad address")
				addr = nil
				continue
			}
			a.Index = cur.Index
			out.Addrs = append(out.Addrs, a)
			addr = &out.Addrs[len(out.Addrs)-1]
		case f[0] == "valid_lft" || f[0] == "preferred_lft":
			if addr == nil {
				sk.add(l.n, l.text, "lifetimes without an address")
				continue
			}
			parseLifetimes(f, addr)
		case cur == nil:
			sk.add(l.n, l.text, "continuation outside a link")
		case strings.HasPrefix(f[0], "link/"):
			addr, stats = nil, nil
			parseLinkLine(f, cur, &out)
		case f[0] == "RX:" || f[0] == "TX:" || (len(f) > 1 && (f[0] == "RX" || f[0] == "TX") && f[1] == "errors:"):
			stats = newStatsTable(f)
		case stats != nil && isNumbers(f):
			stats.apply(f, &cur.Stats)
			stats = nil
		case f[0] == "altname" && len(f) == 2:
			cur.AltNames = append(cur.AltNames, f[1])
		case f[0] == "alias" && len(f) >= 2:
			cur.Alias = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l.text), "alias"))
		default:
			addr, stats = nil, nil
			parseLinkDetails(f, cur, &out, true)
		}
	}
	byName := make(map[string]int32, len(out.Links))
	for _, lk := range out.Links {
		byName[lk.Name] = lk.Index
	}
	for i, p := range parentName {
		lk := &out.Links[i]
		switch {
		case p == "NONE":
		case byName[p] != 0:
			lk.Parent = byName[p]
		case strings.HasPrefix(p, "if"):
			if v, err := strconv.ParseInt(p[2:], 10, 32); err == nil && v > 0 {
				lk.Parent = int32(v)
			}
		}
	}
	for i, m := range masterName {
		if idx, ok := byName[m]; ok {
			out.Links[i].Master = idx
		} else if idx, ok := names.ifindex(m); ok {
			out.Links[i].Master = idx
		}
	}
	return out, sk
}

// expandOneLine turns the '\\' separators of `ip -o` output back into
// indented continuation lines.
func expandOneLine(ls iter.Seq[line]) iter.Seq[line] {
	return func(yield func(line) bool) {
		for l := range ls {
			if !strings.Contains(l.text, "\\") {
				if !yield(l) {
					return
				}
				continue
			}
			parts := strings.Split(l.text, "\\")
			if !yield(line{l.n, strings.TrimRight(parts[0], " ")}) {
				return
			}
			for _, p := range parts[1:] {
				if p = strings.TrimSpace(p); p != "" {
					if !yield(line{l.n, "    " + p}) {
						return
					}
				}
			}
		}
	}
}

// parseLinkHeader reads "2: a0@if2: <FLAGS> mtu 1500 qdisc noqueue master
// br0 state UP mode DEFAULT group default qlen 1000".
func parseLinkHeader(idx int32, f []string, names *Names) (lk snapshots.Link, parent, master string, ok bool) {
	lk = snapshots.Link{Index: idx, ParentNetns: -1}
	name := strings.TrimSuffix(f[1], ":")
	if name == f[1] || name == "" {
		return lk, "", "", false
	}
	if i := strings.LastIndexByte(name, '@'); i > 0 {
		name, parent = name[:i], name[i+1:]
	}
	lk.Name = name
	i := 2
	if i < len(f) && strings.HasPrefix(f[i], "<") {
		// The flag list has no blanks, but be lenient about them.
		var fl []string
		for ; i < len(f); i++ {
			fl = append(fl, f[i])
			if strings.HasSuffix(f[i], ">") {
				i++
				break
			}
		}
		flags := strings.Trim(strings.Join(fl, ""), "<>")
		noCarrier := false
		for _, n := range strings.Split(flags, ",") {
			switch {
			case n == "":
			case n == "NO-CARRIER":
				noCarrier = true
			case iffNames[n] != 0:
				lk.Flags |= iffNames[n]
			default:
				if v, err := strconv.ParseUint(n, 16, 32); err == nil {
					lk.Flags |= uint32(v)
				}
			}
		}
		if lk.Flags&0x1 != 0 && !noCarrier {
			lk.Flags |= 0x40 // IFF_RUNNING
		}
		if lk.Flags&0x10000 != 0 {
			lk.Carrier = 1
		}
	}
	for ; i+1 < len(f); i += 2 {
		k, v := f[i], f[i+1]
		switch k {
		case "mtu":
			lk.MTU, _ = u32(v)
		case "qdisc":
			lk.Qdisc = v
		case "master":
			master = v
		case "state":
			lk.OperState = operStates[v]
		case "mode":
			lk.LinkMode = linkModes[v]
		case "group":
			lk.Group, _ = names.group(v)
		case "qlen":
			lk.TxQueueLen, _ = u32(v)
		default:
			// An unknown word (a newer iproute2's): keep the pairing by
			// stepping one word only.
			i--
		}
	}
	return lk, parent, master, true
}

// parseLinkLine reads "link/ether 02:… brd ff:… [permaddr …] [details]".
func parseLinkLine(f []string, lk *snapshots.Link, out *Interfaces) {
	typ := strings.TrimPrefix(f[0], "link/")
	if t, ok := arphrd[typ]; ok {
		lk.Type = t
	} else if strings.HasPrefix(typ, "[") && strings.HasSuffix(typ, "]") {
		if v, err := strconv.ParseUint(typ[1:len(typ)-1], 10, 16); err == nil {
			lk.Type = uint16(v)
		}
	}
	i := 1
	if i < len(f) {
		if mac, ok := parseMAC(f[i]); ok {
			lk.HWAddr = mac
			i++
		}
	}
	for i+1 < len(f) {
		switch f[i] {
		case "brd", "peer":
			if mac, ok := parseMAC(f[i+1]); ok {
				lk.Broadcast = mac
			}
			i += 2
			continue
		case "permaddr":
			if mac, ok := parseMAC(f[i+1]); ok {
				lk.PermAddr = mac
			}
			i += 2
			continue
		}
		break
	}
	parseLinkDetails(f[i:], lk, out, false)
}

// parseLinkDetails reads the key/value words of -d output. A detail line
// that starts with an unknown word names the link kind ("veth", "vlan …",
// "bridge_slave …").
func parseLinkDetails(f []string, lk *snapshots.Link, out *Interfaces, ownLine bool) {
	if len(f) == 0 {
		return
	}
	if ownLine && !linkDetailKeys[f[0]] {
		if k, ok := strings.CutSuffix(f[0], "_slave"); ok {
			lk.SlaveKind = k
		} else if lk.Kind == "" {
			lk.Kind = f[0]
		}
		f = f[1:]
	}
	for i := 0; i+1 < len(f); i++ {
		v := f[i+1]
		switch f[i] {
		case "promiscuity":
			lk.Promiscuity, _ = u32(v)
		case "minmtu":
			lk.MinMTU, _ = u32(v)
		case "maxmtu":
			lk.MaxMTU, _ = u32(v)
		case "numtxqueues":
			lk.NumTxQueues, _ = u32(v)
		case "numrxqueues":
			lk.NumRxQueues, _ = u32(v)
		case "link-netnsid":
			if n, err := strconv.ParseInt(v, 10, 32); err == nil {
				lk.ParentNetns = int32(n)
			}
		case "link-netns":
			if out.LinkNetns == nil {
				out.LinkNetns = map[int32]string{}
			}
			out.LinkNetns[lk.Index] = v
		default:
			continue
		}
		i++
	}
}

// statsTable is a header line of -s output: the counter each column holds.
type statsTable struct {
	fields []func(*snapshots.LinkStats) *uint64
}

var (
	rxMain = map[string]func(*snapshots.LinkStats) *uint64{
		"bytes":      func(s *snapshots.LinkStats) *uint64 { return &s.RxBytes },
		"packets":    func(s *snapshots.LinkStats) *uint64 { return &s.RxPackets },
		"errors":     func(s *snapshots.LinkStats) *uint64 { return &s.RxErrors },
		"dropped":    func(s *snapshots.LinkStats) *uint64 { return &s.RxDropped },
		"missed":     func(s *snapshots.LinkStats) *uint64 { return &s.RxMissedErrors },
		"overrun":    func(s *snapshots.LinkStats) *uint64 { return &s.RxOverErrors },
		"mcast":      func(s *snapshots.LinkStats) *uint64 { return &s.Multicast },
		"compressed": func(s *snapshots.LinkStats) *uint64 { return &s.RxCompressed },
		"nohandler":  func(s *snapshots.LinkStats) *uint64 { return &s.RxNoHandler },
		"otherhost":  func(s *snapshots.LinkStats) *uint64 { return &s.RxOtherhostDropped },
	}
	txMain = map[string]func(*snapshots.LinkStats) *uint64{
		"bytes":      func(s *snapshots.LinkStats) *uint64 { return &s.TxBytes },
		"packets":    func(s *snapshots.LinkStats) *uint64 { return &s.TxPackets },
		"errors":     func(s *snapshots.LinkStats) *uint64 { return &s.TxErrors },
		"dropped":    func(s *snapshots.LinkStats) *uint64 { return &s.TxDropped },
		"carrier":    func(s *snapshots.LinkStats) *uint64 { return &s.TxCarrierErrors },
		"collsns":    func(s *snapshots.LinkStats) *uint64 { return &s.Collisions },
		"compressed": func(s *snapshots.LinkStats) *uint64 { return &s.TxCompressed },
	}
	rxErrors = map[string]func(*snapshots.LinkStats) *uint64{
		"length":  func(s *snapshots.LinkStats) *uint64 { return &s.RxLengthErrors },
		"crc":     func(s *snapshots.LinkStats) *uint64 { return &s.RxCRCErrors },
		"frame":   func(s *snapshots.LinkStats) *uint64 { return &s.RxFrameErrors },
		"fifo":    func(s *snapshots.LinkStats) *uint64 { return &s.RxFIFOErrors },
		"overrun": func(s *snapshots.LinkStats) *uint64 { return &s.RxOverErrors },
		"missed":  func(s *snapshots.LinkStats) *uint64 { return &s.RxMissedErrors },
	}
	txErrors = map[string]func(*snapshots.LinkStats) *uint64{
		"aborted": func(s *snapshots.LinkStats) *uint64 { return &s.TxAbortedErrors },
		"fifo":    func(s *snapshots.LinkStats) *uint64 { return &s.TxFIFOErrors },
		"window":  func(s *snapshots.LinkStats) *uint64 { return &s.TxWindowErrors },
		"heartbt": func(s *snapshots.LinkStats) *uint64 { return &s.TxHeartbeatErrors },
	}
)

func newStatsTable(f []string) *statsTable {
	var m map[string]func(*snapshots.LinkStats) *uint64
	words := f[1:]
	switch {
	case f[0] == "RX:":
		m = rxMain
	case f[0] == "TX:":
		m = txMain
	case f[0] == "RX":
		m, words = rxErrors, f[2:]
	default:
		m, words = txErrors, f[2:]
	}
	t := &statsTable{}
	for _, w := range words {
		t.fields = append(t.fields, m[w]) // nil for a column the model has no field for
	}
	return t
}

func (t *statsTable) apply(f []string, s *snapshots.LinkStats) {
	for i, v := range f {
		if i >= len(t.fields) || t.fields[i] == nil {
			continue
		}
		if n, ok := u64(v); ok {
			*t.fields[i](s) = n
		}
	}
	s.Valid = true
}

func isNumbers(f []string) bool {
	for _, v := range f {
		if _, ok := u64(v); !ok {
			return false
		}
	}
	return len(f) > 0
}

// parseAddrLine reads "inet 10.1.0.1/24 [peer P/N] [brd B] [any A] scope
// global [flags…] [label]".
func parseAddrLine(f []string, names *Names) (snapshots.Addr, bool) {
	var a snapshots.Addr
	if len(f) < 2 {
		return a, false
	}
	a.Family = snapshots.AFInet
	if f[0] == "inet6" {
		a.Family = snapshots.AFInet6
	}
	p, ok := parsePrefix(f[1])
	if !ok || family(p.Addr()) != a.Family {
		return a, false
	}
	local := p.Addr()
	a.PrefixLen = uint8(p.Bits())
	a.Address = local
	if a.Family == snapshots.AFInet {
		a.Local = local
	}
	a.Flags = ifaPermanent
	rest := f[2:]
	for i := 0; i < len(rest); i++ {
		w := rest[i]
		next := ""
		if i+1 < len(rest) {
			next = rest[i+1]
		}
		switch {
		case w == "peer" && next != "":
			if pp, ok := parsePrefix(next); ok && family(pp.Addr()) == a.Family {
				a.Local, a.Address, a.PrefixLen = local, pp.Addr(), uint8(pp.Bits())
			}
			i++
		case w == "brd" && next != "":
			if b, err := netip.ParseAddr(next); err == nil {
				a.Broadcast = b
			}
			i++
		case w == "any" && next != "":
			if b, err := netip.ParseAddr(next); err == nil {
				a.Anycast = b
			}
			i++
		case w == "scope" && next != "":
			a.Scope, _ = names.scope(next)
			i++
		case w == "proto" && next != "":
			if v, ok := ifaProtos[next]; ok {
				a.Proto = v
			} else if v, err := parseNum(next, 255); err == nil {
				a.Proto = uint8(v)
			}
			i++
		case w == "metric" && next != "":
			i++ // IFA_RT_PRIORITY: no model field
		case w == "dynamic":
			a.Flags &^= ifaPermanent
		case ifaFlags[w] != 0:
			a.Flags |= ifaFlags[w]
		case strings.HasPrefix(w, "flags") && next != "":
			if v, err := parseNum(next, 1<<32-1); err == nil {
				a.Flags |= uint32(v)
			}
			i++
		case a.Family == snapshots.AFInet && i == len(rest)-1:
			a.Label = w
		}
	}
	return a, true
}

// parseLifetimes reads "valid_lft forever preferred_lft 3599sec".
func parseLifetimes(f []string, a *snapshots.Addr) {
	for i := 0; i+1 < len(f); i += 2 {
		v, ok := lifetime(f[i+1])
		if !ok {
			continue
		}
		switch f[i] {
		case "valid_lft":
			a.Valid, a.HasCacheInfo = v, true
		case "preferred_lft":
			a.Preferred, a.HasCacheInfo = v, true
		}
	}
}

func lifetime(s string) (uint32, bool) {
	if s == "forever" {
		return 0xffffffff, true
	}
	return u32(strings.TrimSuffix(s, "sec"))
}
