// Package procnet parses the text tables of /proc/net (and /proc/slabinfo)
// into snapshot model values.
//
// Every parser takes an io.Reader over the file's verbatim bytes, so that a
// live capture and a sosreport from another machine go through the same
// code. Files that print kernel integers with %08X take the byte order of
// the host that produced them (never the analyst's), and files with clock_t
// timers take that host's USER_HZ. Headers are checked by column name where
// the file has one, so a kernel format change fails loudly, and columns a
// newer kernel appends are skipped.
//
// Errors are *ParseError values that name the file, the line and the
// column, and quote the input:
//
//	tcp6 line 17, rem_address "0000000000000000FFFF0000:0050": not 32 hex digits
//
// The parsers never panic on malformed input and bound every line at
// MaxLine bytes.
//
// Files and parsers:
//
//	tcp tcp6 udp udp6 udplite udplite6 raw raw6   ParseInet (InetFile: TCP, TCP6 …)
//	unix, packet                                   ParseUnix, ParsePacket
//	sctp/eps, sctp/assocs, sctp/remaddr            ParseSCTPEndpoints, ParseSCTPAssocs,
//	                                               ParseSCTPRemaddr + AttachSCTPPaths
//	igmp, igmp6, mcfilter, mcfilter6               ParseIGMP, ParseIGMP6, ParseMcFilter(6)
//	                                               + AttachSources
//	dev_mcast                                      ParseDevMcast
//	ip_mr_vif, ip6_mr_vif, ip_mr_cache, ip6_mr_cache  ParseIPMrVif, ParseIP6MrVif,
//	                                               ParseIPMrCache, ParseIP6MrCache
//	snmp, netstat                                  ParseSNMP, ParseNetstat
//	snmp6, sctp/snmp, dev_snmp6/<if>               ParseNameValues
//	sockstat, sockstat6                            ParseSockstat
//	protocols, softnet_stat, dev                   ParseProtocols, ParseSoftnetStat, ParseDev
//	arp, route, ipv6_route, if_inet6, fib_trie     ParseARP, ParseRoute, ParseIPv6Route,
//	                                               ParseIfInet6, ParseFibTrie
//	/proc/slabinfo                                 ParseSlabinfo (NetSlab filter)
//
// netlink is not parsed: the model has no table for netlink sockets.
package procnet

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"net/netip"
	"strconv"
	"strings"
)

// MaxLine bounds the length of one line. No kernel table comes near it;
// longer input is rejected rather than buffered.
const MaxLine = 1 << 20

// ParseError reports malformed input.
type ParseError struct {
	File   string // "tcp6", "sctp/assocs" …
	Line   int    // 1-based; 0 when the error concerns the whole file
	Column string // header name of the offending column, if any
	Input  string // the offending text
	Msg    string
	Err    error // an underlying read error, if any
}

func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteString(" line ")
		b.WriteString(strconv.Itoa(e.Line))
	}
	if e.Column != "" {
		b.WriteString(", ")
		b.WriteString(e.Column)
	}
	if e.Column != "" || e.Input != "" {
		b.WriteByte(' ')
		b.WriteString(quote(e.Input))
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	if e.Err != nil {
		if e.Msg != "" {
			b.WriteString(": ")
		}
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *ParseError) Unwrap() error { return e.Err }

// quote quotes at most 80 bytes of s.
func quote(s string) string {
	const max = 80
	if len(s) > max {
		return strconv.Quote(s[:max]) + "…"
	}
	return strconv.Quote(s)
}

// errOrder and errTicks report missing capture parameters.
var (
	errOrder = errors.New("byte order of the captured host is required")
	errTicks = errors.New("clock ticks per second (USER_HZ) of the captured host must be positive")
)

// lines reads a file line by line without allocating per line.
type lines struct {
	br   *bufio.Reader
	file string
	n    int
	long []byte
	err  error
	done bool
}

func newLines(r io.Reader, file string) *lines {
	br, ok := r.(*bufio.Reader)
	if !ok || br.Size() < 64<<10 {
		br = bufio.NewReaderSize(r, 64<<10)
	}
	return &lines{br: br, file: file}
}

// next returns the next line without its newline. The slice is valid until
// the following call. It returns false at the end of input or on error;
// check l.err.
func (l *lines) next() ([]byte, bool) {
	if l.done || l.err != nil {
		return nil, false
	}
	b, err := l.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		l.long = append(l.long[:0], b...)
		for err == bufio.ErrBufferFull {
			b, err = l.br.ReadSlice('\n')
			if len(l.long)+len(b) > MaxLine {
				l.err = &ParseError{File: l.file, Line: l.n + 1, Msg: fmt.Sprintf("line longer than %d bytes", MaxLine)}
				return nil, false
			}
			l.long = append(l.long, b...)
		}
		b = l.long
	}
	switch err {
	case nil:
	case io.EOF:
		l.done = true
		if len(b) == 0 {
			return nil, false
		}
	default:
		l.err = &ParseError{File: l.file, Line: l.n + 1, Msg: "read", Err: err}
		return nil, false
	}
	l.n++
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
	}
	return b, true
}

