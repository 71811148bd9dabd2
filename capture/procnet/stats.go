package procnet

import (
	"bytes"
	"io"
	"strings"

	"github.com/netmortem/netmortem/snapshots"
)

// ParseProtocols parses /proc/net/protocols. The fixed columns are found
// by header name; the method columns that follow (cl co di … , whose set
// changes between kernels) are kept in Methods as "name=flag" pairs joined
// by blanks, e.g. "cl=y co=y di=n", so that each flag keeps its name.
func ParseProtocols(r io.Reader) ([]snapshots.ProtocolRow, error) {
	const file = "protocols"
	l := newLines(r, file)
	header, ok := l.next()
	if !ok {
		return nil, l.err
	}
	hs := fields(nil, header)
	fixed := []string{"protocol", "size", "sockets", "memory", "press", "maxhdr", "slab", "module"}
	if len(hs) < len(fixed) {
		return nil, l.lineError(header, "not a protocols header")
	}
	for i, w := range fixed {
		if string(hs[i]) != w {
			return nil, l.lineError(header, "header column %d is %q, want %q", i+1, hs[i], w)
		}
	}
	methods := hs[len(fixed):]
	var out []snapshots.ProtocolRow
	var fs [][]byte
	var sb strings.Builder
	for {
		line, ok := l.next()
		if !ok {
			break
		}
		fs = fields(fs, line)
		if len(fs) == 0 {
			continue
		}
		if len(fs) != len(hs) {
			return nil, l.lineError(line, "%d fields, want %d", len(fs), len(hs))
		}
		p := snapshots.ProtocolRow{Name: string(fs[0]), Pressure: string(fs[4]), Module: string(fs[7])}
		if p.Size, ok = dec32(fs[1]); !ok {
			return nil, l.errorf("size", fs[1], "not decimal")
		}
		if p.Sockets, ok = decInt64(fs[2]); !ok {
			return nil, l.errorf("sockets", fs[2], "not decimal")
		}
		if p.Memory, ok = decInt64(fs[3]); !ok {
			return nil, l.errorf("memory", fs[3], "not decimal")
		}
		if p.MaxHdr, ok = dec32(fs[5]); !ok {
			return nil, l.errorf("maxhdr", fs[5], "not decimal")
		}
		switch string(fs[6]) {
		case "yes":
			p.Slab = true
		case "no":
		default:
			return nil, l.errorf("slab", fs[6], "not yes or no")
		}
		sb.Reset()
		for i, m := range methods {
			if i > 0 {
				sb.WriteByte(' ')
			}
			sb.Write(m)
			sb.WriteByte('=')
			sb.Write(fs[len(fixed)+i])
		}
		p.Methods = sb.String()
		out = append(out, p)
	}
	return out, l.err
}

// ParseSoftnetStat parses /proc/net/softnet_stat: one line per online CPU
// of hex columns, as many as the kernel prints (11 to 15 so far), all kept
// in Values. CPU is column 13 when the line has it, else the line number
// (old kernels skip offline CPUs, so the two can differ).
func ParseSoftnetStat(r io.Reader) ([]snapshots.SoftnetCPU, error) {
	const file = "softnet_stat"
	l := newLines(r, file)
	var out []snapshots.SoftnetCPU
	var fs [][]byte
	for n := 0; ; n++ {
		line, ok := l.next()
		if !ok {
			break
		}
		fs = fields(fs, line)
		if len(fs) == 0 {
			continue
		}
		c := snapshots.SoftnetCPU{CPU: int32(n), Values: make([]uint32, len(fs))}
		for i, f := range fs {
			if c.Values[i], ok = hex32(f); !ok {
				return nil, l.errorf("", f, "column %d not hex", i+1)
			}
		}
		if len(c.Values) >= 13 {
			c.CPU = int32(c.Values[12])
		}
		out = append(out, c)
	}
	return out, l.err
}

// DevStats is one interface row of /proc/net/dev.
type DevStats struct {
	Name  string
	Stats snapshots.LinkStats
}

