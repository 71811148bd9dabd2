package snapshots

import (
	"errors"
	"fmt"
	"math"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/netmortem/netmortem/snapshots/pb"
)

// A decoder of the Routes message written against protowire. It gives the
// same pb.Routes as proto.Unmarshal (a fuzz test holds the two to each
// other) but sizes every packed column once instead of growing it value
// by value, which makes loading a million routes several times faster.

var errWire = errors.New("malformed protobuf")

// walkMsg calls fn for every field of a message: v is the payload of a
// length-delimited field, x the value of a varint or fixed field.
func walkMsg(b []byte, fn func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 || !num.IsValid() {
			return errWire
		}
		b = b[n:]
		var v []byte
		var x uint64
		switch typ {
		case protowire.VarintType:
			x, n = protowire.ConsumeVarint(b)
		case protowire.BytesType:
			v, n = protowire.ConsumeBytes(b)
		case protowire.Fixed32Type:
			var y uint32
			y, n = protowire.ConsumeFixed32(b)
			x = uint64(y)
		case protowire.Fixed64Type:
			x, n = protowire.ConsumeFixed64(b)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return errWire
		}
		b = b[n:]
		if err := fn(num, typ, v, x); err != nil {
			return err
		}
	}
	return nil
}

// varints counts the varints of a packed field.
func varints(b []byte) int {
	n := 0
	for _, c := range b {
		if c < 0x80 {
			n++
		}
	}
	return n
}

// appendPacked decodes the values of a repeated varint field, packed (a
// length-delimited run) or not (one varint), converting each with conv.
func appendPacked[T any](dst []T, typ protowire.Type, v []byte, x uint64, conv func(uint64) (T, bool)) ([]T, error) {
	switch typ {
	case protowire.VarintType:
		t, ok := conv(x)
		if !ok {
			return nil, errWire
		}
		return append(dst, t), nil
	case protowire.BytesType:
		if len(v) > 0 && v[len(v)-1] >= 0x80 {
			return nil, errWire
		}
		if dst == nil {
			dst = make([]T, 0, varints(v))
		}
		for len(v) > 0 {
			// Most values of a column (family, table, type, …) are
			// one-byte varints.
			y, n := uint64(v[0]), 1
			if y >= 0x80 {
				if y, n = protowire.ConsumeVarint(v); n < 0 {
					return nil, errWire
				}
			}
			t, ok := conv(y)
			if !ok {
				return nil, errWire
			}
			dst = append(dst, t)
			v = v[n:]
		}
		return dst, nil
	}
	return nil, errWire
}

// Conversions as proto-go performs them: uint32 and int32 fields keep the
// low 32 bits of the varint; sint32 is zigzag over those 32 bits.
func u32(x uint64) (uint32, bool) { return uint32(x), true }
func u64(x uint64) (uint64, bool) { return x, true }
func s32(x uint64) (int32, bool) {
	return int32(protowire.DecodeZigZag(x & math.MaxUint32)), true
}
func s64(x uint64) (int64, bool) { return protowire.DecodeZigZag(x), true }

func u32s(dst []uint32, typ protowire.Type, v []byte, x uint64) ([]uint32, error) {
	return appendPacked(dst, typ, v, x, u32)
}

func wantBytes(typ protowire.Type) error {
	if typ != protowire.BytesType {
		return errWire
	}
	return nil
}

// fastSized decodes the common shape of AddrColumn, BytesColumn and
// ShuffledBytesColumn: sizes in field 1, the data in field 2.
func fastSized(size *[]uint32, data *[]byte, v []byte) error {
	return fastSizedDelta(size, data, nil, v)
}

func fastSizedDelta(size *[]uint32, data, delta *[]byte, v []byte) error {
	return walkMsg(v, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) (err error) {
		switch {
		case num == 1:
			*size, err = u32s(*size, typ, v, x)
		case num == 2:
			if err = wantBytes(typ); err == nil {
				*data = v
			}
		case num == 3 && delta != nil:
			if err = wantBytes(typ); err == nil {
				*delta = v
			}
		}
		return
	})
}

