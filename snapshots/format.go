package snapshots

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"time"
)

// Version is a snapshot file format version. Readers accept every version
// with a major number not above their own; a newer minor version only adds
// fields and tables an older reader may ignore.
type Version struct{ Major, Minor uint16 }

// FormatVersion is the version this package writes.
var FormatVersion = Version{1, 1}

func (v Version) String() string { return fmt.Sprintf("%d.%d", v.Major, v.Minor) }

// File layout constants (see docs/FORMAT.md). Header, index and trailer are
// zstd skippable frames, so `zstd -d` on a snapshot yields the section
// payloads and skips the rest.
const (
	magicHeader  = 0x184D2A5E // skippable frame of the header
	magicIndex   = 0x184D2A5F // skippable frame of the index
	magicTrailer = 0x184D2A5D // skippable frame of the trailer

	headerSize  = 24
	trailerSize = 40

	headerTag  = "NETMORTM"
	trailerTag = "NMTRAIL\x00"

	// maxIndexBytes bounds the index frame and its decompressed content.
	maxIndexBytes = 256 << 20
	// maxRatio bounds how much a section may claim to expand; anything
	// above 1 MiB must stay within it. Real sections compress 3–20×.
	maxRatio     = 4096
	ratioFreeMax = 1 << 20
)

// DefaultMaxSectionMemory is the default per-section memory ceiling: the
// largest decompressed payload, and the largest model a section may build.
const DefaultMaxSectionMemory = 2 << 30

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Errors a reader returns, wrapped with the file and section.
var (
	ErrNotSnapshot  = errors.New("not a netmortem snapshot")
	ErrNewerVersion = errors.New("snapshot format is newer than this netmortem")
	ErrCorrupt      = errors.New("snapshot is damaged")
	ErrNoSection    = errors.New("no such section")
)

// SectionError names the section a problem was found in.
type SectionError struct {
	File    string
	Section string // e.g. "frame 0, namespace 1 (blue), routes"; "header", "index", "trailer"
	Offset  int64
	Err     error
}

func (e *SectionError) Error() string {
	file := e.File
	if file == "" {
		file = "snapshot"
	}
	return fmt.Sprintf("%s: %s at offset %d: %v", file, e.Section, e.Offset, e.Err)
}

func (e *SectionError) Unwrap() error { return e.Err }

func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrCorrupt}, args...)...)
}

func putHeader(v Version) []byte {
	b := make([]byte, headerSize)
	binary.LittleEndian.PutUint32(b[0:], magicHeader)
	binary.LittleEndian.PutUint32(b[4:], headerSize-8)
	copy(b[8:], headerTag)
	binary.LittleEndian.PutUint16(b[16:], v.Major)
	binary.LittleEndian.PutUint16(b[18:], v.Minor)
	binary.LittleEndian.PutUint32(b[20:], crc32.Checksum(b[:20], castagnoli))
	return b
}

func parseHeader(b []byte) (Version, error) {
	if len(b) < headerSize || binary.LittleEndian.Uint32(b) != magicHeader || string(b[8:16]) != headerTag {
		return Version{}, ErrNotSnapshot
	}
	if binary.LittleEndian.Uint32(b[4:]) != headerSize-8 {
		return Version{}, corrupt("header frame of %d bytes", binary.LittleEndian.Uint32(b[4:]))
	}
	if crc32.Checksum(b[:20], castagnoli) != binary.LittleEndian.Uint32(b[20:]) {
		return Version{}, corrupt("header checksum mismatch")
	}
	return Version{binary.LittleEndian.Uint16(b[16:]), binary.LittleEndian.Uint16(b[18:])}, nil
}

type trailer struct {
	indexOffset uint64
	indexLen    uint64
	version     Version
	crc         uint32
}

func (t trailer) bytes() []byte {
	b := make([]byte, trailerSize)
	binary.LittleEndian.PutUint32(b[0:], magicTrailer)
	binary.LittleEndian.PutUint32(b[4:], trailerSize-8)
	copy(b[8:], trailerTag)
	binary.LittleEndian.PutUint64(b[16:], t.indexOffset)
	binary.LittleEndian.PutUint64(b[24:], t.indexLen)
	binary.LittleEndian.PutUint16(b[32:], t.version.Major)
	binary.LittleEndian.PutUint16(b[34:], t.version.Minor)
	binary.LittleEndian.PutUint32(b[36:], t.crc)
	return b
}

func parseTrailer(b []byte) (trailer, error) {
	if len(b) != trailerSize || binary.LittleEndian.Uint32(b) != magicTrailer ||
		binary.LittleEndian.Uint32(b[4:]) != trailerSize-8 || string(b[8:16]) != trailerTag {
		return trailer{}, corrupt("no trailer at the end of the file (truncated or not closed)")
	}
	return trailer{
		indexOffset: binary.LittleEndian.Uint64(b[16:]),
		indexLen:    binary.LittleEndian.Uint64(b[24:]),
		version:     Version{binary.LittleEndian.Uint16(b[32:]), binary.LittleEndian.Uint16(b[34:])},
		crc:         binary.LittleEndian.Uint32(b[36:]),
	}, nil
}

// checkVersion refuses a major version newer than ours.
func checkVersion(v Version) error {
	if v.Major > FormatVersion.Major {
		return fmt.Errorf("%w: the file is format %s; this netmortem reads up to %d.x — use a netmortem release that reads format %d",
			ErrNewerVersion, v, FormatVersion.Major, v.Major)
	}
	if v.Major == 0 {
		return corrupt("format version %s does not exist", v)
	}
	return nil
}

// SectionInfo is an index entry: where one table lies and how it was
// captured.
type SectionInfo struct {
	Frame      int // -1 for host-scope tables
	Namespace  int // -1 for host-scope tables
	Table      Table
	Status     Status
	Offset     uint64
	Compressed uint64
	Size       uint64
	Rows       uint64
	CRC        uint32
	Hash       []byte
	Base       int // position in Sections of the delta base; -1 for none
}

// HasData reports whether the section has a payload.
func (s *SectionInfo) HasData() bool { return s.Compressed > 0 }

// Index is what the index frame holds: everything but the tables.
type Index struct {
	Version    Version
	Meta       Meta
	Namespaces []NamespaceInfo
	Frames     []FrameInfo
	Sections   []SectionInfo
	FileSize   int64
}

// HostNamespace returns the ID of the host namespace, or 0.
func (ix *Index) HostNamespace() int {
	for _, n := range ix.Namespaces {
		if n.Host {
			return n.ID
		}
	}
	return 0
}

// Describe names a section for messages.
func (ix *Index) Describe(s *SectionInfo) string {
	if s.Frame < 0 {
		return fmt.Sprintf("section %s", s.Table)
	}
	name := ""
	if s.Namespace >= 0 && s.Namespace < len(ix.Namespaces) && ix.Namespaces[s.Namespace].Name != "" {
		name = " (" + ix.Namespaces[s.Namespace].Name + ")"
	}
	return fmt.Sprintf("section %s of frame %d, namespace %d%s", s.Table, s.Frame, s.Namespace, name)
}

// Duration returns the capture's length.
func (m *Meta) Duration() time.Duration {
	if m.CaptureStart.IsZero() || m.CaptureEnd.IsZero() {
		return 0
	}
	return m.CaptureEnd.Sub(m.CaptureStart)
}
