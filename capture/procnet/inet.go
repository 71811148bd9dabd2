package procnet

import (
	"bytes"
	"encoding/binary"
	"io"
	"net/netip"

	"github.com/netmortem/netmortem/snapshots"
)

// InetFile describes one of the eight /proc/net socket tables.
type InetFile struct {
	Name   string // file name under /proc/net
	Proto  uint16 // snapshots.ProtoTCP, ProtoUDP, ProtoUDPLite or ProtoRaw
	Family uint8  // snapshots.AFInet or AFInet6
}

// The socket tables of /proc/net.
var (
	TCP      = InetFile{"tcp", snapshots.ProtoTCP, snapshots.AFInet}
	TCP6     = InetFile{"tcp6", snapshots.ProtoTCP, snapshots.AFInet6}
	UDP      = InetFile{"udp", snapshots.ProtoUDP, snapshots.AFInet}
	UDP6     = InetFile{"udp6", snapshots.ProtoUDP, snapshots.AFInet6}
	UDPLite  = InetFile{"udplite", snapshots.ProtoUDPLite, snapshots.AFInet}
	UDPLite6 = InetFile{"udplite6", snapshots.ProtoUDPLite, snapshots.AFInet6}
	Raw      = InetFile{"raw", snapshots.ProtoRaw, snapshots.AFInet}
	Raw6     = InetFile{"raw6", snapshots.ProtoRaw, snapshots.AFInet6}
)

// InetFiles lists the socket tables in the order netstat shows them.
var InetFiles = []InetFile{TCP, TCP6, UDP, UDP6, UDPLite, UDPLite6, Raw, Raw6}

// TCP states used below.
const (
	tcpListen = 0x0a
)

// inetCols holds the field position of each column; -1 when absent.
type inetCols struct {
	local, remote, st, queues, timer, retr, uid, timeout, inode int
	ref, drops, rto, ato, qack, cwnd, ssthresh                  int
	need                                                        int // fields every row must have
}

// inetColumns reads the header. The header labels "tx_queue rx_queue" and
// "tr tm->when" each over one "a:b" field. Columns after inode are
// unlabelled in tcp (ref, pointer, rto, ato, quick/pingpong, cwnd,
// ssthresh) and labelled "ref pointer drops" in udp and raw. Labels a
// kernel adds win; unlabelled columns are taken to follow the labelled
// ones in that order, and unknown labelled columns are skipped.
func inetColumns(l *lines, header []byte, f InetFile) (inetCols, error) {
	c := inetCols{local: -1, remote: -1, st: -1, queues: -1, timer: -1, retr: -1, uid: -1, timeout: -1, inode: -1,
		ref: -1, drops: -1, rto: -1, ato: -1, qack: -1, cwnd: -1, ssthresh: -1}
	pointer := -1
	named := map[string]*int{
		"local_address": &c.local, "rem_address": &c.remote, "remote_address": &c.remote,
		"st": &c.st, "retrnsmt": &c.retr, "uid": &c.uid, "timeout": &c.timeout, "inode": &c.inode,
		"ref": &c.ref, "pointer": &pointer, "drops": &c.drops,
		"rto": &c.rto, "ato": &c.ato, "quickack": &c.qack, "cwnd": &c.cwnd, "ssthresh": &c.ssthresh,
	}
	hs := fields(nil, header)
	if len(hs) == 0 || string(hs[0]) != "sl" {
		return c, l.lineError(header, "not a %s header", f.Name)
	}
	d := 0
	for i := 0; i < len(hs); i++ {
		h := string(hs[i])
		next := ""
		if i+1 < len(hs) {
			next = string(hs[i+1])
		}
		switch {
		case h == "tx_queue" && next == "rx_queue":
			c.queues = d
			i++
		case h == "tr" && next == "tm->when":
			c.timer = d
			i++
		default:
			if p, ok := named[h]; ok && *p < 0 {
				*p = d
			}
		}
		d++
	}
	for _, r := range []struct {
		name string
		pos  int
	}{{"local_address", c.local}, {"rem_address", c.remote}, {"st", c.st}, {"tx_queue", c.queues},
		{"tr", c.timer}, {"retrnsmt", c.retr}, {"uid", c.uid}, {"timeout", c.timeout}, {"inode", c.inode}} {
		if r.pos < 0 {
			return c, l.lineError(header, "header lacks column %q", r.name)
		}
		c.need = max(c.need, r.pos+1)
	}
	// Unlabelled columns follow the labelled ones, in kernel order.
	implicit := []*int{&c.ref, &pointer, &c.drops}
	if f.Proto == snapshots.ProtoTCP {
		implicit = []*int{&c.ref, &pointer, &c.rto, &c.ato, &c.qack, &c.cwnd, &c.ssthresh}
	}
	for _, p := range implicit {
		if *p < 0 {
			*p = d
			d++
		}
	}
	return c, nil
}