func fastAddrColumn(m *pb.AddrColumn, v []byte) error {
	return fastSizedDelta(&m.Size, &m.Data, &m.Delta, v)
}

func fastPrefixColumn(m *pb.PrefixColumn, v []byte) error {
	return walkMsg(v, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) (err error) {
		switch num {
		case 1:
			if err = wantBytes(typ); err == nil {
				if m.Addr == nil {
					m.Addr = &pb.AddrColumn{}
				}
				err = fastAddrColumn(m.Addr, v)
			}
		case 2:
			m.Bits, err = u32s(m.Bits, typ, v, x)
		}
		return
	})
}

func fastBytesColumn(m *pb.BytesColumn, v []byte) error { return fastSized(&m.Size, &m.Data, v) }

func fastStringColumn(m *pb.StringColumn, v []byte) error {
	return walkMsg(v, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) (err error) {
		switch num {
		case 1:
			if err = wantBytes(typ); err == nil {
				if !utf8.Valid(v) {
					return errUTF8
				}
				m.Dict = append(m.Dict, string(v))
			}
		case 2:
			m.Index, err = u32s(m.Index, typ, v, x)
		}
		return
	})
}

func fastListColumn(m *pb.ListColumn, v []byte) error {
	return walkMsg(v, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) (err error) {
		switch num {
		case 1:
			m.Count, err = u32s(m.Count, typ, v, x)
		case 2:
			m.Value, err = u32s(m.Value, typ, v, x)
		}
		return
	})
}

func fastRawAttrColumn(m *pb.RawAttrColumn, v []byte) error {
	return walkMsg(v, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) (err error) {
		switch num {
		case 1:
			m.Count, err = u32s(m.Count, typ, v, x)
		case 2:
			m.Type, err = u32s(m.Type, typ, v, x)
		case 3:
			if err = wantBytes(typ); err == nil {
				if m.Data == nil {
					m.Data = &pb.BytesColumn{}
				}
				err = fastBytesColumn(m.Data, v)
			}
		}
		return
	})
}

func fastNextHops(m *pb.NextHops, v []byte) error {
	return walkMsg(v, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) (err error) {
		switch num {
		case 1:
			if typ != protowire.VarintType {
				return errWire
			}
			m.Rows = uint32(x)
		case 2:
			if err = wantBytes(typ); err == nil {
				if m.Gateway == nil {
					m.Gateway = &pb.AddrColumn{}
				}
				err = fastAddrColumn(m.Gateway, v)
			}
		case 3:
			m.Oif, err = appendPacked(m.Oif, typ, v, x, s32)
		case 4:
			m.Weight, err = u32s(m.Weight, typ, v, x)
		case 5:
			m.Flags, err = u32s(m.Flags, typ, v, x)
		case 6:
			m.Realms, err = u32s(m.Realms, typ, v, x)
		case 7:
			m.EncapType, err = u32s(m.EncapType, typ, v, x)
		case 8:
			if err = wantBytes(typ); err == nil {
				if m.Encap == nil {
					m.Encap = &pb.BytesColumn{}
				}
				err = fastBytesColumn(m.Encap, v)
			}
		case 9:
			if err = wantBytes(typ); err == nil {
				if m.Raw == nil {
					m.Raw = &pb.RawAttrColumn{}
				}
				err = fastRawAttrColumn(m.Raw, v)
			}
		}
		return
	})
}

// fastRoutes decodes a Routes message. Byte slices of the result alias b.
func fastRoutes(m *pb.Routes, b []byte) error {
	// Two walks of the message at once, each decoding half of the fields
	// (the plain columns, and the rest): skipping a field costs nothing,
	// and a million-row column takes milliseconds to decode.
	var errs [2]error
	concurrently(
		func() { errs[0] = fastRoutesPart(m, b, true) },
		func() { errs[1] = fastRoutesPart(m, b, false) },
	)
	for _, err := range errs {
		if err != nil {
			return fmt.Errorf("routes: %w", err)
		}
	}
	return nil
}

