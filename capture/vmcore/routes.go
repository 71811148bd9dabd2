package vmcore

import (
	"fmt"

	"github.com/netmortem/netmortem/capture/vmcore/btfx"
	"github.com/netmortem/netmortem/snapshots"
)

const (
	keyLength  = 32     // KEYLENGTH of the IPv4 FIB trie
	rtnRTInfo  = 0x0004 // fib6_node.fn_flags: node carries routes
	rtaxMax    = 32     // metrics read from dst_metrics at most
	hashSzMany = 256    // FIB_TABLE_HASHSZ with CONFIG_IP_MULTIPLE_TABLES
	hashSzFew  = 2
)

func (w *walker) routes() ([]snapshots.Route, error) {
	r4, err4 := w.routes4()
	r6, err6 := w.routes6()
	out := append(r4, r6...)
	switch {
	case err4 != nil && err6 != nil:
		return out, fmt.Errorf("IPv4 routes: %v; IPv6 routes: %v", err4, err6)
	case err4 != nil:
		w.errf("IPv4 routes: %v", err4)
	case err6 != nil:
		w.errf("IPv6 routes: %v", err6)
	}
	return out, nil
}

// nhLayout is struct fib_nh_common.
type nhLayout struct {
	oif, gwFamily, gw, flags, weight, scope btfx.Field
}

func nhcLayout(l *btfx.Layout) nhLayout {
	return nhLayout{
		oif: l.F("fib_nh_common", "nhc_oif"), gwFamily: l.F("fib_nh_common", "nhc_gw_family"),
		gw: l.F("fib_nh_common", "nhc_gw"), flags: l.F("fib_nh_common", "nhc_flags"),
		weight: l.F("fib_nh_common", "nhc_weight"), scope: l.F("fib_nh_common", "nhc_scope"),
	}
}

// nextHop decodes a fib_nh_common at base inside o.
func (nl nhLayout) nextHop(o btfx.Obj, base uint32) (snapshots.NextHop, bool) {
	at := func(f btfx.Field) btfx.Field { f.Off += base; return f }
	nh := snapshots.NextHop{OIF: int32(o.S(at(nl.oif))), Flags: uint8(o.U(at(nl.flags))), Weight: uint16(o.U(at(nl.weight)))}
	switch o.U(at(nl.gwFamily)) {
	case snapshots.AFInet:
		nh.Gateway = ipv4(o.U(btfx.Field{Off: base + nl.gw.Off, Size: 4}))
	case snapshots.AFInet6:
		nh.Gateway = ipv6(o.B(btfx.Field{Off: base + nl.gw.Off, Size: 16}))
	}
	if nh.Weight == 0 {
		nh.Weight = 1
	}
	return nh, nh.OIF != 0 || nh.Gateway.IsValid()
}

// metrics reads a struct dst_metrics (RTAX_* values, 1-based).
func (w *walker) metrics(p uint64, arr btfx.Field) []snapshots.RouteMetric {
	if p == 0 {
		return nil
	}
	n := arr.ArrayLen()
	if n == 0 || n > rtaxMax {
		n = rtaxMax
	}
	b, err := w.d.Mem.Bytes(p+uint64(arr.Off), int(n)*4)
	if err != nil {
		return nil
	}
	var out []snapshots.RouteMetric
	for i := uint32(0); i < n; i++ {
		if v := uint32(btfx.Obj(b).U(btfx.Field{Off: 4 * i, Size: 4})); v != 0 {
			out = append(out, snapshots.RouteMetric{Type: uint16(i + 1), Value: v})
		}
	}
	return out
}

// tableHash reads the fib_table_hash array of netns_ipv4 or netns_ipv6 and
// returns the address of each table found on its hlist chains.
func (w *walker) tableHash(hashF btfx.Field, many bool, node btfx.Field) ([]uint64, error) {
	hash, err := w.d.Mem.U64(w.net + uint64(hashF.Off))
	if err != nil || hash == 0 {
		return nil, fmt.Errorf("fib_table_hash: %v", err)
	}
	sz := hashSzFew
	if many {
		sz = hashSzMany
	}
	heads, err := w.d.Mem.Bytes(hash, sz*8)
	if err != nil {
		return nil, fmt.Errorf("fib_table_hash: %w", err)
	}
	var tables []uint64
	n := 0
	for i := 0; i < sz; i++ {
		for p := btfx.Obj(heads).At(uint32(i * 8)); p != 0; n++ {
			if n > 1<<20 {
				return tables, fmt.Errorf("fib_table_hash chain %d cut off", i)
			}
			tables = append(tables, p-uint64(node.Off))
			if p, err = w.d.Mem.U64(p); err != nil {
				return tables, err
			}
		}
	}
	return tables, nil
}

