//go:build linux

package live

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/netmortem/netmortem/analyze/names"
	"github.com/netmortem/netmortem/capture/procnet"
	"github.com/netmortem/netmortem/snapshots"
)

// Capture writes a snapshot of the host's network tables to o.Output. A
// series (o.Interval > 0) stops after o.Count frames, or when ctx is
// cancelled: the frame under way is finished and the file closed valid.
func Capture(ctx context.Context, o Options) (*Summary, error) {
	if o.Output == "" {
		return nil, errors.New("no output file")
	}
	self, err := selfNS()
	if err != nil {
		return nil, err
	}
	defer self.close()
	var fixed *nsHandle
	switch {
	case o.NetNS != "":
		fixed, err = namedNS(o.NetNS)
	case o.NetNSPid != 0:
		fixed, err = pidNS(o.NetNSPid)
	}
	if err != nil {
		return nil, err
	}
	if fixed != nil {
		defer fixed.close()
		fixed.host = fixed.inode == self.inode
	}
	want := map[snapshots.Table]bool{}
	for _, t := range o.Tables {
		want[t] = true
	}
	if len(o.Tables) == 0 {
		for _, t := range snapshots.AllTables {
			want[t] = true
		}
	}

	removeStaleTemps(o.Output)
	meta := hostMeta()
	meta.CaptureStart = time.Now().UTC()
	meta.ToolVersion = o.ToolVersion
	meta.CommandLine = o.CommandLine
	meta.Source = snapshots.Source{Kind: "live", Origin: meta.Hostname}
	w, err := snapshots.Create(o.Output, meta)
	if err != nil {
		return nil, err
	}
	if max(o.Count, 1) == 1 && (o.Count != 0 || o.Interval == 0) {
		w.OneFrame()
	}
	ok := false
	defer func() {
		if !ok {
			w.Abort()
		}
	}()

	sum := &Summary{}
	var unavail, partial problems
	record := func(ns string, t snapshots.Table, st snapshots.Status) {
		where := string(t)
		if ns != "" {
			where += " (" + ns + ")"
		}
		switch st.State {
		case snapshots.StateUnavailable:
			unavail.add(where + ": " + st.Reason)
		case snapshots.StatePartial:
			partial.add(where + ": " + st.Reason)
		}
		sum.Tables++
	}

	if want[snapshots.TableNames] {
		st, ts := captureNames()
		if err := w.WriteTable(-1, snapshots.TableNames, st, ts); err != nil {
			return nil, err
		}
		record("", snapshots.TableNames, st)
	}

	ids := map[uint64]int{} // namespace inode → snapshot ID
	infos := map[int]snapshots.NamespaceInfo{}
	order := binary.ByteOrder(binary.LittleEndian)
	if meta.BigEndian {
		order = binary.BigEndian
	}
	prog := newProgress(o.Progress)
	defer prog.done()

	next := time.Now()
	for frame := 0; o.Count == 0 && o.Interval > 0 || frame < max(o.Count, 1); frame++ {
		if frame > 0 {
			next = next.Add(o.Interval)
			select {
			case <-ctx.Done():
				sum.Interrupted = true
			case <-time.After(time.Until(next)):
			}
			if sum.Interrupted {
				break
			}
		}
		var handles []*nsHandle
		switch {
		case fixed != nil:
			handles = []*nsHandle{fixed}
		case o.AllNetNS:
			hs, err := allNS(self)
			if err != nil && len(hs) == 0 {
				return nil, err
			}
			handles = hs
		default:
			handles = []*nsHandle{self}
		}
		fi := w.BeginFrame(time.Now())
		// Some socket-memory sysctls exist only in the initial namespace
		// (tcp_mem, udp_mem: the limits are global); read them here, in
		// the capture's own namespace, for namespaces that lack them.
		var hostSysctls map[string]string
		if want[snapshots.TableMemory] && (fixed == nil || !fixed.host || o.AllNetNS) {
			hostSysctls = readSysctls(procnet.MemorySysctls)
		}
		// The owner walk runs while the namespaces are dumped.
		ownersCh := make(chan ownersResult, 1)
		if want[snapshots.TableOwners] {
			go func() { ownersCh <- socketOwners(o.Owners) }()
		}
		var owners *ownersResult
		getOwners := func() *ownersResult {
			if owners == nil {
				r := <-ownersCh
				owners = &r
			}
			return owners
		}
		seen := map[int]bool{}
		for i, h := range handles {
			info := snapshots.NamespaceInfo{Name: h.name, Inode: h.inode, Host: h.host, Pids: h.pids, Hints: h.hints}
			id, known := ids[h.inode]
			if !known {
				id = w.AddNamespace(info)
				ids[h.inode] = id
			} else {
				info.Gone = false
				w.UpdateNamespace(id, info)
			}
			infos[id] = info
			seen[id] = true
			label := nsLabel(h, id)
			prog.set(fmt.Sprintf("frame %d, namespace %d/%d %s", fi, i+1, len(handles), label))
			c := &nsCapture{h: h, order: order, ticks: meta.ClockTicks, want: want, prog: prog,
				sysfs: h.inode == self.inode, leaseGlobs: o.LeaseFiles, hostSysctls: hostSysctls}
			// A writer goroutine compresses and writes each table as soon
			// as it is captured; it alone touches w until it is done.
			type item struct {
				t  snapshots.Table
				st snapshots.Status
			}
			items := make(chan item, len(snapshots.NamespaceTables))
			wdone := make(chan error, 1)
			go func() {
				// Each table is encoded and compressed on its own
				// goroutine: the big ones (routes, sockets) then use both
				// CPUs instead of queueing behind each other.
				var wg sync.WaitGroup
				var mu sync.Mutex
				var werr error
				for it := range items {
					wg.Add(1)
					go func() {
						defer wg.Done()
						err := w.WriteTable(id, it.t, it.st, &c.ts)
						release(&c.ts, it.t)
						mu.Lock()
						defer mu.Unlock()
						if werr == nil {
							werr = err
						}
						record(label, it.t, it.st)
					}()
				}
				wg.Wait()
				wdone <- werr
			}()
			c.emit = func(t snapshots.Table, st snapshots.Status) { items <- item{t, st} }
			err := c.runLanes(self)
			if err == nil {
				if want[snapshots.TableOwners] {
					r := getOwners()
					run := &tableRun{}
					if r.err != nil {
						run.bad(r.source, r.err)
					} else {
						run.good(r.source)
					}
					if r.denied > 0 {
						run.note(fmt.Sprintf("%d processes' descriptors not readable (not root?)", r.denied))
					}
					if r.note != "" {
						run.note(r.note)
					}
					c.ts.Owners = ownersOf(r.m, c.inodes())
					c.emit(snapshots.TableOwners, run.status(time.Now()))
				}
				if want[snapshots.TableFiles] {
					c.ts.Files = c.files
					c.emit(snapshots.TableFiles, snapshots.OK(time.Now(), "files read during this capture"))
				}
			}
			close(items)
			if werr := <-wdone; werr != nil {
				return nil, werr
			}
			if err != nil {
				// The namespace could not be entered: it is recorded as
				// gone, its tables as unavailable, and the rest goes on.
				info.Gone = true
				w.UpdateNamespace(id, info)
				infos[id] = info
				sum.Gone = append(sum.Gone, label)
				for _, t := range snapshots.NamespaceTables {
					if want[t] {
						st := snapshots.Unavailable(time.Now(), "namespace could not be entered: "+err.Error())
						if err := w.WriteTable(id, t, st, nil); err != nil {
							return nil, err
						}
						record(label, t, st)
					}
				}
				continue
			}
		}
		for id, info := range infos {
			if !seen[id] && !info.Gone {
				info.Gone = true
				w.UpdateNamespace(id, info)
				infos[id] = info
				sum.Gone = append(sum.Gone, nsLabelInfo(info, id))
			}
		}
		w.EndFrame(time.Now())
		sum.Frames++
		if o.FrameDone != nil {
			o.FrameDone(fi)
		}
		if o.AllNetNS {
			for _, h := range handles {
				if h != self {
					h.close()
				}
			}
		}
		if ctx.Err() != nil {
			sum.Interrupted = o.Count == 0 || frame+1 < o.Count
			break
		}
	}
	sum.Namespaces = len(ids)
	meta.CaptureEnd = time.Now().UTC()
	w.SetMeta(meta)
	if err := w.Close(); err != nil {
		return nil, err
	}
	ok = true
	if st, err := os.Stat(o.Output); err == nil {
		sum.Bytes = st.Size()
	}
	summarize(sum, &unavail, &partial)
	return sum, nil
}

