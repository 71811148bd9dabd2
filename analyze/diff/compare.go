package diff

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/netmortem/netmortem/analyze/names"
	"github.com/netmortem/netmortem/analyze/routes"
	"github.com/netmortem/netmortem/snapshots"
)

// Side is one capture of one namespace, as loaded for a comparison.
type Side struct {
	Tables *snapshots.Tables
	// Status of each loaded table; a table missing from the map (or a nil
	// map) counts as captured completely.
	Status   map[snapshots.Table]snapshots.Status
	Names    *names.Resolver // the capture's rt_tables; nil prints table ids
	Time     time.Time       // when the frame was captured
	BootTime time.Time
	NSInode  uint64 // the namespace's inode: a new one means a new namespace
	Machine  string // uname -m: 32-bit hosts keep kernel counters in 32 bits
	// Routes, when set, are the -f route filters compiled against this
	// side (routes.Env with Lenient: a name may exist on one side only).
	Routes *routes.Engine
}

// Options narrow a comparison.
type Options struct {
	// Tables to compare, by their snapshot names; nil compares every
	// comparable table. addrs is part of links (interfaces and their
	// addresses are one comparison).
	Tables []snapshots.Table
	// Identical lists tables known equal on both sides without loading
	// them (their sections hold the same bytes, and so do the tables
	// they name interfaces and owners from), with their row counts: they
	// are reported unchanged. Only single-section tables (routes, rules,
	// neigh, inet, unix, packet) may be given.
	Identical map[snapshots.Table]int
}

// Skippable lists the tables Options.Identical may name, with the other
// tables each depends on (which must be identical too).
var Skippable = map[snapshots.Table][]snapshots.Table{
	snapshots.TableRoutes: {snapshots.TableLinks},
	snapshots.TableRules:  nil,
	snapshots.TableNeigh:  {snapshots.TableLinks},
	snapshots.TableInet:   {snapshots.TableLinks, snapshots.TableOwners},
	snapshots.TableUnix:   {snapshots.TableOwners},
	snapshots.TablePacket: {snapshots.TableLinks, snapshots.TableOwners},
}

// Comparable lists the tables diff compares, in report order. owners is
// folded into the socket tables; files and names are raw material, not
// compared.
var Comparable = []snapshots.Table{
	snapshots.TableLinks, snapshots.TableRoutes, snapshots.TableRules, snapshots.TableNeigh,
	snapshots.TableInet, snapshots.TableUnix, snapshots.TablePacket, snapshots.TableSCTP,
	snapshots.TableGroups, snapshots.TableMroute, snapshots.TableStats, snapshots.TableMemory,
	snapshots.TableDHCP,
}

// CheckTables validates a --tables selection: addrs stands for links,
// owners, files and names cannot be compared on their own.
func CheckTables(ts []snapshots.Table) ([]snapshots.Table, error) {
	want := map[snapshots.Table]bool{}
	for _, t := range ts {
		switch t {
		case snapshots.TableAddrs:
			t = snapshots.TableLinks
		case snapshots.TableOwners:
			return nil, fmt.Errorf("table owners is not compared on its own: socket owners are part of inet, unix, packet and sctp")
		case snapshots.TableFiles, snapshots.TableNames:
			return nil, fmt.Errorf("table %s holds raw files, which diff does not compare", t)
		}
		want[t] = true
	}
	var out []snapshots.Table
	for _, t := range Comparable {
		if want[t] {
			out = append(out, t)
		}
	}
	return out, nil
}

// Load lists the snapshot tables to read for comparing tables: the
// tables themselves, links for interface names, addrs with links, owners
// with sockets.
func Load(tables []snapshots.Table) []snapshots.Table {
	set := map[snapshots.Table]bool{snapshots.TableLinks: true}
	for _, t := range tables {
		set[t] = true
		switch t {
		case snapshots.TableLinks:
			set[snapshots.TableAddrs] = true
		case snapshots.TableInet, snapshots.TableUnix, snapshots.TablePacket, snapshots.TableSCTP:
			set[snapshots.TableOwners] = true
		}
	}
	var out []snapshots.Table
	for _, t := range snapshots.NamespaceTables {
		if set[t] {
			out = append(out, t)
		}
	}
	return out
}

// side is a Side with the indexes the comparisons use.
type side struct {
	*Side
	t       *snapshots.Tables
	ifnames map[int32]string
	owners  map[uint64][]snapshots.SocketOwner
	addrIdx map[int32][]int
	sameIdx bool // both sides number their interfaces alike
}

func newSide(s *Side) *side {
	sd := &side{Side: s, t: s.Tables}
	if sd.t == nil {
		sd.t = &snapshots.Tables{}
	}
	sd.ifnames = make(map[int32]string, len(sd.t.Links))
	for i := range sd.t.Links {
		sd.ifnames[sd.t.Links[i].Index] = sd.t.Links[i].Name
	}
	return sd
}

