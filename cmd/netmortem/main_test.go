package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// TestOutputFailure: output that cannot be written fails the command,
// and a note on stderr flushes the output written before it.
func TestOutputFailure(t *testing.T) {
	var stderr bytes.Buffer
	code := runBuffered(context.Background(), []string{"info", "../../testdata/snapshots/format-v1.1.nms"}, failingWriter{}, &stderr)
	if code != exitTrouble || !strings.Contains(stderr.String(), "writing output: no space left on device") {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
	var out, both bytes.Buffer
	code = runBuffered(context.Background(), []string{"info", "../../testdata/snapshots/format-v1.1.nms"}, &out, &both)
	if code != exitOK || !strings.HasPrefix(out.String(), "Snapshot:") {
		t.Errorf("exit %d, output %q", code, out.String())
	}
	var seq bytes.Buffer
	bw := bufio.NewWriter(&seq)
	bw.WriteString("table\n")
	flushFirst{out: bw, w: &seq}.Write([]byte("note\n"))
	if seq.String() != "table\nnote\n" {
		t.Errorf("stderr note came before the output written ahead of it: %q", seq.String())
	}
}