// release drops a big table once the writer has it, so that a host's
// routes are freed while its sockets are still being dumped. Only tables
// no other step reads are released.
func release(ts *snapshots.Tables, t snapshots.Table) {
	switch t {
	case snapshots.TableRoutes:
		ts.Routes = nil
	case snapshots.TableInet:
		ts.InetSockets = nil
	case snapshots.TableUnix:
		ts.UnixSockets = nil
	case snapshots.TableOwners:
		ts.Owners = nil
	}
}

func nsLabel(h *nsHandle, id int) string {
	return nsLabelInfo(snapshots.NamespaceInfo{Name: h.name, Inode: h.inode, Host: h.host}, id)
}

func nsLabelInfo(n snapshots.NamespaceInfo, id int) string {
	switch {
	case n.Host:
		return "host"
	case n.Name != "":
		return n.Name
	}
	return fmt.Sprintf("#%d inode %d", id, n.Inode)
}

// captureNames reads the host's name databases (host scope).
func captureNames() (snapshots.Status, *snapshots.Tables) {
	files, dirs := names.Paths()
	// The host's time zone, for displays of local times (netstat -D).
	files = append(files, "/etc/localtime", "/etc/timezone")
	ts := &snapshots.Tables{}
	run := &tableRun{}
	for _, d := range dirs {
		ents, err := os.ReadDir(d)
		if err != nil {
			continue
		}
		for _, e := range ents {
			if filepath.Ext(e.Name()) == ".conf" && e.Type().IsRegular() {
				files = append(files, filepath.Join(d, e.Name()))
			}
		}
	}
	for _, p := range files {
		data, err := readAll(p)
		if err != nil {
			if !os.IsNotExist(err) {
				run.note(fmt.Sprintf("%s: %v", p, err))
				ts.Files = append(ts.Files, snapshots.RawFile{Path: p, Err: err.Error()})
			}
			continue
		}
		rf := snapshots.RawFile{Path: p, Data: data}
		if st, err := os.Stat(p); err == nil {
			rf.ModTime = st.ModTime().UTC()
		}
		ts.Files = append(ts.Files, rf)
		run.good(p)
	}
	if run.ok == 0 && run.fail == 0 && !run.partial {
		return snapshots.Status{State: snapshots.StatePartial, Reason: "no name files found", Time: time.Now()}, ts
	}
	return run.status(time.Now()), ts
}

// removeStaleTemps deletes the temporary files of captures to the same
// path that were killed (their process is gone), so they do not pile up.
func removeStaleTemps(path string) {
	for f, pid := range snapshots.TempFiles(path) {
		if err := unix.Kill(pid, 0); errors.Is(err, unix.ESRCH) {
			os.Remove(f)
		}
	}
}
