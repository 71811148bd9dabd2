// Command labtool does the few things the lab needs that socat cannot:
//
//	labtool ssm-join GROUP SOURCE IFADDR   join GROUP from SOURCE only, then wait
//	labtool hold N ADDR:PORT               open N TCP connections to ADDR:PORT, then wait
//	labtool serve ADDR:PORT                accept and hold connections until killed
//	labtool churn ADDR:PORT RATE SECONDS   open and close RATE connections a second
//	labtool routes N4 N6 GW4 GW6 DEV       print `ip -batch` lines adding N4 IPv4 and
//	                                       N6 IPv6 routes shaped like a BGP table
//
// It is a test helper: it runs until killed (or SECONDS pass for churn).
package main

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "ssm-join":
		err = ssmJoin(os.Args[2:])
	case "hold":
		err = hold(os.Args[2:])
	case "serve":
		err = serve(os.Args[2:])
	case "churn":
		err = churn(os.Args[2:])
	case "routes":
		err = routes(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "labtool:", err)
		os.Exit(1)
	}
}

// held keeps the connections reachable: an unreachable net.Conn is closed
// by its finalizer at the next garbage collection.
var held []net.Conn

func usage() {
	fmt.Fprintln(os.Stderr, "usage: labtool ssm-join GROUP SOURCE IFADDR | hold N ADDR:PORT | serve ADDR:PORT | churn ADDR:PORT RATE SECONDS | routes V4 V6 GW4[@DEV],… GW6[@DEV],… DEV")
	os.Exit(2)
}

func ssmJoin(args []string) error {
	if len(args) != 3 {
		usage()
	}
	g, s, i := netip.MustParseAddr(args[0]), netip.MustParseAddr(args[1]), netip.MustParseAddr(args[2])
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM, 0)
	if err != nil {
		return err
	}
	// struct ip_mreq_source on Linux: multiaddr, interface, sourceaddr.
	ga, ia, sa := g.As4(), i.As4(), s.As4()
	req := string(ga[:]) + string(ia[:]) + string(sa[:])
	if err := unix.SetsockoptString(fd, unix.IPPROTO_IP, unix.IP_ADD_SOURCE_MEMBERSHIP, req); err != nil {
		return fmt.Errorf("IP_ADD_SOURCE_MEMBERSHIP: %w", err)
	}
	select {}
}

func hold(args []string) error {
	if len(args) != 2 {
		usage()
	}
	n, err := strconv.Atoi(args[0])
	if err != nil {
		return err
	}
	conns := make([]net.Conn, 0, n)
	retry := time.Now().Add(10 * time.Second) // the server may still be starting
	for len(conns) < n {
		// No keepalives: probes of hundreds of thousands of idle loopback
		// connections overflow the backlog and abort them.
		c, err := (&net.Dialer{KeepAlive: -1}).Dial("tcp", args[1])
		if err != nil {
			if time.Now().Before(retry) {
				time.Sleep(50 * time.Millisecond)
				continue
			}
			return fmt.Errorf("after %d connections: %w", len(conns), err)
		}
		conns = append(conns, c)
	}
	held = conns
	fmt.Println("ready", len(conns))
	select {}
}

func serve(args []string) error {
	if len(args) != 1 {
		usage()
	}
	l, err := (&net.ListenConfig{KeepAlive: -1}).Listen(context.Background(), "tcp", args[0])
	if err != nil {
		return err
	}
	for {
		c, err := l.Accept()
		if err != nil {
			// Out of descriptors: keep what is held, retry later.
			time.Sleep(100 * time.Millisecond)
			continue
		}
		held = append(held, c)
	}
}

func churn(args []string) error {
	if len(args) != 3 {
		usage()
	}
	rate, err1 := strconv.Atoi(args[1])
	secs, err2 := strconv.Atoi(args[2])
	if err1 != nil || err2 != nil || rate <= 0 || secs <= 0 {
		usage()
	}
	end := time.Now().Add(time.Duration(secs) * time.Second)
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	n := 0
	for time.Now().Before(end) {
		<-tick.C
		c, err := net.Dial("tcp", args[0])
		if err != nil {
			continue
		}
		c.Close()
		n++
	}
	fmt.Println("opened and closed", n)
	return nil
}

// routes prints route additions: /8–/24 IPv4 prefixes in ascending order
// via a few gateways, and /32–/64 IPv6 prefixes, as a full table has.
func routes(args []string) error {
	if len(args) != 5 {
		usage()
	}
	n4, err1 := strconv.Atoi(args[0])
	n6, err2 := strconv.Atoi(args[1])
	if err1 != nil || err2 != nil {
		usage()
	}
	// A gateway may name its device, GW@DEV; the others use DEV.
	gw4, gw6, dev := strings.Split(args[2], ","), strings.Split(args[3], ","), args[4]
	via := func(gws []string, i int) string {
		g, d, ok := strings.Cut(gws[i], "@")
		if !ok {
			d = dev
		}
		return g + " dev " + d
	}
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	defer w.Flush()
	r := rand.New(rand.NewPCG(1, 2))
	addr := uint32(1 << 24)
	seen := make(map[uint64]bool, n4)
	for i := 0; i < n4; {
		addr += 256 * uint32(1+r.IntN(3))
		if addr>>24 == 127 {
			addr = 128 << 24
		}
		if addr>>24 >= 224 {
			return fmt.Errorf("%d IPv4 routes do not fit the unicast space", n4)
		}
		bits := 24
		switch x := r.IntN(1000); {
		case x < 600:
		case x < 900:
			bits = 19 + x%5
		case x < 990:
			bits = 16 + x%3
		default:
			bits = 8 + x%8
		}
		p := addr &^ (1<<(32-bits) - 1)
		if seen[uint64(p)<<8|uint64(bits)] {
			continue
		}
		seen[uint64(p)<<8|uint64(bits)] = true
		i++
		fmt.Fprintf(w, "route add %d.%d.%d.%d/%d via %s proto bgp metric 20\n",
			byte(p>>24), byte(p>>16), byte(p>>8), byte(p), bits, via(gw4, r.IntN(len(gw4))))
	}
	for i := 0; i < n6; i++ {
		fmt.Fprintf(w, "route add 2%03x:%x:%x::/48 via %s proto bgp metric 20\n",
			1+i>>24&0xff, i>>12&0xfff, i&0xfff, via(gw6, r.IntN(len(gw6))))
	}
	return nil
}
