package nlmsg

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"github.com/mdlayher/netlink"
)

// littleEndian skips tests whose recorded bytes are host-endian from an
// x86-64 machine.
func littleEndian(t testing.TB) {
	t.Helper()
	if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
		t.Skip("testdata was recorded on a little-endian host")
	}
}

// loadDump reads testdata/<name>.nlmsg (see testdata/README.md) and returns
// its messages, NLMSG_DONE included. Each message's Data is its own copy.
func loadDump(t testing.TB, name string) []netlink.Message {
	t.Helper()
	littleEndian(t)
	b, err := readFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var out []netlink.Message
	err = splitDatagram(b, func(m netlink.Message) error {
		m.Data = clone(m.Data)
		out = append(out, m)
		return nil
	})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return out
}

// dataMessages drops the control messages (NLMSG_DONE, NLMSG_ERROR).
func dataMessages(msgs []netlink.Message) []netlink.Message {
	var out []netlink.Message
	for _, m := range msgs {
		if m.Header.Type != nlmsgDone && m.Header.Type != nlmsgError {
			out = append(out, m)
		}
	}
	return out
}

func readFile(name string) ([]byte, error) {
	return os.ReadFile(filepath.Join("testdata", name+".nlmsg"))
}
