package nlmsg

import (
	"errors"
	"fmt"
	"slices"

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
	return dumpRows(cfg, netlinkRoute, "RTM_GETLINK", LinkRequest(), newSink(value(ParseLink), nil))
}

// DumpAddrs dumps the addresses of family (AF_INET, AF_INET6, or 0 for
// both).
func DumpAddrs(cfg *netlink.Config, family uint8) ([]snapshots.Addr, DumpStats, error) {
	return dumpRows(cfg, netlinkRoute, fmt.Sprintf("RTM_GETADDR family %d", family), AddrRequest(family),
		newSink(only(family, value(ParseAddr)), nil))
}

// DumpRoutes dumps the routes of every table of family (AF_INET or
// AF_INET6), or with cloned its route exceptions. Replies of any other
// family (a kernel without the family's dump falls back to all of them) are
// skipped.
func DumpRoutes(cfg *netlink.Config, family uint8, cloned bool) ([]snapshots.Route, DumpStats, error) {
	return DumpRoutesAppend(cfg, family, cloned, nil)
}

// DumpRoutesAppend is DumpRoutes appending to dst. Rows are decoded into
// dst's spare capacity first, so a caller that sizes dst for the dump
// gets it without a copy; what does not fit is copied once.
func DumpRoutesAppend(cfg *netlink.Config, family uint8, cloned bool, dst []snapshots.Route) ([]snapshots.Route, DumpStats, error) {
	if family != snapshots.AFInet && family != snapshots.AFInet6 {
		return dst, DumpStats{}, fmt.Errorf("nlmsg: DumpRoutes: family %d (use DumpMFC for multicast)", family)
	}
	name := fmt.Sprintf("RTM_GETROUTE family %d", family)
	if cloned {
		name += " cloned"
	}
	return dumpRowsInto(cfg, netlinkRoute, name, RouteRequest(family, cloned), newSink(routeDecoder(family), nil), dst)
}

// routeDecoder decodes route replies of one family in place, with next hops
// from a shared slab.
func routeDecoder(family uint8) func(netlink.Message, *snapshots.Route) error {
	var slab hopSlab
	return func(m netlink.Message, r *snapshots.Route) error {
		if otherFamily(m, family) {
			return errSkip
		}
		if err := parseRoute(m, r, &slab); err != nil {
			return fmt.Errorf("nlmsg: RTM_NEWROUTE: %w", err)
		}
		return nil
	}
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
	return dumpRows(cfg, netlinkRoute, fmt.Sprintf("RTM_GETROUTE family %d", rtFamily), RouteRequest(rtFamily, false),
		newSink(only(rtFamily, value(ParseMFC)), nil))
}

// DumpRules dumps the policy rules of family (AF_INET, AF_INET6, FamilyIPMR,
// FamilyIP6MR).
func DumpRules(cfg *netlink.Config, family uint8) ([]snapshots.Rule, DumpStats, error) {
	return dumpRows(cfg, netlinkRoute, fmt.Sprintf("RTM_GETRULE family %d", family), RuleRequest(family),
		newSink(only(family, value(ParseRule)), nil))
}

// DumpNeighbours dumps the neighbour entries of family (0 for every table),
// or with proxy the proxy entries.
func DumpNeighbours(cfg *netlink.Config, family uint8, proxy bool) ([]snapshots.Neighbour, DumpStats, error) {
	name := fmt.Sprintf("RTM_GETNEIGH family %d", family)
	if proxy {
		name += " proxy"
	}
	return dumpRows(cfg, netlinkRoute, name, NeighRequest(family, proxy),
		newSink(only(family, value(ParseNeighbour)), nil))
}

// DumpInet dumps the sockets of family (AF_INET or AF_INET6) and protocol
// (snapshots.ProtoTCP …), keeping each socket cookie once; family 0 with
// TCP dumps both families in one request (TCPDiagRequest). A kernel without
// the protocol's diag module answers with an error matching ErrUnsupported.
func DumpInet(cfg *netlink.Config, family uint8, proto uint16) ([]snapshots.InetSocket, DumpStats, error) {
	return DumpInetAppend(cfg, family, proto, nil)
}

