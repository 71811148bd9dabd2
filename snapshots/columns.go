package snapshots

import (
	"fmt"
	"net/netip"
	"sync"
	"time"

	"github.com/netmortem/netmortem/snapshots/pb"
)

// Column helpers shared by the table codecs. An encoded column is omitted
// (nil) when every row holds the zero value; a decoded column must be empty
// or have exactly one entry per row.

func col[T comparable](n int, f func(int) T) []T {
	var zero T
	var out []T
	for i := 0; i < n; i++ {
		v := f(i)
		if out == nil {
			if v == zero {
				continue
			}
			out = make([]T, n)
		}
		out[i] = v
	}
	return out
}

// u32Columns builds k uint32 columns from get, which fills row i's k
// values, in two walks of the rows: one finds the all-zero columns, which
// are omitted, the other fills the rest.
func u32Columns(n, k int, get func(i int, v []uint32)) [][]uint32 {
	v := make([]uint32, k)
	nonzero := make([]bool, k)
	for i := 0; i < n; i++ {
		get(i, v)
		for j, x := range v {
			if x != 0 {
				nonzero[j] = true
			}
		}
	}
	cols := make([][]uint32, k)
	for j := range cols {
		if nonzero[j] {
			cols[j] = make([]uint32, n)
		}
	}
	for i := 0; i < n; i++ {
		get(i, v)
		for j, c := range cols {
			if c != nil {
				c[i] = v[j]
			}
		}
	}
	return cols
}

// concurrently runs the functions at once and waits for them.
func concurrently(fs ...func()) {
	var wg sync.WaitGroup
	for _, f := range fs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f()
		}()
	}
	wg.Wait()
}

func at[T any](c []T, i int) T {
	if len(c) == 0 {
		var z T
		return z
	}
	return c[i]
}

func b2u(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}

func addrBytes(a netip.Addr) []byte {
	if !a.IsValid() {
		return nil
	}
	return a.AsSlice()
}

func addrFrom(b []byte) (netip.Addr, error) {
	switch len(b) {
	case 0:
		return netip.Addr{}, nil
	case 4:
		return netip.AddrFrom4([4]byte(b)), nil
	case 16:
		return netip.AddrFrom16([16]byte(b)), nil
	}
	return netip.Addr{}, fmt.Errorf("address of %d bytes", len(b))
}

func prefixFrom(b []byte, bits uint32, present bool) (netip.Prefix, error) {
	if !present {
		return netip.Prefix{}, nil
	}
	a, err := addrFrom(b)
	if err != nil {
		return netip.Prefix{}, err
	}
	if !a.IsValid() || int(bits) > a.BitLen() {
		return netip.Prefix{}, fmt.Errorf("prefix length %d for a %d-byte address", bits, len(b))
	}
	return netip.PrefixFrom(a, int(bits)), nil
}

func prefixBytes(p netip.Prefix) ([]byte, uint32) {
	if !p.IsValid() {
		return nil, 0
	}
	return p.Addr().AsSlice(), uint32(p.Bits())
}

func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

func encAddrs(n int, f func(int) netip.Addr) *pb.AddrColumn {
	var c *pb.AddrColumn
	for i := 0; i < n; i++ {
		a := f(i)
		if !a.IsValid() {
			if c != nil {
				c.Size = append(c.Size, 0)
			}
			continue
		}
		if c == nil {
			size := 0 // size the data once
			for j := i; j < n; j++ {
				if b := f(j); b.Is4() {
					size += 4
				} else if b.IsValid() {
					size += 16
				}
			}
			c = &pb.AddrColumn{Size: make([]uint32, i, n), Data: make([]byte, 0, size)}
		}
		if a.Is4() {
			b := a.As4()
			c.Data = append(c.Data, b[:]...)
			c.Size = append(c.Size, 4)
		} else {
			b := a.As16()
			c.Data = append(c.Data, b[:]...)
			c.Size = append(c.Size, 16)
		}
	}
	return c
}

func encPrefixes(n int, f func(int) netip.Prefix) *pb.PrefixColumn {
	addrs := encAddrs(n, func(i int) netip.Addr { return f(i).Addr() })
	if addrs == nil {
		return nil
	}
	return &pb.PrefixColumn{Addr: addrs, Bits: col(n, func(i int) uint32 {
		p := f(i)
		if !p.IsValid() {
			return 0
		}
		return uint32(p.Bits())
	})}
}

