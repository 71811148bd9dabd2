//go:build linux

package live

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/netmortem/netmortem/capture/btf"
	"github.com/netmortem/netmortem/snapshots"
)

// Socket owners through a BPF task_file iterator (Linux 5.8 and later,
// with kernel BTF): the kernel walks every process's descriptor table
// and writes one record per socket descriptor, where the /proc walk
// needs a readlink(2) per descriptor (400k descriptors: 1.8 s of CPU
// against a quarter of a second). The program is loaded, read once and
// released; it changes nothing the capture looks at. The program is a
// couple of dozen instructions, loaded with bpf(2) directly: the BPF
// library's loader would add its package start-up to every command,
// `netmortem info` included.

// ownerRecordSize is the size of one iterator record: the socket inode
// (8 bytes) and the process id (4), in host byte order, and 4 bytes of
// padding.
const ownerRecordSize = 16

// Sources recorded in the owners table's status.
const (
	ownersSourceBPF  = "bpf task_file iterator"
	ownersSourceProc = "/proc/*/fd"
)

// ownersResult is the outcome of one owner walk.
type ownersResult struct {
	m      []snapshots.SocketOwner // sorted by inode, then pid
	denied int                     // processes whose descriptors were unreadable
	source string
	err    error  // no walk was possible (method bpf only)
	note   string // why auto did not use the iterator
}

// socketOwners lists which processes hold which socket inodes.
func socketOwners(method OwnerMethod) ownersResult {
	var bpfErr error
	if method == OwnersBPF || method == OwnersAuto && mayLoadBPF() {
		m, err := bpfSocketOwners()
		if err == nil {
			return ownersResult{m: m, source: ownersSourceBPF}
		}
		if method == OwnersBPF {
			return ownersResult{source: ownersSourceBPF, err: err}
		}
		bpfErr = err
	}
	m, denied := procSocketOwners()
	r := ownersResult{m: m, denied: denied, source: ownersSourceProc}
	if bpfErr != nil && denied > 0 {
		// Only worth saying when the fallback is incomplete.
		r.note = "bpf iterator: " + bpfErr.Error()
	}
	return r
}

// mayLoadBPF reports whether this process holds CAP_BPF or CAP_SYS_ADMIN,
// without which loading the iterator fails: auto then goes straight to
// /proc instead of reading the kernel's BTF for nothing.
func mayLoadBPF() bool {
	const capBPF, capSysAdmin = 39, 21
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if unix.Capget(&hdr, &data[0]) != nil {
		return os.Geteuid() == 0
	}
	has := func(c uint) bool { return data[c/32].Effective&(1<<(c%32)) != 0 }
	return has(capBPF) || has(capSysAdmin)
}

// bpfSocketOwners runs the iterator and names the processes it found.
func bpfSocketOwners() ([]snapshots.SocketOwner, error) {
	spec, err := btf.LoadKernel()
	if err != nil {
		return nil, err
	}
	insns, err := ownerProgram(spec)
	if err != nil {
		return nil, err
	}
	targetID, err := iterTarget(spec, "task_file")
	if err != nil {
		return nil, err
	}
	prog, err := loadIterProgram(insns, uint32(targetID))
	if err != nil {
		return nil, fmt.Errorf("loading the iterator: %w", err)
	}
	defer unix.Close(prog)
	// link_create: prog_fd, target_fd, attach_type; no iterator options.
	la := struct {
		progFd, targetFd, attachType, flags uint32
		_                                   [16]byte // iter_info, iter_info_len: none
	}{progFd: uint32(prog), attachType: unix.BPF_TRACE_ITER}
	lnk, err := bpfSys(unix.BPF_LINK_CREATE, unsafe.Pointer(&la), unsafe.Sizeof(la))
	if err != nil {
		return nil, fmt.Errorf("attaching the iterator: %w", err)
	}
	defer unix.Close(lnk)
	// A socket of our own, to check below that the iterator's process
	// ids are the ones of our /proc (they are not inside a pid
	// namespace other than the initial one).
	probe, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(probe[0])
	defer unix.Close(probe[1])
	var probeIno [2]uint64
	for i, fd := range probe {
		var st unix.Stat_t
		if err := unix.Fstat(fd, &st); err != nil {
			return nil, err
		}
		probeIno[i] = st.Ino
	}
	// iter_create: link_fd, flags. Reading the descriptor runs the program.
	ia := struct{ linkFd, flags uint32 }{linkFd: uint32(lnk)}
	itfd, err := bpfSys(unix.BPF_ITER_CREATE, unsafe.Pointer(&ia), unsafe.Sizeof(ia))
	if err != nil {
		return nil, fmt.Errorf("opening the iterator: %w", err)
	}
	rd := os.NewFile(uintptr(itfd), "bpf_iter")
	b, err := readIter(rd, 1<<20)
	rd.Close()
	if err != nil {
		return nil, fmt.Errorf("reading the iterator: %w", err)
	}
	owners, err := parseOwnerRecords(b)
	if err != nil {
		return nil, err
	}
	me := snapshots.SocketOwner{Inode: probeIno[0], Pid: int32(os.Getpid())}
	if _, found := slices.BinarySearchFunc(owners, me, compareOwner); !found {
		return nil, errors.New("process ids differ from this pid namespace's")
	}
	// The probe is the capture's own, not the host's.
	owners = slices.DeleteFunc(owners, func(o snapshots.SocketOwner) bool {
		return o.Pid == me.Pid && (o.Inode == probeIno[0] || o.Inode == probeIno[1])
	})
	nameOwners(owners)
	return owners, nil
}

