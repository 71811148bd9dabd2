package main

import (
	"os"
	"strconv"

	"github.com/netmortem/netmortem/snapshots"
)

// maxSectionMemory is the per-section memory ceiling for reading untrusted
// snapshots: NETMORTEM_MAX_SECTION_MEMORY (bytes, or with a K, M or G
// suffix) or the library default.
func maxSectionMemory() int64 {
	s := os.Getenv("NETMORTEM_MAX_SECTION_MEMORY")
	if s == "" {
		return snapshots.DefaultMaxSectionMemory
	}
	mult := int64(1)
	switch s[len(s)-1] {
	case 'K', 'k':
		mult, s = 1<<10, s[:len(s)-1]
	case 'M', 'm':
		mult, s = 1<<20, s[:len(s)-1]
	case 'G', 'g':
		mult, s = 1<<30, s[:len(s)-1]
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return snapshots.DefaultMaxSectionMemory
	}
	return n * mult
}
