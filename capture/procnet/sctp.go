package procnet

import (
	"bytes"
	"io"

	"github.com/netmortem/netmortem/snapshots"
)

// SCTP transport states of the remaddr STATE column (enum
// sctp_transport_state / SCTP_INACTIVE …).
const (
	sctpInactive = 0
	sctpActive   = 2
)

// ParseSCTPEndpoints parses /proc/net/sctp/eps. The hashed endpoint and
// socket pointers are dropped.
func ParseSCTPEndpoints(r io.Reader) ([]snapshots.SCTPEndpoint, error) {
	const file = "sctp/eps"
	l := newLines(r, file)
	header, ok := l.next()
	if !ok {
		return nil, l.err
	}
	hs := fields(nil, header)
	cols := headerColumns(hs)
	pos, err := cols.require(l, header, "STY", "SST", "HBKT", "LPORT", "UID", "INODE", "LADDRS")
	if err != nil {
		return nil, err
	}
	first := pos[6] // addresses run from LADDRS to the end of the line
	var out []snapshots.SCTPEndpoint
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
		if len(fs) < first {
			return nil, l.lineError(line, "%d fields, want at least %d", len(fs), first)
		}
		var e snapshots.SCTPEndpoint
		var v uint32
		if v, ok = dec32(fs[pos[0]]); !ok || v > 0xff {
			return nil, l.errorf("STY", fs[pos[0]], "not a decimal socket type")
		}
		e.Type = uint8(v)
		if v, ok = dec32(fs[pos[1]]); !ok || v > 0xff {
			return nil, l.errorf("SST", fs[pos[1]], "not a decimal state")
		}
		e.State = uint8(v)
		if e.Bucket, ok = dec32(fs[pos[2]]); !ok {
			return nil, l.errorf("HBKT", fs[pos[2]], "not decimal")
		}
		if v, ok = dec32(fs[pos[3]]); !ok || v > 0xffff {
			return nil, l.errorf("LPORT", fs[pos[3]], "not a decimal port")
		}
		e.Port = uint16(v)
		if e.UID, ok = dec32(fs[pos[4]]); !ok {
			return nil, l.errorf("UID", fs[pos[4]], "not a decimal uid")
		}
		if e.Inode, ok = dec64(fs[pos[5]]); !ok {
			return nil, l.errorf("INODE", fs[pos[5]], "not a decimal inode")
		}
		for _, f := range fs[first:] {
			a, err := sctpAddr(l, "LADDRS", f)
			if err != nil {
				return nil, err
			}
			e.Addrs = append(e.Addrs, a.Addr)
		}
		out = append(out, e)
	}
	return out, l.err
}

// sctpAddr parses one address of an address list, '*' marking the
// primary.
func sctpAddr(l *lines, col string, b []byte) (snapshots.SCTPAddr, error) {
	var a snapshots.SCTPAddr
	if len(b) > 0 && b[0] == '*' {
		a.Primary = true
		b = b[1:]
	}
	var ok bool
	if a.Addr, ok = textAddr(b); !ok {
		return a, l.errorf(col, b, "not an IP address")
	}
	return a, nil
}

func looksLikeAddr(b []byte) bool {
	return bytes.IndexByte(b, '.') >= 0 || bytes.IndexByte(b, ':') >= 0
}

// num32 parses a decimal that the kernel printed with %d or %u into 32
// bits; a negative value keeps its two's complement bits.
func num32(b []byte) (uint32, bool) {
	v, ok := decInt64(b)
	if !ok || v < -1<<31 || v > 1<<32-1 {
		return 0, false
	}
	return uint32(v), true
}

