// Package btftest builds BTF blobs for tests with cilium/ebpf's encoder,
// an independent implementation of the format (tests only: the netmortem
// binary does not link it).
package btftest

import (
	"testing"

	"github.com/cilium/ebpf/btf"
)

// Blob encodes types, and every type they refer to, as a raw BTF blob.
func Blob(tb testing.TB, types ...btf.Type) []byte {
	tb.Helper()
	b, err := btf.NewBuilder(types, nil)
	if err != nil {
		tb.Fatal(err)
	}
	blob, err := b.Marshal(nil, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return blob
}