// DumpInetAppend is DumpInet appending to dst, copying the dump once.
func DumpInetAppend(cfg *netlink.Config, family uint8, proto uint16, dst []snapshots.InetSocket) ([]snapshots.InetSocket, DumpStats, error) {
	var req netlink.Message
	var err error
	if family == afUnspec && proto == snapshots.ProtoTCP {
		req = TCPDiagRequest()
	} else if req, err = InetDiagRequest(family, proto); err != nil {
		return dst, DumpStats{}, err
	}
	var slab sockSlab
	decode := func(m netlink.Message, s *snapshots.InetSocket) error {
		if err := parseInetSocket(m, proto, s, &slab); err != nil {
			return fmt.Errorf("nlmsg: inet_diag_msg: %w", err)
		}
		return nil
	}
	return dumpRowsInto(cfg, netlinkSockDiag, fmt.Sprintf("inet_diag family %d proto %d", family, proto), req,
		newSink(only(family, decode), func(s *snapshots.InetSocket) uint64 { return s.Cookie }), dst)
}

// DumpUnix dumps every AF_UNIX socket, keeping each cookie once.
func DumpUnix(cfg *netlink.Config) ([]snapshots.UnixSocket, DumpStats, error) {
	return dumpRows(cfg, netlinkSockDiag, "unix_diag", UnixDiagRequest(),
		newSink(value(ParseUnixSocket), func(s *snapshots.UnixSocket) uint64 { return s.Cookie }))
}

// DumpPacket dumps every AF_PACKET socket, keeping each cookie once.
func DumpPacket(cfg *netlink.Config) ([]snapshots.PacketSocket, DumpStats, error) {
	return dumpRows(cfg, netlinkSockDiag, "packet_diag", PacketDiagRequest(),
		newSink(value(ParsePacketSocket), func(s *snapshots.PacketSocket) uint64 { return s.Cookie }))
}

func dumpRows[T any](cfg *netlink.Config, proto int, name string, req netlink.Message, s *sink[T]) ([]T, DumpStats, error) {
	return dumpRowsInto(cfg, proto, name, req, s, nil)
}

// dumpRowsInto appends the rows of one dump to dst; on error dst is
// returned unchanged.
func dumpRowsInto[T any](cfg *netlink.Config, proto int, name string, req netlink.Message, s *sink[T], dst []T) ([]T, DumpStats, error) {
	s.spare = dst[len(dst):cap(dst)]
	st, err := run(cfg, proto, name, req, s.reset, s.add)
	if err != nil {
		// Rows decoded into the caller's spare capacity are not part of
		// the result: zero them, as the next dump into it expects.
		clear(s.spare[:s.dirty])
		return dst, st, err
	}
	start := len(dst)
	out := s.rowsInto(dst)
	if s.cookie != nil {
		var rows []T
		rows, st.Duplicates = dedupe(out[start:], s.cookie)
		out = out[:start+len(rows)]
	}
	return out, st, nil
}

// dedupe drops the rows whose cookie an earlier row has: a socket that
// moved between the kernel's hash tables while they were walked is seen
// twice, and its later row replaces the earlier one in place. Cookies are
// checked by sorting a copy: for 400k sockets that is a few tens of
// milliseconds and 3 MB, where a map of every cookie cost several times
// both. Only a dump that has duplicates (rare) builds the map.
func dedupe[T any](rows []T, cookie func(*T) uint64) ([]T, int) {
	keys := make([]uint64, 0, len(rows))
	for i := range rows {
		if c := cookie(&rows[i]); c != 0 {
			keys = append(keys, c)
		}
	}
	slices.Sort(keys)
	if len(slices.Compact(keys)) == len(keys) {
		return rows, 0
	}
	pos := map[uint64]int{}
	out, dups := rows[:0], 0
	for i := range rows {
		c := cookie(&rows[i])
		if j, seen := pos[c]; seen && c != 0 {
			out[j] = rows[i]
			dups++
			continue
		}
		if c != 0 {
			pos[c] = len(out)
		}
		out = append(out, rows[i])
	}
	clear(rows[len(out):]) // no references kept past the end
	return out, dups
}

