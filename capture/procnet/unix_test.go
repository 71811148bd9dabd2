package procnet

import (
	"strings"
	"testing"

	"github.com/netmortem/netmortem/snapshots"
)

func TestUnix(t *testing.T) {
	socks, err := ParseUnix(fixture(t, "net/unix"))
	if err != nil {
		t.Fatal(err)
	}
	if len(socks) != 62 {
		t.Errorf("%d unix sockets, want 62", len(socks))
	}
	byInode := map[uint64]snapshots.UnixSocket{}
	for _, s := range socks {
		byInode[s.Inode] = s
	}
	want := []snapshots.UnixSocket{
		{Type: 1, State: tcpListen, Inode: 46322, Name: "/run/netmortem-lab/pn/unix.sock", Flags: 0x10000, RefCount: 2},
		// A path with a blank is the rest of the line.
		{Type: 1, State: tcpListen, Inode: 45534, Name: "/run/netmortem-lab/pn/sock with space", Flags: 0x10000, RefCount: 2},
		// Abstract names get their NUL back; the embedded NUL printed as
		// '@' cannot be recovered.
		{Type: 1, State: tcpListen, Inode: 45407, Name: "\x00netmortem-lab-pn", Flags: 0x10000, RefCount: 2},
		{Type: 2, State: tcpClose, Inode: 45533, Name: "\x00nm@embedded", RefCount: 2},
	}
	for _, w := range want {
		if d := cmpDiff(w, byInode[w.Inode]); d != "" {
			t.Errorf("inode %d (-want +got):\n%s", w.Inode, d)
		}
	}
	est := 0
	for _, s := range socks {
		if s.State == tcpEstablished {
			est++
		}
	}
	if est != 57 {
		t.Errorf("%d connected sockets, want 57", est)
	}
}

func TestUnixEdges(t *testing.T) {
	in := "Num       RefCount Protocol Flags    Type St Inode Path\n" +
		"0000000000000001: 00000002 00000000 00000000 0001 02 10\n" +
		"0000000000000002: 00000002 00000000 00000000 0001 04  11 /tmp/a\n" +
		"b c\n" +
		"0000000000000003: 00000002 00000000 00000000 0005 03 12 @\n"
	socks, err := ParseUnix(reader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []snapshots.UnixSocket{
		{Type: 1, State: tcpEstablished, Inode: 10, RefCount: 2}, // an embryo in an accept queue
		{Type: 1, State: tcpClose, Inode: 11, Name: "/tmp/a\nb c", RefCount: 2},
		{Type: 5, State: tcpEstablished, Inode: 12, Name: "\x00", RefCount: 2}, // an autobound empty abstract name
	}
	if d := cmpDiff(want, socks); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	// Many spilled lines cost linear time.
	long := "Num       RefCount Protocol Flags    Type St Inode Path\n01: 2 0 0 1 3 7 /a\n" + strings.Repeat("x\n", 200000)
	if s, err := ParseUnix(reader(long)); err != nil || len(s[0].Name) != 2+2*200000 {
		t.Errorf("spilled path: %v", err)
	}
	for _, bad := range []string{
		"Num RefCount Protocol Flags Type Inode Path\n",
		"Num       RefCount Protocol Flags    Type St Inode Path\nzz: 00000002 00000000 00000000 0001 03 12\n",
		"Num       RefCount Protocol Flags    Type St Inode Path\n01: 00000002 00000000 00000000 0001 09 12\n",
		"Num       RefCount Protocol Flags    Type St Inode Path\n01: 00000002 00000000 00000000 0001 03\n",
	} {
		if _, err := ParseUnix(reader(bad)); err == nil {
			t.Errorf("no error for %q", bad)
		}
	}
}

func TestPacket(t *testing.T) {
	socks, err := ParsePacket(fixture(t, "net/packet"))
	if err != nil {
		t.Fatal(err)
	}
	want := []snapshots.PacketSocket{
		// dhclient's ETH_P_ALL socket on a0.
		{Type: 3, Proto: 0x0003, IfIndex: 2, Running: true, Inode: 46355, RefCount: 3},
		// extra's unbound SOCK_DGRAM socket for ETH_P_ARP.
		{Type: 2, Proto: 0x0806, IfIndex: 0, Running: true, Inode: 45539, RefCount: 3},
	}
	if d := cmpDiff(want, socks); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if _, err := ParsePacket(reader(strings.Replace(string(readFixture(t, x86Dir, "net/packet")), "0806", "08G6", 1))); err == nil {
		t.Error("bad ethertype accepted")
	}
}
