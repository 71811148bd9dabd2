// Package sosreport turns a sosreport — the support bundle of the sos
// tool, as an extracted directory or its tar archive — into a netmortem
// snapshot.
//
// The namespace sos ran in gets its tables from the copied /proc/net files
// (through the same parsers as a live capture, with the byte order of the
// bundle's architecture) and, where /proc lacks the data, from the
// collected command outputs: ip route/address/link/neigh/rule/maddr/
// mroute, netstat and ss (see package iptext). Every namespace sos ran
// commands in (`ip netns exec NAME …`) becomes another namespace with the
// tables its outputs allow. Every table records the bundle members it
// came from and whether it is complete; outputs that sos cut at its size
// limit, that failed, or that the bundle lacks are reported, not guessed.
//
// A bundle is untrusted input: it is read into memory without writing
// anything, names that are absolute or contain ".." are refused, links
// are resolved only inside the bundle, devices and fifos are skipped, and
// member sizes, the total and the decompression ratio are bounded (see
// Limits). Each refusal becomes a warning in the snapshot's metadata.
package sosreport

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"time"

	"github.com/netmortem/netmortem/snapshots"
)

// Options tunes an import.
type Options struct {
	Limits      Limits
	ClockTicks  uint32 // USER_HZ of the captured host; 0 means 100
	CommandLine []string
	ToolVersion string
}

// Namespace is what was read for one network namespace.
type Namespace struct {
	Info   snapshots.NamespaceInfo
	Tables snapshots.Tables
	Status map[snapshots.Table]snapshots.Status
}

// Result is everything needed to write a snapshot.
type Result struct {
	Meta       snapshots.Meta
	Names      snapshots.Tables // host scope: the name files
	NameStatus snapshots.Status
	Namespaces []Namespace
}

type importer struct {
	b        *Bundle
	order    binary.ByteOrder
	ticks    uint32
	manifest map[string]commandInfo
	version  string
	start    string
	end      string
	warnings []string
	// sosCmdline is sos's own command line, from the manifest.
	sosCmdline string
	cleaned    bool             // sos clean ran over the bundle
	nsids      map[string]int32 // namespace name → nsid, from `ip netns`
	nsListed   []string
	names      nameDBs
	at         time.Time
}

func (im *importer) warn(format string, args ...any) {
	im.warnings = append(im.warnings, fmt.Sprintf(format, args...))
}

// Import reads the sosreport at path (a directory or an archive).
func Import(ctx context.Context, path string, o Options) (*Result, error) {
	b, err := Open(path, o.Limits)
	if err != nil {
		return nil, err
	}
	return FromBundle(ctx, b, o)
}

// FromBundle builds the snapshot content from an opened bundle.
func FromBundle(ctx context.Context, b *Bundle, o Options) (*Result, error) {
	if b.Len() == 0 {
		return nil, fmt.Errorf("%s: no sosreport members found (not a sosreport?)%s", b.Name, b.warningSummary())
	}
	im := &importer{b: b, order: binary.LittleEndian, ticks: o.ClockTicks}
	if im.ticks == 0 {
		im.ticks = 100
	}
	if _, _, ok := b.File("sos_reports/manifest.json"); !ok && len(b.Dir("sos_commands")) == 0 {
		if _, _, ok := b.File("version.txt"); !ok {
			return nil, fmt.Errorf("%s: not a sosreport (no sos_commands, sos_reports/manifest.json or version.txt)%s", b.Name, b.warningSummary())
		}
	}
	meta := im.meta()
	meta.CommandLine = o.CommandLine
	meta.ToolVersion = o.ToolVersion
	im.at = meta.CaptureStart
	res := &Result{}
	res.NameStatus, res.Names = im.nameTables()
	if d, _, ok := b.File("sos_commands/networking/ip_netns"); ok {
		im.nsListed, im.nsids = namespaceList(d)
	}

	host := &nsImport{im: im, name: "", host: true, status: map[snapshots.Table]snapshots.Status{}}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	host.hostTables()
	res.Namespaces = append(res.Namespaces, host.result(0))

	others, unused := im.otherNamespaces()
	for i, name := range others {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		ns := &nsImport{im: im, name: name, status: map[snapshots.Table]snapshots.Status{}}
		ns.namespaceTables()
		res.Namespaces = append(res.Namespaces, ns.result(i+1))
	}
	if len(unused) > 0 {
		im.warn("%d namespace(s) listed by `ip netns` have no collected output (sos's namespace options limit them): %s",
			len(unused), strings.Join(unused, ", "))
	}
	meta.Warnings = append(b.Warnings(), im.warnings...)
	res.Meta = meta
	if n := validUTF8(res); n > 0 {
		res.Meta.Warnings = append(res.Meta.Warnings, fmt.Sprintf(
			"%d text field(s) held invalid UTF-8 and were stored with U+FFFD in its place (the files table keeps the members' bytes)", n))
	}
	return res, nil
}

func (ns *nsImport) result(id int) Namespace {
	info := snapshots.NamespaceInfo{ID: id, Name: ns.name, Host: ns.host}
	if ns.host {
		info.Hints = []string{"the namespace sos ran in"}
	} else {
		info.Hints = []string{"commands run with ip netns exec " + ns.name}
	}
	return Namespace{Info: info, Tables: ns.ts, Status: ns.status}
}

