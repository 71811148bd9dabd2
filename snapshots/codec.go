package snapshots

import (
	"fmt"
	"slices"
	"unsafe"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/netmortem/netmortem/snapshots/pb"
)

// encodeTable marshals table t of ts into its section payload.
func encodeTable(t Table, ts *Tables) ([]byte, error) {
	parts, size, err := encodeTableParts(t, ts)
	if err != nil {
		return nil, err
	}
	return joinParts(parts, size), nil
}

// joinParts returns the parts of a payload in one piece.
func joinParts(parts [][]byte, size int) []byte {
	if len(parts) == 1 {
		return parts[0]
	}
	b := slices.Grow(parts[0], size-len(parts[0]))
	for _, p := range parts[1:] {
		b = append(b, p...)
	}
	return b
}

// encodeTableParts marshals table t of ts into its section payload, given
// as parts that follow each other, and their total size. Only the socket
// table has more than one: its tcp_info rows are parts of their own,
// where a single-frame writer compresses them without a copy.
func encodeTableParts(t Table, ts *Tables) (parts [][]byte, size int, err error) {
	if t == TableInet {
		// tcp_info, most of the bytes, is stored whole (field 36), not
		// shuffled (38): on the scale lab's 400k sockets whole rows
		// compressed better (2.4 against 2.9 MB) and read with no copy.
		ss := ts.InetSockets
		m := encInet(ss)
		opt := proto.MarshalOptions{Deterministic: true}
		b, err := opt.MarshalAppend(make([]byte, 0, opt.Size(m)+32+5*len(ss)), m)
		if err != nil {
			return nil, 0, err
		}
		b, rows := bytesFieldParts(b, tcpInfoField, len(ss), func(i int) []byte { return ss[i].TCPInfo })
		parts = append(make([][]byte, 0, 1+len(rows)), b)
		size = len(b)
		for _, r := range rows {
			if len(r) > 0 {
				parts = append(parts, r)
				size += len(r)
			}
		}
		return parts, size, nil
	}
	b, err := encodeOther(t, ts)
	return [][]byte{b}, len(b), err
}

func encodeOther(t Table, ts *Tables) ([]byte, error) {
	var m proto.Message
	switch t {
	case TableLinks:
		m = encLinks(ts.Links)
	case TableAddrs:
		m = encAddrsTable(ts.Addrs)
	case TableRoutes:
		m = encRoutes(ts.Routes)
	case TableRules:
		m = encRules(ts.Rules)
	case TableNeigh:
		m = encNeighbours(ts.Neighbours)
	case TableUnix:
		m = encUnix(ts.UnixSockets)
	case TablePacket:
		m = encPacket(ts.PacketSockets)
	case TableSCTP:
		m = encSCTP(ts)
	case TableGroups:
		m = encGroups(ts)
	case TableMroute:
		m = encMroute(ts)
	case TableStats:
		m = encStats(ts)
	case TableMemory:
		m = encMemory(ts)
	case TableDHCP:
		m = encLeases(ts.Leases)
	case TableOwners:
		m = encOwners(ts.Owners)
	case TableFiles, TableNames:
		m = encFiles(ts.Files)
	default:
		return nil, fmt.Errorf("unknown table %q", t)
	}
	return proto.MarshalOptions{Deterministic: true}.Marshal(m)
}

// The field numbers of InetSockets.tcp_info and tcp_info_shuffled
// (constants: asking the descriptor would build the whole file's
// descriptors at every start; TestTCPInfoFields checks them).
const (
	tcpInfoField         protowire.Number = 36
	tcpInfoShuffledField protowire.Number = 38
)

// rowLimit refuses a column-oriented section whose row count would need
// more than limit bytes of model values; the count comes from the file and
// is checked before anything is allocated.
func rowLimit(what string, rows uint64, rowSize uintptr, limit int64) error {
	if limit > 0 && rows > uint64(limit)/uint64(rowSize) {
		return fmt.Errorf("%s claims %d rows, more than the memory limit of %d bytes allows", what, rows, limit)
	}
	return nil
}

// decodeTable unmarshals a section payload of table t into ts.
func decodeTable(t Table, data []byte, ts *Tables, limit int64) error {
	var err error
	switch t {
	case TableLinks:
		m := &pb.Links{}
		if err = proto.Unmarshal(data, m); err == nil {
			ts.Links, err = decLinks(m)
		}
	case TableAddrs:
		m := &pb.Addrs{}
		if err = proto.Unmarshal(data, m); err == nil {
			ts.Addrs, err = decAddrsTable(m)
		}
	case TableRoutes:
		m := &pb.Routes{}
		if err = fastRoutes(m, data); err == nil {
			if err = rowLimit("routes", uint64(m.GetRows()), unsafe.Sizeof(Route{}), limit); err == nil {
				if err = rowLimit("next hops", uint64(m.GetNexthops().GetRows()), unsafe.Sizeof(NextHop{}), limit); err == nil {
					ts.Routes, err = decRoutes(m)
				}
			}
		}
	case TableRules:
		m := &pb.Rules{}
		if err = proto.Unmarshal(data, m); err == nil {
			ts.Rules, err = decRules(m)
		}
	case TableNeigh:
		m := &pb.Neighbours{}
		if err = proto.Unmarshal(data, m); err == nil {
			if err = rowLimit("neighbours", uint64(m.GetRows()), unsafe.Sizeof(Neighbour{}), limit); err == nil {
				ts.Neighbours, err = decNeighbours(m)
			}
		}
	case TableInet:
		m := &pb.InetSockets{}
		if err = fastInet(m, data); err == nil {
			if err = rowLimit("sockets", uint64(m.GetRows()), unsafe.Sizeof(InetSocket{}), limit); err == nil {
				ts.InetSockets, err = decInet(m)
			}
		}
	case TableUnix:
		m := &pb.UnixSockets{}
		if err = proto.Unmarshal(data, m); err == nil {
			ts.UnixSockets, err = decUnix(m)
		}
	case TablePacket:
		m := &pb.PacketSockets{}
		if err = proto.Unmarshal(data, m); err == nil {
			ts.PacketSockets, err = decPacket(m)
		}
	case TableSCTP:
		m := &pb.SCTP{}
		if err = proto.Unmarshal(data, m); err == nil {
			err = decSCTP(m, ts)
		}
	case TableGroups:
		m := &pb.Groups{}
		if err = proto.Unmarshal(data, m); err == nil {
			err = decGroups(m, ts)
		}
	case TableMroute:
		m := &pb.Mroute{}
		if err = proto.Unmarshal(data, m); err == nil {
			err = decMroute(m, ts)
		}
	case TableStats:
		m := &pb.Stats{}
		if err = proto.Unmarshal(data, m); err == nil {
			err = decStats(m, ts)
		}
	case TableMemory:
		m := &pb.Memory{}
		if err = proto.Unmarshal(data, m); err == nil {
			err = decMemory(m, ts)
		}
	case TableDHCP:
		m := &pb.Leases{}
		if err = proto.Unmarshal(data, m); err == nil {
			ts.Leases, err = decLeases(m)
		}
	case TableOwners:
		m := &pb.Owners{}
		if err = proto.Unmarshal(data, m); err == nil {
			if err = rowLimit("owners", uint64(m.GetRows()), unsafe.Sizeof(SocketOwner{}), limit); err == nil {
				ts.Owners, err = decOwners(m)
			}
		}
	case TableFiles, TableNames:
		m := &pb.Files{}
		if err = proto.Unmarshal(data, m); err == nil {
			ts.Files = decFiles(m)
		}
	default:
		return fmt.Errorf("unknown table %q", t)
	}
	return err
}
