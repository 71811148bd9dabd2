package sockets

import (
	"net/netip"
	"strconv"

	"github.com/netmortem/netmortem/snapshots"
)

// SCTPState is an SCTP state in Solaris's numbering (inet/mib2.h
// MIB2_SCTP_*), where LISTEN comes last.
type SCTPState uint8

// The Solaris SCTP states.
const (
	SCTPClosed           SCTPState = 1
	SCTPCookieWait       SCTPState = 2
	SCTPCookieEchoed     SCTPState = 3
	SCTPEstablished      SCTPState = 4
	SCTPShutdownPending  SCTPState = 5
	SCTPShutdownSent     SCTPState = 6
	SCTPShutdownReceived SCTPState = 7
	SCTPShutdownAckSent  SCTPState = 8
	SCTPDeleteTCB        SCTPState = 9
	SCTPListen           SCTPState = 10
	// SCTPUnknown stands for a Linux state with no Solaris name; it sorts
	// last, so that such a row is shown.
	SCTPUnknown SCTPState = 255
)

var sctpNames = [...]string{"", "CLOSED", "COOKIE_WAIT", "COOKIE_ECHOED", "ESTABLISHED",
	"SHUTDOWN_PENDING", "SHUTDOWN_SENT", "SHUTDOWN_RECEIVED", "SHUTDOWN_ACK_SENT", "DELETE_TCB", "LISTEN"}

func (s SCTPState) String() string {
	if s >= SCTPClosed && s <= SCTPListen && s != SCTPDeleteTCB {
		return sctpNames[s]
	}
	return "UNKNOWN STATE(" + strconv.Itoa(int(s)) + ")"
}

// sctpFromLinux maps SCTP_STATE_* (include/net/sctp/constants.h: CLOSED 0
// … SHUTDOWN_ACK_SENT 7) to Solaris's numbering.
func sctpFromLinux(st uint8) SCTPState {
	if st <= 7 {
		return SCTPState(st + 1)
	}
	return SCTPUnknown
}

// SCTPRow is one line of the SCTP list: an association, or an endpoint
// that is listening or has no association.
type SCTPRow struct {
	Assoc    *snapshots.SCTPAssoc    // nil for an endpoint row
	Endpoint *snapshots.SCTPEndpoint // nil for an association row
	State    SCTPState
	// LinuxState is the association's SCTP_STATE_* code (0 for endpoint
	// rows).
	LinuxState uint8
	// Local and Remote are the primary addresses: the first local address
	// (the kernel marks no local primary) and the remote one the kernel
	// marks primary (else the first). Invalid when there is none; a
	// listener has no remote.
	Local, Remote         netip.Addr
	LocalPort, RemotePort uint16
	// Locals and Remotes are every address, primary included.
	Locals, Remotes []snapshots.SCTPAddr
}

// Linux sk_state of an SCTP endpoint that listens (TCP_LISTEN).
const sctpSSListening = 10

// Visible reports whether netstat shows the row: with -a always, else
// associations from ESTABLISHED on and listeners (§2.2).
func (r *SCTPRow) Visible(all bool) bool {
	return all || r.State >= SCTPEstablished
}

// SCTPRows returns the SCTP list: each endpoint in table order (when it
// listens or has no association), followed by its associations (matched
// by socket inode); then associations of no captured endpoint. all is -a.
func SCTPRows(eps []snapshots.SCTPEndpoint, assocs []snapshots.SCTPAssoc, all bool) []SCTPRow {
	byInode := make(map[uint64][]int, len(assocs))
	for i := range assocs {
		byInode[assocs[i].Inode] = append(byInode[assocs[i].Inode], i)
	}
	used := make([]bool, len(assocs))
	var out []SCTPRow
	add := func(r SCTPRow) {
		if r.Visible(all) {
			out = append(out, r)
		}
	}
	for i := range eps {
		e := &eps[i]
		mine := byInode[e.Inode]
		if e.Inode == 0 {
			mine = nil
		}
		if e.State == sctpSSListening || len(mine) == 0 {
			add(endpointRow(e))
		}
		for _, j := range mine {
			if !used[j] {
				used[j] = true
				add(assocRow(&assocs[j]))
			}
		}
	}
	for j := range assocs {
		if !used[j] {
			add(assocRow(&assocs[j]))
		}
	}
	return out
}

func endpointRow(e *snapshots.SCTPEndpoint) SCTPRow {
	r := SCTPRow{Endpoint: e, State: SCTPClosed, LocalPort: e.Port}
	if e.State == sctpSSListening {
		r.State = SCTPListen
	}
	r.Locals = make([]snapshots.SCTPAddr, len(e.Addrs))
	for i, a := range e.Addrs {
		r.Locals[i] = snapshots.SCTPAddr{Addr: a}
	}
	if len(e.Addrs) > 0 {
		r.Local = e.Addrs[0]
	}
	return r
}

func assocRow(a *snapshots.SCTPAssoc) SCTPRow {
	r := SCTPRow{Assoc: a, State: sctpFromLinux(a.State), LinuxState: a.State, LocalPort: a.LocalPort, RemotePort: a.RemotePort,
		Locals: a.Locals, Remotes: a.Remotes}
	if len(a.Locals) > 0 {
		r.Local = a.Locals[0].Addr
	}
	for i, x := range a.Remotes {
		if x.Primary || (i == 0 && !r.Remote.IsValid()) {
			r.Remote = x.Addr
		}
	}
	return r
}

// StateName is the State column: the Solaris name, or UNKNOWN STATE(n)
// with Linux's code n, as netstat prints a code it does not know.
func (r *SCTPRow) StateName() string {
	if r.State == SCTPUnknown {
		return "UNKNOWN STATE(" + strconv.Itoa(int(r.LinuxState)) + ")"
	}
	return r.State.String()
}

// Family returns the row's address family: the association's, else that
// of the endpoint's first address (IPv4 when it has none).
func (r *SCTPRow) Family() uint8 {
	if r.Assoc != nil && r.Assoc.Family != 0 {
		return r.Assoc.Family
	}
	if r.Local.IsValid() && r.Local.Is6() && !r.Local.Is4In6() {
		return snapshots.AFInet6
	}
	return snapshots.AFInet
}
