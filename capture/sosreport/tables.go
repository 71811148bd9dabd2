package sosreport

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"github.com/netmortem/netmortem/capture/leases"
	"github.com/netmortem/netmortem/capture/procnet"
	"github.com/netmortem/netmortem/capture/sosreport/iptext"
	"github.com/netmortem/netmortem/snapshots"
)

// nsImport reads the tables of one namespace.
type nsImport struct {
	im     *importer
	name   string // "" for the namespace sos ran in
	host   bool
	ts     snapshots.Tables
	status map[snapshots.Table]snapshots.Status
	seen   map[string]bool // members already in the files table

	ifindex map[string]int32
	bcast   map[netip.Addr]bool

	ss, netstat sockView

	mfcFromRoutes []snapshots.MFCEntry    // multicast routes of an unrestricted ip route dump
	rowOwners     []snapshots.SocketOwner // owners of ss rows matched to /proc rows by endpoints
}

// run accumulates the outcome of the sources of one table (as a live
// capture's tableRun does).
type run struct {
	sources  []string
	problems []string
	ok, fail int
	partial  bool
}

func (r *run) good(src string) { r.sources = append(r.sources, src); r.ok++ }
func (r *run) bad(src string, err error) {
	r.problems = append(r.problems, fmt.Sprintf("%s: %v", src, err))
	r.fail++
}
func (r *run) note(msg string) { r.problems = append(r.problems, msg); r.partial = true }

func (r *run) status(ns *nsImport) snapshots.Status {
	st := snapshots.Status{State: snapshots.StateOK, Sources: r.sources, Time: ns.im.at}
	switch {
	case r.ok == 0 && r.fail > 0, r.ok == 0 && len(r.problems) > 0:
		st.State = snapshots.StateUnavailable
	case r.fail > 0 || r.partial:
		st.State = snapshots.StatePartial
	case r.ok == 0:
		st.State = snapshots.StateUnavailable
		r.problems = append(r.problems, "nothing in the bundle to read it from")
	}
	if len(r.problems) > 0 {
		st.Reason = strings.Join(r.problems, "; ")
	}
	return st
}

func (ns *nsImport) done(t snapshots.Table, r *run) { ns.status[t] = r.status(ns) }

// keep adds a member to the files table once, under its path on the
// captured host for copied files and its bundle path for command output.
func (ns *nsImport) keep(m *member, hostPath string) {
	if ns.seen == nil {
		ns.seen = map[string]bool{}
	}
	if ns.seen[m.path] {
		return
	}
	ns.seen[m.path] = true
	p := m.path
	if hostPath != "" {
		p = hostPath
	}
	ns.ts.Files = append(ns.ts.Files, snapshots.RawFile{Path: p, Data: m.data, ModTime: ns.im.b.ModTime(m.path)})
}

// notes records what the manifest and sos's size limit say about m.
func (r *run) notes(m *member) {
	if m.tailed {
		r.note(m.path + ": cut by sos's size limit (only the end was kept); rows are missing")
	}
	if m.failed != "" {
		r.note(m.path + ": " + m.failed)
	}
}

// cmdPaths lists where a command's output lies for this namespace.
func (ns *nsImport) cmdPaths(c string) []string {
	if ns.host {
		return []string{"sos_commands/networking/" + c}
	}
	m := mangle(ns.name)
	return []string{
		"sos_commands/networking/ip_netns_exec_" + m + "_" + c,
		"sos_commands/networking/namespaces/" + ns.name + "/ip_netns_exec_" + m + "_" + c,
	}
}

// cmd reads the first output present of the candidate commands (mangled
// names), recording it as a source of r.
func (ns *nsImport) cmd(r *run, cands ...string) *member {
	for _, c := range cands {
		for _, p := range ns.cmdPaths(c) {
			m, err := ns.im.get(p)
			if errors.Is(err, errMissing) {
				continue
			}
			if err != nil {
				r.bad(p, err)
				continue
			}
			ns.keep(m, "")
			r.good(p)
			r.notes(m)
			return m
		}
	}
	return nil
}

// proc reads a copied /proc/net file; a missing one is returned as nil
// without comment.
func (ns *nsImport) proc(r *run, name string) *member {
	p := "proc/net/" + name
	m, err := ns.im.get(p)
	if err != nil {
		if !errors.Is(err, errMissing) {
			r.bad(p, err)
		}
		return nil
	}
	ns.keep(m, "/"+p)
	return m
}

// parsed records the outcome of parsing member m into r.
func parsed(r *run, m *member, err error) bool {
	if err != nil {
		r.bad(m.path, err)
		return false
	}
	r.good(m.path)
	r.notes(m)
	return true
}

// skipped notes lines a text parser did not understand.
func skipped(r *run, m *member, sk iptext.Skipped) {
	if err := sk.Err(); err != nil {
		r.note(m.path + ": " + err.Error())
	}
}

func (ns *nsImport) names() *iptext.Names { return ns.im.parserNames(ns.ifindex) }

// hostTables reads the namespace sos ran in: copied /proc files first,
// command outputs where /proc lacks the data.
func (ns *nsImport) hostTables() {
	ns.interfaces()
	ns.routes()
	ns.rules()
	ns.neighbours()
	ns.inet()
	ns.unix()
	ns.packet()
	ns.sctp()
	ns.groups()
	ns.mroute()
	ns.stats()
	ns.memory()
	ns.dhcp()
	ns.owners()
	ns.files()
}

