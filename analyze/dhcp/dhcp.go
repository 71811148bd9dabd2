// Package dhcp computes the Solaris netstat -D view of the DHCP leases a
// snapshot holds: which lease is current for each interface, its state
// against the capture time (BOUND, RENEWING, REBINDING, or INIT once
// expired), and the Began/Expires/Renew times.
package dhcp

import (
	"sort"
	"time"

	"github.com/netmortem/netmortem/snapshots"
)

// Infinite is the lease time of a lease that never expires (RFC 2131
// 0xffffffff).
const Infinite = ^uint32(0)

// States, as Solaris names them (dhcp_state_to_string).
const (
	StateInit      = "INIT"
	StateBound     = "BOUND"
	StateRenewing  = "RENEWING"
	StateRebinding = "REBINDING"
)

// Status is one interface's DHCP status at the capture time.
type Status struct {
	Interface string
	IfIndex   int32 // 0 when the interface is not in the snapshot
	Family    uint8
	State     string
	// Began, Expires and Renew (T1) and Rebind (T2). A zero Expires
	// with Never set is an infinite lease; a zero time otherwise is
	// unknown.
	Began, Expires, Renew, Rebind time.Time
	Never                         bool
	Primary                       bool // the interface of the default route
	BOOTP                         bool
	Lease                         *snapshots.Lease
}

// Leased reports whether the state has a lease line (BOUND, RENEWING,
// REBINDING).
func (s *Status) Leased() bool {
	return s.State == StateBound || s.State == StateRenewing || s.State == StateRebinding
}

// Times fills in the lease times a client did not record, the way RFC
// 2131 §4.4.5 defines their defaults: the start is the expiry minus the
// lease time, T1 half the lease, T2 seven eighths of it.
func Times(l *snapshots.Lease) (began, expires, renew, rebind time.Time, never bool) {
	began, expires, renew, rebind = l.Start, l.Expire, l.Renew, l.Rebind
	if l.LeaseTime == Infinite {
		return began, time.Time{}, time.Time{}, time.Time{}, true
	}
	lt := time.Duration(l.LeaseTime) * time.Second
	if began.IsZero() && !expires.IsZero() && l.LeaseTime != 0 {
		began = expires.Add(-lt)
	}
	if expires.IsZero() && !began.IsZero() && l.LeaseTime != 0 {
		expires = began.Add(lt)
	}
	if !began.IsZero() && !expires.IsZero() {
		full := expires.Sub(began)
		if renew.IsZero() {
			renew = began.Add(full / 2)
		}
		if rebind.IsZero() {
			rebind = began.Add(full * 7 / 8)
		}
	}
	return began, expires, renew, rebind, false
}

// State returns the state of a lease at time now: BOUND before T1,
// RENEWING from T1, REBINDING from T2, INIT once expired (the client
// must start over). A lease whose times are unknown is BOUND.
func State(renew, rebind, expires time.Time, never bool, now time.Time) string {
	switch {
	case never:
		return StateBound
	case !expires.IsZero() && !now.Before(expires):
		return StateInit
	case !rebind.IsZero() && !now.Before(rebind):
		return StateRebinding
	case !renew.IsZero() && !now.Before(renew):
		return StateRenewing
	}
	return StateBound
}

// Input is what the DHCP view reads from a frame.
type Input struct {
	Leases []snapshots.Lease
	Links  []snapshots.Link
	Routes []snapshots.Route
	Now    time.Time // the capture time of the frame
}

// Statuses returns the current lease of every (interface, family), IPv4
// first then IPv6, each in interface-index order (interfaces the
// snapshot does not have last, by name). When several leases of one
// interface and family were captured (lease files keep history), the one
// with the latest expiry is current.
func Statuses(in Input) []Status {
	idx := map[string]int32{}
	for _, l := range in.Links {
		idx[l.Name] = l.Index
	}
	primary := defaultRouteIfs(in.Routes)
	type key struct {
		name   string
		family uint8
	}
	cur := map[key]*snapshots.Lease{}
	var order []key
	for i := range in.Leases {
		l := &in.Leases[i]
		fam := l.Family
		if fam == 0 {
			fam = snapshots.AFInet
			if l.Address.Is6() && !l.Address.Is4In6() {
				fam = snapshots.AFInet6
			}
		}
		k := key{l.Interface, fam}
		p, ok := cur[k]
		if !ok {
			order = append(order, k)
		}
		if !ok || later(l, p) {
			cur[k] = l
		}
	}
	var out []Status
	for _, k := range order {
		l := cur[k]
		b, e, r, rb, never := Times(l)
		s := Status{
			Interface: k.name, IfIndex: idx[k.name], Family: k.family,
			Began: b, Expires: e, Renew: r, Rebind: rb, Never: never,
			State: State(r, rb, e, never, in.Now),
			BOOTP: l.BOOTP, Lease: l,
		}
		s.Primary = s.IfIndex != 0 && primary[k.family] == s.IfIndex
		out = append(out, s)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := &out[i], &out[j]
		if a.Family != b.Family {
			return a.Family == snapshots.AFInet
		}
		if (a.IfIndex == 0) != (b.IfIndex == 0) {
			return a.IfIndex != 0
		}
		if a.IfIndex != b.IfIndex {
			return a.IfIndex < b.IfIndex
		}
		return a.Interface < b.Interface
	})
	return out
}

// later reports whether lease a is more recent than b.
func later(a, b *snapshots.Lease) bool {
	_, ea, _, _, na := Times(a)
	_, eb, _, _, nb := Times(b)
	if na != nb {
		return na
	}
	if !ea.Equal(eb) {
		return ea.After(eb)
	}
	return a.Start.After(b.Start)
}

// defaultRouteIfs finds, per family, the interface of the main table's
// default route with the lowest metric: Solaris marks the interface
// whose lease configures the system [PRIMARY], which on Linux is the one
// the default route leaves by.
func defaultRouteIfs(rs []snapshots.Route) map[uint8]int32 {
	best := map[uint8]*snapshots.Route{}
	for i := range rs {
		r := &rs[i]
		if r.Table != 254 || r.Type != 1 || r.Dst.Bits() != 0 || !r.Dst.Addr().IsUnspecified() || len(r.NextHops) == 0 || r.Cloned {
			continue
		}
		if b := best[r.Family]; b == nil || r.Priority < b.Priority {
			best[r.Family] = r
		}
	}
	out := map[uint8]int32{}
	for f, r := range best {
		out[f] = r.NextHops[0].OIF
	}
	return out
}
