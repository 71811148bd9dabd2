package snapshots

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/zstd"
	"google.golang.org/protobuf/proto"

	"github.com/netmortem/netmortem/snapshots/pb"
)

// A Writer streams a snapshot: sections are compressed and written as they
// come, the index and trailer when it is closed. A Writer made by Create
// writes to a temporary file next to the destination and renames it into
// place only when Close succeeds, so the destination never holds a partial
// snapshot.
type Writer struct {
	// mu guards everything below: WriteTable may be called from several
	// goroutines at once (tables of one frame encode in parallel), and
	// holds it only to look up and record, never while encoding.
	mu     sync.Mutex
	w      *bufio.Writer
	off    uint64
	enc    *zstd.Encoder
	index  pb.Index
	frame  int // current frame, -1 before the first
	prev   map[secKey]*prevSection
	file   *os.File
	path   string
	tmp    string
	closed bool
	err    error
	// oneFrame: no frame follows, so key payloads (kept as delta bases,
	// 145 MB for 400k sockets) are not kept.
	oneFrame bool
}

// OneFrame tells the writer that no frame will follow the current one; it
// then keeps no payloads for delta-encoding later frames, which holds peak
// memory at the size of one table instead of all of them.
func (w *Writer) OneFrame() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.oneFrame = true
}

type secKey struct {
	ns    int32
	table string
}

// prevSection is what the writer remembers of a table, to share or
// delta-encode its next frames: the last section written, and the last
// one stored whole (the key frame every delta refers to, so that reading
// any frame decodes at most two sections).
type prevSection struct {
	last       *pb.Section
	key        *pb.Section
	keyIdx     int // position of key in index.Sections
	keyPayload []byte
}

// minDelta is the smallest payload worth delta-encoding.
const minDelta = 512

// Create starts a snapshot that will appear at path when Close succeeds.
func Create(path string, meta Meta) (*Writer, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	// The temporary name carries our pid so that a later capture can tell
	// the leftovers of a killed one (TempFiles) from a capture under way.
	f, err := os.CreateTemp(dir, fmt.Sprintf(".%s.tmp-%d-*", base, os.Getpid()))
	if err != nil {
		return nil, fmt.Errorf("creating snapshot %s: %w", path, err)
	}
	w, err := NewWriter(f, meta)
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	w.file, w.path, w.tmp = f, path, f.Name()
	return w, nil
}

// TempFiles lists the temporary files Create made for path and the pid of
// the process that made each.
func TempFiles(path string) map[string]int {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	ms, _ := filepath.Glob(filepath.Join(dir, "."+base+".tmp-*"))
	out := map[string]int{}
	for _, m := range ms {
		rest := strings.TrimPrefix(filepath.Base(m), "."+base+".tmp-")
		pidText, _, ok := strings.Cut(rest, "-")
		if pid, err := strconv.Atoi(pidText); ok && err == nil && pid > 0 {
			out[m] = pid
		}
	}
	return out
}

// NewWriter writes a snapshot to w. Nothing makes it atomic; use Create for
// files.
func NewWriter(w io.Writer, meta Meta) (*Writer, error) {
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithEncoderCRC(true),
		// Single-segment frames always declare their content size, which the
		// reader checks before decompressing.
		zstd.WithSingleSegment(true))
	if err != nil {
		return nil, err
	}
	sw := &Writer{w: bufio.NewWriterSize(w, 1<<20), enc: enc, frame: -1, prev: map[secKey]*prevSection{}}
	sw.SetMeta(meta)
	sw.write(putHeader(FormatVersion))
	return sw, sw.err
}

func (w *Writer) write(b []byte) {
	if w.err != nil {
		return
	}
	n, err := w.w.Write(b)
	w.off += uint64(n)
	if err != nil {
		w.err = fmt.Errorf("writing snapshot: %w", err)
	}
}

// SetMeta replaces the metadata; the last value set is written on Close.
func (w *Writer) SetMeta(m Meta) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.index.Meta = &pb.Meta{
		Hostname: m.Hostname, KernelRelease: m.KernelRelease, KernelVersion: m.KernelVersion,
		Machine: m.Machine, BigEndian: m.BigEndian, BootTime: nanos(m.BootTime),
		ClockTicks: m.ClockTicks, PageSize: m.PageSize, CaptureStart: nanos(m.CaptureStart),
		CaptureEnd: nanos(m.CaptureEnd), ToolVersion: m.ToolVersion, SourceKind: m.Source.Kind,
		SourceOrigin: m.Source.Origin, SourceDetail: m.Source.Detail, CommandLine: m.CommandLine,
		Warnings: m.Warnings,
	}
}

// AddNamespace registers a namespace and returns its ID.
func (w *Writer) AddNamespace(n NamespaceInfo) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	id := len(w.index.Namespaces)
	w.index.Namespaces = append(w.index.Namespaces, nsToPB(id, n))
	return id
}

