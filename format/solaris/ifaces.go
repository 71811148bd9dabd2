package solaris

import (
	"bufio"
	"net/netip"

	"github.com/netmortem/netmortem/analyze/ifaces"
	"github.com/netmortem/netmortem/analyze/netstat"
	"github.com/netmortem/netmortem/snapshots"
)

// Form 6, interface status (solaris-display-formats.md §7): the one-shot
// IPv4 and IPv6 tables, or with an interval operand the traffic layout.
// Rows come from analyze/ifaces. Counters the capture lacks print N/A, as
// Solaris prints them on logical lines; Queue is always 0 (Solaris prints
// 0 too; Linux's qdisc backlog is not captured).

func init() {
	Register(&Form{Form: netstat.FormInterfaces, Text: ifacesText, Record: ifacesRecord})
}

// Headers, byte for byte (§7.2, §7.4).
const (
	hdrIf4 = "Name  Mtu  Net/Dest      Address        Ipkts  Ierrs Opkts  Oerrs Collis Queue \n"
	hdrIf6 = "Name  Mtu  Net/Dest                    Address                     Ipkts  Ierrs Opkts  Oerrs Collis\n"
	// The second line of the interval header ends in a blank.
	hdrTraffic2 = "packets errs  packets errs  colls  packets errs  packets errs  colls \n"
)

// ifNoAddr is what Net/Dest and Address print on the line of a link that
// has no IPv4 or IPv6 address.
const ifNoAddr = "--"

// ifNA is Solaris's placeholder for a counter it does not have.
const ifNA = "N/A"

func ifacesText(w *bufio.Writer, p *Pass) error {
	t := ifaces.New(p.Cur.Links, p.Cur.Addrs)
	if p.Req.IntervalMode() {
		return trafficText(w, p, t)
	}
	if only := p.Req.Interface; only != "" && !t.Has(only) {
		return ifaces.ErrNoSuchInterface(only)
	}
	printed := false
	b := make([]byte, 0, 160)
	for _, af := range inetFamilies {
		if !p.Req.FamilySelected(af) {
			continue
		}
		lines := t.Lines(af, p.Req.All, p.Req.Interface)
		if len(lines) == 0 {
			continue
		}
		if af == snapshots.AFInet6 {
			if printed {
				w.WriteByte('\n')
			}
			w.WriteString(hdrIf6)
		} else {
			w.WriteString(hdrIf4)
		}
		printed = true
		for i := range lines {
			b = ifLine(b[:0], p, &lines[i], af)
			w.Write(b)
		}
	}
	return nil
}

// ifLine prints a physical line, `%-5s %-4u %-13s %-14s %-6llu %-5llu
// %-6llu %-5llu %-6llu %-6llu` (IPv6: 27-wide Net/Dest and Address, no
// Queue), or a logical line with the per-address input count (which Linux
// does not keep) and N/A for the others.
func ifLine(b []byte, p *Pass, l *ifaces.Line, af uint8) []byte {
	netW, addrW := 13, 14
	if af == snapshots.AFInet6 {
		netW, addrW = 27, 27
	}
	b = colLeft(b, l.Name, 5)
	b = append(b, ' ')
	b = colUint(b, uint64(l.Link.MTU), -4)
	b = append(b, ' ')
	start := len(b)
	b = ifNet(b, p, l)
	b = colPad(b, start, netW)
	b = append(b, ' ')
	start = len(b)
	if l.Addr == nil {
		b = append(b, ifNoAddr...)
	} else {
		b = p.P.AppendHost(b, l.Addr.IP())
	}
	b = colPad(b, start, addrW)
	b = append(b, ' ')
	c := ifaces.CountersOf(l.Link)
	if l.Logical || !c.Valid {
		b = colLeft(b, ifNA, 6)
		b = append(b, ' ')
		b = colLeft(b, ifNA, 5)
		b = append(b, ' ')
		b = colLeft(b, ifNA, 6)
		b = append(b, ' ')
		b = colLeft(b, ifNA, 5)
		b = append(b, ' ')
		b = colLeft(b, ifNA, 6)
	} else {
		b = colUint(b, c.Ipkts, -6)
		b = append(b, ' ')
		b = colUint(b, c.Ierrs, -5)
		b = append(b, ' ')
		b = colUint(b, c.Opkts, -6)
		b = append(b, ' ')
		b = colUint(b, c.Oerrs, -5)
		b = append(b, ' ')
		b = colUint(b, c.Collis, -6)
	}
	if af == snapshots.AFInet {
		b = append(b, ' ')
		b = colUint(b, 0, -6)
	}
	return append(b, '\n')
}

