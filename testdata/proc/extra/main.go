// Command extra adds to a running lab namespace the socket and multicast
// state the lab script does not create, so that the /proc fixtures under
// testdata/proc cover every row kind the procnet parsers decode:
//
//   - an EXCLUDE-mode IPv4 membership (IP_BLOCK_SOURCE) and, for IPv6, one
//     source-specific join and one EXCLUDE-mode membership (mcfilter6);
//   - UNIX sockets with an abstract name holding an embedded NUL and a
//     filesystem path holding a space;
//   - UDP-Lite v4/v6, raw v4 (ICMP) and raw v6 (OSPF) sockets, a packet
//     socket for ETH_P_ARP;
//   - a listener with TCP Fast Open enabled and two unaccepted children, one
//     holding 1000 unread bytes, the other's client stuck on a zero window;
//   - an IPv4-mapped IPv6 client with keepalive, to the same listener.
//
// Usage (inside the lab's namespace A, addresses as lab.sh sets them):
//
//	extra STATEDIR
//
// It prints "ready" once everything is in place and then holds its sockets
// until killed.
package main

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"os"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: extra STATEDIR")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "extra:", err)
		os.Exit(1)
	}
	fmt.Println("ready")
	select {}
}

func run(state string) error {
	a0, err := net.InterfaceByName("a0")
	if err != nil {
		return err
	}
	steps := []func() error{
		func() error { return excludeV4() },
		func() error { return ssmV6(a0.Index) },
		func() error { return excludeV6(a0.Index) },
		func() error { return unixSockets(state) },
		udplite,
		rawSockets,
		packetSocket,
		tcpQueues,
		mappedClient,
	}
	for _, s := range steps {
		if err := s(); err != nil {
			return err
		}
	}
	return nil
}

func socket(family, typ, proto int) (int, error) {
	fd, err := unix.Socket(family, typ, proto)
	if err != nil {
		return -1, fmt.Errorf("socket(%d, %d, %d): %w", family, typ, proto, err)
	}
	return fd, nil
}

// excludeV4 joins 239.3.3.3 on a0 and blocks source 10.1.0.5: mcfilter
// shows the source with EXC 1.
func excludeV4() error {
	fd, err := socket(unix.AF_INET, unix.SOCK_DGRAM, 0)
	if err != nil {
		return err
	}
	g, i, s := netip.MustParseAddr("239.3.3.3").As4(), netip.MustParseAddr("10.1.0.1").As4(), netip.MustParseAddr("10.1.0.5").As4()
	if err := unix.SetsockoptIPMreq(fd, unix.IPPROTO_IP, unix.IP_ADD_MEMBERSHIP, &unix.IPMreq{Multiaddr: g, Interface: i}); err != nil {
		return fmt.Errorf("IP_ADD_MEMBERSHIP: %w", err)
	}
	// struct ip_mreq_source: multiaddr, interface, sourceaddr.
	req := string(g[:]) + string(i[:]) + string(s[:])
	if err := unix.SetsockoptString(fd, unix.IPPROTO_IP, unix.IP_BLOCK_SOURCE, req); err != nil {
		return fmt.Errorf("IP_BLOCK_SOURCE: %w", err)
	}
	return nil
}

// sockaddrIn6 lays out a struct sockaddr_storage holding a sockaddr_in6.
func sockaddrIn6(a netip.Addr) []byte {
	b := make([]byte, 128)
	binary.NativeEndian.PutUint16(b[0:], unix.AF_INET6)
	a16 := a.As16()
	copy(b[8:24], a16[:])
	return b
}

// groupReq lays out struct group_req or group_source_req: a 32-bit
// interface index, padding to the 8-byte alignment of sockaddr_storage,
// then the addresses.
func groupReq(ifindex int, addrs ...netip.Addr) string {
	b := make([]byte, 8)
	binary.NativeEndian.PutUint32(b, uint32(ifindex))
	for _, a := range addrs {
		b = append(b, sockaddrIn6(a)...)
	}
	return string(b)
}

// ssmV6 joins ff3e::8888 from fd00:1::2 only.
func ssmV6(ifindex int) error {
	fd, err := socket(unix.AF_INET6, unix.SOCK_DGRAM, 0)
	if err != nil {
		return err
	}
	req := groupReq(ifindex, netip.MustParseAddr("ff3e::8888"), netip.MustParseAddr("fd00:1::2"))
	if err := unix.SetsockoptString(fd, unix.IPPROTO_IPV6, unix.MCAST_JOIN_SOURCE_GROUP, req); err != nil {
		return fmt.Errorf("MCAST_JOIN_SOURCE_GROUP: %w", err)
	}
	return nil
}

// excludeV6 joins ff15::abcd and blocks fd00:1::77.
func excludeV6(ifindex int) error {
	fd, err := socket(unix.AF_INET6, unix.SOCK_DGRAM, 0)
	if err != nil {
		return err
	}
	g := netip.MustParseAddr("ff15::abcd")
	if err := unix.SetsockoptString(fd, unix.IPPROTO_IPV6, unix.MCAST_JOIN_GROUP, groupReq(ifindex, g)); err != nil {
		return fmt.Errorf("MCAST_JOIN_GROUP: %w", err)
	}
	if err := unix.SetsockoptString(fd, unix.IPPROTO_IPV6, unix.MCAST_BLOCK_SOURCE, groupReq(ifindex, g, netip.MustParseAddr("fd00:1::77"))); err != nil {
		return fmt.Errorf("MCAST_BLOCK_SOURCE: %w", err)
	}
	return nil
}

