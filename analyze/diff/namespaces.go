package diff

import (
	"strconv"

	"github.com/netmortem/netmortem/snapshots"
)

// NSPair is a namespace present in both captures, by its IDs in each.
type NSPair struct{ Old, New int }

// MatchNamespaces pairs the namespaces of two captures: the host
// namespaces together, named namespaces by name (a namespace deleted and
// added again under its name is the same one, re-created), unnamed ones by
// inode. It returns the pairs in OLD's order and the IDs of namespaces
// found on one side only.
func MatchNamespaces(old, new []snapshots.NamespaceInfo) (pairs []NSPair, onlyOld, onlyNew []int) {
	byName := map[string]int{}
	byInode := map[uint64]int{}
	host := -1
	for _, n := range new {
		switch {
		case n.Host && host < 0:
			host = n.ID
		case n.Name != "":
			if _, dup := byName[n.Name]; !dup {
				byName[n.Name] = n.ID
			}
		default:
			if _, dup := byInode[n.Inode]; !dup {
				byInode[n.Inode] = n.ID
			}
		}
	}
	used := make([]bool, len(new))
	for _, o := range old {
		j, ok := -1, false
		switch {
		case o.Host:
			j, ok = host, host >= 0
		case o.Name != "":
			j, ok = byName[o.Name]
		default:
			j, ok = byInode[o.Inode]
		}
		if ok && j >= 0 && j < len(used) && !used[j] {
			used[j] = true
			pairs = append(pairs, NSPair{o.ID, j})
			continue
		}
		onlyOld = append(onlyOld, o.ID)
	}
	for j, u := range used {
		if !u {
			onlyNew = append(onlyNew, j)
		}
	}
	return pairs, onlyOld, onlyNew
}

// NamespaceLabel names a namespace for reports: "host", its name, or its
// inode.
func NamespaceLabel(n snapshots.NamespaceInfo) string {
	switch {
	case n.Host && n.Name == "":
		return "host"
	case n.Host:
		return n.Name + " (host)"
	case n.Name != "":
		return n.Name
	}
	return "inode " + strconv.FormatUint(n.Inode, 10)
}
