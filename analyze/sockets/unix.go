package sockets

import (
	"strings"

	"github.com/netmortem/netmortem/snapshots"
)

// UnixRow is one line of the AF_UNIX list.
type UnixRow struct {
	S *snapshots.UnixSocket
	// Local is the bound name: the path, "@name" for an abstract name (a
	// NUL inside it printed as '@', as /proc/net/unix does),
	// "(socketpair)" for an end of a socket pair, or "" when unnamed.
	// Control characters print as '?' so a row stays one line.
	Local string
	// Remote is the peer's name by the same rules, "" when the peer is
	// unnamed, unknown or absent.
	Remote string
	// Socketpair is set when both ends are unnamed and each is the
	// other's peer.
	Socketpair bool
}

// Linux socket types (SOCK_*).
const (
	sockStream    = 1
	sockDgram     = 2
	sockSeqpacket = 5
)

// UnixType names a socket type as the Type column prints it: dgram and
// stream as netstat does, seqpacket for Linux's third type, else "".
func UnixType(t uint8) string {
	switch t {
	case sockStream:
		return "stream"
	case sockDgram:
		return "dgram"
	case sockSeqpacket:
		return "seqpacket"
	}
	return ""
}

// UnixName prints a sun_path as the Local and Remote columns show it.
func UnixName(name string) string {
	if name == "" {
		return ""
	}
	clean := true
	for i := 0; i < len(name); i++ {
		if name[i] < 0x20 || name[i] == 0x7f {
			clean = false
			break
		}
	}
	if clean {
		return name
	}
	var b strings.Builder
	b.Grow(len(name))
	for i := 0; i < len(name); i++ {
		switch c := name[i]; {
		case c == 0:
			b.WriteByte('@')
		case c < 0x20 || c == 0x7f:
			b.WriteByte('?')
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// UnixRows returns every UNIX socket (none is hidden, with or without -a),
// in table order, with its peer's name resolved through the table.
func UnixRows(us []snapshots.UnixSocket) []UnixRow {
	byInode := make(map[uint64]int, len(us))
	for i := range us {
		if us[i].Inode != 0 {
			byInode[us[i].Inode] = i
		}
	}
	out := make([]UnixRow, len(us))
	for i := range us {
		s := &us[i]
		r := UnixRow{S: s, Local: UnixName(s.Name)}
		if s.Peer != 0 {
			if j, ok := byInode[s.Peer]; ok {
				p := &us[j]
				r.Remote = UnixName(p.Name)
				if s.Name == "" && p.Name == "" && p.Peer == s.Inode && j != i {
					r.Socketpair = true
					r.Local, r.Remote = "(socketpair)", "(socketpair)"
				}
			}
		}
		out[i] = r
	}
	return out
}

// UnixStateName names the TCP_* state unix_diag reports for a UNIX socket,
// for the -v State column: LISTEN, CONNECTED (ESTABLISHED), CONNECTING
// (SYN_SENT), UNCONNECTED (CLOSE), else the TCP name.
func UnixStateName(st uint8) string {
	switch st {
	case linuxListen:
		return "LISTEN"
	case linuxEstablished:
		return "CONNECTED"
	case linuxSynSent:
		return "CONNECTING"
	case linuxClose:
		return "UNCONNECTED"
	}
	return TCPStateName(st)
}
