package snapshots

import "encoding/binary"

// TCPInfo is struct tcp_info decoded from InetSocket.TCPInfo. Kernels
// append fields over time; Len says how many bytes the kernel sent, and a
// field beyond it is zero. Times are microseconds (RTT) or milliseconds
// (last_*), as in the kernel.
type TCPInfo struct {
	Len                                          int
	State, CAState, Retransmits, Probes, Backoff uint8
	Options, SndWscale, RcvWscale                uint8
	DeliveryRateAppLimited                       bool
	FastopenClientFail                           uint8
	RTO, ATO, SndMSS, RcvMSS                     uint32 // RTO, ATO in µs
	Unacked, Sacked, Lost, Retrans, Fackets      uint32
	LastDataSent, LastAckSent                    uint32
	LastDataRecv, LastAckRecv                    uint32
	PMTU, RcvSsthresh, RTT, RTTVar               uint32
	SndSsthresh, SndCwnd, AdvMSS, Reordering     uint32
	RcvRTT, RcvSpace, TotalRetrans               uint32
	PacingRate, MaxPacingRate                    uint64
	BytesAcked, BytesReceived                    uint64
	SegsOut, SegsIn, NotsentBytes, MinRTT        uint32
	DataSegsIn, DataSegsOut                      uint32
	DeliveryRate, BusyTime                       uint64
	RwndLimited, SndbufLimited                   uint64
	Delivered, DeliveredCE                       uint32
	BytesSent, BytesRetrans                      uint64
	DSACKDups, ReordSeen, RcvOOOPack             uint32
	SndWnd, RcvWnd, Rehash                       uint32
	TotalRTO, TotalRTORecoveries                 uint16
	TotalRTOTime                                 uint32
}

// ByteOrder returns the captured host's byte order, in which netlink
// payloads such as tcp_info are encoded.
func (m *Meta) ByteOrder() binary.ByteOrder {
	if m.BigEndian {
		return binary.BigEndian
	}
	return binary.LittleEndian
}

// DecodeTCPInfo decodes a tcp_info blob of any kernel version. It returns
// false when the blob is too short to hold even the oldest layout.
func DecodeTCPInfo(b []byte, order binary.ByteOrder) (TCPInfo, bool) {
	var t TCPInfo
	if len(b) < 8 {
		return t, false
	}
	t.Len = len(b)
	u8 := func(off int) uint8 { return b[off] }
	u16 := func(off int) uint16 {
		if off+2 > len(b) {
			return 0
		}
		return order.Uint16(b[off:])
	}
	u32 := func(off int) uint32 {
		if off+4 > len(b) {
			return 0
		}
		return order.Uint32(b[off:])
	}
	u64 := func(off int) uint64 {
		if off+8 > len(b) {
			return 0
		}
		return order.Uint64(b[off:])
	}
	t.State, t.CAState, t.Retransmits, t.Probes = u8(0), u8(1), u8(2), u8(3)
	t.Backoff, t.Options = u8(4), u8(5)
	t.SndWscale, t.RcvWscale = b[6]&0x0f, b[6]>>4
	t.DeliveryRateAppLimited = b[7]&1 != 0
	t.FastopenClientFail = (b[7] >> 1) & 3
	t.RTO, t.ATO, t.SndMSS, t.RcvMSS = u32(8), u32(12), u32(16), u32(20)
	t.Unacked, t.Sacked, t.Lost, t.Retrans, t.Fackets = u32(24), u32(28), u32(32), u32(36), u32(40)
	t.LastDataSent, t.LastAckSent, t.LastDataRecv, t.LastAckRecv = u32(44), u32(48), u32(52), u32(56)
	t.PMTU, t.RcvSsthresh, t.RTT, t.RTTVar = u32(60), u32(64), u32(68), u32(72)
	t.SndSsthresh, t.SndCwnd, t.AdvMSS, t.Reordering = u32(76), u32(80), u32(84), u32(88)
	t.RcvRTT, t.RcvSpace, t.TotalRetrans = u32(92), u32(96), u32(100)
	t.PacingRate, t.MaxPacingRate, t.BytesAcked, t.BytesReceived = u64(104), u64(112), u64(120), u64(128)
	t.SegsOut, t.SegsIn, t.NotsentBytes, t.MinRTT = u32(136), u32(140), u32(144), u32(148)
	t.DataSegsIn, t.DataSegsOut = u32(152), u32(156)
	t.DeliveryRate, t.BusyTime, t.RwndLimited, t.SndbufLimited = u64(160), u64(168), u64(176), u64(184)
	t.Delivered, t.DeliveredCE = u32(192), u32(196)
	t.BytesSent, t.BytesRetrans = u64(200), u64(208)
	t.DSACKDups, t.ReordSeen, t.RcvOOOPack = u32(216), u32(220), u32(224)
	t.SndWnd, t.RcvWnd, t.Rehash = u32(228), u32(232), u32(236)
	t.TotalRTO, t.TotalRTORecoveries, t.TotalRTOTime = u16(240), u16(242), u32(244)
	return t, true
}
