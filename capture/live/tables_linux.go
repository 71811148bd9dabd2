//go:build linux

package live

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/netmortem/netmortem/capture/leases"
	"github.com/netmortem/netmortem/capture/nlmsg"
	"github.com/netmortem/netmortem/capture/procnet"
	"github.com/netmortem/netmortem/snapshots"
)

// nsCapture captures the tables of one namespace; run executes on a
// thread inside it, so /proc/thread-self/net and netlink sockets see that
// namespace.
type nsCapture struct {
	h           *nsHandle
	order       binary.ByteOrder
	ticks       uint32
	want        map[snapshots.Table]bool
	prog        *progress
	sysfs       bool // /sys/class/net shows this namespace (the capture's own)
	leaseGlobs  []string
	hostSysctls map[string]string // global sysctls read in the capture's namespace

	ts snapshots.Tables
	// The routing and socket lanes run at once (see runLanes); mu guards
	// what both touch.
	mu    sync.Mutex
	files []snapshots.RawFile
	// inodeList holds the inodes of the captured sockets, for the owners
	// table; gathered as each socket table is done, since the writer lets
	// go of a big table once it is written.
	inodeList []uint64
	// emit hands a finished table to the writer, which compresses it while
	// the next tables are dumped. It runs in the capture's goroutine, and
	// the writer reads only that table's fields of ts.
	emit func(snapshots.Table, snapshots.Status)
}

const procNet = "/proc/thread-self/net/"

// lanes split a namespace's tables between two threads inside it: on a
// big host the route dump and the socket dump each take seconds of kernel
// time, and so each gets a CPU. A lane's tables are captured in order.
var lanes = [][]snapshots.Table{
	{snapshots.TableLinks, snapshots.TableAddrs, snapshots.TableRoutes, snapshots.TableRules,
		snapshots.TableNeigh, snapshots.TableGroups, snapshots.TableMroute, snapshots.TableStats,
		snapshots.TableMemory, snapshots.TableDHCP},
	{snapshots.TableInet, snapshots.TableUnix, snapshots.TablePacket, snapshots.TableSCTP},
}