// namespaceTables reads a namespace sos ran commands in: only command
// output exists for it.
func (ns *nsImport) namespaceTables() {
	ns.interfaces()
	ns.routes()
	ns.rules()
	ns.neighbours()
	ns.inet()
	ns.unix()
	ns.packet()
	r := &run{}
	r.bad("namespace "+ns.name, errors.New("sos copies /proc/net/sctp of the namespace it runs in only"))
	ns.done(snapshots.TableSCTP, r)
	st := snapshots.Unavailable(ns.im.at, "sos keeps only netstat -s text for other namespaces (in the files table), not the /proc counters")
	if m := ns.cmd(&run{}, "netstat_-s", "nstat_-zas"); m != nil {
		st.Sources = []string{m.path}
	}
	ns.status[snapshots.TableStats] = st
	ns.groups()
	ns.mroute()
	ns.memory()
	ns.dhcp()
	ns.owners()
	ns.files()
}

// interfaces fills links and addrs.
func (ns *nsImport) interfaces() {
	lr, ar := &run{}, &run{}
	var links *iptext.Interfaces
	linkCmds := []string{"ip_-s_-d_link", "ip_-s_link", "ip_-d_link", "ip_link"}
	addrCmds := []string{"ip_-d_address", "ip_-d_address_show", "ip_address", "ip_address_show", "ip_addr", "ip_addr_show", "ip_-o_addr"}
	if !ns.host {
		linkCmds = nil
		addrCmds = []string{"ip_-d_address_show", "ip_address_show", "ip_-d_address", "ip_address"}
	}
	if m := ns.cmd(lr, linkCmds...); m != nil {
		ifs, sk := iptext.ParseInterfaces(m.data, ns.names())
		skipped(lr, m, sk)
		links = &ifs
	}
	am := ns.cmd(ar, addrCmds...)
	var addrIfs *iptext.Interfaces
	if am != nil {
		ifs, sk := iptext.ParseInterfaces(am.data, ns.names())
		skipped(ar, am, sk)
		addrIfs = &ifs
	}
	switch {
	case links != nil:
	case addrIfs != nil && len(addrIfs.Links) > 0:
		links = addrIfs
		lr.good(am.path)
	}
	if links != nil {
		ns.ts.Links = links.Links
		for i := range ns.ts.Links {
			if n, ok := links.LinkNetns[ns.ts.Links[i].Index]; ok {
				if id, known := ns.im.nsids[n]; known {
					ns.ts.Links[i].ParentNetns = id
				}
			}
		}
	}
	if ns.host {
		ns.hostLinks(lr, links == nil)
	}
	ns.ifindex = map[string]int32{}
	for _, l := range ns.ts.Links {
		ns.ifindex[l.Name] = l.Index
		for _, a := range l.AltNames {
			ns.ifindex[a] = l.Index
		}
	}
	if links == nil && lr.ok == 0 {
		lr.bad("links", errors.New("no ip link or ip address output in the bundle"))
	}
	ns.done(snapshots.TableLinks, lr)

	switch {
	case addrIfs != nil:
		ns.ts.Addrs = addrIfs.Addrs
	case ns.host:
		if m := ns.proc(ar, "if_inet6"); m != nil {
			as, err := procnet.ParseIfInet6(bytes.NewReader(m.data))
			if parsed(ar, m, err) {
				ns.ts.Addrs = as
				ar.note("no ip address output: IPv6 addresses only, from /proc/net/if_inet6, without lifetimes")
			}
		}
	}
	if ar.ok == 0 && ar.fail == 0 {
		ar.bad("addrs", errors.New("no ip address output in the bundle"))
	}
	ns.bcast = map[netip.Addr]bool{}
	for _, a := range ns.ts.Addrs {
		if a.Broadcast.IsValid() {
			ns.bcast[a.Broadcast] = true
		}
	}
	ns.done(snapshots.TableAddrs, ar)
}

// sysStats are the /sys/class/net/<if>/statistics files, by LinkStats
// field.
var sysStats = []struct {
	name string
	f    func(*snapshots.LinkStats) *uint64
}{
	{"rx_packets", func(s *snapshots.LinkStats) *uint64 { return &s.RxPackets }},
	{"tx_packets", func(s *snapshots.LinkStats) *uint64 { return &s.TxPackets }},
	{"rx_bytes", func(s *snapshots.LinkStats) *uint64 { return &s.RxBytes }},
	{"tx_bytes", func(s *snapshots.LinkStats) *uint64 { return &s.TxBytes }},
	{"rx_errors", func(s *snapshots.LinkStats) *uint64 { return &s.RxErrors }},
	{"tx_errors", func(s *snapshots.LinkStats) *uint64 { return &s.TxErrors }},
	{"rx_dropped", func(s *snapshots.LinkStats) *uint64 { return &s.RxDropped }},
	{"tx_dropped", func(s *snapshots.LinkStats) *uint64 { return &s.TxDropped }},
	{"multicast", func(s *snapshots.LinkStats) *uint64 { return &s.Multicast }},
	{"collisions", func(s *snapshots.LinkStats) *uint64 { return &s.Collisions }},
	{"rx_length_errors", func(s *snapshots.LinkStats) *uint64 { return &s.RxLengthErrors }},
	{"rx_over_errors", func(s *snapshots.LinkStats) *uint64 { return &s.RxOverErrors }},
	{"rx_crc_errors", func(s *snapshots.LinkStats) *uint64 { return &s.RxCRCErrors }},
	{"rx_frame_errors", func(s *snapshots.LinkStats) *uint64 { return &s.RxFrameErrors }},
	{"rx_fifo_errors", func(s *snapshots.LinkStats) *uint64 { return &s.RxFIFOErrors }},
	{"rx_missed_errors", func(s *snapshots.LinkStats) *uint64 { return &s.RxMissedErrors }},
	{"tx_aborted_errors", func(s *snapshots.LinkStats) *uint64 { return &s.TxAbortedErrors }},
	{"tx_carrier_errors", func(s *snapshots.LinkStats) *uint64 { return &s.TxCarrierErrors }},
	{"tx_fifo_errors", func(s *snapshots.LinkStats) *uint64 { return &s.TxFIFOErrors }},
	{"tx_heartbeat_errors", func(s *snapshots.LinkStats) *uint64 { return &s.TxHeartbeatErrors }},
	{"tx_window_errors", func(s *snapshots.LinkStats) *uint64 { return &s.TxWindowErrors }},
	{"rx_compressed", func(s *snapshots.LinkStats) *uint64 { return &s.RxCompressed }},
	{"tx_compressed", func(s *snapshots.LinkStats) *uint64 { return &s.TxCompressed }},
	{"rx_nohandler", func(s *snapshots.LinkStats) *uint64 { return &s.RxNoHandler }},
}

