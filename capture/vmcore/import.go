// Package vmcore reads the network tables of every network namespace out of
// an x86-64 Linux kernel crash dump (ELF or kdump-compressed) without
// debuginfo: symbols come from the kallsyms tables decoded from the dump,
// structure layouts from the kernel's own BTF found in memory. The result
// is an ordinary snapshot (see Write).
//
// A dump is untrusted input: every read is bounds-checked by the memory
// layer, every kernel list walk is bounded, and a failure inside one table
// (even a panic) makes only that table unavailable or partial.
package vmcore

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/netmortem/netmortem/capture/vmcore/btfx"
	"github.com/netmortem/netmortem/snapshots"
)

// Options tunes an import.
type Options struct {
	// MaxObjects bounds how many objects one kernel list or hash table walk
	// may visit before it is cut off as corrupt; 0 means 4,000,000.
	MaxObjects int
}

// Namespace is what was read for one network namespace.
type Namespace struct {
	Info   snapshots.NamespaceInfo
	Addr   uint64 // kernel address of its struct net
	Tables snapshots.Tables
	Status map[snapshots.Table]snapshots.Status
}

// Result is everything needed to write a snapshot.
type Result struct {
	Meta       snapshots.Meta
	Namespaces []Namespace
}

// tableOrder lists the tables a vmcore import reads, in snapshot order.
var readTables = []snapshots.Table{
	snapshots.TableLinks, snapshots.TableAddrs, snapshots.TableRoutes,
	snapshots.TableRules, snapshots.TableNeigh, snapshots.TableInet, snapshots.TableStats,
}

// notRead says why the remaining tables are absent from a vmcore import.
var notRead = map[snapshots.Table]string{
	snapshots.TableDHCP:   "DHCP leases are user-space state, not in a kernel dump",
	snapshots.TableOwners: "socket owners need the process tables, which the vmcore import does not walk",
	snapshots.TableFiles:  "a kernel dump has no /proc text files",
}

// Import opens the dump at path and reads every namespace's tables.
func Import(ctx context.Context, path string, opts Options) (*Result, error) {
	d, err := OpenDump(path)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	return d.Import(ctx, path, opts)
}

// Import reads every namespace's tables from an opened dump; origin names
// the dump in the metadata.
func (d *Dump) Import(ctx context.Context, origin string, opts Options) (*Result, error) {
	if opts.MaxObjects <= 0 {
		opts.MaxObjects = 4_000_000
	}
	res := &Result{Meta: d.meta(origin)}
	nets, err := d.namespaces(opts.MaxObjects)
	if err != nil {
		return nil, err
	}
	initNet, _ := d.Syms.Lookup("init_net")
	for _, n := range nets {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		ns := Namespace{Addr: n.addr, Status: map[snapshots.Table]snapshots.Status{}}
		ns.Info = snapshots.NamespaceInfo{ID: len(res.Namespaces), Inode: n.inum, Host: n.addr == initNet}
		if ns.Info.Host {
			ns.Info.Name = ""
		}
		w := &walker{d: d, net: n.addr, max: opts.MaxObjects}
		for _, t := range readTables {
			st := w.run(t, &ns.Tables)
			st.Time = res.Meta.CaptureStart
			ns.Status[t] = st
		}
		if ns.Info.Host {
			// Keep the dump's own description of itself, verbatim.
			ns.Tables.Files = []snapshots.RawFile{{Path: "VMCOREINFO", Data: []byte(d.Info.Raw)}}
			ns.Status[snapshots.TableFiles] = snapshots.OK(res.Meta.CaptureStart, "vmcore: VMCOREINFO note")
		}
		for _, t := range snapshots.NamespaceTables {
			if _, ok := ns.Status[t]; ok {
				continue
			}
			reason, ok := notRead[t]
			if !ok {
				reason = "not read from kernel dumps by this version of netmortem"
			}
			ns.Status[t] = snapshots.Unavailable(res.Meta.CaptureStart, reason)
		}
		res.Namespaces = append(res.Namespaces, ns)
	}
	return res, nil
}

// Write writes r as a one-frame snapshot at path (atomically).
func Write(path string, r *Result) error {
	w, err := snapshots.Create(path, r.Meta)
	if err != nil {
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
				st = snapshots.Unavailable(r.Meta.CaptureStart, "not read")
			}
			if err := w.WriteTable(ids[i], t, st, &ns.Tables); err != nil {
				w.Abort()
				return err
			}
		}
	}
	w.EndFrame(r.Meta.CaptureEnd)
	return w.Close()
}

func (d *Dump) meta(origin string) snapshots.Meta {
	m := snapshots.Meta{
		Machine:    "x86_64",
		PageSize:   4096,
		ClockTicks: 100,
		Source:     snapshots.Source{Kind: "vmcore", Origin: origin, Detail: d.Format},
	}
	m.KernelRelease = d.Info.Values["OSRELEASE"]
	if a, ok := d.Info.Symbols["init_uts_ns"]; ok {
		l := btfx.NewLayout(d.Types)
		name := l.F("uts_namespace", "name")
		node := l.F("new_utsname", "nodename")
		rel := l.F("new_utsname", "release")
		ver := l.F("new_utsname", "version")
		mach := l.F("new_utsname", "machine")
		if l.Err() == nil {
			if o, err := d.obj(a+uint64(name.Off), name.Size); err == nil {
				m.Hostname, m.KernelVersion = o.Str(node), o.Str(ver)
				if r := o.Str(rel); r != "" {
					m.KernelRelease = r
				}
				if mc := o.Str(mach); mc != "" {
					m.Machine = mc
				}
			}
		} else {
			m.Warnings = append(m.Warnings, "utsname not read: "+l.Err().Error())
		}
	}
	switch {
	case d.Crash:
		m.CaptureStart, m.CaptureEnd = d.Time, d.Time
	case !d.Time.IsZero():
		m.CaptureStart, m.CaptureEnd = d.Time, d.Time
		m.Warnings = append(m.Warnings, "VMCOREINFO has no CRASHTIME (the dump was not taken at a panic); the time is the dump header's")
	default:
		m.Warnings = append(m.Warnings, "the dump records no crash time")
	}
	m.Warnings = append(m.Warnings, fmt.Sprintf("read from a %s kernel dump without debuginfo: symbols from kallsyms, layouts from BTF", d.Format))
	return m
}

