package snapshots

import (
	"fmt"
	"net/netip"

	"github.com/netmortem/netmortem/snapshots/pb"
)

// Codecs of the row-oriented tables.

func encLinks(ls []Link) *pb.Links {
	m := &pb.Links{Links: make([]*pb.Link, len(ls))}
	for i := range ls {
		l := &ls[i]
		s := &l.Stats
		var stats []uint64
		if s.Valid || s.RxPackets|s.TxPackets|s.RxBytes|s.TxBytes != 0 {
			stats = append([]uint64{
				s.RxPackets, s.TxPackets, s.RxBytes, s.TxBytes,
				s.RxErrors, s.TxErrors, s.RxDropped, s.TxDropped,
				s.Multicast, s.Collisions,
				s.RxLengthErrors, s.RxOverErrors, s.RxCRCErrors,
				s.RxFrameErrors, s.RxFIFOErrors, s.RxMissedErrors,
				s.TxAbortedErrors, s.TxCarrierErrors, s.TxFIFOErrors,
				s.TxHeartbeatErrors, s.TxWindowErrors,
				s.RxCompressed, s.TxCompressed, s.RxNoHandler, s.RxOtherhostDropped,
			}, s.Extra...)
		}
		m.Links[i] = &pb.Link{
			Index: l.Index, Name: l.Name, AltNames: l.AltNames, Kind: l.Kind, SlaveKind: l.SlaveKind,
			Type: uint32(l.Type), Flags: l.Flags, Mtu: l.MTU, MinMtu: l.MinMTU, MaxMtu: l.MaxMTU,
			HwAddr: l.HWAddr, Broadcast: l.Broadcast, PermAddr: l.PermAddr,
			OperState: uint32(l.OperState), LinkMode: uint32(l.LinkMode), Carrier: uint32(l.Carrier),
			Master: l.Master, Parent: l.Parent, ParentNetns: l.ParentNetns,
			TxQueueLen: l.TxQueueLen, Qdisc: l.Qdisc, Group: l.Group, Promiscuity: l.Promiscuity,
			NumTxQueues: l.NumTxQueues, NumRxQueues: l.NumRxQueues, Alias: l.Alias,
			Stats: stats, StatsValid: s.Valid, Sys: encKV(l.Sys), Raw: encRawRows(l.Raw),
		}
	}
	return m
}

const linkStatsFields = 25

func decLinks(m *pb.Links) ([]Link, error) {
	out := make([]Link, len(m.GetLinks()))
	for i, p := range m.GetLinks() {
		l := &out[i]
		*l = Link{
			Index: p.GetIndex(), Name: p.GetName(), AltNames: p.GetAltNames(), Kind: p.GetKind(),
			SlaveKind: p.GetSlaveKind(), Type: uint16(p.GetType()), Flags: p.GetFlags(),
			MTU: p.GetMtu(), MinMTU: p.GetMinMtu(), MaxMTU: p.GetMaxMtu(),
			HWAddr: p.GetHwAddr(), Broadcast: p.GetBroadcast(), PermAddr: p.GetPermAddr(),
			OperState: uint8(p.GetOperState()), LinkMode: uint8(p.GetLinkMode()), Carrier: uint8(p.GetCarrier()),
			Master: p.GetMaster(), Parent: p.GetParent(), ParentNetns: p.GetParentNetns(),
			TxQueueLen: p.GetTxQueueLen(), Qdisc: p.GetQdisc(), Group: p.GetGroup(),
			Promiscuity: p.GetPromiscuity(), NumTxQueues: p.GetNumTxQueues(), NumRxQueues: p.GetNumRxQueues(),
			Alias: p.GetAlias(), Sys: decKV(p.GetSys()), Raw: decRawRows(p.GetRaw()),
		}
		st := p.GetStats()
		if len(st) != 0 && len(st) < linkStatsFields {
			return nil, fmt.Errorf("link %d: %d statistics, want at least %d", i, len(st), linkStatsFields)
		}
		if len(st) >= linkStatsFields {
			s := &l.Stats
			v := st
			s.RxPackets, s.TxPackets, s.RxBytes, s.TxBytes = v[0], v[1], v[2], v[3]
			s.RxErrors, s.TxErrors, s.RxDropped, s.TxDropped = v[4], v[5], v[6], v[7]
			s.Multicast, s.Collisions = v[8], v[9]
			s.RxLengthErrors, s.RxOverErrors, s.RxCRCErrors = v[10], v[11], v[12]
			s.RxFrameErrors, s.RxFIFOErrors, s.RxMissedErrors = v[13], v[14], v[15]
			s.TxAbortedErrors, s.TxCarrierErrors, s.TxFIFOErrors = v[16], v[17], v[18]
			s.TxHeartbeatErrors, s.TxWindowErrors = v[19], v[20]
			s.RxCompressed, s.TxCompressed, s.RxNoHandler, s.RxOtherhostDropped = v[21], v[22], v[23], v[24]
			if len(v) > linkStatsFields {
				s.Extra = v[linkStatsFields:]
			}
		}
		l.Stats.Valid = p.GetStatsValid()
	}
	return out, nil
}

