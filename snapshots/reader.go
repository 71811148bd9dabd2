package snapshots

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"sort"
	"unsafe"

	"github.com/klauspost/compress/zstd"

	"github.com/netmortem/netmortem/snapshots/pb"
)

// ReaderOptions bound what a reader will do for an untrusted file.
type ReaderOptions struct {
	// MaxSectionMemory is the largest decompressed section, and the largest
	// model a section may build, in bytes. Zero means
	// DefaultMaxSectionMemory.
	MaxSectionMemory int64
}

// A Reader reads a snapshot's index at once and its sections on demand.
type Reader struct {
	Index
	name  string
	ra    io.ReaderAt
	close func() error
	limit int64
	dec   *zstd.Decoder
	byKey map[secKeyFull]int
	// verifying: Verify is running, and checks content hashes too.
	verifying bool
}

type secKeyFull struct {
	frame, ns int
	table     Table
}

// Open opens a snapshot file and reads its header and index.
func Open(path string, opts ReaderOptions) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	r, err := newReader(f, st.Size(), path, opts)
	if err != nil {
		f.Close()
		return nil, err
	}
	r.close = f.Close
	return r, nil
}

// NewReader reads a snapshot of size bytes from ra.
func NewReader(ra io.ReaderAt, size int64, opts ReaderOptions) (*Reader, error) {
	return newReader(ra, size, "", opts)
}

func newReader(ra io.ReaderAt, size int64, name string, opts ReaderOptions) (*Reader, error) {
	r := &Reader{name: name, ra: ra, limit: opts.MaxSectionMemory}
	if r.limit <= 0 {
		r.limit = DefaultMaxSectionMemory
	}
	r.FileSize = size
	fail := func(section string, off int64, err error) (*Reader, error) {
		return nil, &SectionError{File: name, Section: section, Offset: off, Err: err}
	}
	hdr := make([]byte, headerSize)
	if size < headerSize {
		if _, err := ra.ReadAt(hdr[:size], 0); err != nil && err != io.EOF {
			return fail("header", 0, err)
		}
		if size >= 4 && binary.LittleEndian.Uint32(hdr) == magicHeader {
			return fail("header", 0, corrupt("file of %d bytes is truncated", size))
		}
		return fail("header", 0, ErrNotSnapshot)
	}
	if _, err := ra.ReadAt(hdr, 0); err != nil {
		return fail("header", 0, err)
	}
	v, err := parseHeader(hdr)
	if err != nil {
		return fail("header", 0, err)
	}
	if err := checkVersion(v); err != nil {
		return fail("header", 0, err)
	}
	r.Version = v
	if size < headerSize+trailerSize {
		return fail("trailer", size, corrupt("file of %d bytes is truncated", size))
	}
	tb := make([]byte, trailerSize)
	if _, err := ra.ReadAt(tb, size-trailerSize); err != nil {
		return fail("trailer", size-trailerSize, err)
	}
	tr, err := parseTrailer(tb)
	if err != nil {
		return fail("trailer", size-trailerSize, err)
	}
	if tr.version != v {
		return fail("trailer", size-trailerSize, corrupt("trailer says format %s, header %s", tr.version, v))
	}
	end := uint64(size - trailerSize)
	if tr.indexOffset < headerSize || tr.indexLen < 8 || tr.indexLen > maxIndexBytes+8 ||
		tr.indexOffset > end || tr.indexLen != end-tr.indexOffset {
		return fail("trailer", size-trailerSize, corrupt("index at %d, %d bytes, does not fit a file of %d bytes", tr.indexOffset, tr.indexLen, size))
	}
	ib := make([]byte, tr.indexLen)
	if _, err := ra.ReadAt(ib, int64(tr.indexOffset)); err != nil {
		return fail("index", int64(tr.indexOffset), err)
	}
	if crc32.Checksum(ib, castagnoli) != tr.crc {
		return fail("index", int64(tr.indexOffset), corrupt("index checksum mismatch"))
	}
	if binary.LittleEndian.Uint32(ib) != magicIndex || uint64(binary.LittleEndian.Uint32(ib[4:])) != tr.indexLen-8 {
		return fail("index", int64(tr.indexOffset), corrupt("bad index frame header"))
	}
	r.dec, err = zstd.NewReader(nil, zstd.WithDecoderMaxMemory(uint64(r.limit)),
		zstd.WithDecoderMaxWindow(uint64(r.limit)), zstd.WithDecodeAllCapLimit(true), zstd.WithDecoderConcurrency(1))
	if err != nil {
		return nil, err
	}
	raw, _, err := decompress(r.dec, ib[8:], maxIndexBytes)
	if err != nil {
		return fail("index", int64(tr.indexOffset), err)
	}
	var px pb.Index
	if err := fastIndex(&px, raw); err != nil {
		return fail("index", int64(tr.indexOffset), corrupt("%v", err))
	}
	if err := r.fromPB(&px, tr.indexOffset); err != nil {
		return fail("index", int64(tr.indexOffset), err)
	}
	return r, nil
}

