package sockets

import (
	"encoding/binary"
	"net/netip"
	"slices"
	"testing"

	"github.com/netmortem/netmortem/snapshots"
)

func ap(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }
func a(s string) netip.Addr      { return netip.MustParseAddr(s) }

// labInet are sockets of the lab's namespace A (testdata/lab/lab.sh) as
// inet_diag and /proc/net/raw reported them.
func labInet() []snapshots.InetSocket {
	return []snapshots.InetSocket{
		{Proto: 6, Family: 2, State: 10, Local: ap("10.1.0.1:8080"), Remote: ap("0.0.0.0:0"), Cookie: 273, SendQ: 5, Inode: 97893},
		{Proto: 6, Family: 2, State: 10, Local: ap("0.0.0.0:2222"), Remote: ap("0.0.0.0:0"), Cookie: 279, SendQ: 5, Inode: 97896},
		{Proto: 6, Family: 2, State: 8, Local: ap("10.1.0.1:40554"), Remote: ap("10.1.0.2:9000"), Cookie: 4218, RecvQ: 1, Inode: 98063},
		{Proto: 6, Family: 2, State: 6, Local: ap("10.1.0.1:51168"), Remote: ap("10.1.0.2:9001"), Cookie: 280, Timer: 3},
		{Proto: 6, Family: 2, State: 1, Local: ap("10.1.0.1:8080"), Remote: ap("10.1.0.2:60486"), Cookie: 275, Inode: 97974},
		{Proto: 17, Family: 2, State: 1, Local: ap("10.1.0.1:7778"), Remote: ap("10.1.0.2:7777"), Cookie: 281, Inode: 98494},
		{Proto: 17, Family: 2, State: 7, Local: ap("0.0.0.0:68"), Remote: ap("0.0.0.0:0"), Cookie: 282, Inode: 98611},
		{Proto: 6, Family: 10, State: 10, Local: ap("[fd00:1::1]:8443"), Remote: ap("[::]:0"), Cookie: 4210, SendQ: 5, Inode: 97899},
		{Proto: 6, Family: 10, State: 1, Local: ap("[fd00:1::1]:8443"), Remote: ap("[fd00:1::2]:49264"), Cookie: 4216, Inode: 98021},
		{Proto: 17, Family: 10, State: 7, Local: ap("[::]:5003"), Remote: ap("[::]:0"), Cookie: 285, Inode: 98309},
		{Proto: 255, RawProto: 2, Family: 2, State: 7, Local: ap("0.0.0.0:2"), Remote: ap("0.0.0.0:0"), Inode: 97865},
		{Proto: 255, RawProto: 58, Family: 10, State: 7, Local: ap("[::]:58"), Remote: ap("[::]:0"), Inode: 97866},
	}
}

func TestTCPStateNames(t *testing.T) {
	want := map[uint8]string{
		1: "ESTABLISHED", 2: "SYN_SENT", 3: "SYN_RCVD", 4: "FIN_WAIT_1", 5: "FIN_WAIT_2", 6: "TIME_WAIT",
		7: "CLOSED", 8: "CLOSE_WAIT", 9: "LAST_ACK", 10: "LISTEN", 11: "CLOSING", 12: "SYN_RCVD", 13: "BOUND",
		0: "UnknownState(0)", 14: "UnknownState(14)", 255: "UnknownState(255)",
	}
	for linux, name := range want {
		if got := TCPStateName(linux); got != name {
			t.Errorf("Linux state %d: %q, want %q", linux, got, name)
		}
	}
	// Every Solaris state prints its own name.
	for s := Closed; s <= TimeWait; s++ {
		if got := s.String(); got == "" || got[0] == 'U' {
			t.Errorf("Solaris state %d prints %q", s, got)
		}
	}
	if got := TCPState(9).String(); got != "UnknownState(9)" {
		t.Errorf("out of range state: %q", got)
	}
}

