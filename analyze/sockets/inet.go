package sockets

import (
	"iter"
	"strconv"

	"github.com/netmortem/netmortem/snapshots"
)

// Kind is a socket list of the first form.
type Kind uint8

// The lists of inet sockets, in print order.
const (
	UDP     Kind = iota // UDP: IPv4, UDP: IPv6
	UDPLite             // UDP-Lite: IPv4/IPv6 (Linux)
	TCP                 // TCP: IPv4, TCP: IPv6
	MPTCP               // MPTCP: IPv4/IPv6 (Linux)
	SCTP                // SCTP: (SCTPRows)
	Raw                 // RAW: IPv4/IPv6 (Linux; -P raw)
)

// Kinds lists the inet lists in print order.
var Kinds = []Kind{UDP, UDPLite, TCP, MPTCP, SCTP, Raw}

var kindTitles = [...]string{"UDP", "UDP-Lite", "TCP", "MPTCP", "SCTP", "RAW"}

// Title is the section title's protocol part.
func (k Kind) Title() string {
	if int(k) < len(kindTitles) {
		return kindTitles[k]
	}
	return "kind" + strconv.Itoa(int(k))
}

// KindOf returns the list an inet socket belongs to. Sockets of protocols
// without a list of their own (ICMP echo sockets, for instance) go to RAW,
// which prints the protocol.
func KindOf(s *snapshots.InetSocket) Kind {
	switch s.Proto {
	case snapshots.ProtoTCP:
		return TCP
	case snapshots.ProtoUDP:
		return UDP
	case snapshots.ProtoUDPLite:
		return UDPLite
	case snapshots.ProtoMPTCP:
		return MPTCP
	case snapshots.ProtoSCTP:
		return SCTP
	}
	return Raw
}

// Select yields the sockets of list k and family af that netstat shows,
// in table order. all is -a.
func Select(socks []snapshots.InetSocket, k Kind, af uint8, all bool) iter.Seq[*snapshots.InetSocket] {
	return func(yield func(*snapshots.InetSocket) bool) {
		for i := range socks {
			s := &socks[i]
			if s.Family != af || KindOf(s) != k || !Visible(s, all) {
				continue
			}
			if !yield(s) {
				return
			}
		}
	}
}

// Any reports whether list k of family af has a row to show.
func Any(socks []snapshots.InetSocket, k Kind, af uint8, all bool) bool {
	for range Select(socks, k, af, all) {
		return true
	}
	return false
}

// Visible reports whether netstat shows s: with -a always, else by the
// rules of the package comment.
func Visible(s *snapshots.InetSocket, all bool) bool {
	if all {
		return true
	}
	switch KindOf(s) {
	case TCP, MPTCP:
		st, ok := TCPStateOf(s.State)
		return !ok || st >= Established
	default:
		return DgramStateOf(s) >= Connected
	}
}

// TCPState is a TCP state in Solaris's numbering (inet/mib2.h), where
// every state before ESTABLISHED is negative.
type TCPState int8

// The Solaris TCP states.
const (
	Closed      TCPState = -6
	Idle        TCPState = -5
	Bound       TCPState = -4
	Listen      TCPState = -3
	SynSent     TCPState = -2
	SynRcvd     TCPState = -1
	Established TCPState = 0
	CloseWait   TCPState = 1
	FinWait1    TCPState = 2
	Closing     TCPState = 3
	LastAck     TCPState = 4
	FinWait2    TCPState = 5
	TimeWait    TCPState = 6
)

var tcpNames = [...]string{"CLOSED", "IDLE", "BOUND", "LISTEN", "SYN_SENT", "SYN_RCVD",
	"ESTABLISHED", "CLOSE_WAIT", "FIN_WAIT_1", "CLOSING", "LAST_ACK", "FIN_WAIT_2", "TIME_WAIT"}

func (s TCPState) String() string {
	if s >= Closed && s <= TimeWait {
		return tcpNames[s-Closed]
	}
	return "UnknownState(" + strconv.Itoa(int(s)) + ")"
}

// Linux TCP state codes (include/net/tcp_states.h).
const (
	linuxEstablished   = 1
	linuxSynSent       = 2
	linuxSynRecv       = 3
	linuxFinWait1      = 4
	linuxFinWait2      = 5
	linuxTimeWait      = 6
	linuxClose         = 7
	linuxCloseWait     = 8
	linuxLastAck       = 9
	linuxListen        = 10
	linuxClosing       = 11
	linuxNewSynRecv    = 12
	linuxBoundInactive = 13
)

var fromLinux = [...]TCPState{
	linuxEstablished: Established, linuxSynSent: SynSent, linuxSynRecv: SynRcvd,
	linuxFinWait1: FinWait1, linuxFinWait2: FinWait2, linuxTimeWait: TimeWait,
	linuxClose: Closed, linuxCloseWait: CloseWait, linuxLastAck: LastAck,
	linuxListen: Listen, linuxClosing: Closing, linuxNewSynRecv: SynRcvd,
	linuxBoundInactive: Bound,
}

// TCPStateOf maps a Linux TCP state to Solaris's; false when Linux's code
// is unknown.
func TCPStateOf(linux uint8) (TCPState, bool) {
	if linux == 0 || int(linux) >= len(fromLinux) {
		return 0, false
	}
	return fromLinux[linux], true
}

// TCPStateName is the state column of a TCP socket: the Solaris name, or
// UnknownState(n) with Linux's code n, as netstat prints a code it does not
// know.
func TCPStateName(linux uint8) string {
	if st, ok := TCPStateOf(linux); ok {
		return st.String()
	}
	return "UnknownState(" + strconv.Itoa(int(linux)) + ")"
}

// DgramState is the state of a UDP, UDP-Lite or raw socket in Solaris's
// UDP numbering (1 Unbound, 2 Idle, 3 Connected, 4 unknown).
type DgramState uint8

// The datagram states.
const (
	Unbound   DgramState = 1
	IdleDgram DgramState = 2
	Connected DgramState = 3
	Unknown   DgramState = 4
)

// DgramStateOf derives the state of a datagram socket: Linux keeps them in
// TCP_CLOSE until connect() moves them to TCP_ESTABLISHED. A UDP socket
// with port 0 is unbound (raw sockets have no port; their "port" is the
// protocol).
func DgramStateOf(s *snapshots.InetSocket) DgramState {
	switch s.State {
	case linuxEstablished:
		return Connected
	case linuxClose:
		if KindOf(s) != Raw && s.Local.Port() == 0 {
			return Unbound
		}
		return IdleDgram
	}
	return Unknown
}

// DgramStateName is the state column of a datagram socket, as netstat
// prints it (mixed case; an unknown state as "Unknown State(n)" with
// Linux's code n).
func DgramStateName(s *snapshots.InetSocket) string {
	switch DgramStateOf(s) {
	case Unbound:
		return "Unbound"
	case IdleDgram:
		return "Idle"
	case Connected:
		return "Connected"
	}
	return "Unknown State(" + strconv.Itoa(int(s.State)) + ")"
}

// RawProtocol returns the IP protocol a raw socket is bound to.
func RawProtocol(s *snapshots.InetSocket) uint16 {
	if s.RawProto != 0 {
		return s.RawProto
	}
	if s.Proto != snapshots.ProtoRaw {
		return s.Proto
	}
	return s.Local.Port()
}