// plainRouteField reports whether fastRoutesPart decodes field num when
// plain is set (rows and the plain uint32 columns) rather than when not.
func plainRouteField(num protowire.Number) bool {
	switch num {
	case 1, 2, 3, 4, 5, 6, 7, 8, 13:
		return true
	}
	return false
}

func fastRoutesPart(m *pb.Routes, b []byte, plain bool) error {
	return walkMsg(b, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) (err error) {
		if plainRouteField(num) != plain {
			return nil
		}
		sub := func(fn func() error) error {
			if err := wantBytes(typ); err != nil {
				return err
			}
			return fn()
		}
		switch num {
		case 1:
			if typ != protowire.VarintType {
				return errWire
			}
			m.Rows = uint32(x)
		case 2:
			m.Family, err = u32s(m.Family, typ, v, x)
		case 3:
			m.Table, err = u32s(m.Table, typ, v, x)
		case 4:
			m.Protocol, err = u32s(m.Protocol, typ, v, x)
		case 5:
			m.Scope, err = u32s(m.Scope, typ, v, x)
		case 6:
			m.Type, err = u32s(m.Type, typ, v, x)
		case 7:
			m.Flags, err = u32s(m.Flags, typ, v, x)
		case 8:
			m.Tos, err = u32s(m.Tos, typ, v, x)
		case 9:
			err = sub(func() error {
				if m.Dst == nil {
					m.Dst = &pb.PrefixColumn{}
				}
				return fastPrefixColumn(m.Dst, v)
			})
		case 10:
			err = sub(func() error {
				if m.Src == nil {
					m.Src = &pb.PrefixColumn{}
				}
				return fastPrefixColumn(m.Src, v)
			})
		case 11:
			m.Iif, err = appendPacked(m.Iif, typ, v, x, s32)
		case 12:
			err = sub(func() error {
				if m.PrefSrc == nil {
					m.PrefSrc = &pb.AddrColumn{}
				}
				return fastAddrColumn(m.PrefSrc, v)
			})
		case 13:
			m.Priority, err = u32s(m.Priority, typ, v, x)
		case 14:
			err = sub(func() error {
				if m.Metrics == nil {
					m.Metrics = &pb.ListColumn{}
				}
				return fastListColumn(m.Metrics, v)
			})
		case 15:
			err = sub(func() error {
				if m.CongCtl == nil {
					m.CongCtl = &pb.StringColumn{}
				}
				return fastStringColumn(m.CongCtl, v)
			})
		case 16:
			m.NexthopCount, err = u32s(m.NexthopCount, typ, v, x)
		case 17:
			err = sub(func() error {
				if m.Nexthops == nil {
					m.Nexthops = &pb.NextHops{}
				}
				return fastNextHops(m.Nexthops, v)
			})
		case 18:
			m.Multipath, err = u32s(m.Multipath, typ, v, x)
		case 19:
			m.Cloned, err = u32s(m.Cloned, typ, v, x)
		case 20:
			m.Pref, err = u32s(m.Pref, typ, v, x)
		case 21:
			m.Mark, err = u32s(m.Mark, typ, v, x)
		case 22:
			m.Nhid, err = u32s(m.Nhid, typ, v, x)
		case 23:
			m.Expires, err = appendPacked(m.Expires, typ, v, x, u64)
		case 24:
			err = sub(func() error {
				if m.Cache == nil {
					m.Cache = &pb.ListColumn{}
				}
				return fastListColumn(m.Cache, v)
			})
		case 25:
			err = sub(func() error {
				if m.Raw == nil {
					m.Raw = &pb.RawAttrColumn{}
				}
				return fastRawAttrColumn(m.Raw, v)
			})
		}
		return
	})
}