// UpdateNamespace replaces what is known of namespace id (pids, gone …).
func (w *Writer) UpdateNamespace(id int, n NamespaceInfo) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if id >= 0 && id < len(w.index.Namespaces) {
		w.index.Namespaces[id] = nsToPB(id, n)
	}
}

func nsToPB(id int, n NamespaceInfo) *pb.Namespace {
	return &pb.Namespace{Id: uint32(id), Name: n.Name, Inode: n.Inode, Host: n.Host, Pids: n.Pids, Hints: n.Hints, Gone: n.Gone}
}

// BeginFrame starts a new frame and returns its index.
func (w *Writer) BeginFrame(start time.Time) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.frame = len(w.index.Frames)
	w.index.Frames = append(w.index.Frames, &pb.Frame{Index: uint32(w.frame), Start: nanos(start)})
	return w.frame
}

// EndFrame records when the current frame's capture ended.
func (w *Writer) EndFrame(end time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.frame >= 0 {
		w.index.Frames[w.frame].End = nanos(end)
	}
}

// Frames returns how many frames have been begun.
func (w *Writer) Frames() int { return len(w.index.Frames) }

// WriteTable writes table t of namespace ns in the current frame. A table
// whose status is unavailable is recorded without data. A section equal
// to the same table of the previous frame is not stored again: its index
// entry points at the earlier bytes.
func (w *Writer) WriteTable(ns int, t Table, st Status, ts *Tables) error {
	if t.HostScope() {
		return w.write1(-1, -1, t, st, ts)
	}
	if w.frame < 0 {
		return errors.New("snapshot writer: WriteTable before BeginFrame")
	}
	if ns < 0 || ns >= len(w.index.Namespaces) {
		return fmt.Errorf("snapshot writer: namespace %d not added", ns)
	}
	return w.write1(w.frame, ns, t, st, ts)
}