func TestVisible(t *testing.T) {
	hidden := []uint8{2, 3, 7, 10, 12, 13} // SYN_SENT, SYN_RECV, CLOSE, LISTEN, NEW_SYN_RECV, BOUND_INACTIVE
	shown := []uint8{1, 4, 5, 6, 8, 9, 11, 99}
	for _, proto := range []uint16{snapshots.ProtoTCP, snapshots.ProtoMPTCP} {
		for _, st := range hidden {
			s := &snapshots.InetSocket{Proto: proto, State: st}
			if Visible(s, false) {
				t.Errorf("proto %d state %d shown without -a", proto, st)
			}
			if !Visible(s, true) {
				t.Errorf("proto %d state %d hidden with -a", proto, st)
			}
		}
		for _, st := range shown {
			if !Visible(&snapshots.InetSocket{Proto: proto, State: st}, false) {
				t.Errorf("proto %d state %d hidden without -a", proto, st)
			}
		}
	}
	for _, proto := range []uint16{snapshots.ProtoUDP, snapshots.ProtoUDPLite, snapshots.ProtoRaw, snapshots.ProtoICMP} {
		idle := &snapshots.InetSocket{Proto: proto, State: 7, Local: ap("0.0.0.0:68")}
		conn := &snapshots.InetSocket{Proto: proto, State: 1, Local: ap("10.1.0.1:7778")}
		if Visible(idle, false) || !Visible(idle, true) {
			t.Errorf("proto %d: unconnected socket visibility wrong", proto)
		}
		if !Visible(conn, false) {
			t.Errorf("proto %d: connected socket hidden", proto)
		}
	}
}

func TestSelect(t *testing.T) {
	socks := labInet()
	var got []string
	for s := range Select(socks, TCP, snapshots.AFInet, false) {
		got = append(got, s.Local.String()+" "+TCPStateName(s.State))
	}
	want := []string{"10.1.0.1:40554 CLOSE_WAIT", "10.1.0.1:51168 TIME_WAIT", "10.1.0.1:8080 ESTABLISHED"}
	if !slices.Equal(got, want) {
		t.Errorf("TCP IPv4 without -a: %q, want %q", got, want)
	}
	n := 0
	for range Select(socks, TCP, snapshots.AFInet, true) {
		n++
	}
	if n != 5 {
		t.Errorf("TCP IPv4 with -a: %d rows, want 5", n)
	}
	if Any(socks, UDP, snapshots.AFInet6, false) {
		t.Error("an unconnected UDP IPv6 socket is shown without -a")
	}
	if !Any(socks, Raw, snapshots.AFInet6, true) || Any(socks, Raw, snapshots.AFInet6, false) {
		t.Error("raw IPv6 selection wrong")
	}
	// Stopping early stops the walk.
	for range Select(socks, TCP, snapshots.AFInet, true) {
		break
	}
}

func TestDgramState(t *testing.T) {
	cases := []struct {
		s    snapshots.InetSocket
		want string
	}{
		{snapshots.InetSocket{Proto: 17, State: 7, Local: ap("0.0.0.0:68")}, "Idle"},
		{snapshots.InetSocket{Proto: 17, State: 7, Local: ap("0.0.0.0:0")}, "Unbound"},
		{snapshots.InetSocket{Proto: 17, State: 1, Local: ap("10.1.0.1:7778")}, "Connected"},
		{snapshots.InetSocket{Proto: 17, State: 3}, "Unknown State(3)"},
		{snapshots.InetSocket{Proto: 255, RawProto: 255, State: 7, Local: ap("0.0.0.0:0")}, "Idle"},
	}
	for _, c := range cases {
		if got := DgramStateName(&c.s); got != c.want {
			t.Errorf("%+v: %q, want %q", c.s, got, c.want)
		}
	}
	if p := RawProtocol(&snapshots.InetSocket{Proto: 255, Local: ap("0.0.0.0:58")}); p != 58 {
		t.Errorf("raw protocol from the port: %d", p)
	}
	if p := RawProtocol(&snapshots.InetSocket{Proto: snapshots.ProtoICMP}); p != 1 {
		t.Errorf("raw protocol of an ICMP socket: %d", p)
	}
}