func encAddrsTable(as []Addr) *pb.Addrs {
	m := &pb.Addrs{Addrs: make([]*pb.Addr, len(as))}
	for i := range as {
		a := &as[i]
		m.Addrs[i] = &pb.Addr{
			Family: uint32(a.Family), Index: a.Index, PrefixLen: uint32(a.PrefixLen),
			Address: addrBytes(a.Address), Local: addrBytes(a.Local),
			Broadcast: addrBytes(a.Broadcast), Anycast: addrBytes(a.Anycast),
			Label: a.Label, Scope: uint32(a.Scope), Flags: a.Flags, Proto: uint32(a.Proto),
			Preferred: a.Preferred, Valid: a.Valid, Created: a.Created, Updated: a.Updated,
			HasCacheInfo: a.HasCacheInfo, Raw: encRawRows(a.Raw),
		}
	}
	return m
}

func decAddrsTable(m *pb.Addrs) ([]Addr, error) {
	out := make([]Addr, len(m.GetAddrs()))
	for i, p := range m.GetAddrs() {
		var errs error
		get := func(b []byte) netip.Addr {
			x, err := addrFrom(b)
			if err != nil && errs == nil {
				errs = fmt.Errorf("addr %d: %w", i, err)
			}
			return x
		}
		out[i] = Addr{
			Family: uint8(p.GetFamily()), Index: p.GetIndex(), PrefixLen: uint8(p.GetPrefixLen()),
			Address: get(p.GetAddress()), Local: get(p.GetLocal()),
			Broadcast: get(p.GetBroadcast()), Anycast: get(p.GetAnycast()),
			Label: p.GetLabel(), Scope: uint8(p.GetScope()), Flags: p.GetFlags(), Proto: uint8(p.GetProto()),
			Preferred: p.GetPreferred(), Valid: p.GetValid(), Created: p.GetCreated(), Updated: p.GetUpdated(),
			HasCacheInfo: p.GetHasCacheInfo(), Raw: decRawRows(p.GetRaw()),
		}
		if errs != nil {
			return nil, errs
		}
	}
	return out, nil
}

func pair32(p *[2]uint32) []uint32 {
	if p == nil {
		return nil
	}
	return []uint32{p[0], p[1]}
}

func pair16(p *[2]uint16) []uint32 {
	if p == nil {
		return nil
	}
	return []uint32{uint32(p[0]), uint32(p[1])}
}

