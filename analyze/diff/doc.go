// Package diff compares two captures of one network namespace, table by
// table, for `netmortem diff`.
//
// Use:
//
//	res := diff.Compare(&diff.Side{Tables: …, Time: …, BootTime: …}, &diff.Side{…}, diff.Options{})
//	for _, s := range res.Sections { … s.Added, s.Removed, s.Changed, s.Unchanged, s.Rows, s.Counters }
//
// Rows are joined by key, never by position: a hash join on each table's
// key (after a first pass that pairs equal keys met in step, since the
// kernel dumps both sides in the same order), linear in the rows. A row
// whose compared fields are equal is unchanged; volatile fields are not
// compared, and counters are reported as deltas, not as changes. Keys and
// compared fields, per section:
//
//	interfaces   key name. Compared: index, kind, type, flags, state, MTU,
//	             link-layer, broadcast and permanent addresses, master,
//	             parent (same namespace), qdisc, qlen, group, promiscuity,
//	             mode, alias, altnames, and the addresses (address/prefix,
//	             peer, broadcast, anycast, scope, label, flags, proto).
//	             Volatile: address lifetimes, carrier (flags say it),
//	             /sys attributes. Counters: rtnl_link_stats64.
//	routes       key table, family, type, destination, source, TOS, metric,
//	             and route-cache exception or not. Compared: next hops
//	             (gateway, device, weight, flags, realms, encap), protocol,
//	             scope, preferred source, input interface, RTAX metrics,
//	             congctl, rtm flags, pref, mark, nhid. Volatile: expiry,
//	             cache statistics.
//	rules        key family, priority and the selector (not, from, to, tos,
//	             fwmark/mask, iif, oif, uidrange, ipproto, sport, dport,
//	             l3mdev). Compared: action, table, goto, suppress_*,
//	             protocol, realms, other flags.
//	neighbours   key family, device, address, proxy entry. Compared:
//	             link-layer address, state by class, flags, type, VLAN,
//	             master, protocol. Volatile: ages, reference and probe
//	             counts, and moves among REACHABLE, STALE, DELAY, PROBE.
//	inet         key protocol, family, local and remote address (and the
//	             raw protocol); among equal keys the same inode pairs
//	             first. Compared: state, queues by emptiness (a listener's
//	             backlog limit exactly), device, uid, inode, owners,
//	             shutdown, v6only, tos, tclass, mark, cgroup, congestion
//	             algorithm. Volatile: timers, retransmits, probes, cookie,
//	             reference count, RTO/ATO/cwnd, memory, TCP_INFO.
//	             Counters: UDP and raw drops.
//	unix         key type and name for listening or unconnected named
//	             sockets (a restarted server is the same socket, changed),
//	             type and inode for the others. Compared: state, path,
//	             inode, peer, queues by emptiness, shutdown, uid, owners.
//	             Volatile: reference count, pending connections, memory.
//	packet       key type, protocol, device. Compared: running, uid, inode,
//	             owners. Volatile: receive memory, reference count.
//	sctp         endpoints by port and bound addresses (type, state, uid,
//	             inode, owners); associations by ports and peer addresses
//	             (state, local addresses, primary peer, streams, uid,
//	             inode, owners). Volatile: queues, timers, retransmissions,
//	             heartbeats, buffers.
//	groups       memberships by family, interface, group and source
//	             addresses (filter mode, users; volatile: report timers,
//	             reporter mark, MLD flags); IGMP interfaces by name
//	             (querier version); link-layer groups by interface and
//	             address (users, global).
//	mroute       vifs by family and number (name, flags, local or device,
//	             remote); cache entries by family, table, source, group
//	             (input, outputs with TTLs, resolved; volatile: expiry).
//	             Counters: bytes and packets of each.
//	stats        counters by source, group and name (snmp, netstat, snmp6,
//	             dev_snmp6/IF, sctp/snmp; sockstat values are levels) and
//	             softnet per CPU; /proc/net/protocols rows by name (size,
//	             maxhdr, slab, module, methods, pressure; sockets and
//	             memory are levels).
//	memory       sysctls by name (value); slab caches by name (object
//	             size and layout; object counts are levels).
//	dhcp         leases by interface and family, the current (latest)
//	             lease of each: client, address, server, routers, times,
//	             bootp, options.
//
// owners is part of the socket tables; files and names are raw material
// and are not compared.
//
// Counters are described in counters.go: deltas, rates over the time
// between the two captures of the table, and resets (reboot, namespace or
// interface re-created, 32-bit or 64-bit wrap, entry re-created, unknown)
// that never turn into a huge number.
package diff
