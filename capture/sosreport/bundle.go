package sosreport

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

// Limits bound what reading a bundle may cost. Zero fields take the
// defaults of DefaultLimits.
type Limits struct {
	MaxMember  int64 // largest member read; bigger ones are refused
	MaxTotal   int64 // bytes of all members kept
	MaxStream  int64 // bytes read from the decompressed archive stream
	MaxRatio   int64 // decompressed ÷ compressed bytes beyond BombFloor: a bomb
	BombFloor  int64 // decompressed bytes below which the ratio is not checked
	MaxEntries int   // archive entries or directory entries visited
	MaxLinks   int   // symbolic links kept
	MaxDict    int64 // the decoder window an xz or zstd stream may ask for
}

// DefaultLimits are generous for real sosreports (sos itself tails
// command output at 25 MiB by default) and stop hostile ones early.
var DefaultLimits = Limits{
	MaxMember:  256 << 20,
	MaxTotal:   1 << 30,
	MaxStream:  64 << 30,
	MaxRatio:   200,
	BombFloor:  1 << 30,
	MaxEntries: 2_000_000,
	MaxLinks:   200_000,
	MaxDict:    256 << 20,
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	if l.MaxMember > 0 {
		d.MaxMember = l.MaxMember
	}
	if l.MaxTotal > 0 {
		d.MaxTotal = l.MaxTotal
	}
	if l.MaxStream > 0 {
		d.MaxStream = l.MaxStream
	}
	if l.MaxRatio > 0 {
		d.MaxRatio = l.MaxRatio
	}
	if l.BombFloor > 0 {
		d.BombFloor = l.BombFloor
	}
	if l.MaxEntries > 0 {
		d.MaxEntries = l.MaxEntries
	}
	if l.MaxLinks > 0 {
		d.MaxLinks = l.MaxLinks
	}
	if l.MaxDict > 0 {
		d.MaxDict = l.MaxDict
	}
	return d
}

// maxLinkHops bounds symbolic-link resolution (as the kernel's 40).
const maxLinkHops = 40

// maxWarnings bounds the refusals reported one by one.
const maxWarnings = 40

// A Bundle is the part of a sosreport the importer reads, held in memory:
// regular files by their path inside the bundle (without the archive's
// top directory), and symbolic links, which are resolved inside the
// bundle only. Nothing is ever written to disk.
type Bundle struct {
	Name     string // the bundle's top directory, e.g. sosreport-host-2024-01-01-abcdef
	Format   string // "directory", "tar", "tar.xz", "tar.gz", "tar.bz2", "tar.zst"
	files    map[string][]byte
	mtimes   map[string]time.Time
	links    map[string]string
	dirs     []string // sorted paths of files and links, for listings
	warnings []string
	dropped  int // warnings beyond maxWarnings
	badLinks map[string]bool
	total    int64
	lim      Limits
}

// Warnings lists what was refused or cut while reading the bundle.
func (b *Bundle) Warnings() []string {
	w := append([]string(nil), b.warnings...)
	if b.dropped > 0 {
		w = append(w, fmt.Sprintf("%d more refusals not listed", b.dropped))
	}
	return w
}

// warningSummary quotes the first refusal, for an error that may be its
// consequence.
func (b *Bundle) warningSummary() string {
	w := b.Warnings()
	switch len(w) {
	case 0:
		return ""
	case 1:
		return "; while reading: " + w[0]
	}
	return fmt.Sprintf("; while reading: %s (and %d more)", w[0], len(w)-1)
}

func (b *Bundle) warn(format string, args ...any) {
	if len(b.warnings) >= maxWarnings {
		b.dropped++
		return
	}
	b.warnings = append(b.warnings, fmt.Sprintf(format, args...))
}