func encRules(rs []Rule) *pb.Rules {
	m := &pb.Rules{Rules: make([]*pb.Rule, len(rs))}
	for i := range rs {
		r := &rs[i]
		src, srcLen := prefixBytes(r.Src)
		dst, dstLen := prefixBytes(r.Dst)
		m.Rules[i] = &pb.Rule{
			Family: uint32(r.Family), Priority: r.Priority, Table: r.Table, Action: uint32(r.Action),
			Flags: r.Flags, Tos: uint32(r.TOS), Src: src, SrcLen: srcLen, HasSrc: r.Src.IsValid(),
			Dst: dst, DstLen: dstLen, HasDst: r.Dst.IsValid(), IifName: r.IIFName, OifName: r.OIFName,
			Fwmark: r.FwMark, Fwmask: r.FwMask, HasFwmark: r.HasFwMark, Goto: r.Goto,
			SuppressPrefixLen: r.SuppressPrefixLen, SuppressIfGroup: r.SuppressIfGroup,
			L3Mdev: uint32(r.L3MDev), UidRange: pair32(r.UIDRange), Protocol: uint32(r.Protocol),
			IpProto: uint32(r.IPProto), SportRange: pair16(r.SPortRange), DportRange: pair16(r.DPortRange),
			Flow: r.Flow, Raw: encRawRows(r.Raw),
		}
	}
	return m
}

func decRules(m *pb.Rules) ([]Rule, error) {
	out := make([]Rule, len(m.GetRules()))
	for i, p := range m.GetRules() {
		src, err := prefixFrom(p.GetSrc(), p.GetSrcLen(), p.GetHasSrc())
		if err != nil {
			return nil, fmt.Errorf("rule %d src: %w", i, err)
		}
		dst, err := prefixFrom(p.GetDst(), p.GetDstLen(), p.GetHasDst())
		if err != nil {
			return nil, fmt.Errorf("rule %d dst: %w", i, err)
		}
		r := Rule{
			Family: uint8(p.GetFamily()), Priority: p.GetPriority(), Table: p.GetTable(),
			Action: uint8(p.GetAction()), Flags: p.GetFlags(), TOS: uint8(p.GetTos()), Src: src, Dst: dst,
			IIFName: p.GetIifName(), OIFName: p.GetOifName(), FwMark: p.GetFwmark(), FwMask: p.GetFwmask(),
			HasFwMark: p.GetHasFwmark(), Goto: p.GetGoto(), SuppressPrefixLen: p.GetSuppressPrefixLen(),
			SuppressIfGroup: p.GetSuppressIfGroup(), L3MDev: uint8(p.GetL3Mdev()),
			Protocol: uint8(p.GetProtocol()), IPProto: uint8(p.GetIpProto()), Flow: p.GetFlow(),
			Raw: decRawRows(p.GetRaw()),
		}
		if u := p.GetUidRange(); len(u) == 2 {
			r.UIDRange = &[2]uint32{u[0], u[1]}
		} else if len(u) != 0 {
			return nil, fmt.Errorf("rule %d: uid range of %d values", i, len(u))
		}
		for _, pr := range []struct {
			v   []uint32
			dst **[2]uint16
		}{{p.GetSportRange(), &r.SPortRange}, {p.GetDportRange(), &r.DPortRange}} {
			if len(pr.v) == 2 {
				*pr.dst = &[2]uint16{uint16(pr.v[0]), uint16(pr.v[1])}
			} else if len(pr.v) != 0 {
				return nil, fmt.Errorf("rule %d: port range of %d values", i, len(pr.v))
			}
		}
		out[i] = r
	}
	return out, nil
}

func encUnix(us []UnixSocket) *pb.UnixSockets {
	m := &pb.UnixSockets{Sockets: make([]*pb.UnixSocket, len(us))}
	for i := range us {
		u := &us[i]
		m.Sockets[i] = &pb.UnixSocket{
			Type: uint32(u.Type), State: uint32(u.State), Inode: u.Inode, Name: []byte(u.Name),
			Peer: u.Peer, VfsInode: u.VFSInode, VfsDev: u.VFSDev, Pending: u.Pending,
			RecvQ: u.RecvQ, SendQ: u.SendQ, Shutdown: uint32(u.Shutdown), Uid: u.UID, HasUid: u.HasUID,
			Flags: u.Flags, Refcount: u.RefCount, Cookie: u.Cookie, SkMem: u.SkMem, Raw: encRawRows(u.Raw),
		}
	}
	return m
}

