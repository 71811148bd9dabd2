package solaris

import (
	"bufio"

	"github.com/netmortem/netmortem/analyze/netstat"
	"github.com/netmortem/netmortem/snapshots"
)

// Form 2, multicast group memberships (solaris-display-formats.md §3):
// the IGMP memberships of /proc/net/igmp and the MLD ones of igmp6, with
// the users count as RefCnt; -v adds the source filter of each
// membership (mcfilter, mcfilter6).

func init() {
	Register(&Form{Form: netstat.FormGroups, Text: grpText, Record: grpRecord})
}

const (
	grpTitle4 = "Group Memberships: IPv4\n"
	grpHead4  = "Interface Group                RefCnt\n" +
		"--------- -------------------- ------\n"
	grpTitle6 = "Group Memberships: IPv6\n"
	grpHead6  = " If       Group                   RefCnt\n" +
		"----- --------------------------- ------\n"
)

// grpIfName names a membership's interface: the link of the snapshot,
// else the name /proc printed, else if#N.
func grpIfName(p *Pass, m *snapshots.Membership) string {
	if l := p.Cur.Link(m.IfIndex); l != nil || m.IfName == "" {
		return p.Cur.IfName(m.IfIndex)
	}
	return m.IfName
}

// grpMode is the filter mode word of the -v source lines.
func grpMode(m uint8) string {
	switch m {
	case snapshots.FilterInclude:
		return "INCLUDE"
	case snapshots.FilterExclude:
		return "EXCLUDE"
	}
	return "<unknown>"
}

func grpText(w *bufio.Writer, p *Pass) error {
	b := make([]byte, 0, 80)
	for _, af := range [...]uint8{snapshots.AFInet, snapshots.AFInet6} {
		if !p.Req.FamilySelected(af) {
			continue
		}
		first := true
		for i := range p.Cur.Groups {
			m := &p.Cur.Groups[i]
			if m.Family != af {
				continue
			}
			if first {
				if af == snapshots.AFInet {
					w.WriteString(grpTitle4 + grpHead4)
				} else {
					w.WriteString(grpTitle6 + grpHead6)
				}
				first = false
			}
			if af == snapshots.AFInet {
				b = padLeft(b[:0], grpIfName(p, m), 9)
				b = padLeft(append(b, ' '), p.P.Host(m.Group), 20)
				b = padUint(append(b, ' '), uint64(m.Users), 6)
			} else {
				b = padLeft(b[:0], grpIfName(p, m), 5)
				b = padLeft(append(b, ' '), p.P.Host(m.Group), 27)
				b = padUint(append(b, ' '), uint64(m.Users), 5)
			}
			w.Write(append(b, '\n'))
			if p.Req.Verbose {
				for j, s := range m.Sources {
					if j == 0 {
						w.WriteString("\t" + grpMode(m.Mode) + ":    " + p.P.Host(s.Addr) + "\n")
					} else {
						w.WriteString("\t            " + p.P.Host(s.Addr) + "\n")
					}
				}
			}
		}
		if !first {
			w.WriteByte('\n')
		}
	}
	w.WriteByte('\n')
	return nil
}

// GroupRecord is one membership.
type GroupRecord struct {
	Family    string              `json:"family"`
	Interface string              `json:"interface"`
	IfIndex   int32               `json:"ifindex"`
	Group     string              `json:"group"`
	RefCnt    uint32              `json:"refcnt"`
	Mode      string              `json:"filter_mode"`
	Sources   []GroupSourceRecord `json:"sources"`
	// From /proc: a report timer running, its expiry in clock ticks, and
	// whether this host sent the last report (IPv4), or the MLD flags.
	Timer    bool   `json:"timer"`
	Expires  uint32 `json:"expires_ticks"`
	Reporter bool   `json:"reporter"`
	Flags    uint32 `json:"mld_flags,omitempty"`
}

// GroupSourceRecord is a source of a source-specific membership, with
// the kernel's include and exclude counts.
type GroupSourceRecord struct {
	Address string `json:"address"`
	Include uint32 `json:"include"`
	Exclude uint32 `json:"exclude"`
}

func grpRecord(p *Pass) (any, error) {
	out := []GroupRecord{}
	for i := range p.Cur.Groups {
		m := &p.Cur.Groups[i]
		if m.Family != snapshots.AFInet && m.Family != snapshots.AFInet6 || !p.Req.FamilySelected(m.Family) {
			continue
		}
		fam := "inet"
		if m.Family == snapshots.AFInet6 {
			fam = "inet6"
		}
		r := GroupRecord{Family: fam, Interface: grpIfName(p, m), IfIndex: m.IfIndex, Group: m.Group.String(),
			RefCnt: m.Users, Mode: grpMode(m.Mode), Sources: []GroupSourceRecord{},
			Timer: m.Timer, Expires: m.Expires, Reporter: m.Reporter, Flags: m.Flags}
		for _, s := range m.Sources {
			r.Sources = append(r.Sources, GroupSourceRecord{s.Addr.String(), s.Include, s.Exclude})
		}
		out = append(out, r)
	}
	return out, nil
}
