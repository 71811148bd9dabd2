package iptext

import (
	"strconv"
	"strings"

	"github.com/netmortem/netmortem/snapshots"
)

// ss timer names → the model's Timer codes.
var ssTimers = map[string]uint8{"on": 1, "keepalive": 2, "timewait": 3, "persist": 4}

// Ethertypes by the names ss prints for packet sockets ("*" is ETH_P_ALL).
var etherTypes = map[string]uint16{"*": 0x0003, "ip": 0x0800, "arp": 0x0806, "ipv6": 0x86dd,
	"802.1Q": 0x8100, "802.1ad": 0x88a8, "lldp": 0x88cc, "loop": 0x0060, "802_2": 0x0004,
	"802_3": 0x0001, "ipx": 0x8137, "mpls_uc": 0x8847, "pppoe_disc": 0x8863, "pppoe_sess": 0x8864}

// ParseSS parses `ss -peaonmi` (any subset of those options): one record
// per socket, a first line and tab-indented continuation lines.
//
// Inet rows (tcp, udp, raw, mptcp) give Proto, Family, State, queues
// (for a listener Send-Q is the backlog limit, as inet_diag reports it),
// Local, Remote (with the bound device of "addr%dev" in IfIndex), UID
// ("uid:", 0 when ss leaves it out), Inode, Cookie ("sk:"), CgroupID
// ("cgroup:unreachable:ID" only; a path has no id), Timer, Expires,
// Retrans, Shutdown (the "<->" arrows), V6Only, the congestion control,
// SkMem (skmem: in SK_MEMINFO order), MemInfo derived from it (rmem,
// wmem_queued, fwd_alloc, wmem_alloc, as INET_DIAG_MEMINFO holds them)
// and, from the TCP details, RTO, ATO, Cwnd and Ssthresh. UNIX rows give
// Type, State, queues, Name, Inode, Peer, VFSInode/VFSDev, Pending
// ("peers:"), Shutdown and SkMem. Packet rows give Type, Proto, IfIndex,
// Running, Rmem, Inode and Cookie. Owners come from users:(("cmd",
// pid=N,fd=M)…). TCP_INFO itself is only text here; it is not rebuilt.
// Netlink rows are counted, SCTP rows skipped (read /proc/net/sctp). Lines
// that do not start with a socket kind are stderr noise (Skipped.Noise).
func ParseSS(data []byte, names *Names) (Sockets, Skipped) {
	var sk Skipped
	var out Sockets
	var rec []line
	flush := func() {
		if len(rec) == 0 {
			return
		}
		if why := ssRecord(rec, names, &out); why != "" {
			sk.add(rec[0].n, rec[0].text, why)
		}
		rec = nil
	}
	for l := range lines(data, &sk) {
		if l.indented() {
			if len(rec) > 0 {
				rec = append(rec, l)
			} else {
				sk.Noise++
			}
			continue
		}
		flush()
		f := strings.Fields(l.text)
		if len(f) == 0 {
			sk.Noise++
			continue
		}
		if f[0] == "Netid" || f[0] == "State" && len(f) > 1 && f[1] == "Recv-Q" {
			continue
		}
		if !ssNetid(f[0]) {
			sk.Noise++
			continue
		}
		rec = append(rec, l)
	}
	flush()
	return out, sk
}

func ssNetid(s string) bool {
	switch s {
	case "tcp", "udp", "raw", "mptcp", "sctp", "u_str", "u_dgr", "u_seq", "p_raw", "p_dgr", "nl",
		"tipc", "v_str", "v_dgr", "xdp", "???":
		return true
	}
	return false
}

// cutUsers removes the users:((…)) group from s and returns it parsed;
// process names are quoted and may hold blanks and parentheses.
func cutUsers(s string) (rest string, users []snapshots.SocketOwner) {
	i := strings.Index(s, "users:(")
	if i < 0 {
		return s, nil
	}
	j := i + len("users:(")
	depth, inq := 1, false
	start := -1
	var cur []string // fields of the entry being read
	field := strings.Builder{}
	for ; j < len(s) && depth > 0; j++ {
		c := s[j]
		switch {
		case inq && c == '\\' && j+1 < len(s):
			j++
			field.WriteByte(s[j])
		case c == '"':
			inq = !inq
		case inq:
			field.WriteByte(c)
		case c == '(':
			depth++
			if depth == 2 {
				start, cur = j, nil
				field.Reset()
			}
		case c == ')':
			if depth == 2 && start >= 0 {
				cur = append(cur, field.String())
				field.Reset()
				if o, ok := ssUser(cur); ok {
					users = append(users, o)
				}
			}
			depth--
		case c == ',' && depth == 2:
			cur = append(cur, field.String())
			field.Reset()
		default:
			field.WriteByte(c)
		}
	}
	return s[:i] + " " + s[j:], users
}

