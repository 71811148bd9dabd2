//go:build linux

package live

import (
	"net"
	"os"
	"syscall"
	"testing"
)

func TestSocketInode(t *testing.T) {
	for in, want := range map[string]uint64{
		"socket:[12345]": 12345, "socket:[0]": 0, "socket:[18446744073709551615]": 0,
		"socket:[]": 0, "pipe:[123]": 0, "socket:[12a]": 0, "socket:[1]x": 0, "/dev/null": 0,
	} {
		got, ok := socketInode([]byte(in))
		if got != want || ok != (want != 0 || in == "socket:[0]") {
			t.Errorf("socketInode(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
}

// TestSocketOwners opens sockets in this process, one of them on two
// descriptors, and finds each listed once with this process as owner.
func TestSocketOwners(t *testing.T) {
	var inodes []uint64
	for range 3 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		f, err := l.(*net.TCPListener).File() // a second descriptor
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		var st syscall.Stat_t
		if err := syscall.Fstat(int(f.Fd()), &st); err != nil {
			t.Fatal(err)
		}
		inodes = append(inodes, st.Ino)
	}
	all, _ := socketOwners()
	for _, ino := range inodes {
		n := 0
		for _, o := range all {
			if o.Inode == ino && int(o.Pid) == os.Getpid() {
				n++
				if o.Command == "" {
					t.Errorf("inode %d: no command", ino)
				}
			}
		}
		if n != 1 {
			t.Errorf("inode %d listed %d times for this process, want 1", ino, n)
		}
	}
	for i := 1; i < len(all); i++ {
		a, b := all[i-1], all[i]
		if a.Inode > b.Inode || a.Inode == b.Inode && a.Pid >= b.Pid {
			t.Fatalf("not sorted or not unique at %d: %+v %+v", i, a, b)
		}
	}
}