// Write writes r as a one-frame snapshot at path (atomically).
func Write(path string, r *Result) error {
	w, err := snapshots.Create(path, r.Meta)
	if err != nil {
		return err
	}
	ok := false
	defer func() {
		if !ok {
			w.Abort()
		}
	}()
	if err := w.WriteTable(-1, snapshots.TableNames, r.NameStatus, &r.Names); err != nil {
		return err
	}
	ids := make([]int, len(r.Namespaces))
	for i, ns := range r.Namespaces {
		ids[i] = w.AddNamespace(ns.Info)
	}
	w.BeginFrame(r.Meta.CaptureStart)
	for i := range r.Namespaces {
		ns := &r.Namespaces[i]
		for _, t := range snapshots.NamespaceTables {
			st, ok := ns.Status[t]
			if !ok {
				continue
			}
			if err := w.WriteTable(ids[i], t, st, &ns.Tables); err != nil {
				return err
			}
		}
	}
	end := r.Meta.CaptureEnd
	if end.IsZero() {
		end = r.Meta.CaptureStart
	}
	w.EndFrame(end)
	if err := w.Close(); err != nil {
		return err
	}
	ok = true
	return nil
}

// otherNamespaces finds the namespaces sos ran commands in, from the
// output file names: sos_commands/networking/ip_netns_exec_NS_<cmd> (sos
// up to 4.4) or sos_commands/networking/namespaces/NS/… (later).
func (im *importer) otherNamespaces() (found, unused []string) {
	seen := map[string]bool{}
	for _, d := range im.b.Dir("sos_commands/networking/namespaces") {
		if !seen[d] {
			seen[d] = true
			found = append(found, d)
		}
	}
	for _, f := range im.b.Dir("sos_commands/networking") {
		rest, ok := strings.CutPrefix(strings.TrimSuffix(f, ".tailed"), "ip_netns_exec_")
		if !ok {
			continue
		}
		if ns := im.nsOfFile(rest); ns != "" && !seen[ns] {
			seen[ns] = true
			found = append(found, ns)
		}
	}
	sort.Strings(found)
	for _, n := range im.nsListed {
		if !seen[mangle(n)] && !seen[n] {
			unused = append(unused, n)
		}
	}
	return found, unused
}

// nsOfFile splits "NS_cmd" (a file name after ip_netns_exec_): by the
// namespaces `ip netns` listed, longest first, else by the commands the
// importer knows.
func (im *importer) nsOfFile(rest string) string {
	best := ""
	for _, n := range im.nsListed {
		m := mangle(n)
		if strings.HasPrefix(rest, m+"_") && len(m) > len(best) {
			best = m
		}
	}
	if best != "" {
		return best
	}
	for _, c := range nsCommands {
		if strings.HasSuffix(rest, "_"+c) && len(rest) > len(c)+1 {
			return rest[:len(rest)-len(c)-1]
		}
	}
	return ""
}

// nsCommands are the per-namespace command outputs (mangled) the importer
// reads.
var nsCommands = []string{"ip_-d_address_show", "ip_address_show", "ip_route_show_table_all",
	"ip_-s_-s_neigh_show", "ip_-4_rule_list", "ip_-6_rule_list", "netstat_-W_-neopa",
	"netstat_-T_-neopa", "netstat_-neopa", "netstat_-W_-agn", "netstat_-T_-agn", "netstat_-agn",
	"ss_-peaonmi", "sysctl_-a"}

// mangle is sos's file-name mangling of a command line word: runs of
// characters outside [A-Za-z0-9_.-] become "_".
func mangle(s string) string {
	var b strings.Builder
	under := false
	for _, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '.' || r == '-'
		if ok {
			b.WriteRune(r)
			under = false
		} else if !under {
			b.WriteByte('_')
			under = true
		}
	}
	return b.String()
}

// member is one bundle member read for a table.
type member struct {
	path   string // as asked for (a path inside the bundle)
	data   []byte
	tailed bool   // sos kept only the end of it
	failed string // the manifest's non-zero return code, described
}

// errMissing says a member is not in the bundle.
var errMissing = errors.New("not in the bundle")

// get reads a member, noting what the manifest says about it and whether
// sos tailed it (a ".tailed" file in its place or the manifest's flag).
func (im *importer) get(p string) (*member, error) {
	d, resolved, ok := im.b.File(p)
	tailed := false
	if !ok {
		if err := im.b.Check(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		if d, resolved, ok = im.b.File(p + ".tailed"); !ok {
			return nil, errMissing
		}
		tailed = true
	}
	if strings.HasSuffix(resolved, ".tailed") {
		tailed = true
	}
	m := &member{path: p, data: d, tailed: tailed}
	if ci, ok := im.manifest[p]; ok {
		if ci.truncated {
			m.tailed = true
		}
		if ci.returnCode > 0 {
			m.failed = fmt.Sprintf("%s exited with status %d", ci.exec, ci.returnCode)
		}
	}
	return m, nil
}