func ssUser(f []string) (snapshots.SocketOwner, bool) {
	if len(f) < 2 {
		return snapshots.SocketOwner{}, false
	}
	o := snapshots.SocketOwner{Command: f[0]}
	ok := false
	for _, kv := range f[1:] {
		if v, found := strings.CutPrefix(kv, "pid="); found {
			p, err := strconv.ParseUint(v, 10, 31)
			if err != nil {
				return o, false
			}
			o.Pid, ok = int32(p), true
		}
	}
	return o, ok
}

// ssDuration reads "1min12sec", "30sec", "200ms" into milliseconds.
func ssDuration(s string) (uint32, bool) {
	var ms float64
	for s != "" {
		i := 0
		for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
			i++
		}
		if i == 0 {
			return 0, false
		}
		v, err := strconv.ParseFloat(s[:i], 64)
		if err != nil {
			return 0, false
		}
		s = s[i:]
		switch {
		case strings.HasPrefix(s, "min"):
			ms += v * 60000
			s = s[3:]
		case strings.HasPrefix(s, "sec"):
			ms += v * 1000
			s = s[3:]
		case strings.HasPrefix(s, "ms"):
			ms += v
			s = s[2:]
		default:
			return 0, false
		}
	}
	if ms > 1<<32-1 {
		return 0, false
	}
	return uint32(ms), true
}

func ssShutdown(s string) (uint8, bool) {
	if len(s) != 3 || s[1] != '-' {
		return 0, false
	}
	var m uint8
	switch s[0] {
	case '-':
		m |= 1
	case '<':
	default:
		return 0, false
	}
	switch s[2] {
	case '-':
		m |= 2
	case '>':
	default:
		return 0, false
	}
	return m, true
}

// ssSkmem reads "skmem:(r0,rb212992,t0,tb212992,f0,w0,o0,bl0,d0)".
func ssSkmem(s string) ([]uint32, bool) {
	body, ok := strings.CutPrefix(s, "skmem:(")
	if !ok || !strings.HasSuffix(body, ")") {
		return nil, false
	}
	order := []string{"r", "rb", "t", "tb", "f", "w", "o", "bl", "d"}
	vals := map[string]uint32{}
	for _, kv := range strings.Split(strings.TrimSuffix(body, ")"), ",") {
		j := 0
		for j < len(kv) && (kv[j] < '0' || kv[j] > '9') {
			j++
		}
		v, ok := u32(kv[j:])
		if !ok {
			return nil, false
		}
		vals[kv[:j]] = v
	}
	out := make([]uint32, 0, len(order))
	for _, k := range order {
		v, ok := vals[k]
		if !ok {
			break
		}
		out = append(out, v)
	}
	return out, len(out) > 0
}

// ssFamily tells an inet row's family from its local address.
func ssFamily(addr string) uint8 {
	if strings.HasPrefix(addr, "[") || strings.HasPrefix(addr, "*:") || strings.Count(addr, ":") > 1 {
		return snapshots.AFInet6
	}
	return snapshots.AFInet
}

// tcpFlagWords are bare words of the TCP details that are not the
// congestion control's name.
var tcpFlagWords = map[string]bool{"ts": true, "sack": true, "ecn": true, "ecnseen": true,
	"fastopen": true, "app_limited": true, "send": true, "pacing_rate": true, "delivery_rate": true,
	"sndbuf_limited": true, "rwnd_limited": true, "cwnd_limited": true, "nodelay": true}

