// Package names resolves host, network, service, protocol and routing-table
// names from the name databases captured with a snapshot (/etc/hosts,
// /etc/networks, /etc/services, /etc/protocols, /etc/iproute2/rt_tables),
// never from the analyst's machine or DNS.
//
// Each parser takes the file's bytes and is as lenient as the C library or
// iproute2 reader it mirrors: unreadable lines are skipped and reported,
// never fatal. Lookups are map or array accesses, cheap enough to run once
// per row of a million-route table. A nil Resolver, or its zero value,
// knows no names, so callers print numbers (netstat -n, missing files).
package names

import (
	"net/netip"
	"path"
	"sort"
	"strings"

	"github.com/netmortem/netmortem/snapshots"
)

// Files are the captured host's name databases. A nil slice means the file
// was not captured.
type Files struct {
	Hostname    string   // the captured host's name (snapshots.Meta.Hostname)
	Domain      string   // the local domain; "" derives it from Hostname and Hosts (see New)
	Hosts       []byte   // /etc/hosts
	Networks    []byte   // /etc/networks
	Services    []byte   // /etc/services
	Protocols   []byte   // /etc/protocols
	RouteTables [][]byte // rt_tables, then rt_tables.d/*.conf, in reading order

	// FallbackServices uses BuiltinServices when Services is nil. Off by
	// default: names should come from the captured host.
	FallbackServices bool
}

// Resolver answers name lookups for one captured host. Methods on a nil
// *Resolver report no name.
type Resolver struct {
	hosts    *Hosts
	short    []string // hosts entries' canonical names after local-domain stripping
	nets     *Networks
	services *Services
	protos   *Protocols
	tables   *RouteTables
	domain   string
}

// New parses f into a Resolver. Routing tables always know the built-in
// names (unspec 0, default 253, main 254, local 255).
//
// The local domain, used by netstat to shorten host names, is f.Domain if
// set, else everything after the first dot of f.Hostname, else — Linux
// hosts usually have a short host name — everything after the first dot of
// the canonical name /etc/hosts gives the host name (what `dnsdomainname`
// prints on a host that resolves its name from files). Otherwise it is "".
func New(f Files) *Resolver {
	r := &Resolver{tables: ParseRouteTables(f.RouteTables...)}
	if f.Hosts != nil {
		r.hosts = ParseHosts(f.Hosts)
	}
	if f.Networks != nil {
		r.nets = ParseNetworks(f.Networks)
	}
	switch {
	case f.Services != nil:
		r.services = ParseServices(f.Services)
	case f.FallbackServices:
		r.services = BuiltinServices()
	}
	if f.Protocols != nil {
		r.protos = ParseProtocols(f.Protocols)
	}
	r.domain = f.Domain
	if r.domain == "" {
		r.domain = localDomain(f.Hostname, r.hosts)
	}
	if r.hosts != nil {
		r.short = make([]string, len(r.hosts.entries))
		for i, e := range r.hosts.entries {
			r.short[i] = stripDomain(e.Name, r.domain)
		}
	}
	return r
}

func localDomain(hostname string, h *Hosts) string {
	if _, d, ok := strings.Cut(hostname, "."); ok {
		return d
	}
	if hostname == "" {
		return ""
	}
	if c, ok := h.canonical(hostname); ok {
		if _, d, ok := strings.Cut(c, "."); ok {
			return d
		}
	}
	return ""
}

// stripDomain is Solaris netstat's rule: if the part of name after its
// first dot equals the local domain, ignoring case, cut the name there.
func stripDomain(name, domain string) string {
	if before, after, ok := strings.Cut(name, "."); ok && strings.EqualFold(after, domain) {
		return before
	}
	return name
}

// Domain returns the local domain used to shorten host names.
func (r *Resolver) Domain() string {
	if r == nil {
		return ""
	}
	return r.domain
}

// StripDomain applies netstat's local-domain rule to any name.
func (r *Resolver) StripDomain(name string) string {
	if r == nil {
		return name
	}
	return stripDomain(name, r.domain)
}

