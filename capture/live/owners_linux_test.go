//go:build linux

package live

import (
	"encoding/binary"
	"net"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"unsafe"

	"github.com/netmortem/netmortem/capture/btf"
	"github.com/netmortem/netmortem/snapshots"
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
// descriptors, and finds each listed once with this process as owner,
// by both methods (the BPF iterator needs root).
func TestSocketOwners(t *testing.T) {
	for _, m := range []OwnerMethod{OwnersProc, OwnersBPF} {
		t.Run(string(m), func(t *testing.T) { testSocketOwners(t, m) })
	}
}

func testSocketOwners(t *testing.T, method OwnerMethod) {
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
	r := socketOwners(method)
	if r.err != nil {
		if os.Geteuid() != 0 {
			t.Skipf("not root: %v", r.err)
		}
		t.Fatal(r.err)
	}
	if r.source != map[OwnerMethod]string{OwnersProc: ownersSourceProc, OwnersBPF: ownersSourceBPF}[method] {
		t.Errorf("source %q", r.source)
	}
	all := r.m
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

// TestOwnerMethodsAgree compares the BPF iterator with the /proc walk on
// this host: every process both saw holds the same sockets in both, with
// the same command and user.
func TestOwnerMethodsAgree(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the BPF iterator needs root")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0") // at least one socket of ours
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	b := socketOwners(OwnersBPF)
	if b.err != nil {
		t.Fatal(b.err)
	}
	p := socketOwners(OwnersProc)
	byPid := func(os []snapshots.SocketOwner) map[int32][]snapshots.SocketOwner {
		m := map[int32][]snapshots.SocketOwner{}
		for _, o := range os {
			m[o.Pid] = append(m[o.Pid], o)
		}
		return m
	}
	bp, pp := byPid(b.m), byPid(p.m)
	if len(bp[int32(os.Getpid())]) == 0 {
		t.Fatal("the iterator did not list this process's sockets")
	}
	compared := 0
	for pid, want := range pp {
		got, ok := bp[pid]
		if !ok {
			continue // started or ended between the walks
		}
		if pid == int32(os.Getpid()) || len(got) == len(want) {
			if !slices.Equal(got, want) {
				t.Errorf("pid %d: bpf %+v, /proc %+v", pid, got, want)
			}
			compared++
		}
	}
	if compared == 0 {
		t.Fatal("no process seen by both methods")
	}
	t.Logf("%d processes, %d and %d sockets", compared, len(b.m), len(p.m))
}

func TestParseOwnerRecords(t *testing.T) {
	rec := func(ino uint64, pid uint32) []byte {
		b := binary.NativeEndian.AppendUint64(nil, ino)
		b = binary.NativeEndian.AppendUint32(b, pid)
		return append(b, 0, 0, 0, 0)
	}
	in := slices.Concat(rec(9, 2), rec(5, 7), rec(9, 1), rec(5, 7))
	got, err := parseOwnerRecords(in)
	if err != nil {
		t.Fatal(err)
	}
	want := []snapshots.SocketOwner{{Inode: 5, Pid: 7}, {Inode: 9, Pid: 1}, {Inode: 9, Pid: 2}}
	if !slices.Equal(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	for name, b := range map[string][]byte{
		"partial record": in[:20], "pid 0": rec(1, 0), "pid over the limit": rec(1, 1<<23),
	} {
		if _, err := parseOwnerRecords(b); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// FuzzParseOwnerRecords: any output is refused or gives sorted, unique
// owners, one per distinct record.
func FuzzParseOwnerRecords(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{1, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := parseOwnerRecords(b)
		if err != nil {
			return
		}
		if len(got) > len(b)/ownerRecordSize {
			t.Fatalf("%d owners from %d bytes", len(got), len(b))
		}
		for i := 1; i < len(got); i++ {
			if compareOwner(got[i-1], got[i]) >= 0 {
				t.Fatalf("not sorted or not unique at %d", i)
			}
		}
	})
}

// TestIterProgramRefused loads a program the verifier refuses (it exits
// without setting its return value) and gets the verifier's reason.
func TestIterProgramRefused(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("loading BPF programs needs root")
	}
	spec, err := btf.LoadKernel()
	if err != nil {
		t.Skipf("no kernel BTF: %v", err)
	}
	id, err := iterTarget(spec, "task_file")
	if err != nil {
		t.Skip(err)
	}
	fd, err := loadIterProgram(encodeInsns([]bpfInsn{{op: bpfExit}}), uint32(id))
	if err == nil {
		syscall.Close(fd)
		t.Fatal("a program without a return value was loaded")
	}
	if !strings.Contains(err.Error(), "R0") {
		t.Errorf("no verifier reason in %q", err)
	}
}

// TestBPFAttrLayout holds progLoadAttr to union bpf_attr's BPF_PROG_LOAD
// offsets (include/uapi/linux/bpf.h).
func TestBPFAttrLayout(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) != 8 {
		t.Skip("the loader is for 64-bit hosts")
	}
	var a progLoadAttr
	for name, got := range map[string][2]uintptr{
		"insn_cnt":             {unsafe.Offsetof(a.insnCnt), 4},
		"insns":                {unsafe.Offsetof(a.insns), 8},
		"license":              {unsafe.Offsetof(a.license), 16},
		"log_level":            {unsafe.Offsetof(a.logLevel), 24},
		"log_size":             {unsafe.Offsetof(a.logSize), 28},
		"log_buf":              {unsafe.Offsetof(a.logBuf), 32},
		"prog_name":            {unsafe.Offsetof(a.progName), 48},
		"expected_attach_type": {unsafe.Offsetof(a.expectedAttachType), 68},
		"attach_btf_id":        {unsafe.Offsetof(a.attachBTFID), 108},
		"attach_prog_fd":       {unsafe.Offsetof(a.attachProgFd), 112},
		"size":                 {unsafe.Sizeof(a), 128},
	} {
		if got[0] != got[1] {
			t.Errorf("%s at %d, want %d", name, got[0], got[1])
		}
	}
	if os.Geteuid() == 0 && !mayLoadBPF() {
		t.Error("root without CAP_BPF or CAP_SYS_ADMIN?")
	}
}

// TestEncodeInsns: opcode, registers (dst in the low nibble here), offset
// and immediate in host order.
func TestEncodeInsns(t *testing.T) {
	if binary.NativeEndian.Uint16([]byte{0, 1}) == 1 {
		t.Skip("big-endian host")
	}
	got := encodeInsns([]bpfInsn{{op: bpfLoadDW, dst: 7, src: 6, off: 8}, {op: bpfAddImm, dst: 2, imm: -16}})
	want := []byte{0x79, 0x67, 8, 0, 0, 0, 0, 0, 0x07, 0x02, 0, 0, 0xf0, 0xff, 0xff, 0xff}
	if !slices.Equal(got, want) {
		t.Errorf("% x, want % x", got, want)
	}
}

// TestOwnersOf keeps every holder of each captured inode, and nothing
// else, walking both sorted lists.
func TestOwnersOf(t *testing.T) {
	all := []snapshots.SocketOwner{{Inode: 3, Pid: 1}, {Inode: 5, Pid: 1}, {Inode: 5, Pid: 9}, {Inode: 8, Pid: 2}, {Inode: 12, Pid: 4}}
	got := ownersOf(all, []uint64{1, 5, 8, 10})
	want := []snapshots.SocketOwner{{Inode: 5, Pid: 1}, {Inode: 5, Pid: 9}, {Inode: 8, Pid: 2}}
	if !slices.Equal(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if got := ownersOf(all, nil); len(got) != 0 {
		t.Errorf("no inodes: %+v", got)
	}
}
