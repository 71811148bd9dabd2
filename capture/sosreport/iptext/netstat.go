package iptext

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/netmortem/netmortem/snapshots"
)

// Sockets are socket rows read from netstat or ss, with the processes
// holding them.
type Sockets struct {
	Inet   []snapshots.InetSocket
	Unix   []snapshots.UnixSocket
	Packet []snapshots.PacketSocket
	Owners []snapshots.SocketOwner // one per (inode, pid), in input order
	// RowOwners holds the owners of Inet rows printed without an inode
	// (ss's raw sockets), by row index, with Inode 0.
	RowOwners map[int][]snapshots.SocketOwner
	// Netlink counts netlink sockets seen (the model has no table for
	// them).
	Netlink int
}

// TCP_* states by the names netstat and ss print.
var tcpStates = map[string]uint8{
	"ESTABLISHED": 1, "SYN_SENT": 2, "SYN_RECV": 3, "FIN_WAIT1": 4, "FIN_WAIT2": 5, "TIME_WAIT": 6,
	"CLOSE": 7, "CLOSE_WAIT": 8, "LAST_ACK": 9, "LISTEN": 10, "CLOSING": 11,
	// ss
	"ESTAB": 1, "SYN-SENT": 2, "SYN-RECV": 3, "FIN-WAIT-1": 4, "FIN-WAIT-2": 5, "TIME-WAIT": 6,
	"UNCONN": 7, "CLOSE-WAIT": 8, "LAST-ACK": 9, "NEW-SYN-RECV": 12,
}

var netstatProtos = map[string]struct {
	proto uint16
	fam   uint8
}{
	"tcp": {snapshots.ProtoTCP, snapshots.AFInet}, "tcp6": {snapshots.ProtoTCP, snapshots.AFInet6},
	"udp": {snapshots.ProtoUDP, snapshots.AFInet}, "udp6": {snapshots.ProtoUDP, snapshots.AFInet6},
	"udpl": {snapshots.ProtoUDPLite, snapshots.AFInet}, "udpl6": {snapshots.ProtoUDPLite, snapshots.AFInet6},
	"raw": {snapshots.ProtoRaw, snapshots.AFInet}, "raw6": {snapshots.ProtoRaw, snapshots.AFInet6},
}

// net-tools timer names → the model's Timer codes.
var netstatTimers = map[string]uint8{"off": 0, "on": 1, "keepalive": 2, "timewait": 3, "probe": 4}

var unixTypes = map[string]uint8{"STREAM": 1, "DGRAM": 2, "RAW": 3, "RDM": 4, "SEQPACKET": 5}

// ParseNetstat parses `netstat -W -neopa` (also without -o or -W): the
// Internet and UNIX socket rows and their "PID/Program name" owners.
//
// Rows are told apart by their first word, not by the section headers, so
// that an output whose head was cut by sos's size limit still parses.
// Inet rows give Proto, Family, State (a raw socket's numeric state
// too), Local, Remote (IPv6 endpoints are printed without brackets: the
// port follows the last colon), RecvQ, SendQ, UID, Inode and the timer
// (kind, seconds as Expires in ms, retransmits, probes). UNIX rows give
// RefCount, the ACC flag (0x10000), Type, State as unix_diag reports it
// (LISTENING is LISTEN, CONNECTED and CONNECTING are ESTABLISHED, the
// rest CLOSE), Inode and the path. The program name is netstat's (the
// command line's first word, cut to its column), which can differ from
// the kernel's comm; a name with blanks is read up to the path, which
// starts with '/' or '@'. Lines that are neither rows nor headers are
// counted as noise (sections of other socket families, stderr).
func ParseNetstat(data []byte) (Sockets, Skipped) {
	var sk Skipped
	var out Sockets
	for l := range lines(data, &sk) {
		toks := tokens(l.text)
		if len(toks) == 0 {
			continue
		}
		w := toks[0].s
		switch {
		case w == "unix":
			if !netstatUnix(l.text, toks, &out) {
				sk.add(l.n, l.text, "not a UNIX socket row")
			}
		case netstatProtos[w].proto != 0:
			if !netstatInet(toks, &out) {
				sk.add(l.n, l.text, "not an Internet socket row")
			}
		case strings.HasPrefix(l.text, "Active ") || w == "Proto":
		default:
			sk.Noise++
		}
	}
	return out, sk
}

