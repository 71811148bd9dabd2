//go:build linux

package main

import (
	"bytes"
	"os"
	"runtime"
	"runtime/debug"
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
	// Returned to the OS (untouched, so this costs nothing), the pages
	// count as zero: the runtime then does not clear them again on reuse.
	debug.FreeOSMemory()
	return err == nil
}

// bigRunFor calls bigRun when one of the input files is big enough for it
// to pay.
func bigRunFor(paths ...string) {
	for _, p := range paths {
		if st, err := os.Stat(p); err == nil && st.Size() >= hugeHeapMin {
			bigRun()
			return
		}
	}
}

// bigRun prepares the process for a run over a big host's tables: huge
// pages (hugeHeap), and a collector that runs a fifth as often. Nearly
// everything a capture or replay allocates stays live to the end, so
// collections find little to free: on netstat -an of 400k sockets,
// GOGC=400 took 0.45 s where the default took 0.5–0.9 s, at the same peak
// memory. A memory limit of half the machine's RAM keeps the collector
// honest should garbage pile up. GOGC or GOMEMLIMIT set by the user win.
func bigRun() {
	hugeHeap()
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	var si unix.Sysinfo_t
	if unix.Sysinfo(&si) != nil {
		return
	}
	debug.SetGCPercent(400)
	debug.SetMemoryLimit(int64(uint64(si.Totalram) * uint64(si.Unit) / 2))
}

// captureRun prepares the process for a capture: huge pages, and a
// collector that runs twice as often as the default (GOGC=50). A capture
// holds every table of the host at once (on the scale lab, 450 MB live
// at its peak) and the default pace let the heap grow to twice that;
// every fresh page costs a fault and zeroing. Measured on the scale lab,
// four alternated runs each: 2.35–2.68 s and 670–860 MB at GOGC=50,
// 2.57–3.50 s and 690–850 MB at the default. GOGC or GOMEMLIMIT set by
// the user win.
func captureRun() {
	hugeHeap()
	if os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" {
		debug.SetGCPercent(50)
	}
}