// runLanes captures the namespace's tables, each lane on its own thread
// in the namespace. It fails only when the namespace cannot be entered.
func (c *nsCapture) runLanes(self *nsHandle) error {
	errs := make([]error, len(lanes))
	var wg sync.WaitGroup
	for i, lane := range lanes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = inNS(c.h, self, func() error { return c.run(lane) })
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (c *nsCapture) run(tables []snapshots.Table) error {
	steps := map[snapshots.Table]func(*tableRun){
		snapshots.TableLinks:  c.links,
		snapshots.TableAddrs:  c.addrs,
		snapshots.TableRoutes: c.routes,
		snapshots.TableRules:  c.rules,
		snapshots.TableNeigh:  c.neighbours,
		snapshots.TableInet:   c.inet,
		snapshots.TableUnix:   c.unix,
		snapshots.TablePacket: c.packet,
		snapshots.TableSCTP:   c.sctp,
		snapshots.TableGroups: c.groups,
		snapshots.TableMroute: c.mroute,
		snapshots.TableStats:  c.stats,
		snapshots.TableMemory: c.memory,
		snapshots.TableDHCP:   c.dhcp,
	}
	for _, t := range tables {
		if !c.want[t] {
			continue
		}
		c.prog.set(fmt.Sprintf("namespace %d: %s", c.h.inode, t))
		run := &tableRun{}
		steps[t](run)
		c.addInodes(t)
		c.emit(t, run.status(time.Now()))
	}
	return nil
}

// dump records the outcome of one netlink dump in run.
func dump(run *tableRun, source string, st nlmsg.DumpStats, err error) bool {
	run.retries += uint32(st.Retries)
	if err != nil {
		run.bad(source, err)
		return false
	}
	if st.Interrupted {
		run.note(fmt.Sprintf("%s: dump still interrupted after %d retries; rows may be missing or stale", source, st.Retries))
	}
	run.good(source)
	return true
}

func (c *nsCapture) links(run *tableRun) {
	ls, st, err := nlmsg.DumpLinks(nil)
	if !dump(run, "netlink RTM_GETLINK", st, err) {
		return
	}
	if c.sysfs {
		for i := range ls {
			ls[i].Sys = sysfsExtras(ls[i].Name)
		}
		run.sources = append(run.sources, "/sys/class/net")
	}
	c.ts.Links = ls
}

// sysfsAttrs are per-device attributes netlink does not give.
var sysfsAttrs = []string{"speed", "duplex", "dev_id", "dev_port", "ifalias", "carrier_changes",
	"carrier_up_count", "carrier_down_count", "addr_assign_type", "name_assign_type", "phys_port_name",
	"device/driver/module/drivers", "device/vendor", "device/device", "device/numa_node"}

func sysfsExtras(name string) []snapshots.Sysctl {
	if strings.ContainsAny(name, "/\x00") || name == "." || name == ".." {
		return nil
	}
	var out []snapshots.Sysctl
	for _, a := range sysfsAttrs {
		b, err := os.ReadFile(filepath.Join("/sys/class/net", name, a))
		if err != nil {
			continue
		}
		out = append(out, snapshots.Sysctl{Name: a, Value: strings.TrimSpace(string(b))})
	}
	if target, err := os.Readlink(filepath.Join("/sys/class/net", name, "device/driver")); err == nil {
		out = append(out, snapshots.Sysctl{Name: "driver", Value: filepath.Base(target)})
	}
	return out
}

func (c *nsCapture) addrs(run *tableRun) {
	for _, fam := range []uint8{snapshots.AFInet, snapshots.AFInet6} {
		as, st, err := nlmsg.DumpAddrs(nil, fam)
		if dump(run, "netlink RTM_GETADDR "+famName(fam), st, err) {
			c.ts.Addrs = append(c.ts.Addrs, as...)
		}
	}
}

func famName(f uint8) string {
	switch f {
	case snapshots.AFInet:
		return "inet"
	case snapshots.AFInet6:
		return "inet6"
	}
	return fmt.Sprint(f)
}

func (c *nsCapture) routes(run *tableRun) {
	// Dumps append to one slice sized from the kernel's own route counts,
	// so that a million routes are decoded in place, never copied.
	rs := make([]snapshots.Route, 0, c.routeEstimate())
	for _, fam := range []uint8{snapshots.AFInet6, snapshots.AFInet} {
		// Route-cache exceptions (PMTU, redirects) are only dumped on request.
		ex, st, err := nlmsg.DumpRoutes(nil, fam, true)
		if err != nil {
			run.note(fmt.Sprintf("netlink RTM_GETROUTE %s cloned: %v", famName(fam), err))
		} else {
			dump(run, "netlink RTM_GETROUTE "+famName(fam)+" cloned", st, nil)
			for i := range ex {
				if ex[i].Cloned {
					rs = append(rs, ex[i])
				}
			}
		}
	}
	for _, fam := range []uint8{snapshots.AFInet6, snapshots.AFInet} {
		var st nlmsg.DumpStats
		var err error
		rs, st, err = nlmsg.DumpRoutesAppend(nil, fam, false, rs)
		dump(run, "netlink RTM_GETROUTE "+famName(fam), st, err)
	}
	c.ts.Routes = rs
}

// routeEstimate is about how many routes the namespace has, from
// fib_triestat (IPv4 prefixes per table; main and local are one trie,
// printed twice, until policy rules split them) and rt6_stats (IPv6 route
// entries), with a margin for routes added while dumping.
func (c *nsCapture) routeEstimate() int {
	n := 0
	if b, err := c.readFile(procNet + "fib_triestat"); err == nil {
		seen := map[string]bool{}
		var block strings.Builder
		count := 0
		flush := func() {
			if count > 0 && !seen[block.String()] {
				seen[block.String()] = true
				n += count
			}
			block.Reset()
			count = 0
		}
		for _, line := range strings.Split(string(b), "\n") {
			if !strings.HasPrefix(line, "\t") && !strings.HasPrefix(line, " ") && strings.HasSuffix(line, ":") {
				flush()
				continue
			}
			block.WriteString(line)
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), "Prefixes:"); ok {
				count, _ = strconv.Atoi(strings.TrimSpace(v))
			}
		}
		flush()
	}
	if b, err := c.readFile(procNet + "rt6_stats"); err == nil {
		if f := strings.Fields(string(b)); len(f) >= 4 {
			if v, err := strconv.ParseUint(f[3], 16, 32); err == nil {
				n += int(v)
			}
		}
	}
	return min(n+n/50+64, 1<<26)
}