func unixSockets(state string) error {
	fd, err := socket(unix.AF_UNIX, unix.SOCK_DGRAM, 0)
	if err != nil {
		return err
	}
	if err := unix.Bind(fd, &unix.SockaddrUnix{Name: "@nm\x00embedded"}); err != nil {
		return fmt.Errorf("bind abstract: %w", err)
	}
	fd, err = socket(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		return err
	}
	path := state + "/sock with space"
	os.Remove(path)
	if err := unix.Bind(fd, &unix.SockaddrUnix{Name: path}); err != nil {
		return fmt.Errorf("bind %s: %w", path, err)
	}
	return unix.Listen(fd, 4)
}

func udplite() error {
	fd, err := socket(unix.AF_INET, unix.SOCK_DGRAM, unix.IPPROTO_UDPLITE)
	if err != nil {
		return err
	}
	if err := unix.Bind(fd, &unix.SockaddrInet4{Port: 6000, Addr: [4]byte{10, 1, 0, 1}}); err != nil {
		return err
	}
	fd, err = socket(unix.AF_INET6, unix.SOCK_DGRAM, unix.IPPROTO_UDPLITE)
	if err != nil {
		return err
	}
	return unix.Bind(fd, &unix.SockaddrInet6{Port: 6001, Addr: netip.MustParseAddr("fd00:1::1").As16()})
}

func rawSockets() error {
	fd, err := socket(unix.AF_INET, unix.SOCK_RAW, unix.IPPROTO_ICMP)
	if err != nil {
		return err
	}
	if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{10, 1, 0, 1}}); err != nil {
		return err
	}
	fd, err = socket(unix.AF_INET6, unix.SOCK_RAW, 89)
	if err != nil {
		return err
	}
	return unix.Bind(fd, &unix.SockaddrInet6{Addr: netip.MustParseAddr("fd00:1::1").As16()})
}

func packetSocket() error {
	_, err := socket(unix.AF_PACKET, unix.SOCK_DGRAM, int(htons(unix.ETH_P_ARP)))
	return err
}

func htons(v uint16) uint16 {
	var b [2]byte
	binary.BigEndian.PutUint16(b[:], v)
	return *(*uint16)(unsafe.Pointer(&b[0]))
}

// tcpQueues listens on 10.1.0.1:7070 with Fast Open (queue 5) and never
// accepts. One client sends 1000 bytes; another writes until its send
// buffer is full, so that the unaccepted child's window closes and the
// client runs the zero-window probe timer.
func tcpQueues() error {
	lfd, err := socket(unix.AF_INET, unix.SOCK_STREAM, 0)
	if err != nil {
		return err
	}
	unix.SetsockoptInt(lfd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1)
	// A small receive buffer, inherited by the children, closes the window
	// sooner.
	unix.SetsockoptInt(lfd, unix.SOL_SOCKET, unix.SO_RCVBUF, 4096)
	if err := unix.SetsockoptInt(lfd, unix.IPPROTO_TCP, unix.TCP_FASTOPEN, 5); err != nil {
		return fmt.Errorf("TCP_FASTOPEN: %w", err)
	}
	addr := &unix.SockaddrInet4{Port: 7070, Addr: [4]byte{10, 1, 0, 1}}
	if err := unix.Bind(lfd, addr); err != nil {
		return err
	}
	if err := unix.Listen(lfd, 8); err != nil {
		return err
	}
	c1, err := socket(unix.AF_INET, unix.SOCK_STREAM, 0)
	if err != nil {
		return err
	}
	if err := unix.Connect(c1, addr); err != nil {
		return err
	}
	if _, err := unix.Write(c1, make([]byte, 1000)); err != nil {
		return err
	}
	c2, err := socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_NONBLOCK, 0)
	if err != nil {
		return err
	}
	if err := unix.Connect(c2, addr); err != nil && err != unix.EINPROGRESS {
		return err
	}
	time.Sleep(100 * time.Millisecond)
	buf := make([]byte, 65536)
	for i := 0; i < 1000; i++ {
		if _, err := unix.Write(c2, buf); err != nil {
			if err == unix.EAGAIN {
				return nil
			}
			return err
		}
	}
	return fmt.Errorf("zero-window client never blocked")
}

// mappedClient connects an AF_INET6 socket to the IPv4 listener of
// tcpQueues through its IPv4-mapped address, with keepalive on.
func mappedClient() error {
	fd, err := socket(unix.AF_INET6, unix.SOCK_STREAM, 0)
	if err != nil {
		return err
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_KEEPALIVE, 1); err != nil {
		return err
	}
	return unix.Connect(fd, &unix.SockaddrInet6{Port: 7070, Addr: netip.MustParseAddr("::ffff:10.1.0.1").As16()})
}