// decompress decodes one zstd frame whose content size must be declared
// and at most max bytes.
// It also reports whether the frame carried a content checksum (which the
// decoder then checked).
func decompress(dec *zstd.Decoder, frame []byte, max uint64) ([]byte, bool, error) {
	var h zstd.Header
	if err := h.Decode(frame); err != nil {
		return nil, false, corrupt("zstd frame header: %v", err)
	}
	if !h.HasFCS {
		return nil, false, corrupt("zstd frame does not declare its size")
	}
	if h.FrameContentSize > max {
		return nil, false, corrupt("section claims %d bytes, over the limit of %d", h.FrameContentSize, max)
	}
	out, err := dec.DecodeAll(frame, make([]byte, 0, h.FrameContentSize))
	if err != nil {
		return nil, false, corrupt("decompressing: %v", err)
	}
	if uint64(len(out)) != h.FrameContentSize {
		return nil, false, corrupt("decompressed %d bytes, frame declares %d", len(out), h.FrameContentSize)
	}
	return out, h.HasCheckSum, nil
}

func (r *Reader) fromPB(px *pb.Index, indexOff uint64) error {
	m := px.GetMeta()
	r.Meta = Meta{
		Hostname: m.GetHostname(), KernelRelease: m.GetKernelRelease(), KernelVersion: m.GetKernelVersion(),
		Machine: m.GetMachine(), BigEndian: m.GetBigEndian(), BootTime: fromNanos(m.GetBootTime()),
		ClockTicks: m.GetClockTicks(), PageSize: m.GetPageSize(), CaptureStart: fromNanos(m.GetCaptureStart()),
		CaptureEnd: fromNanos(m.GetCaptureEnd()), ToolVersion: m.GetToolVersion(),
		Source:      Source{Kind: m.GetSourceKind(), Origin: m.GetSourceOrigin(), Detail: m.GetSourceDetail()},
		CommandLine: m.GetCommandLine(), Warnings: m.GetWarnings(),
	}
	if n := len(px.GetSections()); n > 0 { // sized once; empty lists stay nil
		r.Namespaces = make([]NamespaceInfo, 0, len(px.GetNamespaces()))
		r.Frames = make([]FrameInfo, 0, len(px.GetFrames()))
		r.Sections = make([]SectionInfo, 0, n)
	}
	for i, n := range px.GetNamespaces() {
		if int(n.GetId()) != i {
			return corrupt("namespace %d has id %d", i, n.GetId())
		}
		r.Namespaces = append(r.Namespaces, NamespaceInfo{ID: i, Name: n.GetName(), Inode: n.GetInode(),
			Host: n.GetHost(), Pids: n.GetPids(), Hints: n.GetHints(), Gone: n.GetGone()})
	}
	for i, f := range px.GetFrames() {
		if int(f.GetIndex()) != i {
			return corrupt("frame %d has index %d", i, f.GetIndex())
		}
		r.Frames = append(r.Frames, FrameInfo{Index: i, Start: fromNanos(f.GetStart()), End: fromNanos(f.GetEnd())})
	}
	r.byKey = make(map[secKeyFull]int, len(px.GetSections()))
	for i, s := range px.GetSections() {
		si := SectionInfo{
			Frame: int(s.GetFrame()), Namespace: int(s.GetNamespace()), Table: Table(s.GetTable()),
			Status: Status{State: State(s.GetState()), Reason: s.GetReason(), Sources: s.GetSources(),
				Time: fromNanos(s.GetTime()), Retries: s.GetRetries()},
			Offset: s.GetOffset(), Compressed: s.GetCompressed(), Size: s.GetSize(), Rows: s.GetRows(),
			CRC: s.GetCrc32C(), Hash: s.GetHash(), Base: int(s.GetBase()) - 1,
		}
		if si.Base >= 0 {
			if si.Base >= i || !si.HasData() {
				return corrupt("section %d (%s) has delta base %d", i, si.Table, si.Base)
			}
			if b := &r.Sections[si.Base]; b.Table != si.Table || !b.HasData() {
				return corrupt("section %d (%s) has a delta base of table %s", i, si.Table, b.Table)
			}
		}
		hostScope := si.Frame == -1 && si.Namespace == -1
		if !hostScope && (si.Frame < 0 || si.Frame >= len(r.Frames) || si.Namespace < 0 || si.Namespace >= len(r.Namespaces)) {
			return corrupt("section %d (%s) refers to frame %d, namespace %d", i, si.Table, si.Frame, si.Namespace)
		}
		if si.Status.State < StateOK || si.Status.State > StateUnavailable {
			return corrupt("section %d (%s) has state %d", i, si.Table, si.Status.State)
		}
		if si.Compressed == 0 {
			if si.Size != 0 || si.Offset != 0 {
				return corrupt("section %d (%s) has size %d without data", i, si.Table, si.Size)
			}
		} else if si.Offset < headerSize || si.Offset > indexOff || si.Compressed > indexOff-si.Offset {
			return corrupt("section %d (%s) at %d, %d bytes, lies outside the data area", i, si.Table, si.Offset, si.Compressed)
		}
		k := secKeyFull{si.Frame, si.Namespace, si.Table}
		if _, dup := r.byKey[k]; dup {
			return corrupt("section %d (%s) appears twice for frame %d, namespace %d", i, si.Table, si.Frame, si.Namespace)
		}
		r.byKey[k] = i
		r.Sections = append(r.Sections, si)
	}
	return nil
}

