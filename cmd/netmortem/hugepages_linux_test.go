//go:build linux

package main

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestHugeHeap checks that hugeHeap leaves a gigabyte-scale heap range
// marked for huge pages, where the host's THP mode lets it.
func TestHugeHeap(t *testing.T) {
	mode, _ := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if !strings.Contains(string(mode), "[madvise]") {
		t.Skipf("transparent huge pages: %s", strings.TrimSpace(string(mode)))
	}
	t.Setenv("NETMORTEM_HUGEPAGES", "0")
	if hugeHeap() {
		t.Fatal("NETMORTEM_HUGEPAGES=0 did not turn it off")
	}
	t.Setenv("NETMORTEM_HUGEPAGES", "")
	if !hugeHeap() {
		t.Fatal("hugeHeap declined or failed")
	}
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var marked uint64
	var size uint64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, "Size:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			size = kb << 10
		}
		if rest, ok := strings.CutPrefix(line, "VmFlags:"); ok && strings.Contains(" "+rest+" ", " hg ") {
			marked += size
		}
	}
	if marked < hugeHeapSize-4<<20 {
		t.Errorf("%d bytes marked MADV_HUGEPAGE, want about %d", marked, hugeHeapSize)
	}
}
