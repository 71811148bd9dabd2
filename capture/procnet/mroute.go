package procnet

import (
	"bytes"
	"encoding/binary"
	"io"

	"github.com/netmortem/netmortem/snapshots"
)

// VIFF_USE_IFINDEX: the vif was created by interface index, which the
// kernel then keeps (and prints) in the place of the local address.
const viffUseIfIndex = 0x8

// TableMrouteDefault is RT_TABLE_DEFAULT, the only multicast routing table
// the /proc files show.
const TableMrouteDefault = 253

// ParseIPMrVif parses /proc/net/ip_mr_vif. Local and Remote are %08X of
// big-endian words (host order). When Flags has VIFF_USE_IFINDEX the
// Local column holds the ifindex as a plain integer, so it reads the same
// on every host: it goes to LocalIfIndex and Local stays invalid.
func ParseIPMrVif(r io.Reader, order binary.ByteOrder) ([]snapshots.Vif, error) {
	if order == nil {
		return nil, &ParseError{File: "ip_mr_vif", Err: errOrder}
	}
	return parseVif(r, "ip_mr_vif", snapshots.AFInet, isBigEndian(order))
}

// ParseIP6MrVif parses /proc/net/ip6_mr_vif (no address columns).
func ParseIP6MrVif(r io.Reader) ([]snapshots.Vif, error) {
	return parseVif(r, "ip6_mr_vif", snapshots.AFInet6, false)
}

func parseVif(r io.Reader, file string, family uint8, big bool) ([]snapshots.Vif, error) {
	l := newLines(r, file)
	header, ok := l.next()
	if !ok {
		return nil, l.err
	}
	hs := fields(nil, header)
	// The header's first name labels two fields (index and name).
	want := []string{"Interface", "BytesIn", "PktsIn", "BytesOut", "PktsOut", "Flags"}
	if family == snapshots.AFInet {
		want = append(want, "Local", "Remote")
	}
	if len(hs) < len(want) {
		return nil, l.lineError(header, "not a %s header", file)
	}
	for i, w := range want {
		if string(hs[i]) != w {
			return nil, l.lineError(header, "header column %d is %q, want %q", i+1, hs[i], w)
		}
	}
	need := len(want) + 1
	var out []snapshots.Vif
	var fs [][]byte
	for {
		line, ok := l.next()
		if !ok {
			break
		}
		fs = fields(fs, line)
		if len(fs) == 0 {
			continue
		}
		if len(fs) < need {
			return nil, l.lineError(line, "%d fields, want %d", len(fs), need)
		}
		v := snapshots.Vif{Family: family, Name: string(fs[1])}
		if v.Index, ok = decInt32(fs[0]); !ok {
			return nil, l.errorf("Interface", fs[0], "not a decimal vif index")
		}
		for i, d := range []*uint64{&v.BytesIn, &v.PktsIn, &v.BytesOut, &v.PktsOut} {
			if *d, ok = dec64(fs[2+i]); !ok {
				return nil, l.errorf(want[1+i], fs[2+i], "not decimal")
			}
		}
		if v.Flags, ok = hex32(fs[6]); !ok {
			return nil, l.errorf("Flags", fs[6], "not hex")
		}
		if family == snapshots.AFInet {
			if v.Flags&viffUseIfIndex != 0 {
				x, ok := hex32(fs[7])
				if !ok || len(fs[7]) != 8 {
					return nil, l.errorf("Local", fs[7], "not 8 hex digits")
				}
				v.LocalIfIndex = int32(x)
			} else if v.Local, ok = hostAddr4(fs[7], big); !ok {
				return nil, l.errorf("Local", fs[7], "not 8 hex digits")
			}
			if v.Remote, ok = hostAddr4(fs[8], big); !ok {
				return nil, l.errorf("Remote", fs[8], "not 8 hex digits")
			}
		}
		out = append(out, v)
	}
	return out, l.err
}