// ParseSCTPAssocs parses /proc/net/sctp/assocs. Columns are found by
// header name, so both the old layout (ending at "LADDRS <-> RADDRS") and
// the newer ones (adding HBINT … RTXC, then wmema wmemq sndbuf rcvbuf)
// parse; columns absent from the file stay zero. Local and remote address
// lists keep the '*' primary marks. HBINT is printed in jiffies of the
// kernel's HZ and kept as printed. The file does not give the socket's
// family: Family is inferred from the first local address.
func ParseSCTPAssocs(r io.Reader) ([]snapshots.SCTPAssoc, error) {
	const file = "sctp/assocs"
	l := newLines(r, file)
	header, ok := l.next()
	if !ok {
		return nil, l.err
	}
	hs := fields(nil, header)
	la, arrow, ra := -1, -1, -1
	for i, h := range hs {
		switch string(h) {
		case "LADDRS":
			la = i
		case "<->":
			arrow = i
		case "RADDRS":
			ra = i
		}
	}
	if la < 0 || arrow != la+1 || ra != la+2 {
		return nil, l.lineError(header, "header lacks \"LADDRS <-> RADDRS\"")
	}
	head := headerColumns(hs[:la])
	pos, err := head.require(l, header, "STY", "SST", "ST", "HBKT", "ASSOC-ID", "TX_QUEUE", "RX_QUEUE", "UID", "INODE", "LPORT", "RPORT")
	if err != nil {
		return nil, err
	}
	tail := hs[ra+1:]
	var out []snapshots.SCTPAssoc
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
		if len(fs) < la {
			return nil, l.lineError(line, "%d fields, want at least %d", len(fs), la)
		}
		var a snapshots.SCTPAssoc
		u8 := func(i int, col string, dst *uint8) error {
			v, ok := dec32(fs[pos[i]])
			if !ok || v > 0xff {
				return l.errorf(col, fs[pos[i]], "not a small decimal")
			}
			*dst = uint8(v)
			return nil
		}
		u32 := func(i int, col string, dst *uint32) error {
			v, ok := num32(fs[pos[i]])
			if !ok {
				return l.errorf(col, fs[pos[i]], "not decimal")
			}
			*dst = v
			return nil
		}
		var port [2]uint32
		for _, err := range []error{
			u8(0, "STY", &a.Type), u8(1, "SST", &a.SockState), u8(2, "ST", &a.State),
			u32(3, "HBKT", &a.Bucket), u32(4, "ASSOC-ID", &a.AssocID),
			u32(5, "TX_QUEUE", &a.TxQueue), u32(6, "RX_QUEUE", &a.RxQueue), u32(7, "UID", &a.UID),
			u32(9, "LPORT", &port[0]), u32(10, "RPORT", &port[1]),
		} {
			if err != nil {
				return nil, err
			}
		}
		if port[0] > 0xffff || port[1] > 0xffff {
			return nil, l.lineError(line, "port out of range")
		}
		a.LocalPort, a.RemotePort = uint16(port[0]), uint16(port[1])
		if a.Inode, ok = dec64(fs[pos[8]]); !ok {
			return nil, l.errorf("INODE", fs[pos[8]], "not a decimal inode")
		}
		i := la
		for ; i < len(fs) && string(fs[i]) != "<->"; i++ {
			sa, err := sctpAddr(l, "LADDRS", fs[i])
			if err != nil {
				return nil, err
			}
			a.Locals = append(a.Locals, sa)
		}
		if i == len(fs) {
			return nil, l.lineError(line, "no \"<->\" between the address lists")
		}
		for i++; i < len(fs) && looksLikeAddr(fs[i]); i++ {
			sa, err := sctpAddr(l, "RADDRS", fs[i])
			if err != nil {
				return nil, err
			}
			a.Remotes = append(a.Remotes, sa)
		}
		for j := 0; i < len(fs) && j < len(tail); i, j = i+1, j+1 {
			v, ok := num32(fs[i])
			if !ok {
				return nil, l.errorf(string(tail[j]), fs[i], "not decimal")
			}
			switch string(tail[j]) {
			case "HBINT":
				a.HBInterval = v
			case "INS":
				a.InStreams = v
			case "OUTS":
				a.OutStreams = v
			case "MAXRT":
				a.MaxRtx = v
			case "T1X":
				a.T1X = v
			case "T2X":
				a.T2X = v
			case "RTXC":
				a.RtxC = v
			case "wmema":
				a.WmemAlloc = v
			case "wmemq":
				a.WmemQueued = v
			case "sndbuf":
				a.SndBuf = v
			case "rcvbuf":
				a.RcvBuf = v
			}
		}
		if len(a.Locals) > 0 {
			a.Family = snapshots.AFInet6
			if a.Locals[0].Addr.Is4() {
				a.Family = snapshots.AFInet
			}
		}
		out = append(out, a)
	}
	return out, l.err
}