func tcpInfo(n int, order binary.ByteOrder, rto, mss, snd, rcv uint32) []byte {
	b := make([]byte, n)
	put := func(off int, v uint32) {
		if off+4 <= n {
			order.PutUint32(b[off:], v)
		}
	}
	put(8, rto)
	put(16, mss)
	put(228, snd)
	put(232, rcv)
	return b
}

func TestTCPDetail(t *testing.T) {
	est := func(info []byte) *snapshots.InetSocket {
		return &snapshots.InetSocket{Proto: 6, State: 1, TCPInfo: info}
	}
	le, be := binary.LittleEndian, binary.BigEndian
	d := TCPDetailOf(est(tcpInfo(280, le, 204000, 1348, 64512, 64704)), le)
	if d.Swind != known(64512) || d.Rwind != known(64704) || d.RTO != known(204) || d.MSS != known(1348) {
		t.Errorf("6.x tcp_info: %+v", d)
	}
	if d.Snext.Known || d.Suna.Known || d.Rnext.Known || d.Rack.Known {
		t.Errorf("sequence numbers known: %+v", d)
	}
	// A big-endian host's blob read with its byte order.
	d = TCPDetailOf(est(tcpInfo(280, be, 200000, 1448, 1, 2)), be)
	if d.Swind != known(1) || d.RTO != known(200) || d.MSS != known(1448) {
		t.Errorf("big-endian tcp_info: %+v", d)
	}
	// snd_wnd but no rcv_wnd.
	d = TCPDetailOf(est(tcpInfo(232, le, 204000, 1348, 7, 9)), le)
	if d.Swind != known(7) || d.Rwind.Known {
		t.Errorf("232-byte tcp_info: %+v", d)
	}
	// An old kernel: neither window.
	d = TCPDetailOf(est(tcpInfo(104, le, 204000, 1348, 7, 9)), le)
	if d.Swind.Known || d.Rwind.Known || !d.RTO.Known {
		t.Errorf("104-byte tcp_info: %+v", d)
	}
	// Too short to decode, /proc rto column used.
	s := est([]byte{1, 2, 3})
	s.RTO = 208
	if d = TCPDetailOf(s, le); d.RTO != known(208) || d.MSS.Known {
		t.Errorf("/proc socket: %+v", d)
	}
	// A listener's tcp_info carries only its backlog.
	l := est(tcpInfo(280, le, 0, 0, 0, 0))
	l.State = 10
	if d = TCPDetailOf(l, le); d.RTO.Known || d.Swind.Known || d.MSS.Known {
		t.Errorf("listener: %+v", d)
	}
}

func TestQueues(t *testing.T) {
	socks := labInet()
	lst := &socks[0]
	if sq, rq := Queues(lst); sq != 0 || rq != 0 {
		t.Errorf("listener queues %d %d, want 0 0", sq, rq)
	}
	if b := Backlog(lst); b != known(5) {
		t.Errorf("listener backlog %+v, want 5", b)
	}
	proc := *lst
	proc.Cookie = 0
	if b := Backlog(&proc); b.Known {
		t.Errorf("backlog of a /proc listener: %+v", b)
	}
	if sq, rq := Queues(&socks[2]); sq != 0 || rq != 1 {
		t.Errorf("CLOSE_WAIT queues %d %d, want 0 1", sq, rq)
	}
	if b := Backlog(&socks[2]); b.Known {
		t.Error("backlog of a connection")
	}
}

