package sosreport

import (
	"path"
	"strings"
	"sync"

	"github.com/netmortem/netmortem/analyze/names"
	"github.com/netmortem/netmortem/capture/leases"
	"github.com/netmortem/netmortem/capture/procnet"
)

// The members the importer reads. Everything else in a bundle (logs, the
// other plugins' files, /proc/net/nf_conntrack, which can be huge) is
// skipped while streaming, so memory stays proportional to what is used.
// The computed sets are built on first use, not at start-up of every
// command.

// procNetFiles are the /proc/net files read, as in a live capture.
var procNetFiles = map[string]bool{
	"tcp": true, "tcp6": true, "udp": true, "udp6": true, "udplite": true, "udplite6": true,
	"raw": true, "raw6": true, "unix": true, "packet": true, "igmp": true, "igmp6": true,
	"mcfilter": true, "mcfilter6": true, "dev_mcast": true, "ip_mr_vif": true, "ip6_mr_vif": true,
	"ip_mr_cache": true, "ip6_mr_cache": true, "snmp": true, "netstat": true, "snmp6": true,
	"sockstat": true, "sockstat6": true, "protocols": true, "softnet_stat": true, "dev": true,
	"if_inet6": true, "arp": true, "route": true, "ipv6_route": true, "fib_trie": true,
	"sctp/eps": true, "sctp/assocs": true, "sctp/remaddr": true, "sctp/snmp": true,
}

var memorySysctlSet = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, s := range procnet.MemorySysctls {
		m["proc/sys/net/"+s] = true
	}
	return m
})

// iprouteFiles are iproute2's name databases besides rt_tables.
var iprouteFiles = []string{"rt_protos", "rt_scopes", "rt_realms", "group"}

var rootFiles = map[string]bool{"version.txt": true, "hostname": true, "uname": true, "uptime": true,
	"date": true, "sos_reports/manifest.json": true, "manifest.json": true, "etc/hostname": true, "etc/localtime": true,
	"proc/slabinfo": true, "proc/stat": true, "proc/uptime": true,
	"sos_commands/host/hostname": true, "sos_commands/host/hostname_-f": true,
	"sos_commands/general/hostname": true, "sos_commands/kernel/uname_-a": true,
	"sos_commands/general/uname_-a": true, "sos_commands/date/date": true,
	"sos_commands/date/date_--utc": true, "sos_commands/general/date": true,
	"sos_commands/kernel/sysctl_-a": true,
}

var nameFiles = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	files, _ := names.Paths()
	for _, f := range files {
		m[strings.TrimPrefix(f, "/")] = true
	}
	for _, d := range []string{"etc/iproute2", "usr/share/iproute2", "usr/lib/iproute2"} {
		for _, f := range iprouteFiles {
			m[d+"/"+f] = true
		}
	}
	return m
})

var nameDirs = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	_, dirs := names.Paths()
	for _, d := range dirs {
		m[strings.TrimPrefix(d, "/")] = true
	}
	return m
})

var leaseDirs = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, d := range leases.Dirs() {
		m[strings.TrimPrefix(d, "/")] = true
	}
	return m
})

// netDirRel returns the part of rel below a copied /proc/net directory
// (proc/net, proc/self/net, proc/<pid>/net), or "" when rel is not there.
func netDirRel(rel string) string {
	rest, ok := strings.CutPrefix(rel, "proc/")
	if !ok {
		return ""
	}
	if r, ok := strings.CutPrefix(rest, "net/"); ok {
		return r
	}
	pid, r, ok := strings.Cut(rest, "/")
	if !ok || !(pid == "self" || isDigits(pid)) {
		return ""
	}
	r, _ = strings.CutPrefix(r, "net/")
	if !strings.HasPrefix(rest, pid+"/net/") {
		return ""
	}
	return r
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// wanted reports whether the regular file at rel is read.
func wanted(rel string) bool {
	if rootFiles[rel] || nameFiles()[rel] || memorySysctlSet()[rel] {
		return true
	}
	if n := netDirRel(rel); n != "" {
		return procNetFiles[n] || strings.HasPrefix(n, "dev_snmp6/") && !strings.Contains(n[len("dev_snmp6/"):], "/")
	}
	dir := path.Dir(rel)
	switch {
	case path.Base(rel) == "net.tar" && (dir == "proc" || strings.HasPrefix(dir, "proc/") && strings.Count(dir, "/") == 1):
		return true
	case nameDirs()[dir] && strings.HasSuffix(rel, ".conf"):
		return true
	case leaseDirs()[dir]:
		return true
	case strings.HasPrefix(rel, "sos_commands/networking/"):
		return commandWanted(path.Base(rel))
	case strings.HasPrefix(rel, "sos_strings/networking/"):
		return strings.HasSuffix(rel, ".tailed")
	case strings.HasPrefix(rel, "sys/"):
		return sysWanted(rel)
	}
	return false
}

// sysWanted accepts the per-device flags, counters and NUMA node the
// networking plugin copies (under sys/class/net or the sys/devices
// directories its links point to).
func sysWanted(rel string) bool {
	i := strings.LastIndex(rel, "/net/")
	if i < 0 {
		return false
	}
	dev, rest, ok := strings.Cut(rel[i+len("/net/"):], "/")
	if !ok || dev == "" {
		return false
	}
	return rest == "flags" || rest == "device/numa_node" ||
		strings.HasPrefix(rest, "statistics/") && !strings.Contains(rest[len("statistics/"):], "/")
}

// commandWanted accepts the outputs of the commands the importer parses
// (with or without an "ip_netns_exec_NS_" prefix, and their .tailed
// forms).
func commandWanted(name string) bool {
	name = strings.TrimSuffix(name, ".tailed")
	if rest, ok := strings.CutPrefix(name, "ip_netns_exec_"); ok {
		for _, c := range commandPrefixes {
			if strings.Contains(rest, "_"+c) {
				return true
			}
		}
		return false
	}
	if name == "ip_netns" {
		return true
	}
	for _, c := range commandPrefixes {
		if strings.HasPrefix(name, c) {
			return true
		}
	}
	return false
}

var commandPrefixes = []string{"ip_", "netstat_", "ss_", "route_", "sysctl_-a", "nstat_"}

// wantedDir reports whether a directory may hold wanted members, to prune
// a directory walk.
func wantedDir(rel string) bool {
	for _, root := range []string{"proc", "sys", "etc", "usr", "var", "run", "sos_commands",
		"sos_reports", "sos_strings"} {
		if rel == root || strings.HasPrefix(rel, root+"/") {
			switch {
			case strings.HasPrefix(rel, "proc/sys/") && !strings.HasPrefix(rel, "proc/sys/net"):
				return false
			case strings.HasPrefix(rel, "sos_commands/") && strings.Count(rel, "/") == 1:
				switch path.Base(rel) {
				case "networking", "host", "kernel", "date", "general":
					return true
				}
				return false
			}
			return true
		}
	}
	return false
}

// wantedAny reports whether a symbolic link at rel is kept: every link is
// (they are small and bounded in number), so that paths through them
// resolve.
func wantedAny(rel string) bool { return rel != "" }
