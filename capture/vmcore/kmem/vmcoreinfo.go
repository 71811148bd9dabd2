package kmem

import (
	"fmt"
	"strconv"
	"strings"
)

// VMCoreInfo is the parsed VMCOREINFO note: KEY=VALUE lines the kernel
// writes for dump tools.
type VMCoreInfo struct {
	Raw     string
	Values  map[string]string // every key, e.g. "OSRELEASE", "SYMBOL(init_uts_ns)"
	Symbols map[string]uint64 // SYMBOL(name)=hex
	Numbers map[string]int64  // NUMBER(name)=decimal, signed
}

// ParseVMCoreInfo parses VMCOREINFO text. Malformed lines are skipped; it
// never fails, a missing key is reported by whoever needs it.
func ParseVMCoreInfo(b []byte) *VMCoreInfo {
	if len(b) > 1<<20 {
		b = b[:1<<20]
	}
	v := &VMCoreInfo{Raw: string(b), Values: map[string]string{}, Symbols: map[string]uint64{}, Numbers: map[string]int64{}}
	for _, line := range strings.Split(v.Raw, "\n") {
		line = strings.TrimRight(line, "\x00\r ")
		k, val, ok := strings.Cut(line, "=")
		if !ok || k == "" {
			continue
		}
		v.Values[k] = val
		switch {
		case strings.HasPrefix(k, "SYMBOL(") && strings.HasSuffix(k, ")"):
			if n, err := strconv.ParseUint(val, 16, 64); err == nil {
				v.Symbols[k[7:len(k)-1]] = n
			}
		case strings.HasPrefix(k, "NUMBER(") && strings.HasSuffix(k, ")"):
			if n, err := strconv.ParseInt(val, 10, 64); err == nil {
				v.Numbers[k[7:len(k)-1]] = n
			} else if n, err := strconv.ParseUint(val, 10, 64); err == nil {
				v.Numbers[k[7:len(k)-1]] = int64(n)
			}
		}
	}
	return v
}

// Symbol returns SYMBOL(name).
func (v *VMCoreInfo) Symbol(name string) (uint64, error) {
	a, ok := v.Symbols[name]
	if !ok {
		return 0, fmt.Errorf("VMCOREINFO has no SYMBOL(%s)", name)
	}
	return a, nil
}

// KernelOffset returns KERNELOFFSET (hex without 0x), the KASLR shift.
func (v *VMCoreInfo) KernelOffset() (uint64, bool) {
	s, ok := v.Values["KERNELOFFSET"]
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseUint(strings.TrimPrefix(s, "0x"), 16, 64)
	return n, err == nil
}

// CrashTime returns CRASHTIME (seconds since the epoch), set at panic.
func (v *VMCoreInfo) CrashTime() (int64, bool) {
	n, err := strconv.ParseInt(v.Values["CRASHTIME"], 10, 64)
	return n, err == nil && n > 0
}
