// Package leases reads the lease files DHCP clients leave on a Linux host —
// ISC dhclient (v4 and v6, also under NetworkManager), NetworkManager's
// internal client, systemd-networkd, dhcpcd and wicked — into
// snapshots.Lease rows, the data behind netstat -D.
//
// The kernel keeps no DHCP state, so these files are all there is. Each
// parser takes the file's path on the captured host, its bytes and its
// modification time (some clients only record durations, counted from the
// time they wrote the file) and never touches the file system; Discover
// finds the files under a root directory, a live "/" or a sosreport's tree.
// Every value a file holds is kept in Lease.Options, in file order.
package leases

import (
	"errors"
	"fmt"
	"net/netip"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/netmortem/netmortem/snapshots"
)

// Client names recorded in snapshots.Lease.Client.
const (
	ClientDhclient       = "dhclient"
	ClientNetworkManager = "NetworkManager"
	ClientNetworkd       = "systemd-networkd"
	ClientDhcpcd         = "dhcpcd"
	ClientWicked         = "wicked"
)

// Kind says which parser reads a lease file.
type Kind int

const (
	KindDhclient   Kind = iota + 1 // ISC dhclient text, v4 and v6 (also NetworkManager's dhclient-*.lease)
	KindNMInternal                 // NetworkManager internal client: ADDRESS= only
	KindNetworkd                   // systemd-networkd, KEY=VALUE or JSON, named by ifindex
	KindDhcpcd                     // dhcpcd: the raw DHCPv4 reply
	KindDhcpcd6                    // dhcpcd: the raw DHCPv6 reply
	KindWicked                     // wicked XML
)

