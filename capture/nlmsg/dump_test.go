package nlmsg

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	"github.com/mdlayher/netlink"
	"github.com/mdlayher/netlink/nltest"
	"github.com/netmortem/netmortem/snapshots"
)

// fakeKernel installs an nltest socket as every dump's connection. It checks
// that each request is want (type, flags and payload) and answers the n-th
// (from 0) with reply(n), renumbered to the request's sequence.
func fakeKernel(t *testing.T, want netlink.Message, reply func(n int) []netlink.Message) *int {
	t.Helper()
	calls := new(int)
	old := dialConn
	dialConn = func(int, *netlink.Config) (*netlink.Conn, error) {
		fn := func(reqs []netlink.Message) ([]netlink.Message, error) {
			if len(reqs) != 1 {
				t.Fatalf("%d requests in one send", len(reqs))
			}
			req := reqs[0]
			if req.Header.Type != want.Header.Type || req.Header.Flags != want.Header.Flags || !bytes.Equal(req.Data, want.Data) {
				t.Fatalf("request %+v, want %+v", req, want)
			}
			msgs := reply(*calls)
			*calls++
			out := make([]netlink.Message, len(msgs))
			for i, m := range msgs {
				m.Header.Sequence = req.Header.Sequence
				m.Header.PID = nltest.PID
				out[i] = m
			}
			return out, nil
		}
		return nltest.Dial(fn), nil
	}
	t.Cleanup(func() { dialConn = old })
	return calls
}

// replay answers every request with the recorded dump name.
func replay(t *testing.T, want netlink.Message, name string) {
	msgs := loadDump(t, name)
	fakeKernel(t, want, func(int) []netlink.Message { return msgs })
}

func TestDumpReplay(t *testing.T) {
	check := func(name string, got int, st DumpStats, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := len(dataMessages(loadDump(t, name)))
		if got != want || st.Messages != want || st.Skipped != 0 || st.Retries != 0 || st.Interrupted {
			t.Errorf("%s: %d rows, stats %+v; want %d rows", name, got, st, want)
		}
	}

	replay(t, LinkRequest(), "link")
	links, st, err := DumpLinks(nil)
	check("link", len(links), st, err)

	replay(t, AddrRequest(0), "addr")
	addrs, st, err := DumpAddrs(nil, 0)
	check("addr", len(addrs), st, err)

	replay(t, RouteRequest(snapshots.AFInet6, false), "route-inet6")
	routes, st, err := DumpRoutes(nil, snapshots.AFInet6, false)
	check("route-inet6", len(routes), st, err)

	replay(t, RouteRequest(snapshots.AFInet, true), "route-cloned")
	routes, st, err = DumpRoutes(nil, snapshots.AFInet, true)
	check("route-cloned", len(routes), st, err)
	if !routes[0].Cloned {
		t.Error("exception dump: route not cloned")
	}

	replay(t, RouteRequest(FamilyIPMR, false), "route-ipmr")
	mfc, st, err := DumpMFC(nil, snapshots.AFInet)
	check("route-ipmr", len(mfc), st, err)

	replay(t, RuleRequest(snapshots.AFInet), "rule-inet")
	rules, st, err := DumpRules(nil, snapshots.AFInet)
	check("rule-inet", len(rules), st, err)

	replay(t, NeighRequest(0, true), "neigh-proxy")
	neigh, st, err := DumpNeighbours(nil, 0, true)
	check("neigh-proxy", len(neigh), st, err)

	// TCPDIAG_GETSOCK: replies of that type, both families from one walk.
	replay(t, TCPDiagRequest(), "tcp-both")
	socks, st, err := DumpInet(nil, 0, snapshots.ProtoTCP)
	check("tcp-both", len(socks), st, err)
	fams := map[uint8]int{}
	for _, s := range socks {
		fams[s.Family]++
		if s.Proto != snapshots.ProtoTCP || s.Cookie == 0 || s.State != 6 && len(s.TCPInfo) == 0 { // TIME_WAIT has none
			t.Errorf("tcp-both: %+v", s)
		}
	}
	if fams[snapshots.AFInet] == 0 || fams[snapshots.AFInet6] == 0 || len(fams) != 2 {
		t.Errorf("tcp-both: families %v", fams)
	}

	req, _ := InetDiagRequest(snapshots.AFInet6, snapshots.ProtoUDP)
	replay(t, req, "udp-inet6")
	socks, st, err = DumpInet(nil, snapshots.AFInet6, snapshots.ProtoUDP)
	check("udp-inet6", len(socks), st, err)
	if socks[0].Proto != snapshots.ProtoUDP {
		t.Errorf("proto %d", socks[0].Proto)
	}

	replay(t, UnixDiagRequest(), "unix")
	us, st, err := DumpUnix(nil)
	check("unix", len(us), st, err)

	replay(t, PacketDiagRequest(), "packet")
	ps, st, err := DumpPacket(nil)
	check("packet", len(ps), st, err)
}