// errorf returns a ParseError for the current line.
func (l *lines) errorf(column string, input []byte, format string, args ...any) error {
	return &ParseError{File: l.file, Line: l.n, Column: column, Input: string(input), Msg: fmt.Sprintf(format, args...)}
}

// lineError reports a problem with the whole current line.
func (l *lines) lineError(line []byte, format string, args ...any) error {
	return &ParseError{File: l.file, Line: l.n, Input: string(line), Msg: fmt.Sprintf(format, args...)}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' }

// fields splits b at runs of blanks and tabs into dst, reusing its storage.
func fields(dst [][]byte, b []byte) [][]byte {
	dst = dst[:0]
	i := 0
	for i < len(b) {
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		if i == len(b) {
			break
		}
		j := i
		for j < len(b) && !isSpace(b[j]) {
			j++
		}
		dst = append(dst, b[i:j])
		i = j
	}
	return dst
}

// fieldsN splits the first n fields of b into dst and returns the index just
// past the n-th field (len(b) when b has fewer fields).
func fieldsN(dst [][]byte, b []byte, n int) ([][]byte, int) {
	dst = dst[:0]
	i := 0
	for i < len(b) && len(dst) < n {
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		if i == len(b) {
			break
		}
		j := i
		for j < len(b) && !isSpace(b[j]) {
			j++
		}
		dst = append(dst, b[i:j])
		i = j
	}
	return dst, i
}

// unhex returns the value of a hex digit, or 0xff.
func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10
	}
	return 0xff
}

// hex64 parses 1 to 16 hex digits.
func hex64(b []byte) (uint64, bool) {
	if len(b) == 0 || len(b) > 16 {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		d := unhex(c)
		if d == 0xff {
			return 0, false
		}
		v = v<<4 | uint64(d)
	}
	return v, true
}

// hex32 parses 1 to 8 hex digits, allowing leading zeros beyond that.
func hex32(b []byte) (uint32, bool) {
	for len(b) > 8 && b[0] == '0' {
		b = b[1:]
	}
	if len(b) > 8 {
		return 0, false
	}
	v, ok := hex64(b)
	return uint32(v), ok
}

// hexPrefixed parses "0x" followed by hex digits, as printed by %#x or
// 0x%08x.
func hexPrefixed32(b []byte) (uint32, bool) {
	if len(b) < 3 || b[0] != '0' || (b[1] != 'x' && b[1] != 'X') {
		return 0, false
	}
	return hex32(b[2:])
}