func decUnix(m *pb.UnixSockets) ([]UnixSocket, error) {
	out := make([]UnixSocket, len(m.GetSockets()))
	for i, p := range m.GetSockets() {
		out[i] = UnixSocket{
			Type: uint8(p.GetType()), State: uint8(p.GetState()), Inode: p.GetInode(), Name: string(p.GetName()),
			Peer: p.GetPeer(), VFSInode: p.GetVfsInode(), VFSDev: p.GetVfsDev(), Pending: p.GetPending(),
			RecvQ: p.GetRecvQ(), SendQ: p.GetSendQ(), Shutdown: uint8(p.GetShutdown()), UID: p.GetUid(),
			HasUID: p.GetHasUid(), Flags: p.GetFlags(), RefCount: p.GetRefcount(), Cookie: p.GetCookie(),
			SkMem: p.GetSkMem(), Raw: decRawRows(p.GetRaw()),
		}
	}
	return out, nil
}

func encPacket(ps []PacketSocket) *pb.PacketSockets {
	m := &pb.PacketSockets{Sockets: make([]*pb.PacketSocket, len(ps))}
	for i := range ps {
		p := &ps[i]
		m.Sockets[i] = &pb.PacketSocket{
			Type: uint32(p.Type), Proto: uint32(p.Proto), Ifindex: p.IfIndex, Running: p.Running,
			Rmem: p.Rmem, Uid: p.UID, Inode: p.Inode, Cookie: p.Cookie, Refcount: p.RefCount,
			Raw: encRawRows(p.Raw),
		}
	}
	return m
}

func decPacket(m *pb.PacketSockets) ([]PacketSocket, error) {
	out := make([]PacketSocket, len(m.GetSockets()))
	for i, p := range m.GetSockets() {
		out[i] = PacketSocket{
			Type: uint8(p.GetType()), Proto: uint16(p.GetProto()), IfIndex: p.GetIfindex(),
			Running: p.GetRunning(), Rmem: p.GetRmem(), UID: p.GetUid(), Inode: p.GetInode(),
			Cookie: p.GetCookie(), RefCount: p.GetRefcount(), Raw: decRawRows(p.GetRaw()),
		}
	}
	return out, nil
}

func encSCTPAddrs(as []SCTPAddr) []*pb.SCTPAddr {
	if len(as) == 0 {
		return nil
	}
	out := make([]*pb.SCTPAddr, len(as))
	for i, a := range as {
		out[i] = &pb.SCTPAddr{Addr: addrBytes(a.Addr), Primary: a.Primary, Active: uint32(a.Active),
			Rto: a.RTO, HbAct: a.HBAct, Rtx: a.Rtx, MaxRtx: a.MaxRtx, Start: a.Start, State: a.State}
	}
	return out
}

func decSCTPAddrs(ps []*pb.SCTPAddr) ([]SCTPAddr, error) {
	if len(ps) == 0 {
		return nil, nil
	}
	out := make([]SCTPAddr, len(ps))
	for i, p := range ps {
		a, err := addrFrom(p.GetAddr())
		if err != nil {
			return nil, err
		}
		out[i] = SCTPAddr{Addr: a, Primary: p.GetPrimary(), Active: uint8(p.GetActive()), RTO: p.GetRto(),
			HBAct: p.GetHbAct(), Rtx: p.GetRtx(), MaxRtx: p.GetMaxRtx(), Start: p.GetStart(), State: p.GetState()}
	}
	return out, nil
}