func encBytes(n int, f func(int) []byte) *pb.BytesColumn {
	var c *pb.BytesColumn
	for i := 0; i < n; i++ {
		b := f(i)
		if c == nil {
			if len(b) == 0 {
				continue
			}
			total := 0 // size the data once: tcp_info of 400k sockets is 90 MB
			for j := i; j < n; j++ {
				total += len(f(j))
			}
			c = &pb.BytesColumn{Size: make([]uint32, i, n), Data: make([]byte, 0, total)}
		}
		c.Size = append(c.Size, uint32(len(b)))
		c.Data = append(c.Data, b...)
	}
	return c
}

func encStrings(n int, f func(int) string) *pb.StringColumn {
	var c *pb.StringColumn
	var dict map[string]uint32
	for i := 0; i < n; i++ {
		s := f(i)
		if c == nil {
			if s == "" {
				continue
			}
			c = &pb.StringColumn{Dict: []string{""}, Index: make([]uint32, i, n)}
			dict = map[string]uint32{"": 0}
		}
		k, ok := dict[s]
		if !ok {
			k = uint32(len(c.Dict))
			dict[s] = k
			c.Dict = append(c.Dict, s)
		}
		c.Index = append(c.Index, k)
	}
	return c
}

func encLists(n int, f func(int) []uint32) *pb.ListColumn {
	var c *pb.ListColumn
	for i := 0; i < n; i++ {
		v := f(i)
		if c == nil {
			if len(v) == 0 {
				continue
			}
			total := 0
			for j := i; j < n; j++ {
				total += len(f(j))
			}
			c = &pb.ListColumn{Count: make([]uint32, i, n), Value: make([]uint32, 0, total)}
		}
		c.Count = append(c.Count, uint32(len(v)))
		c.Value = append(c.Value, v...)
	}
	return c
}

func encRaw(n int, f func(int) []RawAttr) *pb.RawAttrColumn {
	var c *pb.RawAttrColumn
	for i := 0; i < n; i++ {
		r := f(i)
		if c == nil {
			if len(r) == 0 {
				continue
			}
			attrs, size := 0, 0 // size the columns once
			for j := i; j < n; j++ {
				for _, a := range f(j) {
					attrs++
					size += len(a.Data)
				}
			}
			c = &pb.RawAttrColumn{Count: make([]uint32, i, n), Type: make([]uint32, 0, attrs),
				Data: &pb.BytesColumn{Size: make([]uint32, 0, attrs), Data: make([]byte, 0, size)}}
		}
		c.Count = append(c.Count, uint32(len(r)))
		for _, a := range r {
			c.Type = append(c.Type, uint32(a.Type))
			c.Data.Size = append(c.Data.Size, uint32(len(a.Data)))
			c.Data.Data = append(c.Data.Data, a.Data...)
		}
	}
	return c
}

func encRawRows(r []RawAttr) []*pb.RawAttr {
	if len(r) == 0 {
		return nil
	}
	out := make([]*pb.RawAttr, len(r))
	for i, a := range r {
		out[i] = &pb.RawAttr{Type: uint32(a.Type), Data: a.Data}
	}
	return out
}

func decRawRows(r []*pb.RawAttr) []RawAttr {
	if len(r) == 0 {
		return nil
	}
	out := make([]RawAttr, len(r))
	for i, a := range r {
		out[i] = RawAttr{Type: uint16(a.GetType()), Data: a.GetData()}
	}
	return out
}

func encKV(kv []Sysctl) []*pb.KeyValue {
	if len(kv) == 0 {
		return nil
	}
	out := make([]*pb.KeyValue, len(kv))
	for i, s := range kv {
		out[i] = &pb.KeyValue{Name: s.Name, Value: s.Value}
	}
	return out
}

func decKV(kv []*pb.KeyValue) []Sysctl {
	if len(kv) == 0 {
		return nil
	}
	out := make([]Sysctl, len(kv))
	for i, s := range kv {
		out[i] = Sysctl{Name: s.GetName(), Value: s.GetValue()}
	}
	return out
}

// colCheck validates column lengths of one columnar message.
type colCheck struct {
	rows int
	err  error
}

