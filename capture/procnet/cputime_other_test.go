//go:build !unix

package procnet

import "time"

func cpuTime() (time.Duration, bool) { return 0, false }
