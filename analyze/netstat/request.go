// Package netstat holds the semantics of a netstat(1M) command line
// replayed on a snapshot: which of the nine forms run and in what order,
// which address families and protocols are selected, and which frames an
// interval selects. The displays themselves are in format/solaris.
package netstat

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/netmortem/netmortem/analyze/routes"
	"github.com/netmortem/netmortem/snapshots"
)

// Form is one display of netstat, in the order a pass prints them
// (solaris-display-formats.md §1.2).
type Form int

// The forms, in print order.
const (
	FormSockets     Form = iota // form 1: UDP, TCP, SCTP (and RAW) sections
	FormInterfaces              // form 6: -i, -I
	FormMemory                  // form 5: -m
	FormRoutes                  // form 7: -r
	FormMrouteStats             // -M -s
	FormStats                   // form 4: -s
	FormMroute                  // form 8: -M
	FormGroups                  // form 2: -g
	FormARP                     // form 3: -p
	FormUnix                    // form 1: the AF_UNIX section, printed last
	FormDHCP                    // form 9: -D, exclusive
)

var formNames = [...]string{"sockets", "interfaces", "memory", "routes", "mroute_stats", "statistics", "mroute", "groups", "net_to_media", "unix_sockets", "dhcp"}

func (f Form) String() string {
	if int(f) < len(formNames) {
		return formNames[f]
	}
	return "form" + strconv.Itoa(int(f))
}

// Protocol is a -P value.
type Protocol string

// The -P protocols.
const (
	ProtoAll    Protocol = ""
	ProtoIP     Protocol = "ip"
	ProtoIPv6   Protocol = "ipv6"
	ProtoICMP   Protocol = "icmp"
	ProtoICMPv6 Protocol = "icmpv6"
	ProtoIGMP   Protocol = "igmp"
	ProtoUDP    Protocol = "udp"
	ProtoTCP    Protocol = "tcp"
	ProtoSCTP   Protocol = "sctp"
	ProtoRaw    Protocol = "raw"
)

// ParseProtocol reads a -P value; like netstat it accepts lowercase only.
func ParseProtocol(s string) (Protocol, error) {
	switch s {
	case "ip":
		return ProtoIP, nil
	case "ipv6", "ip6":
		return ProtoIPv6, nil
	case "icmp":
		return ProtoICMP, nil
	case "icmpv6", "icmp6":
		return ProtoICMPv6, nil
	case "igmp":
		return ProtoIGMP, nil
	case "udp":
		return ProtoUDP, nil
	case "tcp":
		return ProtoTCP, nil
	case "sctp":
		return ProtoSCTP, nil
	case "raw", "rawip":
		return ProtoRaw, nil
	}
	return "", fmt.Errorf("-P %s: unknown protocol (want ip, ipv6, icmp, icmpv6, igmp, udp, tcp, sctp, raw or rawip)", s)
}

// Request is a parsed netstat command line.
type Request struct {
	All, Numeric, Verbose bool
	Groups, ARP, Stats    bool // -g -p -s
	Memory, Interfaces    bool // -m -i
	Routes, Mroute, DHCP  bool // -r -M -D
	Protocol              Protocol
	Interface             string // -I
	Filter                *routes.Engine
	families              []uint8 // from -f af values; empty = all
	FilterArgs            []string
	Interval              time.Duration // 0 without an interval operand
	Count                 int           // 0 = as many frames as there are
}

// Parse builds a Request from the flags and operands. filters are the -f
// values in command-line order; operands the words before the snapshot.
// env resolves table and interface names for route filters.
func Parse(r Request, filters, operands []string, env routes.Env) (*Request, error) {
	if r.Interface != "" {
		r.Interfaces = true // -I implies -i
	}
	if r.Protocol != ProtoAll {
		if _, err := ParseProtocol(string(r.Protocol)); err != nil {
			return nil, err
		}
	}
	r.FilterArgs = filters
	eng, err := routes.ParseAll(filters, env)
	if err != nil {
		return nil, err
	}
	r.Filter = eng
	for _, af := range []uint8{snapshots.AFInet, snapshots.AFInet6, snapshots.AFUnix} {
		if eng.Family(af) {
			r.families = append(r.families, af)
		}
	}
	if len(r.families) == 0 {
		return nil, fmt.Errorf("-f: no address family netstat can show is selected")
	}
	if err := r.operands(operands); err != nil {
		return nil, err
	}
	return &r, nil
}

// operands reads `interval [count]`; they are allowed only with -i, -s, -m
// (and -M -s), as in netstat.
func (r *Request) operands(ops []string) error {
	if len(ops) == 0 {
		return nil
	}
	if !(r.Interfaces || r.Stats || r.Memory) || r.DHCP {
		return fmt.Errorf("extra arguments %q: interval and count go with -i, -I, -s, -m and -M -s only", strings.Join(ops, " "))
	}
	if len(ops) > 2 {
		return fmt.Errorf("extra arguments %q after interval and count", strings.Join(ops[2:], " "))
	}
	iv, err := strconv.ParseUint(ops[0], 10, 31)
	if err != nil || iv == 0 {
		return fmt.Errorf("interval %q: want a whole number of seconds above 0", ops[0])
	}
	r.Interval = time.Duration(iv) * time.Second
	if len(ops) == 2 {
		c, err := strconv.ParseUint(ops[1], 10, 31)
		if err != nil || c == 0 {
			return fmt.Errorf("count %q: want a whole number above 0", ops[1])
		}
		r.Count = int(c)
	}
	return nil
}