// value adapts a ParseX function to decoding in place.
func value[T any](parse func(netlink.Message) (T, error)) func(netlink.Message, *T) error {
	return func(m netlink.Message, p *T) error {
		v, err := parse(m)
		*p = v
		return err
	}
}

// only skips replies of a family other than want (0: keep all).
func only[T any](want uint8, decode func(netlink.Message, *T) error) func(netlink.Message, *T) error {
	return func(m netlink.Message, p *T) error {
		if want != afUnspec && otherFamily(m, want) {
			return errSkip
		}
		return decode(m, p)
	}
}

// otherFamily reports whether a reply is of a family other than want, by
// the byte that starts every rtnetlink and sock_diag header. An empty reply
// is not skipped: it goes on to its decoder's length check.
func otherFamily(m netlink.Message, want uint8) bool {
	return len(m.Data) > 0 && m.Data[0] != want
}

// A sink collects the decoded rows of one dump attempt. Rows are decoded in
// place into fixed chunks and copied once at the end into a slice of exactly
// the dump's length: growing one slice instead would copy a million routes
// several times over and hold two large arrays at each growth. With a
// cookie function, a socket seen again in the same dump (it moved between
// the kernel's hash tables while they were walked) replaces its earlier row
// (see dedupe).
type sink[T any] struct {
	decode func(netlink.Message, *T) error
	cookie func(*T) uint64
	// spare is the unused capacity of the caller's slice: rows are decoded
	// into it first, so that a caller who sized its slice well gets the
	// dump without any copy. dirty counts its rows written so far.
	spare []T
	dirty int

	full [][]T // chunks filled up
	cur  []T   // the chunk being filled
	n    int
}

func newSink[T any](decode func(netlink.Message, *T) error, cookie func(*T) uint64) *sink[T] {
	return &sink[T]{decode: decode, cookie: cookie}
}

// Chunk sizes: small dumps stay in one small chunk; big ones use chunks of
// 64 Ki rows.
const (
	firstChunk = 64
	maxChunk   = 64 << 10
)

func (s *sink[T]) reset() {
	s.full, s.cur, s.n = nil, nil, 0
	if cap(s.spare) > 0 {
		// Only rows an interrupted attempt decoded need zeroing: the rest
		// is still as the caller allocated it.
		clear(s.spare[:s.dirty])
		s.dirty = 0
		s.cur = s.spare[:0:cap(s.spare)]
	}
}

func (s *sink[T]) add(m netlink.Message) error {
	if len(s.cur) == cap(s.cur) {
		size := firstChunk
		if s.cur != nil {
			s.full = append(s.full, s.cur)
			size = min(2*cap(s.cur), maxChunk)
		}
		s.cur = make([]T, 0, size)
	}
	// Chunks come zeroed from make and dropped rows are zeroed again, so the
	// next row is ready to decode into.
	s.cur = s.cur[:len(s.cur)+1]
	if len(s.full) == 0 && cap(s.spare) > 0 {
		s.dirty = max(s.dirty, len(s.cur))
	}
	p := &s.cur[len(s.cur)-1]
	if err := s.decode(m, p); err != nil {
		var zero T
		*p = zero
		s.cur = s.cur[:len(s.cur)-1]
		return err
	}
	s.n++
	return nil
}

// rowsInto appends the collected rows to dst, growing it once. Rows
// decoded into dst's spare capacity stay where they are; a single chunk
// and an empty dst are returned without copying.
func (s *sink[T]) rowsInto(dst []T) []T {
	chunks := append(s.full, s.cur)
	if cap(s.spare) > 0 {
		dst = dst[:len(dst)+len(chunks[0])] // decoded in place
		chunks = chunks[1:]
	} else if len(dst) == 0 && len(chunks) == 1 {
		return s.cur
	}
	n := 0
	for _, c := range chunks {
		n += len(c)
	}
	dst = slices.Grow(dst, n)
	for _, c := range chunks {
		dst = append(dst, c...)
	}
	return dst
}