// ParseIPMrCache parses /proc/net/ip_mr_cache: group and origin as %08X of
// big-endian words (host order), the input vif index, packet, byte and
// wrong-interface counters, then "vif:ttl" for each outgoing vif.
//
// Entries are of table 253 (the only one /proc shows). /proc gives vif
// indexes, not ifindexes: IIFVif and MFCOif.Vif are set, IIF and
// MFCOif.IfIndex stay 0 (join with the vif table to name them). An
// unresolved entry (waiting for the routing daemon) prints input vif -1
// and zero counters on kernels since 4.x: Resolved is false and IIFVif -1.
// Older kernels printed 0 there, which cannot be told from a resolved
// entry on vif 0 without outputs.
func ParseIPMrCache(r io.Reader, order binary.ByteOrder) ([]snapshots.MFCEntry, error) {
	if order == nil {
		return nil, &ParseError{File: "ip_mr_cache", Err: errOrder}
	}
	return parseMFC(r, "ip_mr_cache", snapshots.AFInet, isBigEndian(order))
}

// ParseIP6MrCache parses /proc/net/ip6_mr_cache, whose addresses are in
// full colon form (%pI6). See ParseIPMrCache.
func ParseIP6MrCache(r io.Reader) ([]snapshots.MFCEntry, error) {
	return parseMFC(r, "ip6_mr_cache", snapshots.AFInet6, false)
}

func parseMFC(r io.Reader, file string, family uint8, big bool) ([]snapshots.MFCEntry, error) {
	l := newLines(r, file)
	header, ok := l.next()
	if !ok {
		return nil, l.err
	}
	hs := fields(nil, header)
	want := []string{"Group", "Origin", "Iif", "Pkts", "Bytes", "Wrong", "Oifs"}
	if len(hs) < len(want) {
		return nil, l.lineError(header, "not a %s header", file)
	}
	for i, w := range want {
		if string(hs[i]) != w {
			return nil, l.lineError(header, "header column %d is %q, want %q", i+1, hs[i], w)
		}
	}
	var out []snapshots.MFCEntry
	var fs [][]byte
	for {
		line, ok := l.next()
		if !ok {
			break
		}
		fs = fields(fs, line)
		if len(fs) == 0 {
			continue
		}
		if len(fs) < 6 {
			return nil, l.lineError(line, "%d fields, want at least 6", len(fs))
		}
		e := snapshots.MFCEntry{Family: family, Table: TableMrouteDefault}
		if family == snapshots.AFInet {
			if e.Group, ok = hostAddr4(fs[0], big); !ok {
				return nil, l.errorf("Group", fs[0], "not 8 hex digits")
			}
			if e.Source, ok = hostAddr4(fs[1], big); !ok {
				return nil, l.errorf("Origin", fs[1], "not 8 hex digits")
			}
		} else {
			if e.Group, ok = textAddr(fs[0]); !ok || !e.Group.Is6() {
				return nil, l.errorf("Group", fs[0], "not an IPv6 address")
			}
			if e.Source, ok = textAddr(fs[1]); !ok || !e.Source.Is6() {
				return nil, l.errorf("Origin", fs[1], "not an IPv6 address")
			}
		}
		iif, ok := decInt32(fs[2])
		if !ok || iif < -1 || iif > 0xffff {
			return nil, l.errorf("Iif", fs[2], "not a vif index")
		}
		e.IIFVif = iif
		e.Resolved = iif >= 0
		for i, d := range []*uint64{&e.Packets, &e.Bytes, &e.WrongIf} {
			if *d, ok = dec64(fs[3+i]); !ok {
				return nil, l.errorf(want[3+i], fs[3+i], "not decimal")
			}
		}
		for _, f := range fs[6:] {
			i := bytes.IndexByte(f, ':')
			if i < 0 {
				return nil, l.errorf("Oifs", f, "not VIF:TTL")
			}
			vif, ok1 := decInt32(f[:i])
			ttl, ok2 := dec32(f[i+1:])
			if !ok1 || !ok2 || vif < 0 || ttl > 0xff {
				return nil, l.errorf("Oifs", f, "not VIF:TTL")
			}
			e.Oifs = append(e.Oifs, snapshots.MFCOif{Vif: vif, TTL: uint8(ttl)})
		}
		out = append(out, e)
	}
	return out, l.err
}
