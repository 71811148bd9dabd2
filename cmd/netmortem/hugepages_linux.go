//go:build linux

package main

import (
	"bytes"
	"os"
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Page faults are most of the time of a big capture or replay: a million
// routes and 400k sockets touch about a gigabyte of fresh heap, a quarter
// of a million 4 KiB faults (13 µs each in the VM this was measured on:
// 3 of the 5 seconds of a capture). With transparent huge pages in
// "madvise" mode, as most distributions ship them, the Go heap gets none,
// since the runtime does not ask. hugeHeap asks for the first hugeHeapSize
// bytes of the heap: it makes the heap that big at once (address space
// only: nothing is touched), marks the range MADV_HUGEPAGE, and frees it
// for the run to use. NETMORTEM_HUGEPAGES=0 turns it off.
const hugeHeapSize = 2 << 30

// hugeHeapMin is the input size (snapshot or section bytes) under which a
// command is too small for hugeHeap to pay.
const hugeHeapMin = 4 << 20

func hugeHeap() bool {
	if os.Getenv("NETMORTEM_HUGEPAGES") == "0" {
		return false
	}
	// "always": the heap has huge pages already; "never": none to ask for.
	mode, _ := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if !bytes.Contains(mode, []byte("[madvise]")) {
		return false
	}
	// Strict overcommit would count the reservation, and the runtime
	// cannot survive a failed heap growth; nor can it under a tight
	// address-space limit.
	if oc, _ := os.ReadFile("/proc/sys/vm/overcommit_memory"); bytes.HasPrefix(oc, []byte("2")) {
		return false
	}
	var lim unix.Rlimit
	if unix.Getrlimit(unix.RLIMIT_AS, &lim) == nil && lim.Cur != unix.RLIM_INFINITY && lim.Cur < 4*hugeHeapSize {
		return false
	}
	const huge = 2 << 20
	b := make([]byte, hugeHeapSize)
	base := unsafe.Pointer(unsafe.SliceData(b))
	off := (huge - uintptr(base)%huge) % huge // to the first whole huge page
	n := (hugeHeapSize - off) &^ (huge - 1)
	err := unix.Madvise(unsafe.Slice((*byte)(unsafe.Add(base, off)), n), unix.MADV_HUGEPAGE)
	runtime.KeepAlive(b)
	b = nil
	runtime.GC()
	return err == nil
}

// hugeHeapFor calls hugeHeap when one of the input files is big enough
// for it to pay.
func hugeHeapFor(paths ...string) {
	for _, p := range paths {
		if st, err := os.Stat(p); err == nil && st.Size() >= hugeHeapMin {
			hugeHeap()
			return
		}
	}
}
