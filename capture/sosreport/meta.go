package sosreport

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/netmortem/netmortem/snapshots"
)

// manifest is the part of sos_reports/manifest.json the importer uses.
type manifest struct {
	Version    string `json:"version"`
	Cmdline    string `json:"cmdline"`
	StartTime  string `json:"start_time"`
	EndTime    string `json:"end_time"`
	Components struct {
		Cleaner *json.RawMessage `json:"cleaner"`
		Report  struct {
			Plugins map[string]struct {
				TimeoutHit bool `json:"timeout_hit"`
				Commands   []struct {
					Exec       string `json:"exec"`
					Filepath   string `json:"filepath"`
					ReturnCode *int   `json:"return_code"`
					Truncated  bool   `json:"truncated"`
				} `json:"commands"`
			} `json:"plugins"`
		} `json:"report"`
	} `json:"components"`
}

// commandInfo is what the manifest says about one collected output.
type commandInfo struct {
	exec       string
	returnCode int // -1 unknown
	truncated  bool
}

// maxManifest bounds the manifest parsed (a real one is a few MB).
const maxManifest = 64 << 20

// ParseManifest reads sos_reports/manifest.json: the sos version, its
// command line, start and end times (as written: local time, no zone),
// and per collected command output its return code and whether sos
// tailed it.
func ParseManifest(data []byte) (version, cmdline, start, end string, cmds map[string]commandInfo, err error) {
	version, cmdline, start, end, cmds, _, err = parseManifest(data)
	return
}

func parseManifest(data []byte) (version, cmdline, start, end string, cmds map[string]commandInfo, cleaned bool, err error) {
	if len(data) > maxManifest {
		return "", "", "", "", nil, false, fmt.Errorf("manifest of %d bytes is larger than %d", len(data), maxManifest)
	}
	var m manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return "", "", "", "", nil, false, fmt.Errorf("manifest.json: %w", err)
	}
	cmds = map[string]commandInfo{}
	for _, p := range m.Components.Report.Plugins {
		for _, c := range p.Commands {
			if c.Filepath == "" {
				continue
			}
			ci := commandInfo{exec: c.Exec, returnCode: -1, truncated: c.Truncated}
			if c.ReturnCode != nil {
				ci.returnCode = *c.ReturnCode
			}
			if fp, err := cleanMember(c.Filepath); err == nil {
				cmds[fp] = ci
			}
		}
	}
	return m.Version, m.Cmdline, m.StartTime, m.EndTime, cmds, m.Components.Cleaner != nil, nil
}

// uname is what `uname -a` says.
type uname struct {
	node, release, version, machine string
}

// knownArches are machine names uname prints; processor and platform
// repeat the machine or print "unknown".
var knownArches = map[string]bool{"x86_64": true, "i386": true, "i486": true, "i586": true,
	"i686": true, "aarch64": true, "aarch64_be": true, "arm64": true, "armv7l": true, "armv6l": true,
	"armv5tel": true, "armv7b": true, "s390x": true, "s390": true, "ppc64": true, "ppc64le": true,
	"ppc": true, "ppcle": true, "mips": true, "mipsel": true, "mips64": true, "mips64el": true,
	"riscv64": true, "riscv32": true, "loongarch64": true, "sparc64": true, "sparc": true,
	"ia64": true, "alpha": true, "parisc": true, "parisc64": true, "m68k": true, "sh4": true,
	"unknown": true}

// bigEndianArches are the machines whose byte order is big-endian.
var bigEndianArches = map[string]bool{"s390x": true, "s390": true, "ppc64": true, "ppc": true,
	"mips": true, "mips64": true, "sparc64": true, "sparc": true, "parisc": true, "parisc64": true,
	"m68k": true, "armv7b": true, "aarch64_be": true}

// parseUname reads "Linux NODE RELEASE VERSION… MACHINE [PROCESSOR
// PLATFORM] GNU/Linux"; the version has blanks, so the machine is found
// from the end.
func parseUname(s string) (uname, bool) {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	f := strings.Fields(s)
	if len(f) < 4 || f[0] != "Linux" {
		return uname{}, false
	}
	u := uname{node: f[1], release: f[2]}
	rest := f[3:]
	if n := len(rest); n > 0 && strings.Contains(rest[n-1], "Linux") {
		rest = rest[:n-1]
	}
	// The trailing run of machine-like words: machine [processor [platform]].
	end := len(rest)
	start := end
	for start > 0 && end-start < 3 && knownArches[rest[start-1]] {
		start--
	}
	if start == end || start == 0 {
		return u, false
	}
	u.machine = rest[start]
	if u.machine == "unknown" {
		return u, false
	}
	u.version = strings.Join(rest[:start], " ")
	return u, true
}