// HostName returns the name netstat prints for a: the canonical name of the
// first hosts line with that address, shortened by the local-domain rule.
// An IPv4-mapped IPv6 address with no line of its own is looked up as IPv4,
// as Solaris getipnodebyaddr does.
func (r *Resolver) HostName(a netip.Addr) (string, bool) {
	if r == nil || r.hosts == nil {
		return "", false
	}
	a = a.WithZone("")
	i, ok := r.hosts.byAddr[a]
	if !ok && a.Is4In6() {
		i, ok = r.hosts.byAddr[a.Unmap()]
	}
	if !ok {
		return "", false
	}
	return r.short[i], true
}

// Host returns the whole hosts line for a (canonical name and aliases, not
// shortened), with the same IPv4-mapped rule as HostName.
func (r *Resolver) Host(a netip.Addr) (HostEntry, bool) {
	if r == nil {
		return HostEntry{}, false
	}
	e, ok := r.hosts.Lookup(a)
	if !ok && a.Is4In6() {
		e, ok = r.hosts.Lookup(a.Unmap())
	}
	return e, ok
}

// HostAddrs returns the addresses hosts lists for name, in file order.
func (r *Resolver) HostAddrs(name string) []netip.Addr {
	if r == nil {
		return nil
	}
	return r.hosts.LookupName(name)
}

// NetworkName returns the networks name of the IPv4 network number a
// (already masked). IPv6 networks have no names.
func (r *Resolver) NetworkName(a netip.Addr) (string, bool) {
	if r == nil {
		return "", false
	}
	n, ok := r.nets.Lookup(a)
	return n.Name, ok
}

// RouteDestName is netstat -r's name for a destination that is not the
// default route: the networks name of the masked IPv4 destination, else the
// host name of the destination address. A /0 prefix with a non-zero address
// gets a classful mask first, as Solaris pr_net does. IPv6 destinations only
// get host names (pr_prefix6). Glibc keeps network numbers left-aligned
// ("loopback 127" is 127.0.0.0), so the masked address is looked up as is,
// not shifted right as Solaris's getnetbyaddr expects.
func (r *Resolver) RouteDestName(p netip.Prefix) (string, bool) {
	if r == nil || !p.IsValid() {
		return "", false
	}
	if a := p.Addr().Unmap(); a.Is4() {
		if n, ok := r.NetworkName(maskV4(a, p.Bits())); ok {
			return n, true
		}
	}
	return r.HostName(p.Addr())
}

// InterfaceNetName is netstat -i's Net/Dest name: the networks name of the
// interface's network, else the host name of the interface's own address.
func (r *Resolver) InterfaceNetName(a netip.Addr, bits int) (string, bool) {
	if r == nil || !a.IsValid() {
		return "", false
	}
	if v4 := a.Unmap(); v4.Is4() {
		if n, ok := r.NetworkName(maskV4(v4, bits)); ok {
			return n, true
		}
	}
	return r.HostName(a)
}

// maskV4 masks a with bits, guessing a classful mask when bits is 0 and a
// is not 0.0.0.0.
func maskV4(a netip.Addr, bits int) netip.Addr {
	if bits <= 0 {
		bits = 32
		switch v := addrU32(a); {
		case v == 0:
			bits = 0
		case v>>31 == 0:
			bits = 8
		case v>>30 == 2:
			bits = 16
		case v>>29 == 6:
			bits = 24
		}
	}
	if bits > 32 {
		bits = 32
	}
	p, _ := a.Prefix(bits)
	return p.Addr()
}

// ServiceName returns the services name of port for proto ("tcp", "udp",
// "sctp"; "" for any), as getservbyport does.
func (r *Resolver) ServiceName(port uint16, proto string) (string, bool) {
	if r == nil {
		return "", false
	}
	s, ok := r.services.Lookup(port, proto)
	return s.Name, ok
}

// ServicePort returns the port of the service called name (or an alias).
func (r *Resolver) ServicePort(name, proto string) (uint16, bool) {
	if r == nil {
		return 0, false
	}
	s, ok := r.services.LookupName(name, proto)
	return s.Port, ok
}

// ProtocolName returns the protocols name of IP protocol number n.
func (r *Resolver) ProtocolName(n uint32) (string, bool) {
	if r == nil {
		return "", false
	}
	p, ok := r.protos.Lookup(n)
	return p.Name, ok
}

