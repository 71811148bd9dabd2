//go:build !linux

package nlmsg

import (
	"fmt"
	"runtime"

	"github.com/mdlayher/netlink"
)

func dial(proto int, cfg *netlink.Config) (*netlink.Conn, error) {
	return nil, fmt.Errorf("netlink dumps need Linux, not %s", runtime.GOOS)
}

func receive(c *netlink.Conn, col *collector, record func([]byte)) error {
	return receiveIter(c, col)
}

func errnoError(n int32) error { return fmt.Errorf("errno %d", n) }

func errnoOf(err error) (int, bool) { return 0, false }
