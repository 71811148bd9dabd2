package nlmsg

import (
	"errors"
	"fmt"

	"github.com/mdlayher/netlink"
	"github.com/netmortem/netmortem/snapshots"
)

// DumpStats says how a dump went, for the table's snapshots.Status.
type DumpStats struct {
	Messages    int    // replies decoded in the attempt that was kept
	Skipped     int    // replies of another family or request, ignored
	Duplicates  int    // sockets seen again with a cookie already kept
	Retries     uint32 // whole-dump restarts after NLM_F_DUMP_INTR
	Interrupted bool   // the kept attempt was interrupted too: the rows may be inconsistent
}

// MaxRetries bounds the restarts of a dump the kernel flagged as interrupted
// (NLM_F_DUMP_INTR: the table changed while it was being dumped). After the
// last one the rows are returned with DumpStats.Interrupted set.
const MaxRetries = 5

// ErrUnsupported matches (errors.Is) a DumpError whose errno says this
// kernel cannot answer the request at all: ENOENT or EOPNOTSUPP from a
// missing sock_diag module (raw_diag, sctp_diag, mptcp_diag), EAFNOSUPPORT
// or EPROTONOSUPPORT from a missing family. The caller falls back to /proc.
var ErrUnsupported = errors.New("not supported by this kernel")

// A DumpError is an error the kernel answered a dump request with, in an
// NLMSG_ERROR or in the NLMSG_DONE that ends a dump.
type DumpError struct {
	Request string // what was asked, e.g. "inet_diag AF_INET proto 255"
	Errno   int32  // positive errno
	Message string // the kernel's extended-ack text, if it sent one
	Err     error  // the errno as an error (a syscall.Errno on Linux)
}

func (e *DumpError) Error() string {
	s := fmt.Sprintf("nlmsg: %s: %v", e.Request, e.Err)
	if e.Message != "" {
		s += " (" + e.Message + ")"
	}
	return s
}

func (e *DumpError) Unwrap() error { return e.Err }

// Is reports whether the error means the request is unsupported here.
func (e *DumpError) Is(target error) bool {
	return target == ErrUnsupported && unsupportedErrno(e.Errno)
}

// Errno values that mean "this kernel has no handler for that".
const (
	errnoENOENT          = 2
	errnoEPROTONOSUPPORT = 93
	errnoEOPNOTSUPP      = 95
	errnoEAFNOSUPPORT    = 97
)

func unsupportedErrno(n int32) bool {
	switch n {
	case errnoENOENT, errnoEOPNOTSUPP, errnoEPROTONOSUPPORT, errnoEAFNOSUPPORT:
		return true
	}
	return false
}

// errSkip tells the collector a reply was not for this dump (another family)
// and was ignored.
var errSkip = errors.New("skip")

// A collector follows one attempt of a dump: it checks each reply's
// sequence, notes NLM_F_DUMP_INTR on any of them (the kernel may set it on
// NLMSG_DONE alone), turns NLMSG_ERROR and an errno in NLMSG_DONE into a
// DumpError, and hands data replies to each.
type collector struct {
	request string
	seq     uint32
	each    func(netlink.Message) error

	msgs, skipped int
	intr, done    bool
}

func (c *collector) message(m netlink.Message) error {
	if m.Header.Sequence != c.seq {
		// A late reply to an earlier request on this socket.
		c.skipped++
		return nil
	}
	if m.Header.Flags&netlink.DumpInterrupted != 0 {
		c.intr = true
	}
	switch m.Header.Type {
	case nlmsgDone:
		c.done = true
		return c.replyError(m, false)
	case nlmsgError:
		c.done = true
		return c.replyError(m, true)
	case 1: // NLMSG_NOOP
		return nil
	case 4: // NLMSG_OVERRUN
		return fmt.Errorf("nlmsg: %s: NLMSG_OVERRUN", c.request)
	}
	err := c.each(m)
	switch {
	case err == errSkip:
		c.skipped++
		return nil
	case err != nil:
		return err
	}
	c.msgs++
	return nil
}