// hostLinks completes the links of the namespace sos ran in with the
// copied sysfs counters (every rtnl_link_stats64 field netlink gives, as
// separate files) or /proc/net/dev, and builds minimal links from
// /proc/net/dev when no ip output exists.
func (ns *nsImport) hostLinks(r *run, fromProc bool) {
	var dev []procnet.DevStats
	if m := ns.proc(r, "dev"); m != nil {
		var err error
		dev, err = procnet.ParseDev(bytes.NewReader(m.data))
		if err != nil {
			r.note(m.path + ": " + err.Error())
			dev = nil
		}
	}
	byName := map[string]snapshots.LinkStats{}
	for _, d := range dev {
		byName[d.Name] = d.Stats
	}
	if fromProc && len(dev) > 0 {
		// Interface indexes from the /proc files that print them.
		idx := map[string]int32{}
		if m := ns.proc(r, "dev_mcast"); m != nil {
			if lg, err := procnet.ParseDevMcast(bytes.NewReader(m.data)); err == nil {
				for _, g := range lg {
					idx[g.IfName] = g.IfIndex
				}
			}
		}
		if m := ns.proc(r, "igmp"); m != nil {
			if _, ifs, err := procnet.ParseIGMP(bytes.NewReader(m.data), ns.im.order); err == nil {
				for _, i := range ifs {
					idx[i.IfName] = i.IfIndex
				}
			}
		}
		for _, d := range dev {
			ns.ts.Links = append(ns.ts.Links, snapshots.Link{Name: d.Name, Index: idx[d.Name], ParentNetns: -1})
		}
		r.good("proc/net/dev")
		r.note("no ip link or ip address output: links from /proc/net/dev carry names, counters and (from igmp, dev_mcast) indexes only")
	}
	sysUsed, devUsed := false, false
	for i := range ns.ts.Links {
		l := &ns.ts.Links[i]
		if strings.ContainsAny(l.Name, "/") || l.Name == "." || l.Name == ".." {
			continue
		}
		dir := "sys/class/net/" + l.Name + "/"
		var s snapshots.LinkStats
		n := 0
		for _, f := range sysStats {
			m, err := ns.im.get(dir + "statistics/" + f.name)
			if err != nil {
				continue
			}
			ns.keep(m, "/"+m.path)
			if v, ok := parseUint(m.data); ok {
				*f.f(&s) = v
				n++
			}
		}
		switch {
		case n > 0:
			s.Valid = true
			l.Stats = s
			sysUsed = true
		case byName[l.Name].Valid || byName[l.Name].RxBytes != 0:
			st := byName[l.Name]
			st.Valid = true
			l.Stats = st
			devUsed = true
		}
		if m, err := ns.im.get(dir + "device/numa_node"); err == nil {
			ns.keep(m, "/"+m.path)
			l.Sys = append(l.Sys, snapshots.Sysctl{Name: "device/numa_node", Value: strings.TrimSpace(string(m.data))})
		}
	}
	if sysUsed {
		r.good("sys/class/net/*/statistics")
	} else if devUsed {
		r.good("proc/net/dev")
	}
}

func parseUint(b []byte) (uint64, bool) {
	s := strings.TrimSpace(string(b))
	var v uint64
	if s == "" || len(s) > 20 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' || v > (1<<64-1-uint64(c-'0'))/10 {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	return v, true
}

// routeRecords cuts route text into records: a line and its indented
// continuation lines.
func routeRecords(data []byte) []string {
	var out []string
	for _, l := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(l) == "" {
			continue
		}
		if (l[0] == ' ' || l[0] == '\t') && len(out) > 0 {
			out[len(out)-1] += "\n" + l
			continue
		}
		out = append(out, l)
	}
	return out
}

// without drops from a's records those that also appear in b (as many
// times as they do there): with iproute2 ≥ 4.x, `ip route show table
// all` repeats the IPv6 routes `ip -6 route show table all` prints.
func without(a, b []byte) []byte {
	count := map[string]int{}
	for _, r := range routeRecords(b) {
		count[strings.TrimRight(r, " ")]++
	}
	var out bytes.Buffer
	for _, r := range routeRecords(a) {
		k := strings.TrimRight(r, " ")
		if count[k] > 0 {
			count[k]--
			continue
		}
		out.WriteString(r)
		out.WriteByte('\n')
	}
	return out.Bytes()
}

