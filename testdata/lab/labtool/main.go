// Command labtool does the few things the lab needs that socat cannot:
//
//	labtool ssm-join GROUP SOURCE IFADDR   join GROUP from SOURCE only, then wait
//	labtool hold N ADDR:PORT               open N TCP connections to ADDR:PORT, then wait
//	labtool serve ADDR:PORT                accept and hold connections until killed
//	labtool churn ADDR:PORT RATE SECONDS   open and close RATE connections a second
//
// It is a test helper: it runs until killed (or SECONDS pass for churn).
package main

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
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
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "labtool:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: labtool ssm-join GROUP SOURCE IFADDR | hold N ADDR:PORT | serve ADDR:PORT | churn ADDR:PORT RATE SECONDS")
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
	for len(conns) < n {
		c, err := net.Dial("tcp", args[1])
		if err != nil {
			return fmt.Errorf("after %d connections: %w", len(conns), err)
		}
		conns = append(conns, c)
	}
	fmt.Println("ready", len(conns))
	select {}
}

func serve(args []string) error {
	if len(args) != 1 {
		usage()
	}
	l, err := net.Listen("tcp", args[0])
	if err != nil {
		return err
	}
	var held []net.Conn
	for {
		c, err := l.Accept()
		if err != nil {
			return err
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