// replyError decodes the errno of NLMSG_ERROR (struct nlmsgerr: errno, then
// the request's header, then extended-ack attributes) or of NLMSG_DONE
// (errno, then attributes; older kernels send no errno at all).
func (c *collector) replyError(m netlink.Message, isError bool) error {
	b := m.Data
	if len(b) < 4 {
		if isError {
			return fmt.Errorf("nlmsg: %s: NLMSG_ERROR of %d bytes", c.request, len(b))
		}
		return nil
	}
	code := -int32(native.Uint32(b))
	if code == 0 {
		return nil // an acknowledgement, or a clean end of dump
	}
	e := &DumpError{Request: c.request, Errno: code, Err: errnoError(code)}
	if m.Header.Flags&netlink.AcknowledgeTLVs == 0 {
		return e
	}
	off := 4
	if isError {
		// The echoed request: its header alone when capped, else whole.
		if len(b) < 4+sizeofNlmsghdr {
			return e
		}
		off = 4 + sizeofNlmsghdr
		if m.Header.Flags&netlink.Capped == 0 {
			off = 4 + align4(int(native.Uint32(b[4:])))
		}
	}
	if off > len(b) {
		return e
	}
	a := newAttrs(b[off:])
	for a.next() {
		if a.kind() == 1 { // NLMSGERR_ATTR_MSG
			e.Message = a.str()
		}
	}
	return e
}

// splitDatagram calls fn for each netlink message in one received datagram,
// checking every length. Message.Data aliases b.
func splitDatagram(b []byte, fn func(netlink.Message) error) error {
	for len(b) > 0 {
		if len(b) < sizeofNlmsghdr {
			return fmt.Errorf("nlmsg: %d trailing bytes in a datagram", len(b))
		}
		l := int(native.Uint32(b))
		if l < sizeofNlmsghdr || l > len(b) {
			return fmt.Errorf("nlmsg: message length %d with %d bytes left", l, len(b))
		}
		m := netlink.Message{
			Header: netlink.Header{
				Length:   uint32(l),
				Type:     netlink.HeaderType(native.Uint16(b[4:])),
				Flags:    netlink.HeaderFlags(native.Uint16(b[6:])),
				Sequence: native.Uint32(b[8:]),
				PID:      native.Uint32(b[12:]),
			},
			Data: b[sizeofNlmsghdr:l:l],
		}
		if err := fn(m); err != nil {
			return err
		}
		b = b[min(align4(l), len(b)):]
	}
	return nil
}

// dialConn opens a netlink socket; tests replace it with nltest.
var dialConn = dial

// run sends req and collects the replies, restarting the whole dump when the
// kernel flags it interrupted. reset is called before every attempt so the
// caller can drop the rows of the previous one.
func run(cfg *netlink.Config, proto int, name string, req netlink.Message,
	reset func(), each func(netlink.Message) error) (DumpStats, error) {
	var st DumpStats
	c, err := dialConn(proto, cfg)
	if err != nil {
		return st, fmt.Errorf("nlmsg: %s: %w", name, err)
	}
	defer c.Close()
	if proto == netlinkRoute {
		// Let the kernel check the request header and honour its filters.
		_ = c.SetOption(netlink.GetStrictCheck, true)
	}
	_ = c.SetOption(netlink.ExtendedAcknowledge, true)

	for attempt := 0; ; attempt++ {
		reset()
		sent, err := c.Send(req)
		if err != nil {
			return st, fmt.Errorf("nlmsg: %s: %w", name, err)
		}
		col := collector{request: name, seq: sent.Header.Sequence, each: each}
		if err := receive(c, &col, nil); err != nil {
			return st, err
		}
		st.Messages, st.Skipped = col.msgs, col.skipped
		if !col.intr {
			return st, nil
		}
		if attempt == MaxRetries {
			st.Interrupted = true
			return st, nil
		}
		st.Retries++
	}
}

// receiveIter drains a dump through Conn.ReceiveIter. It is the path for
// sockets without a file descriptor (nltest); netlink.Conn swallows
// NLMSG_DONE there, so an interruption flagged on NLMSG_DONE alone is not
// seen.
func receiveIter(c *netlink.Conn, col *collector) error {
	for m, err := range c.ReceiveIter() {
		if err != nil {
			var oe *netlink.OpError
			if errors.As(err, &oe) && oe.Op == "receive" {
				var code int32
				if n, ok := errnoOf(oe.Err); ok {
					code = int32(n)
				}
				if code != 0 {
					return &DumpError{Request: col.request, Errno: code, Message: oe.Message, Err: oe.Err}
				}
			}
			return fmt.Errorf("nlmsg: %s: %w", col.request, err)
		}
		if err := col.message(m); err != nil {
			return err
		}
		if col.done {
			return nil
		}
	}
	col.done = true
	return nil
}

