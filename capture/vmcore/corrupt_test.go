package vmcore

import (
	"context"
	"hash/fnv"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/netmortem/netmortem/capture/vmcore/kmem"
	"github.com/netmortem/netmortem/snapshots"
)

// garbler corrupts one page in every `every`, deterministically per seed.
type garbler struct {
	inner kmem.Phys
	every uint64
	seed  uint64
}

func (g garbler) ReadPage(pfn uint64, buf []byte) error {
	if err := g.inner.ReadPage(pfn, buf); err != nil {
		return err
	}
	if (pfn*2654435761+g.seed)%g.every != 0 {
		return nil
	}
	h := fnv.New64a()
	for i := 0; i+8 <= len(buf); i += 8 {
		h.Write([]byte{byte(pfn), byte(i), byte(i >> 8), byte(g.seed)})
		v := h.Sum64()
		switch v % 4 {
		case 0: // a pointer back into the same page: cycles
			v = 0xffff888000000000 | pfn*4096 | v&0xff8
		case 1:
			v = 0
		}
		for k := 0; k < 8; k++ {
			buf[i+k] = byte(v >> (8 * k))
		}
	}
	return nil
}

// TestIntegrationCorruptDump walks a real dump whose memory is partly
// garbage: every table must end (unavailable, partial or ok) without a
// panic escaping and in bounded time.
func TestIntegrationCorruptDump(t *testing.T) {
	dir := buildDumps(t, "")
	for _, seed := range []uint64{1, 2, 3} {
		for _, every := range []uint64{3, 17} {
			d, err := OpenDump(filepath.Join(dir, "vmcore.kdump"))
			if err != nil {
				t.Fatal(err)
			}
			po := d.Mem.PageOffset()
			d.Mem, err = kmem.New(garbler{d.phys, every, seed}, d.memCfg)
			if err != nil {
				t.Fatal(err)
			}
			d.Mem.SetPageOffset(po)
			start := time.Now()
			res, err := d.Import(context.Background(), "corrupt", Options{MaxObjects: 100_000})
			d.Close()
			if took := time.Since(start); took > 2*time.Minute {
				t.Errorf("seed %d every %d: import took %v", seed, every, took)
			}
			if err != nil {
				t.Logf("seed %d every %d: %v", seed, every, err)
				continue
			}
			t.Logf("seed %d every %d: %d namespaces in %v", seed, every, len(res.Namespaces), time.Since(start))
			for _, ns := range res.Namespaces {
				for tb, st := range ns.Status {
					if st.State != snapshots.StateOK && st.Reason == "" {
						t.Errorf("%s is %v without a reason", tb, st.State)
					}
					if strings.Contains(st.Reason, "runtime error") {
						t.Logf("seed %d every %d: %s recovered from %s", seed, every, tb, st.Reason)
					}
				}
			}
		}
	}
}

// TestIntegrationCutOff bounds every walk to three objects.
func TestIntegrationCutOff(t *testing.T) {
	dir := buildDumps(t, "")
	res, err := Import(context.Background(), filepath.Join(dir, "vmcore.elf"), Options{MaxObjects: 3})
	if err != nil {
		t.Fatal(err)
	}
	ns := res.Namespaces[0]
	if st := ns.Status[snapshots.TableLinks]; st.State != snapshots.StatePartial || !strings.Contains(st.Reason, "cut off") || len(ns.Tables.Links) != 3 {
		t.Errorf("links: %v %q, %d rows; want partial, cut off, 3 rows", st.State, st.Reason, len(ns.Tables.Links))
	}
	if st := ns.Status[snapshots.TableInet]; st.State != snapshots.StatePartial || !strings.Contains(st.Reason, "cut off") {
		t.Errorf("sockets: %v %q; want partial and cut off", st.State, st.Reason)
	}
}