// ProtocolNumber returns the number of the protocol called name (or an alias).
func (r *Resolver) ProtocolNumber(name string) (uint32, bool) {
	if r == nil {
		return 0, false
	}
	p, ok := r.protos.LookupName(name)
	return p.Number, ok
}

// TableName returns the name of routing table id.
func (r *Resolver) TableName(id uint32) (string, bool) {
	if r == nil {
		return "", false
	}
	return r.tables.Name(id)
}

// TableID returns the id of the routing table called name.
func (r *Resolver) TableID(name string) (uint32, bool) {
	if r == nil {
		return 0, false
	}
	return r.tables.ID(name)
}

// Hosts, Networks, Services, Protocols and RouteTables return the parsed
// databases (nil when the file was not captured), for reports of skipped lines.
func (r *Resolver) Hosts() *Hosts {
	if r == nil {
		return nil
	}
	return r.hosts
}

func (r *Resolver) Networks() *Networks {
	if r == nil {
		return nil
	}
	return r.nets
}

func (r *Resolver) Services() *Services {
	if r == nil {
		return nil
	}
	return r.services
}

func (r *Resolver) Protocols() *Protocols {
	if r == nil {
		return nil
	}
	return r.protos
}

func (r *Resolver) RouteTables() *RouteTables {
	if r == nil {
		return nil
	}
	return r.tables
}

// Paths of the name databases on the captured host. iproute2 6.5 and later
// fall back to the vendor copies under /usr/share/iproute2 (and read
// drop-ins from /usr/lib/iproute2 on some distributions) when /etc has none.
const (
	PathHosts     = "/etc/hosts"
	PathNetworks  = "/etc/networks"
	PathServices  = "/etc/services"
	PathProtocols = "/etc/protocols"
)

var (
	rtTablesPaths  = []string{"/etc/iproute2/rt_tables", "/usr/share/iproute2/rt_tables", "/usr/lib/iproute2/rt_tables"}
	rtTablesDDirs  = []string{"/etc/iproute2/rt_tables.d", "/usr/share/iproute2/rt_tables.d", "/usr/lib/iproute2/rt_tables.d"}
	namesFilePaths = []string{PathHosts, PathNetworks, PathServices, PathProtocols}
)

// Paths lists the files and directories a capture should copy for New:
// exact files first, then directories whose *.conf files are wanted.
func Paths() (files, dirs []string) {
	files = append(append([]string(nil), namesFilePaths...), rtTablesPaths...)
	return files, append([]string(nil), rtTablesDDirs...)
}

// FilesFrom picks the name databases out of a snapshot's captured files
// (matched by their path on the captured host; files that could not be read
// count as missing). The first rt_tables found in the order /etc,
// /usr/share, /usr/lib is used; rt_tables.d/*.conf drop-ins follow it,
// sorted by file name, a file under /etc replacing a vendor one of the same
// name.
func FilesFrom(hostname string, files []snapshots.RawFile) Files {
	f := Files{Hostname: hostname}
	byPath := map[string][]byte{}
	for _, rf := range files {
		if rf.Err != "" {
			continue
		}
		data := rf.Data
		if data == nil {
			data = []byte{}
		}
		byPath[path.Clean(rf.Path)] = data
	}
	f.Hosts = byPath[PathHosts]
	f.Networks = byPath[PathNetworks]
	f.Services = byPath[PathServices]
	f.Protocols = byPath[PathProtocols]
	for _, p := range rtTablesPaths {
		if d, ok := byPath[p]; ok {
			f.RouteTables = append(f.RouteTables, d)
			break
		}
	}
	dropins := map[string][]byte{}
	for i := len(rtTablesDDirs) - 1; i >= 0; i-- { // /etc last, so it wins
		for p, d := range byPath {
			if path.Dir(p) == rtTablesDDirs[i] && strings.HasSuffix(p, ".conf") {
				dropins[path.Base(p)] = d
			}
		}
	}
	keys := make([]string, 0, len(dropins))
	for k := range dropins {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		f.RouteTables = append(f.RouteTables, dropins[k])
	}
	return f
}