// bpfSys calls bpf(2) with the attribute block at attr and returns the
// new descriptor. attr stays a pointer up to the system call, so the
// block may live on the caller's stack.
func bpfSys(cmd int, attr unsafe.Pointer, size uintptr) (int, error) {
	fd, _, errno := unix.Syscall(unix.SYS_BPF, uintptr(cmd), uintptr(attr), size)
	if errno != 0 {
		return -1, errno
	}
	unix.CloseOnExec(int(fd))
	return int(fd), nil
}

// progLoadAttr is union bpf_attr for BPF_PROG_LOAD as far as
// attach_prog_fd (include/uapi/linux/bpf.h), on 64-bit hosts. Its
// pointers are unsafe.Pointer fields, which the collector and stack
// moves see; TestBPFAttrLayout checks the offsets.
type progLoadAttr struct {
	progType, insnCnt               uint32
	insns, license                  unsafe.Pointer
	logLevel, logSize               uint32
	logBuf                          unsafe.Pointer
	kernVersion, progFlags          uint32
	progName                        [16]byte
	progIfindex, expectedAttachType uint32
	progBTFFd, funcInfoRecSize      uint32
	funcInfo                        unsafe.Pointer
	funcInfoCnt, lineInfoRecSize    uint32
	lineInfo                        unsafe.Pointer
	lineInfoCnt, attachBTFID        uint32
	attachProgFd                    uint32
	_                               [12]byte
}

// loadIterProgram loads a tracing program for the iterator whose BTF
// function id is target. A refusal is reported with the verifier's log.
func loadIterProgram(insns []byte, target uint32) (int, error) {
	if unsafe.Sizeof(uintptr(0)) != 8 {
		return -1, errors.New("the BPF loader is for 64-bit hosts")
	}
	license := []byte("Dual MIT/GPL\x00") // bpf_seq_write is for GPL-compatible programs
	load := func(log []byte) (int, error) {
		a := progLoadAttr{
			progType: unix.BPF_PROG_TYPE_TRACING, insnCnt: uint32(len(insns) / 8),
			insns: unsafe.Pointer(&insns[0]), license: unsafe.Pointer(&license[0]),
			expectedAttachType: unix.BPF_TRACE_ITER, attachBTFID: target,
		}
		copy(a.progName[:], "nm_sock_owners")
		if log != nil {
			a.logLevel, a.logSize, a.logBuf = 1, uint32(len(log)), unsafe.Pointer(&log[0])
		}
		return bpfSys(unix.BPF_PROG_LOAD, unsafe.Pointer(&a), unsafe.Sizeof(a))
	}
	fd, err := load(nil)
	if err == nil || err == unix.EPERM {
		return fd, err
	}
	// Again with the verifier's log, to say why.
	log := make([]byte, 64<<10)
	fd, err2 := load(log)
	if err2 == nil {
		return fd, nil // the first refusal was transient
	}
	if l := strings.TrimSpace(cstr(log)); l != "" {
		return -1, fmt.Errorf("%w: %s", err2, lastLines(l, 3))
	}
	return -1, err2
}

// lastLines keeps the last n lines of a verifier log, where it says why.
func lastLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	return strings.Join(lines[max(0, len(lines)-n):], " / ")
}

