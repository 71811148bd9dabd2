package snapshots

import (
	"errors"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/netmortem/netmortem/snapshots/pb"
)

// A decoder of the Index message written against protowire, like the
// Routes one. Opening a file decodes only the index, and proto.Unmarshal's
// first call builds the reflection tables of every message in
// snapshot.proto: several milliseconds that `netmortem info` would spend
// on a message of a few kilobytes. FuzzFastIndex holds it to
// proto.Unmarshal both ways: it accepts what that accepts, with the same
// result. As there, a known field with another wire type than its own is
// an unknown field, skipped.

var errUTF8 = errors.New("string field contains invalid UTF-8")

// Field decoders of the shapes the index uses: each stores the value into
// p, or skips a field of another wire type.

func strField(p *string, typ protowire.Type, v []byte) error {
	if typ != protowire.BytesType {
		return nil
	}
	if !utf8.Valid(v) {
		return errUTF8
	}
	*p = string(v)
	return nil
}

func strsField(p *[]string, typ protowire.Type, v []byte) error {
	var s string
	if typ != protowire.BytesType {
		return nil
	}
	if err := strField(&s, typ, v); err != nil {
		return err
	}
	*p = append(*p, s)
	return nil
}

// varintField decodes a singular varint field with conv (the conversions
// of fastpb.go).
func varintField[T any](p *T, typ protowire.Type, x uint64, conv func(uint64) (T, bool)) error {
	if typ == protowire.VarintType {
		*p, _ = conv(x)
	}
	return nil
}

func i64(x uint64) (int64, bool)    { return int64(x), true }
func i32(x uint64) (int32, bool)    { return int32(x), true }
func boolean(x uint64) (bool, bool) { return x != 0, true }

// msgsField decodes one element of a repeated sub-message.
func msgsField[M any](p *[]*M, typ protowire.Type, v []byte, dec func(*M, []byte) error) error {
	if typ != protowire.BytesType {
		return nil
	}
	m := new(M)
	if err := dec(m, v); err != nil {
		return err
	}
	*p = append(*p, m)
	return nil
}

func fastIndex(m *pb.Index, b []byte) error {
	return walkMsg(b, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
		switch num {
		case 1:
			if typ != protowire.BytesType {
				return nil
			}
			if m.Meta == nil { // given twice, the two are merged
				m.Meta = &pb.Meta{}
			}
			return fastMeta(m.Meta, v)
		case 2:
			return msgsField(&m.Namespaces, typ, v, fastNamespace)
		case 3:
			return msgsField(&m.Frames, typ, v, fastFrame)
		case 4:
			return msgsField(&m.Sections, typ, v, fastSection)
		}
		return nil
	})
}

func fastMeta(m *pb.Meta, b []byte) error {
	return walkMsg(b, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
		switch num {
		case 1:
			return strField(&m.Hostname, typ, v)
		case 2:
			return strField(&m.KernelRelease, typ, v)
		case 3:
			return strField(&m.KernelVersion, typ, v)
		case 4:
			return strField(&m.Machine, typ, v)
		case 5:
			return varintField(&m.BigEndian, typ, x, boolean)
		case 6:
			return varintField(&m.BootTime, typ, x, i64)
		case 7:
			return varintField(&m.ClockTicks, typ, x, u32)
		case 8:
			return varintField(&m.PageSize, typ, x, u32)
		case 9:
			return varintField(&m.CaptureStart, typ, x, i64)
		case 10:
			return varintField(&m.CaptureEnd, typ, x, i64)
		case 11:
			return strField(&m.ToolVersion, typ, v)
		case 12:
			return strField(&m.SourceKind, typ, v)
		case 13:
			return strField(&m.SourceOrigin, typ, v)
		case 14:
			return strField(&m.SourceDetail, typ, v)
		case 15:
			return strsField(&m.CommandLine, typ, v)
		case 16:
			return strsField(&m.Warnings, typ, v)
		}
		return nil
	})
}

func fastNamespace(m *pb.Namespace, b []byte) error {
	return walkMsg(b, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) (err error) {
		switch num {
		case 1:
			return varintField(&m.Id, typ, x, u32)
		case 2:
			return strField(&m.Name, typ, v)
		case 3:
			return varintField(&m.Inode, typ, x, u64)
		case 4:
			return varintField(&m.Host, typ, x, boolean)
		case 5:
			if typ == protowire.VarintType || typ == protowire.BytesType {
				m.Pids, err = appendPacked(m.Pids, typ, v, x, i32)
			}
		case 6:
			return strsField(&m.Hints, typ, v)
		case 7:
			return varintField(&m.Gone, typ, x, boolean)
		}
		return
	})
}

func fastFrame(m *pb.Frame, b []byte) error {
	return walkMsg(b, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
		switch num {
		case 1:
			return varintField(&m.Index, typ, x, u32)
		case 2:
			return varintField(&m.Start, typ, x, i64)
		case 3:
			return varintField(&m.End, typ, x, i64)
		}
		return nil
	})
}

func fastSection(m *pb.Section, b []byte) error {
	return walkMsg(b, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
		switch num {
		case 1:
			return varintField(&m.Frame, typ, x, s32)
		case 2:
			return varintField(&m.Namespace, typ, x, s32)
		case 3:
			return strField(&m.Table, typ, v)
		case 4:
			return varintField(&m.State, typ, x, u32)
		case 5:
			return strField(&m.Reason, typ, v)
		case 6:
			return strsField(&m.Sources, typ, v)
		case 7:
			return varintField(&m.Time, typ, x, i64)
		case 8:
			return varintField(&m.Retries, typ, x, u32)
		case 9:
			return varintField(&m.Offset, typ, x, u64)
		case 10:
			return varintField(&m.Compressed, typ, x, u64)
		case 11:
			return varintField(&m.Size, typ, x, u64)
		case 12:
			return varintField(&m.Rows, typ, x, u64)
		case 13:
			if typ == protowire.Fixed32Type {
				m.Crc32C = uint32(x)
			}
		case 14:
			if typ == protowire.BytesType {
				m.Hash = append([]byte{}, v...)
			}
		case 15:
			return varintField(&m.Base, typ, x, u32)
		}
		return nil
	})
}