func (ns *nsImport) routes() {
	r := &run{}
	var mfc []snapshots.MFCEntry
	all := ns.cmd(r, "ip_route_show_table_all", "ip_-d_route_show_table_all", "ip_-4_route_show_table_all")
	var v6 *member
	if ns.host {
		v6 = ns.cmd(r, "ip_-6_route_show_table_all", "ip_-d_-6_route_show_table_all")
	}
	if all != nil {
		data := all.data
		if v6 != nil {
			data = without(data, v6.data)
		}
		rs, sk := iptext.ParseRoutes(data, 0, false, ns.im.ticks, ns.names())
		skipped(r, all, sk)
		for _, rt := range rs.Routes {
			// With a separate IPv6 dump, IPv6 routes come from it only
			// (one left here changed between the two commands).
			if v6 == nil || rt.Family != snapshots.AFInet6 {
				ns.ts.Routes = append(ns.ts.Routes, rt)
			}
		}
		mfc = append(mfc, rs.MFC...)
	}
	if v6 != nil {
		rs, sk := iptext.ParseRoutes(v6.data, snapshots.AFInet6, false, ns.im.ticks, ns.names())
		skipped(r, v6, sk)
		ns.ts.Routes = append(ns.ts.Routes, rs.Routes...)
	}
	if all == nil && ns.host {
		// Older bundles, or a failed ip: the /proc views.
		if m := ns.proc(r, "route"); m != nil {
			rs, err := procnet.ParseRoute(bytes.NewReader(m.data), ns.im.order, ns.ifindex)
			if parsed(r, m, err) {
				ns.ts.Routes = append(ns.ts.Routes, rs...)
				r.note("no ip route output: IPv4 routes of the main table only, from /proc/net/route (first next hop of multipath routes)")
			}
		}
		if v6 == nil {
			if m := ns.proc(r, "ipv6_route"); m != nil {
				rs, err := procnet.ParseIPv6Route(bytes.NewReader(m.data), ns.ifindex)
				if parsed(r, m, err) {
					ns.ts.Routes = append(ns.ts.Routes, rs...)
					r.note("no ip -6 route output: IPv6 routes from /proc/net/ipv6_route, without table ids or protocols")
				}
			}
		}
	}
	cache := 0
	if ns.host {
		for _, c := range []struct {
			cmd string
			fam uint8
		}{{"ip_-d_route_show_cache", snapshots.AFInet}, {"ip_-d_-6_route_show_cache", snapshots.AFInet6}} {
			if m := ns.cmd(r, c.cmd); m != nil {
				cache++
				rs, sk := iptext.ParseRoutes(m.data, c.fam, true, ns.im.ticks, ns.names())
				skipped(r, m, sk)
				ns.ts.Routes = append(ns.ts.Routes, rs.Routes...)
			}
		}
	}
	if r.ok > 0 && cache == 0 {
		r.note("route-cache exceptions (PMTU, redirects) were not collected (ip -d route show cache: sos 4.3 and later, own namespace only)")
	}
	if r.ok == 0 && r.fail == 0 {
		r.bad("routes", errors.New("no ip route output or /proc/net/route in the bundle"))
	}
	ns.mfcFromRoutes = mfc
	ns.done(snapshots.TableRoutes, r)
}

func (ns *nsImport) rules() {
	r := &run{}
	for _, c := range []struct {
		cmds []string
		fam  uint8
	}{{[]string{"ip_-4_rule_list", "ip_-4_rule"}, snapshots.AFInet}, {[]string{"ip_-6_rule_list", "ip_-6_rule"}, snapshots.AFInet6}} {
		if m := ns.cmd(r, c.cmds...); m != nil {
			rs, sk := iptext.ParseRules(m.data, c.fam, ns.names())
			skipped(r, m, sk)
			ns.ts.Rules = append(ns.ts.Rules, rs...)
		} else if r.ok > 0 {
			r.note(fmt.Sprintf("no %s rule list in the bundle", map[uint8]string{2: "IPv4", 10: "IPv6"}[c.fam]))
		}
	}
	if r.ok == 0 {
		r.bad("rules", errors.New("no ip rule output in the bundle (policy rules exist only as command output)"))
	}
	ns.done(snapshots.TableRules, r)
}

func (ns *nsImport) neighbours() {
	r := &run{}
	type key struct {
		fam uint8
		idx int32
		a   netip.Addr
	}
	seen := map[key]bool{}
	add := func(m *member) {
		nb, sk := iptext.ParseNeigh(m.data, ns.im.ticks, ns.bcast, ns.names())
		skipped(r, m, sk)
		for _, n := range nb {
			k := key{n.Family, n.Index, n.Addr}
			if !seen[k] {
				seen[k] = true
				ns.ts.Neighbours = append(ns.ts.Neighbours, n)
			}
		}
	}
	if m := ns.cmd(r, "ip_-s_-s_neigh_show", "ip_neigh_show", "ip_neigh", "ip_-s_neigh_show"); m != nil {
		add(m)
	}
	if m := ns.cmd(r, "ip_neigh_show_nud_noarp"); m != nil {
		add(m)
	}
	if r.ok == 0 && ns.host {
		if m := ns.proc(r, "arp"); m != nil {
			nb, err := procnet.ParseARP(bytes.NewReader(m.data), ns.ifindex)
			if parsed(r, m, err) {
				ns.ts.Neighbours = nb
				r.note("no ip neigh output: IPv4 entries only, from /proc/net/arp, without states beyond complete/permanent")
			}
		}
	}
	if r.ok > 0 {
		r.note("proxy entries (ip neigh show proxy) and entries in state NONE are not collected by sos")
	} else {
		r.bad("neigh", errors.New("no ip neigh output in the bundle"))
	}
	ns.done(snapshots.TableNeigh, r)
}

// sockView is one socket listing of the bundle (ss or netstat), parsed
// once.
type sockView struct {
	read    bool
	s       *iptext.Sockets
	from    string
	notes   *run
	skipped string // lines the parser skipped, as a note
}

