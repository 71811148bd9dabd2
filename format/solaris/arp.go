package solaris

import (
	"bufio"
	"strings"

	"github.com/netmortem/netmortem/analyze/neigh"
	"github.com/netmortem/netmortem/analyze/netstat"
	"github.com/netmortem/netmortem/snapshots"
)

// Form 3, net to media (solaris-display-formats.md §4): the IPv4 ARP
// table and the IPv6 neighbour cache, from the neighbour table with its
// proxy entries. Flags, Type and State are mapped from the NUD state and
// NTF flags by analyze/neigh. -v (a Linux extension; netstat -p has no
// -v) adds each entry's NUD state and flags as ip(8) names them.

func init() {
	Register(&Form{Form: netstat.FormARP, Text: arpText, Record: arpRecord})
}

const (
	arpTitle4 = "Net to Media Table: IPv4\n"
	arpHead4  = "Device   IP Address               Mask      Flags      Phys Addr\n" +
		"------ -------------------- --------------- -------- ---------------\n"
	arpHead4v = "Device   IP Address               Mask      Flags      Phys Addr         NUD state and flags\n" +
		"------ -------------------- --------------- -------- ----------------- -------------------\n"
	arpTitle6 = "\nNet to Media Table: IPv6\n"
	arpHead6  = " If   Physical Address    Type      State      Destination/Mask\n" +
		"----- -----------------  ------- ------------ ---------------------------\n"
	arpHead6v = " If   Physical Address    Type      State      Destination/Mask            NUD state and flags\n" +
		"----- -----------------  ------- ------------ --------------------------- -------------------\n"
)

// arpHost is /32: Linux neighbour entries are per address.
const arpHostMask = "255.255.255.255"

// arpPhys is the link-layer address of an entry; a proxy entry answers
// with its interface's address.
func arpPhys(p *Pass, n *snapshots.Neighbour) string {
	if len(n.LLAddr) == 0 && (n.Proxy || n.Flags&neigh.NTFProxy != 0) {
		if l := p.Cur.Link(n.Index); l != nil {
			return HWAddr(l.HWAddr)
		}
	}
	return HWAddr(n.LLAddr)
}

func arpLinux(n *snapshots.Neighbour) string {
	s := neigh.StateName(n.State)
	if f := neigh.FlagNames(n); len(f) > 0 {
		s += " " + strings.Join(f, " ")
	}
	return s
}

func arpText(w *bufio.Writer, p *Pass) error {
	b := make([]byte, 0, 128)
	v := p.Req.Verbose
	if p.Req.FamilySelected(snapshots.AFInet) {
		w.WriteString(arpTitle4)
		if v {
			w.WriteString(arpHead4v)
		} else {
			w.WriteString(arpHead4)
		}
		for i := range p.Cur.Neighbours {
			n := &p.Cur.Neighbours[i]
			if n.Family != snapshots.AFInet {
				continue
			}
			b = padLeft(b[:0], p.Cur.IfName(n.Index), 6)
			b = padLeft(append(b, ' '), p.P.Host(n.Addr), 20)
			b = padLeft(append(b, ' '), arpHostMask, 15)
			b = padLeft(append(b, ' '), neigh.ARPFlags(n), 8)
			b = append(b, ' ')
			if v {
				b = padLeft(b, arpPhys(p, n), 17)
				b = append(append(b, ' '), arpLinux(n)...)
			} else {
				b = append(b, arpPhys(p, n)...)
			}
			w.Write(append(b, '\n'))
		}
	}
	if p.Req.FamilySelected(snapshots.AFInet6) {
		w.WriteString(arpTitle6)
		if v {
			w.WriteString(arpHead6v)
		} else {
			w.WriteString(arpHead6)
		}
		for i := range p.Cur.Neighbours {
			n := &p.Cur.Neighbours[i]
			if n.Family != snapshots.AFInet6 {
				continue
			}
			b = padLeft(b[:0], p.Cur.IfName(n.Index), 5)
			b = padLeft(append(b, ' '), arpPhys(p, n), 17)
			b = padLeft(append(b, ' ', ' '), neigh.NDPType(n), 7)
			b = padLeft(append(b, ' '), neigh.NDPState(n), 12)
			b = padLeft(append(b, ' '), p.P.Host(n.Addr), 27)
			if v {
				b = append(append(b, ' '), arpLinux(n)...)
			}
			w.Write(append(b, '\n'))
		}
		w.WriteByte('\n')
	}
	return nil
}

// NetToMediaRecord is one neighbour entry with its Solaris and Linux
// views.
type NetToMediaRecord struct {
	Family    string   `json:"family"`
	Device    string   `json:"device"`
	IfIndex   int32    `json:"ifindex"`
	Address   string   `json:"address"`
	PhysAddr  string   `json:"phys_addr"`
	Mask      string   `json:"mask,omitempty"`  // IPv4
	Flags     string   `json:"flags,omitempty"` // IPv4 Solaris letters
	Type      string   `json:"type,omitempty"`  // IPv6
	State     string   `json:"state,omitempty"` // IPv6
	NUDState  string   `json:"nud_state"`
	NTFFlags  []string `json:"ntf_flags"`
	Probes    uint32   `json:"probes"`
	Confirmed *uint32  `json:"confirmed_ticks,omitempty"`
	Used      *uint32  `json:"used_ticks,omitempty"`
	Updated   *uint32  `json:"updated_ticks,omitempty"`
}

func arpRecord(p *Pass) (any, error) {
	out := []NetToMediaRecord{}
	for i := range p.Cur.Neighbours {
		n := &p.Cur.Neighbours[i]
		if n.Family != snapshots.AFInet && n.Family != snapshots.AFInet6 || !p.Req.FamilySelected(n.Family) {
			continue
		}
		r := NetToMediaRecord{Device: p.Cur.IfName(n.Index), IfIndex: n.Index, Address: n.Addr.String(),
			PhysAddr: arpPhys(p, n), NUDState: neigh.StateName(n.State), NTFFlags: neigh.FlagNames(n), Probes: n.Probes}
		if r.NTFFlags == nil {
			r.NTFFlags = []string{}
		}
		if n.Family == snapshots.AFInet {
			r.Family, r.Mask, r.Flags = "inet", arpHostMask, neigh.ARPFlags(n)
		} else {
			r.Family, r.Type, r.State = "inet6", neigh.NDPType(n), neigh.NDPState(n)
		}
		if n.HasCacheInfo {
			c, u, up := n.Confirmed, n.Used, n.Updated
			r.Confirmed, r.Used, r.Updated = &c, &u, &up
		}
		out = append(out, r)
	}
	return out, nil
}
