package solaris

import (
	"net/netip"
	"strconv"

	"github.com/netmortem/netmortem/analyze/names"
)

// Printer prints addresses, ports and names the way netstat does
// (solaris-display-formats.md §1.7), resolving names from the captured
// host's files unless Numeric is set.
type Printer struct {
	Names   *names.Resolver
	Numeric bool
}

// Wildcard is how netstat prints an unspecified address in host.port form.
const Wildcard = "      *"

// NoGateway is how netstat prints a zero gateway.
const NoGateway = "    --"

// Host prints an address: its host name unless numeric, else the numeric
// form (IPv6 compressed, v4-mapped as ::ffff:a.b.c.d). An invalid address
// prints as "".
func (p *Printer) Host(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	if !p.Numeric {
		if n, ok := p.Names.HostName(a); ok {
			return n
		}
	}
	return a.WithZone("").String()
}

// Port prints a port for proto ("tcp", "udp", "sctp"): * for 0, the
// service name unless numeric, else the number.
func (p *Printer) Port(port uint16, proto string) string {
	if port == 0 {
		return "*"
	}
	if !p.Numeric {
		if n, ok := p.Names.ServiceName(port, proto); ok {
			return n
		}
	}
	return strconv.Itoa(int(port))
}

// HostPort prints host.port (a dot also for IPv6), with the unspecified
// address as Wildcard.
func (p *Printer) HostPort(ap netip.AddrPort, proto string) string {
	return p.HostOrWild(ap.Addr()) + "." + p.Port(ap.Port(), proto)
}

// HostOrWild prints an address, or Wildcard when it is unspecified or
// absent.
func (p *Printer) HostOrWild(a netip.Addr) string {
	if !a.IsValid() || a.IsUnspecified() {
		return Wildcard
	}
	return p.Host(a)
}

// RouteDest4 prints an IPv4 route destination (pr_net, or pr_addr for host
// routes): "default" for 0/0 even when numeric, else a network name, a
// host name, or the dotted address.
func (p *Printer) RouteDest4(d netip.Prefix, host bool) string {
	if d.Bits() == 0 && d.Addr().IsUnspecified() {
		return "default"
	}
	if host {
		return p.Host(d.Addr())
	}
	if !p.Numeric {
		if n, ok := p.Names.RouteDestName(d); ok {
			return n
		}
	}
	return d.Addr().String()
}

// Prefix6 prints an IPv6 destination (pr_prefix6): "default" for ::/0,
// else the address (a name unless numeric) and /len unless len is 128.
func (p *Printer) Prefix6(d netip.Prefix) string {
	if d.Bits() == 0 && d.Addr().IsUnspecified() {
		return "default"
	}
	s := p.Host(d.Addr())
	if d.Bits() != 128 {
		s += "/" + strconv.Itoa(d.Bits())
	}
	return s
}

// Gateway prints a next hop (pr_addrnz): NoGateway when absent or zero.
func (p *Printer) Gateway(a netip.Addr) string {
	if !a.IsValid() || a.IsUnspecified() {
		return NoGateway
	}
	return p.Host(a)
}

// IfNet prints the -i Net/Dest of an IPv4 interface address (pr_netaddr):
// a network name, a host name of the address itself, or the masked
// network number.
func (p *Printer) IfNet(a netip.Addr, bits int) string {
	if !p.Numeric {
		if n, ok := p.Names.InterfaceNetName(a, bits); ok {
			return n
		}
	}
	if pf, err := a.Prefix(bits); err == nil {
		if bits == 0 && pf.Addr().IsUnspecified() {
			return "default"
		}
		return pf.Addr().String()
	}
	return a.String()
}

// Mask4 prints an IPv4 prefix length as a dotted mask (pr_mask).
func Mask4(bits int) string {
	if bits < 0 {
		bits = 0
	}
	if bits > 32 {
		bits = 32
	}
	m := ^uint32(0) << (32 - bits)
	if bits == 0 {
		m = 0
	}
	return netip.AddrFrom4([4]byte{byte(m >> 24), byte(m >> 16), byte(m >> 8), byte(m)}).String()
}

// HWAddr prints a link-layer address as lowercase colon hex (octetstr h).
func HWAddr(b []byte) string {
	const hex = "0123456789abcdef"
	out := make([]byte, 0, 3*len(b))
	for i, c := range b {
		if i > 0 {
			out = append(out, ':')
		}
		out = append(out, hex[c>>4], hex[c&15])
	}
	return string(out)
}

// The Append forms below print like their string counterparts into a
// byte slice, without allocating when no name is found, for the displays
// that print a row per route or socket of tables with millions of rows.

// AppendHost is Host appending to b.
func (p *Printer) AppendHost(b []byte, a netip.Addr) []byte {
	if !a.IsValid() {
		return b
	}
	if !p.Numeric {
		if n, ok := p.Names.HostName(a); ok {
			return append(b, n...)
		}
	}
	if a.Zone() != "" {
		a = a.WithZone("")
	}
	return a.AppendTo(b)
}

// AppendHostOrWild is HostOrWild appending to b.
func (p *Printer) AppendHostOrWild(b []byte, a netip.Addr) []byte {
	if !a.IsValid() || a.IsUnspecified() {
		return append(b, Wildcard...)
	}
	return p.AppendHost(b, a)
}

// AppendPort is Port appending to b.
func (p *Printer) AppendPort(b []byte, port uint16, proto string) []byte {
	if port == 0 {
		return append(b, '*')
	}
	if !p.Numeric {
		if n, ok := p.Names.ServiceName(port, proto); ok {
			return append(b, n...)
		}
	}
	return strconv.AppendUint(b, uint64(port), 10)
}

// AppendHostPort is HostPort appending to b.
func (p *Printer) AppendHostPort(b []byte, ap netip.AddrPort, proto string) []byte {
	b = p.AppendHostOrWild(b, ap.Addr())
	b = append(b, '.')
	return p.AppendPort(b, ap.Port(), proto)
}

// AppendGateway is Gateway appending to b.
func (p *Printer) AppendGateway(b []byte, a netip.Addr) []byte {
	if !a.IsValid() || a.IsUnspecified() {
		return append(b, NoGateway...)
	}
	return p.AppendHost(b, a)
}

// AppendRouteDest4 is RouteDest4 appending to b.
func (p *Printer) AppendRouteDest4(b []byte, d netip.Prefix, host bool) []byte {
	if d.Bits() == 0 && d.Addr().IsUnspecified() {
		return append(b, "default"...)
	}
	if host {
		return p.AppendHost(b, d.Addr())
	}
	if !p.Numeric {
		if n, ok := p.Names.RouteDestName(d); ok {
			return append(b, n...)
		}
	}
	return d.Addr().AppendTo(b)
}

// AppendPrefix6 is Prefix6 appending to b.
func (p *Printer) AppendPrefix6(b []byte, d netip.Prefix) []byte {
	if d.Bits() == 0 && d.Addr().IsUnspecified() {
		return append(b, "default"...)
	}
	b = p.AppendHost(b, d.Addr())
	if d.Bits() != 128 {
		b = append(b, '/')
		b = strconv.AppendInt(b, int64(d.Bits()), 10)
	}
	return b
}