// get parses the first of cmds the bundle has, once, and records in r
// (when not nil) where the view came from and what its reading noted.
func (v *sockView) get(ns *nsImport, r *run, parse func([]byte) (iptext.Sockets, iptext.Skipped), cmds ...string) *iptext.Sockets {
	if !v.read {
		v.read = true
		rr := &run{}
		if m := ns.cmd(rr, cmds...); m != nil {
			s, sk := parse(m.data)
			v.s, v.from, v.notes = &s, m.path, rr
			if sk.Lines > 0 {
				v.skipped = m.path + ": " + sk.Err().Error()
			}
		}
	}
	if v.s != nil && r != nil {
		r.good(v.from)
		for _, p := range v.notes.problems {
			r.note(p)
		}
	}
	return v.s
}

// ssView and netstatView return the bundle's ss (preferred) and netstat
// views of this namespace's sockets.
func (ns *nsImport) ssView(r *run) *iptext.Sockets {
	return ns.ss.get(ns, r, func(b []byte) (iptext.Sockets, iptext.Skipped) { return iptext.ParseSS(b, ns.names()) }, "ss_-peaonmi")
}

func (ns *nsImport) netstatView(r *run) *iptext.Sockets {
	return ns.netstat.get(ns, r, iptext.ParseNetstat, "netstat_-W_-neopa", "netstat_-T_-neopa", "netstat_-neopa")
}

func (ns *nsImport) inet() {
	r := &run{}
	proc := 0
	if ns.host {
		for _, f := range procnet.InetFiles {
			m := ns.proc(r, f.Name)
			if m == nil {
				continue
			}
			proc++
			ss, err := procnet.ParseInet(bytes.NewReader(m.data), f, ns.im.order, ns.im.ticks)
			if parsed(r, m, err) {
				ns.ts.InetSockets = append(ns.ts.InetSockets, ss...)
			}
		}
	}
	if proc > 0 {
		if s := ns.ssView(nil); s != nil {
			ns.rowOwners = mergeInet(ns.ts.InetSockets, s)
			ns.ssView(r)
		} else {
			r.note("no ss -peaonmi output: listeners' backlog limits, socket cookies, memory and congestion control are not known")
		}
	} else if s := ns.ssView(r); s != nil {
		ns.ts.InetSockets = s.Inet
		if ns.ss.skipped != "" {
			r.note(ns.ss.skipped)
		}
	} else if s := ns.netstatView(r); s != nil {
		ns.ts.InetSockets = s.Inet
		if ns.netstat.skipped != "" {
			r.note(ns.netstat.skipped)
		}
		r.note("from netstat -neopa: no cookies, memory, congestion control or listener backlog limits")
	} else {
		r.bad("inet", errors.New("no /proc/net/tcp, ss or netstat output in the bundle"))
	}
	ns.done(snapshots.TableInet, r)
}

// mergeInet completes /proc socket rows with what ss printed for the same
// socket — found by inode, or by protocol and endpoints for rows ss or
// /proc print without one (TIME_WAIT, raw sockets ss read from /proc):
// the listener's backlog limit inet_diag reports as Send-Q, the cookie,
// memory, congestion control, IPV6_V6ONLY, cgroup, shutdown state and
// bound device. It returns the owners of matched rows ss printed without
// an inode, with the inode /proc gives.
func mergeInet(proc []snapshots.InetSocket, s *iptext.Sockets) []snapshots.SocketOwner {
	type tuple struct {
		proto         uint16
		local, remote netip.AddrPort
	}
	byIno := map[uint64]int{}
	byTuple := map[tuple]int{}
	for i, x := range s.Inet {
		if x.Inode != 0 {
			byIno[x.Inode] = i
		}
		byTuple[tuple{x.Proto, x.Local, x.Remote}] = i
	}
	var owners []snapshots.SocketOwner
	for i := range proc {
		p := &proc[i]
		j, ok := byIno[p.Inode]
		if p.Inode == 0 || !ok {
			j, ok = byTuple[tuple{p.Proto, p.Local, p.Remote}]
			if !ok || s.Inet[j].Inode != 0 && p.Inode != 0 {
				continue
			}
		}
		x := &s.Inet[j]
		if x.Proto != p.Proto {
			continue
		}
		if p.State == 10 {
			p.SendQ = x.SendQ
		}
		p.Cookie, p.SkMem, p.MemInfo, p.Cong = x.Cookie, x.SkMem, x.MemInfo, x.Cong
		p.V6Only, p.CgroupID, p.Shutdown = x.V6Only, x.CgroupID, x.Shutdown
		if x.IfIndex != 0 {
			p.IfIndex = x.IfIndex
		}
		if x.Mark != 0 {
			p.Mark = x.Mark
		}
		if x.Inode == 0 && p.Inode != 0 {
			for _, o := range s.RowOwners[j] {
				o.Inode = p.Inode
				owners = append(owners, o)
			}
		}
	}
	return owners
}

func (ns *nsImport) unix() {
	r := &run{}
	if ns.host {
		if m := ns.proc(r, "unix"); m != nil {
			us, err := procnet.ParseUnix(bytes.NewReader(m.data))
			if parsed(r, m, err) {
				ns.ts.UnixSockets = us
				if s := ns.ssView(r); s != nil {
					mergeUnix(ns.ts.UnixSockets, s.Unix)
				} else {
					r.note("no ss -peaonmi output: no peers, queues or pending connections")
				}
				ns.done(snapshots.TableUnix, r)
				return
			}
		}
	}
	switch {
	case ns.ssView(nil) != nil:
		ns.ts.UnixSockets = ns.ssView(r).Unix
	case ns.netstatView(nil) != nil:
		ns.ts.UnixSockets = ns.netstatView(r).Unix
		r.note("from netstat -neopa: no peers, queues or pending connections")
	default:
		r.bad("unix", errors.New("no /proc/net/unix, ss or netstat output in the bundle"))
	}
	ns.done(snapshots.TableUnix, r)
}