func (w *walker) routes4() ([]snapshots.Route, error) {
	l := btfx.NewLayout(w.d.Types)
	hashF := l.F("net", "ipv4.fib_table_hash")
	_, many := l.Opt("netns_ipv4", "fib_has_custom_rules")
	tbNode, tbID, tbData := l.F("fib_table", "tb_hlist"), l.F("fib_table", "tb_id"), l.F("fib_table", "tb_data")
	trieKV := l.F("trie", "kv")
	kvKey, kvBits, kvLeaf, kvTnode := l.F("key_vector", "key"), l.F("key_vector", "bits"), l.F("key_vector", "leaf"), l.F("key_vector", "tnode")
	kvSize := l.Size("key_vector")
	faList, faInfo, faType := l.F("fib_alias", "fa_list"), l.F("fib_alias", "fa_info"), l.F("fib_alias", "fa_type")
	faSlen := l.F("fib_alias", "fa_slen")
	faTb, ok := l.Opt("fib_alias", "tb_id")
	if !ok {
		faTb = l.F("fib_alias", "fa_tb_id")
	}
	faTOS, ok := l.Opt("fib_alias", "fa_dscp")
	if !ok {
		faTOS = l.F("fib_alias", "fa_tos")
	}
	faSize := l.Size("fib_alias")
	fiProto, fiScope, fiFlags := l.F("fib_info", "fib_protocol"), l.F("fib_info", "fib_scope"), l.F("fib_info", "fib_flags")
	fiPrio, fiPref, fiMetrics := l.F("fib_info", "fib_priority"), l.F("fib_info", "fib_prefsrc"), l.F("fib_info", "fib_metrics")
	fiNhs, fiNh := l.F("fib_info", "fib_nhs"), l.F("fib_info", "fib_nh")
	fiNhObj, hasNhObj := l.Opt("fib_info", "nh")
	nhID, _ := l.Opt("nexthop", "id")
	fiSize := l.Size("fib_info")
	fnhSize := l.Size("fib_nh")
	fnhCommon := l.F("fib_nh", "nh_common")
	fnhClass, hasClass := l.Opt("fib_nh", "nh_tclassid")
	metArr := l.F("dst_metrics", "metrics")
	nl := nhcLayout(l)
	if err := l.Err(); err != nil {
		return nil, err
	}
	tables, err := w.tableHash(hashF, many, tbNode)
	if err != nil && len(tables) == 0 {
		return nil, err
	} else if err != nil {
		w.errf("IPv4 tables: %v", err)
	}
	var out []snapshots.Route
	budget := w.max
	for _, tb := range tables {
		to, err := w.d.obj(tb, tbData.Off+8)
		if err != nil {
			w.errf("fib_table at %#x: %v", tb, err)
			continue
		}
		id := uint32(to.U(tbID))
		data := to.U(tbData)
		root, err := w.d.Mem.U64(data + uint64(trieKV.Off+kvTnode.Off))
		if err != nil {
			w.errf("table %d trie: %v", id, err)
			continue
		}
		// Depth-first over the trie with an explicit stack.
		stack := []uint64{root}
		for len(stack) > 0 {
			n := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if n == 0 {
				continue
			}
			if budget--; budget < 0 {
				w.errf("table %d: trie walk cut off after %d nodes", id, w.max)
				break
			}
			kv, err := w.d.obj(n, kvSize)
			if err != nil {
				w.errf("table %d trie node %#x: %v", id, n, err)
				continue
			}
			bits := kv.U(kvBits)
			if bits > 0 {
				if bits > 24 {
					w.errf("table %d trie node %#x claims %d child bits", id, n, bits)
					continue
				}
				kids, err := w.d.Mem.Bytes(n+uint64(kvTnode.Off), 8<<bits)
				if err != nil {
					w.errf("table %d trie node %#x children: %v", id, n, err)
					continue
				}
				for i := (1 << bits) - 1; i >= 0; i-- {
					if c := btfx.Obj(kids).At(uint32(i * 8)); c != 0 {
						stack = append(stack, c)
					}
				}
				continue
			}
			key := uint32(kv.U(kvKey))
			for p, k := kv.U(btfx.Field{Off: kvLeaf.Off, Size: 8}), 0; p != 0; k++ {
				if k > w.max {
					w.errf("table %d: alias list cut off", id)
					break
				}
				fa, err := w.d.obj(p-uint64(faList.Off), faSize)
				if err != nil {
					w.errf("table %d fib_alias: %v", id, err)
					break
				}
				p = fa.U(btfx.Field{Off: faList.Off, Size: 8})
				if uint32(fa.U(faTb)) != id {
					continue // an alias of the table merged into this trie
				}
				slen := fa.U(faSlen)
				if slen > keyLength {
					w.errf("table %d: fib_alias with suffix length %d", id, slen)
					continue
				}
				plen := keyLength - int(slen)
				dst := ipv4(uint64(key>>24 | key>>8&0xff00 | key<<8&0xff0000 | key<<24))
				pfx, _ := dst.Prefix(plen)
				rt := snapshots.Route{
					Family: snapshots.AFInet, Table: id, Type: uint8(fa.U(faType)),
					TOS: uint8(fa.U(faTOS)), Dst: pfx,
				}
				if fi := fa.U(faInfo); fi != 0 {
					fo, err := w.d.obj(fi, fiSize+fnhSize*8)
					if err != nil {
						if fo, err = w.d.obj(fi, fiSize+fnhSize); err != nil {
							w.errf("table %d %s fib_info: %v", id, pfx, err)
							out = append(out, rt)
							continue
						}
					}
					rt.Protocol, rt.Scope = uint8(fo.U(fiProto)), uint8(fo.U(fiScope))
					rt.Flags, rt.Priority = uint32(fo.U(fiFlags)), uint32(fo.U(fiPrio))
					if ps := fo.U(fiPref); ps != 0 {
						rt.PrefSrc = ipv4(ps)
					}
					if ms := w.metrics(fo.U(fiMetrics), metArr); ms != nil {
						rt.Ext().Metrics = ms
					}
					if hasNhObj && fo.U(fiNhObj) != 0 {
						if nhID.Size > 0 {
							if v, err := w.d.Mem.U32(fo.U(fiNhObj) + uint64(nhID.Off)); err == nil {
								rt.Ext().NHID = v
							}
						}
					} else {
						nhs := int(fo.U(fiNhs))
						if nhs > 1 {
							rt.Multipath = true
						}
						for i := 0; i < nhs && i < 64; i++ {
							base := fiNh.Off + uint32(i)*fnhSize
							if uint64(base)+uint64(fnhSize) > uint64(len(fo)) {
								more, err := w.d.obj(fi, base+fnhSize)
								if err != nil {
									w.errf("table %d %s next hop %d: %v", id, pfx, i, err)
									break
								}
								fo = more
							}
							nh, ok := nl.nextHop(fo, base+fnhCommon.Off)
							if hasClass {
								nh.Realms = uint32(fo.U(btfx.Field{Off: base + fnhClass.Off, Size: fnhClass.Size}))
							}
							if ok || nhs > 1 {
								rt.NextHops = append(rt.NextHops, nh)
							}
						}
					}
				}
				out = append(out, rt)
			}
		}
	}
	return out, nil
}

