package procnet

import (
	"bytes"
	"io"

	"github.com/netmortem/netmortem/snapshots"
)

// Socket states the kernel prints in /proc/net/unix's St column
// (enum socket_state).
const (
	ssUnconnected   = 1
	ssConnecting    = 2
	ssConnected     = 3
	ssDisconnecting = 4
)

// TCP state codes unix_diag reports for AF_UNIX sockets.
const (
	tcpEstablished = 1
	tcpClose       = 7
)

const soAcceptCon = 0x10000 // __SO_ACCEPTCON: a listening socket

// ParseUnix parses /proc/net/unix.
//
// State is converted to the TCP_* code unix_diag would report, so that
// both sources compare: a listener (Flags 0x10000) is LISTEN; St 03
// (connected) and 02 (an accepted connection not yet picked up by
// accept(), which has no struct socket) are ESTABLISHED; St 01 and 04 are
// CLOSE. Flags and RefCount are kept as printed.
//
// Limits of the text form: abstract names are printed with '@' for the
// leading NUL (Name gets "\x00" back, as unix_diag gives it) but also for
// every embedded NUL, so an '@' after the first byte may have been a NUL; a
// relative filesystem path that starts with '@' reads as abstract; and a
// path holding a newline spills onto the next line, which is joined back
// when that line cannot start a row. There is no peer column: Peer,
// Pending, queues and UID stay zero (unix_diag only).
func ParseUnix(r io.Reader) ([]snapshots.UnixSocket, error) {
	const file = "unix"
	var out table[snapshots.UnixSocket]
	out.reserve(rowHint(r, 50))
	l := newLines(r, file)
	header, ok := l.next()
	if !ok {
		return nil, l.err
	}
	hs := fields(nil, header)
	want := []string{"Num", "RefCount", "Protocol", "Flags", "Type", "St", "Inode"}
	if len(hs) < len(want) {
		return nil, l.lineError(header, "not a unix header")
	}
	for i, w := range want {
		if string(hs[i]) != w {
			return nil, l.lineError(header, "header column %d is %q, want %q", i+1, hs[i], w)
		}
	}
	var fs [][]byte
	// tail collects the lines a path with newlines spilled onto; it is
	// added to the row's Name once the next row starts, so that many such
	// lines cost linear time.
	var tail []byte
	flush := func() {
		if last := out.last(); last != nil && len(tail) > 0 {
			last.Name += string(tail)
		}
		tail = tail[:0]
	}
	for {
		line, ok := l.next()
		if !ok {
			break
		}
		var rest int
		fs, rest = fieldsN(fs, line, len(want))
		if len(fs) == 0 || !unixRowStart(fs[0]) {
			// The tail of a path that held a newline.
			if last := out.last(); last != nil && last.Name != "" {
				tail = append(append(tail, '\n'), line...)
				continue
			}
			if len(fs) == 0 {
				continue
			}
			return nil, l.errorf("Num", fs[0], "not a socket address")
		}
		if len(fs) < len(want) {
			return nil, l.lineError(line, "%d fields, want %d", len(fs), len(want))
		}
		flush()
		var u snapshots.UnixSocket
		if u.RefCount, ok = hex32(fs[1]); !ok {
			return nil, l.errorf("RefCount", fs[1], "not hex")
		}
		if _, ok = hex32(fs[2]); !ok {
			return nil, l.errorf("Protocol", fs[2], "not hex")
		}
		if u.Flags, ok = hex32(fs[3]); !ok {
			return nil, l.errorf("Flags", fs[3], "not hex")
		}
		typ, ok := hex32(fs[4])
		if !ok || typ > 0xff {
			return nil, l.errorf("Type", fs[4], "not a hex socket type")
		}
		u.Type = uint8(typ)
		st, ok := hex32(fs[5])
		if !ok || st > 0xff {
			return nil, l.errorf("St", fs[5], "not a hex state")
		}
		switch {
		case u.Flags&soAcceptCon != 0:
			u.State = tcpListen
		case st == ssConnected || st == ssConnecting:
			u.State = tcpEstablished
		case st == ssUnconnected || st == ssDisconnecting:
			u.State = tcpClose
		default:
			return nil, l.errorf("St", fs[5], "unknown socket state")
		}
		if u.Inode, ok = dec64(fs[6]); !ok {
			return nil, l.errorf("Inode", fs[6], "not a decimal inode")
		}
		// One blank separates the inode from the path, which is the rest
		// of the line verbatim (it may hold blanks).
		if rest < len(line) && line[rest] == ' ' && rest+1 < len(line) {
			path := line[rest+1:]
			if path[0] == '@' {
				u.Name = "\x00" + string(path[1:])
			} else {
				u.Name = string(path)
			}
		} else if len(bytes.TrimSpace(line[rest:])) != 0 {
			return nil, l.lineError(line, "unexpected text after the inode")
		}
		out.push(u)
	}
	flush()
	return out.result(l.err)
}