// eBPF instruction encoding (include/uapi/linux/bpf.h): 8 bytes, the
// opcode, the destination and source registers, a 16-bit offset and a
// 32-bit immediate.
const (
	bpfMovReg  = 0xbf // dst = src (64-bit)
	bpfMovImm  = 0xb7 // dst = imm
	bpfAddImm  = 0x07 // dst += imm
	bpfAndImm  = 0x57 // dst &= imm
	bpfLoadDW  = 0x79 // dst = *(u64 *)(src + off)
	bpfLoadW   = 0x61 // dst = *(u32 *)(src + off)
	bpfLoadH   = 0x69 // dst = *(u16 *)(src + off)
	bpfStoreDW = 0x7b // *(u64 *)(dst + off) = src
	bpfStoreW  = 0x63 // *(u32 *)(dst + off) = src
	bpfStImmW  = 0x62 // *(u32 *)(dst + off) = imm
	bpfJEqImm  = 0x15 // if dst == imm goto +off
	bpfJNeImm  = 0x55 // if dst != imm goto +off
	bpfCall    = 0x85 // call helper imm
	bpfExit    = 0x95

	bpfFnSeqWrite = 127 // long bpf_seq_write(struct seq_file *, const void *, u32)
	rFP           = 10  // the read-only frame pointer
)

type bpfInsn struct {
	op       uint8
	dst, src uint8
	off      int16
	imm      int32
}

func encodeInsns(p []bpfInsn) []byte {
	b := make([]byte, 0, 8*len(p))
	for _, i := range p {
		// The register byte is two C bitfields, dst_reg first: the low
		// nibble on little-endian hosts, the high one on big-endian ones.
		regs := i.dst | i.src<<4
		if binary.NativeEndian.Uint16([]byte{0, 1}) == 1 {
			regs = i.src | i.dst<<4
		}
		b = append(b, i.op, regs)
		b = binary.NativeEndian.AppendUint16(b, uint16(i.off))
		b = binary.NativeEndian.AppendUint32(b, uint32(i.imm))
	}
	return b
}

// ownerProgram assembles the iterator program. Struct member offsets
// come from the running kernel's BTF, so one program fits every kernel.
//
//	if ctx->task && ctx->file && ctx->file->f_inode is a socket:
//	        seq_write(ctx->meta->seq, {inode->i_ino, task->tgid, 0})
func ownerProgram(spec *btf.Spec) ([]byte, error) {
	var o struct{ task, file, meta, seq, inode, mode, ino, tgid int16 }
	for _, f := range []struct {
		dst         *int16
		typ, member string
		size        int // the member's size in bytes, as the program loads it
	}{
		{&o.task, "bpf_iter__task_file", "task", 8}, {&o.file, "bpf_iter__task_file", "file", 8},
		{&o.meta, "bpf_iter__task_file", "meta", 8}, {&o.seq, "bpf_iter_meta", "seq", 8},
		{&o.inode, "file", "f_inode", 8}, {&o.mode, "inode", "i_mode", 2},
		{&o.ino, "inode", "i_ino", 8}, {&o.tgid, "task_struct", "tgid", 4},
	} {
		off, err := memberOffset(spec, f.typ, f.member, f.size)
		if err != nil {
			return nil, err
		}
		*f.dst = off
	}
	// Jumps go to the last two instructions (return 0); their offsets
	// count from the next instruction and are filled in below.
	p := []bpfInsn{
		{op: bpfMovReg, dst: 6, src: 1},               // r6 = ctx
		{op: bpfLoadDW, dst: 7, src: 6, off: o.task},  // r7 = ctx->task
		{op: bpfJEqImm, dst: 7},                       // no task: out
		{op: bpfLoadDW, dst: 8, src: 6, off: o.file},  // r8 = ctx->file
		{op: bpfJEqImm, dst: 8},                       // no file: out
		{op: bpfLoadDW, dst: 1, src: 8, off: o.inode}, // r1 = file->f_inode
		{op: bpfJEqImm, dst: 1},                       // no inode: out
		{op: bpfLoadH, dst: 2, src: 1, off: o.mode},   // r2 = inode->i_mode
		{op: bpfAndImm, dst: 2, imm: unix.S_IFMT},
		{op: bpfJNeImm, dst: 2, imm: unix.S_IFSOCK},    // not a socket: out
		{op: bpfLoadDW, dst: 3, src: 1, off: o.ino},    // r3 = inode->i_ino
		{op: bpfStoreDW, dst: rFP, src: 3, off: -16},   // record.inode
		{op: bpfLoadW, dst: 4, src: 7, off: o.tgid},    // r4 = task->tgid
		{op: bpfStoreW, dst: rFP, src: 4, off: -8},     // record.pid
		{op: bpfStImmW, dst: rFP, off: -4},             // record padding
		{op: bpfLoadDW, dst: 1, src: 6, off: o.meta},   // r1 = ctx->meta
		{op: bpfLoadDW, dst: 1, src: 1, off: o.seq},    // r1 = meta->seq
		{op: bpfMovReg, dst: 2, src: rFP},              // r2 = &record
		{op: bpfAddImm, dst: 2, imm: -ownerRecordSize}, //
		{op: bpfMovImm, dst: 3, imm: ownerRecordSize},  // r3 = its size
		{op: bpfCall, imm: bpfFnSeqWrite},              // seq_write(r1, r2, r3)
		{op: bpfMovImm, dst: 0},                        // out: return 0
		{op: bpfExit},
	}
	out := len(p) - 2
	for i := range p {
		if p[i].op == bpfJEqImm || p[i].op == bpfJNeImm {
			p[i].off = int16(out - i - 1)
		}
	}
	return encodeInsns(p), nil
}