func ssRecord(rec []line, names *Names, out *Sockets) string {
	var tb strings.Builder
	tb.WriteString(rec[0].text)
	for _, l := range rec[1:] {
		tb.WriteByte(' ')
		tb.WriteString(strings.TrimSpace(l.text))
	}
	text := tb.String()
	text, users := cutUsers(text)
	f := strings.Fields(text)
	if len(f) < 6 {
		return "too few columns"
	}
	netid, state := f[0], f[1]
	rq, ok1 := u32(f[2])
	sq, ok2 := u32(f[3])
	if !ok1 || !ok2 {
		return "bad queue sizes"
	}
	st, known := tcpStates[state]
	if !known {
		return "unknown state " + strconv.Quote(state)
	}
	var rest []string
	var ino uint64
	switch netid {
	case "nl":
		out.Netlink++
		return ""
	case "sctp", "tipc", "v_str", "v_dgr", "xdp", "???":
		return "" // no model table read from ss for these
	case "u_str", "u_dgr", "u_seq":
		if len(f) < 8 {
			return "too few columns for a UNIX socket"
		}
		u := snapshots.UnixSocket{State: st, RecvQ: rq, SendQ: sq}
		u.Type = map[string]uint8{"u_str": 1, "u_dgr": 2, "u_seq": 5}[netid]
		if f[4] != "*" {
			u.Name = f[4]
			if strings.HasPrefix(u.Name, "@") {
				u.Name = "\x00" + u.Name[1:]
			}
		}
		var ok1, ok2 bool
		u.Inode, ok1 = u64(f[5])
		u.Peer, ok2 = u64(f[7])
		if !ok1 || !ok2 {
			return "bad UNIX inode"
		}
		rest = f[8:]
		for i := 0; i < len(rest); i++ {
			w := rest[i]
			if m, ok := ssShutdown(w); ok {
				u.Shutdown = m
				continue
			}
			k, v, _ := strings.Cut(w, ":")
			switch k {
			case "skmem":
				u.SkMem, _ = ssSkmem(w)
			case "sk":
				u.Cookie, _ = strconv.ParseUint(v, 16, 64)
			case "ino":
				u.VFSInode, _ = u64(v)
			case "dev":
				maj, mnr, _ := strings.Cut(v, "/")
				a, ok1 := u32(maj)
				b, ok2 := u32(mnr)
				if ok1 && ok2 {
					// ss splits the kernel's dev_t with glibc's major() and
					// minor(); put the bits back.
					u.VFSDev = (a&0xfff)<<8 | b&0xff | (b>>8)<<20
				}
			case "uid":
				u.UID, u.HasUID = u32(v)
			case "peers":
				for i+1 < len(rest) {
					p, ok := u64(rest[i+1])
					if !ok {
						break
					}
					u.Pending = append(u.Pending, p)
					i++
				}
			}
		}
		ino = u.Inode
		out.Unix = append(out.Unix, u)
	case "p_raw", "p_dgr":
		p := snapshots.PacketSocket{Type: 3}
		if netid == "p_dgr" {
			p.Type = 2
		}
		proto, dev, ok := strings.Cut(f[4], ":")
		if !ok {
			return "bad packet socket address"
		}
		if v, ok := etherTypes[proto]; ok {
			p.Proto = v
		} else if v, err := parseNum(proto, 65535); err == nil {
			p.Proto = uint16(v)
		}
		if dev != "*" {
			p.IfIndex, _ = names.ifindex(dev)
		}
		rest = f[6:]
		for _, w := range rest {
			k, v, _ := strings.Cut(w, ":")
			switch {
			case w == "running":
				p.Running = true
			case k == "ino":
				p.Inode, _ = u64(v)
			case k == "sk":
				p.Cookie, _ = strconv.ParseUint(v, 16, 64)
			case k == "uid":
				p.UID, _ = u32(v)
			case k == "skmem":
				if m, ok := ssSkmem(w); ok {
					p.Rmem = m[0]
				}
			}
		}
		ino = p.Inode
		out.Packet = append(out.Packet, p)
	default: // tcp, udp, raw, mptcp
		s := snapshots.InetSocket{State: st, RecvQ: rq, SendQ: sq, Family: ssFamily(f[4])}
		s.Proto = map[string]uint16{"tcp": snapshots.ProtoTCP, "udp": snapshots.ProtoUDP,
			"raw": snapshots.ProtoRaw, "mptcp": snapshots.ProtoMPTCP}[netid]
		local, ok1 := endpoint(f[4], s.Family)
		remote, ok2 := endpoint(f[5], s.Family)
		if !ok1 || !ok2 {
			return "bad address"
		}
		s.Local, s.Remote = local, remote
		if s.Proto == snapshots.ProtoRaw {
			s.RawProto = local.Port()
		}
		if i := strings.IndexByte(f[4], '%'); i >= 0 {
			dev := f[4][i+1:]
			if j := strings.LastIndexByte(dev, ':'); j >= 0 {
				dev = dev[:j]
			}
			if idx, ok := names.ifindex(dev); ok {
				s.IfIndex = uint32(idx)
			}
		}
		cong := true // the first bare unknown word of the details
		for _, w := range f[6:] {
			if m, ok := ssShutdown(w); ok {
				s.Shutdown = m
				continue
			}
			k, v, colon := strings.Cut(w, ":")
			if !colon {
				if cong && !tcpFlagWords[w] && s.Proto == snapshots.ProtoTCP && s.SkMem != nil {
					s.Cong, cong = w, false
				}
				continue
			}
			switch k {
			case "skmem":
				if m, ok := ssSkmem(w); ok && len(m) >= 6 {
					s.SkMem = m
					s.MemInfo = []uint32{m[0], m[5], m[4], m[2]}
				}
			case "sk":
				s.Cookie, _ = strconv.ParseUint(v, 16, 64)
			case "ino":
				s.Inode, _ = u64(v)
			case "uid":
				s.UID, _ = u32(v)
			case "v6only":
				if v == "1" {
					s.V6Only = 2
				} else if v == "0" {
					s.V6Only = 1
				}
			case "cgroup":
				if id, ok := strings.CutPrefix(v, "unreachable:"); ok {
					s.CgroupID, _ = strconv.ParseUint(id, 16, 64)
				}
			case "timer":
				parts := strings.Split(strings.Trim(v, "()"), ",")
				if len(parts) >= 2 {
					s.Timer = ssTimers[parts[0]]
					s.Expires, _ = ssDuration(parts[1])
				}
				if len(parts) >= 3 {
					if r, ok := u32(parts[2]); ok && r < 256 {
						s.Retrans = uint8(r)
					}
				}
			case "rto":
				s.RTO = msValue(v)
			case "ato":
				s.ATO = msValue(v)
			case "cwnd":
				s.Cwnd, _ = u32(v)
			case "ssthresh":
				if n, err := strconv.ParseInt(v, 10, 32); err == nil {
					s.Ssthresh = int32(n)
				}
			case "fwmark":
				s.Mark, _ = u32(v)
			case "tos":
				if n, err := parseNum(v, 255); err == nil {
					s.TOS = uint8(n)
				}
			case "tclass":
				if n, err := parseNum(v, 255); err == nil {
					s.TClass = uint8(n)
				}
			}
		}
		ino = s.Inode
		out.Inet = append(out.Inet, s)
		if ino == 0 && len(users) > 0 {
			// ss prints no inode for raw sockets it read from /proc:
			// keep the owners with the row, for a caller that can
			// match it.
			if out.RowOwners == nil {
				out.RowOwners = map[int][]snapshots.SocketOwner{}
			}
			out.RowOwners[len(out.Inet)-1] = dedupOwners(users)
		}
	}
	seen := map[int32]bool{}
	for _, u := range users {
		if ino == 0 || seen[u.Pid] {
			continue
		}
		seen[u.Pid] = true
		u.Inode = ino
		out.Owners = append(out.Owners, u)
	}
	return ""
}

// msValue reads ss's "204" or "204.5" milliseconds.
func msValue(s string) uint32 {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < 0 || v > 1<<32-1 {
		return 0
	}
	return uint32(v)
}

// Sysctls parses `sysctl -a` output ("name = value") and keeps the names
// keep accepts.
func Sysctls(data []byte, keep func(name string) bool) []snapshots.Sysctl {
	var sk Skipped
	var out []snapshots.Sysctl
	for l := range lines(data, &sk) {
		k, v, ok := strings.Cut(l.text, " = ")
		if !ok {
			continue
		}
		k = strings.TrimSpace(k)
		if keep(k) {
			out = append(out, snapshots.Sysctl{Name: k, Value: strings.TrimSpace(v)})
		}
	}
	return out
}

// dedupOwners keeps one owner per process.
func dedupOwners(us []snapshots.SocketOwner) []snapshots.SocketOwner {
	seen := map[int32]bool{}
	var out []snapshots.SocketOwner
	for _, u := range us {
		if !seen[u.Pid] {
			seen[u.Pid] = true
			out = append(out, u)
		}
	}
	return out
}
