package solaris

import (
	"bufio"
	"io"
	"net/netip"
	"testing"
	"time"

	"github.com/netmortem/netmortem/analyze/names"
	"github.com/netmortem/netmortem/analyze/netstat"
	"github.com/netmortem/netmortem/analyze/routes"
	"github.com/netmortem/netmortem/analyze/view"
	"github.com/netmortem/netmortem/snapshots"
)

// f5FuzzTables turns bytes into tables a hostile snapshot could hold:
// memberships, neighbours, vifs, cache entries, leases, counters, slabs,
// protocol rows and sysctls with arbitrary values, invalid addresses and
// out-of-range indexes.
func f5FuzzTables(data []byte) *snapshots.Tables {
	var ts snapshots.Tables
	next := func() byte {
		if len(data) == 0 {
			return 0
		}
		b := data[0]
		data = data[1:]
		return b
	}
	u64 := func() uint64 {
		var v uint64
		for i := 0; i < 8; i++ {
			v = v<<8 | uint64(next())
		}
		return v
	}
	str := func() string {
		n := int(next() % 24)
		if n > len(data) {
			n = len(data)
		}
		s := string(data[:n])
		data = data[n:]
		return s
	}
	addr := func() netip.Addr {
		switch next() % 4 {
		case 0:
			return netip.Addr{}
		case 1:
			return netip.AddrFrom4([4]byte{next(), next(), next(), next()})
		case 2:
			var b [16]byte
			for i := range b {
				b[i] = next()
			}
			return netip.AddrFrom16(b)
		}
		return netip.IPv6Unspecified()
	}
	fam := func() uint8 { return [...]uint8{snapshots.AFInet, snapshots.AFInet6, 0, 77}[next()%4] }
	at := func() time.Time {
		if next()%3 == 0 {
			return time.Time{}
		}
		return time.Unix(int64(u64()%(1<<40)), 0)
	}
	for len(data) > 0 {
		switch next() % 9 {
		case 0:
			m := snapshots.Membership{Family: fam(), IfIndex: int32(u64()), IfName: str(), Group: addr(), Users: uint32(u64()), Mode: next() % 4}
			for i := next() % 3; i > 0; i-- {
				m.Sources = append(m.Sources, snapshots.MemberSource{Addr: addr(), Include: uint32(next()), Exclude: uint32(next())})
			}
			ts.Groups = append(ts.Groups, m)
		case 1:
			ts.Neighbours = append(ts.Neighbours, snapshots.Neighbour{Family: fam(), Index: int32(u64()), Addr: addr(),
				LLAddr: []byte(str()), State: uint16(u64()), Flags: uint32(u64()), Proxy: next()%2 == 0})
		case 2:
			ts.Vifs = append(ts.Vifs, snapshots.Vif{Family: fam(), Index: int32(u64()), Name: str(), PktsIn: u64(), PktsOut: u64(),
				Flags: uint32(next()), Local: addr(), Remote: addr(), LocalIfIndex: int32(next())})
		case 3:
			e := snapshots.MFCEntry{Family: fam(), Table: uint32(next()), Source: addr(), Group: addr(), IIFVif: int32(u64()),
				IIF: int32(u64()), Packets: u64(), Bytes: u64(), WrongIf: u64(), Resolved: next()%2 == 0}
			for i := next() % 4; i > 0; i-- {
				e.Oifs = append(e.Oifs, snapshots.MFCOif{Vif: int32(u64()), IfIndex: int32(next()), TTL: next()})
			}
			ts.MFC = append(ts.MFC, e)
		case 4:
			ts.Leases = append(ts.Leases, snapshots.Lease{Interface: str(), Family: fam(), Address: addr(), LeaseTime: uint32(u64()),
				Start: at(), Renew: at(), Rebind: at(), Expire: at(), BOOTP: next()%2 == 0})
		case 5:
			s := snapshots.CounterSet{Source: [...]string{"snmp", "netstat", "snmp6", "dev_snmp6/" + str(), "sockstat", "sockstat6", "sctp/snmp", str()}[next()%8], Group: str()}
			for i := next() % 4; i > 0; i-- {
				s.Counters = append(s.Counters, snapshots.Counter{Name: str(), Value: u64(), Signed: next()%2 == 0})
			}
			ts.Counters = append(ts.Counters, s)
		case 6:
			ts.Slabs = append(ts.Slabs, snapshots.Slab{Name: str(), ActiveObjs: u64(), NumObjs: u64(), ObjSize: u64()})
		case 7:
			ts.Protocols = append(ts.Protocols, snapshots.ProtocolRow{Name: str(), Sockets: int64(u64()), Memory: int64(u64()), Pressure: str()})
		case 8:
			ts.Sysctls = append(ts.Sysctls, snapshots.Sysctl{Name: str(), Value: str()})
			ts.Softnet = append(ts.Softnet, snapshots.SoftnetCPU{CPU: int32(next()) - 5, Values: []uint32{uint32(u64())}})
		}
	}
	return &ts
}