// mergeUnix completes /proc/net/unix rows with ss's: peer, pending
// connections, queues, shutdown, memory, cookie and the bound file.
func mergeUnix(proc, ss []snapshots.UnixSocket) {
	by := map[uint64]*snapshots.UnixSocket{}
	for i := range ss {
		by[ss[i].Inode] = &ss[i]
	}
	for i := range proc {
		p := &proc[i]
		s := by[p.Inode]
		if s == nil || p.Inode == 0 {
			continue
		}
		p.Peer, p.Pending, p.RecvQ, p.SendQ = s.Peer, s.Pending, s.RecvQ, s.SendQ
		p.Shutdown, p.SkMem, p.Cookie = s.Shutdown, s.SkMem, s.Cookie
		p.VFSInode, p.VFSDev = s.VFSInode, s.VFSDev
		if s.HasUID {
			p.UID, p.HasUID = s.UID, true
		}
	}
}

func (ns *nsImport) packet() {
	r := &run{}
	if ns.host {
		if m := ns.proc(r, "packet"); m != nil {
			ps, err := procnet.ParsePacket(bytes.NewReader(m.data))
			if parsed(r, m, err) {
				ns.ts.PacketSockets = ps
				if s := ns.ssView(nil); s != nil {
					by := map[uint64]snapshots.PacketSocket{}
					for _, p := range s.Packet {
						by[p.Inode] = p
					}
					for i := range ns.ts.PacketSockets {
						if p, ok := by[ns.ts.PacketSockets[i].Inode]; ok && p.Inode != 0 {
							ns.ts.PacketSockets[i].Cookie = p.Cookie
						}
					}
					ns.ssView(r)
				}
				ns.done(snapshots.TablePacket, r)
				return
			}
		}
	}
	if s := ns.ssView(nil); s != nil {
		ns.ts.PacketSockets = ns.ssView(r).Packet
	} else {
		r.bad("packet", errors.New("no /proc/net/packet or ss output in the bundle (netstat does not list packet sockets)"))
	}
	ns.done(snapshots.TablePacket, r)
}

func (ns *nsImport) sctp() {
	r := &run{}
	if ns.im.b.Check("proc/net/tcp") != nil {
		r.bad("proc/net/sctp", errMissing)
		ns.done(snapshots.TableSCTP, r)
		return
	}
	if len(ns.im.b.Dir("proc/net/sctp")) == 0 {
		r.bad("proc/net/sctp", errors.New("not in the bundle: the sctp module was not loaded when sos ran"))
		ns.done(snapshots.TableSCTP, r)
		return
	}
	if m := ns.proc(r, "sctp/eps"); m != nil {
		eps, err := procnet.ParseSCTPEndpoints(bytes.NewReader(m.data))
		if parsed(r, m, err) {
			ns.ts.SCTPEndpoints = eps
		}
	}
	if m := ns.proc(r, "sctp/assocs"); m != nil {
		as, err := procnet.ParseSCTPAssocs(bytes.NewReader(m.data))
		if parsed(r, m, err) {
			ns.ts.SCTPAssocs = as
		}
	}
	if m := ns.proc(r, "sctp/remaddr"); m != nil {
		paths, err := procnet.ParseSCTPRemaddr(bytes.NewReader(m.data))
		if parsed(r, m, err) {
			if n := procnet.AttachSCTPPaths(ns.ts.SCTPAssocs, paths); n > 0 {
				r.note(fmt.Sprintf("%d remaddr rows matched no association (churn)", n))
			}
		}
	}
	ns.done(snapshots.TableSCTP, r)
}

func (ns *nsImport) groups() {
	r := &run{}
	if ns.host && ns.im.b.Check("proc/net/igmp") == nil || ns.host && ns.im.b.Check("proc/net/igmp6") == nil {
		var filters []procnet.McFilter
		if m := ns.proc(r, "igmp"); m != nil {
			gs, ifs, err := procnet.ParseIGMP(bytes.NewReader(m.data), ns.im.order)
			if parsed(r, m, err) {
				ns.ts.Groups = append(ns.ts.Groups, gs...)
				ns.ts.McastIfaces = ifs
			}
		}
		if m := ns.proc(r, "igmp6"); m != nil {
			gs, err := procnet.ParseIGMP6(bytes.NewReader(m.data))
			if parsed(r, m, err) {
				ns.ts.Groups = append(ns.ts.Groups, gs...)
			}
		}
		if m := ns.proc(r, "mcfilter"); m != nil {
			fs, err := procnet.ParseMcFilter(bytes.NewReader(m.data))
			if parsed(r, m, err) {
				filters = append(filters, fs...)
			}
		}
		if m := ns.proc(r, "mcfilter6"); m != nil {
			fs, err := procnet.ParseMcFilter6(bytes.NewReader(m.data))
			if parsed(r, m, err) {
				filters = append(filters, fs...)
			}
		}
		ns.ts.Groups = procnet.AttachSources(ns.ts.Groups, filters)
		if m := ns.proc(r, "dev_mcast"); m != nil {
			lg, err := procnet.ParseDevMcast(bytes.NewReader(m.data))
			if parsed(r, m, err) {
				ns.ts.LinkGroups = lg
			}
		}
		ns.done(snapshots.TableGroups, r)
		return
	}
	if m := ns.cmd(r, "ip_maddr_show", "ip_maddr"); m != nil {
		md, sk := iptext.ParseMaddr(m.data)
		skipped(r, m, sk)
		ns.ts.Groups, ns.ts.LinkGroups = md.Groups, md.LinkGroups
		r.note("from ip maddr: no report timers, querier versions or source filters")
	} else if m := ns.cmd(r, "netstat_-W_-agn", "netstat_-T_-agn", "netstat_-agn"); m != nil {
		gs, sk := iptext.ParseNetstatGroups(m.data, ns.names())
		skipped(r, m, sk)
		ns.ts.Groups = gs
		r.note("from netstat -g: no report timers, source filters or link-layer groups")
	} else {
		r.bad("groups", errors.New("no /proc/net/igmp, ip maddr or netstat -g output in the bundle"))
	}
	ns.done(snapshots.TableGroups, r)
}