func encSCTP(ts *Tables) *pb.SCTP {
	m := &pb.SCTP{}
	for _, e := range ts.SCTPEndpoints {
		pe := &pb.SCTPEndpoint{Type: uint32(e.Type), State: uint32(e.State), Bucket: e.Bucket,
			Port: uint32(e.Port), Uid: e.UID, Inode: e.Inode}
		for _, a := range e.Addrs {
			pe.Addrs = append(pe.Addrs, addrBytes(a))
		}
		m.Endpoints = append(m.Endpoints, pe)
	}
	for i := range ts.SCTPAssocs {
		a := &ts.SCTPAssocs[i]
		m.Assocs = append(m.Assocs, &pb.SCTPAssoc{
			Family: uint32(a.Family), AssocId: a.AssocID, Type: uint32(a.Type), SockState: uint32(a.SockState),
			State: uint32(a.State), Bucket: a.Bucket, TxQueue: a.TxQueue, RxQueue: a.RxQueue, Uid: a.UID,
			Inode: a.Inode, LocalPort: uint32(a.LocalPort), RemotePort: uint32(a.RemotePort),
			Locals: encSCTPAddrs(a.Locals), Remotes: encSCTPAddrs(a.Remotes), HbInterval: a.HBInterval,
			InStreams: a.InStreams, OutStreams: a.OutStreams, MaxRtx: a.MaxRtx, T1X: a.T1X, T2X: a.T2X,
			Rtxc: a.RtxC, WmemAlloc: a.WmemAlloc, WmemQueued: a.WmemQueued, SndBuf: a.SndBuf, RcvBuf: a.RcvBuf,
		})
	}
	return m
}

func decSCTP(m *pb.SCTP, ts *Tables) error {
	for i, p := range m.GetEndpoints() {
		e := SCTPEndpoint{Type: uint8(p.GetType()), State: uint8(p.GetState()), Bucket: p.GetBucket(),
			Port: uint16(p.GetPort()), UID: p.GetUid(), Inode: p.GetInode()}
		for _, b := range p.GetAddrs() {
			a, err := addrFrom(b)
			if err != nil {
				return fmt.Errorf("sctp endpoint %d: %w", i, err)
			}
			e.Addrs = append(e.Addrs, a)
		}
		ts.SCTPEndpoints = append(ts.SCTPEndpoints, e)
	}
	for i, p := range m.GetAssocs() {
		locals, err := decSCTPAddrs(p.GetLocals())
		if err != nil {
			return fmt.Errorf("sctp association %d: %w", i, err)
		}
		remotes, err := decSCTPAddrs(p.GetRemotes())
		if err != nil {
			return fmt.Errorf("sctp association %d: %w", i, err)
		}
		ts.SCTPAssocs = append(ts.SCTPAssocs, SCTPAssoc{
			Family: uint8(p.GetFamily()), AssocID: p.GetAssocId(), Type: uint8(p.GetType()),
			SockState: uint8(p.GetSockState()), State: uint8(p.GetState()), Bucket: p.GetBucket(),
			TxQueue: p.GetTxQueue(), RxQueue: p.GetRxQueue(), UID: p.GetUid(), Inode: p.GetInode(),
			LocalPort: uint16(p.GetLocalPort()), RemotePort: uint16(p.GetRemotePort()),
			Locals: locals, Remotes: remotes, HBInterval: p.GetHbInterval(), InStreams: p.GetInStreams(),
			OutStreams: p.GetOutStreams(), MaxRtx: p.GetMaxRtx(), T1X: p.GetT1X(), T2X: p.GetT2X(),
			RtxC: p.GetRtxc(), WmemAlloc: p.GetWmemAlloc(), WmemQueued: p.GetWmemQueued(),
			SndBuf: p.GetSndBuf(), RcvBuf: p.GetRcvBuf(),
		})
	}
	return nil
}

