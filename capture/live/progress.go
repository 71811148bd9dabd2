package live

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// progress prints a one-line status, rewritten in place, at most ten
// times a second.
type progress struct {
	mu   sync.Mutex // the capture lanes of a namespace report at once
	w    io.Writer
	last time.Time
	n    int
}

func newProgress(w io.Writer) *progress { return &progress{w: w} }

func (p *progress) set(msg string) {
	if p == nil || p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	if len(msg) > 78 {
		msg = msg[:78]
	}
	fmt.Fprintf(p.w, "\r%-78s", msg)
	p.n++
}

func (p *progress) done() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.w != nil && p.n > 0 {
		fmt.Fprintf(p.w, "\r%-78s\r", "")
	}
}