// cleanMember turns an archive or directory entry name into a bundle
// path; ok is false for names that must be refused (absolute, "..",
// NUL bytes, empty).
func cleanMember(name string) (string, error) {
	if strings.IndexByte(name, 0) >= 0 {
		return "", errors.New("NUL byte in name")
	}
	if len(name) > 4096 {
		return "", errors.New("name longer than 4096 bytes")
	}
	if strings.HasPrefix(name, "/") || filepath.IsAbs(name) || strings.HasPrefix(name, `\`) {
		return "", errors.New("absolute path")
	}
	var parts []string
	for _, p := range strings.Split(name, "/") {
		switch p {
		case "", ".":
			continue
		case "..":
			return "", errors.New(`".." in path`)
		}
		parts = append(parts, p)
	}
	if len(parts) == 0 {
		return "", errors.New("empty name")
	}
	return strings.Join(parts, "/"), nil
}

// Open reads the members the importer needs from a sosreport: an
// extracted directory or its archive (tar, optionally xz, gzip, bzip2 or
// zstd compressed, told by content, not by name). The archive is
// streamed once; refusals (unsafe names, devices, oversized members, a
// decompression bomb, a truncated archive) are warnings, and whatever
// was read before a fatal one is kept.
func Open(p string, lim Limits) (*Bundle, error) {
	b := &Bundle{files: map[string][]byte{}, links: map[string]string{}, lim: lim.withDefaults()}
	st, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		// The path the user gave may itself be a link; nothing inside
		// the bundle is followed.
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		if err := b.readDir(p); err != nil {
			return nil, err
		}
	} else {
		f, err := os.Open(p)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if err := b.readArchive(f, p); err != nil {
			return nil, err
		}
	}
	b.unpackNetTars()
	b.index()
	return b, nil
}

// FromMembers builds a bundle from in-memory members, as a directory would
// give them: paths are cleaned and refused like archive names. For tests
// and callers that have the files already.
func FromMembers(name string, files map[string][]byte, links map[string]string, lim Limits) *Bundle {
	b := &Bundle{Name: name, Format: "memory", files: map[string][]byte{}, links: map[string]string{}, lim: lim.withDefaults()}
	for p, d := range files {
		if c, err := cleanMember(p); err != nil {
			b.warn("member %q refused: %v", p, err)
		} else {
			b.files[c] = d
		}
	}
	for p, t := range links {
		if c, err := cleanMember(p); err != nil {
			b.warn("link %q refused: %v", p, err)
		} else {
			b.links[c] = t
		}
	}
	b.unpackNetTars()
	b.index()
	return b
}

// topLevel are names found at a sosreport's top level; an archive whose
// first entry starts with one of them has no enclosing directory.
var topLevel = map[string]bool{"sos_commands": true, "sos_reports": true, "sos_logs": true,
	"sos_strings": true, "proc": true, "sys": true, "etc": true, "var": true, "run": true,
	"usr": true, "version.txt": true, "environment": true}

// counter counts the bytes read through it.
type counter struct {
	r io.Reader
	n int64
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

var errBomb = errors.New("decompressed size out of proportion to the archive: refusing a decompression bomb")

// streamGuard bounds the decompressed stream.
type streamGuard struct {
	r    io.Reader
	in   *counter // compressed bytes
	n    int64
	lim  Limits
	fail error
}

func (g *streamGuard) Read(p []byte) (int, error) {
	if g.fail != nil {
		return 0, g.fail
	}
	n, err := g.r.Read(p)
	g.n += int64(n)
	switch {
	case g.n > g.lim.MaxStream:
		g.fail = fmt.Errorf("archive larger than %d bytes decompressed", g.lim.MaxStream)
	case g.n > g.lim.BombFloor && g.n > g.lim.MaxRatio*max(g.in.n, 1):
		g.fail = errBomb
	}
	if g.fail != nil {
		return n, g.fail
	}
	return n, err
}

// OpenArchive reads a bundle from an archive stream; name is used for the
// bundle's name when the archive has no top directory, and in errors.
func OpenArchive(r io.Reader, name string, lim Limits) (*Bundle, error) {
	b := &Bundle{files: map[string][]byte{}, links: map[string]string{}, lim: lim.withDefaults()}
	if err := b.readArchive(r, name); err != nil {
		return nil, err
	}
	b.unpackNetTars()
	b.index()
	return b, nil
}

func (b *Bundle) readArchive(f io.Reader, name string) error {
	in := &counter{r: f}
	br := bufio.NewReaderSize(in, 1<<16)
	magic, _ := br.Peek(1024)
	var r io.Reader
	var err error
	switch {
	case bytes.HasPrefix(magic, []byte{0xfd, '7', 'z', 'X', 'Z', 0}):
		b.Format = "tar.xz"
		// The decoder allocates the window the block header asks for:
		// refuse an absurd one before it does.
		if d, ok := xzFirstDict(magic); ok && d > uint64(b.lim.MaxDict) {
			return fmt.Errorf("%s: xz stream asks for a %d-byte window (limit %d): refusing a memory bomb", name, d, b.lim.MaxDict)
		}
		var xr *xz.Reader
		xr, err = xz.ReaderConfig{SingleStream: false}.NewReader(br)
		r = xr
	case bytes.HasPrefix(magic, []byte{0x1f, 0x8b}):
		b.Format = "tar.gz"
		r, err = gzip.NewReader(br)
	case bytes.HasPrefix(magic, []byte("BZh")):
		b.Format = "tar.bz2"
		r = bzip2.NewReader(br)
	case bytes.HasPrefix(magic, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		b.Format = "tar.zst"
		var zr *zstd.Decoder
		zr, err = zstd.NewReader(br, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxWindow(uint64(b.lim.MaxDict)),
			zstd.WithDecoderMaxMemory(uint64(b.lim.MaxStream)))
		if err == nil {
			defer zr.Close()
		}
		r = zr
	case len(magic) >= 262 && string(magic[257:262]) == "ustar":
		b.Format = "tar"
		r = br
	default:
		return fmt.Errorf("%s: neither a directory nor a tar archive (plain, xz, gzip, bzip2 or zstd)", name)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	guard := &streamGuard{r: r, in: in, lim: b.lim}
	base := filepath.Base(name)
	for _, ext := range []string{".xz", ".gz", ".bz2", ".zst", ".tar", ".tgz", ".txz"} {
		base = strings.TrimSuffix(base, ext)
	}
	b.Name = base
	return b.readTar(guard, true, nil)
}

// xzFirstDict reads the LZMA2 dictionary size of the first block of an xz
// stream from its first bytes. Later blocks of a multi-block stream may
// ask for other sizes; sos writes single-block streams.
func xzFirstDict(b []byte) (uint64, bool) {
	const streamHeader = 12
	if len(b) < streamHeader+2 || b[streamHeader] == 0 {
		return 0, false
	}
	size := (int(b[streamHeader]) + 1) * 4
	if len(b) < streamHeader+size {
		return 0, false
	}
	h := b[streamHeader+1 : streamHeader+size]
	flags := h[0]
	h = h[1:]
	vli := func() (uint64, bool) {
		var v uint64
		for i := 0; i < 9 && i < len(h); i++ {
			v |= uint64(h[i]&0x7f) << (7 * i)
			if h[i]&0x80 == 0 {
				h = h[i+1:]
				return v, true
			}
		}
		return 0, false
	}
	if flags&0x40 != 0 {
		if _, ok := vli(); !ok {
			return 0, false
		}
	}
	if flags&0x80 != 0 {
		if _, ok := vli(); !ok {
			return 0, false
		}
	}
	for f := 0; f <= int(flags&3); f++ {
		id, ok1 := vli()
		n, ok2 := vli()
		if !ok1 || !ok2 || n > uint64(len(h)) {
			return 0, false
		}
		if id == 0x21 && n == 1 { // LZMA2
			d := h[0]
			if d > 40 {
				return 0, false
			}
			if d == 40 {
				return 0xffffffff, true
			}
			return uint64(2|d&1) << (d/2 + 11), true
		}
		h = h[n:]
	}
	return 0, false
}

// readTar reads the entries of a tar stream. top says the stream is the
// bundle itself (its common top directory is stripped); a nested tar
// (proc/net.tar) is read with top false by unpackNetTars, with place
// mapping its names to bundle paths.
func (b *Bundle) readTar(r io.Reader, top bool, place func(string) string) error {
	tr := tar.NewReader(r)
	prefix := ""
	first := true
	entries := 0
	for {
		h, err := tr.Next()
		if err == io.EOF {
			if first && top {
				return errors.New("empty archive")
			}
			return nil
		}
		if err != nil {
			if first && top {
				return fmt.Errorf("not a readable tar archive: %w", err)
			}
			b.warn("archive cut short after %d entries: %v; the rest of the bundle was not read", entries, err)
			return nil
		}
		entries++
		if entries > b.lim.MaxEntries {
			b.warn("more than %d archive entries: the rest of the bundle was not read", b.lim.MaxEntries)
			return nil
		}
		rel, err := cleanMember(h.Name)
		if err != nil {
			b.warn("archive entry %q refused: %v", h.Name, err)
			first = false
			continue
		}
		if first && top {
			first = false
			c, _, _ := strings.Cut(rel, "/")
			if !topLevel[c] && (strings.Contains(rel, "/") || h.Typeflag == tar.TypeDir) {
				prefix = c + "/"
				b.Name = c
			}
		}
		first = false
		if place != nil {
			rel = place(rel)
		}
		if prefix != "" {
			if rel+"/" == prefix {
				continue
			}
			var ok bool
			if rel, ok = strings.CutPrefix(rel, prefix); !ok {
				b.warn("archive entry %q is outside the bundle's directory %s: ignored", h.Name, strings.TrimSuffix(prefix, "/"))
				continue
			}
		}
		switch h.Typeflag {
		case tar.TypeDir:
		case tar.TypeSymlink:
			if wantedAny(rel) {
				b.addLink(rel, h.Linkname)
			}
		case tar.TypeLink:
			// A hard link names an earlier entry by its archive path.
			t, err := cleanMember(h.Linkname)
			if err == nil && prefix != "" {
				t, _ = strings.CutPrefix(t, prefix)
			}
			if d, ok := b.files[t]; err == nil && ok && wanted(rel) {
				b.files[rel] = d
			}
		case tar.TypeReg, tar.TypeRegA, tar.TypeGNUSparse:
			if !wanted(rel) {
				continue
			}
			if h.Size > b.lim.MaxMember {
				b.warn("member %s of %d bytes is larger than the %d-byte limit: not read", rel, h.Size, b.lim.MaxMember)
				continue
			}
			if b.total+h.Size > b.lim.MaxTotal {
				b.warn("member %s not read: the bundle's members exceed %d bytes in all", rel, b.lim.MaxTotal)
				continue
			}
			data, err := io.ReadAll(io.LimitReader(tr, b.lim.MaxMember+1))
			if err != nil {
				b.warn("archive cut short in member %s: %v; the rest of the bundle was not read", rel, err)
				return nil
			}
			if int64(len(data)) > b.lim.MaxMember {
				b.warn("member %s is larger than the %d-byte limit: not read", rel, b.lim.MaxMember)
				continue
			}
			b.total += int64(len(data))
			b.files[rel] = data
			b.setMtime(rel, h.ModTime)
		case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
			b.warn("member %s is a device or fifo: skipped", rel)
		default:
			if wanted(rel) {
				b.warn("member %s has tar type %q: skipped", rel, h.Typeflag)
			}
		}
	}
}

func (b *Bundle) addLink(rel, target string) {
	if len(b.links) >= b.lim.MaxLinks {
		b.warn("more than %d symbolic links: link %s ignored", b.lim.MaxLinks, rel)
		return
	}
	if len(target) > 4096 || strings.IndexByte(target, 0) >= 0 || target == "" {
		b.warn("link %s has an unusable target: ignored", rel)
		return
	}
	if strings.HasPrefix(target, "/") || filepath.IsAbs(target) {
		b.warn("link %s points outside the bundle (%s): ignored", rel, target)
		return
	}
	if c := path.Clean(path.Join(path.Dir(rel), target)); c == ".." || strings.HasPrefix(c, "../") {
		b.warn("link %s points outside the bundle (%s): ignored", rel, target)
		return
	}
	b.links[rel] = target
}

// readDir reads an extracted bundle. Links are recorded, never followed;
// devices, fifos and sockets are skipped; a file that changes into
// something else between listing and opening is refused.
func (b *Bundle) readDir(root string) error {
	b.Format = "directory"
	b.Name = filepath.Base(filepath.Clean(root))
	// An archive extracted into a directory of its own: descend.
	if ents, err := os.ReadDir(root); err == nil && len(ents) == 1 && ents[0].IsDir() &&
		strings.HasPrefix(ents[0].Name(), "sosreport") {
		root = filepath.Join(root, ents[0].Name())
		b.Name = ents[0].Name()
	}
	entries := 0
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == root {
				return err
			}
			b.warn("%s: %v", p, err)
			return nil
		}
		entries++
		if entries > b.lim.MaxEntries {
			b.warn("more than %d entries in %s: the rest was not read", b.lim.MaxEntries, root)
			return fs.SkipAll
		}
		relOS, err := filepath.Rel(root, p)
		if err != nil || relOS == "." {
			return nil
		}
		rel, err := cleanMember(filepath.ToSlash(relOS))
		if err != nil {
			b.warn("%s refused: %v", p, err)
			return nil
		}
		switch t := d.Type(); {
		case t.IsDir():
			if !wantedDir(rel) {
				return fs.SkipDir
			}
		case t&fs.ModeSymlink != 0:
			if wantedAny(rel) {
				target, err := os.Readlink(p)
				if err != nil {
					b.warn("link %s: %v", rel, err)
					return nil
				}
				b.addLink(rel, filepath.ToSlash(target))
			}
		case t.IsRegular():
			if wanted(rel) {
				b.readFile(p, rel)
			}
		default:
			if wanted(rel) {
				b.warn("%s is not a regular file (%v): skipped", rel, t)
			}
		}
		return nil
	})
}

func (b *Bundle) readFile(p, rel string) {
	before, err := os.Lstat(p)
	if err != nil || !before.Mode().IsRegular() {
		b.warn("%s: changed while reading: skipped", rel)
		return
	}
	if before.Size() > b.lim.MaxMember {
		b.warn("member %s of %d bytes is larger than the %d-byte limit: not read", rel, before.Size(), b.lim.MaxMember)
		return
	}
	if b.total+before.Size() > b.lim.MaxTotal {
		b.warn("member %s not read: the bundle's members exceed %d bytes in all", rel, b.lim.MaxTotal)
		return
	}
	f, err := os.Open(p)
	if err != nil {
		b.warn("%s: %v", rel, err)
		return
	}
	defer f.Close()
	if after, err := f.Stat(); err != nil || !os.SameFile(before, after) {
		b.warn("%s: changed while reading: skipped", rel)
		return
	}
	data, err := io.ReadAll(io.LimitReader(f, b.lim.MaxMember+1))
	if err != nil {
		b.warn("%s: %v", rel, err)
		return
	}
	if int64(len(data)) > b.lim.MaxMember {
		b.warn("member %s is larger than the %d-byte limit: not read", rel, b.lim.MaxMember)
		return
	}
	b.total += int64(len(data))
	b.files[rel] = data
	b.setMtime(rel, before.ModTime())
}

func (b *Bundle) setMtime(rel string, t time.Time) {
	if t.IsZero() {
		return
	}
	if b.mtimes == nil {
		b.mtimes = map[string]time.Time{}
	}
	b.mtimes[rel] = t.UTC()
}

// ModTime returns the modification time the archive or directory gave
// the member at p, or the zero time.
func (b *Bundle) ModTime(p string) time.Time {
	r, err := b.resolve(p)
	if err != nil {
		return time.Time{}
	}
	return b.mtimes[r]
}

// unpackNetTars expands the proc/net.tar that sos 4.12's --pack-dir
// leaves instead of the proc/net directory, unless that directory is
// there too.
func (b *Bundle) unpackNetTars() {
	var tars []string
	for p := range b.files {
		if path.Base(p) == "net.tar" && strings.HasPrefix(p, "proc/") {
			tars = append(tars, p)
		}
	}
	sort.Strings(tars)
	for _, t := range tars {
		dir := strings.TrimSuffix(t, ".tar") // proc/net or proc/<pid>/net
		if b.hasUnder(dir) {
			continue
		}
		nb := &Bundle{files: map[string][]byte{}, links: map[string]string{}, lim: b.lim}
		nb.total = b.total
		place := func(p string) string { return dir + "/" + innerNetPath(p) }
		if err := nb.readTar(bytes.NewReader(b.files[t]), false, place); err != nil {
			b.warn("%s: %v", t, err)
		}
		for _, w := range nb.Warnings() {
			b.warn("%s: %s", t, w)
		}
		for p, d := range nb.files {
			b.files[p] = d
			b.total += int64(len(d))
		}
		for p, l := range nb.links {
			b.links[p] = l
		}
	}
}

// innerNetPath takes a name inside net.tar to a path below the net
// directory, whether the tar holds "tcp", "net/tcp" or "proc/net/tcp".
func innerNetPath(p string) string {
	for _, pre := range []string{"proc/net/", "net/"} {
		if rest, ok := strings.CutPrefix(p, pre); ok {
			return rest
		}
	}
	return p
}

func (b *Bundle) hasUnder(dir string) bool {
	for p := range b.files {
		if strings.HasPrefix(p, dir+"/") {
			return true
		}
	}
	return false
}

func (b *Bundle) index() {
	b.dirs = b.dirs[:0]
	for p := range b.files {
		b.dirs = append(b.dirs, p)
	}
	for p := range b.links {
		b.dirs = append(b.dirs, p)
	}
	sort.Strings(b.dirs)
}

var errLinkLoop = errors.New("too many levels of symbolic links")

// resolve follows the bundle's own symbolic links through p, component by
// component. Absolute targets and targets that climb above the bundle
// are refused.
func (b *Bundle) resolve(p string) (string, error) {
	parts := strings.Split(p, "/")
	var out []string
	hops := 0
	for len(parts) > 0 {
		c := parts[0]
		parts = parts[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			if len(out) == 0 {
				return "", errors.New("path leaves the bundle")
			}
			out = out[:len(out)-1]
			continue
		}
		cur := strings.Join(append(out, c), "/")
		t, isLink := b.links[cur]
		if !isLink {
			out = append(out, c)
			continue
		}
		hops++
		if hops > maxLinkHops {
			return "", errLinkLoop
		}
		if strings.HasPrefix(t, "/") {
			return "", fmt.Errorf("link %s points outside the bundle (%s)", cur, t)
		}
		parts = append(strings.Split(t, "/"), parts...)
	}
	return strings.Join(out, "/"), nil
}

// File returns the member at p (a path inside the bundle), following the
// bundle's links, and the path it resolved to. A link that cannot be
// followed (a loop) is reported once as a warning.
func (b *Bundle) File(p string) (data []byte, resolved string, ok bool) {
	r, err := b.resolve(p)
	if err != nil {
		b.linkProblem(p, err)
		return nil, "", false
	}
	d, ok := b.files[r]
	return d, r, ok
}

// Check reports why p cannot be read: not present, or a link problem.
func (b *Bundle) Check(p string) error {
	r, err := b.resolve(p)
	if err != nil {
		b.linkProblem(p, err)
		return err
	}
	if _, ok := b.files[r]; !ok {
		return fs.ErrNotExist
	}
	return nil
}

func (b *Bundle) linkProblem(p string, err error) {
	if b.badLinks == nil {
		b.badLinks = map[string]bool{}
	}
	msg := err.Error()
	if !b.badLinks[msg] {
		b.badLinks[msg] = true
		b.warn("%s: %v", p, err)
	}
}

// Dir lists the names directly below directory p (resolved through the
// bundle's links), sorted.
func (b *Bundle) Dir(p string) []string {
	r, err := b.resolve(p)
	if err != nil {
		return nil
	}
	pre := r + "/"
	if r == "" {
		pre = ""
	}
	i := sort.SearchStrings(b.dirs, pre)
	var out []string
	last := ""
	for ; i < len(b.dirs) && strings.HasPrefix(b.dirs[i], pre); i++ {
		name, _, _ := strings.Cut(b.dirs[i][len(pre):], "/")
		if name != last {
			out = append(out, name)
			last = name
		}
	}
	return out
}

// Len returns the number of files held.
func (b *Bundle) Len() int { return len(b.files) }