func (c *colCheck) n(name string, l int) {
	if c.err == nil && l != 0 && l != c.rows {
		c.err = fmt.Errorf("column %s has %d entries for %d rows", name, l, c.rows)
	}
}

func (c *colCheck) fail(format string, args ...any) {
	if c.err == nil {
		c.err = fmt.Errorf(format, args...)
	}
}

// addrReader walks an AddrColumn row by row.
type addrReader struct {
	size []uint32
	data []byte
	off  int
}

func (c *colCheck) addrs(name string, a *pb.AddrColumn) *addrReader {
	r := &addrReader{size: a.GetSize(), data: a.GetData()}
	delta := a.GetDelta()
	if len(delta) != 0 && len(r.data) != 0 {
		c.fail("column %s: data given twice", name)
		return &addrReader{}
	}
	if len(delta) != 0 {
		r.data = delta
	}
	c.n(name, len(r.size))
	total := 0
	for _, s := range r.size {
		if s != 0 && s != 4 && s != 16 {
			c.fail("column %s: address of %d bytes", name, s)
			return &addrReader{}
		}
		total += int(s)
	}
	if total != len(r.data) {
		c.fail("column %s: sizes add up to %d bytes, data has %d", name, total, len(r.data))
		return &addrReader{}
	}
	if len(delta) != 0 {
		r.data = undeltaAddrs(r.size, delta)
	}
	return r
}

// skip advances the reader by k rows.
func (r *addrReader) skip(k int) {
	if len(r.size) == 0 {
		return
	}
	for _, s := range r.size[:k] {
		r.off += int(s)
	}
	r.size = r.size[k:]
}

func (r *addrReader) next() netip.Addr {
	if len(r.size) == 0 {
		return netip.Addr{}
	}
	s := r.size[0]
	r.size = r.size[1:]
	switch s {
	case 4:
		a := netip.AddrFrom4([4]byte(r.data[r.off:]))
		r.off += 4
		return a
	case 16:
		a := netip.AddrFrom16([16]byte(r.data[r.off:]))
		r.off += 16
		return a
	}
	return netip.Addr{}
}

// prefixReader walks a PrefixColumn.
type prefixReader struct {
	addrs addrReader // a value, so copies of the reader are independent
	bits  []uint32
	i     int
}

func (c *colCheck) prefixes(name string, p *pb.PrefixColumn) *prefixReader {
	r := &prefixReader{addrs: *c.addrs(name, p.GetAddr()), bits: p.GetBits()}
	c.n(name+".bits", len(r.bits))
	if len(r.bits) != 0 && len(r.addrs.size) == 0 {
		c.fail("column %s: prefix lengths without addresses", name)
	}
	// Check lengths against address sizes before any row is built.
	for i, s := range r.addrs.size {
		b := at(r.bits, i)
		if (s == 0 && b != 0) || b > 8*s {
			c.fail("column %s row %d: prefix length %d for a %d-byte address", name, i, b, s)
			break
		}
	}
	return r
}

func (r *prefixReader) skip(k int) { r.addrs.skip(k); r.i += k }

func (r *prefixReader) next() netip.Prefix {
	a := r.addrs.next()
	b := at(r.bits, r.i)
	r.i++
	if !a.IsValid() {
		return netip.Prefix{}
	}
	return netip.PrefixFrom(a, int(b))
}

// bytesReader walks a BytesColumn.
type bytesReader struct {
	size []uint32
	data []byte
	off  int
}

func (c *colCheck) bytes(name string, b *pb.BytesColumn, rows int) *bytesReader {
	r := &bytesReader{size: b.GetSize(), data: b.GetData()}
	if len(r.size) != 0 && len(r.size) != rows && c.err == nil {
		c.err = fmt.Errorf("column %s has %d entries for %d rows", name, len(r.size), rows)
	}
	total := uint64(0)
	for _, s := range r.size {
		total += uint64(s)
	}
	if total != uint64(len(r.data)) {
		c.fail("column %s: sizes add up to %d bytes, data has %d", name, total, len(r.data))
		return &bytesReader{}
	}
	return r
}

func (r *bytesReader) skip(k int) {
	if len(r.size) == 0 {
		return
	}
	for _, s := range r.size[:k] {
		r.off += int(s)
	}
	r.size = r.size[k:]
}