// Find returns the section of table t in frame and namespace ns, or nil.
func (r *Reader) Find(frame, ns int, t Table) *SectionInfo {
	if t.HostScope() {
		frame, ns = -1, -1
	}
	if i, ok := r.byKey[secKeyFull{frame, ns, t}]; ok {
		return &r.Sections[i]
	}
	return nil
}

func (r *Reader) sectionErr(s *SectionInfo, err error) error {
	return &SectionError{File: r.name, Section: r.Describe(s), Offset: int64(s.Offset), Err: err}
}

// ReadSection decodes one section into ts.
func (r *Reader) ReadSection(s *SectionInfo, ts *Tables) error {
	return r.readSection(s, ts, nil)
}

// RouteFilter decides which routes a load builds. It sees each route
// without its rare attributes except the source prefix (Route.X holds
// only Src) and must not keep the route it is shown.
type RouteFilter func(*Route) bool

func (r *Reader) readSection(s *SectionInfo, ts *Tables, keep RouteFilter) error {
	if !s.HasData() {
		return nil
	}
	if !s.Table.Valid() {
		return r.sectionErr(s, fmt.Errorf("table %q is unknown to this netmortem (written by a newer one)", s.Table))
	}
	data, err := r.payload(s, 0)
	if err != nil {
		return err
	}
	var t Tables
	if s.Table == TableRoutes && keep != nil {
		// A filtered load decodes the columns, then builds only the routes
		// keep accepts: the row count is checked on the columns.
		m := &pb.Routes{}
		if err := fastRoutes(m, data); err != nil {
			return r.sectionErr(s, corrupt("decoding %s: %v", s.Table, err))
		}
		if uint64(m.GetRows()) != s.Rows {
			return r.sectionErr(s, corrupt("%d rows, index says %d", m.GetRows(), s.Rows))
		}
		if err := rowLimit("routes", uint64(m.GetRows()), unsafe.Sizeof(Route{}), r.limit); err != nil {
			return r.sectionErr(s, corrupt("%v", err))
		}
		rs, err := decRoutesWhere(m, keep)
		if err != nil {
			return r.sectionErr(s, corrupt("decoding %s: %v", s.Table, err))
		}
		ts.Routes = rs
		return nil
	}
	if err := decodeTable(s.Table, data, &t, r.limit); err != nil {
		return r.sectionErr(s, corrupt("decoding %s: %v", s.Table, err))
	}
	if got := uint64(t.Rows(s.Table)); got != s.Rows {
		return r.sectionErr(s, corrupt("%d rows, index says %d", got, s.Rows))
	}
	merge(ts, &t, s.Table)
	return nil
}