// An unspecified-family fallback answers with every family: only the asked
// one is kept.
func TestDumpRoutesSkipsOtherFamilies(t *testing.T) {
	v4 := dataMessages(loadDump(t, "route-inet"))
	mixed := append(append(append([]netlink.Message{}, v4...),
		dataMessages(loadDump(t, "route-ipmr"))...),
		loadDump(t, "route-inet6")...) // ends with its NLMSG_DONE
	fakeKernel(t, RouteRequest(snapshots.AFInet, false), func(int) []netlink.Message { return mixed })
	routes, st, err := DumpRoutes(nil, snapshots.AFInet, false)
	if err != nil {
		t.Fatal(err)
	}
	want6 := len(dataMessages(loadDump(t, "route-inet6")))
	if len(routes) != len(v4) || st.Skipped != 1+want6 {
		t.Errorf("%d routes, %d skipped; want %d and %d", len(routes), st.Skipped, len(v4), 1+want6)
	}
	for _, r := range routes {
		if r.Family != snapshots.AFInet {
			t.Fatalf("kept a family %d route", r.Family)
		}
	}
}

func TestDumpInetDuplicates(t *testing.T) {
	msgs := loadDump(t, "tcp-inet")
	data := dataMessages(msgs)
	twice := append(append([]netlink.Message{}, data...), msgs...)
	req, _ := InetDiagRequest(snapshots.AFInet, snapshots.ProtoTCP)
	fakeKernel(t, req, func(int) []netlink.Message { return twice })
	socks, st, err := DumpInet(nil, snapshots.AFInet, snapshots.ProtoTCP)
	if err != nil {
		t.Fatal(err)
	}
	if len(socks) != len(data) || st.Duplicates != len(data) || st.Messages != 2*len(data) {
		t.Errorf("%d sockets, %d duplicates, %d messages; want %d, %d, %d",
			len(socks), st.Duplicates, st.Messages, len(data), len(data), 2*len(data))
	}
}

// interrupted returns a copy of msgs with NLM_F_DUMP_INTR on message i.
func interrupted(msgs []netlink.Message, i int) []netlink.Message {
	out := append([]netlink.Message{}, msgs...)
	out[i].Header.Flags |= netlink.DumpInterrupted
	return out
}

func TestDumpRetry(t *testing.T) {
	msgs := loadDump(t, "route-inet")
	n := len(dataMessages(msgs))
	calls := fakeKernel(t, RouteRequest(snapshots.AFInet, false), func(call int) []netlink.Message {
		if call < 2 {
			return interrupted(msgs, n/2)
		}
		return msgs
	})
	routes, st, err := DumpRoutes(nil, snapshots.AFInet, false)
	if err != nil {
		t.Fatal(err)
	}
	if *calls != 3 || st.Retries != 2 || st.Interrupted || len(routes) != n {
		t.Errorf("%d calls, stats %+v, %d routes; want 3 calls, 2 retries, %d routes", *calls, st, len(routes), n)
	}
}

func TestDumpAlwaysInterrupted(t *testing.T) {
	msgs := loadDump(t, "neigh")
	n := len(dataMessages(msgs))
	calls := fakeKernel(t, NeighRequest(0, false), func(int) []netlink.Message { return interrupted(msgs, 0) })
	ns, st, err := DumpNeighbours(nil, 0, false)
	if err != nil {
		t.Fatal(err)
	}
	if *calls != MaxRetries+1 || st.Retries != MaxRetries || !st.Interrupted || len(ns) != n {
		t.Errorf("%d calls, stats %+v, %d rows; want %d calls, interrupted, %d rows", *calls, st, len(ns), MaxRetries+1, n)
	}
}