func (ns *nsImport) mroute() {
	r := &run{}
	var procMFC []snapshots.MFCEntry
	if ns.host {
		if m := ns.proc(r, "ip_mr_vif"); m != nil {
			vs, err := procnet.ParseIPMrVif(bytes.NewReader(m.data), ns.im.order)
			if parsed(r, m, err) {
				ns.ts.Vifs = append(ns.ts.Vifs, vs...)
			}
		}
		if m := ns.proc(r, "ip6_mr_vif"); m != nil {
			vs, err := procnet.ParseIP6MrVif(bytes.NewReader(m.data))
			if parsed(r, m, err) {
				ns.ts.Vifs = append(ns.ts.Vifs, vs...)
			}
		}
		if m := ns.proc(r, "ip_mr_cache"); m != nil {
			es, err := procnet.ParseIPMrCache(bytes.NewReader(m.data), ns.im.order)
			if parsed(r, m, err) {
				procMFC = append(procMFC, es...)
			}
		}
		if m := ns.proc(r, "ip6_mr_cache"); m != nil {
			es, err := procnet.ParseIP6MrCache(bytes.NewReader(m.data))
			if parsed(r, m, err) {
				procMFC = append(procMFC, es...)
			}
		}
	}
	// The netlink view: what ip route (unrestricted) or ip mroute printed.
	nl := ns.mfcFromRoutes
	if len(nl) > 0 {
		r.good(ns.cmdPaths("ip_route_show_table_all")[0])
	} else if m := ns.cmd(r, "ip_mroute_show"); m != nil {
		es, sk := iptext.ParseMroute(m.data, ns.names())
		skipped(r, m, sk)
		nl = es
	}
	ns.ts.MFC = procnet.MergeMFC(procMFC, nl)
	if !ns.host && r.ok > 0 {
		r.note("no vif table: sos copies /proc/net/ip_mr_vif of the namespace it runs in only")
	}
	if r.ok == 0 {
		r.bad("mroute", errors.New("no /proc/net/ip_mr_* files or ip route/mroute output with multicast routes in the bundle"))
	}
	ns.done(snapshots.TableMroute, r)
}

func (ns *nsImport) stats() {
	r := &run{}
	add := func(m *member, sets []snapshots.CounterSet, err error) {
		if parsed(r, m, err) {
			ns.ts.Counters = append(ns.ts.Counters, sets...)
		}
	}
	if m := ns.proc(r, "snmp"); m != nil {
		sets, err := procnet.ParseSNMP(bytes.NewReader(m.data))
		add(m, sets, err)
	}
	if m := ns.proc(r, "netstat"); m != nil {
		sets, err := procnet.ParseNetstat(bytes.NewReader(m.data))
		add(m, sets, err)
	}
	if m := ns.proc(r, "snmp6"); m != nil {
		sets, err := procnet.ParseNameValues(bytes.NewReader(m.data), "snmp6")
		add(m, sets, err)
	}
	if m := ns.proc(r, "sctp/snmp"); m != nil {
		sets, err := procnet.ParseNameValues(bytes.NewReader(m.data), "sctp/snmp")
		add(m, sets, err)
	}
	for _, name := range ns.im.b.Dir("proc/net/dev_snmp6") {
		if m := ns.proc(r, "dev_snmp6/"+name); m != nil {
			sets, err := procnet.ParseNameValues(bytes.NewReader(m.data), "dev_snmp6/"+name)
			add(m, sets, err)
		}
	}
	if m := ns.proc(r, "sockstat"); m != nil {
		sets, err := procnet.ParseSockstat(bytes.NewReader(m.data), "sockstat")
		add(m, sets, err)
	}
	if m := ns.proc(r, "sockstat6"); m != nil {
		sets, err := procnet.ParseSockstat(bytes.NewReader(m.data), "sockstat6")
		add(m, sets, err)
	}
	if m := ns.proc(r, "protocols"); m != nil {
		ps, err := procnet.ParseProtocols(bytes.NewReader(m.data))
		if parsed(r, m, err) {
			ns.ts.Protocols = ps
		}
	}
	if m := ns.proc(r, "softnet_stat"); m != nil {
		sn, err := procnet.ParseSoftnetStat(bytes.NewReader(m.data))
		if parsed(r, m, err) {
			ns.ts.Softnet = sn
		}
	}
	if r.ok == 0 && r.fail == 0 {
		r.bad("proc/net/snmp", errMissing)
	}
	ns.done(snapshots.TableStats, r)
}

