package solaris

import (
	"bufio"
	"fmt"
	"time"

	"github.com/netmortem/netmortem/analyze/dhcp"
	"github.com/netmortem/netmortem/analyze/netstat"
	"github.com/netmortem/netmortem/snapshots"
)

// Form 9, DHCP status (solaris-display-formats.md §10): one line per
// interface holding a lease, the state computed from the lease against
// the frame's capture time by analyze/dhcp, and the (Began, Expires,
// Renew) line of a leased state. Linux clients keep no Sent, Recv or
// Declined counts: those columns print the placeholder. Times are in the
// captured host's time zone (its /etc/localtime, captured with the name
// files), or UTC for snapshots without it.

func init() {
	Register(&Form{Form: netstat.FormDHCP, Text: dhcpText, Record: dhcpRecord})
}

const dhcpHeader = "Interface  State         Sent  Recv  Declined  Flags\n"

// dhcpTimeLayout is netstat's month/day/year hours:minutes.
const dhcpTimeLayout = "01/02/2006 15:04"

// ErrNotUnderDHCP is the error of -D -I for an interface without a
// lease; the command prints it and exits 2, as netstat does.
type ErrNotUnderDHCP string

func (e ErrNotUnderDHCP) Error() string {
	return string(e) + ": interface is not under DHCP control"
}

// dhcpStatuses returns the statuses -D shows: those of the selected
// families, of the -I interface when given.
func dhcpStatuses(p *Pass) ([]dhcp.Status, error) {
	all := dhcp.Statuses(dhcp.Input{Leases: p.Cur.Leases, Links: p.Cur.Links, Routes: p.Cur.Routes, Now: dhcpNow(p)})
	var out []dhcp.Status
	for _, s := range all {
		if !p.Req.FamilySelected(s.Family) {
			continue
		}
		if p.Req.Interface != "" && s.Interface != p.Req.Interface {
			continue
		}
		out = append(out, s)
	}
	if p.Req.Interface != "" && len(out) == 0 {
		return nil, ErrNotUnderDHCP(p.Req.Interface)
	}
	return out, nil
}

// dhcpNow is the moment the frame was captured.
func dhcpNow(p *Pass) time.Time {
	if t := p.Cur.Frame.Start; !t.IsZero() {
		return t
	}
	return p.Cur.Meta.CaptureStart
}

func dhcpTime(t time.Time, never bool, loc *time.Location) string {
	switch {
	case never:
		return "Never"
	case t.IsZero():
		return "<unknown>"
	}
	return t.In(loc).Format(dhcpTimeLayout)
}

func dhcpFlags(s *dhcp.Status) string {
	f := ""
	if s.Primary {
		f += "[PRIMARY] "
	}
	if s.BOOTP {
		f += "[BOOTP] "
	}
	if s.Family == snapshots.AFInet6 {
		f += "[V6] "
	}
	return f
}

func dhcpText(w *bufio.Writer, p *Pass) error {
	ss, err := dhcpStatuses(p)
	if err != nil {
		return err
	}
	b := make([]byte, 0, 96)
	loc := p.Cur.Snap.Location()
	for i := range ss {
		s := &ss[i]
		if i == 0 {
			w.WriteString(dhcpHeader)
		}
		b = padLeft(b[:0], s.Interface, 10)
		b = padLeft(append(b, ' '), s.State, 12)
		b = padRight(append(b, ' '), cntNA, 5)
		b = padRight(append(b, ' '), cntNA, 5)
		b = padRight(append(b, ' '), cntNA, 9)
		b = append(b, ' ', ' ')
		b = append(b, dhcpFlags(s)...)
		w.Write(append(b, '\n'))
		if s.Leased() {
			fmt.Fprintf(w, "(Began, Expires, Renew) = (%s, %s, %s)\n",
				dhcpTime(s.Began, false, loc), dhcpTime(s.Expires, s.Never, loc), dhcpTime(s.Renew, s.Never, loc))
		}
	}
	return nil
}

// DHCPRecord is one interface's DHCP status. Times are RFC 3339; a null
// Expires with Never set is an infinite lease. Sent, Recv and Declined
// are not kept by Linux clients and are absent.
type DHCPRecord struct {
	Interface string     `json:"interface"`
	IfIndex   int32      `json:"ifindex"`
	Family    string     `json:"family"`
	State     string     `json:"state"`
	Flags     []string   `json:"flags"`
	Address   string     `json:"address,omitempty"`
	PrefixLen uint8      `json:"prefix_len,omitempty"`
	Server    string     `json:"server,omitempty"`
	LeaseTime uint32     `json:"lease_time"`
	Began     *time.Time `json:"began"`
	Renew     *time.Time `json:"renew"`
	Rebind    *time.Time `json:"rebind"`
	Expires   *time.Time `json:"expires"`
	Never     bool       `json:"never_expires"`
	Client    string     `json:"client,omitempty"`
	File      string     `json:"lease_file,omitempty"`
}

func dhcpPtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func dhcpRecord(p *Pass) (any, error) {
	ss, err := dhcpStatuses(p)
	if err != nil {
		return nil, err
	}
	out := []DHCPRecord{}
	for i := range ss {
		s := &ss[i]
		r := DHCPRecord{Interface: s.Interface, IfIndex: s.IfIndex, Family: "inet", State: s.State, Flags: []string{},
			Began: dhcpPtr(s.Began), Renew: dhcpPtr(s.Renew), Rebind: dhcpPtr(s.Rebind), Expires: dhcpPtr(s.Expires), Never: s.Never}
		if s.Family == snapshots.AFInet6 {
			r.Family = "inet6"
		}
		if s.Primary {
			r.Flags = append(r.Flags, "PRIMARY")
		}
		if s.BOOTP {
			r.Flags = append(r.Flags, "BOOTP")
		}
		if s.Family == snapshots.AFInet6 {
			r.Flags = append(r.Flags, "V6")
		}
		if l := s.Lease; l != nil {
			if l.Address.IsValid() {
				r.Address = l.Address.String()
			}
			if l.Server.IsValid() {
				r.Server = l.Server.String()
			}
			r.PrefixLen, r.LeaseTime, r.Client, r.File = l.PrefixLen, l.LeaseTime, l.Client, l.SourceFile
		}
		out = append(out, r)
	}
	return out, nil
}