func fastShuffled(m *pb.ShuffledBytesColumn, v []byte) error {
	return fastSized(&m.Size, &m.Data, v)
}

// fastInet decodes an InetSockets message. Byte slices of the result
// alias b.
func fastInet(m *pb.InetSockets, b []byte) error {
	u32 := map[protowire.Number]*[]uint32{
		2: &m.Proto, 3: &m.RawProto, 4: &m.Family, 5: &m.State, 7: &m.LocalPort, 9: &m.RemotePort,
		10: &m.Ifindex, 12: &m.Timer, 13: &m.Retrans, 14: &m.Expires, 15: &m.RecvQ, 16: &m.SendQ,
		17: &m.Uid, 19: &m.Refcount, 20: &m.Probes, 21: &m.Drops, 22: &m.Rto, 23: &m.Ato,
		24: &m.QuickAck, 25: &m.Cwnd, 27: &m.Shutdown, 28: &m.Tos, 29: &m.Tclass, 30: &m.Mark,
		32: &m.V6Only,
	}
	u64s := map[protowire.Number]*[]uint64{11: &m.Cookie, 18: &m.Inode, 31: &m.CgroupId}
	err := walkMsg(b, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) (err error) {
		if p, ok := u32[num]; ok {
			*p, err = u32s(*p, typ, v, x)
			return
		}
		if p, ok := u64s[num]; ok {
			*p, err = appendPacked(*p, typ, v, x, u64)
			return
		}
		msg := func(dst func() error) error {
			if err := wantBytes(typ); err != nil {
				return err
			}
			return dst()
		}
		switch num {
		case 1:
			if typ != protowire.VarintType {
				return errWire
			}
			m.Rows = uint32(x)
		case 6:
			err = msg(func() error {
				if m.Local == nil {
					m.Local = &pb.AddrColumn{}
				}
				return fastAddrColumn(m.Local, v)
			})
		case 8:
			err = msg(func() error {
				if m.Remote == nil {
					m.Remote = &pb.AddrColumn{}
				}
				return fastAddrColumn(m.Remote, v)
			})
		case 26:
			m.Ssthresh, err = appendPacked(m.Ssthresh, typ, v, x, s32)
		case 39:
			m.CookieDelta, err = appendPacked(m.CookieDelta, typ, v, x, s64)
		case 40:
			m.InodeDelta, err = appendPacked(m.InodeDelta, typ, v, x, s64)
		case 33:
			err = msg(func() error {
				if m.Cong == nil {
					m.Cong = &pb.StringColumn{}
				}
				return fastStringColumn(m.Cong, v)
			})
		case 34:
			err = msg(func() error {
				if m.MemInfo == nil {
					m.MemInfo = &pb.ListColumn{}
				}
				return fastListColumn(m.MemInfo, v)
			})
		case 35:
			err = msg(func() error {
				if m.SkMem == nil {
					m.SkMem = &pb.ListColumn{}
				}
				return fastListColumn(m.SkMem, v)
			})
		case 36:
			err = msg(func() error {
				if m.TcpInfo == nil {
					m.TcpInfo = &pb.BytesColumn{}
				}
				return fastBytesColumn(m.TcpInfo, v)
			})
		case 37:
			err = msg(func() error {
				if m.Raw == nil {
					m.Raw = &pb.RawAttrColumn{}
				}
				return fastRawAttrColumn(m.Raw, v)
			})
		case 38:
			err = msg(func() error {
				if m.TcpInfoShuffled == nil {
					m.TcpInfoShuffled = &pb.ShuffledBytesColumn{}
				}
				return fastShuffled(m.TcpInfoShuffled, v)
			})
		}
		return
	})
	if err != nil {
		return fmt.Errorf("inet sockets: %w", err)
	}
	return nil
}
