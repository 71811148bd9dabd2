package solaris

import (
	"bufio"
	"encoding/binary"
	"net/netip"
	"slices"

	"github.com/netmortem/netmortem/analyze/netstat"
	"github.com/netmortem/netmortem/analyze/sockets"
	"github.com/netmortem/netmortem/snapshots"
)

// Form 1, the socket lists (solaris-display-formats.md §2): UDP, TCP and
// SCTP in netstat's layouts, with the Linux lists UDP-Lite, MPTCP and RAW
// in the UDP and TCP layouts. The AF_UNIX list is in unix.go.

func init() {
	Register(&Form{Form: netstat.FormSockets, Text: socketsText, Record: socketsRecord})
}

// Headers, byte for byte (§2.4–§2.6).
const (
	hdrTCP4 = "   Local Address        Remote Address    Swind  Send-Q Rwind  Recv-Q    State   \n" +
		"-------------------- -------------------- ------ ------ ------ ------ -----------\n"
	hdrTCP4V = "Local/Remote Address Swind   Snext     Suna   Rwind   Rnext     Rack    Rto   Mss     State   \n" +
		"-------------------- ------ -------- -------- ------ -------- -------- ----- ----- -----------\n"
	hdrTCP6 = "   Local Address                     Remote Address                 Swind  Send-Q Rwind  Recv-Q    State      If \n" +
		"--------------------------------- --------------------------------- ------ ------ ------ ------ ----------- -----\n"
	hdrTCP6V = "Local/Remote Address              Swind   Snext     Suna   Rwind   Rnext     Rack    Rto   Mss     State      If \n" +
		"--------------------------------- ------ -------- -------- ------ -------- -------- ----- ----- ----------- -----\n"
	hdrUDP4 = "   Local Address        Remote Address      State   \n" +
		"-------------------- -------------------- ----------\n"
	hdrUDP6 = "   Local Address                     Remote Address                   State      If \n" +
		"--------------------------------- --------------------------------- ---------- -----\n"
	// The current SCTP header ends in a blank line (§2.6 quirk).
	hdrSCTP = "        Local Address                   Remote Address          Swind  Send-Q Rwind  Recv-Q StrsI/O  State     \n" +
		"------------------------------- ------------------------------- ------ ------ ------ ------ ------- -----------\n\n"
)

// sockProto is the protocol name service lookups use for a list.
func sockProto(k sockets.Kind) string {
	switch k {
	case sockets.TCP, sockets.MPTCP:
		return "tcp"
	case sockets.SCTP:
		return "sctp"
	}
	// UDP-Lite shares UDP's port assignments (RFC 3828).
	return "udp"
}

// kindAllowed reports whether -P lets list k print.
func kindAllowed(r *netstat.Request, k sockets.Kind) bool {
	switch k {
	case sockets.UDP, sockets.UDPLite:
		return r.ProtoAllows(netstat.ProtoUDP)
	case sockets.TCP, sockets.MPTCP:
		return r.ProtoAllows(netstat.ProtoTCP)
	case sockets.SCTP:
		return r.ProtoAllows(netstat.ProtoSCTP)
	}
	return r.ProtoAllows(netstat.ProtoRaw)
}

var inetFamilies = [...]uint8{snapshots.AFInet, snapshots.AFInet6}

func familyTitle(af uint8) string {
	if af == snapshots.AFInet6 {
		return "IPv6"
	}
	return "IPv4"
}

func socketsText(w *bufio.Writer, p *Pass) error {
	v, r := p.Cur, p.Req
	order := v.Meta.ByteOrder()
	buf := make([]byte, 0, 256)
	for _, k := range sockets.Kinds {
		if !kindAllowed(r, k) {
			continue
		}
		if k == sockets.SCTP {
			if r.InetSelected() {
				sctpText(w, p, buf)
			}
			continue
		}
		for _, af := range inetFamilies {
			if !r.FamilySelected(af) {
				continue
			}
			sel := slices.Collect(sockets.Select(v.InetSockets, k, af, r.All))
			if len(sel) == 0 {
				continue
			}
			w.WriteString("\n" + k.Title() + ": " + familyTitle(af) + "\n")
			w.WriteString(sockHeader(k, af, r.Verbose))
			writeRows(w, len(sel), func(b []byte, i int) []byte {
				if k == sockets.TCP || k == sockets.MPTCP {
					return tcpRow(b, p, sel[i], k, order)
				}
				return dgramRow(b, p, sel[i], k)
			})
		}
	}
	return nil
}