// minInetRow is shorter than any socket row the kernel prints (the
// fixed-width columns up to inode take about 90 characters).
const minInetRow = 64

// ParseInet parses one of the socket tables tcp, tcp6, udp, udp6,
// udplite, udplite6, raw, raw6. order is the byte order of the captured
// host (addresses are %08X of big-endian words); ticks is its USER_HZ,
// used to turn the clock_t timers (tm->when, rto, ato) into milliseconds.
//
// What each row keeps:
//   - Local, Remote, State, Timer, Retrans, UID, Inode, RefCount, and
//     Probes (the "timeout" column); Expires in ms.
//   - SendQ and RecvQ from tx_queue:rx_queue. For a TCP listener RecvQ is
//     the accept queue length; for UDP and raw they are the memory
//     allocated to the socket's queues.
//   - TCP: RTO and ATO (ms), QuickAck as printed ((quick<<1)|pingpong),
//     Cwnd, and Ssthresh (-1 during initial slow start). For a LISTEN row
//     the last column is the Fast Open queue maximum, not ssthresh, and the
//     model has no field for it: Ssthresh stays 0.
//   - UDP and raw: Drops.
//   - raw: the port column is the IP protocol the socket is bound to; it
//     goes to RawProto and stays in Local's port as the kernel (and
//     inet_diag's sport) give it.
//
// TIME_WAIT rows (state 06, or 05 for the FIN_WAIT2 substate) and SYN_RECV
// request rows (03) carry only refcount and pointer after inode; their
// TCP extras stay zero. The sl column (a row number for TCP, a hash bucket
// for UDP) and the hashed kernel pointer are dropped.
func ParseInet(r io.Reader, f InetFile, order binary.ByteOrder, ticks uint32) ([]snapshots.InetSocket, error) {
	hint := rowHint(r, minInetRow) // before the first read
	l := newLines(r, f.Name)
	if order == nil {
		return nil, &ParseError{File: f.Name, Err: errOrder}
	}
	if ticks == 0 {
		return nil, &ParseError{File: f.Name, Err: errTicks}
	}
	header, ok := l.next()
	if !ok {
		return nil, l.err // an empty file is an empty table
	}
	c, err := inetColumns(l, header, f)
	if err != nil {
		return nil, err
	}
	addrLen := 8
	if f.Family == snapshots.AFInet6 {
		addrLen = 32
	}
	big := isBigEndian(order)
	var out table[snapshots.InetSocket]
	out.reserve(hint)
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
		if len(fs) < c.need {
			return nil, l.lineError(line, "%d fields, want at least %d", len(fs), c.need)
		}
		s := snapshots.InetSocket{Proto: f.Proto, Family: f.Family}
		if s.Local, err = inetEndpoint(l, "local_address", fs[c.local], addrLen, big); err != nil {
			return nil, err
		}
		if s.Remote, err = inetEndpoint(l, "rem_address", fs[c.remote], addrLen, big); err != nil {
			return nil, err
		}
		if f.Proto == snapshots.ProtoRaw {
			s.RawProto = s.Local.Port()
		}
		st, ok := hex32(fs[c.st])
		if !ok || st > 0xff {
			return nil, l.errorf("st", fs[c.st], "not a hex state")
		}
		s.State = uint8(st)
		tx, rx, ok := hexPair(fs[c.queues])
		if !ok {
			return nil, l.errorf("tx_queue", fs[c.queues], "not hex tx_queue:rx_queue")
		}
		s.SendQ, s.RecvQ = sat32(tx), sat32(rx)
		tr, when, ok := hexPair(fs[c.timer])
		if !ok || tr > 0xff {
			return nil, l.errorf("tr", fs[c.timer], "not hex tr:tm->when")
		}
		s.Timer = uint8(tr)
		// Old kernels print a timer that already fired as a negative long.
		if when < 1<<63 {
			s.Expires = clockToMs(when, ticks)
		}
		retr, ok := hex32(fs[c.retr])
		if !ok {
			return nil, l.errorf("retrnsmt", fs[c.retr], "not hex")
		}
		s.Retrans = uint8(min(retr, 0xff))
		if s.UID, ok = dec32(fs[c.uid]); !ok {
			return nil, l.errorf("uid", fs[c.uid], "not a decimal uid")
		}
		probes, ok := decInt64(fs[c.timeout])
		if !ok || probes < 0 || probes > 1<<32-1 {
			return nil, l.errorf("timeout", fs[c.timeout], "not a decimal count")
		}
		s.Probes = uint32(probes)
		if s.Inode, ok = dec64(fs[c.inode]); !ok {
			return nil, l.errorf("inode", fs[c.inode], "not a decimal inode")
		}
		if err := inetExtras(l, &s, fs, &c, ticks); err != nil {
			return nil, err
		}
		out.push(s)
	}
	return out.result(l.err)
}

