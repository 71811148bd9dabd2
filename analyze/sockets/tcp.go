package sockets

import (
	"encoding/binary"

	"github.com/netmortem/netmortem/snapshots"
)

// Num is a number a display may lack: Known is false when Linux gave no
// such datum, and the display prints its placeholder instead.
type Num struct {
	V     uint64
	Known bool
}

func known(v uint64) Num { return Num{V: v, Known: true} }

// TCPDetail holds the numbers of a TCP row the kernel gives only through
// TCP_INFO (netlink inet_diag), or partly through /proc.
type TCPDetail struct {
	Swind Num // tcpi_snd_wnd: the peer's advertised window (newer kernels)
	Rwind Num // tcpi_rcv_wnd: the window this host advertises (newer kernels)
	RTO   Num // ms: tcpi_rto (µs) / 1000, else /proc's rto column
	MSS   Num // tcpi_snd_mss
	// Snext, Suna, Rnext and Rack are never known: no Linux interface
	// reports sequence numbers of a socket.
	Snext, Suna, Rnext, Rack Num
}

// Byte offsets of the end of tcp_info fields whose presence depends on the
// kernel's version.
const (
	tcpInfoSndWndEnd = 232
	tcpInfoRcvWndEnd = 236
	tcpInfoSndMSSEnd = 20
	tcpInfoRTOEnd    = 12
)

// TCPDetailOf decodes s.TCPInfo with the captured host's byte order.
// TIME_WAIT and SYN_RECV request sockets carry no TCP_INFO, and for a
// listener the kernel fills only the backlog fields of it; their numbers
// are unknown.
func TCPDetailOf(s *snapshots.InetSocket, order binary.ByteOrder) TCPDetail {
	var d TCPDetail
	if s.State == linuxListen {
		return d
	}
	if ti, ok := snapshots.DecodeTCPInfo(s.TCPInfo, order); ok {
		if ti.Len >= tcpInfoSndWndEnd {
			d.Swind = known(uint64(ti.SndWnd))
		}
		if ti.Len >= tcpInfoRcvWndEnd {
			d.Rwind = known(uint64(ti.RcvWnd))
		}
		if ti.Len >= tcpInfoRTOEnd {
			d.RTO = known(uint64(ti.RTO / 1000))
		}
		if ti.Len >= tcpInfoSndMSSEnd {
			d.MSS = known(uint64(ti.SndMSS))
		}
		return d
	}
	if s.RTO != 0 {
		d.RTO = known(uint64(s.RTO))
	}
	return d
}

// Queues returns the Send-Q and Recv-Q columns: bytes not yet acknowledged
// by the peer (or not sent) and bytes not yet read. For a listener Linux
// reports the accept queue as Recv-Q and, through inet_diag, the backlog
// limit in place of the send queue; a listener sends nothing, so its
// Send-Q is 0 (Backlog gives the limit).
func Queues(s *snapshots.InetSocket) (sendQ, recvQ uint32) {
	if s.State == linuxListen && KindOf(s) != UDP {
		return 0, s.RecvQ
	}
	return s.SendQ, s.RecvQ
}

// Backlog returns a TCP listener's backlog limit, known only from
// inet_diag (a socket with a cookie; /proc has no such column).
func Backlog(s *snapshots.InetSocket) Num {
	if s.State == linuxListen && s.Cookie != 0 {
		return known(uint64(s.SendQ))
	}
	return Num{}
}