// unixRowStart reports whether b is a row's first field: hex digits and a
// colon.
func unixRowStart(b []byte) bool {
	if len(b) < 2 || b[len(b)-1] != ':' {
		return false
	}
	_, ok := hex64(b[:len(b)-1])
	return ok
}

// ParsePacket parses /proc/net/packet. The hashed socket pointer is
// dropped.
func ParsePacket(r io.Reader) ([]snapshots.PacketSocket, error) {
	const file = "packet"
	l := newLines(r, file)
	header, ok := l.next()
	if !ok {
		return nil, l.err
	}
	hs := fields(nil, header)
	if len(hs) == 0 || string(hs[0]) != "sk" {
		return nil, l.lineError(header, "not a packet header")
	}
	pos, err := headerColumns(hs).require(l, header, "RefCnt", "Type", "Proto", "Iface", "R", "Rmem", "User", "Inode")
	if err != nil {
		return nil, err
	}
	need := 0
	for _, p := range pos {
		need = max(need, p+1)
	}
	var out []snapshots.PacketSocket
	var fs [][]byte
	for {
		line, ok := l.next()
		if !ok {
			break
		}
		fs = fields(fs, line)
		if len(fs) == 0 {
			continue
		}
		if len(fs) < need {
			return nil, l.lineError(line, "%d fields, want %d", len(fs), need)
		}
		var p snapshots.PacketSocket
		var v uint32
		if p.RefCount, ok = dec32(fs[pos[0]]); !ok {
			return nil, l.errorf("RefCnt", fs[pos[0]], "not decimal")
		}
		if v, ok = dec32(fs[pos[1]]); !ok || v > 0xff {
			return nil, l.errorf("Type", fs[pos[1]], "not a decimal socket type")
		}
		p.Type = uint8(v)
		if v, ok = hex32(fs[pos[2]]); !ok || v > 0xffff {
			return nil, l.errorf("Proto", fs[pos[2]], "not a hex ethertype")
		}
		p.Proto = uint16(v)
		ifx, ok := decInt32(fs[pos[3]])
		if !ok {
			return nil, l.errorf("Iface", fs[pos[3]], "not a decimal ifindex")
		}
		p.IfIndex = ifx
		if v, ok = dec32(fs[pos[4]]); !ok {
			return nil, l.errorf("R", fs[pos[4]], "not decimal")
		}
		p.Running = v != 0
		if p.Rmem, ok = dec32(fs[pos[5]]); !ok {
			return nil, l.errorf("Rmem", fs[pos[5]], "not decimal")
		}
		if p.UID, ok = dec32(fs[pos[6]]); !ok {
			return nil, l.errorf("User", fs[pos[6]], "not a decimal uid")
		}
		if p.Inode, ok = dec64(fs[pos[7]]); !ok {
			return nil, l.errorf("Inode", fs[pos[7]], "not a decimal inode")
		}
		out = append(out, p)
	}
	return out, l.err
}