// orderFromRoute infers the byte order from /proc/net/route's Mask
// column: a netmask is contiguous ones in network order, so only one of
// the two readings of a non-trivial mask is a valid mask.
func orderFromRoute(data []byte) (binary.ByteOrder, bool) {
	for _, l := range strings.Split(string(data), "\n")[1:] {
		f := strings.Fields(l)
		if len(f) < 8 || len(f[7]) != 8 {
			continue
		}
		v, err := strconv.ParseUint(f[7], 16, 32)
		if err != nil || v == 0 || v == 0xffffffff {
			continue
		}
		asBE := uint32(v)
		asLE := asBE>>24 | asBE>>8&0xff00 | asBE<<8&0xff0000 | asBE<<24
		okBE, okLE := contiguous(asBE), contiguous(asLE)
		switch {
		case okBE && !okLE:
			return binary.BigEndian, true
		case okLE && !okBE:
			return binary.LittleEndian, true
		}
	}
	return nil, false
}

func contiguous(m uint32) bool { return m != 0 && (^m)&(^m+1) == 0 }

// sosTimeLayouts are the forms sos writes start_time in.
var sosTimeLayouts = []string{"2006-01-02 15:04:05.999999999", "2006-01-02 15:04:05",
	"2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05"}

// parseSosTime reads a manifest time. With a zone (RFC 3339) it is
// exact; without, it is local time at loc.
func parseSosTime(s string, loc *time.Location) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), true
	}
	for _, l := range sosTimeLayouts {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// dateLayout is date(1)'s default output.
const dateLayout = "Mon Jan _2 15:04:05 MST 2006"

// zoneFromDate derives the host's UTC offset from `date` and `date
// --utc`, run a moment apart; the difference is rounded to 15 minutes.
func zoneFromDate(local, utc []byte) (*time.Location, bool) {
	l, err1 := time.Parse(dateLayout, strings.TrimSpace(firstLine(local)))
	u, err2 := time.Parse(dateLayout, strings.TrimSpace(firstLine(utc)))
	if err1 != nil || err2 != nil {
		return nil, false
	}
	// Compare the wall clocks, whatever zone the names parsed into.
	lw := time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), 0, time.UTC)
	uw := time.Date(u.Year(), u.Month(), u.Day(), u.Hour(), u.Minute(), u.Second(), 0, time.UTC)
	off := lw.Sub(uw).Round(15 * time.Minute)
	if off < -14*time.Hour || off > 14*time.Hour {
		return nil, false
	}
	name, _ := l.Zone()
	return time.FixedZone(name, int(off/time.Second)), true
}

func firstLine(b []byte) string {
	s, _, _ := strings.Cut(string(b), "\n")
	return s
}

// bootTime reads btime from a copied /proc/stat.
func bootTime(stat []byte) (time.Time, bool) {
	for _, l := range strings.Split(string(stat), "\n") {
		if v, ok := strings.CutPrefix(l, "btime "); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err == nil && n > 0 {
				return time.Unix(n, 0).UTC(), true
			}
		}
	}
	return time.Time{}, false
}

// namespaceList reads `ip netns` output: "name" or "name (id: N)".
func namespaceList(data []byte) (names []string, nsid map[string]int32) {
	nsid = map[string]int32{}
	for _, l := range strings.Split(string(data), "\n") {
		f := strings.Fields(l)
		if len(f) == 0 || strings.ContainsAny(f[0], "/:") || len(f[0]) > 255 {
			continue
		}
		names = append(names, f[0])
		if len(f) >= 3 && f[1] == "(id:" {
			if n, err := strconv.ParseInt(strings.TrimSuffix(f[2], ")"), 10, 32); err == nil {
				nsid[f[0]] = int32(n)
			}
		}
	}
	return names, nsid
}