// obj reads size bytes at va.
func (d *Dump) obj(va uint64, size uint32) (btfx.Obj, error) {
	if va == 0 {
		return nil, errors.New("NULL pointer")
	}
	b, err := d.Mem.Bytes(va, int(size))
	return btfx.Obj(b), err
}

type netRef struct {
	addr uint64
	inum uint64
}

// namespaces walks net_namespace_list.
func (d *Dump) namespaces(max int) ([]netRef, error) {
	head, err := d.Syms.Addr("net_namespace_list")
	if err != nil {
		return nil, err
	}
	l := btfx.NewLayout(d.Types)
	list := l.F("net", "list")
	inum := l.F("net", "ns.inum")
	if err := l.Err(); err != nil {
		return nil, err
	}
	var out []netRef
	err = walkList(d, head, max, func(node uint64) error {
		n := node - uint64(list.Off)
		o, err := d.obj(n+uint64(inum.Off), inum.Size)
		if err != nil {
			return err
		}
		out = append(out, netRef{addr: n, inum: o.U(btfx.Field{Size: inum.Size})})
		return nil
	})
	if len(out) == 0 && err != nil {
		return nil, fmt.Errorf("walking net_namespace_list: %w", err)
	}
	return out, nil
}

// walkList calls fn for each node of a circular list_head at head (next is
// the first word), stopping after max nodes.
func walkList(d *Dump, head uint64, max int, fn func(node uint64) error) error {
	node, err := d.Mem.U64(head)
	if err != nil {
		return err
	}
	for i := 0; node != head; i++ {
		if i >= max {
			return fmt.Errorf("list at %#x longer than %d entries: cut off", head, max)
		}
		if node == 0 {
			return fmt.Errorf("list at %#x has a NULL link", head)
		}
		if err := fn(node); err != nil {
			return err
		}
		if node, err = d.Mem.U64(node); err != nil {
			return err
		}
	}
	return nil
}

// walker reads the tables of one namespace.
type walker struct {
	d    *Dump
	net  uint64
	max  int
	errs []string
}

// errf records a problem that makes a table partial.
func (w *walker) errf(format string, args ...any) {
	if len(w.errs) < 8 {
		w.errs = append(w.errs, fmt.Sprintf(format, args...))
	} else if len(w.errs) == 8 {
		w.errs = append(w.errs, "more errors not shown")
	}
}

// run reads table t into ts and returns its status. A panic inside a
// walker is turned into an error for that table only.
func (w *walker) run(t snapshots.Table, ts *snapshots.Tables) (st snapshots.Status) {
	w.errs = nil
	var sources []string
	defer func() {
		if r := recover(); r != nil {
			st = snapshots.Unavailable(time.Time{}, fmt.Sprintf("reading %s from the dump failed: %v", t, r), sources...)
		}
	}()
	var err error
	switch t {
	case snapshots.TableLinks:
		sources = []string{"vmcore: net.dev_base_head"}
		ts.Links, err = w.links()
	case snapshots.TableAddrs:
		sources = []string{"vmcore: in_device.ifa_list", "vmcore: inet6_dev.addr_list"}
		ts.Addrs, err = w.addrs()
	case snapshots.TableRoutes:
		sources = []string{"vmcore: ipv4 fib_table_hash tries", "vmcore: ipv6 fib6 tables"}
		ts.Routes, err = w.routes()
	case snapshots.TableRules:
		sources = []string{"vmcore: ipv4.rules_ops", "vmcore: ipv6.fib6_rules_ops"}
		ts.Rules, err = w.rules()
	case snapshots.TableNeigh:
		sources = []string{"vmcore: arp_tbl", "vmcore: nd_tbl"}
		ts.Neighbours, err = w.neighbours()
	case snapshots.TableInet:
		sources = []string{"vmcore: tcp ehash/lhash2", "vmcore: udp_table"}
		ts.InetSockets, err = w.sockets()
	case snapshots.TableStats:
		sources = []string{"vmcore: net.mib per-cpu counters"}
		ts.Counters, err = w.counters()
	}
	rows := ts.Rows(t)
	switch {
	case err != nil && rows == 0:
		return snapshots.Unavailable(time.Time{}, err.Error(), sources...)
	case err != nil:
		w.errs = append([]string{err.Error()}, w.errs...)
	}
	if len(w.errs) > 0 {
		return snapshots.Status{State: snapshots.StatePartial, Reason: strings.Join(w.errs, "; "), Sources: sources}
	}
	return snapshots.OK(time.Time{}, sources...)
}

// ipv4 turns a __be32 as read little-endian into an address.
func ipv4(v uint64) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)})
}

// ipv6 turns 16 bytes into an address; short input gives the zero Addr.
func ipv6(b []byte) netip.Addr {
	if len(b) < 16 {
		return netip.Addr{}
	}
	return netip.AddrFrom16([16]byte(b[:16]))
}

// ntohs swaps a __be16 read little-endian.
func ntohs(v uint64) uint16 { return uint16(v>>8) | uint16(v<<8) }