func encGroups(ts *Tables) *pb.Groups {
	m := &pb.Groups{}
	for i := range ts.Groups {
		g := &ts.Groups[i]
		pg := &pb.Membership{Family: uint32(g.Family), Ifindex: g.IfIndex, Ifname: g.IfName,
			Group: addrBytes(g.Group), Users: g.Users, Timer: g.Timer, Expires: g.Expires,
			Reporter: g.Reporter, Flags: g.Flags, Mode: uint32(g.Mode)}
		for _, s := range g.Sources {
			pg.Sources = append(pg.Sources, &pb.MemberSource{Addr: addrBytes(s.Addr), Include: s.Include, Exclude: s.Exclude})
		}
		m.Memberships = append(m.Memberships, pg)
	}
	for _, f := range ts.McastIfaces {
		m.Ifaces = append(m.Ifaces, &pb.McastIface{Ifindex: f.IfIndex, Ifname: f.IfName, Count: f.Count, Querier: f.Querier})
	}
	for _, l := range ts.LinkGroups {
		m.Link = append(m.Link, &pb.LinkMembership{Ifindex: l.IfIndex, Ifname: l.IfName, Users: l.Users, Global: l.Global, Addr: l.Addr})
	}
	return m
}

func decGroups(m *pb.Groups, ts *Tables) error {
	for i, p := range m.GetMemberships() {
		grp, err := addrFrom(p.GetGroup())
		if err != nil {
			return fmt.Errorf("membership %d: %w", i, err)
		}
		g := Membership{Family: uint8(p.GetFamily()), IfIndex: p.GetIfindex(), IfName: p.GetIfname(),
			Group: grp, Users: p.GetUsers(), Timer: p.GetTimer(), Expires: p.GetExpires(),
			Reporter: p.GetReporter(), Flags: p.GetFlags(), Mode: uint8(p.GetMode())}
		for _, s := range p.GetSources() {
			a, err := addrFrom(s.GetAddr())
			if err != nil {
				return fmt.Errorf("membership %d source: %w", i, err)
			}
			g.Sources = append(g.Sources, MemberSource{Addr: a, Include: s.GetInclude(), Exclude: s.GetExclude()})
		}
		ts.Groups = append(ts.Groups, g)
	}
	for _, p := range m.GetIfaces() {
		ts.McastIfaces = append(ts.McastIfaces, McastIface{IfIndex: p.GetIfindex(), IfName: p.GetIfname(), Count: p.GetCount(), Querier: p.GetQuerier()})
	}
	for _, p := range m.GetLink() {
		ts.LinkGroups = append(ts.LinkGroups, LinkMembership{IfIndex: p.GetIfindex(), IfName: p.GetIfname(), Users: p.GetUsers(), Global: p.GetGlobal(), Addr: p.GetAddr()})
	}
	return nil
}

func encMroute(ts *Tables) *pb.Mroute {
	m := &pb.Mroute{}
	for i := range ts.Vifs {
		v := &ts.Vifs[i]
		m.Vifs = append(m.Vifs, &pb.Vif{Family: uint32(v.Family), Index: v.Index, Name: v.Name,
			BytesIn: v.BytesIn, PktsIn: v.PktsIn, BytesOut: v.BytesOut, PktsOut: v.PktsOut, Flags: v.Flags,
			Local: addrBytes(v.Local), Remote: addrBytes(v.Remote), LocalIfindex: v.LocalIfIndex})
	}
	for i := range ts.MFC {
		e := &ts.MFC[i]
		pe := &pb.MFCEntry{Family: uint32(e.Family), Table: e.Table, Source: addrBytes(e.Source),
			Group: addrBytes(e.Group), IifVif: e.IIFVif, Iif: e.IIF, Packets: e.Packets, Bytes: e.Bytes,
			WrongIf: e.WrongIf, Expires: e.Expires, Resolved: e.Resolved, Raw: encRawRows(e.Raw)}
		for _, o := range e.Oifs {
			pe.Oifs = append(pe.Oifs, &pb.MFCOif{Vif: o.Vif, Ifindex: o.IfIndex, Ttl: uint32(o.TTL)})
		}
		m.Mfc = append(m.Mfc, pe)
	}
	return m
}