// SCTPPath is a row of /proc/net/sctp/remaddr: one peer address (a
// transport) of an association.
type SCTPPath struct {
	AssocID uint32
	snapshots.SCTPAddr
}

// ParseSCTPRemaddr parses /proc/net/sctp/remaddr. RTO is in jiffies of
// the kernel's HZ, kept as printed. Active is derived from STATE: 1 for
// SCTP_ACTIVE, 2 for SCTP_INACTIVE, 0 for the others (PF, UNCONFIRMED,
// UNKNOWN), which State keeps.
func ParseSCTPRemaddr(r io.Reader) ([]SCTPPath, error) {
	const file = "sctp/remaddr"
	l := newLines(r, file)
	header, ok := l.next()
	if !ok {
		return nil, l.err
	}
	hs := fields(nil, header)
	names := []string{"ADDR", "ASSOC_ID", "HB_ACT", "RTO", "MAX_PATH_RTX", "REM_ADDR_RTX", "START", "STATE"}
	pos, err := headerColumns(hs).require(l, header, names...)
	if err != nil {
		return nil, err
	}
	need := 0
	for _, p := range pos {
		need = max(need, p+1)
	}
	var out []SCTPPath
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
		var p SCTPPath
		if p.Addr, ok = textAddr(fs[pos[0]]); !ok {
			return nil, l.errorf("ADDR", fs[pos[0]], "not an IP address")
		}
		dst := []*uint32{&p.AssocID, &p.HBAct, &p.RTO, &p.MaxRtx, &p.Rtx, &p.Start}
		for i, d := range dst {
			v, ok := num32(fs[pos[i+1]])
			if !ok {
				return nil, l.errorf(names[i+1], fs[pos[i+1]], "not decimal")
			}
			*d = v
		}
		st, ok := decInt32(fs[pos[7]])
		if !ok {
			return nil, l.errorf("STATE", fs[pos[7]], "not decimal")
		}
		p.State = st
		switch st {
		case sctpActive:
			p.Active = 1
		case sctpInactive:
			p.Active = 2
		}
		out = append(out, p)
	}
	return out, l.err
}

// AttachSCTPPaths copies the path details of remaddr rows into the
// matching remote address of each association (by association id and
// address); an address the association does not list is appended. It
// returns how many rows named an association that assocs lacks (the files
// are read at different moments).
func AttachSCTPPaths(assocs []snapshots.SCTPAssoc, paths []SCTPPath) (unmatched int) {
	byID := make(map[uint32]int, len(assocs))
	for i := range assocs {
		byID[assocs[i].AssocID] = i
	}
	for _, p := range paths {
		i, ok := byID[p.AssocID]
		if !ok {
			unmatched++
			continue
		}
		a := &assocs[i]
		found := false
		for j := range a.Remotes {
			if a.Remotes[j].Addr == p.Addr {
				primary := a.Remotes[j].Primary
				a.Remotes[j] = p.SCTPAddr
				a.Remotes[j].Primary = primary
				found = true
				break
			}
		}
		if !found {
			a.Remotes = append(a.Remotes, p.SCTPAddr)
		}
	}
	return unmatched
}
