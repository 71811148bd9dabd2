//go:build linux

package nlmsg

import (
	"errors"
	"fmt"
	"syscall"
	"time"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

func dial(proto int, cfg *netlink.Config) (*netlink.Conn, error) {
	return netlink.Dial(proto, cfg)
}

func errnoError(n int32) error { return unix.Errno(n) }

func errnoOf(err error) (int, bool) {
	var e unix.Errno
	if errors.As(err, &e) {
		return int(e), true
	}
	return 0, false
}

// idleTimeout bounds the wait for the kernel's next datagram, so that a
// dump can never hang a capture.
const idleTimeout = 30 * time.Second

// receive drains one dump. It reads datagrams itself through the socket's
// file descriptor rather than through Conn.ReceiveIter, for two reasons:
// netlink.Conn drops NLMSG_DONE, where the kernel may put the only
// NLM_F_DUMP_INTR of a dump, and one reused buffer keeps a million-route
// dump from allocating per datagram. record, when set, sees every datagram
// (tests use it to save real dumps).
func receive(c *netlink.Conn, col *collector, record func([]byte)) error {
	rc, err := c.SyscallConn()
	if err != nil {
		return receiveIter(c, col) // a socket without a descriptor: nltest
	}
	buf := make([]byte, 64<<10)
	for !col.done {
		if err := c.SetReadDeadline(time.Now().Add(idleTimeout)); err != nil {
			return fmt.Errorf("nlmsg: %s: %w", col.request, err)
		}
		n, err := recvDatagram(rc, &buf)
		if err != nil {
			return fmt.Errorf("nlmsg: %s: receive: %w", col.request, err)
		}
		if record != nil {
			record(buf[:n])
		}
		if err := splitDatagram(buf[:n], col.message); err != nil {
			return err
		}
	}
	return nil
}

// recvDatagram peeks at the next datagram's size, grows buf to fit, and
// reads it.
func recvDatagram(rc syscall.RawConn, buf *[]byte) (int, error) {
	var (
		n    int
		rerr error
		peek = true
	)
	err := rc.Read(func(fd uintptr) bool {
		for {
			flags := unix.MSG_DONTWAIT
			if peek {
				flags |= unix.MSG_PEEK | unix.MSG_TRUNC
			}
			n, _, rerr = unix.Recvfrom(int(fd), *buf, flags)
			switch {
			case rerr == unix.EINTR:
				continue
			case rerr == unix.EAGAIN:
				return false
			case rerr != nil:
				return true
			case peek:
				if n > len(*buf) {
					*buf = make([]byte, align4(n))
				}
				peek = false
				continue
			}
			return true
		}
	})
	if err != nil {
		return 0, err
	}
	if rerr != nil {
		return 0, rerr
	}
	if n > len(*buf) {
		return 0, fmt.Errorf("datagram of %d bytes truncated to %d", n, len(*buf))
	}
	return n, nil
}