func TestDumpDecodeError(t *testing.T) {
	msgs := loadDump(t, "rule-inet")
	bad := append([]netlink.Message{}, msgs...)
	bad[1].Data = bad[1].Data[:5] // a truncated fib_rule_hdr
	fakeKernel(t, RuleRequest(snapshots.AFInet), func(int) []netlink.Message { return bad })
	rules, _, err := DumpRules(nil, snapshots.AFInet)
	if err == nil || rules != nil {
		t.Fatalf("rules %v, err %v; want an error and no rows", rules, err)
	}
}

// The collector is what the Linux receive loop feeds every message to,
// NLMSG_DONE included; netlink.Conn would hide that message.
func TestCollectorDoneFlags(t *testing.T) {
	msgs := loadDump(t, "route-inet")
	last := len(msgs) - 1
	if msgs[last].Header.Type != nlmsgDone {
		t.Fatal("recording does not end with NLMSG_DONE")
	}
	msgs = interrupted(msgs, last)
	seq := msgs[0].Header.Sequence
	col := collector{request: "test", seq: seq, each: func(netlink.Message) error { return nil }}
	for _, m := range msgs {
		if err := col.message(m); err != nil {
			t.Fatal(err)
		}
	}
	if !col.intr || !col.done || col.msgs != last {
		t.Errorf("intr %v done %v msgs %d; want true true %d", col.intr, col.done, col.msgs, last)
	}
}

func TestCollectorErrors(t *testing.T) {
	const seq = 7
	newCol := func() *collector {
		return &collector{request: "test", seq: seq, each: func(netlink.Message) error { return nil }}
	}
	errno := func(n int32) []byte { return native.AppendUint32(nil, uint32(-n)) }
	extMsg := func(s string) []byte {
		b := native.AppendUint16(nil, uint16(4+len(s)+1))
		b = native.AppendUint16(b, 1) // NLMSGERR_ATTR_MSG
		b = append(b, s...)
		b = append(b, 0)
		for len(b)%4 != 0 {
			b = append(b, 0)
		}
		return b
	}
	echoed := make([]byte, sizeofNlmsghdr+sizeofRtmsg) // the request, as the kernel echoes it
	native.PutUint32(echoed, uint32(len(echoed)))

	// The raw_diag recording: NLMSG_DONE carrying -ENOENT.
	done := loadDump(t, "raw-inet")
	c := newCol()
	c.seq = done[0].Header.Sequence
	err := c.message(done[0])
	var de *DumpError
	if !errors.As(err, &de) || de.Errno != errnoENOENT || !errors.Is(err, ErrUnsupported) || !c.done {
		t.Errorf("raw-inet: %v", err)
	}

	cases := []struct {
		name    string
		m       netlink.Message
		errno   int32
		message string
		unsupp  bool
	}{
		{"error with ext ack", netlink.Message{
			Header: netlink.Header{Type: nlmsgError, Flags: netlink.AcknowledgeTLVs, Sequence: seq},
			Data:   append(append(errno(95), echoed...), extMsg("nope")...)},
			95, "nope", true},
		{"capped error with ext ack", netlink.Message{
			Header: netlink.Header{Type: nlmsgError, Flags: netlink.AcknowledgeTLVs | netlink.Capped, Sequence: seq},
			Data:   append(append(errno(22), echoed[:sizeofNlmsghdr]...), extMsg("bad header")...)},
			22, "bad header", false},
		{"done with errno and ext ack", netlink.Message{
			Header: netlink.Header{Type: nlmsgDone, Flags: netlink.Multi | netlink.AcknowledgeTLVs, Sequence: seq},
			Data:   append(errno(97), extMsg("no family")...)},
			97, "no family", true},
		{"plain EPERM", netlink.Message{
			Header: netlink.Header{Type: nlmsgError, Sequence: seq},
			Data:   append(errno(1), echoed...)},
			1, "", false},
	}
	for _, tc := range cases {
		err := newCol().message(tc.m)
		var de *DumpError
		if !errors.As(err, &de) || de.Errno != tc.errno || de.Message != tc.message || errors.Is(err, ErrUnsupported) != tc.unsupp {
			t.Errorf("%s: %v (%+v)", tc.name, err, de)
		}
	}

	// An acknowledgement and an empty NLMSG_DONE are not errors; a short
	// NLMSG_ERROR is; a reply to another request is skipped.
	c = newCol()
	if err := c.message(netlink.Message{Header: netlink.Header{Type: nlmsgError, Sequence: seq}, Data: append(errno(0), echoed...)}); err != nil || !c.done {
		t.Errorf("ack: %v", err)
	}
	if err := newCol().message(netlink.Message{Header: netlink.Header{Type: nlmsgDone, Sequence: seq}}); err != nil {
		t.Errorf("empty done: %v", err)
	}
	if err := newCol().message(netlink.Message{Header: netlink.Header{Type: nlmsgError, Sequence: seq}, Data: []byte{1}}); err == nil {
		t.Error("short NLMSG_ERROR accepted")
	}
	c = newCol()
	if err := c.message(netlink.Message{Header: netlink.Header{Type: rtmNewRoute, Sequence: seq + 1}}); err != nil || c.skipped != 1 || c.msgs != 0 {
		t.Errorf("stray reply: err %v skipped %d msgs %d", err, c.skipped, c.msgs)
	}
}

