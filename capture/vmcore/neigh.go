package vmcore

import (
	"fmt"
	"net/netip"

	"github.com/netmortem/netmortem/capture/vmcore/btfx"
	"github.com/netmortem/netmortem/snapshots"
)

const nudValid = 0x80 | 0x40 | 0x02 | 0x10 | 0x04 | 0x08 // NUD_VALID

func (w *walker) neighbours() ([]snapshots.Neighbour, error) {
	l := btfx.NewLayout(w.d.Types)
	nht, keyLen := l.F("neigh_table", "nht"), l.F("neigh_table", "key_len")
	shift := l.F("neigh_hash_table", "hash_shift")
	buckets, hasBuckets := l.Opt("neigh_hash_table", "hash_buckets")
	heads, hasHeads := l.Opt("neigh_hash_table", "hash_heads") // hlist variant of newer kernels
	hashNode, _ := l.Opt("neighbour", "hash")
	if !hasBuckets && !hasHeads {
		l.F("neigh_hash_table", "hash_buckets")
	}
	next, _ := l.Opt("neighbour", "next")
	state, flags, typ := l.F("neighbour", "nud_state"), l.F("neighbour", "flags"), l.F("neighbour", "type")
	ha, dev, key := l.F("neighbour", "ha"), l.F("neighbour", "dev"), l.F("neighbour", "primary_key")
	refcnt, probes := l.F("neighbour", "refcnt"), l.F("neighbour", "probes")
	proto, _ := l.Opt("neighbour", "protocol")
	flagsExt, hasExt := l.Opt("neighbour", "flags_ext")
	nSize := l.Size("neighbour")
	devIdx, devNet, devAddrLen := l.F("net_device", "ifindex"), l.F("net_device", "nd_net.net"), l.F("net_device", "addr_len")
	if err := l.Err(); err != nil {
		return nil, err
	}
	var out []snapshots.Neighbour
	devs := map[uint64][3]uint64{} // dev -> ifindex, net, addr_len
	found := 0
	for _, tbl := range []struct {
		sym    string
		family uint8
	}{{"arp_tbl", snapshots.AFInet}, {"nd_tbl", snapshots.AFInet6}} {
		ta, ok := w.d.Syms.Lookup(tbl.sym)
		if !ok {
			w.errf("no symbol %s", tbl.sym)
			continue
		}
		found++
		to, err := w.d.obj(ta, nht.Off+8)
		if err != nil {
			w.errf("%s: %v", tbl.sym, err)
			continue
		}
		kl, _ := w.d.Mem.Bytes(ta+uint64(keyLen.Off), int(keyLen.Size))
		klen := int(btfx.Obj(kl).U(btfx.Field{Size: keyLen.Size}))
		h := to.U(nht)
		if h == 0 {
			continue
		}
		ho, err := w.d.obj(h, max(shift.Off+shift.Size, buckets.Off+8, heads.Off+8))
		if err != nil {
			w.errf("%s hash table: %v", tbl.sym, err)
			continue
		}
		sh := ho.U(shift)
		if sh > 24 {
			w.errf("%s: hash_shift %d is implausible", tbl.sym, sh)
			continue
		}
		arr, linkOff := ho.U(buckets), next.Off
		if !hasBuckets {
			arr, linkOff = ho.U(heads), hashNode.Off
		}
		nb := 1 << sh
		bb, err := w.d.Mem.Bytes(arr, nb*8)
		if err != nil {
			w.errf("%s buckets: %v", tbl.sym, err)
			continue
		}
		n := 0
		for i := 0; i < nb; i++ {
			for p := btfx.Obj(bb).At(uint32(i * 8)); p != 0; n++ {
				if n >= w.max {
					w.errf("%s walk cut off", tbl.sym)
					break
				}
				ne, err := w.d.obj(p-uint64(linkOff), nSize+16)
				if err != nil {
					w.errf("%s neighbour %#x: %v", tbl.sym, p, err)
					break
				}
				p = ne.At(linkOff)
				dv := ne.U(dev)
				di, ok := devs[dv]
				if !ok && dv != 0 {
					if o, err := w.d.obj(dv, max(devIdx.Off+4, devNet.Off+8, devAddrLen.Off+1)); err == nil {
						di = [3]uint64{uint64(o.S(devIdx)), o.U(devNet), o.U(devAddrLen)}
					}
					devs[dv] = di
				}
				if di[1] != w.net {
					continue
				}
				kb := ne.B(btfx.Field{Off: key.Off, Size: uint32(klen)})
				var addr netip.Addr
				switch {
				case tbl.family == snapshots.AFInet && len(kb) == 4:
					addr = netip.AddrFrom4([4]byte(kb))
				case tbl.family == snapshots.AFInet6 && len(kb) == 16:
					addr = netip.AddrFrom16([16]byte(kb))
				default:
					w.errf("%s: key length %d", tbl.sym, klen)
					continue
				}
				nb := snapshots.Neighbour{
					Family: tbl.family, Index: int32(di[0]), Addr: addr, State: uint16(ne.U(state)),
					Flags: uint32(ne.U(flags)), Type: uint8(ne.U(typ)), Probes: uint32(ne.U(probes)),
					RefCnt: uint32(ne.U(refcnt)),
				}
				if nb.RefCnt > 0 {
					nb.RefCnt-- // netlink reports refcnt - 1
				}
				if proto.Size > 0 {
					nb.Protocol = uint8(ne.U(proto))
				}
				if hasExt {
					nb.Flags |= uint32(ne.U(flagsExt)) << 8
				}
				if nb.State&nudValid != 0 {
					if b := ne.B(ha); len(b) >= int(di[2]) && di[2] > 0 {
						nb.LLAddr = append([]byte(nil), b[:di[2]]...)
					}
				}
				out = append(out, nb)
			}
		}
	}
	if found == 0 {
		return nil, fmt.Errorf("neither arp_tbl nor nd_tbl is in kallsyms")
	}
	return out, nil
}