// Dumps. Each opens a socket from cfg (nil for the caller's current network
// namespace, which is what a caller on a thread it moved with setns wants;
// or Config.NetNS), dumps, decodes every reply as it arrives, and closes the
// socket. On error the rows decoded so far are dropped.

// DumpLinks dumps every network device.
func DumpLinks(cfg *netlink.Config) ([]snapshots.Link, DumpStats, error) {
	var out []snapshots.Link
	st, err := run(cfg, netlinkRoute, "RTM_GETLINK", LinkRequest(),
		func() { out = out[:0] },
		func(m netlink.Message) error {
			l, err := ParseLink(m)
			if err != nil {
				return err
			}
			out = append(out, l)
			return nil
		})
	if err != nil {
		return nil, st, err
	}
	return out, st, nil
}

// DumpAddrs dumps the addresses of family (AF_INET, AF_INET6, or 0 for
// both).
func DumpAddrs(cfg *netlink.Config, family uint8) ([]snapshots.Addr, DumpStats, error) {
	var out []snapshots.Addr
	st, err := run(cfg, netlinkRoute, fmt.Sprintf("RTM_GETADDR family %d", family), AddrRequest(family),
		func() { out = out[:0] },
		func(m netlink.Message) error {
			if family != afUnspec && otherFamily(m, family) {
				return errSkip
			}
			a, err := ParseAddr(m)
			if err != nil {
				return err
			}
			out = append(out, a)
			return nil
		})
	if err != nil {
		return nil, st, err
	}
	return out, st, nil
}

// DumpRoutes dumps the routes of every table of family (AF_INET or
// AF_INET6), or with cloned its route exceptions. Replies of any other
// family (a kernel without the family's dump falls back to all of them) are
// skipped.
func DumpRoutes(cfg *netlink.Config, family uint8, cloned bool) ([]snapshots.Route, DumpStats, error) {
	if family != snapshots.AFInet && family != snapshots.AFInet6 {
		return nil, DumpStats{}, fmt.Errorf("nlmsg: DumpRoutes: family %d (use DumpMFC for multicast)", family)
	}
	var (
		out  []snapshots.Route
		slab hopSlab
	)
	name := fmt.Sprintf("RTM_GETROUTE family %d", family)
	if cloned {
		name += " cloned"
	}
	st, err := run(cfg, netlinkRoute, name, RouteRequest(family, cloned),
		func() { out = out[:0] },
		func(m netlink.Message) error {
			if otherFamily(m, family) {
				return errSkip
			}
			out = append(out, snapshots.Route{})
			if err := parseRoute(m, &out[len(out)-1], &slab); err != nil {
				out = out[:len(out)-1]
				return fmt.Errorf("nlmsg: RTM_NEWROUTE: %w", err)
			}
			return nil
		})
	if err != nil {
		return nil, st, err
	}
	return out, st, nil
}

// DumpMFC dumps the multicast forwarding cache of family AF_INET (IPMR) or
// AF_INET6 (IP6MR), every multicast routing table.
func DumpMFC(cfg *netlink.Config, family uint8) ([]snapshots.MFCEntry, DumpStats, error) {
	var rtFamily uint8
	switch family {
	case snapshots.AFInet:
		rtFamily = FamilyIPMR
	case snapshots.AFInet6:
		rtFamily = FamilyIP6MR
	default:
		return nil, DumpStats{}, fmt.Errorf("nlmsg: DumpMFC: family %d", family)
	}
	var out []snapshots.MFCEntry
	st, err := run(cfg, netlinkRoute, fmt.Sprintf("RTM_GETROUTE family %d", rtFamily), RouteRequest(rtFamily, false),
		func() { out = out[:0] },
		func(m netlink.Message) error {
			if otherFamily(m, rtFamily) {
				return errSkip
			}
			e, err := ParseMFC(m)
			if err != nil {
				return err
			}
			out = append(out, e)
			return nil
		})
	if err != nil {
		return nil, st, err
	}
	return out, st, nil
}

// DumpRules dumps the policy rules of family (AF_INET, AF_INET6, FamilyIPMR,
// FamilyIP6MR).
func DumpRules(cfg *netlink.Config, family uint8) ([]snapshots.Rule, DumpStats, error) {
	var out []snapshots.Rule
	st, err := run(cfg, netlinkRoute, fmt.Sprintf("RTM_GETRULE family %d", family), RuleRequest(family),
		func() { out = out[:0] },
		func(m netlink.Message) error {
			if family != afUnspec && otherFamily(m, family) {
				return errSkip
			}
			r, err := ParseRule(m)
			if err != nil {
				return err
			}
			out = append(out, r)
			return nil
		})
	if err != nil {
		return nil, st, err
	}
	return out, st, nil
}