func TestSCTPRows(t *testing.T) {
	eps := []snapshots.SCTPEndpoint{
		{State: 10, Port: 2905, Inode: 1, Addrs: []netip.Addr{a("192.168.10.5"), a("192.168.10.6")}},
		{State: 1, Port: 36412, Inode: 2, Addrs: []netip.Addr{a("192.168.10.5")}},
		{State: 7, Port: 3868, Inode: 3, Addrs: []netip.Addr{a("2001:db8::5")}},
	}
	assocs := []snapshots.SCTPAssoc{
		{Family: 2, State: 3, Inode: 1, LocalPort: 2905, RemotePort: 40000,
			Locals:  []snapshots.SCTPAddr{{Addr: a("192.168.10.5")}},
			Remotes: []snapshots.SCTPAddr{{Addr: a("198.51.100.30")}, {Addr: a("198.51.100.31"), Primary: true}}},
		{Family: 2, State: 1, Inode: 2, LocalPort: 36412, RemotePort: 36412},
		{Family: 10, State: 7, Inode: 9, LocalPort: 3868, RemotePort: 3868},
		{Family: 2, State: 42, Inode: 10},
	}
	names := func(rows []SCTPRow) []string {
		var out []string
		for _, r := range rows {
			out = append(out, r.StateName())
		}
		return out
	}
	all := SCTPRows(eps, assocs, true)
	want := []string{"LISTEN", "ESTABLISHED", "COOKIE_WAIT", "CLOSED", "SHUTDOWN_ACK_SENT", "UNKNOWN STATE(42)"}
	if got := names(all); !slices.Equal(got, want) {
		t.Errorf("-a: %q, want %q", got, want)
	}
	want = []string{"LISTEN", "ESTABLISHED", "SHUTDOWN_ACK_SENT", "UNKNOWN STATE(42)"}
	if got := names(SCTPRows(eps, assocs, false)); !slices.Equal(got, want) {
		t.Errorf("without -a: %q, want %q", got, want)
	}
	if r := all[1]; r.Remote != a("198.51.100.31") || r.Local != a("192.168.10.5") {
		t.Errorf("primary addresses %v %v", r.Local, r.Remote)
	}
	if all[0].Remote.IsValid() || all[0].Local != a("192.168.10.5") || all[0].Family() != snapshots.AFInet {
		t.Errorf("listener row %+v", all[0])
	}
	if all[3].Family() != snapshots.AFInet6 {
		t.Errorf("IPv6 endpoint family %d", all[3].Family())
	}
}

func TestUnixRows(t *testing.T) {
	us := []snapshots.UnixSocket{
		{Type: 1, State: 10, Inode: 99583, Name: "/run/netmortem-lab/f4/unix.sock", VFSInode: 762151},
		{Type: 1, State: 1, Inode: 98025, Peer: 98024},
		{Type: 1, State: 1, Inode: 98542, Name: "/run/netmortem-lab/f4/unix.sock", Peer: 98537},
		{Type: 1, State: 1, Inode: 98024, Peer: 98025},
		{Type: 1, State: 1, Inode: 98537, Peer: 98542},
		{Type: 1, State: 10, Inode: 99626, Name: "\x00netmortem-lab-f4"},
		{Type: 2, State: 1, Inode: 5, Peer: 5},
		{Type: 2, State: 1, Inode: 6, Name: "bad\x7f\nname\x00x"},
		{Type: 2, State: 1, Inode: 7, Peer: 12345},
	}
	rows := UnixRows(us)
	type lr struct{ l, r string }
	want := []lr{
		{"/run/netmortem-lab/f4/unix.sock", ""},
		{"(socketpair)", "(socketpair)"},
		{"/run/netmortem-lab/f4/unix.sock", ""},
		{"(socketpair)", "(socketpair)"},
		{"", "/run/netmortem-lab/f4/unix.sock"},
		{"@netmortem-lab-f4", ""},
		{"", ""},
		{"bad??name@x", ""},
		{"", ""},
	}
	for i, r := range rows {
		if (lr{r.Local, r.Remote}) != want[i] {
			t.Errorf("row %d: %q %q, want %q %q", i, r.Local, r.Remote, want[i].l, want[i].r)
		}
	}
	if !rows[1].Socketpair || rows[6].Socketpair {
		t.Error("socketpair detection wrong (a socket that is its own peer is not a pair)")
	}
	for st, name := range map[uint8]string{10: "LISTEN", 1: "CONNECTED", 2: "CONNECTING", 7: "UNCONNECTED", 8: "CLOSE_WAIT"} {
		if got := UnixStateName(st); got != name {
			t.Errorf("UNIX state %d: %q, want %q", st, got, name)
		}
	}
	for ty, name := range map[uint8]string{1: "stream", 2: "dgram", 5: "seqpacket", 3: ""} {
		if got := UnixType(ty); got != name {
			t.Errorf("type %d: %q, want %q", ty, got, name)
		}
	}
}