// maxChain bounds delta chains a reader follows; writers stay far below
// (MaxDeltaChain).
const maxChain = 64

// payload reads, checks and decompresses a section, first decoding the
// chain of delta bases it depends on.
func (r *Reader) payload(s *SectionInfo, depth int) ([]byte, error) {
	if int64(s.Size) > r.limit {
		return nil, r.sectionErr(s, corrupt("section claims %d bytes, over the memory limit of %d", s.Size, r.limit))
	}
	// A self-contained frame cannot expand beyond zstd's ratio; a delta
	// frame can (a big table that changed little), and is bounded by its
	// declared size alone.
	if s.Base < 0 && s.Size > ratioFreeMax && s.Size/maxRatio > s.Compressed {
		return nil, r.sectionErr(s, corrupt("section claims %d bytes from %d compressed, more than zstd can expand", s.Size, s.Compressed))
	}
	var base []byte
	if s.Base >= 0 {
		if depth >= maxChain {
			return nil, r.sectionErr(s, corrupt("delta chain longer than %d sections", maxChain))
		}
		var err error
		if base, err = r.payload(&r.Sections[s.Base], depth+1); err != nil {
			return nil, err
		}
	}
	buf := make([]byte, s.Compressed)
	if _, err := r.ra.ReadAt(buf, int64(s.Offset)); err != nil {
		if err == io.EOF {
			err = corrupt("file ends inside the section")
		}
		return nil, r.sectionErr(s, err)
	}
	if crc32.Checksum(buf, castagnoli) != s.CRC {
		return nil, r.sectionErr(s, corrupt("checksum mismatch"))
	}
	dec := r.dec
	if base != nil {
		d, err := zstd.NewReader(nil, zstd.WithDecoderMaxMemory(uint64(r.limit)),
			zstd.WithDecoderMaxWindow(uint64(r.limit)), zstd.WithDecodeAllCapLimit(true),
			zstd.WithDecoderConcurrency(1), zstd.WithDecoderDictRaw(deltaID, base))
		if err != nil {
			return nil, r.sectionErr(s, err)
		}
		defer d.Close()
		dec = d
	}
	data, summed, err := decompress(dec, buf, s.Size)
	if err != nil {
		return nil, r.sectionErr(s, err)
	}
	if uint64(len(data)) != s.Size {
		return nil, r.sectionErr(s, corrupt("decompressed %d bytes, index says %d", len(data), s.Size))
	}
	// The zstd content checksum, which the decoder checked, already
	// covers a load against damage (and no hash stops a forger); the
	// content hash is checked by Verify, or when a frame has no checksum.
	if len(s.Hash) > 0 && (r.verifying || !summed) {
		sum := sha256.Sum256(data)
		if !bytes.Equal(sum[:len(s.Hash)], s.Hash) {
			return nil, r.sectionErr(s, corrupt("content hash mismatch"))
		}
	}
	return data, nil
}

