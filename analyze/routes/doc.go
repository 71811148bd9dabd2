// Package routes selects the rows of netstat -r from a snapshot's routes
// and runs the route filter engine of -f (the man page's keyword:value
// filters) offline.
//
// Use:
//
//	e, err := routes.ParseAll(args, routes.Env{Ifaces: routes.NewLinkNames(t.Links, t.Addrs)})
//	rows := routes.Select(t.Routes, all, e)   // one Row per next hop
//
// Rows (Select, -a): one row per next hop, in route order; a route
// without next hops gives one row. Without -a only the main table's
// unicast, blackhole, unreachable and prohibit routes are shown — no
// local, broadcast, anycast, multicast, throw or nat entries, no
// route-cache exceptions, no other tables. With -a every route of every
// table and every exception. A table: filter replaces "the main table"
// by the tables it names; the type rule still hides the -a entries.
// Hiding comes before filtering, as in netstat.
//
// Filters (Parse, Compile). The -f grammar and its Linux meaning, for
// docs/FORMS.md:
//
//	af:{inet|inet6|unix|N}   the route's family (IPv4/IPv6 multicast-routing
//	                         families count as inet/inet6); a bare
//	                         "-f inet" is af:inet
//	outif:{name|N|any|none}  any next hop's output device; a name also
//	                         matches its logical interfaces name:N, and
//	                         name:N matches routes of that address label (a
//	                         local route to a labelled address, or a route
//	                         whose preferred source is one); N is an
//	                         ifIndex and matches that device; any = some
//	                         next hop has a device, none = no next hop has
//	inif:{name|N|any|none}   the route's input interface (RTA_IIF, set on
//	                         multicast and policy-routed entries)
//	dst:{addr[/mask]|any|none}
//	                         the destination prefix. Without a mask: every
//	                         route whose network contains addr, default
//	                         included. With /n: routes whose prefix length
//	                         is n or more and agree with addr in n bits.
//	                         n may be 0–32 (IPv4) or 0–128 (IPv6), or a
//	                         contiguous dotted mask (255.255.0.0) for IPv4.
//	                         any = destination address not zero (all but
//	                         default routes), none = address zero.
//	src:{addr[/mask]|any|none}
//	                         as dst, on the source prefix of a
//	                         source-specific route (RTA_SRC), else on the
//	                         preferred source (RTA_PREFSRC) as a host
//	                         prefix; a route with neither has no source
//	                         and matches only none.
//	flags:[+|-]LETTERS       per row: exactly these flags; + at least
//	                         these; - none of these. Letters
//	                         ABDGHLMSU and R (Linux extension, see Flags).
//	table:{name|id|all}      Linux extension: the routing table, by a name
//	                         of the captured rt_tables (main, local,
//	                         default, unspec are always known), an id, or
//	                         every table.
//
// Filters of one keyword are ORed, different keywords ANDed. An address
// filter of one family never matches routes of the other. Host names in
// dst:/src: resolve only through Env.Hosts (the captured hosts file); a
// name with several addresses matches any of them. Unlike illumos, every
// documented keyword exists, ifIndex values match by index, /32 and /128
// are accepted, and dotted IPv4 masks work.
//
// Errors are *Error values naming the -f value: unknown keyword, unknown
// address family, bad address, mask out of range, illegal mask format,
// illegal flag, missing flag list, and (from Compile) unknown interface,
// table or host.
package routes