// inetExtras decodes the optional trailing columns of a row.
func inetExtras(l *lines, s *snapshots.InetSocket, fs [][]byte, c *inetCols, ticks uint32) error {
	var ok bool
	if c.ref >= 0 && c.ref < len(fs) {
		if s.RefCount, ok = dec32(fs[c.ref]); !ok {
			return l.errorf("ref", fs[c.ref], "not a decimal count")
		}
	}
	if c.drops >= 0 && c.drops < len(fs) {
		if s.Drops, ok = dec32(fs[c.drops]); !ok {
			return l.errorf("drops", fs[c.drops], "not a decimal count")
		}
	}
	if c.rto >= 0 && c.rto < len(fs) {
		v, ok := dec64(fs[c.rto])
		if !ok {
			return l.errorf("rto", fs[c.rto], "not decimal clock ticks")
		}
		s.RTO = clockToMs(v, ticks)
	}
	if c.ato >= 0 && c.ato < len(fs) {
		v, ok := dec64(fs[c.ato])
		if !ok {
			return l.errorf("ato", fs[c.ato], "not decimal clock ticks")
		}
		s.ATO = clockToMs(v, ticks)
	}
	if c.qack >= 0 && c.qack < len(fs) {
		if s.QuickAck, ok = dec32(fs[c.qack]); !ok {
			return l.errorf("quickack", fs[c.qack], "not decimal")
		}
	}
	if c.cwnd >= 0 && c.cwnd < len(fs) {
		if s.Cwnd, ok = dec32(fs[c.cwnd]); !ok {
			return l.errorf("cwnd", fs[c.cwnd], "not decimal")
		}
	}
	if c.ssthresh >= 0 && c.ssthresh < len(fs) {
		v, ok := decInt32(fs[c.ssthresh])
		if !ok {
			return l.errorf("ssthresh", fs[c.ssthresh], "not a signed decimal")
		}
		if s.State != tcpListen {
			s.Ssthresh = v
		}
	}
	return nil
}

// inetEndpoint decodes "ADDR:PORT" with a host-endian hex address and a
// natural hex port.
func inetEndpoint(l *lines, col string, b []byte, addrLen int, big bool) (netip.AddrPort, error) {
	i := bytes.IndexByte(b, ':')
	if i < 0 {
		return netip.AddrPort{}, l.errorf(col, b, "not ADDRESS:PORT")
	}
	if i != addrLen {
		return netip.AddrPort{}, l.errorf(col, b, "not %d hex digits", addrLen)
	}
	var a netip.Addr
	var ok bool
	if addrLen == 8 {
		a, ok = hostAddr4(b[:i], big)
	} else {
		a, ok = hostAddr6(b[:i], big)
	}
	if !ok {
		return netip.AddrPort{}, l.errorf(col, b, "not %d hex digits", addrLen)
	}
	p, ok := hex32(b[i+1:])
	if !ok || p > 0xffff {
		return netip.AddrPort{}, l.errorf(col, b, "port not 4 hex digits")
	}
	return netip.AddrPortFrom(a, uint16(p)), nil
}

// hexPair parses "HEX:HEX".
func hexPair(b []byte) (uint64, uint64, bool) {
	i := bytes.IndexByte(b, ':')
	if i < 0 {
		return 0, 0, false
	}
	x, ok1 := hex64(b[:i])
	y, ok2 := hex64(b[i+1:])
	return x, y, ok1 && ok2
}