func (k Kind) String() string {
	switch k {
	case KindDhclient:
		return "dhclient"
	case KindNMInternal:
		return "nm-internal"
	case KindNetworkd:
		return "networkd"
	case KindDhcpcd:
		return "dhcpcd"
	case KindDhcpcd6:
		return "dhcpcd6"
	case KindWicked:
		return "wicked"
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// MaxFileSize bounds the lease files Parse accepts. dhclient appends a
// block per renewal; a year of hourly renewals stays well below it.
const MaxFileSize = 32 << 20

// ErrUnsupported is returned for a path that is not a known lease file.
var ErrUnsupported = errors.New("not a known DHCP lease file")

// Parse reads one lease file, choosing the parser from its path on the
// captured host (see Classify). ifnames maps interface indexes to names for
// systemd-networkd, whose files are named by index.
func Parse(hostPath string, data []byte, modTime time.Time, ifnames map[int32]string) ([]snapshots.Lease, error) {
	c, ok := Classify(hostPath)
	if !ok {
		return nil, fmt.Errorf("%s: %w", hostPath, ErrUnsupported)
	}
	switch c.Kind {
	case KindDhclient:
		return ParseDhclient(hostPath, data, modTime)
	case KindNMInternal:
		return ParseNMInternal(hostPath, data, modTime)
	case KindNetworkd:
		return ParseNetworkd(hostPath, data, modTime, ifnames)
	case KindDhcpcd:
		return ParseDhcpcd(hostPath, data, modTime)
	case KindDhcpcd6:
		return ParseDhcpcd6(hostPath, data, modTime)
	case KindWicked:
		return ParseWicked(hostPath, data, modTime)
	}
	return nil, fmt.Errorf("%s: %w", hostPath, ErrUnsupported)
}

// Candidate is a lease file: its path on the captured host and how to read it.
type Candidate struct {
	Path   string // path on the captured host, e.g. /var/lib/dhcp/dhclient.eth0.leases
	Kind   Kind
	Client string
}

// Classify tells from a path on the captured host whether it is a lease
// file this package reads, and which.
func Classify(hostPath string) (Candidate, bool) {
	p := path.Clean("/" + hostPath)
	dir, base := path.Split(p)
	dir = strings.TrimSuffix(dir, "/")
	c := Candidate{Path: p}
	switch {
	case dir == "/var/lib/dhcp" && strings.HasPrefix(base, "dhclient") && strings.HasSuffix(base, ".leases"),
		dir == "/var/lib/dhclient" && (strings.HasSuffix(base, ".leases") || strings.HasSuffix(base, ".lease")):
		c.Kind, c.Client = KindDhclient, ClientDhclient
	case dir == "/var/lib/NetworkManager" && (strings.HasPrefix(base, "dhclient-") || strings.HasPrefix(base, "dhclient6-")) &&
		strings.HasSuffix(base, ".lease"):
		c.Kind, c.Client = KindDhclient, ClientNetworkManager
	case dir == "/var/lib/NetworkManager" && (strings.HasPrefix(base, "internal-") || strings.HasPrefix(base, "internal6-")) &&
		strings.HasSuffix(base, ".lease"):
		c.Kind, c.Client = KindNMInternal, ClientNetworkManager
	case dir == "/run/systemd/netif/leases" && isDigits(base):
		c.Kind, c.Client = KindNetworkd, ClientNetworkd
	case isDhcpcdDir(dir, base) && strings.HasSuffix(base, ".lease6"):
		c.Kind, c.Client = KindDhcpcd6, ClientDhcpcd
	case isDhcpcdDir(dir, base) && strings.HasSuffix(base, ".lease"):
		c.Kind, c.Client = KindDhcpcd, ClientDhcpcd
	case dir == "/var/lib/wicked" && strings.HasPrefix(base, "lease-") && strings.HasSuffix(base, ".xml"):
		c.Kind, c.Client = KindWicked, ClientWicked
	default:
		return Candidate{}, false
	}
	return c, true
}

// dhcpcdDirs are dhcpcd's database directories: distribution builds, the
// upstream default, and Debian's old dhcpcd5 package.
var dhcpcdDirs = []string{"/var/lib/dhcpcd", "/var/db/dhcpcd", "/var/lib/dhcpcd5"}

func isDhcpcdDir(dir, base string) bool {
	for _, d := range dhcpcdDirs {
		if dir == d {
			return true
		}
	}
	// dhcpcd 5 and older kept dhcpcd-<iface>.lease directly in /var/db.
	return dir == "/var/db" && strings.HasPrefix(base, "dhcpcd-")
}

func isDigits(s string) bool {
	if s == "" || len(s) > 10 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ifaceFromName guesses the interface from a lease file's name:
// dhclient.eth0.leases, dhclient6-eth0.leases,
// dhclient-<uuid>-eth0.lease, internal-<uuid>-eth0.lease, eth0.lease6,
// dhcpcd-eth0.lease, lease-eth0-dhcp-ipv4.xml. "" when the name has none
// (the shared /var/lib/dhcp/dhclient.leases).
func ifaceFromName(hostPath string) string {
	base := path.Base(hostPath)
	for _, suf := range []string{".leases", ".lease6", ".lease", "-dhcp-ipv4.xml", "-dhcp-ipv6.xml", ".xml"} {
		if strings.HasSuffix(base, suf) {
			base = strings.TrimSuffix(base, suf)
			break
		}
	}
	for _, pre := range []string{"dhclient6.", "dhclient6-", "dhclient.", "dhclient-", "internal6-", "internal-", "dhcpcd-", "lease-"} {
		if strings.HasPrefix(base, pre) {
			base = strings.TrimPrefix(base, pre)
			break
		}
	}
	if base == "dhclient" || base == "dhclient6" {
		return ""
	}
	// NetworkManager puts the connection UUID first.
	if len(base) > 37 && base[36] == '-' && isUUID(base[:36]) {
		base = base[37:]
	}
	return base
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// maskBits returns the prefix length of a contiguous IPv4 netmask.
func maskBits(m netip.Addr) (uint8, bool) {
	if !m.Is4() {
		return 0, false
	}
	b := m.As4()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	n := uint8(0)
	for v&0x80000000 != 0 {
		n++
		v <<= 1
	}
	return n, v == 0
}

// addSeconds returns t + s, or the zero time when t is zero.
func addSeconds(t time.Time, s uint32) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.Add(time.Duration(s) * time.Second)
}

// infinite is the DHCP "infinite" lease time (RFC 2131 §3.3, RFC 8415 §7.7).
const infinite = 0xffffffff
