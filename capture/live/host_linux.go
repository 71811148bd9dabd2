//go:build linux

package live

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/binary"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/netmortem/netmortem/snapshots"
)

// hostMeta reads what the snapshot says about the capturing host.
func hostMeta() snapshots.Meta {
	var m snapshots.Meta
	var u unix.Utsname
	if unix.Uname(&u) == nil {
		m.Hostname = cstr(u.Nodename[:])
		m.KernelRelease = cstr(u.Release[:])
		m.KernelVersion = cstr(u.Version[:])
		m.Machine = cstr(u.Machine[:])
	}
	if h, err := os.Hostname(); err == nil && m.Hostname == "" {
		m.Hostname = h
	}
	var probe [2]byte
	binary.NativeEndian.PutUint16(probe[:], 1)
	m.BigEndian = probe[0] == 0
	m.BootTime = bootTime()
	m.ClockTicks, m.PageSize = auxv()
	return m
}

func cstr(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// bootTime is the btime line of /proc/stat.
func bootTime() time.Time {
	f, err := os.Open("/proc/stat")
	if err != nil {
		return time.Time{}
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "btime "); ok {
			if s, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
				return time.Unix(s, 0).UTC()
			}
		}
	}
	return time.Time{}
}

// auxv returns USER_HZ (AT_CLKTCK) and the page size (AT_PAGESZ) the
// kernel gave this process: the units of /proc timers and sockstat mem.
func auxv() (ticks, page uint32) {
	ticks, page = 100, uint32(os.Getpagesize())
	b, err := os.ReadFile("/proc/self/auxv")
	if err != nil {
		return
	}
	const atPagesz, atClktck = 6, 17
	for len(b) >= 16 {
		k, v := binary.NativeEndian.Uint64(b), binary.NativeEndian.Uint64(b[8:])
		b = b[16:]
		switch k {
		case atClktck:
			if v > 0 && v < 1<<20 {
				ticks = uint32(v)
			}
		case atPagesz:
			if v > 0 && v < 1<<30 {
				page = uint32(v)
			}
		}
	}
	return
}

// maxFile bounds one captured file: /proc tables of a big host are tens of
// megabytes; nothing legitimate is near this.
const maxFile = 1 << 30

// readFile reads a file whole, recording it verbatim for the files table.
// A missing file is reported through ok=false with the error kept.
func (c *nsCapture) readFile(path string) ([]byte, error) {
	data, err := readAll(path)
	rf := snapshots.RawFile{Path: c.display(path), Data: data}
	if err != nil {
		rf.Err = err.Error()
		rf.Data = nil
	} else if st, e := os.Stat(path); e == nil && st.Mode().IsRegular() && st.Size() > 0 {
		rf.ModTime = st.ModTime().UTC()
	}
	if err == nil || !os.IsNotExist(err) {
		c.files = append(c.files, rf)
	}
	return data, err
}

// display turns /proc/thread-self/net/x into /proc/net/x for the record:
// the path the file has on the captured host.
func (c *nsCapture) display(path string) string {
	if rest, ok := strings.CutPrefix(path, "/proc/thread-self/"); ok {
		return "/proc/" + rest
	}
	return path
}

func readAll(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var buf bytes.Buffer
	_, err = buf.ReadFrom(&limitedReader{f, maxFile})
	return buf.Bytes(), err
}

type limitedReader struct {
	f *os.File
	n int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, errTooBig
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.f.Read(p)
	l.n -= int64(n)
	return n, err
}

type tooBigError struct{}

func (tooBigError) Error() string { return "file larger than 1 GiB; not captured" }

var errTooBig = tooBigError{}

// socketOwners walks /proc/*/fd once and lists which processes hold which
// socket inodes, sorted by inode then pid. Unreadable processes (other
// users' without root) are counted, not fatal. A host with hundreds of
// thousands of sockets has as many descriptors to read, so processes are
// shared among a few workers.
func socketOwners() ([]snapshots.SocketOwner, int) {
	procs, err := os.ReadDir("/proc")
	if err != nil {
		return nil, 0
	}
	var pids []string
	for _, p := range procs {
		if _, err := strconv.Atoi(p.Name()); err == nil {
			pids = append(pids, p.Name())
		}
	}
	workers := min(runtime.GOMAXPROCS(0)*2, 8)
	type result struct {
		owners []snapshots.SocketOwner
		denied int
	}
	results := make([]result, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 64)
			for i := w; i < len(pids); i += workers {
				o, denied := processSockets(pids[i], buf, results[w].owners)
				results[w].owners = o
				results[w].denied += denied
			}
		}()
	}
	wg.Wait()
	n, denied := 0, 0
	for _, r := range results {
		n += len(r.owners)
		denied += r.denied
	}
	all := make([]snapshots.SocketOwner, 0, n)
	for _, r := range results {
		all = append(all, r.owners...)
	}
	slices.SortFunc(all, func(a, b snapshots.SocketOwner) int {
		if a.Inode != b.Inode {
			return cmp.Compare(a.Inode, b.Inode)
		}
		return cmp.Compare(a.Pid, b.Pid)
	})
	return all, denied
}

// processSockets appends the sockets process pid holds, one entry per
// socket (a socket on several descriptors counts once).
func processSockets(pid string, buf []byte, out []snapshots.SocketOwner) ([]snapshots.SocketOwner, int) {
	dir, err := os.Open("/proc/" + pid + "/fd")
	if err != nil {
		if os.IsPermission(err) {
			return out, 1
		}
		return out, 0
	}
	defer dir.Close()
	names, err := dir.Readdirnames(-1) // unsorted: a process may hold tens of thousands
	if err != nil {
		return out, 0
	}
	dfd := int(dir.Fd())
	n, _ := strconv.Atoi(pid)
	out = slices.Grow(out, len(names))
	var comm string
	var uid uint32
	seen := map[uint64]bool{}
	for _, name := range names {
		// Relative to the open directory: no path walk per descriptor.
		l, err := unix.Readlinkat(dfd, name, buf)
		if err != nil || l < 9 {
			continue
		}
		ino, ok := strings.CutPrefix(string(buf[:l]), "socket:[")
		if !ok || !strings.HasSuffix(ino, "]") {
			continue
		}
		inode, err := strconv.ParseUint(ino[:len(ino)-1], 10, 64)
		if err != nil || seen[inode] {
			continue
		}
		seen[inode] = true
		if comm == "" {
			c, _ := os.ReadFile("/proc/" + pid + "/comm")
			comm = strings.TrimSpace(string(c))
			var st unix.Stat_t
			if unix.Stat("/proc/"+pid, &st) == nil {
				uid = st.Uid
			}
		}
		out = append(out, snapshots.SocketOwner{Inode: inode, Pid: int32(n), Command: comm, UID: uid})
	}
	return out, 0
}

// ownersOf picks the owners of the given inodes out of a sorted list.
func ownersOf(all []snapshots.SocketOwner, inodes map[uint64]bool) []snapshots.SocketOwner {
	n := 0
	for _, o := range all {
		if inodes[o.Inode] {
			n++
		}
	}
	out := make([]snapshots.SocketOwner, 0, n)
	for _, o := range all {
		if inodes[o.Inode] {
			out = append(out, o)
		}
	}
	return out
}