// FamilySelected reports whether -f lets af's information be shown.
func (r *Request) FamilySelected(af uint8) bool {
	for _, f := range r.families {
		if f == af {
			return true
		}
	}
	return false
}

// InetSelected reports whether IPv4 or IPv6 is selected.
func (r *Request) InetSelected() bool {
	return r.FamilySelected(snapshots.AFInet) || r.FamilySelected(snapshots.AFInet6)
}

// ProtoAllows reports whether -P lets protocol p's section print.
func (r *Request) ProtoAllows(p Protocol) bool {
	return r.Protocol == ProtoAll || r.Protocol == p
}

// reportFlags reports whether any form flag other than the socket list is
// set.
func (r *Request) reportFlags() bool {
	return r.Groups || r.ARP || r.Stats || r.Memory || r.Interfaces || r.Routes || r.Mroute
}

// Forms lists the forms one pass prints, in order. -D runs alone.
func (r *Request) Forms() []Form {
	if r.DHCP {
		return []Form{FormDHCP}
	}
	var fs []Form
	inet := r.InetSelected()
	if inet && !r.reportFlags() {
		fs = append(fs, FormSockets)
	}
	if inet && r.Interfaces {
		fs = append(fs, FormInterfaces)
	}
	if inet && r.Memory {
		fs = append(fs, FormMemory)
	}
	if inet && r.Routes {
		fs = append(fs, FormRoutes)
	}
	if inet && r.Stats && r.Mroute {
		fs = append(fs, FormMrouteStats)
	} else {
		if inet && r.Stats {
			fs = append(fs, FormStats)
		}
		if inet && r.Mroute {
			fs = append(fs, FormMroute)
		}
	}
	if inet && r.Groups {
		fs = append(fs, FormGroups)
	}
	if inet && r.ARP {
		fs = append(fs, FormARP)
	}
	if r.FamilySelected(snapshots.AFUnix) && !r.reportFlags() {
		fs = append(fs, FormUnix)
	}
	return fs
}

// IntervalMode reports whether an interval operand was given.
func (r *Request) IntervalMode() bool { return r.Interval > 0 }

// SelectFrames picks the frames an interval replay prints: the first is
// frames[start]; each next one is the first frame that began at least
// interval after the previous pick, less a tenth of the interval (a
// series taken every second has frames 0.995 s apart). count (0 = no
// limit) bounds how many are picked. Without an interval only
// frames[start] is picked.
func SelectFrames(frames []snapshots.FrameInfo, start int, interval time.Duration, count int) []int {
	if start < 0 || start >= len(frames) {
		return nil
	}
	out := []int{start}
	if interval <= 0 {
		return out
	}
	last := frames[start].Start
	gap := interval - interval/10
	for i := start + 1; i < len(frames) && (count == 0 || len(out) < count); i++ {
		if frames[i].Start.Sub(last) >= gap {
			out = append(out, i)
			last = frames[i].Start
		}
	}
	return out
}

// Tables lists the tables the forms need.
func Tables(fs []Form) []snapshots.Table {
	need := map[snapshots.Table]bool{snapshots.TableLinks: true}
	for _, f := range fs {
		switch f {
		case FormSockets:
			need[snapshots.TableInet], need[snapshots.TableSCTP], need[snapshots.TableOwners] = true, true, true
		case FormUnix:
			need[snapshots.TableUnix], need[snapshots.TableOwners] = true, true
		case FormInterfaces:
			need[snapshots.TableAddrs] = true
		case FormMemory:
			need[snapshots.TableStats], need[snapshots.TableMemory], need[snapshots.TableInet] = true, true, true
		case FormRoutes:
			need[snapshots.TableRoutes], need[snapshots.TableRules], need[snapshots.TableAddrs] = true, true, true
		case FormStats:
			need[snapshots.TableStats], need[snapshots.TableMemory] = true, true // sysctls: ipForwarding, TTLs
		case FormMroute, FormMrouteStats:
			need[snapshots.TableMroute], need[snapshots.TableStats] = true, true
		case FormGroups:
			need[snapshots.TableGroups] = true
		case FormARP:
			need[snapshots.TableNeigh] = true
		case FormDHCP:
			need[snapshots.TableDHCP], need[snapshots.TableAddrs], need[snapshots.TableRoutes] = true, true, true
		}
	}
	var out []snapshots.Table
	for _, t := range snapshots.NamespaceTables {
		if need[t] {
			out = append(out, t)
		}
	}
	return out
}