func (w *walker) routes6() ([]snapshots.Route, error) {
	l := btfx.NewLayout(w.d.Types)
	hashF := l.F("net", "ipv6.fib_table_hash")
	nullF := l.F("net", "ipv6.fib6_null_entry")
	_, many := l.Opt("netns_ipv6", "fib6_has_custom_rules")
	tbNode, tbID, tbRoot := l.F("fib6_table", "tb6_hlist"), l.F("fib6_table", "tb6_id"), l.F("fib6_table", "tb6_root")
	fnLeft, fnRight, fnLeaf, fnFlags := l.F("fib6_node", "left"), l.F("fib6_node", "right"), l.F("fib6_node", "leaf"), l.F("fib6_node", "fn_flags")
	fnSub, hasSub := l.Opt("fib6_node", "subtree")
	fnSize := l.Size("fib6_node")
	fNext, fDst, fDstLen := l.F("fib6_info", "fib6_next"), l.F("fib6_info", "fib6_dst.addr"), l.F("fib6_info", "fib6_dst.plen")
	fSrc, fSrcLen := l.F("fib6_info", "fib6_src.addr"), l.F("fib6_info", "fib6_src.plen")
	fPref, fPrefLen := l.F("fib6_info", "fib6_prefsrc.addr"), l.F("fib6_info", "fib6_prefsrc.plen")
	fMetric, fFlags, fProto, fType := l.F("fib6_info", "fib6_metric"), l.F("fib6_info", "fib6_flags"), l.F("fib6_info", "fib6_protocol"), l.F("fib6_info", "fib6_type")
	fMetrics, fNh := l.F("fib6_info", "fib6_metrics"), l.F("fib6_info", "fib6_nh")
	fNhObj, hasNhObj := l.Opt("fib6_info", "nh")
	nhID, _ := l.Opt("nexthop", "id")
	f6nhCommon := l.F("fib6_nh", "nh_common")
	fSize, f6nhSize := l.Size("fib6_info"), l.Size("fib6_nh")
	metArr := l.F("dst_metrics", "metrics")
	nl := nhcLayout(l)
	if err := l.Err(); err != nil {
		return nil, err
	}
	null, _ := w.d.Mem.U64(w.net + uint64(nullF.Off))
	tables, err := w.tableHash(hashF, many, tbNode)
	if err != nil && len(tables) == 0 {
		return nil, err
	} else if err != nil {
		w.errf("IPv6 tables: %v", err)
	}
	var out []snapshots.Route
	budget := w.max
	seen := map[uint64]bool{}
	for _, tb := range tables {
		to, err := w.d.obj(tb, tbID.Off+4)
		if err != nil {
			w.errf("fib6_table at %#x: %v", tb, err)
			continue
		}
		id := uint32(to.U(tbID))
		stack := []uint64{tb + uint64(tbRoot.Off)}
		for len(stack) > 0 {
			n := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if n == 0 || seen[n] {
				continue
			}
			seen[n] = true
			if budget--; budget < 0 {
				w.errf("table %d: fib6 walk cut off after %d nodes", id, w.max)
				break
			}
			fn, err := w.d.obj(n, fnSize)
			if err != nil {
				w.errf("table %d fib6_node %#x: %v", id, n, err)
				continue
			}
			stack = append(stack, fn.U(fnRight), fn.U(fnLeft))
			if hasSub {
				stack = append(stack, fn.U(fnSub))
			}
			if fn.U(fnFlags)&rtnRTInfo == 0 {
				continue
			}
			for p, k := fn.U(fnLeaf), 0; p != 0 && p != null; k++ {
				if k > w.max {
					w.errf("table %d: route list cut off", id)
					break
				}
				fi, err := w.d.obj(p, fSize+f6nhSize)
				if err != nil {
					w.errf("table %d fib6_info %#x: %v", id, p, err)
					break
				}
				p = fi.U(fNext)
				dst, _ := ipv6(fi.B(fDst)).Prefix(int(min(fi.U(fDstLen), 128)))
				rt := snapshots.Route{
					Family: snapshots.AFInet6, Table: id, Dst: dst, Priority: uint32(fi.U(fMetric)),
					Flags: uint32(fi.U(fFlags)), Protocol: uint8(fi.U(fProto)), Type: uint8(fi.U(fType)),
				}
				if sl := fi.U(fSrcLen); sl > 0 {
					rt.Ext().Src, _ = ipv6(fi.B(fSrc)).Prefix(int(min(sl, 128)))
				}
				if fi.U(fPrefLen) > 0 {
					rt.PrefSrc = ipv6(fi.B(fPref))
				}
				if ms := w.metrics(fi.U(fMetrics), metArr); ms != nil {
					rt.Ext().Metrics = ms
				}
				if hasNhObj && fi.U(fNhObj) != 0 {
					if nhID.Size > 0 {
						if v, err := w.d.Mem.U32(fi.U(fNhObj) + uint64(nhID.Off)); err == nil {
							rt.Ext().NHID = v
						}
					}
				} else if nh, ok := nl.nextHop(fi, fNh.Off+f6nhCommon.Off); ok {
					rt.NextHops = append(rt.NextHops, nh)
				}
				out = append(out, rt)
			}
		}
	}
	return out, nil
}