// merge moves the table t of src into dst.
func merge(dst, src *Tables, t Table) {
	switch t {
	case TableLinks:
		dst.Links = src.Links
	case TableAddrs:
		dst.Addrs = src.Addrs
	case TableRoutes:
		dst.Routes = src.Routes
	case TableRules:
		dst.Rules = src.Rules
	case TableNeigh:
		dst.Neighbours = src.Neighbours
	case TableInet:
		dst.InetSockets = src.InetSockets
	case TableUnix:
		dst.UnixSockets = src.UnixSockets
	case TablePacket:
		dst.PacketSockets = src.PacketSockets
	case TableSCTP:
		dst.SCTPEndpoints, dst.SCTPAssocs = src.SCTPEndpoints, src.SCTPAssocs
	case TableGroups:
		dst.Groups, dst.McastIfaces, dst.LinkGroups = src.Groups, src.McastIfaces, src.LinkGroups
	case TableMroute:
		dst.Vifs, dst.MFC = src.Vifs, src.MFC
	case TableStats:
		dst.Counters, dst.Softnet, dst.Protocols = src.Counters, src.Softnet, src.Protocols
	case TableMemory:
		dst.Sysctls, dst.Slabs = src.Sysctls, src.Slabs
	case TableDHCP:
		dst.Leases = src.Leases
	case TableOwners:
		dst.Owners = src.Owners
	case TableFiles, TableNames:
		dst.Files = append(dst.Files, src.Files...)
	}
}

// Loaded is the result of loading some tables of one namespace and frame.
type Loaded struct {
	Tables
	Status map[Table]Status // status of each table asked for; missing ones are unavailable
}

// Load reads the given tables of namespace ns in frame. A table without a
// section is reported unavailable in the status map, not as an error.
func (r *Reader) Load(frame, ns int, tables ...Table) (*Loaded, error) {
	return r.LoadWhere(frame, ns, nil, tables...)
}

// LoadWhere is Load building only the routes keep accepts (all when keep
// is nil); a route query on a big table then touches a fraction of it.
func (r *Reader) LoadWhere(frame, ns int, keep RouteFilter, tables ...Table) (*Loaded, error) {
	if frame < 0 || frame >= len(r.Frames) {
		return nil, fmt.Errorf("%s: no frame %d (the snapshot has %d)", r.displayName(), frame, len(r.Frames))
	}
	if ns < 0 || ns >= len(r.Namespaces) {
		return nil, fmt.Errorf("%s: no namespace %d (the snapshot has %d)", r.displayName(), ns, len(r.Namespaces))
	}
	l := &Loaded{Status: map[Table]Status{}}
	for _, t := range tables {
		s := r.Find(frame, ns, t)
		if s == nil {
			l.Status[t] = Status{State: StateUnavailable, Reason: "not in this snapshot"}
			continue
		}
		l.Status[t] = s.Status
		if err := r.readSection(s, &l.Tables, keep); err != nil {
			return nil, err
		}
	}
	return l, nil
}

func (r *Reader) displayName() string {
	if r.name == "" {
		return "snapshot"
	}
	return r.name
}

// Name returns the file name the reader was opened with.
func (r *Reader) Name() string { return r.displayName() }

// Close releases the file.
func (r *Reader) Close() error {
	if r.dec != nil {
		r.dec.Close()
	}
	if r.close != nil {
		return r.close()
	}
	return nil
}

// Finding is the result of verifying one section.
type Finding struct {
	Section *SectionInfo
	Name    string
	Err     error // nil when intact
}

// Verify decodes every section with data and checks checksums, hashes and
// row counts, continuing past damaged ones. Sections shared between frames
// are decoded once.
func (r *Reader) Verify() []Finding {
	r.verifying = true
	defer func() { r.verifying = false }()
	type key struct {
		off, rows uint64
		table     Table
	}
	done := map[key]error{}
	order := make([]int, len(r.Sections))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return r.Sections[order[a]].Offset < r.Sections[order[b]].Offset })
	out := make([]Finding, len(r.Sections))
	for _, i := range order {
		s := &r.Sections[i]
		f := Finding{Section: s, Name: r.Describe(s)}
		if s.HasData() {
			k := key{s.Offset, s.Rows, s.Table}
			if err, ok := done[k]; ok {
				f.Err = err
			} else {
				var ts Tables
				f.Err = r.ReadSection(s, &ts)
				done[k] = f.Err
			}
		}
		out[i] = f
	}
	return out
}
