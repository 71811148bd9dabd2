package procnet

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/netmortem/netmortem/snapshots"
)

func parseInetFixture(t *testing.T, dir string, f InetFile) []snapshots.InetSocket {
	t.Helper()
	order := le
	if dir == s390Dir {
		order = be
	}
	s, err := ParseInet(bytes.NewReader(readFixture(t, dir, "net/"+f.Name)), f, order, labTicks)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// find returns the one socket with the given endpoints.
func findSocket(t *testing.T, socks []snapshots.InetSocket, local, remote string) snapshots.InetSocket {
	t.Helper()
	var found []snapshots.InetSocket
	for _, s := range socks {
		if s.Local == mustAP(local) && s.Remote == mustAP(remote) {
			found = append(found, s)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d sockets %s -> %s, want 1", len(found), local, remote)
	}
	return found[0]
}

func TestTCP(t *testing.T) {
	for _, dir := range []string{x86Dir, s390Dir} {
		socks := parseInetFixture(t, dir, TCP)
		if len(socks) != 13 {
			t.Errorf("%s: %d tcp sockets, want 13", dir, len(socks))
		}
		for _, s := range socks {
			if s.Proto != snapshots.ProtoTCP || s.Family != snapshots.AFInet {
				t.Errorf("%v: proto %d family %d", s.Local, s.Proto, s.Family)
			}
		}
		// The lab's listener on 10.1.0.1:8080.
		l := findSocket(t, socks, "10.1.0.1:8080", "0.0.0.0:0")
		if l.State != 0x0a || l.Inode != 44994 || l.RefCount != 1 || l.RTO != 1000 || l.Cwnd != 10 {
			t.Errorf("listener 8080: %+v", l)
		}
		// The Fast Open listener: its last column (5) is the Fast Open
		// queue, not ssthresh; three children wait in its accept queue.
		fo := findSocket(t, socks, "10.1.0.1:7070", "0.0.0.0:0")
		if fo.State != 0x0a || fo.RecvQ != 3 || fo.Ssthresh != 0 || fo.RefCount != 4 {
			t.Errorf("fast open listener: state %x recvq %d ssthresh %d ref %d", fo.State, fo.RecvQ, fo.Ssthresh, fo.RefCount)
		}
		// TIME_WAIT rows carry only refcount and pointer after inode.
		tw := findSocket(t, socks, "10.1.0.1:42526", "10.1.0.2:9001")
		want := snapshots.InetSocket{Proto: snapshots.ProtoTCP, Family: snapshots.AFInet, State: 6,
			Local: mustAP("10.1.0.1:42526"), Remote: mustAP("10.1.0.2:9001"), Timer: 3, Expires: 0x1457 * 10, RefCount: 3}
		if d := cmpDiff(want, tw); d != "" {
			t.Errorf("TIME_WAIT (-want +got):\n%s", d)
		}
		// The SYN_RECV request from 10.2.0.3, whose SYN-ACK went nowhere.
		sr := findSocket(t, socks, "10.2.0.1:2222", "10.2.0.3:45683")
		if sr.State != 3 || sr.Timer != 1 || sr.Expires != 1800 || sr.Retrans != 1 || sr.Inode != 0 || sr.Cwnd != 0 {
			t.Errorf("SYN_RECV: %+v", sr)
		}
		// CLOSE_WAIT with one unread byte (the peer's FIN), in slow start.
		cw := findSocket(t, socks, "10.1.0.1:57314", "10.1.0.2:9000")
		if cw.State != 8 || cw.RecvQ != 1 || cw.RTO != 200 || cw.ATO != 40 || cw.Ssthresh != -1 || cw.Inode != 46281 {
			t.Errorf("CLOSE_WAIT: %+v", cw)
		}
		// The client stuck on a zero window runs the probe timer (4).
		zw := findSocket(t, socks, "10.1.0.1:43688", "10.1.0.1:7070")
		if zw.SendQ != 0x2ac800 || zw.Timer != 4 || zw.Expires != 3160 || zw.Cwnd != 12 || zw.RefCount != 2 {
			t.Errorf("zero window: %+v", zw)
		}
		// The unaccepted child holding 1000 unread bytes, in quickack mode.
		ch := findSocket(t, socks, "10.1.0.1:7070", "10.1.0.1:43674")
		if ch.RecvQ != 1000 || ch.Inode != 0 || ch.QuickAck != 2 || ch.ATO != 40 {
			t.Errorf("child with data: %+v", ch)
		}
	}
}

func TestTCP6(t *testing.T) {
	socks := parseInetFixture(t, x86Dir, TCP6)
	if len(socks) != 3 {
		t.Fatalf("%d tcp6 sockets, want 3", len(socks))
	}
	l := findSocket(t, socks, "[fd00:1::1]:8443", "[::]:0")
	if l.State != 0x0a || l.Inode != 45318 || l.Family != snapshots.AFInet6 {
		t.Errorf("listener: %+v", l)
	}
	findSocket(t, socks, "[fd00:1::1]:8443", "[fd00:1::2]:56146")
	// An AF_INET6 client of an IPv4 listener: mapped addresses, keepalive.
	m := findSocket(t, socks, "[::ffff:10.1.0.1]:43704", "[::ffff:10.1.0.1]:7070")
	if m.Timer != 2 || m.Expires != 0xafb28*10 {
		t.Errorf("keepalive: timer %d expires %d", m.Timer, m.Expires)
	}
	if d := cmpDiff(socks, parseInetFixture(t, s390Dir, TCP6)); d != "" {
		t.Errorf("s390x differs:\n%s", d)
	}
}

func TestUDPRaw(t *testing.T) {
	udp := parseInetFixture(t, x86Dir, UDP)
	c := findSocket(t, udp, "10.1.0.1:7778", "10.1.0.2:7777")
	if c.State != 1 || c.Proto != snapshots.ProtoUDP || c.Inode != 46329 || c.RefCount != 2 || c.Drops != 0 {
		t.Errorf("connected udp: %+v", c)
	}
	if u := findSocket(t, udp, "10.1.0.1:5353", "0.0.0.0:0"); u.State != 7 {
		t.Errorf("unconnected udp state %d", u.State)
	}
	lite := parseInetFixture(t, x86Dir, UDPLite6)
	if s := findSocket(t, lite, "[fd00:1::1]:6001", "[::]:0"); s.Proto != snapshots.ProtoUDPLite || s.Family != snapshots.AFInet6 {
		t.Errorf("udplite6: %+v", s)
	}
	raw := parseInetFixture(t, x86Dir, Raw)
	icmp := findSocket(t, raw, "10.1.0.1:1", "0.0.0.0:0")
	if icmp.RawProto != 1 || icmp.Proto != snapshots.ProtoRaw || icmp.RecvQ != 0x340 {
		t.Errorf("raw icmp: %+v", icmp)
	}
	if igmp := findSocket(t, raw, "0.0.0.0:2", "0.0.0.0:0"); igmp.RawProto != 2 || igmp.RefCount != 3 {
		t.Errorf("raw igmp (smcroute): %+v", igmp)
	}
	raw6 := parseInetFixture(t, x86Dir, Raw6)
	if ospf := findSocket(t, raw6, "[fd00:1::1]:89", "[::]:0"); ospf.RawProto != 89 {
		t.Errorf("raw6 ospf: %+v", ospf)
	}
}

func TestInetHeaderTolerance(t *testing.T) {
	// A newer kernel labelling the TCP extras and appending a column.
	in := "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer rto ato quickack cwnd ssthresh newcol\n" +
		"   0: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 100 1 0000000000000000 100 0 0 10 0 77\n" +
		"   1: 0100007F:0016 0200007F:C000 01 00000010:00000020 01:00000032 00000002  1000        3 101 2 0000000000000000 30 4 3 7 12 77\n"
	socks, err := ParseInet(reader(in), TCP, le, 100)
	if err != nil {
		t.Fatal(err)
	}
	want := snapshots.InetSocket{Proto: snapshots.ProtoTCP, Family: snapshots.AFInet, State: 1,
		Local: mustAP("127.0.0.1:22"), Remote: mustAP("127.0.0.2:49152"), SendQ: 16, RecvQ: 32,
		Timer: 1, Expires: 500, Retrans: 2, UID: 1000, Probes: 3, Inode: 101, RefCount: 2,
		RTO: 300, ATO: 40, QuickAck: 3, Cwnd: 7, Ssthresh: 12}
	if d := cmpDiff(want, socks[1]); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	// An old kernel printed a timer that already fired as a negative long,
	// and ssthresh as a plain u32 (TCP_INFINITE_SSTHRESH).
	old := "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n" +
		"   0: 0100007F:0016 0200007F:C000 01 00000000:00000000 02:FFFFFFFFFFFFFFF0 00000000     0        0 101 2 ffff88003d3af000 30 4 3 7 2147483647\n"
	if s, err := ParseInet(reader(old), TCP, le, 100); err != nil || s[0].Expires != 0 || s[0].Timer != 2 || s[0].Ssthresh != 1<<31-1 {
		t.Errorf("old kernel row: %+v %v", s, err)
	}
	// USER_HZ 250: 50 ticks are 200 ms.
	socks, _ = ParseInet(reader(in), TCP, le, 250)
	if socks[1].Expires != 200 {
		t.Errorf("expires at 250 Hz = %d ms", socks[1].Expires)
	}
}

func TestInetErrors(t *testing.T) {
	head6 := "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
	row6 := "   0: 00000000000000000000000000000000:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0\n"
	bad := strings.Replace(row6, "00000000000000000000000000000000:0000", "0000000000000000FFFF0000:0050", 1)
	_, err := ParseInet(reader(head6+row6+bad), TCP6, le, 100)
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line != 3 || pe.Column != "rem_address" {
		t.Fatalf("err = %v", err)
	}
	if want := `tcp6 line 3, rem_address "0000000000000000FFFF0000:0050": not 32 hex digits`; err.Error() != want {
		t.Errorf("err = %q\nwant  %q", err, want)
	}
	cases := map[string]string{
		"missing column": "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout\n",
		"short row":      head6 + "   0: 00000000000000000000000000000000:0016\n",
		"bad state":      head6 + strings.Replace(row6, " 0A ", " ZZ ", 1),
		"bad port":       head6 + strings.Replace(row6, ":0016", ":10016", 1),
		"v4 in v6 file":  head6 + "   0: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1\n",
		"not a header":   "garbage\n",
	}
	for name, in := range cases {
		if _, err := ParseInet(reader(in), TCP6, le, 100); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := ParseInet(reader(head6), TCP6, nil, 100); err == nil {
		t.Error("nil byte order accepted")
	}
	if _, err := ParseInet(reader(head6), TCP6, le, 0); err == nil {
		t.Error("zero ticks accepted")
	}
	if s, err := ParseInet(reader(""), TCP, le, 100); err != nil || s != nil {
		t.Errorf("empty file: %v %v", s, err)
	}
}