func TestSplitDatagram(t *testing.T) {
	b, err := readFile("route-inet")
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := splitDatagram(b, func(netlink.Message) error { n++; return nil }); err != nil || n != len(loadDump(t, "route-inet")) {
		t.Fatalf("%d messages, %v", n, err)
	}
	for _, cut := range []int{1, 15, 17, len(b) - 21} {
		if err := splitDatagram(b[:cut], func(netlink.Message) error { return nil }); err == nil {
			t.Errorf("datagram cut at %d accepted", cut)
		}
	}
	bad := clone(b)
	native.PutUint32(bad, 8) // shorter than a header
	if err := splitDatagram(bad, func(netlink.Message) error { return nil }); err == nil {
		t.Error("message length 8 accepted")
	}
}

func TestRequests(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    netlink.Message
		typ  uint16
		n    int
	}{
		{"link", LinkRequest(), rtmGetLink, sizeofIfInfomsg + 8},
		{"addr", AddrRequest(snapshots.AFInet6), rtmGetAddr, sizeofIfAddrmsg},
		{"route", RouteRequest(FamilyIP6MR, false), rtmGetRoute, sizeofRtmsg},
		{"rule", RuleRequest(FamilyIPMR), rtmGetRule, sizeofFibRuleHdr},
		{"neigh", NeighRequest(0, true), rtmGetNeigh, sizeofNdmsg},
		{"unix", UnixDiagRequest(), sockDiagByFamily, sizeofUnixDiagReq},
		{"packet", PacketDiagRequest(), sockDiagByFamily, sizeofPacketDiagReq},
	} {
		if uint16(tc.m.Header.Type) != tc.typ || tc.m.Header.Flags != netlink.Request|netlink.Dump || len(tc.m.Data) != tc.n {
			t.Errorf("%s: type %d flags %v length %d", tc.name, tc.m.Header.Type, tc.m.Header.Flags, len(tc.m.Data))
		}
	}
	if b := RouteRequest(snapshots.AFInet, true).Data; b[0] != snapshots.AFInet || native.Uint32(b[8:]) != rtmFCloned {
		t.Errorf("cloned route request % x", b)
	}
	if b := NeighRequest(snapshots.AFInet, true).Data; b[10] != ntfProxy {
		t.Errorf("proxy neighbour request % x", b)
	}
	if b := LinkRequest().Data[sizeofIfInfomsg:]; native.Uint16(b[2:]) != iflaExtMask || native.Uint32(b[4:]) != rtextFilterVF {
		t.Errorf("IFLA_EXT_MASK % x", b)
	}
	if b := UnixDiagRequest().Data; native.Uint32(b[12:]) != 0x7f || native.Uint32(b[4:]) != ^uint32(0) {
		t.Errorf("unix request % x", b)
	}

	for _, proto := range []uint16{snapshots.ProtoTCP, snapshots.ProtoUDP, snapshots.ProtoUDPLite, snapshots.ProtoRaw, snapshots.ProtoSCTP, snapshots.ProtoMPTCP} {
		for _, fam := range []uint8{snapshots.AFInet, snapshots.AFInet6} {
			m, err := InetDiagRequest(fam, proto)
			if err != nil {
				t.Fatal(err)
			}
			b := m.Data
			if b[0] != fam || b[2] != 0xff || native.Uint32(b[4:]) != ^uint32(0) {
				t.Errorf("inet_diag %d/%d: % x", fam, proto, b[:8])
			}
			switch proto {
			case snapshots.ProtoMPTCP:
				if len(b) != sizeofInetDiagReq+8 || b[1] != 0 || native.Uint32(b[sizeofInetDiagReq+4:]) != 262 {
					t.Errorf("MPTCP request % x", b)
				}
			case snapshots.ProtoRaw:
				if b[1] != 255 || b[3] != 255 {
					t.Errorf("raw request % x", b[:4])
				}
			default:
				if len(b) != sizeofInetDiagReq || uint16(b[1]) != proto {
					t.Errorf("inet_diag %d request % x", proto, b[:4])
				}
			}
		}
	}
	if _, err := InetDiagRequest(snapshots.AFInet, 99); err == nil {
		t.Error("protocol 99 accepted")
	}
	if _, err := InetDiagRequest(snapshots.AFUnix, snapshots.ProtoTCP); err == nil {
		t.Error("AF_UNIX accepted")
	}
	if _, _, err := DumpRoutes(nil, FamilyIPMR, false); err == nil {
		t.Error("DumpRoutes accepted the IPMR family")
	}
	if _, _, err := DumpMFC(nil, snapshots.AFUnix); err == nil {
		t.Error("DumpMFC accepted AF_UNIX")
	}
}