func f5FuzzView(ts *snapshots.Tables, frame int) *view.View {
	st := map[snapshots.Table]snapshots.Status{}
	for _, t := range snapshots.NamespaceTables {
		st[t] = snapshots.Status{State: snapshots.StateOK}
	}
	meta := &snapshots.Meta{Machine: "armv7l", PageSize: 4096}
	return &view.View{Meta: meta, Frame: snapshots.FrameInfo{Index: frame, Start: time.Unix(1e9, 0)},
		Loaded: &snapshots.Loaded{Tables: *ts, Status: st}, Names: names.New(names.Files{})}
}

// FuzzF5Forms renders the -s, -M -s, -m, -g, -p, -M and -D displays of
// hostile tables, text and records, with and without an interval: no
// panic, no hang.
func FuzzF5Forms(f *testing.F) {
	f.Add([]byte("\x00\x02\x00\x00\x00\x01\x03eth\xe8\x01\x01\x01\x00\x00\x00\x01\x01\x02\x0a\x01\x00\x05"))
	f.Add([]byte("\x03\x01\x01\x0a\x01\x00\x02\x01\xef\x02\x02\x02\xff\xff\xff\xff\xff\xff\xff\xff\x02\x00\x00\x00\x00\x00\x00\x00\x03\x03\x01\x02\x03"))
	f.Add([]byte("\x04\x02a0\x00\x00\xff\xff\xff\xff\x01\x01\x02\x03\x04\x05\x06\x07\x08\x00\x05\x02\x03Tcp\x01\x0bActiveOpens\x00\x00\x00\x00\x00\x00\x00\x09"))
	f.Add([]byte("\x01\x01\x00\x00\x00\x00\x00\x00\x00\x07\x01\x0a\x00\x00\x04\x06\x01\x02\x03\x04\x05\x06\x00\x00\x00\x00\x00\x00\x00\x40"))
	f.Add([]byte("\x06\x09skbuff_xx\xff\xff\xff\xff\xff\xff\xff\xff\x07\x03TCP\x01\x02\x00\x03yes\x08\x10net.ipv4.tcp_mem\x05-1 2"))
	fs := []netstat.Form{netstat.FormStats, netstat.FormMrouteStats, netstat.FormMemory, netstat.FormGroups,
		netstat.FormARP, netstat.FormMroute, netstat.FormDHCP}
	f.Fuzz(func(t *testing.T, data []byte) {
		half := len(data) / 2
		prev, cur := f5FuzzView(f5FuzzTables(data[:half]), 0), f5FuzzView(f5FuzzTables(data[half:]), 1)
		for _, req := range []*netstat.Request{
			{All: true, Verbose: true, Interval: time.Second},
			{Numeric: true, Protocol: netstat.ProtoTCP, Interface: "a0"},
		} {
			r, err := netstat.Parse(*req, nil, nil, routes.Env{})
			if err != nil {
				t.Fatal(err)
			}
			for i, pv := range []*view.View{nil, prev} {
				p := &Pass{N: i, Cur: cur, Prev: pv, Req: r, P: &Printer{Names: cur.Names, Numeric: r.Numeric}}
				for _, fm := range fs {
					w := bufio.NewWriter(io.Discard)
					if !Registered(fm) {
						t.Fatalf("%v not registered", fm)
					}
					_ = forms[fm].Text(w, p)
					_, _ = forms[fm].Record(p)
				}
			}
		}
	})
}
