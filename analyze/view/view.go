// Package view loads one namespace of one frame of a snapshot for the
// analyzers: its tables, the captured host's name databases, and indexes
// the displays need (interface names by index, socket owners by inode).
package view

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/netmortem/netmortem/analyze/names"
	"github.com/netmortem/netmortem/snapshots"
)

// Snapshot wraps an opened snapshot with what all its views share.
type Snapshot struct {
	R *snapshots.Reader

	namesOnce sync.Once
	names     *names.Resolver
	namesErr  error
	loc       *time.Location
}

// New wraps an opened reader.
func New(r *snapshots.Reader) *Snapshot { return &Snapshot{R: r} }

// Names returns the resolver built from the snapshot's captured name
// files; a snapshot without them resolves nothing (numbers are printed).
func (s *Snapshot) Names() (*names.Resolver, error) {
	s.namesOnce.Do(func() {
		sec := s.R.Find(-1, -1, snapshots.TableNames)
		var ts snapshots.Tables
		if sec != nil {
			if err := s.R.ReadSection(sec, &ts); err != nil {
				s.namesErr = err
				return
			}
		}
		s.names = names.New(names.FilesFrom(s.R.Meta.Hostname, ts.Files))
		s.loc = time.UTC
		for _, f := range ts.Files {
			if f.Path == "/etc/localtime" && f.Err == "" {
				if l, err := time.LoadLocationFromTZData(zoneName(ts.Files), f.Data); err == nil {
					s.loc = l
				}
			}
		}
	})
	return s.names, s.namesErr
}

// Location is the captured host's time zone (its /etc/localtime), or UTC
// when the snapshot does not hold it; local times in displays use it.
func (s *Snapshot) Location() *time.Location {
	if s == nil || s.R == nil {
		return time.UTC
	}
	if _, err := s.Names(); err != nil || s.loc == nil {
		return time.UTC
	}
	return s.loc
}

// zoneName is the host's zone name from /etc/timezone, for display.
func zoneName(files []snapshots.RawFile) string {
	for _, f := range files {
		if f.Path == "/etc/timezone" && f.Err == "" {
			if n := strings.TrimSpace(string(f.Data)); n != "" {
				return n
			}
		}
	}
	return "localtime"
}

// NamespaceByArg finds the namespace an --netns argument names: a
// namespace name, a namespace inode, a pid inside it, or an ID written
// "#N". An empty argument selects the host namespace.
func (s *Snapshot) NamespaceByArg(arg string) (int, error) {
	ix := &s.R.Index
	if arg == "" {
		return ix.HostNamespace(), nil
	}
	if len(arg) > 1 && arg[0] == '#' {
		if id, err := strconv.Atoi(arg[1:]); err == nil && id >= 0 && id < len(ix.Namespaces) {
			return id, nil
		}
	}
	for _, n := range ix.Namespaces {
		if n.Name == arg {
			return n.ID, nil
		}
	}
	if v, err := strconv.ParseUint(arg, 10, 64); err == nil {
		for _, n := range ix.Namespaces {
			if n.Inode == v {
				return n.ID, nil
			}
		}
		for _, n := range ix.Namespaces {
			for _, p := range n.Pids {
				if uint64(p) == v {
					return n.ID, nil
				}
			}
		}
	}
	var known []string
	for _, n := range ix.Namespaces {
		d := fmt.Sprintf("#%d inode %d", n.ID, n.Inode)
		if n.Name != "" {
			d = n.Name + " (" + d + ")"
		}
		known = append(known, d)
	}
	return 0, fmt.Errorf("--netns %s: no such namespace in %s (it has: %v)", arg, s.R.Name(), known)
}

// View is one namespace in one frame, with the tables asked for.
type View struct {
	Snap  *Snapshot
	Meta  *snapshots.Meta
	NS    snapshots.NamespaceInfo
	Frame snapshots.FrameInfo
	*snapshots.Loaded
	Names *names.Resolver

	links     map[int32]*snapshots.Link
	ownersIdx map[uint64][]snapshots.SocketOwner
}

// Load reads tables of namespace ns in frame.
func (s *Snapshot) Load(frame, ns int, tables ...snapshots.Table) (*View, error) {
	return s.LoadWhere(frame, ns, nil, tables...)
}

// LoadWhere is Load building only the routes keep accepts.
func (s *Snapshot) LoadWhere(frame, ns int, keep snapshots.RouteFilter, tables ...snapshots.Table) (*View, error) {
	l, err := s.R.LoadWhere(frame, ns, keep, tables...)
	if err != nil {
		return nil, err
	}
	nr, err := s.Names()
	if err != nil {
		return nil, err
	}
	v := &View{Snap: s, Meta: &s.R.Meta, NS: s.R.Namespaces[ns], Frame: s.R.Frames[frame], Loaded: l, Names: nr}
	v.links = make(map[int32]*snapshots.Link, len(l.Links))
	for i := range l.Links {
		v.links[l.Links[i].Index] = &l.Links[i]
	}
	return v, nil
}

// Link returns the interface with ifindex i, or nil. The links table must
// have been loaded.
func (v *View) Link(i int32) *snapshots.Link { return v.links[i] }

// LinkByName returns the interface called name, or nil.
func (v *View) LinkByName(name string) *snapshots.Link {
	for i := range v.Links {
		if v.Links[i].Name == name {
			return &v.Links[i]
		}
	}
	return nil
}

// IfName is the name of interface i: its name, or "if#N" when the
// snapshot has no such interface (as netstat's ifindex2str prints), or ""
// for index 0.
func (v *View) IfName(i int32) string {
	if i == 0 {
		return ""
	}
	if l := v.links[i]; l != nil {
		return l.Name
	}
	return "if#" + strconv.Itoa(int(i))
}

// IfIndex returns the index of the interface called name.
func (v *View) IfIndex(name string) (int32, bool) {
	if l := v.LinkByName(name); l != nil {
		return l.Index, true
	}
	return 0, false
}

// Owners returns the processes holding socket inode i (owners table).
func (v *View) Owners(inode uint64) []snapshots.SocketOwner {
	if inode == 0 {
		return nil
	}
	if v.ownersIdx == nil {
		v.ownersIdx = make(map[uint64][]snapshots.SocketOwner, len(v.Loaded.Owners))
		for _, o := range v.Loaded.Owners {
			v.ownersIdx[o.Inode] = append(v.ownersIdx[o.Inode], o)
		}
	}
	return v.ownersIdx[inode]
}
