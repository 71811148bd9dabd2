package leases

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/netmortem/netmortem/snapshots"
)

// dhcpcd stores the DHCP reply it accepted, byte for byte, and takes the
// file's modification time as the moment it got the lease. Options are kept
// as "option-<code>" (DHCPv4) or "option6-<code>" (DHCPv6) with the value
// in hex.

const (
	bootpHeaderLen = 236
	dhcpMagic      = 0x63825363
)

// ParseDhcpcd reads a dhcpcd DHCPv4 lease file (<iface>.lease): the BOOTP
// header and the options, including options overloaded into the file and
// sname fields (option 52) and options split in several parts (RFC 3396).
// T1 and T2 default to 1/2 and 7/8 of the lease time, as dhcpcd computes
// them when the server sends none.
func ParseDhcpcd(hostPath string, data []byte, modTime time.Time) ([]snapshots.Lease, error) {
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("%s: %d bytes is more than a lease file can be", hostPath, len(data))
	}
	if len(data) < bootpHeaderLen+4 {
		return nil, fmt.Errorf("%s: %d bytes is shorter than a BOOTP message", hostPath, len(data))
	}
	if binary.BigEndian.Uint32(data[bootpHeaderLen:]) != dhcpMagic {
		return nil, fmt.Errorf("%s: no DHCP magic cookie", hostPath)
	}
	l := snapshots.Lease{Interface: dhcpcdIface(hostPath), Client: ClientDhcpcd, Family: snapshots.AFInet,
		SourceFile: hostPath, ModTime: modTime, Start: modTime}
	hlen := int(data[2])
	if hlen > 16 {
		hlen = 16
	}
	l.Address = netip.AddrFrom4([4]byte(data[16:20]))
	l.Options = []snapshots.Sysctl{
		{Name: "op", Value: strconv.Itoa(int(data[0]))},
		{Name: "xid", Value: hex.EncodeToString(data[4:8])},
		{Name: "ciaddr", Value: netip.AddrFrom4([4]byte(data[12:16])).String()},
		{Name: "yiaddr", Value: l.Address.String()},
		{Name: "siaddr", Value: netip.AddrFrom4([4]byte(data[20:24])).String()},
		{Name: "giaddr", Value: netip.AddrFrom4([4]byte(data[24:28])).String()},
		{Name: "chaddr", Value: hex.EncodeToString(data[28 : 28+hlen])},
	}
	opts, err := dhcp4Options(data[bootpHeaderLen+4:])
	if err != nil {
		return nil, fmt.Errorf("%s: %w", hostPath, err)
	}
	sname, file := data[44:108], data[108:236]
	if ov := opts.get(52); len(ov) == 1 {
		for _, area := range []struct {
			bit  byte
			data []byte
		}{{1, file}, {2, sname}} {
			if ov[0]&area.bit == 0 {
				continue
			}
			more, err := dhcp4Options(area.data)
			if err != nil {
				return nil, fmt.Errorf("%s: overloaded options: %w", hostPath, err)
			}
			opts.list = append(opts.list, more.list...)
		}
		if ov[0]&1 != 0 {
			file = nil
		}
		if ov[0]&2 != 0 {
			sname = nil
		}
	}
	if s := cString(sname); s != "" {
		l.Options = append(l.Options, snapshots.Sysctl{Name: "sname", Value: s})
	}
	if s := cString(file); s != "" {
		l.Options = append(l.Options, snapshots.Sysctl{Name: "file", Value: s})
	}
	for _, o := range opts.list {
		l.Options = append(l.Options, snapshots.Sysctl{Name: "option-" + strconv.Itoa(int(o.code)), Value: hex.EncodeToString(o.data)})
	}

	if v := opts.get(1); len(v) == 4 {
		l.PrefixLen, _ = maskBits(netip.AddrFrom4([4]byte(v)))
	}
	if v := opts.get(3); len(v) >= 4 {
		for i := 0; i+4 <= len(v); i += 4 {
			l.Routers = append(l.Routers, netip.AddrFrom4([4]byte(v[i:i+4])))
		}
	}
	if v := opts.get(54); len(v) == 4 {
		l.Server = netip.AddrFrom4([4]byte(v))
	}
	l.BOOTP = opts.get(53) == nil
	if v := opts.get(51); len(v) == 4 {
		l.LeaseTime = binary.BigEndian.Uint32(v)
		if l.LeaseTime != infinite {
			l.Expire = addSeconds(modTime, l.LeaseTime)
			t1, t2 := l.LeaseTime/2, uint32(uint64(l.LeaseTime)*7/8)
			if v := opts.get(58); len(v) == 4 {
				t1 = binary.BigEndian.Uint32(v)
			}
			if v := opts.get(59); len(v) == 4 {
				t2 = binary.BigEndian.Uint32(v)
			}
			l.Renew, l.Rebind = addSeconds(modTime, t1), addSeconds(modTime, t2)
		}
	}
	return []snapshots.Lease{l}, nil
}