func sockHeader(k sockets.Kind, af uint8, verbose bool) string {
	v6 := af == snapshots.AFInet6
	if k == sockets.TCP || k == sockets.MPTCP {
		switch {
		case v6 && verbose:
			return hdrTCP6V
		case v6:
			return hdrTCP6
		case verbose:
			return hdrTCP4V
		}
		return hdrTCP4
	}
	if v6 {
		return hdrUDP6
	}
	return hdrUDP4
}

// colNum prints a number the kernel may not have given: %wu, or the
// placeholder right-aligned.
func colNum(b []byte, n sockets.Num, w int) []byte {
	if !n.Known {
		return colRight(b, colNA, w)
	}
	return colUint(b, n.V, w)
}

// colSeq prints a sequence number column (%08x); Linux never has one.
func colSeq(b []byte, n sockets.Num) []byte {
	if !n.Known {
		return colRight(b, colNA, 8)
	}
	return colHex8(b, uint32(n.V))
}

// tcpRow is §2.4's row: normal `%-20s %-20s %6u %6d %6u %6d %s` (v6:
// 33-wide addresses, state %-11s and the If column), or with -v the local
// address alone on a line and the remote one leading the numbers.
func tcpRow(b []byte, p *Pass, s *snapshots.InetSocket, k sockets.Kind, order binary.ByteOrder) []byte {
	v6 := s.Family == snapshots.AFInet6
	aw := 20
	if v6 {
		aw = 33
	}
	proto := sockProto(k)
	d := sockets.TCPDetailOf(s, order)
	sendQ, recvQ := sockets.Queues(s)
	state := sockets.TCPStateName(s.State)
	start := len(b)
	b = p.P.AppendHostPort(b, s.Local, proto)
	b = colPad(b, start, aw)
	if p.Req.Verbose {
		b = append(b, '\n')
		start = len(b)
		b = p.P.AppendHostPort(b, s.Remote, proto)
		b = colPad(b, start, aw)
		b = append(b, ' ')
		b = colNum(b, d.Swind, 6)
		b = append(b, ' ')
		b = colSeq(b, d.Snext)
		b = append(b, ' ')
		b = colSeq(b, d.Suna)
		b = append(b, ' ')
		b = colNum(b, d.Rwind, 6)
		b = append(b, ' ')
		b = colSeq(b, d.Rnext)
		b = append(b, ' ')
		b = colSeq(b, d.Rack)
		b = append(b, ' ')
		b = colNum(b, d.RTO, 5)
		b = append(b, ' ')
		b = colNum(b, d.MSS, 5)
	} else {
		b = append(b, ' ')
		start = len(b)
		b = p.P.AppendHostPort(b, s.Remote, proto)
		b = colPad(b, start, aw)
		b = append(b, ' ')
		b = colNum(b, d.Swind, 6)
		b = append(b, ' ')
		b = colUint(b, uint64(sendQ), 6)
		b = append(b, ' ')
		b = colNum(b, d.Rwind, 6)
		b = append(b, ' ')
		b = colUint(b, uint64(recvQ), 6)
	}
	b = append(b, ' ')
	if v6 {
		b = colLeft(b, state, 11)
		b = append(b, ' ')
		b = append(b, p.Cur.IfName(int32(s.IfIndex))...)
	} else {
		b = append(b, state...)
	}
	return append(b, '\n')
}