// DumpNeighbours dumps the neighbour entries of family (0 for every table),
// or with proxy the proxy entries.
func DumpNeighbours(cfg *netlink.Config, family uint8, proxy bool) ([]snapshots.Neighbour, DumpStats, error) {
	var out []snapshots.Neighbour
	name := fmt.Sprintf("RTM_GETNEIGH family %d", family)
	if proxy {
		name += " proxy"
	}
	st, err := run(cfg, netlinkRoute, name, NeighRequest(family, proxy),
		func() { out = out[:0] },
		func(m netlink.Message) error {
			if family != afUnspec && otherFamily(m, family) {
				return errSkip
			}
			n, err := ParseNeighbour(m)
			if err != nil {
				return err
			}
			out = append(out, n)
			return nil
		})
	if err != nil {
		return nil, st, err
	}
	return out, st, nil
}

// DumpInet dumps the sockets of family (AF_INET or AF_INET6) and protocol
// (snapshots.ProtoTCP …), keeping each socket cookie once. A kernel without
// the protocol's diag module answers with an error matching ErrUnsupported.
func DumpInet(cfg *netlink.Config, family uint8, proto uint16) ([]snapshots.InetSocket, DumpStats, error) {
	req, err := InetDiagRequest(family, proto)
	if err != nil {
		return nil, DumpStats{}, err
	}
	var (
		out  []snapshots.InetSocket
		seen map[uint64]int
		dups int
	)
	st, err := run(cfg, netlinkSockDiag, fmt.Sprintf("inet_diag family %d proto %d", family, proto), req,
		func() { out, seen, dups = out[:0], map[uint64]int{}, 0 },
		func(m netlink.Message) error {
			if otherFamily(m, family) {
				return errSkip
			}
			s, err := ParseInetSocket(m, proto)
			if err != nil {
				return err
			}
			keep(&out, seen, &dups, s.Cookie, s)
			return nil
		})
	st.Duplicates = dups
	if err != nil {
		return nil, st, err
	}
	return out, st, nil
}

// DumpUnix dumps every AF_UNIX socket, keeping each cookie once.
func DumpUnix(cfg *netlink.Config) ([]snapshots.UnixSocket, DumpStats, error) {
	var (
		out  []snapshots.UnixSocket
		seen map[uint64]int
		dups int
	)
	st, err := run(cfg, netlinkSockDiag, "unix_diag", UnixDiagRequest(),
		func() { out, seen, dups = out[:0], map[uint64]int{}, 0 },
		func(m netlink.Message) error {
			s, err := ParseUnixSocket(m)
			if err != nil {
				return err
			}
			keep(&out, seen, &dups, s.Cookie, s)
			return nil
		})
	st.Duplicates = dups
	if err != nil {
		return nil, st, err
	}
	return out, st, nil
}

// DumpPacket dumps every AF_PACKET socket, keeping each cookie once.
func DumpPacket(cfg *netlink.Config) ([]snapshots.PacketSocket, DumpStats, error) {
	var (
		out  []snapshots.PacketSocket
		seen map[uint64]int
		dups int
	)
	st, err := run(cfg, netlinkSockDiag, "packet_diag", PacketDiagRequest(),
		func() { out, seen, dups = out[:0], map[uint64]int{}, 0 },
		func(m netlink.Message) error {
			s, err := ParsePacketSocket(m)
			if err != nil {
				return err
			}
			keep(&out, seen, &dups, s.Cookie, s)
			return nil
		})
	st.Duplicates = dups
	if err != nil {
		return nil, st, err
	}
	return out, st, nil
}

// keep appends s, or, when a socket with the same cookie was already seen
// in this dump (it moved between hash tables while the kernel walked them),
// replaces the earlier row with this later view of it.
func keep[T any](out *[]T, seen map[uint64]int, dups *int, cookie uint64, s T) {
	if cookie != 0 {
		if i, ok := seen[cookie]; ok {
			(*out)[i] = s
			*dups++
			return
		}
		seen[cookie] = len(*out)
	}
	*out = append(*out, s)
}

// otherFamily reports whether a reply is of a family other than want, by
// the byte that starts every rtnetlink and sock_diag header. An empty reply
// is not skipped: it goes on to its decoder's length check.
func otherFamily(m netlink.Message, want uint8) bool {
	return len(m.Data) > 0 && m.Data[0] != want
}
