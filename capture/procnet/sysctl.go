package procnet

import (
	"net/netip"

	"github.com/netmortem/netmortem/snapshots"
)

// MemorySysctls are the sysctls, as paths under /proc/sys/net, that the
// memory table keeps: socket-memory limits (netstat -m), and the values
// netstat -s shows (forwarding, TTLs, SCTP timers). Live capture and
// sosreport import both fill the memory table from this list, so that the
// two agree.
var MemorySysctls = []string{
	"ipv4/tcp_mem", "ipv4/udp_mem", "ipv4/tcp_rmem", "ipv4/tcp_wmem", "ipv4/udp_rmem_min",
	"ipv4/udp_wmem_min", "ipv4/ipfrag_high_thresh", "ipv4/ipfrag_low_thresh", "ipv4/ipfrag_time",
	"ipv6/ip6frag_high_thresh", "ipv6/ip6frag_low_thresh", "core/rmem_default", "core/rmem_max",
	"core/wmem_default", "core/wmem_max", "core/optmem_max", "core/netdev_max_backlog",
	"core/netdev_budget", "core/somaxconn", "ipv4/tcp_max_orphans", "ipv4/tcp_max_tw_buckets",
	"ipv4/ip_forward", "ipv6/conf/all/forwarding", "ipv4/ip_default_ttl", "ipv6/conf/all/hop_limit",
	"ipv4/tcp_rto_min_us", "ipv4/tcp_syn_retries", "ipv4/tcp_retries2",
	"sctp/rto_min", "sctp/rto_max", "sctp/rto_initial", "sctp/valid_cookie_life",
	"sctp/max_init_retransmits", "sctp/sctp_mem", "sctp/sctp_rmem", "sctp/sctp_wmem",
}

// MergeMFC joins the /proc view of the default multicast routing table
// (vif numbers, counters) with netlink's view of every table (ifindexes)
// on (family, source, group); entries only one side has are kept as they
// are.
func MergeMFC(proc, nl []snapshots.MFCEntry) []snapshots.MFCEntry {
	type key struct {
		fam      uint8
		src, grp netip.Addr
	}
	byKey := map[key]int{}
	out := make([]snapshots.MFCEntry, 0, len(proc)+len(nl))
	for _, e := range nl {
		byKey[key{e.Family, e.Source, e.Group}] = len(out)
		out = append(out, e)
	}
	for _, p := range proc {
		i, ok := byKey[key{p.Family, p.Source, p.Group}]
		if !ok || (out[i].Table != 0 && out[i].Table != 253) {
			out = append(out, p)
			continue
		}
		e := &out[i]
		e.IIFVif = p.IIFVif
		// /proc gives vif numbers, netlink ifindexes; match by position
		// when both list the same number of outputs.
		if len(e.Oifs) == len(p.Oifs) {
			for j := range e.Oifs {
				e.Oifs[j].Vif = p.Oifs[j].Vif
			}
		} else if len(e.Oifs) == 0 {
			e.Oifs = p.Oifs
		}
		if e.Packets == 0 && e.Bytes == 0 {
			e.Packets, e.Bytes, e.WrongIf = p.Packets, p.Bytes, p.WrongIf
		}
	}
	return out
}
