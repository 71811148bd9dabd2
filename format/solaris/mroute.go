package solaris

import (
	"bufio"
	"net/netip"
	"strconv"

	"github.com/netmortem/netmortem/analyze/netstat"
	"github.com/netmortem/netmortem/snapshots"
)

// Form 8, multicast routing (solaris-display-formats.md §9): the Virtual
// Interface Table and the Multicast Forwarding Cache of IPv4 (ip_mr_vif,
// ip_mr_cache or RTM_GETROUTE family 128), then — a Linux extension,
// netstat has no IPv6 multicast routing display — the same two tables of
// IPv6 (ip6_mr_vif, ip6_mr_cache). Linux shows no vif threshold or rate
// limit: those columns print the placeholder. A vif bound by interface
// index (VIFF_USE_IFINDEX, as smcroute and pimd create them) has no local
// address: its interface name is printed in that column.

func init() {
	Register(&Form{Form: netstat.FormMroute, Text: mrtText, Record: mrtRecord})
}

const (
	mrtVifHead4 = " Vif Threshold Rate_Limit Local-Address   Remote-Address     Pkt_in   Pkt_out\n"
	mrtMFCHead4 = "  Origin-Subnet                 Mcastgroup      # Pkts  In-Vif  Out-vifs/Forw-ttl\n"
	mrtVifHead6 = " Mif Interface          Pkt_in   Pkt_out\n"
	mrtMFCHead6 = "  Origin                      Mcastgroup                  # Pkts  In-Mif  Out-mifs/Forw-ttl\n"
)

// VIFF flags.
const (
	mrtViffTunnel   = 0x1
	mrtViffRegister = 0x4
)

// mrtScaled is netstat's packet count: %4u and a unit, k, m or g in
// steps of 1024.
func mrtScaled(v uint64) string {
	const units = " kmg"
	i := 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	s := strconv.FormatUint(v, 10)
	for len(s) < 4 {
		s = " " + s
	}
	return s + units[i:i+1]
}

// mrtVifs returns the vifs of one family.
func mrtVifs(p *Pass, fam uint8) []*snapshots.Vif {
	var out []*snapshots.Vif
	for i := range p.Cur.Vifs {
		if p.Cur.Vifs[i].Family == fam {
			out = append(out, &p.Cur.Vifs[i])
		}
	}
	return out
}

// mrtVifOf finds the vif index of an interface index (netlink entries
// carry interface indexes, /proc ones vif indexes); -1 when none.
func mrtVifOf(vifs []*snapshots.Vif, p *Pass, ifindex int32) int32 {
	if ifindex == 0 {
		return -1
	}
	name := p.Cur.IfName(ifindex)
	for _, v := range vifs {
		if v.LocalIfIndex == ifindex || v.Name != "" && v.Name == name {
			return v.Index
		}
	}
	return -1
}

func mrtVifCol(v int32) string {
	if v < 0 {
		return cntNA
	}
	return strconv.Itoa(int(v))
}

// mrtIIF returns an entry's input vif.
func mrtIIF(vifs []*snapshots.Vif, p *Pass, e *snapshots.MFCEntry) int32 {
	if e.IIFVif >= 0 && (e.IIFVif != 0 || e.IIF == 0) {
		return e.IIFVif
	}
	return mrtVifOf(vifs, p, e.IIF)
}

// mrtOifVif returns an outgoing interface's vif.
func mrtOifVif(vifs []*snapshots.Vif, p *Pass, o snapshots.MFCOif) int32 {
	if o.Vif >= 0 {
		return o.Vif
	}
	return mrtVifOf(vifs, p, o.IfIndex)
}

func mrtLocal(p *Pass, v *snapshots.Vif) string {
	if v.Local.IsValid() && !v.Local.IsUnspecified() && v.LocalIfIndex == 0 {
		return p.P.Host(v.Local)
	}
	return v.Name
}

func mrtEntries(p *Pass, fam uint8) []*snapshots.MFCEntry {
	var out []*snapshots.MFCEntry
	for i := range p.Cur.MFC {
		if p.Cur.MFC[i].Family == fam {
			out = append(out, &p.Cur.MFC[i])
		}
	}
	return out
}