// dgramRow is §2.5's UDP row, `%-20s %-20s %s` (v6: `%-33s %-33s
// %-10.10s %s` with the If column). The remote address prints only for a
// connected socket. RAW rows print the IP protocol where UDP prints the
// port, and the remote host alone.
func dgramRow(b []byte, p *Pass, s *snapshots.InetSocket, k sockets.Kind) []byte {
	v6 := s.Family == snapshots.AFInet6
	aw := 20
	if v6 {
		aw = 33
	}
	st := sockets.DgramStateOf(s)
	start := len(b)
	if k == sockets.Raw {
		b = p.P.AppendHostOrWild(b, s.Local.Addr())
		b = append(b, '.')
		b = appendIPProto(b, p.P, sockets.RawProtocol(s))
	} else {
		b = p.P.AppendHostPort(b, s.Local, sockProto(k))
	}
	b = colPad(b, start, aw)
	b = append(b, ' ')
	start = len(b)
	if st == sockets.Connected {
		if k == sockets.Raw {
			b = p.P.AppendHostOrWild(b, s.Remote.Addr())
		} else {
			b = p.P.AppendHostPort(b, s.Remote, sockProto(k))
		}
	}
	b = colPad(b, start, aw)
	b = append(b, ' ')
	name := sockets.DgramStateName(s)
	if v6 {
		b = colTrunc(b, name, 10)
		b = append(b, ' ')
		b = append(b, p.Cur.IfName(int32(s.IfIndex))...)
	} else {
		b = append(b, name...)
	}
	return append(b, '\n')
}

// appendIPProto prints an IP protocol: its name from the captured
// /etc/protocols unless -n, else the number.
func appendIPProto(b []byte, pr *Printer, n uint16) []byte {
	if !pr.Numeric {
		if name, ok := pr.Names.ProtocolName(uint32(n)); ok {
			return append(b, name...)
		}
	}
	return colUint(b, uint64(n), 0)
}

// sctpText is the SCTP list (§2.6): `%-31s %-31s %6u %6d %6d %6u %3d/%-3d
// %s`, an address with port 0 printed without ".port" (and unspecified as
// 0.0.0.0 or ::), and with -v the other remote and local addresses on
// lines of their own. Linux gives no SCTP windows: Swind and Rwind print
// the placeholder; an endpoint row has no queues or streams either.
func sctpText(w *bufio.Writer, p *Pass, buf []byte) {
	v, r := p.Cur, p.Req
	rows := sockets.SCTPRows(v.SCTPEndpoints, v.SCTPAssocs, r.All)
	first := true
	for i := range rows {
		row := &rows[i]
		if !r.FamilySelected(row.Family()) {
			continue
		}
		if first {
			first = false
			w.WriteString("\nSCTP:\n")
			w.WriteString(hdrSCTP)
		}
		b := buf[:0]
		start := len(b)
		b = sctpAddr(b, p.P, row.Local, row.LocalPort, row.Family())
		b = colPad(b, start, 31)
		b = append(b, ' ')
		start = len(b)
		b = sctpAddr(b, p.P, row.Remote, row.RemotePort, row.Family())
		b = colPad(b, start, 31)
		b = append(b, ' ')
		b = colRight(b, colNA, 6)
		b = append(b, ' ')
		if a := row.Assoc; a != nil {
			b = colUint(b, uint64(a.TxQueue), 6)
			b = append(b, ' ')
			b = colRight(b, colNA, 6)
			b = append(b, ' ')
			b = colUint(b, uint64(a.RxQueue), 6)
			b = append(b, ' ')
			b = colUint(b, uint64(a.InStreams), 3)
			b = append(b, '/')
			b = colUint(b, uint64(a.OutStreams), -3)
		} else {
			b = colRight(b, colNA, 6)
			b = append(b, ' ')
			b = colRight(b, colNA, 6)
			b = append(b, ' ')
			b = colRight(b, colNA, 6)
			b = append(b, ' ')
			b = colRight(b, colNA, 3)
			b = append(b, '/')
			b = colLeft(b, colNA, 3)
		}
		b = append(b, ' ')
		b = append(b, row.StateName()...)
		b = append(b, '\n')
		if r.Verbose {
			b = sctpOthers(b, p.P, "Remote", row.Remotes, row.Remote)
			b = sctpOthers(b, p.P, "Local", row.Locals, row.Local)
		}
		w.Write(b)
	}
}

