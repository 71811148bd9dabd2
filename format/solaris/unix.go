package solaris

import (
	"bufio"
	"strconv"

	"github.com/netmortem/netmortem/analyze/netstat"
	"github.com/netmortem/netmortem/analyze/sockets"
)

// The AF_UNIX list of form 1 (solaris-display-formats.md §2.7), printed
// after every other display of a pass.
//
// Linux has no kernel addresses to show (/proc hashes them, and they mean
// nothing offline); the socket inode is the socket's identity. Inodes
// print in decimal, as ss, lsof and /proc/net/unix print them:
//
//	Address  the socket's inode
//	Vnode    the inode of the bound file (UNIX_DIAG_VFS), or 0000000 when
//	         not bound to a path
//	Conn     the peer socket's inode (UNIX_DIAG_PEER), or 0000000: it names
//	         the Address of the other end, where Solaris names the other
//	         end's Vnode
//
// -v adds the Linux state and queues (a netmortem extension).

func init() {
	Register(&Form{Form: netstat.FormUnix, Text: unixText, Record: unixRecord})
}

const (
	hdrUnix = "Address          Type       Vnode            Conn             Local Address                           Remote Address                         "
	dshUnix = "---------------- ---------- ---------------- ---------------- --------------------------------------- ---------------------------------------"
	// -v extension columns: State %-11.11s, Recv-Q %6u, Send-Q %6u.
	hdrUnixV = " State       Recv-Q Send-Q"
	dshUnixV = " ----------- ------ ------"
)

// unixNone is what Vnode and Conn print without a datum (Solaris's 7
// zeros).
const unixNone = "0000000"

func appendUnixID(b []byte, v uint64) []byte {
	if v == 0 {
		return append(b, unixNone...)
	}
	return strconv.AppendUint(b, v, 10)
}

func unixText(w *bufio.Writer, p *Pass) error {
	rows := sockets.UnixRows(p.Cur.UnixSockets)
	if len(rows) == 0 {
		return nil
	}
	v := p.Req.Verbose
	w.WriteString("\nActive UNIX domain sockets\n")
	w.WriteString(hdrUnix)
	if v {
		w.WriteString(hdrUnixV)
	}
	w.WriteString("\n" + dshUnix)
	if v {
		w.WriteString(dshUnixV)
	}
	w.WriteByte('\n')
	b := make([]byte, 0, 256)
	id := func(b []byte, v uint64) []byte {
		start := len(b)
		b = appendUnixID(b, v)
		if len(b)-start > 16 {
			b = b[:start+16]
		}
		return colPad(b, start, 16)
	}
	for i := range rows {
		r := &rows[i]
		b = b[:0]
		// %-16.16s %-10.10s %-16.16s %-16.16s %-39.39s %-39.39s
		b = id(b, r.S.Inode)
		b = append(b, ' ')
		b = colTrunc(b, sockets.UnixType(r.S.Type), 10)
		b = append(b, ' ')
		b = id(b, r.S.VFSInode)
		b = append(b, ' ')
		b = id(b, r.S.Peer)
		b = append(b, ' ')
		b = colTrunc(b, r.Local, 39)
		b = append(b, ' ')
		b = colTrunc(b, r.Remote, 39)
		if v {
			b = append(b, ' ')
			b = colTrunc(b, sockets.UnixStateName(r.S.State), 11)
			b = append(b, ' ')
			b = colUint(b, uint64(r.S.RecvQ), 6)
			b = append(b, ' ')
			b = colUint(b, uint64(r.S.SendQ), 6)
		}
		b = append(b, '\n')
		w.Write(b)
	}
	return nil
}

// UnixRecord is an AF_UNIX row as a record.
type UnixRecord struct {
	Inode      uint64        `json:"inode"`
	Type       string        `json:"type"`
	State      string        `json:"state"`
	Local      string        `json:"local_address"`
	Remote     string        `json:"remote_address"`
	Socketpair bool          `json:"socketpair,omitempty"`
	Peer       uint64        `json:"peer_inode,omitempty"`
	VFSInode   uint64        `json:"vfs_inode,omitempty"`
	VFSDev     uint32        `json:"vfs_dev,omitempty"`
	RecvQ      uint32        `json:"recv_q"`
	SendQ      uint32        `json:"send_q"`
	Pending    []uint64      `json:"pending,omitempty"`
	Owners     []OwnerRecord `json:"owners,omitempty"`
}

func unixRecord(p *Pass) (any, error) {
	out := []UnixRecord{}
	for _, r := range sockets.UnixRows(p.Cur.UnixSockets) {
		s := r.S
		out = append(out, UnixRecord{Inode: s.Inode, Type: sockets.UnixType(s.Type), State: sockets.UnixStateName(s.State),
			Local: r.Local, Remote: r.Remote, Socketpair: r.Socketpair, Peer: s.Peer, VFSInode: s.VFSInode, VFSDev: s.VFSDev,
			RecvQ: s.RecvQ, SendQ: s.SendQ, Pending: s.Pending, Owners: ownersOf(p, s.Inode)})
	}
	return out, nil
}