// dec64 parses an unsigned decimal number.
func dec64(b []byte) (uint64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if v > (1<<64-1-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	return v, true
}

// dec32 parses an unsigned decimal number that fits 32 bits.
func dec32(b []byte) (uint32, bool) {
	v, ok := dec64(b)
	if !ok || v > 1<<32-1 {
		return 0, false
	}
	return uint32(v), true
}

// decInt64 parses a decimal number with an optional minus sign.
func decInt64(b []byte) (int64, bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	v, ok := dec64(b)
	if !ok {
		return 0, false
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true
	}
	if v > 1<<63-1 {
		return 0, false
	}
	return int64(v), true
}

// decInt32 parses a signed decimal number that fits 32 bits.
func decInt32(b []byte) (int32, bool) {
	v, ok := decInt64(b)
	if !ok || v < -1<<31 || v > 1<<31-1 {
		return 0, false
	}
	return int32(v), true
}

// value parses a counter as the kernel printed it: unsigned, or negative
// (then kept as the bits of an int64 and marked signed).
func value(b []byte) (v uint64, signed, ok bool) {
	if len(b) > 0 && b[0] == '-' {
		n, ok := decInt64(b)
		return uint64(n), true, ok
	}
	v, ok = dec64(b)
	return v, false, ok
}

// isBigEndian reports whether order reads the most significant byte
// first. The parsers turn the caller's order into this flag once, so that
// decoding an address makes no interface call (which would make its
// buffer escape).
func isBigEndian(order binary.ByteOrder) bool {
	b := [2]byte{0, 1}
	return order.Uint16(b[:]) == 1
}

// hostAddr4 decodes 8 hex digits printed with %08X from a __be32 held in
// memory: the digits are the host's reading of network-order bytes.
func hostAddr4(b []byte, big bool) (netip.Addr, bool) {
	if len(b) != 8 {
		return netip.Addr{}, false
	}
	v, ok := hex64(b)
	if !ok {
		return netip.Addr{}, false
	}
	return netAddr4(hostWord(uint32(v), big)), true
}

// hostWord turns a host's reading of four network-order bytes into their
// natural (big-endian) value.
func hostWord(v uint32, big bool) uint32 {
	if big {
		return v
	}
	return bits.ReverseBytes32(v)
}

// hostAddr6 decodes 32 hex digits printed as four %08X words of s6_addr32.
func hostAddr6(b []byte, big bool) (netip.Addr, bool) {
	if len(b) != 32 {
		return netip.Addr{}, false
	}
	var a [16]byte
	for i := 0; i < 4; i++ {
		v, ok := hex64(b[i*8 : i*8+8])
		if !ok {
			return netip.Addr{}, false
		}
		binary.BigEndian.PutUint32(a[i*4:], hostWord(uint32(v), big))
	}
	return netip.AddrFrom16(a), true
}

// netAddr4 decodes a natural-order 32-bit value (printed after ntohl).
func netAddr4(v uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// netAddr6 decodes 32 hex digits in network order (%pi6).
func netAddr6(b []byte) (netip.Addr, bool) {
	if len(b) != 32 {
		return netip.Addr{}, false
	}
	var a [16]byte
	for i := range a {
		hi, lo := unhex(b[2*i]), unhex(b[2*i+1])
		if hi == 0xff || lo == 0xff {
			return netip.Addr{}, false
		}
		a[i] = hi<<4 | lo
	}
	return netip.AddrFrom16(a), true
}

// textAddr parses a dotted or colon address (%pI4, %pI6).
func textAddr(b []byte) (netip.Addr, bool) {
	a, err := netip.ParseAddr(string(b))
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, false
	}
	return a, true
}

// columns maps header names to field positions.
type columns map[string]int

func headerColumns(fs [][]byte) columns {
	c := make(columns, len(fs))
	for i, f := range fs {
		if _, dup := c[string(f)]; !dup {
			c[string(f)] = i
		}
	}
	return c
}

// require returns the positions of names, or an error naming the first
// one the header lacks.
func (c columns) require(l *lines, header []byte, names ...string) ([]int, error) {
	pos := make([]int, len(names))
	for i, n := range names {
		p, ok := c[n]
		if !ok {
			return nil, l.lineError(header, "header lacks column %q", n)
		}
		pos[i] = p
	}
	return pos, nil
}

// clockToMs converts clock ticks to milliseconds, saturating at 32 bits.
func clockToMs(v uint64, ticks uint32) uint32 {
	if v > (1<<64-1)/1000 {
		return 1<<32 - 1
	}
	ms := v * 1000 / uint64(ticks)
	if ms > 1<<32-1 {
		return 1<<32 - 1
	}
	return uint32(ms)
}

// sat32 saturates v at 32 bits.
func sat32(v uint64) uint32 {
	if v > 1<<32-1 {
		return 1<<32 - 1
	}
	return uint32(v)
}

// table collects the rows of a file in blocks and copies them once into
// an exact-size slice, so that a table of 200k sockets or 1M routes is not
// copied again at every growth of one slice.
type table[T any] struct {
	full [][]T
	cur  []T
	n    int
}

func (t *table[T]) push(v T) {
	if len(t.cur) == cap(t.cur) {
		size := 16
		if t.cur != nil {
			t.full = append(t.full, t.cur)
			size = min(2*cap(t.cur), 4096)
		}
		t.cur = make([]T, 0, size)
	}
	t.cur = append(t.cur, v)
	t.n++
}

// reserve makes room for n rows in one block when nothing is collected
// yet.
func (t *table[T]) reserve(n int) {
	if t.n == 0 && n > cap(t.cur) {
		t.cur = make([]T, 0, n)
	}
}

// rowHint estimates the rows of a file that r holds in memory (a
// bytes.Reader or strings.Reader): its line count, bounded by its length
// divided by minRow, the shortest row a kernel prints, so that a file of
// blank lines cannot make the parser reserve much more than the input's
// size. It returns 0 for other readers.
func rowHint(r io.Reader, minRow int) int {
	type inMemory interface {
		io.ReaderAt
		Len() int
		Size() int64
	}
	m, ok := r.(inMemory)
	if !ok || m.Len() == 0 {
		return 0
	}
	var buf [32 << 10]byte
	lines := 0
	for off, end := m.Size()-int64(m.Len()), m.Size(); off < end; {
		n, err := m.ReadAt(buf[:min(int64(len(buf)), end-off)], off)
		lines += bytes.Count(buf[:n], []byte{'\n'})
		off += int64(n)
		if err != nil || n == 0 {
			break
		}
	}
	return min(lines+1, m.Len()/minRow+1)
}

// last returns the most recent row, or nil.
func (t *table[T]) last() *T {
	if len(t.cur) == 0 {
		return nil
	}
	return &t.cur[len(t.cur)-1]
}

// result returns the rows, or nil and err when err is set.
func (t *table[T]) result(err error) ([]T, error) {
	if err != nil {
		return nil, err
	}
	return t.rows(), nil
}

// rows returns the collected rows, nil when there are none.
func (t *table[T]) rows() []T {
	if t.n == 0 {
		return nil
	}
	if len(t.full) == 0 {
		return t.cur
	}
	out := make([]T, 0, t.n)
	for _, b := range t.full {
		out = append(out, b...)
	}
	return append(out, t.cur...)
}