// sctpAddr prints an SCTP address: host.port, or the host alone when the
// port is 0 (an unspecified host then prints as 0.0.0.0 or ::).
func sctpAddr(b []byte, pr *Printer, a netip.Addr, port uint16, af uint8) []byte {
	if port == 0 {
		if !a.IsValid() {
			if af == snapshots.AFInet6 {
				a = netip.IPv6Unspecified()
			} else {
				a = netip.IPv4Unspecified()
			}
		}
		if a.IsUnspecified() {
			return a.AppendTo(b)
		}
		return pr.AppendHost(b, a)
	}
	return pr.AppendHostPort(b, netip.AddrPortFrom(a, port), "sctp")
}

// sctpOthers prints `\t<What: a, (b)>` for the addresses other than the
// primary one, inactive ones in parentheses; nothing when there are none.
func sctpOthers(b []byte, pr *Printer, what string, addrs []snapshots.SCTPAddr, primary netip.Addr) []byte {
	n := 0
	for _, x := range addrs {
		if x.Addr == primary {
			continue
		}
		if n == 0 {
			b = append(b, "\t<"...)
			b = append(b, what...)
			b = append(b, ": "...)
		} else {
			b = append(b, ", "...)
		}
		n++
		if x.Active == 2 {
			b = append(b, '(')
			b = pr.AppendHost(b, x.Addr)
			b = append(b, ')')
		} else {
			b = pr.AppendHost(b, x.Addr)
		}
	}
	if n > 0 {
		b = append(b, ">\n"...)
	}
	return b
}

// InetSocketRecord is a socket-list row as a record. Numbers Linux does
// not give are omitted.
type InetSocketRecord struct {
	Protocol      string        `json:"protocol"` // tcp, udp, udplite, mptcp, raw
	Family        string        `json:"family"`   // inet, inet6
	LocalAddress  netip.Addr    `json:"local_address"`
	LocalPort     uint16        `json:"local_port"`
	RemoteAddress netip.Addr    `json:"remote_address"`
	RemotePort    uint16        `json:"remote_port"`
	IPProtocol    uint16        `json:"ip_protocol,omitempty"` // raw sockets
	State         string        `json:"state"`
	LinuxState    uint8         `json:"linux_state"`
	SendQ         *uint64       `json:"send_q,omitempty"`
	RecvQ         *uint64       `json:"recv_q,omitempty"`
	Swind         *uint64       `json:"swind,omitempty"`
	Rwind         *uint64       `json:"rwind,omitempty"`
	RTO           *uint64       `json:"rto_ms,omitempty"`
	MSS           *uint64       `json:"mss,omitempty"`
	Backlog       *uint64       `json:"backlog,omitempty"`
	Interface     string        `json:"interface,omitempty"`
	UID           uint32        `json:"uid"`
	Inode         uint64        `json:"inode,omitempty"`
	Owners        []OwnerRecord `json:"owners,omitempty"`
}

// SCTPRecord is an SCTP row as a record.
type SCTPRecord struct {
	Family          string       `json:"family"`
	LocalAddress    netip.Addr   `json:"local_address"`
	LocalPort       uint16       `json:"local_port"`
	RemoteAddress   netip.Addr   `json:"remote_address"`
	RemotePort      uint16       `json:"remote_port"`
	State           string       `json:"state"`
	SendQ           *uint64      `json:"send_q,omitempty"`
	RecvQ           *uint64      `json:"recv_q,omitempty"`
	InStreams       *uint64      `json:"in_streams,omitempty"`
	OutStreams      *uint64      `json:"out_streams,omitempty"`
	LocalAddresses  []netip.Addr `json:"local_addresses,omitempty"`
	RemoteAddresses []netip.Addr `json:"remote_addresses,omitempty"`
	AssocID         uint32       `json:"assoc_id,omitempty"`
	Inode           uint64       `json:"inode,omitempty"`
}

// OwnerRecord is a process holding a socket.
type OwnerRecord struct {
	Pid     int32  `json:"pid"`
	Command string `json:"command"`
	UID     uint32 `json:"uid"`
}

// SocketSection is one titled list of the socket display.
type SocketSection struct {
	Title string `json:"title"`
	Rows  any    `json:"rows"`
}

func num(v uint64) *uint64 { return &v }

func numOf(n sockets.Num) *uint64 {
	if !n.Known {
		return nil
	}
	return num(n.V)
}