func (w *Writer) write1(frame, ns int, t Table, st Status, ts *Tables) error {
	w.mu.Lock()
	err, closed := w.err, w.closed
	w.mu.Unlock()
	if err != nil {
		return err
	}
	if closed {
		return errors.New("snapshot writer: closed")
	}
	if !t.Valid() {
		return fmt.Errorf("snapshot writer: unknown table %q", t)
	}
	if st.State == 0 {
		st.State = StateOK
	}
	sec := &pb.Section{
		Frame: int32(frame), Namespace: int32(ns), Table: string(t),
		State: uint32(st.State), Reason: st.Reason, Sources: st.Sources, Time: nanos(st.Time),
		Retries: st.Retries,
	}
	if st.State == StateUnavailable || ts == nil {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.index.Sections = append(w.index.Sections, sec)
		return w.err
	}
	parts, size, err := encodeTableParts(t, ts)
	if err != nil {
		return fmt.Errorf("encoding %s: %w", t, err)
	}
	key := secKey{int32(ns), string(t)}
	// Only this call touches key's entry: a table is written once per
	// frame, and frames one after another.
	w.mu.Lock()
	p := w.prev[key]
	w.mu.Unlock()
	if p != nil || !w.oneFrame || size < minStreamed {
		// Compared with, delta-encoded against or kept as the next
		// frame's base, the payload is needed in one piece; a small one
		// costs less joined than a streaming encoder of its own.
		parts = [][]byte{joinParts(parts, size)}
	}
	payload := parts[0] // the whole payload where there is a single part
	var sum [32]byte
	var z []byte // the payload compressed, when it must be
	var zerr error
	compress := func() { z, zerr = w.compress(parts, size) }
	if p == nil {
		// Nothing to compare with or delta-encode against: hash and
		// compress at once.
		concurrently(func() { sum = hashParts(parts) }, compress)
	} else {
		sum = sha256.Sum256(payload)
	}
	if zerr != nil {
		return fmt.Errorf("compressing %s: %w", t, zerr)
	}
	sec.Hash = sum[:16]
	sec.Size = uint64(size)
	sec.Rows = uint64(ts.Rows(t))
	if p != nil && bytes.Equal(p.last.Hash, sec.Hash) && p.last.Size == sec.Size {
		// Unchanged since the previous frame: point at its bytes.
		sec.Offset, sec.Compressed, sec.Crc32C, sec.Base = p.last.Offset, p.last.Compressed, p.last.Crc32C, p.last.Base
		p.last = sec
		w.mu.Lock()
		defer w.mu.Unlock()
		w.index.Sections = append(w.index.Sections, sec)
		return w.err
	}
	if p != nil && len(payload) >= minDelta && len(p.keyPayload) >= minDelta {
		// Changed: store the difference from the key frame, whose payload
		// is the zstd dictionary, while that stays much smaller than a
		// whole copy.
		delta, err := deltaEncode(p.keyPayload, payload)
		if err != nil {
			return fmt.Errorf("encoding %s: %w", t, err)
		}
		if uint64(len(delta)) <= p.key.Compressed/2 {
			w.mu.Lock()
			defer w.mu.Unlock()
			w.put(sec, delta)
			sec.Base = uint32(p.keyIdx) + 1
			p.last = sec
			w.index.Sections = append(w.index.Sections, sec)
			return w.err
		}
	}
	if z == nil {
		if compress(); zerr != nil {
			return fmt.Errorf("compressing %s: %w", t, zerr)
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.put(sec, z)
	ps := &prevSection{last: sec, key: sec, keyIdx: len(w.index.Sections), keyPayload: payload}
	if w.oneFrame {
		ps.keyPayload = nil
	}
	w.prev[key] = ps
	w.index.Sections = append(w.index.Sections, sec)
	return w.err
}

// minStreamed is the smallest payload compressed in parts. It must stay
// well above 256 bytes: below that, a streamed (multi-segment) zstd frame
// does not declare its content size, which the reader requires.
const minStreamed = 1 << 20

// compress makes a payload's zstd frame. A payload in one part goes
// through the shared encoder (EncodeAll is safe concurrently); one in
// parts through a streaming encoder of its own, which declares the size
// up front, as the reader requires.
func (w *Writer) compress(parts [][]byte, size int) ([]byte, error) {
	if len(parts) == 1 {
		return w.enc.EncodeAll(parts[0], make([]byte, 0, len(parts[0])/8+64)), nil
	}
	var buf bytes.Buffer
	buf.Grow(size/8 + 64)
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithEncoderCRC(true),
		zstd.WithEncoderConcurrency(1))
	if err != nil {
		return nil, err
	}
	enc.ResetContentSize(&buf, int64(size))
	for _, p := range parts {
		if _, err := enc.Write(p); err != nil {
			enc.Close()
			return nil, err
		}
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func hashParts(parts [][]byte) [32]byte {
	if len(parts) == 1 {
		return sha256.Sum256(parts[0])
	}
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
	}
	var sum [32]byte
	h.Sum(sum[:0])
	return sum
}

// put writes a section's zstd frame and records where it went.
func (w *Writer) put(sec *pb.Section, frameBytes []byte) {
	sec.Offset = w.off
	sec.Compressed = uint64(len(frameBytes))
	sec.Crc32C = crc32.Checksum(frameBytes, castagnoli)
	w.write(frameBytes)
}

// deltaID is the dictionary ID delta frames declare; the dictionary is
// always the base section's payload, named in the index.
const deltaID = 1

func deltaEncode(base, payload []byte) ([]byte, error) {
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithEncoderCRC(true),
		zstd.WithSingleSegment(true), zstd.WithEncoderDictRaw(deltaID, base), zstd.WithEncoderConcurrency(1))
	if err != nil {
		return nil, err
	}
	defer enc.Close()
	return enc.EncodeAll(payload, make([]byte, 0, len(payload)/8+64)), nil
}

// Close writes the index and trailer. For a Writer made by Create it then
// syncs the file, renames it into place and syncs the directory.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return w.err
	}
	w.closed = true
	idx, err := proto.MarshalOptions{Deterministic: true}.Marshal(&w.index)
	if err != nil && w.err == nil {
		w.err = err
	}
	z := w.enc.EncodeAll(idx, nil)
	if len(z) > maxIndexBytes && w.err == nil {
		w.err = fmt.Errorf("snapshot index of %d bytes exceeds the format's limit", len(z))
	}
	hdr := make([]byte, 8)
	binary.LittleEndian.PutUint32(hdr, magicIndex)
	binary.LittleEndian.PutUint32(hdr[4:], uint32(len(z)))
	indexOff := w.off
	frame := append(hdr, z...)
	w.write(frame)
	w.write(trailer{indexOffset: indexOff, indexLen: uint64(len(frame)), version: FormatVersion,
		crc: crc32.Checksum(frame, castagnoli)}.bytes())
	if w.err == nil {
		if err := w.w.Flush(); err != nil {
			w.err = fmt.Errorf("writing snapshot: %w", err)
		}
	}
	w.enc.Close()
	if w.file == nil {
		return w.err
	}
	if w.err == nil {
		if err := w.file.Sync(); err != nil {
			w.err = fmt.Errorf("writing %s: %w", w.path, err)
		}
	}
	if err := w.file.Close(); err != nil && w.err == nil {
		w.err = fmt.Errorf("writing %s: %w", w.path, err)
	}
	if w.err == nil {
		if err := os.Rename(w.tmp, w.path); err != nil {
			w.err = fmt.Errorf("writing %s: %w", w.path, err)
		}
	}
	if w.err != nil {
		os.Remove(w.tmp)
		return w.err
	}
	if d, err := os.Open(filepath.Dir(w.path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// Abort discards a snapshot being written; the destination is untouched.
func (w *Writer) Abort() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return
	}
	w.closed = true
	w.enc.Close()
	if w.file != nil {
		w.file.Close()
		os.Remove(w.tmp)
	}
}

// Err returns the first write error.
func (w *Writer) Err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}