// TestDedupe keeps each cookie at its first position with its last row,
// and rows without a cookie (0) all.
func TestDedupe(t *testing.T) {
	type row struct{ cookie, v uint64 }
	key := func(r *row) uint64 { return r.cookie }
	rows := []row{{5, 1}, {0, 2}, {7, 3}, {5, 4}, {0, 5}, {9, 6}, {7, 7}, {5, 8}}
	got, dups := dedupe(rows, key)
	want := []row{{5, 8}, {0, 2}, {7, 7}, {0, 5}, {9, 6}}
	if !slices.Equal(got, want) || dups != 3 {
		t.Errorf("got %v, %d duplicates; want %v, 3", got, dups, want)
	}
	if rows[len(want)] != (row{}) {
		t.Errorf("rows past the end not cleared: %v", rows)
	}
	unique := []row{{3, 1}, {0, 2}, {0, 3}, {1, 4}}
	if got, dups := dedupe(unique, key); len(got) != 4 || dups != 0 {
		t.Errorf("unique rows: %v, %d duplicates", got, dups)
	}
}

// TestDumpFailureLeavesSpareZero: rows a failed dump decoded into the
// caller's spare capacity are zeroed, so a fallback dump into the same
// slice starts from zero rows.
func TestDumpFailureLeavesSpareZero(t *testing.T) {
	data := dataMessages(loadDump(t, "tcp-inet"))
	raw := loadDump(t, "raw-inet") // ends with NLMSG_DONE carrying -ENOENT
	reply := append(append([]netlink.Message{}, data...), raw[len(raw)-1])
	req, _ := InetDiagRequest(snapshots.AFInet, snapshots.ProtoTCP)
	fakeKernel(t, req, func(int) []netlink.Message { return reply })
	dst := make([]snapshots.InetSocket, 1, 64)
	dst[0].Inode = 7
	got, _, err := DumpInetAppend(nil, snapshots.AFInet, snapshots.ProtoTCP, dst)
	if err == nil {
		t.Fatal("a dump ending in an error succeeded")
	}
	if len(got) != 1 || got[0].Inode != 7 {
		t.Fatalf("dst changed: %d rows", len(got))
	}
	for i, s := range got[1:cap(got)] {
		if s.Cookie != 0 || s.TCPInfo != nil || s.Local.IsValid() {
			t.Fatalf("spare row %d not zeroed: %+v", i, s)
		}
	}
}
