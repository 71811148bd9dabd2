package procnet

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
)

const benchRows = 200_000

var (
	benchOnce sync.Once
	benchTCP  []byte
)

// syntheticTCP lays out /proc/net/tcp as the kernel does (tcp4_seq_show
// pads every line to 149 characters): a mix of listeners, established
// sockets with the TCP extras, and TIME_WAIT rows.
func syntheticTCP(n int) []byte {
	var b bytes.Buffer
	b.Grow(n * 150)
	pad := func(start int) {
		for b.Len()-start < 149 {
			b.WriteByte(' ')
		}
		b.WriteByte('\n')
	}
	start := b.Len()
	b.WriteString("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode")
	pad(start)
	for i := 0; i < n; i++ {
		start := b.Len()
		local := uint32(0x0100000A | (i&0xff)<<16)
		remote := uint32(0x0200000A | (i>>8&0xff)<<16)
		switch i % 10 {
		case 0:
			fmt.Fprintf(&b, "%4d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08X %08X %5d %8d %d %d %016x %d %d %d %d %d",
				i, local, 8080+i%1000, 0, 0, 0x0a, 0, i%7, 0, 0, 0, 0, 0, 100000+i, 1, 0xffff888000000000+uint64(i), 100, 0, 0, 10, 0)
		case 9:
			fmt.Fprintf(&b, "%4d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08X %08X %5d %8d %d %d %016x",
				i, local, 30000+i%30000, remote, 443, 0x06, 0, 0, 3, 0x1000+i%6000, 0, 0, 0, 0, 3, 0xffff888000000000+uint64(i))
		default:
			fmt.Fprintf(&b, "%4d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08X %08X %5d %8d %d %d %016x %d %d %d %d %d",
				i, local, 30000+i%30000, remote, 443, 0x01, i%4096, i%1000, i%3, i%500, 0, 1000, 0, 100000+i, 2,
				0xffff888000000000+uint64(i), 20+i%200, 4, i%4, 10+i%50, -1+i%3)
		}
		pad(start)
	}
	return b.Bytes()
}

func BenchmarkParseTCP(b *testing.B) {
	benchOnce.Do(func() { benchTCP = syntheticTCP(benchRows) })
	b.SetBytes(int64(len(benchTCP)))
	b.ReportAllocs()
	b.ResetTimer()
	cpu0, cpuOK := cpuTime()
	for i := 0; i < b.N; i++ {
		socks, err := ParseInet(bytes.NewReader(benchTCP), TCP, le, 100)
		if err != nil {
			b.Fatal(err)
		}
		if len(socks) != benchRows {
			b.Fatalf("%d rows", len(socks))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchRows, "ns/row")
	if cpu1, ok := cpuTime(); ok && cpuOK {
		// CPU time of the process (GC workers included) per row.
		b.ReportMetric(float64((cpu1-cpu0).Nanoseconds())/float64(b.N)/benchRows, "cpu-ns/row")
	}
}

// TestSyntheticTCP checks the benchmark's input against the parser once.
func TestSyntheticTCP(t *testing.T) {
	socks, err := ParseInet(bytes.NewReader(syntheticTCP(20)), TCP, le, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(socks) != 20 || socks[0].State != 0x0a || socks[9].State != 6 || socks[9].RefCount != 3 || socks[1].Ssthresh != 0 || socks[2].Ssthresh != 1 {
		t.Errorf("%+v", socks[:3])
	}
	if socks[1].Local != mustAP("10.0.1.1:30001") || socks[1].Remote != mustAP("10.0.0.2:443") {
		t.Errorf("endpoints %v %v", socks[1].Local, socks[1].Remote)
	}
}