// ParseDev parses /proc/net/dev. Columns are found by the names of the
// second header line, per direction. Several columns are kernel sums, kept
// in the field of their first term: RxDropped is rx_dropped +
// rx_missed_errors, RxFrameErrors is length + over + crc + frame errors,
// TxCarrierErrors is carrier + aborted + window + heartbeat errors.
// Columns this parser does not know go to Stats.Extra in file order.
func ParseDev(r io.Reader) ([]DevStats, error) {
	const file = "dev"
	l := newLines(r, file)
	if _, ok := l.next(); !ok {
		return nil, l.err
	}
	h2, ok := l.next()
	if !ok {
		if l.err != nil {
			return nil, l.err
		}
		return nil, &ParseError{File: file, Line: 1, Msg: "second header line missing"}
	}
	parts := bytes.Split(h2, []byte("|"))
	if len(parts) != 3 || string(bytes.TrimSpace(parts[0])) != "face" {
		return nil, l.lineError(h2, "not a dev header (\"face |receive|transmit\")")
	}
	rxNames := map[string]int{"bytes": 0, "packets": 1, "errs": 2, "drop": 3, "fifo": 4, "frame": 5, "compressed": 6, "multicast": 7}
	txNames := map[string]int{"bytes": 0, "packets": 1, "errs": 2, "drop": 3, "fifo": 4, "colls": 5, "carrier": 6, "compressed": 7}
	type col struct {
		dst   func(*snapshots.LinkStats) *uint64
		extra bool
	}
	rxDst := []func(*snapshots.LinkStats) *uint64{
		func(s *snapshots.LinkStats) *uint64 { return &s.RxBytes },
		func(s *snapshots.LinkStats) *uint64 { return &s.RxPackets },
		func(s *snapshots.LinkStats) *uint64 { return &s.RxErrors },
		func(s *snapshots.LinkStats) *uint64 { return &s.RxDropped },
		func(s *snapshots.LinkStats) *uint64 { return &s.RxFIFOErrors },
		func(s *snapshots.LinkStats) *uint64 { return &s.RxFrameErrors },
		func(s *snapshots.LinkStats) *uint64 { return &s.RxCompressed },
		func(s *snapshots.LinkStats) *uint64 { return &s.Multicast },
	}
	txDst := []func(*snapshots.LinkStats) *uint64{
		func(s *snapshots.LinkStats) *uint64 { return &s.TxBytes },
		func(s *snapshots.LinkStats) *uint64 { return &s.TxPackets },
		func(s *snapshots.LinkStats) *uint64 { return &s.TxErrors },
		func(s *snapshots.LinkStats) *uint64 { return &s.TxDropped },
		func(s *snapshots.LinkStats) *uint64 { return &s.TxFIFOErrors },
		func(s *snapshots.LinkStats) *uint64 { return &s.Collisions },
		func(s *snapshots.LinkStats) *uint64 { return &s.TxCarrierErrors },
		func(s *snapshots.LinkStats) *uint64 { return &s.TxCompressed },
	}
	var cols []col
	for dir, part := range parts[1:] {
		names, dsts := rxNames, rxDst
		if dir == 1 {
			names, dsts = txNames, txDst
		}
		for _, n := range fields(nil, part) {
			if i, ok := names[string(n)]; ok {
				cols = append(cols, col{dst: dsts[i]})
				delete(names, string(n)) // a repeated name is an extra
			} else {
				cols = append(cols, col{extra: true})
			}
		}
	}
	var out []DevStats
	var fs [][]byte
	for {
		line, ok := l.next()
		if !ok {
			break
		}
		colon := bytes.IndexByte(line, ':')
		if colon < 0 {
			if len(bytes.TrimSpace(line)) == 0 {
				continue
			}
			return nil, l.lineError(line, "no ':' after the interface name")
		}
		d := DevStats{Name: string(bytes.TrimSpace(line[:colon]))}
		if d.Name == "" {
			return nil, l.lineError(line, "empty interface name")
		}
		fs = fields(fs, line[colon+1:])
		if len(fs) != len(cols) {
			return nil, l.lineError(line, "%d values for %d columns", len(fs), len(cols))
		}
		for i, f := range fs {
			v, ok := dec64(f)
			if !ok {
				return nil, l.errorf(d.Name, f, "column %d not decimal", i+1)
			}
			if cols[i].extra {
				d.Stats.Extra = append(d.Stats.Extra, v)
			} else {
				*cols[i].dst(&d.Stats) = v
			}
		}
		d.Stats.Valid = true
		out = append(out, d)
	}
	return out, l.err
}