type token struct {
	s   string
	off int
}

// tokens splits on blanks and remembers where each word starts.
func tokens(s string) []token {
	var out []token
	for i := 0; i < len(s); {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		j := i
		for j < len(s) && s[j] != ' ' && s[j] != '\t' {
			j++
		}
		if j > i {
			out = append(out, token{s[i:j], i})
		}
		i = j
	}
	return out
}

// endpoint reads "addr:port" with the port after the last colon; "*" is
// the unspecified address or port 0.
func endpoint(s string, fam uint8) (netip.AddrPort, bool) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return netip.AddrPort{}, false
	}
	host, port := s[:i], s[i+1:]
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if j := strings.IndexByte(host, '%'); j >= 0 {
		host = host[:j]
	}
	var a netip.Addr
	if host == "*" {
		a = netip.IPv4Unspecified()
		if fam == snapshots.AFInet6 {
			a = netip.IPv6Unspecified()
		}
	} else {
		var err error
		if a, err = netip.ParseAddr(host); err != nil {
			return netip.AddrPort{}, false
		}
	}
	if fam == snapshots.AFInet6 && a.Is4() {
		a = netip.AddrFrom16(a.As16())
	}
	var p uint64
	if port != "*" {
		var err error
		if p, err = strconv.ParseUint(port, 10, 16); err != nil {
			return netip.AddrPort{}, false
		}
	}
	return netip.AddrPortFrom(a, uint16(p)), true
}

func isPidProg(s string) bool {
	if s == "-" {
		return true
	}
	i := strings.IndexByte(s, '/')
	if i <= 0 {
		return false
	}
	_, err := strconv.ParseUint(s[:i], 10, 31)
	return err == nil
}

// owner turns "1234/name" into an owner of inode.
func owner(inode uint64, pidprog string) (snapshots.SocketOwner, bool) {
	pid, name, ok := strings.Cut(pidprog, "/")
	if !ok || inode == 0 {
		return snapshots.SocketOwner{}, false
	}
	p, err := strconv.ParseUint(pid, 10, 31)
	if err != nil {
		return snapshots.SocketOwner{}, false
	}
	return snapshots.SocketOwner{Inode: inode, Pid: int32(p), Command: name}, true
}