const iffPointopoint = 0x10

// peer returns the far end of a point-to-point address, invalid otherwise.
func peer(l *ifaces.Line) netip.Addr {
	a := l.Addr
	if l.Link.Flags&iffPointopoint != 0 && a.Local.IsValid() && a.Address.IsValid() && a.Address != a.Local {
		return a.Address
	}
	return netip.Addr{}
}

// ifNet prints Net/Dest: the peer of a point-to-point link; for IPv4 the
// network (a networks name, a host name of the address, or the masked
// number), for IPv6 the address and /len.
func ifNet(b []byte, p *Pass, l *ifaces.Line) []byte {
	a := l.Addr
	if a == nil {
		return append(b, ifNoAddr...)
	}
	if pe := peer(l); pe.IsValid() {
		return p.P.AppendHost(b, pe)
	}
	if a.Family == snapshots.AFInet6 {
		return p.P.AppendPrefix6(b, netip.PrefixFrom(a.IP(), int(a.PrefixLen)))
	}
	return append(b, p.P.IfNet(a.IP(), int(a.PrefixLen))...)
}

// trafficFamily is the family the interval layout follows: IPv4 when
// selected, else IPv6 (§7.3).
func trafficFamily(r *netstat.Request) uint8 {
	if r.FamilySelected(snapshots.AFInet) {
		return snapshots.AFInet
	}
	return snapshots.AFInet6
}

// otherReports reports whether a report besides -i runs, so that the
// traffic header repeats every pass (§7.4; netstat also counts -v, and
// only flags typed after -i, which a replay cannot tell — any order
// counts here).
func otherReports(r *netstat.Request) bool {
	return r.Memory || r.Routes || r.Stats || r.ARP || r.Mroute || r.Groups || r.Verbose
}

// traffic computes the line of one pass and the chosen interface's name.
func traffic(p *Pass, t *ifaces.Table) (ifaces.Traffic, string, bool, error) {
	af := trafficFamily(p.Req)
	only := p.Req.Interface
	chosen, err := t.Chosen(af, only)
	if err != nil {
		if p.Prev == nil || only == "" {
			return ifaces.Traffic{}, "", false, err
		}
		chosen = nil // the interface vanished in a later frame
	}
	name := only
	if chosen != nil {
		name = chosen.Name
	}
	members := t.Members(af)
	if p.Prev == nil {
		return ifaces.Sample(chosen, members), name, chosen != nil, nil
	}
	pt := ifaces.New(p.Prev.Links, p.Prev.Addrs)
	var prev *snapshots.Link
	if chosen != nil {
		prev = ifaces.Find(p.Prev.Links, chosen.Name)
	}
	return ifaces.Delta(chosen, prev, members, pt.Members(af)), name, chosen != nil, nil
}

// trafficText prints the interval layout: the header (on the first pass,
// or every pass when other reports run), then one line: the chosen
// interface's counters and the total, since boot on the first pass, then
// the change since the previous pass.
func trafficText(w *bufio.Writer, p *Pass, t *ifaces.Table) error {
	tr, name, ok, err := traffic(p, t)
	if err != nil {
		return err
	}
	again := otherReports(p.Req)
	if p.N == 0 || again {
		b := append([]byte("    input   "), colTrunc(nil, name, 6)...)
		b = append(b, "    output\t   input  (Total)    output\n"...)
		w.Write(b)
		w.WriteString(hdrTraffic2)
	}
	var b []byte
	if ok {
		b = trafficCols(b, tr.If)
	} else {
		b = trafficCols(b, ifaces.Counters{})
	}
	b = append(b, ' ')
	b = trafficCols(b, tr.Total)
	b = append(b, '\n')
	if again {
		b = append(b, '\n')
	}
	w.Write(b)
	return nil
}