// netSlabPrefixes selects the /proc/slabinfo caches NetSlab keeps: socket
// buffers, per-protocol socket caches (TCP, TCPv6, UDP, UDP-Lite, RAW,
// PING, MPTCP, SCTP, UNIX, AF_VSOCK …), request and time-wait minisocks,
// the socket inode cache, bind buckets, routing (FIB, IPv6 dst and nodes),
// IP fragment queues, inet peers, xfrm, conntrack and multicast routing.
var netSlabPrefixes = []string{
	"skbuff_", "sock_inode_cache",
	"TCP", "UDP", "UDPLITE", "RAW", "PING", "MPTCP", "SCTP", "UNIX", "AF_VSOCK", "KCM", "L2TP",
	"request_sock_", "tw_sock_", "tcp_bind", "inet_peer", "sctp_",
	"ip_fib_", "fib6_", "ip6_dst_cache", "ip_dst_cache", "ip4-frags", "ip6-frags",
	"xfrm_", "nf_conntrack", "ip_mrt_cache", "ip6_mrt_cache", "bridge_fdb_cache",
}

// NetSlab reports whether a slab cache holds network objects; it is the
// default filter of ParseSlabinfo. It matches name prefixes (see the list
// in the source), so TCP also selects TCPv6 and UDP selects UDPv6 and
// UDP-Lite. Slab merging can hide caches in any case: a cache merged into
// another shows up under the other's name, or not at all.
func NetSlab(name string) bool {
	for _, p := range netSlabPrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// ParseSlabinfo parses /proc/slabinfo (version 2.x) and keeps the caches
// keep selects; nil means NetSlab. The "slabinfo - version" and "# name"
// lines are checked when present (supportconfig strips comment lines).
func ParseSlabinfo(r io.Reader, keep func(name string) bool) ([]snapshots.Slab, error) {
	const file = "slabinfo"
	if keep == nil {
		keep = NetSlab
	}
	l := newLines(r, file)
	var out []snapshots.Slab
	var fs [][]byte
	for {
		line, ok := l.next()
		if !ok {
			break
		}
		if bytes.HasPrefix(line, []byte("slabinfo - version:")) {
			v := bytes.TrimSpace(line[len("slabinfo - version:"):])
			if !bytes.HasPrefix(v, []byte("2.")) {
				return nil, l.errorf("version", v, "unsupported slabinfo version")
			}
			continue
		}
		if bytes.HasPrefix(line, []byte("#")) {
			hs := fields(fs, line)
			if len(hs) < 7 || string(hs[1]) != "name" || string(hs[2]) != "<active_objs>" || string(hs[3]) != "<num_objs>" ||
				string(hs[4]) != "<objsize>" || string(hs[5]) != "<objperslab>" || string(hs[6]) != "<pagesperslab>" {
				return nil, l.lineError(line, "not a slabinfo 2.x header")
			}
			continue
		}
		fs = fields(fs, line)
		if len(fs) == 0 {
			continue
		}
		if len(fs) < 6 {
			return nil, l.lineError(line, "%d fields, want at least 6", len(fs))
		}
		if !keep(string(fs[0])) {
			continue
		}
		s := snapshots.Slab{Name: string(fs[0])}
		names := []string{"active_objs", "num_objs", "objsize", "objperslab", "pagesperslab"}
		for i, d := range []*uint64{&s.ActiveObjs, &s.NumObjs, &s.ObjSize, &s.ObjPerSlab, &s.PagesPerSlab} {
			if *d, ok = dec64(fs[1+i]); !ok {
				return nil, l.errorf(names[i], fs[1+i], "not decimal")
			}
		}
		out = append(out, s)
	}
	return out, l.err
}
