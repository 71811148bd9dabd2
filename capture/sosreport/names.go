package sosreport

import (
	"fmt"
	"strings"

	"github.com/netmortem/netmortem/analyze/names"
	"github.com/netmortem/netmortem/capture/sosreport/iptext"
	"github.com/netmortem/netmortem/snapshots"
)

// nameDBs are the captured host's iproute2 name databases, which the
// command outputs print names from.
type nameDBs struct {
	tables *names.RouteTables
	protos map[string]uint32
	scopes map[string]uint32
	realms map[string]uint32
	groups map[string]uint32
}

// nameTables copies the captured host's name files (hosts, networks,
// services, protocols, rt_tables and its drop-ins) into the host-scope
// names table under their host paths, as a live capture does, and reads
// iproute2's other databases for the parsers.
func (im *importer) nameTables() (snapshots.Status, snapshots.Tables) {
	var ts snapshots.Tables
	st := snapshots.Status{State: snapshots.StateOK, Time: im.at}
	files, dirs := names.Paths()
	for _, d := range dirs {
		for _, n := range im.b.Dir(strings.TrimPrefix(d, "/")) {
			if strings.HasSuffix(n, ".conf") {
				files = append(files, d+"/"+n)
			}
		}
	}
	for _, p := range files {
		d, _, ok := im.b.File(strings.TrimPrefix(p, "/"))
		if !ok {
			continue
		}
		ts.Files = append(ts.Files, snapshots.RawFile{Path: p, Data: d})
		st.Sources = append(st.Sources, strings.TrimPrefix(p, "/"))
	}
	if len(ts.Files) == 0 {
		st.State = snapshots.StatePartial
		st.Reason = "no name files in the bundle (etc/hosts, etc/services …): names print as numbers"
	} else {
		var missing []string
		have := map[string]bool{}
		for _, f := range ts.Files {
			have[f.Path] = true
		}
		for _, p := range []string{names.PathHosts, names.PathServices, names.PathNetworks, names.PathProtocols} {
			if !have[p] {
				missing = append(missing, p)
			}
		}
		if len(missing) > 0 {
			// sos's networking plugin copies /etc/host* and (since 4.x)
			// /etc/services; the rest depends on the plugins run.
			st.State = snapshots.StatePartial
			st.Reason = fmt.Sprintf("not in the bundle: %s (names from them print as numbers)", strings.Join(missing, ", "))
		}
	}
	nf := names.FilesFrom("", ts.Files)
	im.names.tables = names.ParseRouteTables(nf.RouteTables...)
	read := func(name string) map[string]uint32 {
		for _, d := range []string{"etc/iproute2/", "usr/share/iproute2/", "usr/lib/iproute2/"} {
			if data, _, ok := im.b.File(d + name); ok {
				return iptext.ParseIDNames(data)
			}
		}
		return nil
	}
	im.names.protos, im.names.scopes = read("rt_protos"), read("rt_scopes")
	im.names.realms, im.names.groups = read("rt_realms"), read("group")
	return st, ts
}

// parserNames gives the iptext parsers the host's names and a
// namespace's interfaces.
func (im *importer) parserNames(ifindex map[string]int32) *iptext.Names {
	n := &iptext.Names{Ifindex: ifindex, Protos: im.names.protos, Scopes: im.names.scopes,
		Realms: im.names.realms, Groups: im.names.groups}
	if im.names.tables != nil {
		n.Table = im.names.tables.ID
	}
	return n
}
