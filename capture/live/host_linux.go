//go:build linux

package live

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

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
		c.mu.Lock()
		c.files = append(c.files, rf)
		c.mu.Unlock()
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

// procSocketOwners walks /proc/*/fd once and lists which processes hold which
// socket inodes, sorted by inode then pid. Unreadable processes (other
// users' without root) are counted, not fatal. A host with hundreds of
// thousands of sockets has as many descriptors to read, so processes are
// shared among a few workers.
func procSocketOwners() ([]snapshots.SocketOwner, int) {
	procs, err := os.ReadDir("/proc")
	if err != nil {
		return nil, 0
	}
	var pids []int
	for _, p := range procs {
		if n, err := strconv.Atoi(p.Name()); err == nil {
			pids = append(pids, n)
		}
	}
	workers := min(runtime.GOMAXPROCS(0)*2, 8)
	type result struct {
		owners [][]snapshots.SocketOwner // one list per process: no regrowing
		denied int
	}
	results := make([]result, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var fw fdWalker
			for i := w; i < len(pids); i += workers {
				o, denied := fw.processSockets(pids[i])
				if len(o) > 0 {
					results[w].owners = append(results[w].owners, o)
				}
				results[w].denied += denied
			}
		}()
	}
	wg.Wait()
	n, denied := 0, 0
	for _, r := range results {
		for _, o := range r.owners {
			n += len(o)
		}
		denied += r.denied
	}
	all := make([]snapshots.SocketOwner, 0, n)
	for _, r := range results {
		for _, o := range r.owners {
			all = append(all, o...)
		}
	}
	slices.SortFunc(all, compareOwner)
	// A socket on several descriptors of one process counts once.
	return slices.CompactFunc(all, func(a, b snapshots.SocketOwner) bool { return compareOwner(a, b) == 0 }), denied
}

// fdWalker reads processes' descriptor tables with reused buffers: a host
// with 400k sockets has as many descriptors, and the walk is then mostly
// system calls, with no allocation per descriptor.
type fdWalker struct {
	dents []byte
	link  []byte
	names []byte // NUL-terminated descriptor numbers, back to back
	offs  []int
}

// processSockets lists the sockets process pid holds.
func (fw *fdWalker) processSockets(pid int) ([]snapshots.SocketOwner, int) {
	ps := strconv.Itoa(pid)
	dfd, err := unix.Open("/proc/"+ps+"/fd", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		if err == unix.EACCES || err == unix.EPERM {
			return nil, 1
		}
		return nil, 0
	}
	defer unix.Close(dfd)
	if fw.dents == nil {
		fw.dents = make([]byte, 64<<10)
		fw.link = make([]byte, 64)
	}
	fw.names, fw.offs = fw.names[:0], fw.offs[:0]
	for {
		n, err := unix.Getdents(dfd, fw.dents)
		if err != nil || n <= 0 {
			break
		}
		for b := fw.dents[:n]; len(b) >= 19; {
			// struct linux_dirent64: ino 8, off 8, reclen 2, type 1, name.
			reclen := int(binary.NativeEndian.Uint16(b[16:]))
			if reclen < 19 || reclen > len(b) {
				break
			}
			name := b[19:reclen]
			if i := bytes.IndexByte(name, 0); i >= 0 {
				name = name[:i]
			}
			if len(name) > 0 && name[0] != '.' {
				fw.offs = append(fw.offs, len(fw.names))
				fw.names = append(append(fw.names, name...), 0)
			}
			b = b[reclen:]
		}
	}
	var out []snapshots.SocketOwner
	var comm string
	var uid uint32
	for _, off := range fw.offs {
		// Relative to the open directory: no path walk per descriptor.
		l, ok := readlinkat(dfd, &fw.names[off], fw.link)
		if !ok {
			continue
		}
		inode, ok := socketInode(fw.link[:l])
		if !ok {
			continue
		}
		if out == nil {
			out = make([]snapshots.SocketOwner, 0, len(fw.offs))
			comm, uid = processIdentity(pid)
		}
		out = append(out, snapshots.SocketOwner{Inode: inode, Pid: int32(pid), Command: comm, UID: uid})
	}
	return slices.Clip(out), 0
}

// processIdentity reads a process's command name and the user owning
// its /proc directory; a process gone meanwhile has neither.
func processIdentity(pid int) (comm string, uid uint32) {
	ps := "/proc/" + strconv.Itoa(pid)
	c, _ := os.ReadFile(ps + "/comm")
	var st unix.Stat_t
	if unix.Stat(ps, &st) == nil {
		uid = st.Uid
	}
	return strings.TrimSpace(string(c)), uid
}

// readlinkat is readlinkat(2) on a NUL-terminated name, without the
// string conversion and allocation of unix.Readlinkat.
func readlinkat(dfd int, name *byte, buf []byte) (int, bool) {
	n, _, errno := unix.Syscall6(unix.SYS_READLINKAT, uintptr(dfd), uintptr(unsafe.Pointer(name)),
		uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)), 0, 0)
	return int(n), errno == 0
}

// socketInode parses a descriptor link "socket:[INODE]".
func socketInode(l []byte) (uint64, bool) {
	const pre = "socket:["
	if len(l) < len(pre)+2 || string(l[:len(pre)]) != pre || l[len(l)-1] != ']' {
		return 0, false
	}
	var v uint64
	for _, c := range l[len(pre) : len(l)-1] {
		if c < '0' || c > '9' || v > (1<<64-1)/10-1 {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	return v, true
}

// ownersOf picks the owners of the given inodes out of a list sorted by
// inode; inodes is sorted too, and the two are walked together.
func ownersOf(all []snapshots.SocketOwner, inodes []uint64) []snapshots.SocketOwner {
	var out []snapshots.SocketOwner
	for i, j := 0, 0; i < len(all) && j < len(inodes); {
		switch {
		case all[i].Inode < inodes[j]:
			i++
		case all[i].Inode > inodes[j]:
			j++
		default:
			out = append(out, all[i])
			i++
		}
	}
	return slices.Clip(out)
}
