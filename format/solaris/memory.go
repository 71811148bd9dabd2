package solaris

import (
	"bufio"
	"strconv"

	"github.com/netmortem/netmortem/analyze/netstat"
	"github.com/netmortem/netmortem/analyze/sockmem"
)

// Form 5, memory (solaris-display-formats.md §6). Linux has no STREAMS;
// the display keeps netstat's shape — a first line saying what it is,
// rows of current use against limits and allocation failures, a Kbytes
// total — for what Linux has instead: socket buffer memory per pool, the
// sockets of each protocol, and the sk_buff slab caches (analyze/sockmem).
// -v adds the socket object caches, the sysctl limits, the counters of
// refused or pruned memory and the per-CPU backlog drops. An interval
// repeats absolute values, as netstat -m does.

func init() {
	Register(&Form{Form: netstat.FormMemory, Text: memText, Record: memRecord})
}

const memTitle = "socket memory (Linux has no STREAMS: socket buffer memory, sockets and sk_buff caches instead)\n"

// memRow is one row: a title and four right-justified columns.
func memRow(b []byte, title string, cols ...string) []byte {
	b = padLeft(b, title, 22)
	for i, c := range cols {
		w := 11
		if i == 0 {
			w = 9
		}
		b = append(b, ' ')
		b = padRight(b, c, w)
	}
	return append(b, '\n')
}

func memNum(n sockmem.Num) string {
	if !n.Known {
		return cntNA
	}
	return strconv.FormatInt(n.V, 10)
}

func memU(v uint64) string { return strconv.FormatUint(v, 10) }

func memText(w *bufio.Writer, p *Pass) error {
	r := sockmem.Build(&p.Cur.Tables, p.Cur.Meta.PageSize)
	b := make([]byte, 0, 96)
	w.WriteString(memTitle)
	w.Write(memRow(b[:0], "", "", "", "pressure", "allocation"))
	w.Write(memRow(b[:0], "buffer memory", "current", "limit", "threshold", "failures"))
	for _, pl := range r.Pools {
		w.Write(memRow(b[:0], pl.Name+" "+pl.Unit, memNum(pl.Current), memNum(pl.Limit), memNum(pl.Pressure), memNum(pl.Failures)))
	}

	w.WriteByte('\n')
	w.Write(memRow(b[:0], "sockets", "in use", "memory", "pressure"))
	if len(r.Sockets) == 0 {
		w.WriteString("                       [couldn't find statistics: sockstat and protocols were not captured]\n")
	}
	for _, s := range r.Sockets {
		pr := s.Pressure
		if pr == "" {
			pr = cntNA
		}
		w.Write(memRow(b[:0], s.Name, memNum(s.InUse), memNum(s.Memory), pr))
	}
	if r.All.Known {
		w.Write(memRow(b[:0], "all (sockstat)", memNum(r.All)))
	}
	if p.Req.Verbose {
		for _, s := range r.Sockets {
			if s.Orphan.Known || s.TimeWait.Known || s.Alloc.Known {
				w.WriteString("    " + s.Name + ": " + memNum(s.Orphan) + " orphaned, " + memNum(s.TimeWait) +
					" in TIME_WAIT, " + memNum(s.Alloc) + " allocated\n")
			}
		}
	}

	w.WriteByte('\n')
	memCaches(w, b, "sk_buff caches", r.Caches, r.SlabsCaptured, "skbuff_head_cache")
	if p.Req.Verbose && r.SlabsCaptured {
		w.WriteByte('\n')
		memCaches(w, b, "socket caches", r.SocketCaches, true, "TCP")
	}

	w.WriteByte('\n')
	if r.BufferKB.Known {
		w.WriteString(memNum(r.BufferKB) + " Kbytes allocated for socket buffers\n")
	} else {
		w.WriteString("socket buffer memory was not captured (sockstat)\n")
	}
	if p.Req.Verbose {
		memDetail(w, b, &r)
	}
	w.WriteByte('\n')
	return nil
}

// memCaches prints a table of slab caches, or netstat's "couldn't find
// statistics" line.
func memCaches(w *bufio.Writer, b []byte, title string, cs []sockmem.Cache, captured bool, want string) {
	w.Write(memRow(b[:0], title, "current", "allocated", "obj size", "Kbytes"))
	switch {
	case !captured:
		w.WriteString(string(padLeft(b[:0], "", 22)) + " [couldn't find statistics: /proc/slabinfo was not captured (it is readable by root only)]\n")
		return
	case len(cs) == 0:
		w.WriteString(string(padLeft(b[:0], "", 22)) + " [couldn't find statistics for " + want + "]\n")
		return
	}
	var tot sockmem.Cache
	var kb uint64
	for _, c := range cs {
		w.Write(memRow(b[:0], c.Name, memU(c.Active), memU(c.Num), memU(c.ObjSize), memU(c.KBytes())))
		tot.Active += c.Active
		tot.Num += c.Num
		kb += c.KBytes()
	}
	if len(cs) > 1 {
		w.Write(memRow(b[:0], "total", memU(tot.Active), memU(tot.Num), "", memU(kb)))
	}
}