// ifName names interface i of this side: its name, "if#N" when the side
// has no such interface, "" for 0.
func (s *side) ifName(i int32) string {
	if i == 0 {
		return ""
	}
	if n, ok := s.ifnames[i]; ok {
		return n
	}
	return "if#" + strconv.Itoa(int(i))
}

func (s *side) ownersOf(inode uint64) []snapshots.SocketOwner {
	if inode == 0 {
		return nil
	}
	if s.owners == nil {
		s.owners = make(map[uint64][]snapshots.SocketOwner, len(s.t.Owners))
		for _, o := range s.t.Owners {
			s.owners[o.Inode] = append(s.owners[o.Inode], o)
		}
	}
	return s.owners[inode]
}

func (s *side) status(t snapshots.Table) snapshots.Status {
	if st, ok := s.Status[t]; ok {
		return st
	}
	return snapshots.Status{State: snapshots.StateOK}
}

// tableTime is when table t was read, or the frame's time.
func (s *side) tableTime(t snapshots.Table) time.Time {
	if st, ok := s.Status[t]; ok && !st.Time.IsZero() {
		return st.Time
	}
	return s.Time
}

func (s *side) tableName(id uint32) string {
	if n, ok := s.Names.TableName(id); ok {
		return n
	}
	switch id {
	case 253:
		return "default"
	case 254:
		return "main"
	case 255:
		return "local"
	}
	return strconv.FormatUint(uint64(id), 10)
}

// comparer holds what every section's comparison shares.
type comparer struct {
	old, new     *side
	reboot       bool
	nsRecreated  bool
	host32       bool // a side ran a 32-bit kernel: unsigned long counters wrap at 2^32
	sameIfaces   bool // both sides number their interfaces alike
	elapsed      time.Duration
	tableElapsed time.Duration // for the section being compared
}

// is32 reports whether uname -m names a 32-bit kernel.
func is32(machine string) bool {
	switch {
	case machine == "":
		return false
	case strings.Contains(machine, "64"), strings.HasPrefix(machine, "s390x"):
		return false
	case machine == "i386", machine == "i486", machine == "i586", machine == "i686",
		strings.HasPrefix(machine, "arm"), strings.HasPrefix(machine, "mips"),
		machine == "ppc", machine == "s390", machine == "m68k", machine == "sh4", machine == "riscv32":
		return true
	}
	return false
}

// sameIndexes reports whether both sides give every interface index the
// same name, so that indexes compare as names.
func sameIndexes(o, n *side) bool {
	if len(o.ifnames) != len(n.ifnames) {
		return false
	}
	for i, name := range o.ifnames {
		if nn, ok := n.ifnames[i]; !ok || nn != name {
			return false
		}
	}
	return true
}

// bootSlack absorbs the jitter of a boot time computed from the uptime.
const bootSlack = 5 * time.Second

// Compare compares one namespace of two captures.
func Compare(old, new *Side, o Options) *Result {
	c := &comparer{old: newSide(old), new: newSide(new)}
	if !old.BootTime.IsZero() && !new.BootTime.IsZero() {
		d := new.BootTime.Sub(old.BootTime)
		c.reboot = d > bootSlack || d < -bootSlack
	}
	c.host32 = is32(old.Machine) || is32(new.Machine)
	c.nsRecreated = old.NSInode != 0 && new.NSInode != 0 && old.NSInode != new.NSInode
	if !old.Time.IsZero() && !new.Time.IsZero() {
		c.elapsed = new.Time.Sub(old.Time)
	}
	c.sameIfaces = sameIndexes(c.old, c.new)
	c.old.sameIdx, c.new.sameIdx = c.sameIfaces, c.sameIfaces
	res := &Result{Elapsed: c.elapsed, Reboot: c.reboot, NamespaceRecreated: c.nsRecreated}
	tables := o.Tables
	if tables == nil {
		tables = Comparable
	}
	tables, _ = CheckTables(tables)
	for _, t := range tables {
		for _, sc := range sections[t] {
			sec := Section{Table: t, Name: sc.name}
			_, skippable := Skippable[t]
			if rows, ok := o.Identical[t]; ok && skippable {
				if c.available(&sec, t) {
					sec.Unchanged = rows
				}
			} else if c.available(&sec, t) {
				c.tableElapsed = c.elapsed
				if to, tn := c.old.tableTime(t), c.new.tableTime(t); !to.IsZero() && !tn.IsZero() {
					c.tableElapsed = tn.Sub(to)
				}
				sc.run(c, &sec)
			}
			res.Sections = append(res.Sections, sec)
		}
	}
	return res
}