// trafficCols prints `%-7llu %-5llu %-7llu %-5llu %-6llu`, or N/A in
// each column when the counters are not known.
func trafficCols(b []byte, c ifaces.Counters) []byte {
	ws := [5]int{7, 5, 7, 5, 6}
	vs := [5]uint64{c.Ipkts, c.Ierrs, c.Opkts, c.Oerrs, c.Collis}
	for i := range ws {
		if i > 0 {
			b = append(b, ' ')
		}
		if c.Valid {
			b = colUint(b, vs[i], -ws[i])
		} else {
			b = colLeft(b, ifNA, ws[i])
		}
	}
	return b
}

// InterfaceRecord is a line of the one-shot table as a record. Counters
// are absent on logical lines and when not captured.
type InterfaceRecord struct {
	Family      string       `json:"family"`
	Name        string       `json:"name"`
	Device      string       `json:"device"`
	Logical     bool         `json:"logical"`
	MTU         uint32       `json:"mtu"`
	Address     netip.Addr   `json:"address"`
	Prefix      netip.Prefix `json:"prefix"`
	Peer        netip.Addr   `json:"peer"`
	Ipkts       *uint64      `json:"ipkts,omitempty"`
	Ierrs       *uint64      `json:"ierrs,omitempty"`
	Opkts       *uint64      `json:"opkts,omitempty"`
	Oerrs       *uint64      `json:"oerrs,omitempty"`
	Collis      *uint64      `json:"collis,omitempty"`
	IfIndex     int32        `json:"ifindex"`
	Flags       uint32       `json:"flags"`
	OperState   uint8        `json:"operstate"`
	InputBytes  *uint64      `json:"ibytes,omitempty"`
	OutputBytes *uint64      `json:"obytes,omitempty"`
}

// CountersRecord is one half of an interval line.
type CountersRecord struct {
	Ipkts  uint64 `json:"ipkts"`
	Ierrs  uint64 `json:"ierrs"`
	Opkts  uint64 `json:"opkts"`
	Oerrs  uint64 `json:"oerrs"`
	Collis uint64 `json:"collis"`
}

// TrafficRecord is an interval line as a record.
type TrafficRecord struct {
	Interface string          `json:"interface"`
	SinceBoot bool            `json:"since_boot"` // the first line; later ones are deltas
	If        *CountersRecord `json:"if"`
	Total     *CountersRecord `json:"total"`
}

func countersRecord(c ifaces.Counters) *CountersRecord {
	if !c.Valid {
		return nil
	}
	return &CountersRecord{Ipkts: c.Ipkts, Ierrs: c.Ierrs, Opkts: c.Opkts, Oerrs: c.Oerrs, Collis: c.Collis}
}

func ifacesRecord(p *Pass) (any, error) {
	t := ifaces.New(p.Cur.Links, p.Cur.Addrs)
	if p.Req.IntervalMode() {
		tr, name, ok, err := traffic(p, t)
		if err != nil {
			return nil, err
		}
		rec := TrafficRecord{Interface: name, SinceBoot: p.Prev == nil, Total: countersRecord(tr.Total)}
		if ok {
			rec.If = countersRecord(tr.If)
		}
		return rec, nil
	}
	if only := p.Req.Interface; only != "" && !t.Has(only) {
		return nil, ifaces.ErrNoSuchInterface(only)
	}
	out := []InterfaceRecord{}
	for _, af := range inetFamilies {
		if !p.Req.FamilySelected(af) {
			continue
		}
		lines := t.Lines(af, p.Req.All, p.Req.Interface)
		for i := range lines {
			l := &lines[i]
			rec := InterfaceRecord{Family: familyName(af), Name: l.Name, Device: l.Link.Name, Logical: l.Logical,
				MTU: l.Link.MTU, IfIndex: l.Link.Index, Flags: l.Link.Flags, OperState: l.Link.OperState}
			if a := l.Addr; a != nil {
				rec.Address = a.IP()
				rec.Prefix, _ = a.IP().Prefix(int(a.PrefixLen))
				rec.Peer = peer(l)
			}
			if c := ifaces.CountersOf(l.Link); c.Valid && !l.Logical {
				st := &l.Link.Stats
				rec.Ipkts, rec.Ierrs, rec.Opkts, rec.Oerrs, rec.Collis = num(c.Ipkts), num(c.Ierrs), num(c.Opkts), num(c.Oerrs), num(c.Collis)
				rec.InputBytes, rec.OutputBytes = num(st.RxBytes), num(st.TxBytes)
			}
			out = append(out, rec)
		}
	}
	return out, nil
}
