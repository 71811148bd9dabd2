package leases

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
)

// leaseDirs are the directories, on the captured host, where DHCP clients
// keep their leases.
var leaseDirs = []string{
	"/var/lib/dhcp",             // Debian/Ubuntu dhclient
	"/var/lib/dhclient",         // RHEL/Fedora dhclient
	"/var/lib/NetworkManager",   // NetworkManager (dhclient and internal)
	"/run/systemd/netif/leases", // systemd-networkd
	"/var/lib/dhcpcd",           // dhcpcd, distribution builds
	"/var/db/dhcpcd",            // dhcpcd, upstream default
	"/var/lib/dhcpcd5",          // Debian's old dhcpcd5
	"/var/db",                   // dhcpcd 5 and older: dhcpcd-<iface>.lease
	"/var/lib/wicked",           // SUSE wicked
}

// Dirs returns the directories, as paths on the captured host, that
// Discover looks into, for a capture that copies them some other way.
func Dirs() []string { return append([]string(nil), leaseDirs...) }

// Found is a lease file Discover found.
type Found struct {
	Candidate
	File string // where to read it: Path under the root given to Discover
	Size int64
}

// Discover lists the lease files under root, a live "/" or the root of a
// copied tree (a sosreport). It looks only into the known lease
// directories, does not descend into subdirectories, and skips anything
// that is not a regular file, symbolic links included, so that a hostile
// tree cannot point it outside root. Missing directories are not errors;
// other failures to list one are returned, joined, with what was found.
func Discover(root string) ([]Found, error) {
	var out []Found
	var errs []error
	for _, dir := range leaseDirs {
		local := filepath.Join(root, filepath.FromSlash(dir))
		if !insideRoot(root, local) {
			continue
		}
		ents, err := os.ReadDir(local)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, err)
			}
			continue
		}
		for _, e := range ents {
			if !e.Type().IsRegular() {
				continue
			}
			c, ok := Classify(path.Join(dir, e.Name()))
			if !ok {
				continue
			}
			f := Found{Candidate: c, File: filepath.Join(local, e.Name())}
			if info, err := e.Info(); err == nil {
				f.Size = info.Size()
			}
			out = append(out, f)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, errors.Join(errs...)
}

// insideRoot guards against a root whose lease directories are symbolic
// links leading elsewhere (a copied tree from a customer).
func insideRoot(root, dir string) bool {
	r, err := filepath.EvalSymlinks(root)
	if err != nil {
		return false
	}
	d, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return true // missing: ReadDir will say so
	}
	rel, err := filepath.Rel(r, d)
	return err == nil && rel != ".." && !startsWithDotDot(rel)
}

func startsWithDotDot(rel string) bool {
	return len(rel) >= 3 && rel[:3] == ".."+string(filepath.Separator)
}