// available decides whether table t can be compared, noting why not, or
// that a side is partial.
func (c *comparer) available(sec *Section, t snapshots.Table) bool {
	so, sn := c.old.status(t), c.new.status(t)
	if so.State == sn.State && so.Reason == sn.Reason && so.State != snapshots.StateOK {
		// The same on both sides: say it once.
		if so.State == snapshots.StateUnavailable {
			sec.Notes = append(sec.Notes, "not compared: unavailable in OLD and NEW: "+reasonOr(so.Reason))
			return false
		}
		sec.Notes = append(sec.Notes, "partial in OLD and NEW: "+reasonOr(so.Reason))
		sec.Compared = true
		return true
	}
	ok := true
	for _, x := range []struct {
		which string
		st    snapshots.Status
	}{{"OLD", so}, {"NEW", sn}} {
		switch x.st.State {
		case snapshots.StateUnavailable:
			sec.Notes = append(sec.Notes, fmt.Sprintf("not compared: unavailable in %s: %s", x.which, reasonOr(x.st.Reason)))
			ok = false
		case snapshots.StatePartial:
			sec.Notes = append(sec.Notes, fmt.Sprintf("partial in %s: %s", x.which, reasonOr(x.st.Reason)))
		}
	}
	sec.Compared = ok
	return ok
}

func reasonOr(r string) string {
	if strings.TrimSpace(r) == "" {
		return "no reason recorded"
	}
	return r
}

// section is one comparison of a table.
type section struct {
	name string
	run  func(c *comparer, sec *Section)
}

// sections lists the comparisons of every comparable table.
var sections = map[snapshots.Table][]section{
	snapshots.TableLinks: {{"interfaces", compareLinks}},
	snapshots.TableRoutes: {{"routes", func(c *comparer, sec *Section) {
		compareRows(c, &routeSpec, sec, c.old.t.Routes, c.new.t.Routes)
	}}},
	snapshots.TableRules: {{"rules", func(c *comparer, sec *Section) {
		compareRows(c, &ruleSpec, sec, c.old.t.Rules, c.new.t.Rules)
	}}},
	snapshots.TableNeigh: {{"neighbours", func(c *comparer, sec *Section) {
		compareRows(c, &neighSpec, sec, c.old.t.Neighbours, c.new.t.Neighbours)
	}}},
	snapshots.TableInet: {{"inet sockets", func(c *comparer, sec *Section) {
		compareRows(c, &inetSpec, sec, c.old.t.InetSockets, c.new.t.InetSockets)
	}}},
	snapshots.TableUnix: {{"unix sockets", func(c *comparer, sec *Section) {
		compareRows(c, &unixSpec, sec, c.old.t.UnixSockets, c.new.t.UnixSockets)
	}}},
	snapshots.TablePacket: {{"packet sockets", func(c *comparer, sec *Section) {
		compareRows(c, &packetSpec, sec, c.old.t.PacketSockets, c.new.t.PacketSockets)
	}}},
	snapshots.TableSCTP: {
		{"sctp endpoints", func(c *comparer, sec *Section) {
			compareRows(c, &sctpEPSpec, sec, c.old.t.SCTPEndpoints, c.new.t.SCTPEndpoints)
		}},
		{"sctp associations", func(c *comparer, sec *Section) {
			compareRows(c, &sctpAssocSpec, sec, c.old.t.SCTPAssocs, c.new.t.SCTPAssocs)
		}},
	},
	snapshots.TableGroups: {
		{"memberships", func(c *comparer, sec *Section) {
			compareRows(c, &memberSpec, sec, c.old.t.Groups, c.new.t.Groups)
		}},
		{"igmp interfaces", func(c *comparer, sec *Section) {
			compareRows(c, &mcastIfSpec, sec, c.old.t.McastIfaces, c.new.t.McastIfaces)
		}},
		{"link-layer groups", func(c *comparer, sec *Section) {
			compareRows(c, &linkGroupSpec, sec, c.old.t.LinkGroups, c.new.t.LinkGroups)
		}},
	},
	snapshots.TableMroute: {
		{"vifs", func(c *comparer, sec *Section) {
			compareRows(c, &vifSpec, sec, c.old.t.Vifs, c.new.t.Vifs)
		}},
		{"multicast routes", func(c *comparer, sec *Section) {
			compareRows(c, &mfcSpec, sec, c.old.t.MFC, c.new.t.MFC)
		}},
	},
	snapshots.TableStats: {
		{"statistics", compareCounterSets},
		{"protocols", func(c *comparer, sec *Section) {
			compareRows(c, &protoSpec, sec, c.old.t.Protocols, c.new.t.Protocols)
		}},
	},
	snapshots.TableMemory: {
		{"sysctls", func(c *comparer, sec *Section) {
			compareRows(c, &sysctlSpec, sec, c.old.t.Sysctls, c.new.t.Sysctls)
		}},
		{"slabs", func(c *comparer, sec *Section) {
			compareRows(c, &slabSpec, sec, c.old.t.Slabs, c.new.t.Slabs)
		}},
	},
	snapshots.TableDHCP: {{"dhcp leases", func(c *comparer, sec *Section) {
		compareRows(c, &leaseSpec, sec, currentLeases(c.old.t.Leases), currentLeases(c.new.t.Leases))
	}}},
}