func memDetail(w *bufio.Writer, b []byte, r *sockmem.Report) {
	if len(r.Limits) > 0 {
		w.WriteString("\nlimits (sysctl)\n")
		for _, l := range r.Limits {
			b = padLeft(b[:0], l.Name, 32)
			w.Write(append(append(b, ' '), l.Text+"\n"...))
		}
	}
	if len(r.Counters) > 0 {
		w.WriteString("\nbuffer memory refused, pruned or dropped\n")
		for _, c := range r.Counters {
			b = padLeft(b[:0], c.Name, 40)
			b = padRight(append(b, ' '), cntValue(c.Value, true, false), 11)
			w.Write(append(b, '\n'))
		}
	}
	if len(r.Softnet) > 0 {
		w.WriteByte('\n')
		w.Write(memRow(b[:0], "input backlog", "processed", "dropped", "squeezed"))
		for _, c := range r.Softnet {
			w.Write(memRow(b[:0], "cpu"+strconv.Itoa(int(c.CPU)), memU(uint64(c.Processed)), memU(uint64(c.Dropped)), memU(uint64(c.Squeeze))))
		}
	}
}

// MemoryRecord is the -m display as records; null numbers were not
// captured.
type MemoryRecord struct {
	Pools        []MemPoolRecord    `json:"pools"`
	Sockets      []MemSocketsRecord `json:"sockets"`
	AllSockets   *int64             `json:"all_sockets"`
	BufferKBytes *int64             `json:"buffer_kbytes"`
	// SlabsCaptured is false when the snapshot has no slabinfo rows.
	SlabsCaptured bool               `json:"slabs_captured"`
	Caches        []MemCacheRecord   `json:"skbuff_caches"`
	SocketCaches  []MemCacheRecord   `json:"socket_caches"`
	Limits        map[string]string  `json:"limits"`
	Counters      []MemCounterRecord `json:"counters"`
	Softnet       []sockmem.CPU      `json:"softnet"`
}

// MemPoolRecord is one buffer memory pool.
type MemPoolRecord struct {
	Name          string `json:"name"`
	Unit          string `json:"unit"`
	Current       *int64 `json:"current"`
	Limit         *int64 `json:"limit"`
	Pressure      *int64 `json:"pressure_threshold"`
	Failures      *int64 `json:"failures"`
	UnderPressure string `json:"under_pressure,omitempty"`
}

// MemSocketsRecord is one protocol's sockets.
type MemSocketsRecord struct {
	Name     string `json:"name"`
	InUse    *int64 `json:"in_use"`
	Memory   *int64 `json:"memory_pages"`
	Pressure string `json:"pressure,omitempty"`
	Orphan   *int64 `json:"orphaned,omitempty"`
	TimeWait *int64 `json:"time_wait,omitempty"`
	Alloc    *int64 `json:"allocated,omitempty"`
}

// MemCacheRecord is one slab cache.
type MemCacheRecord struct {
	Name    string `json:"name"`
	Active  uint64 `json:"active_objects"`
	Num     uint64 `json:"objects"`
	ObjSize uint64 `json:"object_size"`
}

// MemCounterRecord is one counter of refused or pruned memory.
type MemCounterRecord struct {
	Name  string `json:"name"`
	Value uint64 `json:"value"`
}

func memPtr(n sockmem.Num) *int64 {
	if !n.Known {
		return nil
	}
	v := n.V
	return &v
}

func memCacheRecords(cs []sockmem.Cache) []MemCacheRecord {
	out := []MemCacheRecord{}
	for _, c := range cs {
		out = append(out, MemCacheRecord{c.Name, c.Active, c.Num, c.ObjSize})
	}
	return out
}

func memRecord(p *Pass) (any, error) {
	r := sockmem.Build(&p.Cur.Tables, p.Cur.Meta.PageSize)
	out := MemoryRecord{
		Pools: []MemPoolRecord{}, Sockets: []MemSocketsRecord{}, AllSockets: memPtr(r.All),
		BufferKBytes: memPtr(r.BufferKB), SlabsCaptured: r.SlabsCaptured,
		Caches: memCacheRecords(r.Caches), SocketCaches: memCacheRecords(r.SocketCaches),
		Limits: map[string]string{}, Counters: []MemCounterRecord{}, Softnet: r.Softnet,
	}
	if out.Softnet == nil {
		out.Softnet = []sockmem.CPU{}
	}
	for _, pl := range r.Pools {
		out.Pools = append(out.Pools, MemPoolRecord{Name: pl.Name, Unit: pl.Unit, Current: memPtr(pl.Current),
			Limit: memPtr(pl.Limit), Pressure: memPtr(pl.Pressure), Failures: memPtr(pl.Failures), UnderPressure: pl.UnderPressure})
	}
	for _, s := range r.Sockets {
		out.Sockets = append(out.Sockets, MemSocketsRecord{Name: s.Name, InUse: memPtr(s.InUse), Memory: memPtr(s.Memory),
			Pressure: s.Pressure, Orphan: memPtr(s.Orphan), TimeWait: memPtr(s.TimeWait), Alloc: memPtr(s.Alloc)})
	}
	for _, l := range r.Limits {
		out.Limits[l.Name] = l.Text
	}
	for _, c := range r.Counters {
		out.Counters = append(out.Counters, MemCounterRecord{c.Name, c.Value.V})
	}
	return out, nil
}
