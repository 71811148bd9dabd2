package snapshots

import (
	"encoding/binary"
	"testing"
)

func TestDecodeTCPInfo(t *testing.T) {
	b := make([]byte, 248)
	b[0], b[6], b[7] = 1, 0x97, 0x05
	binary.LittleEndian.PutUint32(b[8:], 204000)
	binary.LittleEndian.PutUint32(b[16:], 1448)
	binary.LittleEndian.PutUint64(b[120:], 1<<40)
	binary.LittleEndian.PutUint32(b[228:], 65535)
	binary.LittleEndian.PutUint32(b[232:], 131072)
	binary.LittleEndian.PutUint16(b[240:], 3)
	ti, ok := DecodeTCPInfo(b, binary.LittleEndian)
	if !ok || ti.State != 1 || ti.SndWscale != 7 || ti.RcvWscale != 9 || !ti.DeliveryRateAppLimited ||
		ti.FastopenClientFail != 2 || ti.RTO != 204000 || ti.SndMSS != 1448 || ti.BytesAcked != 1<<40 ||
		ti.SndWnd != 65535 || ti.RcvWnd != 131072 || ti.TotalRTO != 3 {
		t.Fatalf("%+v", ti)
	}
	// An old kernel's 104-byte blob: later fields read as zero.
	old, ok := DecodeTCPInfo(b[:104], binary.LittleEndian)
	if !ok || old.RTO != 204000 || old.SndWnd != 0 || old.BytesAcked != 0 || old.Len != 104 {
		t.Fatalf("%+v", old)
	}
	if _, ok := DecodeTCPInfo(b[:7], binary.LittleEndian); ok {
		t.Fatal("7 bytes decoded")
	}
	// Big-endian hosts encode the same values the other way round.
	be := make([]byte, 104)
	binary.BigEndian.PutUint32(be[8:], 204000)
	if ti, _ := DecodeTCPInfo(be, binary.BigEndian); ti.RTO != 204000 {
		t.Fatalf("big endian RTO %d", ti.RTO)
	}
}