func mrtText(w *bufio.Writer, p *Pass) error {
	b := make([]byte, 0, 128)
	if p.Req.FamilySelected(snapshots.AFInet) {
		vifs := mrtVifs(p, snapshots.AFInet)
		if len(vifs) == 0 {
			w.WriteString("\nVirtual Interface Table is empty\n")
		} else {
			w.WriteString("\nVirtual Interface Table\n" + mrtVifHead4)
			for _, v := range vifs {
				b = append(b[:0], ' ', ' ')
				b = padRight(b, strconv.Itoa(int(v.Index)), 2)
				b = padRight(append(b, "       "...), cntNA, 3)
				b = padRight(append(b, "       "...), cntNA, 4)
				b = padTrunc(append(b, ' '), mrtLocal(p, v), 15)
				remote := ""
				if v.Flags&mrtViffTunnel != 0 {
					remote = p.P.Host(v.Remote)
				}
				b = padTrunc(append(b, ' '), remote, 15)
				b = padUint(append(b, ' ', ' '), v.PktsIn, 8)
				b = padUint(append(b, ' ', ' '), v.PktsOut, 8)
				w.Write(append(b, '\n'))
			}
			w.WriteString("Numvifs: " + strconv.Itoa(len(vifs)) + "\n")
		}
		es := mrtEntries(p, snapshots.AFInet)
		if len(es) == 0 {
			w.WriteString("\nMulticast Forwarding Cache is empty\n")
		} else {
			w.WriteString("\nMulticast Forwarding Cache\n" + mrtMFCHead4)
			for _, e := range es {
				b = append(b[:0], ' ', ' ')
				b = padLeft(b, mrtTrunc15(p.P.Host(e.Source)), 30)
				b = padTrunc(b, p.P.RouteDest4(netip.PrefixFrom(e.Group, 32), false), 15)
				b = padRight(append(b, ' ', ' '), mrtScaled(e.Packets), 6)
				b = padRight(append(b, ' ', ' '), mrtVifCol(mrtIIF(vifs, p, e)), 3)
				b = append(b, "    "...)
				b = mrtOifs(b, vifs, p, e)
				w.Write(append(b, '\n'))
			}
			w.WriteString("\nTotal no. of entries in cache: " + strconv.Itoa(len(es)) + "\n")
		}
	}
	if p.Req.FamilySelected(snapshots.AFInet6) {
		vifs := mrtVifs(p, snapshots.AFInet6)
		if len(vifs) == 0 {
			w.WriteString("\nIPv6 Virtual Interface Table is empty\n")
		} else {
			w.WriteString("\nIPv6 Virtual Interface Table\n" + mrtVifHead6)
			for _, v := range vifs {
				b = append(b[:0], ' ', ' ')
				b = padRight(b, strconv.Itoa(int(v.Index)), 2)
				b = padLeft(append(b, ' '), v.Name, 15)
				b = padUint(append(b, ' ', ' '), v.PktsIn, 8)
				b = padUint(append(b, ' ', ' '), v.PktsOut, 8)
				w.Write(append(b, '\n'))
			}
			w.WriteString("Nummifs: " + strconv.Itoa(len(vifs)) + "\n")
		}
		es := mrtEntries(p, snapshots.AFInet6)
		if len(es) == 0 {
			w.WriteString("\nIPv6 Multicast Forwarding Cache is empty\n")
		} else {
			w.WriteString("\nIPv6 Multicast Forwarding Cache\n" + mrtMFCHead6)
			for _, e := range es {
				b = append(b[:0], ' ', ' ')
				b = padLeft(b, p.P.Host(e.Source), 27)
				b = padLeft(append(b, ' '), p.P.Host(e.Group), 27)
				b = padRight(append(b, ' '), mrtScaled(e.Packets), 6)
				b = padRight(append(b, ' ', ' '), mrtVifCol(mrtIIF(vifs, p, e)), 3)
				b = append(b, "    "...)
				b = mrtOifs(b, vifs, p, e)
				w.Write(append(b, '\n'))
			}
			w.WriteString("\nTotal no. of entries in cache: " + strconv.Itoa(len(es)) + "\n")
		}
	}
	w.WriteByte('\n')
	return nil
}