func decMroute(m *pb.Mroute, ts *Tables) error {
	for i, p := range m.GetVifs() {
		local, err1 := addrFrom(p.GetLocal())
		remote, err2 := addrFrom(p.GetRemote())
		if err1 != nil || err2 != nil {
			return fmt.Errorf("vif %d: bad address", i)
		}
		ts.Vifs = append(ts.Vifs, Vif{Family: uint8(p.GetFamily()), Index: p.GetIndex(), Name: p.GetName(),
			BytesIn: p.GetBytesIn(), PktsIn: p.GetPktsIn(), BytesOut: p.GetBytesOut(), PktsOut: p.GetPktsOut(),
			Flags: p.GetFlags(), Local: local, Remote: remote, LocalIfIndex: p.GetLocalIfindex()})
	}
	for i, p := range m.GetMfc() {
		src, err1 := addrFrom(p.GetSource())
		grp, err2 := addrFrom(p.GetGroup())
		if err1 != nil || err2 != nil {
			return fmt.Errorf("mfc entry %d: bad address", i)
		}
		e := MFCEntry{Family: uint8(p.GetFamily()), Table: p.GetTable(), Source: src, Group: grp,
			IIFVif: p.GetIifVif(), IIF: p.GetIif(), Packets: p.GetPackets(), Bytes: p.GetBytes(),
			WrongIf: p.GetWrongIf(), Expires: p.GetExpires(), Resolved: p.GetResolved(), Raw: decRawRows(p.GetRaw())}
		for _, o := range p.GetOifs() {
			e.Oifs = append(e.Oifs, MFCOif{Vif: o.GetVif(), IfIndex: o.GetIfindex(), TTL: uint8(o.GetTtl())})
		}
		ts.MFC = append(ts.MFC, e)
	}
	return nil
}

func encStats(ts *Tables) *pb.Stats {
	m := &pb.Stats{}
	for _, cs := range ts.Counters {
		pc := &pb.CounterSet{Source: cs.Source, Group: cs.Group,
			Name: make([]string, len(cs.Counters)), Value: make([]uint64, len(cs.Counters))}
		for i, c := range cs.Counters {
			pc.Name[i], pc.Value[i] = c.Name, c.Value
			if c.Signed {
				pc.Signed = append(pc.Signed, uint32(i))
			}
		}
		m.Counters = append(m.Counters, pc)
	}
	for _, s := range ts.Softnet {
		m.Softnet = append(m.Softnet, &pb.SoftnetCPU{Cpu: s.CPU, Values: s.Values})
	}
	for _, p := range ts.Protocols {
		m.Protocols = append(m.Protocols, &pb.ProtocolRow{Name: p.Name, Size: p.Size, Sockets: p.Sockets,
			Memory: p.Memory, Pressure: p.Pressure, MaxHdr: p.MaxHdr, Slab: p.Slab, Module: p.Module, Methods: p.Methods})
	}
	return m
}

func decStats(m *pb.Stats, ts *Tables) error {
	for i, p := range m.GetCounters() {
		if len(p.GetName()) != len(p.GetValue()) {
			return fmt.Errorf("counter set %d (%s %s): %d names, %d values", i, p.GetSource(), p.GetGroup(), len(p.GetName()), len(p.GetValue()))
		}
		cs := CounterSet{Source: p.GetSource(), Group: p.GetGroup(), Counters: make([]Counter, len(p.GetName()))}
		for j, name := range p.GetName() {
			cs.Counters[j] = Counter{Name: name, Value: p.GetValue()[j]}
		}
		for _, k := range p.GetSigned() {
			if int(k) >= len(cs.Counters) {
				return fmt.Errorf("counter set %d: signed index %d out of range", i, k)
			}
			cs.Counters[k].Signed = true
		}
		ts.Counters = append(ts.Counters, cs)
	}
	for _, p := range m.GetSoftnet() {
		ts.Softnet = append(ts.Softnet, SoftnetCPU{CPU: p.GetCpu(), Values: p.GetValues()})
	}
	for _, p := range m.GetProtocols() {
		ts.Protocols = append(ts.Protocols, ProtocolRow{Name: p.GetName(), Size: p.GetSize(), Sockets: p.GetSockets(),
			Memory: p.GetMemory(), Pressure: p.GetPressure(), MaxHdr: p.GetMaxHdr(), Slab: p.GetSlab(),
			Module: p.GetModule(), Methods: p.GetMethods()})
	}
	return nil
}