// sourceMeta fills the metadata a bundle gives; the warnings say what had
// to be assumed.
func (im *importer) meta() snapshots.Meta {
	b := im.b
	m := snapshots.Meta{ClockTicks: im.ticks, Source: snapshots.Source{Kind: "sosreport", Origin: b.Name}}
	d, _, ok := b.File("sos_reports/manifest.json")
	if !ok {
		d, _, ok = b.File("manifest.json")
	}
	if ok {
		v, cmdline, start, end, cmds, cleaned, err := parseManifest(d)
		if err != nil {
			im.warn("sos_reports/manifest.json: %v", err)
		} else {
			im.manifest = cmds
			im.version, im.sosCmdline, im.start, im.end = v, cmdline, start, end
			im.cleaned = cleaned
		}
	} else {
		im.warn("sos_reports/manifest.json is missing: no capture time, sos version or command return codes")
	}
	if im.version == "" {
		if d, _, ok := b.File("version.txt"); ok {
			for _, l := range strings.Split(string(d), "\n") {
				if v, ok := strings.CutPrefix(l, "sosreport: "); ok {
					im.version = strings.TrimSpace(v)
				}
			}
		}
	}
	if im.version != "" {
		m.Source.Detail = "sos " + im.version
	}
	if im.cleaned || strings.Contains(b.Name, "-obfuscated") {
		m.Source.Detail = strings.TrimSpace(m.Source.Detail + ", cleaned")
		im.warn("the bundle was obfuscated by sos clean: addresses, host names and MACs in command outputs and " +
			"dotted /proc tables are replaced, the hex /proc tables (sockets, routes) are not — views built from the " +
			"two disagree, and names print as the cleaner left them")
	}

	// Host name and kernel.
	for _, p := range []string{"hostname", "sos_commands/host/hostname", "sos_commands/general/hostname", "etc/hostname"} {
		if d, _, ok := b.File(p); ok && len(strings.TrimSpace(string(d))) > 0 {
			m.Hostname = strings.TrimSpace(firstLine(d))
			break
		}
	}
	un, unameFound := uname{}, false
	for _, p := range []string{"uname", "sos_commands/kernel/uname_-a", "sos_commands/general/uname_-a"} {
		if d, _, ok := b.File(p); ok {
			if un, unameFound = parseUname(string(d)); unameFound {
				break
			}
		}
	}
	if unameFound {
		m.KernelRelease, m.KernelVersion, m.Machine = un.release, un.version, un.machine
		m.BigEndian = bigEndianArches[un.machine]
		if m.Hostname == "" {
			m.Hostname = un.node
		}
		if !knownArches[un.machine] {
			im.warn("uname machine %q is not a known architecture: byte order assumed little-endian", un.machine)
		}
	} else {
		order, ok := binary.ByteOrder(nil), false
		if d, _, found := b.File("proc/net/route"); found {
			order, ok = orderFromRoute(d)
		}
		switch {
		case ok:
			m.BigEndian = order == binary.BigEndian
			im.warn("no uname output in the bundle: byte order %s inferred from proc/net/route's netmasks", orderName(m.BigEndian))
		default:
			im.warn("no uname output in the bundle and no netmask to tell the byte order: /proc addresses decoded as little-endian")
		}
	}
	if m.BigEndian {
		im.order = binary.BigEndian
	}

	// Capture time: the manifest's local times, placed in the host's zone.
	loc, zoneWhy := im.zone()
	if im.start != "" {
		if t, ok := parseSosTime(im.start, loc); ok {
			m.CaptureStart = t
		} else {
			im.warn("manifest start_time %q not understood", im.start)
		}
		if t, ok := parseSosTime(im.end, loc); ok {
			m.CaptureEnd = t
		}
		if zoneWhy != "" && !strings.Contains(im.start, "+") && !strings.HasSuffix(im.start, "Z") {
			im.warn("%s", zoneWhy)
		}
	}
	if d, _, ok := b.File("proc/stat"); ok {
		if t, ok := bootTime(d); ok {
			m.BootTime = t
		}
	}
	return m
}

func orderName(big bool) string {
	if big {
		return "big-endian"
	}
	return "little-endian"
}

// zone finds the captured host's time zone: `date` against `date --utc`,
// else the copied /etc/localtime; why says what was assumed when neither
// is there.
func (im *importer) zone() (*time.Location, string) {
	b := im.b
	l, ok1, u, ok2 := []byte(nil), false, []byte(nil), false
	for _, p := range []string{"sos_commands/date/date", "date", "sos_commands/general/date"} {
		if l, _, ok1 = b.File(p); ok1 {
			break
		}
	}
	u, _, ok2 = b.File("sos_commands/date/date_--utc")
	if ok1 && ok2 {
		if loc, ok := zoneFromDate(l, u); ok {
			return loc, ""
		}
	}
	if d, _, ok := b.File("etc/localtime"); ok && len(d) < 1<<16 {
		if loc, err := time.LoadLocationFromTZData("localtime", d); err == nil {
			return loc, ""
		}
	}
	return time.UTC, "the host's time zone is not in the bundle (no date output, no etc/localtime): manifest times read as UTC"
}