type dhcpOpt struct {
	code uint16
	data []byte
}

type dhcpOpts struct{ list []dhcpOpt }

// get returns the value of code, the parts of a split option joined.
func (o dhcpOpts) get(code uint16) []byte {
	var v []byte
	found := false
	for _, x := range o.list {
		if x.code == code {
			v = append(v, x.data...)
			found = true
		}
	}
	if !found {
		return nil
	}
	if v == nil {
		v = []byte{}
	}
	return v
}

// dhcp4Options splits a DHCPv4 option area. Pad (0) is skipped and End
// (255) stops; an option running past the area is an error.
func dhcp4Options(b []byte) (dhcpOpts, error) {
	var o dhcpOpts
	for i := 0; i < len(b); {
		code := b[i]
		switch code {
		case 0:
			i++
			continue
		case 255:
			return o, nil
		}
		if i+1 >= len(b) {
			return o, fmt.Errorf("option %d has no length", code)
		}
		n := int(b[i+1])
		if i+2+n > len(b) {
			return o, fmt.Errorf("option %d: length %d runs past the message", code, n)
		}
		o.list = append(o.list, dhcpOpt{uint16(code), b[i+2 : i+2+n]})
		i += 2 + n
	}
	return o, nil
}

func cString(b []byte) string {
	if i := strings.IndexByte(string(b), 0); i >= 0 {
		b = b[:i]
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

// dhcpcdIface takes the interface from <iface>.lease(6) or the old
// dhcpcd-<iface>.lease. Wi-Fi leases are <iface>-<ssid>.lease; both parts
// may hold dashes, so the name is kept whole rather than split by guess.
func dhcpcdIface(hostPath string) string {
	return ifaceFromName(hostPath)
}

// DHCPv6 option codes (RFC 8415).
const (
	opt6IANA     = 3
	opt6IATA     = 4
	opt6IAAddr   = 5
	opt6IAPD     = 25
	opt6IAPrefix = 26
)

// ParseDhcpcd6 reads a dhcpcd DHCPv6 lease file (<iface>.lease6): the
// REPLY message. It gives one lease per address of an IA_NA or IA_TA and
// per delegated prefix of an IA_PD. Times count from modTime; T1 or T2 of 0
// (the client's choice) give no time, and a valid lifetime of 0xffffffff
// never expires.
func ParseDhcpcd6(hostPath string, data []byte, modTime time.Time) ([]snapshots.Lease, error) {
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("%s: %d bytes is more than a lease file can be", hostPath, len(data))
	}
	if len(data) < 4 {
		return nil, fmt.Errorf("%s: %d bytes is shorter than a DHCPv6 message", hostPath, len(data))
	}
	top, err := dhcp6Options(data[4:])
	if err != nil {
		return nil, fmt.Errorf("%s: %w", hostPath, err)
	}
	common := []snapshots.Sysctl{
		{Name: "msg-type", Value: strconv.Itoa(int(data[0]))},
		{Name: "xid", Value: hex.EncodeToString(data[1:4])},
	}
	for _, o := range top {
		switch o.code {
		case opt6IANA, opt6IATA, opt6IAPD:
		default:
			common = append(common, snapshots.Sysctl{Name: "option6-" + strconv.Itoa(int(o.code)), Value: hex.EncodeToString(o.data)})
		}
	}
	var out []snapshots.Lease
	for _, ia := range top {
		var name string
		var fixed int
		switch ia.code {
		case opt6IANA:
			name, fixed = "ia-na", 12
		case opt6IATA:
			name, fixed = "ia-ta", 4
		case opt6IAPD:
			name, fixed = "ia-pd", 12
		default:
			continue
		}
		if len(ia.data) < fixed {
			return out, fmt.Errorf("%s: %s of %d bytes", hostPath, name, len(ia.data))
		}
		iaOpts := []snapshots.Sysctl{{Name: name, Value: hex.EncodeToString(ia.data[:4])}}
		var t1, t2 uint32
		if fixed == 12 {
			t1, t2 = binary.BigEndian.Uint32(ia.data[4:]), binary.BigEndian.Uint32(ia.data[8:])
			iaOpts = append(iaOpts, snapshots.Sysctl{Name: name + ".renew", Value: strconv.FormatUint(uint64(t1), 10)},
				snapshots.Sysctl{Name: name + ".rebind", Value: strconv.FormatUint(uint64(t2), 10)})
		}
		subs, err := dhcp6Options(ia.data[fixed:])
		if err != nil {
			return out, fmt.Errorf("%s: %s: %w", hostPath, name, err)
		}
		for _, s := range subs {
			if s.code != opt6IAAddr && s.code != opt6IAPrefix {
				iaOpts = append(iaOpts, snapshots.Sysctl{Name: name + ".option6-" + strconv.Itoa(int(s.code)), Value: hex.EncodeToString(s.data)})
			}
		}
		for _, s := range subs {
			l := snapshots.Lease{Interface: dhcpcdIface(hostPath), Client: ClientDhcpcd, Family: snapshots.AFInet6,
				SourceFile: hostPath, ModTime: modTime, Start: modTime}
			var pref, valid uint32
			var rest []byte
			var kind string
			switch {
			case s.code == opt6IAAddr && ia.code != opt6IAPD:
				if len(s.data) < 24 {
					return out, fmt.Errorf("%s: %s address option of %d bytes", hostPath, name, len(s.data))
				}
				l.Address, l.PrefixLen = netip.AddrFrom16([16]byte(s.data[:16])), 128
				pref, valid, rest, kind = binary.BigEndian.Uint32(s.data[16:]), binary.BigEndian.Uint32(s.data[20:]), s.data[24:], "iaaddr"
			case s.code == opt6IAPrefix && ia.code == opt6IAPD:
				if len(s.data) < 25 {
					return out, fmt.Errorf("%s: %s prefix option of %d bytes", hostPath, name, len(s.data))
				}
				if s.data[8] > 128 {
					return out, fmt.Errorf("%s: %s prefix length %d", hostPath, name, s.data[8])
				}
				pref, valid = binary.BigEndian.Uint32(s.data[0:]), binary.BigEndian.Uint32(s.data[4:])
				l.PrefixLen, l.Address = s.data[8], netip.AddrFrom16([16]byte(s.data[9:25]))
				rest, kind = s.data[25:], "iaprefix"
			default:
				continue
			}
			opts := append(append([]snapshots.Sysctl(nil), common...), iaOpts...)
			addr := l.Address.String()
			if kind == "iaprefix" {
				addr += "/" + strconv.Itoa(int(l.PrefixLen))
			}
			opts = append(opts, snapshots.Sysctl{Name: name + "." + kind, Value: addr},
				snapshots.Sysctl{Name: name + "." + kind + ".preferred-life", Value: strconv.FormatUint(uint64(pref), 10)},
				snapshots.Sysctl{Name: name + "." + kind + ".max-life", Value: strconv.FormatUint(uint64(valid), 10)})
			inner, err := dhcp6Options(rest)
			if err != nil {
				return out, fmt.Errorf("%s: %s %s: %w", hostPath, name, addr, err)
			}
			for _, o := range inner {
				opts = append(opts, snapshots.Sysctl{Name: name + "." + kind + ".option6-" + strconv.Itoa(int(o.code)), Value: hex.EncodeToString(o.data)})
			}
			l.Options = opts
			l.LeaseTime = valid
			if valid != infinite {
				l.Expire = addSeconds(modTime, valid)
			}
			if t1 != 0 {
				l.Renew = addSeconds(modTime, t1)
			}
			if t2 != 0 {
				l.Rebind = addSeconds(modTime, t2)
			}
			out = append(out, l)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: %w", hostPath, errNoAddress)
	}
	return out, nil
}

var errNoAddress = errors.New("the reply holds no address or prefix")

// dhcp6Options splits a DHCPv6 option area: 16-bit code, 16-bit length.
func dhcp6Options(b []byte) ([]dhcpOpt, error) {
	var out []dhcpOpt
	for i := 0; i < len(b); {
		if i+4 > len(b) {
			return out, fmt.Errorf("%d stray bytes after the options", len(b)-i)
		}
		code, n := binary.BigEndian.Uint16(b[i:]), int(binary.BigEndian.Uint16(b[i+2:]))
		if i+4+n > len(b) {
			return out, fmt.Errorf("option %d: length %d runs past the message", code, n)
		}
		out = append(out, dhcpOpt{code, b[i+4 : i+4+n]})
		i += 4 + n
	}
	return out, nil
}