func (ns *nsImport) memory() {
	r := &run{}
	if ns.host {
		n := 0
		for _, s := range procnet.MemorySysctls {
			m, err := ns.im.get("proc/sys/net/" + s)
			if err != nil {
				continue
			}
			ns.keep(m, "/"+m.path)
			n++
			ns.ts.Sysctls = append(ns.ts.Sysctls, snapshots.Sysctl{Name: "net." + strings.ReplaceAll(s, "/", "."),
				Value: strings.TrimSpace(string(m.data))})
		}
		if n > 0 {
			r.good("proc/sys/net")
		}
	}
	if len(ns.ts.Sysctls) == 0 {
		var m *member
		if ns.host {
			if mm, err := ns.im.get("sos_commands/kernel/sysctl_-a"); err == nil {
				m = mm
				ns.keep(m, "")
				r.good(m.path)
				r.notes(m)
			}
		} else {
			m = ns.cmd(r, "sysctl_-a")
		}
		if m != nil {
			want := map[string]int{}
			for i, s := range procnet.MemorySysctls {
				want["net."+strings.ReplaceAll(s, "/", ".")] = i
			}
			got := iptext.Sysctls(m.data, func(n string) bool { _, ok := want[n]; return ok })
			sort.SliceStable(got, func(i, j int) bool { return want[got[i].Name] < want[got[j].Name] })
			ns.ts.Sysctls = got
		}
	}
	if len(ns.ts.Sysctls) == 0 && r.ok == 0 {
		r.bad("proc/sys/net", errors.New("no socket memory sysctl in the bundle (sos's system plugin copies /proc/sys)"))
	}
	if ns.host {
		if m, err := ns.im.get("proc/slabinfo"); err == nil {
			ns.keep(m, "/proc/slabinfo")
			slabs, err := procnet.ParseSlabinfo(bytes.NewReader(m.data), procnet.NetSlab)
			if err != nil {
				r.note("proc/slabinfo: " + err.Error())
			} else {
				ns.ts.Slabs = slabs
				r.good("proc/slabinfo")
			}
		} else if r.ok > 0 {
			r.note("proc/slabinfo is not in the bundle (sos's kernel or memory plugin copies it): socket buffer caches not known")
		}
	}
	ns.done(snapshots.TableMemory, r)
}

// dhcp reads the lease files the bundle holds (sos copies /var/lib/dhcp
// only with a DHCP server package; other clients' directories only when
// some plugin happened to copy them) and keeps the leases of this
// namespace's interfaces, as a live capture does.
func (ns *nsImport) dhcp() {
	r := &run{}
	ifnames := map[string]bool{}
	byIndex := map[int32]string{}
	for _, l := range ns.ts.Links {
		ifnames[l.Name] = true
		byIndex[l.Index] = l.Name
	}
	n := 0
	for _, d := range leases.Dirs() {
		dir := strings.TrimPrefix(d, "/")
		for _, name := range ns.im.b.Dir(dir) {
			p := dir + "/" + name
			c, ok := leases.Classify("/" + p)
			if !ok {
				continue
			}
			m, err := ns.im.get(p)
			if err != nil {
				continue
			}
			ls, err := leases.Parse(c.Path, m.data, ns.im.b.ModTime(p), byIndex)
			if err != nil {
				if !errors.Is(err, leases.ErrUnsupported) {
					r.note(err.Error())
				}
				continue
			}
			ns.keep(m, c.Path)
			n++
			for _, l := range ls {
				if l.Interface == "" || ifnames[l.Interface] {
					ns.ts.Leases = append(ns.ts.Leases, l)
				}
			}
		}
	}
	r.good(fmt.Sprintf("%d lease files in the bundle", n))
	if n == 0 {
		r.note("sos collects no DHCP client lease files (only /var/lib/dhcp when a DHCP server package is installed)")
	}
	ns.done(snapshots.TableDHCP, r)
}

// owners maps socket inodes to processes from ss's users:(…) (all
// socket kinds, every holder) or else netstat's PID/Program column (inet
// and UNIX sockets, one holder each).
func (ns *nsImport) owners() {
	r := &run{}
	var list []snapshots.SocketOwner
	switch {
	case ns.ssView(nil) != nil:
		list = append(ns.ssView(r).Owners, ns.rowOwners...)
	case ns.netstatView(nil) != nil:
		list = ns.netstatView(r).Owners
		r.note("from netstat -neopa: one process per socket, named from its command line; packet sockets have none")
	default:
		r.bad("owners", errors.New("no ss -peaonmi or netstat -neopa output in the bundle"))
		ns.done(snapshots.TableOwners, r)
		return
	}
	inodes := map[uint64]bool{}
	for _, s := range ns.ts.InetSockets {
		inodes[s.Inode] = true
	}
	for _, s := range ns.ts.UnixSockets {
		inodes[s.Inode] = true
	}
	for _, s := range ns.ts.PacketSockets {
		inodes[s.Inode] = true
	}
	for _, s := range ns.ts.SCTPEndpoints {
		inodes[s.Inode] = true
	}
	for _, s := range ns.ts.SCTPAssocs {
		inodes[s.Inode] = true
	}
	delete(inodes, 0)
	type key struct {
		ino uint64
		pid int32
	}
	seen := map[key]bool{}
	for _, o := range list {
		k := key{o.Inode, o.Pid}
		if inodes[o.Inode] && !seen[k] {
			seen[k] = true
			ns.ts.Owners = append(ns.ts.Owners, o)
		}
	}
	sort.Slice(ns.ts.Owners, func(i, j int) bool {
		a, b := ns.ts.Owners[i], ns.ts.Owners[j]
		if a.Inode != b.Inode {
			return a.Inode < b.Inode
		}
		return a.Pid < b.Pid
	})
	ns.done(snapshots.TableOwners, r)
}

func (ns *nsImport) files() {
	r := &run{}
	r.good("bundle members read for this namespace")
	ns.done(snapshots.TableFiles, r)
}