func netstatInet(t []token, out *Sockets) bool {
	if len(t) < 5 {
		return false
	}
	pr := netstatProtos[t[0].s]
	s := snapshots.InetSocket{Proto: pr.proto, Family: pr.fam, State: 7}
	rq, ok1 := u32(t[1].s)
	sq, ok2 := u32(t[2].s)
	local, ok3 := endpoint(t[3].s, pr.fam)
	remote, ok4 := endpoint(t[4].s, pr.fam)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return false
	}
	s.RecvQ, s.SendQ, s.Local, s.Remote = rq, sq, local, remote
	if s.Proto == snapshots.ProtoRaw {
		s.RawProto = local.Port()
	}
	end := len(t)
	// Timer: "off (0.00/0/0)" at the end.
	if end >= 7 && strings.HasPrefix(t[end-1].s, "(") && strings.HasSuffix(t[end-1].s, ")") {
		kind := t[end-2].s
		code, known := netstatTimers[kind]
		if !known && !strings.HasPrefix(kind, "unkn-") {
			return false
		}
		s.Timer = code
		parts := strings.Split(strings.Trim(t[end-1].s, "()"), "/")
		if len(parts) == 3 {
			if sec, err := strconv.ParseFloat(parts[0], 64); err == nil && sec >= 0 && sec < 4e6 {
				s.Expires = uint32(sec*1000 + 0.5)
			}
			if v, ok := u32(parts[1]); ok && v < 256 {
				s.Retrans = uint8(v)
			}
			s.Probes, _ = u32(parts[2])
		}
		end -= 2
	}
	mid := t[5:end]
	p := len(mid)
	for i, x := range mid {
		if isPidProg(x.s) && i >= 2 {
			p = i
			break
		}
	}
	head := mid[:p]
	switch len(head) {
	case 3: // state user inode
		st := head[0].s
		if v, ok := tcpStates[st]; ok {
			s.State = v
		} else if v, err := parseNum(st, 255); err == nil {
			s.State = uint8(v)
		} else {
			return false
		}
		head = head[1:]
	case 2: // user inode (UDP and raw without a state word)
	case 1: // state without -e
		if v, ok := tcpStates[head[0].s]; ok {
			s.State = v
		}
		head = nil
	case 0:
	default:
		return false
	}
	if len(head) == 2 {
		uid, ok1 := u32(head[0].s)
		ino, ok2 := u64(head[1].s)
		if !ok1 || !ok2 {
			return false
		}
		s.UID, s.Inode = uid, ino
	}
	out.Inet = append(out.Inet, s)
	if p < len(mid) {
		names := make([]string, 0, len(mid)-p)
		for _, x := range mid[p:] {
			names = append(names, x.s)
		}
		if o, ok := owner(s.Inode, strings.Join(names, " ")); ok {
			out.Owners = append(out.Owners, o)
		}
	}
	return true
}

func netstatUnix(text string, t []token, out *Sockets) bool {
	// unix RefCnt [ flags ] Type [State] I-Node PID/Program [Path]
	if len(t) < 6 {
		return false
	}
	u := snapshots.UnixSocket{State: 7}
	ref, ok := u32(t[1].s)
	if !ok {
		return false
	}
	u.RefCount = ref
	i := 2
	if !strings.HasPrefix(t[i].s, "[") {
		return false
	}
	for ; i < len(t); i++ {
		f := strings.Trim(t[i].s, "[]")
		if f == "ACC" {
			u.Flags |= 0x10000
		}
		if strings.HasSuffix(t[i].s, "]") {
			i++
			break
		}
	}
	if i >= len(t) {
		return false
	}
	typ, ok := unixTypes[t[i].s]
	if !ok && t[i].s != "UNKNOWN" {
		return false
	}
	u.Type = typ
	i++
	if i < len(t) {
		switch t[i].s {
		case "LISTENING":
			u.State = 10
			i++
		case "CONNECTED", "CONNECTING":
			u.State = 1
			i++
		case "FREE", "DISCONNECTING", "UNKNOWN":
			i++
		}
	}
	if u.Flags&0x10000 != 0 {
		u.State = 10
	}
	if i >= len(t) {
		return false
	}
	ino, ok := u64(t[i].s)
	if !ok {
		return false
	}
	u.Inode = ino
	i++
	var prog []string
	if i < len(t) && isPidProg(t[i].s) {
		prog = append(prog, t[i].s)
		i++
		for i < len(t) && !strings.HasPrefix(t[i].s, "/") && !strings.HasPrefix(t[i].s, "@") {
			prog = append(prog, t[i].s)
			i++
		}
	}
	if i < len(t) {
		path := text[t[i].off:]
		if strings.HasPrefix(path, "@") {
			path = "\x00" + path[1:]
		}
		u.Name = path
	}
	out.Unix = append(out.Unix, u)
	if len(prog) > 0 {
		if o, ok := owner(u.Inode, strings.Join(prog, " ")); ok {
			out.Owners = append(out.Owners, o)
		}
	}
	return true
}