func encMemory(ts *Tables) *pb.Memory {
	m := &pb.Memory{Sysctls: encKV(ts.Sysctls)}
	for _, s := range ts.Slabs {
		m.Slabs = append(m.Slabs, &pb.Slab{Name: s.Name, ActiveObjs: s.ActiveObjs, NumObjs: s.NumObjs,
			ObjSize: s.ObjSize, ObjPerSlab: s.ObjPerSlab, PagesPerSlab: s.PagesPerSlab})
	}
	return m
}

func decMemory(m *pb.Memory, ts *Tables) error {
	ts.Sysctls = decKV(m.GetSysctls())
	for _, p := range m.GetSlabs() {
		ts.Slabs = append(ts.Slabs, Slab{Name: p.GetName(), ActiveObjs: p.GetActiveObjs(), NumObjs: p.GetNumObjs(),
			ObjSize: p.GetObjSize(), ObjPerSlab: p.GetObjPerSlab(), PagesPerSlab: p.GetPagesPerSlab()})
	}
	return nil
}

func encLeases(ls []Lease) *pb.Leases {
	m := &pb.Leases{}
	for i := range ls {
		l := &ls[i]
		pl := &pb.Lease{Interface: l.Interface, Client: l.Client, Family: uint32(l.Family),
			Address: addrBytes(l.Address), PrefixLen: uint32(l.PrefixLen), Server: addrBytes(l.Server),
			LeaseTime: l.LeaseTime, Start: nanos(l.Start), Renew: nanos(l.Renew), Rebind: nanos(l.Rebind),
			Expire: nanos(l.Expire), Bootp: l.BOOTP, Options: encKV(l.Options), SourceFile: l.SourceFile,
			ModTime: nanos(l.ModTime)}
		for _, r := range l.Routers {
			pl.Routers = append(pl.Routers, addrBytes(r))
		}
		m.Leases = append(m.Leases, pl)
	}
	return m
}

func decLeases(m *pb.Leases) ([]Lease, error) {
	var out []Lease
	for i, p := range m.GetLeases() {
		addr, err1 := addrFrom(p.GetAddress())
		srv, err2 := addrFrom(p.GetServer())
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("lease %d: bad address", i)
		}
		l := Lease{Interface: p.GetInterface(), Client: p.GetClient(), Family: uint8(p.GetFamily()),
			Address: addr, PrefixLen: uint8(p.GetPrefixLen()), Server: srv, LeaseTime: p.GetLeaseTime(),
			Start: fromNanos(p.GetStart()), Renew: fromNanos(p.GetRenew()), Rebind: fromNanos(p.GetRebind()),
			Expire: fromNanos(p.GetExpire()), BOOTP: p.GetBootp(), Options: decKV(p.GetOptions()),
			SourceFile: p.GetSourceFile(), ModTime: fromNanos(p.GetModTime())}
		for _, b := range p.GetRouters() {
			r, err := addrFrom(b)
			if err != nil {
				return nil, fmt.Errorf("lease %d router: %w", i, err)
			}
			l.Routers = append(l.Routers, r)
		}
		out = append(out, l)
	}
	return out, nil
}

func encFiles(fs []RawFile) *pb.Files {
	m := &pb.Files{}
	for _, f := range fs {
		m.Files = append(m.Files, &pb.File{Path: f.Path, Data: f.Data, ModTime: nanos(f.ModTime), Err: f.Err})
	}
	return m
}

func decFiles(m *pb.Files) []RawFile {
	var out []RawFile
	for _, p := range m.GetFiles() {
		out = append(out, RawFile{Path: p.GetPath(), Data: p.GetData(), ModTime: fromNanos(p.GetModTime()), Err: p.GetErr()})
	}
	return out
}