func (r *bytesReader) next() []byte {
	if len(r.size) == 0 {
		return nil
	}
	s := int(r.size[0])
	r.size = r.size[1:]
	if s == 0 {
		return nil
	}
	b := r.data[r.off : r.off+s : r.off+s]
	r.off += s
	return b
}

// stringReader walks a StringColumn.
type stringReader struct {
	dict  []string
	index []uint32
	i     int
}

func (c *colCheck) strings(name string, s *pb.StringColumn) *stringReader {
	r := &stringReader{dict: s.GetDict(), index: s.GetIndex()}
	c.n(name, len(r.index))
	for _, k := range r.index {
		if int(k) >= len(r.dict) {
			c.fail("column %s: index %d outside a dictionary of %d", name, k, len(r.dict))
			return &stringReader{}
		}
	}
	return r
}

func (r *stringReader) skip(k int) { r.i += k }

func (r *stringReader) next() string {
	if len(r.index) == 0 {
		return ""
	}
	s := r.dict[r.index[r.i]]
	r.i++
	return s
}

// listReader walks a ListColumn.
type listReader struct {
	count []uint32
	value []uint32
	i     int
	off   int
}

func (c *colCheck) lists(name string, l *pb.ListColumn) *listReader {
	r := &listReader{count: l.GetCount(), value: l.GetValue()}
	c.n(name, len(r.count))
	total := uint64(0)
	for _, k := range r.count {
		total += uint64(k)
	}
	if total != uint64(len(r.value)) {
		c.fail("column %s: counts add up to %d, %d values", name, total, len(r.value))
		return &listReader{}
	}
	return r
}

func (r *listReader) skip(k int) {
	if len(r.count) == 0 {
		return
	}
	for _, c := range r.count[r.i : r.i+k] {
		r.off += int(c)
	}
	r.i += k
}

func (r *listReader) next() []uint32 {
	if len(r.count) == 0 {
		return nil
	}
	k := int(r.count[r.i])
	r.i++
	if k == 0 {
		return nil
	}
	v := r.value[r.off : r.off+k : r.off+k]
	r.off += k
	return v
}

// rawReader walks a RawAttrColumn.
type rawReader struct {
	count []uint32
	types []uint32
	data  bytesReader // a value, so copies of the reader are independent
	i     int
	t     int
	// slab hands out rows' attribute lists from shared chunks: 400k
	// sockets would otherwise make 400k small allocations. A copy of the
	// reader starts a slab of its own.
	slab []RawAttr
}

func (c *colCheck) raws(name string, rc *pb.RawAttrColumn, rows int) *rawReader {
	r := &rawReader{count: rc.GetCount(), types: rc.GetType()}
	if len(r.count) != 0 && len(r.count) != rows {
		c.fail("column %s has %d entries for %d rows", name, len(r.count), rows)
		return &rawReader{}
	}
	total := uint64(0)
	for _, k := range r.count {
		total += uint64(k)
	}
	if total != uint64(len(r.types)) {
		c.fail("column %s: counts add up to %d, %d types", name, total, len(r.types))
		return &rawReader{}
	}
	r.data = *c.bytes(name+".data", rc.GetData(), len(r.types))
	if len(r.types) > 0 && len(r.data.size) != len(r.types) {
		c.fail("column %s: %d types, %d data entries", name, len(r.types), len(r.data.size))
		return &rawReader{}
	}
	return r
}

func (r *rawReader) skip(k int) {
	if len(r.count) == 0 {
		return
	}
	n := 0
	for _, c := range r.count[r.i : r.i+k] {
		n += int(c)
	}
	r.data.skip(n)
	r.t += n
	r.i += k
}

func (r *rawReader) next() []RawAttr {
	if len(r.count) == 0 {
		return nil
	}
	k := int(r.count[r.i])
	r.i++
	if k == 0 {
		return nil
	}
	if len(r.slab) < k {
		r.slab = make([]RawAttr, max(k, min(4096, len(r.types)-r.t)))
	}
	out := r.slab[:k:k]
	r.slab = r.slab[k:]
	for j := range out {
		out[j] = RawAttr{Type: uint16(r.types[r.t]), Data: r.data.next()}
		r.t++
	}
	return out
}