// socketEstimate is about how many inet sockets the namespace has, from
// sockstat and sockstat6.
func (c *nsCapture) socketEstimate() int {
	n := 0
	for _, f := range []string{"sockstat", "sockstat6"} {
		b, err := os.ReadFile(procNet + f)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			fs := strings.Fields(line)
			if len(fs) == 0 || fs[0] == "sockets:" || fs[0] == "FRAG:" || strings.HasPrefix(fs[0], "FRAG") {
				continue
			}
			// TCP's alloc counts every socket (inuse only those with a
			// user); other protocols give inuse.
			want := map[string]bool{"inuse": true}
			if fs[0] == "TCP:" || fs[0] == "TCP6:" {
				want = map[string]bool{"alloc": true, "tw": true}
			}
			for i := 1; i+1 < len(fs); i += 2 {
				if want[fs[i]] {
					v, _ := strconv.Atoi(fs[i+1])
					n += v
				}
			}
		}
	}
	return min(n+n/50+64, 1<<24)
}

// concat joins the parts of a table, copying only when more than one part
// has rows: a million-route dump is not copied to add a few IPv6 routes
// more than once.
func concat[T any](parts [][]T) []T {
	n, nonEmpty := 0, 0
	var only []T
	for _, p := range parts {
		n += len(p)
		if len(p) > 0 {
			nonEmpty++
			only = p
		}
	}
	if nonEmpty <= 1 {
		return only
	}
	out := make([]T, 0, n)
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func (c *nsCapture) rules(run *tableRun) {
	for _, fam := range []uint8{snapshots.AFInet, snapshots.AFInet6} {
		rs, st, err := nlmsg.DumpRules(nil, fam)
		if dump(run, "netlink RTM_GETRULE "+famName(fam), st, err) {
			c.ts.Rules = append(c.ts.Rules, rs...)
		}
	}
}

func (c *nsCapture) neighbours(run *tableRun) {
	for _, fam := range []uint8{snapshots.AFInet, snapshots.AFInet6} {
		for _, proxy := range []bool{false, true} {
			src := "netlink RTM_GETNEIGH " + famName(fam)
			if proxy {
				src += " proxy"
			}
			ns, st, err := nlmsg.DumpNeighbours(nil, fam, proxy)
			if dump(run, src, st, err) {
				c.ts.Neighbours = append(c.ts.Neighbours, ns...)
			}
		}
	}
}

// inet dumps every inet protocol through sock_diag, falling back to the
// /proc tables when the kernel lacks a diag module (raw_diag is often
// missing).
func (c *nsCapture) inet(run *tableRun) {
	type proto struct {
		p    uint16
		name string
		v4   procnet.InetFile
		v6   procnet.InetFile
		opt  bool // absent support is normal, not a problem
	}
	protos := []proto{
		{snapshots.ProtoTCP, "tcp", procnet.TCP, procnet.TCP6, false},
		{snapshots.ProtoUDP, "udp", procnet.UDP, procnet.UDP6, false},
		{snapshots.ProtoUDPLite, "udplite", procnet.UDPLite, procnet.UDPLite6, true},
		{snapshots.ProtoRaw, "raw", procnet.Raw, procnet.Raw6, false},
		{snapshots.ProtoMPTCP, "mptcp", procnet.InetFile{}, procnet.InetFile{}, true},
	}
	// All dumps append to one slice sized from sockstat, so that hundreds
	// of thousands of sockets are decoded in place, never copied.
	all := make([]snapshots.InetSocket, 0, c.socketEstimate())
	defer func() { c.ts.InetSockets = all }()
	slices.Reverse(protos)
	for _, p := range protos {
		if p.p == snapshots.ProtoTCP {
			// Both families in one walk of the socket tables; a kernel
			// that no longer serves that request gets one per family.
			var st nlmsg.DumpStats
			var err error
			n := len(all)
			if all, st, err = nlmsg.DumpInetAppend(nil, 0, p.p, all); err == nil {
				dump(run, "netlink sock_diag tcp inet+inet6", st, nil)
				continue
			}
			all = all[:n]
		}
		for _, fam := range []uint8{snapshots.AFInet6, snapshots.AFInet} {
			src := fmt.Sprintf("netlink sock_diag %s %s", p.name, famName(fam))
			var st nlmsg.DumpStats
			var err error
			all, st, err = nlmsg.DumpInetAppend(nil, fam, p.p, all)
			if err == nil {
				dump(run, src, st, nil)
				continue
			}
			file := p.v4
			if fam == snapshots.AFInet6 {
				file = p.v6
			}
			if file.Name == "" {
				if !p.opt || !errors.Is(err, nlmsg.ErrUnsupported) {
					run.note(fmt.Sprintf("%s: %v", src, err))
				}
				continue
			}
			// Fall back to /proc: no TCP_INFO, memory or cookies there.
			data, ferr := c.readFile(procNet + file.Name)
			if ferr != nil {
				if p.opt && os.IsNotExist(ferr) {
					continue
				}
				run.bad(src, err)
				run.bad("/proc/net/"+file.Name, ferr)
				continue
			}
			ss, perr := procnet.ParseInet(bytes.NewReader(data), file, c.order, c.ticks)
			if perr != nil {
				run.bad("/proc/net/"+file.Name, perr)
				continue
			}
			all = append(all, ss...)
			run.good("/proc/net/" + file.Name)
			if !errors.Is(err, nlmsg.ErrUnsupported) {
				run.note(fmt.Sprintf("%s failed (%v); read /proc/net/%s instead", src, err, file.Name))
			}
		}
	}
}

func (c *nsCapture) unix(run *tableRun) {
	us, st, err := nlmsg.DumpUnix(nil)
	if err == nil {
		dump(run, "netlink sock_diag unix", st, nil)
		c.ts.UnixSockets = us
		return
	}
	data, ferr := c.readFile(procNet + "unix")
	if ferr != nil {
		run.bad("netlink sock_diag unix", err)
		run.bad("/proc/net/unix", ferr)
		return
	}
	us, perr := procnet.ParseUnix(bytes.NewReader(data))
	if perr != nil {
		run.bad("/proc/net/unix", perr)
		return
	}
	c.ts.UnixSockets = us
	run.good("/proc/net/unix")
	run.note(fmt.Sprintf("unix_diag failed (%v): no peers or pending connections", err))
}

func (c *nsCapture) packet(run *tableRun) {
	ps, st, err := nlmsg.DumpPacket(nil)
	if err == nil {
		dump(run, "netlink sock_diag packet", st, nil)
		c.ts.PacketSockets = ps
		return
	}
	data, ferr := c.readFile(procNet + "packet")
	if ferr != nil {
		run.bad("netlink sock_diag packet", err)
		run.bad("/proc/net/packet", ferr)
		return
	}
	ps, perr := procnet.ParsePacket(bytes.NewReader(data))
	if perr != nil {
		run.bad("/proc/net/packet", perr)
		return
	}
	c.ts.PacketSockets = ps
	run.good("/proc/net/packet")
}

// proc reads and parses one /proc/net file into run; a missing file is
// reported as missing with why.
func (c *nsCapture) proc(run *tableRun, name, missing string, parse func([]byte) error) bool {
	data, err := c.readFile(procNet + name)
	src := "/proc/net/" + name
	if err != nil {
		if os.IsNotExist(err) && missing != "" {
			err = errors.New(missing)
		}
		run.bad(src, err)
		return false
	}
	if err := parse(data); err != nil {
		run.bad(src, err)
		return false
	}
	run.good(src)
	return true
}

func (c *nsCapture) sctp(run *tableRun) {
	const why = "not present: the sctp module is not loaded"
	if _, err := os.Stat(procNet + "sctp"); os.IsNotExist(err) {
		run.bad("/proc/net/sctp", errors.New(why))
		return
	}
	c.proc(run, "sctp/eps", why, func(b []byte) (err error) {
		c.ts.SCTPEndpoints, err = procnet.ParseSCTPEndpoints(bytes.NewReader(b))
		return
	})
	c.proc(run, "sctp/assocs", why, func(b []byte) (err error) {
		c.ts.SCTPAssocs, err = procnet.ParseSCTPAssocs(bytes.NewReader(b))
		return
	})
	c.proc(run, "sctp/remaddr", why, func(b []byte) error {
		paths, err := procnet.ParseSCTPRemaddr(bytes.NewReader(b))
		if err == nil {
			if n := procnet.AttachSCTPPaths(c.ts.SCTPAssocs, paths); n > 0 {
				run.note(fmt.Sprintf("%d remaddr rows matched no association (churn)", n))
			}
		}
		return err
	})
}

func (c *nsCapture) groups(run *tableRun) {
	var filters []procnet.McFilter
	c.proc(run, "igmp", "not present: no IPv4 in this kernel", func(b []byte) error {
		gs, ifs, err := procnet.ParseIGMP(bytes.NewReader(b), c.order)
		c.ts.Groups = append(c.ts.Groups, gs...)
		c.ts.McastIfaces = ifs
		return err
	})
	c.proc(run, "igmp6", "not present: IPv6 is disabled", func(b []byte) error {
		gs, err := procnet.ParseIGMP6(bytes.NewReader(b))
		c.ts.Groups = append(c.ts.Groups, gs...)
		return err
	})
	c.proc(run, "mcfilter", "", func(b []byte) error {
		fs, err := procnet.ParseMcFilter(bytes.NewReader(b))
		filters = append(filters, fs...)
		return err
	})
	c.proc(run, "mcfilter6", "", func(b []byte) error {
		fs, err := procnet.ParseMcFilter6(bytes.NewReader(b))
		filters = append(filters, fs...)
		return err
	})
	c.ts.Groups = procnet.AttachSources(c.ts.Groups, filters)
	c.proc(run, "dev_mcast", "", func(b []byte) (err error) {
		c.ts.LinkGroups, err = procnet.ParseDevMcast(bytes.NewReader(b))
		return
	})
}

// mroute combines the /proc view of the default multicast table (vif
// indexes, vif counters) with netlink's view of every table (ifindexes).
func (c *nsCapture) mroute(run *tableRun) {
	var procMFC []snapshots.MFCEntry
	c.proc(run, "ip_mr_vif", "not present: no IPv4 multicast routing in this kernel", func(b []byte) error {
		vs, err := procnet.ParseIPMrVif(bytes.NewReader(b), c.order)
		c.ts.Vifs = append(c.ts.Vifs, vs...)
		return err
	})
	c.proc(run, "ip6_mr_vif", "not present: no IPv6 multicast routing in this kernel", func(b []byte) error {
		vs, err := procnet.ParseIP6MrVif(bytes.NewReader(b))
		c.ts.Vifs = append(c.ts.Vifs, vs...)
		return err
	})
	c.proc(run, "ip_mr_cache", "", func(b []byte) error {
		es, err := procnet.ParseIPMrCache(bytes.NewReader(b), c.order)
		procMFC = append(procMFC, es...)
		return err
	})
	c.proc(run, "ip6_mr_cache", "", func(b []byte) error {
		es, err := procnet.ParseIP6MrCache(bytes.NewReader(b))
		procMFC = append(procMFC, es...)
		return err
	})
	var nlMFC []snapshots.MFCEntry
	for _, fam := range []uint8{snapshots.AFInet, snapshots.AFInet6} {
		es, st, err := nlmsg.DumpMFC(nil, fam)
		src := "netlink RTM_GETROUTE " + map[uint8]string{snapshots.AFInet: "ipmr", snapshots.AFInet6: "ip6mr"}[fam]
		if err != nil {
			if errors.Is(err, nlmsg.ErrUnsupported) {
				continue // no multicast routing support: /proc says the same
			}
			run.note(fmt.Sprintf("%s: %v", src, err))
			continue
		}
		dump(run, src, st, nil)
		nlMFC = append(nlMFC, es...)
	}
	c.ts.MFC = procnet.MergeMFC(procMFC, nlMFC)
}

func (c *nsCapture) stats(run *tableRun) {
	add := func(sets []snapshots.CounterSet, err error) error {
		c.ts.Counters = append(c.ts.Counters, sets...)
		return err
	}
	c.proc(run, "snmp", "", func(b []byte) error { return add(procnet.ParseSNMP(bytes.NewReader(b))) })
	c.proc(run, "netstat", "", func(b []byte) error { return add(procnet.ParseNetstat(bytes.NewReader(b))) })
	c.proc(run, "snmp6", "not present: IPv6 is disabled", func(b []byte) error {
		return add(procnet.ParseNameValues(bytes.NewReader(b), "snmp6"))
	})
	if _, err := os.Stat(procNet + "sctp/snmp"); err == nil {
		c.proc(run, "sctp/snmp", "", func(b []byte) error {
			return add(procnet.ParseNameValues(bytes.NewReader(b), "sctp/snmp"))
		})
	}
	if ents, err := os.ReadDir(procNet + "dev_snmp6"); err == nil {
		for _, e := range ents {
			name := e.Name()
			c.proc(run, "dev_snmp6/"+name, "", func(b []byte) error {
				return add(procnet.ParseNameValues(bytes.NewReader(b), "dev_snmp6/"+name))
			})
		}
	}
	c.proc(run, "sockstat", "", func(b []byte) error { return add(procnet.ParseSockstat(bytes.NewReader(b), "sockstat")) })
	c.proc(run, "sockstat6", "not present: IPv6 is disabled", func(b []byte) error {
		return add(procnet.ParseSockstat(bytes.NewReader(b), "sockstat6"))
	})
	c.proc(run, "protocols", "", func(b []byte) (err error) {
		c.ts.Protocols, err = procnet.ParseProtocols(bytes.NewReader(b))
		return
	})
	c.proc(run, "softnet_stat", "", func(b []byte) (err error) {
		c.ts.Softnet, err = procnet.ParseSoftnetStat(bytes.NewReader(b))
		return
	})
}

// readSysctls reads /proc/sys/net/<name> for each name, in the calling
// thread's namespace; missing ones are left out.
func readSysctls(names []string) map[string]string {
	out := map[string]string{}
	for _, s := range names {
		if b, err := readAll("/proc/sys/net/" + s); err == nil {
			out[s] = strings.TrimSpace(string(b))
		}
	}
	return out
}

func (c *nsCapture) memory(run *tableRun) {
	names := append([]string(nil), procnet.MemorySysctls...)
	// Per-interface IPv6 forwarding and hop limit (netstat -s -a).
	for _, l := range c.ts.Links {
		if !strings.ContainsAny(l.Name, "/\x00") && l.Name != "." && l.Name != ".." {
			names = append(names, "ipv6/conf/"+l.Name+"/forwarding", "ipv6/conf/"+l.Name+"/hop_limit")
		}
	}
	n, global := 0, 0
	for _, s := range names {
		name := "net." + strings.ReplaceAll(s, "/", ".")
		data, err := c.readFile("/proc/sys/net/" + s)
		if err != nil {
			if v, ok := c.hostSysctls[s]; ok && os.IsNotExist(err) {
				c.ts.Sysctls = append(c.ts.Sysctls, snapshots.Sysctl{Name: name, Value: v})
				global++
			}
			continue
		}
		n++
		c.ts.Sysctls = append(c.ts.Sysctls, snapshots.Sysctl{Name: name, Value: strings.TrimSpace(string(data))})
	}
	if n > 0 {
		run.good("/proc/sys/net")
	} else {
		run.bad("/proc/sys/net", errors.New("no socket memory sysctl readable"))
	}
	if global > 0 {
		run.good(fmt.Sprintf("/proc/sys/net of the initial namespace (%d global limits)", global))
	}
	data, err := c.readFile("/proc/slabinfo")
	if err != nil {
		run.note("/proc/slabinfo: " + err.Error() + " (readable by root only; socket buffer caches not captured)")
		return
	}
	slabs, err := procnet.ParseSlabinfo(bytes.NewReader(data), procnet.NetSlab)
	if err != nil {
		run.note("/proc/slabinfo: " + err.Error())
		return
	}
	c.ts.Slabs = slabs
	run.good("/proc/slabinfo")
}

// dhcp reads the lease files of every known DHCP client, and the extra
// files --lease-file names (in dhclient's format unless their path says
// otherwise). Lease files name interfaces; only leases of this
// namespace's interfaces are kept.
func (c *nsCapture) dhcp(run *tableRun) {
	ifnames := map[string]bool{}
	byIndex := map[int32]string{}
	for _, l := range c.ts.Links {
		ifnames[l.Name] = true
		byIndex[l.Index] = l.Name
	}
	found, err := leases.Discover("/")
	if err != nil {
		run.note("discovering lease files: " + err.Error())
	}
	paths := map[string]bool{}
	var files []string
	for _, f := range found {
		if !paths[f.Path] {
			paths[f.Path] = true
			files = append(files, f.Path)
		}
	}
	extra := map[string]bool{}
	for _, g := range c.leaseGlobs {
		ms, err := filepath.Glob(g)
		if err != nil {
			run.note(fmt.Sprintf("--lease-file %s: %v", g, err))
		}
		for _, m := range ms {
			if !paths[m] {
				paths[m], extra[m] = true, true
				files = append(files, m)
			}
		}
	}
	sort.Strings(files)
	n := 0
	for _, p := range files {
		data, err := c.readFile(p)
		if err != nil {
			run.note(fmt.Sprintf("%s: %v", p, err))
			continue
		}
		var mod time.Time
		if st, err := os.Stat(p); err == nil {
			mod = st.ModTime().UTC()
		}
		ls, err := leases.Parse(p, data, mod, byIndex)
		if errors.Is(err, leases.ErrUnsupported) && extra[p] {
			ls, err = leases.ParseDhclient(p, data, mod)
		}
		if err != nil {
			run.note(err.Error())
			continue
		}
		n++
		for _, l := range ls {
			if l.Interface == "" || ifnames[l.Interface] {
				c.ts.Leases = append(c.ts.Leases, l)
			}
		}
	}
	run.good(fmt.Sprintf("%d lease files (dhclient, dhcpcd, systemd-networkd, NetworkManager, wicked)", n))
}

// addInodes adds the inodes of socket table t to c.inodeList.
func (c *nsCapture) addInodes(t snapshots.Table) {
	c.mu.Lock()
	defer c.mu.Unlock()
	l := c.inodeList
	switch t {
	case snapshots.TableInet:
		for _, s := range c.ts.InetSockets {
			l = append(l, s.Inode)
		}
	case snapshots.TableUnix:
		for _, s := range c.ts.UnixSockets {
			l = append(l, s.Inode)
		}
	case snapshots.TablePacket:
		for _, s := range c.ts.PacketSockets {
			l = append(l, s.Inode)
		}
	case snapshots.TableSCTP:
		for _, s := range c.ts.SCTPEndpoints {
			l = append(l, s.Inode)
		}
		for _, s := range c.ts.SCTPAssocs {
			l = append(l, s.Inode)
		}
	}
	c.inodeList = l
}

// inodes returns the inodes of every socket captured, sorted, each once,
// 0 (no inode) left out: a sorted list is merged with the sorted owners
// (ownersOf) where a set of 400k inodes cost a map of them.
func (c *nsCapture) inodes() []uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	slices.Sort(c.inodeList)
	c.inodeList = slices.Compact(c.inodeList)
	if len(c.inodeList) > 0 && c.inodeList[0] == 0 {
		c.inodeList = c.inodeList[1:]
	}
	return c.inodeList
}