var kindRecordNames = [...]string{sockets.UDP: "udp", sockets.UDPLite: "udplite", sockets.TCP: "tcp",
	sockets.MPTCP: "mptcp", sockets.SCTP: "sctp", sockets.Raw: "raw"}

func familyName(af uint8) string {
	if af == snapshots.AFInet6 {
		return "inet6"
	}
	return "inet"
}

func ownersOf(p *Pass, inode uint64) []OwnerRecord {
	var out []OwnerRecord
	for _, o := range p.Cur.Owners(inode) {
		out = append(out, OwnerRecord{Pid: o.Pid, Command: o.Command, UID: o.UID})
	}
	return out
}

func socketsRecord(p *Pass) (any, error) {
	v, r := p.Cur, p.Req
	order := v.Meta.ByteOrder()
	secs := []SocketSection{}
	for _, k := range sockets.Kinds {
		if !kindAllowed(r, k) {
			continue
		}
		if k == sockets.SCTP {
			var rows []SCTPRecord
			for _, row := range sockets.SCTPRows(v.SCTPEndpoints, v.SCTPAssocs, r.All) {
				if r.FamilySelected(row.Family()) {
					rows = append(rows, sctpRecord(&row))
				}
			}
			if len(rows) > 0 {
				secs = append(secs, SocketSection{Title: "SCTP", Rows: rows})
			}
			continue
		}
		for _, af := range inetFamilies {
			if !r.FamilySelected(af) {
				continue
			}
			var rows []InetSocketRecord
			for s := range sockets.Select(v.InetSockets, k, af, r.All) {
				rows = append(rows, inetRecord(p, s, k, order))
			}
			if len(rows) > 0 {
				secs = append(secs, SocketSection{Title: k.Title() + ": " + familyTitle(af), Rows: rows})
			}
		}
	}
	return secs, nil
}

func inetRecord(p *Pass, s *snapshots.InetSocket, k sockets.Kind, order binary.ByteOrder) InetSocketRecord {
	rec := InetSocketRecord{
		Protocol: kindRecordNames[k], Family: familyName(s.Family),
		LocalAddress: s.Local.Addr(), LocalPort: s.Local.Port(),
		RemoteAddress: s.Remote.Addr(), RemotePort: s.Remote.Port(),
		LinuxState: s.State, Interface: p.Cur.IfName(int32(s.IfIndex)), UID: s.UID, Inode: s.Inode,
		Owners: ownersOf(p, s.Inode),
	}
	switch k {
	case sockets.TCP, sockets.MPTCP:
		rec.State = sockets.TCPStateName(s.State)
		sq, rq := sockets.Queues(s)
		rec.SendQ, rec.RecvQ = num(uint64(sq)), num(uint64(rq))
		d := sockets.TCPDetailOf(s, order)
		rec.Swind, rec.Rwind, rec.RTO, rec.MSS = numOf(d.Swind), numOf(d.Rwind), numOf(d.RTO), numOf(d.MSS)
		rec.Backlog = numOf(sockets.Backlog(s))
	default:
		rec.State = sockets.DgramStateName(s)
		if k == sockets.Raw {
			rec.IPProtocol = sockets.RawProtocol(s)
			rec.LocalPort, rec.RemotePort = 0, 0
		}
	}
	return rec
}

func sctpRecord(row *sockets.SCTPRow) SCTPRecord {
	rec := SCTPRecord{Family: familyName(row.Family()), LocalAddress: row.Local, LocalPort: row.LocalPort,
		RemoteAddress: row.Remote, RemotePort: row.RemotePort, State: row.StateName()}
	for _, a := range row.Locals {
		rec.LocalAddresses = append(rec.LocalAddresses, a.Addr)
	}
	for _, a := range row.Remotes {
		rec.RemoteAddresses = append(rec.RemoteAddresses, a.Addr)
	}
	if a := row.Assoc; a != nil {
		rec.SendQ, rec.RecvQ = num(uint64(a.TxQueue)), num(uint64(a.RxQueue))
		rec.InStreams, rec.OutStreams = num(uint64(a.InStreams)), num(uint64(a.OutStreams))
		rec.AssocID, rec.Inode = a.AssocID, a.Inode
	} else {
		rec.Inode = row.Endpoint.Inode
	}
	return rec
}
