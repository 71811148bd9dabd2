package snapshots

import (
	"fmt"
	"strings"
	"time"
)

// Table names a section kind. The names are part of the file format and of
// the --tables option.
type Table string

// The tables of a namespace, in the order sections are written.
const (
	TableLinks  Table = "links"  // Links
	TableAddrs  Table = "addrs"  // Addrs
	TableRoutes Table = "routes" // Routes (every table, exceptions)
	TableRules  Table = "rules"  // Rules
	TableNeigh  Table = "neigh"  // Neighbours
	TableInet   Table = "inet"   // InetSockets: tcp, udp, udplite, raw, mptcp
	TableUnix   Table = "unix"   // UnixSockets
	TablePacket Table = "packet" // PacketSockets
	TableSCTP   Table = "sctp"   // SCTPEndpoints, SCTPAssocs
	TableGroups Table = "groups" // Groups, McastIfaces, LinkGroups
	TableMroute Table = "mroute" // Vifs, MFC
	TableStats  Table = "stats"  // Counters, Softnet, Protocols
	TableMemory Table = "memory" // Sysctls, Slabs
	TableDHCP   Table = "dhcp"   // Leases
	TableOwners Table = "owners" // Owners
	TableFiles  Table = "files"  // Files: verbatim /proc and /sys text
	TableNames  Table = "names"  // host scope: /etc name files, in Files
)

// NamespaceTables lists the per-namespace tables in write order.
var NamespaceTables = []Table{
	TableLinks, TableAddrs, TableRoutes, TableRules, TableNeigh,
	TableInet, TableUnix, TablePacket, TableSCTP, TableGroups, TableMroute,
	TableStats, TableMemory, TableDHCP, TableOwners, TableFiles,
}

// AllTables lists every table, the host-scope ones last.
var AllTables = append(append([]Table{}, NamespaceTables...), TableNames)

// ParseTables reads a comma-separated --tables list. "all" selects every
// table.
func ParseTables(s string) ([]Table, error) {
	if s == "" || s == "all" {
		return AllTables, nil
	}
	var out []Table
	seen := map[Table]bool{}
	for _, f := range strings.Split(s, ",") {
		t := Table(strings.TrimSpace(f))
		if !t.Valid() {
			return nil, fmt.Errorf("unknown table %q (known: %s)", f, tableList())
		}
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out, nil
}

func tableList() string {
	var b strings.Builder
	for i, t := range AllTables {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(string(t))
	}
	return b.String()
}

// Valid reports whether t is a known table.
func (t Table) Valid() bool {
	for _, k := range AllTables {
		if k == t {
			return true
		}
	}
	return false
}

// HostScope reports whether the table belongs to the snapshot as a whole
// rather than to one namespace and frame.
func (t Table) HostScope() bool { return t == TableNames }

// State says how completely a table was captured.
type State uint8

// States of a table.
const (
	StateOK          State = 1 // complete
	StatePartial     State = 2 // some rows or fields missing; Reason says which
	StateUnavailable State = 3 // not captured; Reason says why
)

func (s State) String() string {
	switch s {
	case StateOK:
		return "ok"
	case StatePartial:
		return "partial"
	case StateUnavailable:
		return "unavailable"
	}
	return fmt.Sprintf("state(%d)", uint8(s))
}

// Status records how a table was captured.
type Status struct {
	State   State
	Reason  string   // why partial or unavailable
	Sources []string // "netlink RTM_GETROUTE inet", "/proc/net/igmp", a bundle member …
	Time    time.Time
	Retries uint32 // interrupted netlink dumps retried
}

// OK returns an ok status from the given sources at time t.
func OK(t time.Time, sources ...string) Status {
	return Status{State: StateOK, Sources: sources, Time: t}
}

// Unavailable returns an unavailable status with its reason.
func Unavailable(t time.Time, reason string, sources ...string) Status {
	return Status{State: StateUnavailable, Reason: reason, Sources: sources, Time: t}
}

// Rows returns the number of rows table t has in ts.
func (ts *Tables) Rows(t Table) int {
	switch t {
	case TableLinks:
		return len(ts.Links)
	case TableAddrs:
		return len(ts.Addrs)
	case TableRoutes:
		return len(ts.Routes)
	case TableRules:
		return len(ts.Rules)
	case TableNeigh:
		return len(ts.Neighbours)
	case TableInet:
		return len(ts.InetSockets)
	case TableUnix:
		return len(ts.UnixSockets)
	case TablePacket:
		return len(ts.PacketSockets)
	case TableSCTP:
		return len(ts.SCTPEndpoints) + len(ts.SCTPAssocs)
	case TableGroups:
		return len(ts.Groups) + len(ts.LinkGroups)
	case TableMroute:
		return len(ts.Vifs) + len(ts.MFC)
	case TableStats:
		n := len(ts.Softnet) + len(ts.Protocols)
		for _, c := range ts.Counters {
			n += len(c.Counters)
		}
		return n
	case TableMemory:
		return len(ts.Sysctls) + len(ts.Slabs)
	case TableDHCP:
		return len(ts.Leases)
	case TableOwners:
		return len(ts.Owners)
	case TableFiles, TableNames:
		return len(ts.Files)
	}
	return 0
}
