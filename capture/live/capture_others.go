//go:build !linux

package live

import (
	"context"
	"fmt"
	"runtime"
)

// Capture needs Linux: it reads the running kernel's tables.
func Capture(ctx context.Context, o Options) (*Summary, error) {
	return nil, fmt.Errorf("live capture reads a Linux kernel's tables; this is %s (read snapshots here with netstat, info, diff)", runtime.GOOS)
}