func mrtTrunc15(s string) string {
	if len(s) > 15 {
		return s[:15]
	}
	return s
}

// mrtOifs appends, for each outgoing vif with a TTL, six blanks and
// "vif (ttl)".
func mrtOifs(b []byte, vifs []*snapshots.Vif, p *Pass, e *snapshots.MFCEntry) []byte {
	for _, o := range e.Oifs {
		if o.TTL == 0 {
			continue
		}
		b = append(b, "      "...)
		b = append(b, mrtVifCol(mrtOifVif(vifs, p, o))...)
		b = append(b, " ("...)
		b = strconv.AppendUint(b, uint64(o.TTL), 10)
		b = append(b, ')')
	}
	return b
}

// MrouteRecord is the -M display as records.
type MrouteRecord struct {
	Vifs    []MrtVifRecord   `json:"vifs"`
	Entries []MrtEntryRecord `json:"cache"`
}

// MrtVifRecord is one virtual interface.
type MrtVifRecord struct {
	Family    string `json:"family"`
	Vif       int32  `json:"vif"`
	Interface string `json:"interface"`
	Local     string `json:"local,omitempty"`
	Remote    string `json:"remote,omitempty"`
	Flags     uint32 `json:"flags"`
	Tunnel    bool   `json:"tunnel"`
	Register  bool   `json:"register"`
	PktsIn    uint64 `json:"packets_in"`
	BytesIn   uint64 `json:"bytes_in"`
	PktsOut   uint64 `json:"packets_out"`
	BytesOut  uint64 `json:"bytes_out"`
}

// MrtEntryRecord is one forwarding cache entry; vifs are -1 when unknown.
type MrtEntryRecord struct {
	Family   string         `json:"family"`
	Table    uint32         `json:"table"`
	Origin   string         `json:"origin"`
	Group    string         `json:"group"`
	Resolved bool           `json:"resolved"`
	InVif    int32          `json:"in_vif"`
	Packets  uint64         `json:"packets"`
	Bytes    uint64         `json:"bytes"`
	WrongIf  uint64         `json:"wrong_if"`
	Oifs     []MrtOifRecord `json:"out_vifs"`
}

// MrtOifRecord is an outgoing vif and its TTL threshold.
type MrtOifRecord struct {
	Vif int32 `json:"vif"`
	TTL uint8 `json:"ttl"`
}

func mrtFamily(f uint8) string {
	if f == snapshots.AFInet6 {
		return "inet6"
	}
	return "inet"
}

func mrtAddr(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

func mrtRecord(p *Pass) (any, error) {
	out := MrouteRecord{Vifs: []MrtVifRecord{}, Entries: []MrtEntryRecord{}}
	for _, fam := range [...]uint8{snapshots.AFInet, snapshots.AFInet6} {
		if !p.Req.FamilySelected(fam) {
			continue
		}
		vifs := mrtVifs(p, fam)
		for _, v := range vifs {
			r := MrtVifRecord{Family: mrtFamily(fam), Vif: v.Index, Interface: v.Name, Flags: v.Flags,
				Tunnel: v.Flags&mrtViffTunnel != 0, Register: v.Flags&mrtViffRegister != 0,
				PktsIn: v.PktsIn, BytesIn: v.BytesIn, PktsOut: v.PktsOut, BytesOut: v.BytesOut}
			if v.LocalIfIndex == 0 {
				r.Local = mrtAddr(v.Local)
			}
			if r.Tunnel {
				r.Remote = mrtAddr(v.Remote)
			}
			out.Vifs = append(out.Vifs, r)
		}
		for _, e := range mrtEntries(p, fam) {
			r := MrtEntryRecord{Family: mrtFamily(fam), Table: e.Table, Origin: mrtAddr(e.Source), Group: mrtAddr(e.Group),
				Resolved: e.Resolved, InVif: mrtIIF(vifs, p, e), Packets: e.Packets, Bytes: e.Bytes, WrongIf: e.WrongIf,
				Oifs: []MrtOifRecord{}}
			for _, o := range e.Oifs {
				r.Oifs = append(r.Oifs, MrtOifRecord{mrtOifVif(vifs, p, o), o.TTL})
			}
			out.Entries = append(out.Entries, r)
		}
	}
	return out, nil
}