// iterTarget is the BTF id of the kernel function bpf_iter_<name>, which
// a tracing program attaches to for that iterator.
func iterTarget(spec *btf.Spec, name string) (btf.TypeID, error) {
	for _, id := range spec.ByName("bpf_iter_" + name) {
		if spec.Kind(id) == btf.KindFunc {
			return id, nil
		}
	}
	return 0, fmt.Errorf("kernel BTF: no %s iterator (Linux 5.8 or later has one)", name)
}

// memberOffset is the byte offset of a member of a kernel struct,
// looking into anonymous structs and unions (task_struct keeps most
// members in one), checked to have the size the program loads.
func memberOffset(spec *btf.Spec, typ, member string, size int) (int16, error) {
	st, ok := spec.CompositeByName(typ)
	if !ok {
		return 0, fmt.Errorf("kernel BTF: no struct %s", typ)
	}
	m, off, ok := spec.Lookup(st, member)
	if !ok {
		return 0, fmt.Errorf("kernel BTF: struct %s has no member %s", typ, member)
	}
	if off%8 != 0 || off/8 > 1<<15-1 || m.BitfieldSize != 0 {
		return 0, fmt.Errorf("kernel BTF: %s.%s at bit %d", typ, member, off)
	}
	if n, ok := spec.Size(m.Type); !ok || n != uint64(size) {
		return 0, fmt.Errorf("kernel BTF: %s.%s has %d bytes, not %d", typ, member, n, size)
	}
	return int16(off / 8), nil
}

// readIter reads an iterator to its end into buffers of growing size. A
// read that visited a million objects without output (a million
// descriptors that are not sockets) fails with EAGAIN and is made again:
// the iterator goes on from where it stopped.
func readIter(r io.Reader, size int) ([]byte, error) {
	b := make([]byte, 0, size)
	again := 0
	for {
		if len(b) == cap(b) {
			b = slices.Grow(b, cap(b))
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		switch {
		case err == io.EOF:
			return b, nil
		case errors.Is(err, unix.EAGAIN) && n == 0 && again < 1000:
			again++
		case err != nil:
			return b, err
		default:
			again = 0
		}
	}
}

// parseOwnerRecords decodes the iterator's records, sorted by inode then
// pid, a socket on several descriptors of one process once.
func parseOwnerRecords(b []byte) ([]snapshots.SocketOwner, error) {
	if len(b)%ownerRecordSize != 0 {
		return nil, fmt.Errorf("iterator output of %d bytes is not whole records", len(b))
	}
	out := make([]snapshots.SocketOwner, 0, len(b)/ownerRecordSize)
	for ; len(b) > 0; b = b[ownerRecordSize:] {
		pid := binary.NativeEndian.Uint32(b[8:])
		if pid == 0 || pid > 1<<22 {
			// PID_MAX_LIMIT is 4M: anything else is not a process id.
			return nil, fmt.Errorf("iterator record with process id %d", pid)
		}
		out = append(out, snapshots.SocketOwner{Inode: binary.NativeEndian.Uint64(b), Pid: int32(pid)})
	}
	slices.SortFunc(out, compareOwner)
	return slices.CompactFunc(out, func(a, b snapshots.SocketOwner) bool { return compareOwner(a, b) == 0 }), nil
}

func compareOwner(a, b snapshots.SocketOwner) int {
	if a.Inode != b.Inode {
		return cmp.Compare(a.Inode, b.Inode)
	}
	return cmp.Compare(a.Pid, b.Pid)
}

// nameOwners fills in each process's command and user, read once per
// process from /proc (a process gone since the walk keeps them empty).
func nameOwners(owners []snapshots.SocketOwner) {
	type who struct {
		comm string
		uid  uint32
	}
	seen := map[int32]who{}
	for i := range owners {
		w, ok := seen[owners[i].Pid]
		if !ok {
			w.comm, w.uid = processIdentity(int(owners[i].Pid))
			seen[owners[i].Pid] = w
		}
		owners[i].Command, owners[i].UID = w.comm, w.uid
	}
}
