package leases

import (
	"bytes"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/netmortem/netmortem/snapshots"
)

// ParseNMInternal reads a lease file of NetworkManager's internal DHCP
// client (internal-<uuid>-<iface>.lease). NetworkManager keeps only the
// address there, to ask for it again; times and server live in the running
// daemon alone, so the lease has no times. IPv6 files (internal6-…) give an
// IPv6 row.
func ParseNMInternal(hostPath string, data []byte, modTime time.Time) ([]snapshots.Lease, error) {
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("%s: %d bytes is more than a lease file can be", hostPath, len(data))
	}
	l := snapshots.Lease{Interface: ifaceFromName(hostPath), Client: ClientNetworkManager, SourceFile: hostPath, ModTime: modTime}
	for _, line := range bytes.Split(data, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		k, v, ok := strings.Cut(string(line), "=")
		if !ok {
			return nil, fmt.Errorf("%s: line %q is not KEY=VALUE", hostPath, truncate(string(line)))
		}
		l.Options = append(l.Options, snapshots.Sysctl{Name: k, Value: v})
		if k == "ADDRESS" {
			a, err := netip.ParseAddr(v)
			if err != nil || a.Zone() != "" {
				return nil, fmt.Errorf("%s: bad ADDRESS %q", hostPath, truncate(v))
			}
			l.Address = a
		}
	}
	if !l.Address.IsValid() {
		return nil, fmt.Errorf("%s: no ADDRESS", hostPath)
	}
	l.Family = snapshots.AFInet // the prefix length is not recorded
	if l.Address.Is6() {
		l.Family = snapshots.AFInet6
	}
	return []snapshots.Lease{l}, nil
}

// truncate shortens s for an error message.
func truncate(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
