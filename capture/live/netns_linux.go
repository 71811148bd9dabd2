//go:build linux

package live

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// nsHandle is an open network namespace. Holding the descriptor keeps the
// namespace alive for the whole capture, even if its last process exits
// or its name is removed.
type nsHandle struct {
	fd    int
	inode uint64
	name  string
	pids  []int32
	hints []string
	host  bool
}

func (h *nsHandle) close() {
	if h.fd >= 0 {
		unix.Close(h.fd)
		h.fd = -1
	}
}

func openNS(path string) (*nsHandle, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return nil, err
	}
	return &nsHandle{fd: fd, inode: st.Ino}, nil
}

// selfNS opens the namespace the capture runs in.
func selfNS() (*nsHandle, error) {
	h, err := openNS("/proc/thread-self/ns/net")
	if err != nil {
		return nil, fmt.Errorf("opening own network namespace: %w", err)
	}
	h.host = true
	return h, nil
}

// namedNS opens /run/netns/NAME.
func namedNS(name string) (*nsHandle, error) {
	if name == "" || strings.ContainsAny(name, "/\x00") || name == "." || name == ".." {
		return nil, fmt.Errorf("--netns %q: not a namespace name", name)
	}
	h, err := openNS(filepath.Join("/run/netns", name))
	if err != nil {
		return nil, fmt.Errorf("--netns %s: %w", name, err)
	}
	h.name = name
	return h, nil
}

// pidNS opens the network namespace of a process.
func pidNS(pid int) (*nsHandle, error) {
	h, err := openNS(fmt.Sprintf("/proc/%d/ns/net", pid))
	if err != nil {
		return nil, fmt.Errorf("--netns-pid %d: %w", pid, err)
	}
	h.pids = []int32{int32(pid)}
	return h, nil
}

// allNS enumerates every network namespace of the host: named ones under
// /run/netns and those of processes, deduplicated by inode. Processes that
// vanish or cannot be read are skipped.
func allNS(self *nsHandle) ([]*nsHandle, error) {
	byIno := map[uint64]*nsHandle{self.inode: self}
	order := []*nsHandle{self}
	if ents, err := os.ReadDir("/run/netns"); err == nil {
		for _, e := range ents {
			h, err := openNS(filepath.Join("/run/netns", e.Name()))
			if err != nil {
				continue
			}
			if old := byIno[h.inode]; old != nil {
				h.close()
				if old.name == "" {
					old.name = e.Name()
				}
				continue
			}
			h.name = e.Name()
			byIno[h.inode] = h
			order = append(order, h)
		}
	}
	procs, err := os.ReadDir("/proc")
	if err != nil {
		return order, err
	}
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil {
			continue
		}
		var st unix.Stat_t
		path := "/proc/" + p.Name() + "/ns/net"
		if unix.Stat(path, &st) != nil {
			continue
		}
		h := byIno[st.Ino]
		if h == nil {
			if h, err = openNS(path); err != nil || h.inode != st.Ino {
				if h != nil {
					h.close()
				}
				continue
			}
			byIno[h.inode] = h
			order = append(order, h)
		}
		h.pids = append(h.pids, int32(pid))
	}
	for _, h := range order {
		sort.Slice(h.pids, func(i, j int) bool { return h.pids[i] < h.pids[j] })
		if !h.host && len(h.pids) > 0 {
			h.hints = containerHints(h.pids[0])
		}
	}
	return order, nil
}

// containerHints names the container a process belongs to, from its
// cgroup path (docker, podman, containerd, systemd-nspawn, kubepods …).
func containerHints(pid int32) []string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
	if err != nil {
		return nil
	}
	var hints []string
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) == 3 && parts[2] != "/" && parts[2] != "" {
			hints = append(hints, "cgroup:"+parts[2])
			break
		}
	}
	if comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid)); err == nil {
		hints = append(hints, "comm:"+strings.TrimSpace(string(comm)))
	}
	return hints
}

// inNS runs fn on an OS thread that has entered namespace h, then returns
// the thread to the capture's own namespace. If that fails, the thread
// stays locked and the runtime discards it when the goroutine ends, so no
// other goroutine ever runs in the wrong namespace.
func inNS(h *nsHandle, self *nsHandle, fn func() error) error {
	if h == nil || h.inode == self.inode {
		done := make(chan error, 1)
		go func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			done <- fn()
		}()
		return <-done
	}
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if err := unix.Setns(h.fd, unix.CLONE_NEWNET); err != nil {
			runtime.UnlockOSThread()
			done <- fmt.Errorf("entering namespace %d: %w", h.inode, err)
			return
		}
		err := fn()
		if rerr := unix.Setns(self.fd, unix.CLONE_NEWNET); rerr != nil {
			done <- errors.Join(err, fmt.Errorf("leaving namespace %d: %w", h.inode, rerr))
			return // thread stays locked: discarded
		}
		runtime.UnlockOSThread()
		done <- err
	}()
	return <-done
}
