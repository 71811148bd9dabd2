package stats

import (
	"sync"

	"github.com/netmortem/netmortem/analyze/netstat"
	"github.com/netmortem/netmortem/snapshots"
)

// Ref is one Linux counter a Solaris variable is read from.
type Ref struct {
	Key
	// Family limits the ref to one address family: a Solaris UDP count
	// is the sum of Linux's Udp (IPv4) and Udp6 (IPv6) counters, each
	// only when its family is selected. 0 means always.
	Family uint8
	// PerIf marks an snmp6 counter that dev_snmp6/<if> also has, so the
	// per-interface blocks of -s -a read it from there.
	PerIf bool
}

// Var defines one Solaris variable of a -s section.
type Var struct {
	Name string
	// Gauge: a configuration value or current count, copied rather than
	// differenced in interval mode.
	Gauge  bool
	Signed bool // printed with a sign (%d), as tcpMaxConn's -1
	// From lists the Linux counters summed into the value. Empty From
	// and empty Sysctl: Linux keeps no such count, and the placeholder
	// is printed.
	From []Ref
	// Sysctl names the sysctl holding a configuration value; "{if}" is
	// replaced by the interface name, or in the total block by the
	// first of IfAll the snapshot has ("all", "default").
	Sysctl string
	IfAll  []string
	// MIBBool maps a 0/1 sysctl to the MIB's 2/1 (ipv6Forwarding:
	// 1 forwarding, 2 not forwarding).
	MIBBool bool
}

// Linux reports whether the variable has a Linux source.
func (v *Var) Linux() bool { return len(v.From) > 0 || v.Sysctl != "" }

// SectionDef defines one Solaris section of -s.
type SectionDef struct {
	Title  string
	Proto  netstat.Protocol
	Family uint8 // the family it needs; 0 means IPv4 or IPv6
	// Blocks are printed one after the other; the two-per-line pairing
	// restarts at each block (tcpInSegs ends block 1 alone on its line).
	Blocks [][]Var
	// Lines selects the IGMP layout: one count and text per line, the
	// Var names being the texts.
	Lines bool
	// PerIf: with -a, a block per interface from dev_snmp6 precedes the
	// total.
	PerIf bool
}

func snmp(group, name string) []Ref {
	return []Ref{{Key: Key{"snmp", group, name}}}
}

func tcpExt(name string) []Ref {
	return []Ref{{Key: Key{"netstat", "TcpExt", name}}}
}

func snmp6(name string) []Ref {
	return []Ref{{Key: Key{"snmp6", "", name}, PerIf: true}}
}

func sctp(name string) []Ref {
	return []Ref{{Key: Key{"sctp/snmp", "", name}}}
}

// udp sums a Udp counter of snmp (IPv4) and its Udp6 twin of snmp6.
func udp(name string) []Ref {
	return []Ref{
		{Key: Key{"snmp", "Udp", name}, Family: snapshots.AFInet},
		{Key: Key{"snmp6", "", "Udp6" + name}, Family: snapshots.AFInet6},
	}
}

func c(name string, from []Ref) Var { return Var{Name: name, From: from} }

// none is a Solaris variable Linux keeps no count of.
func none(name string) Var { return Var{Name: name} }

func icmp(names ...string) []Var {
	out := make([]Var, 0, len(names))
	for i := 0; i+1 < len(names); i += 2 {
		if names[i+1] == "" {
			out = append(out, none(names[i]))
			continue
		}
		out = append(out, c(names[i], snmp("Icmp", names[i+1])))
	}
	return out
}

func icmp6(names ...string) []Var {
	out := make([]Var, 0, len(names))
	for i := 0; i+1 < len(names); i += 2 {
		if names[i+1] == "" {
			out = append(out, none(names[i]))
			continue
		}
		out = append(out, c(names[i], snmp6(names[i+1])))
	}
	return out
}

func nones(names ...string) []Var {
	out := make([]Var, len(names))
	for i, n := range names {
		out[i] = none(n)
	}
	return out
}

// Sections lists the Solaris sections of -s in print order, each
// variable with the Linux counter it is read from
// (solaris-display-formats.md §5.3; the mapping is in docs/FORMS.md).
// Built on first use: start-up of every other command skips it.
var Sections = sync.OnceValue(func() []SectionDef {
	return []SectionDef{
		{Title: "IPv4", Proto: netstat.ProtoIP, Family: snapshots.AFInet, Blocks: [][]Var{{
			{Name: "ipForwarding", Gauge: true, Signed: true, From: snmp("Ip", "Forwarding")},
			{Name: "ipDefaultTTL", Gauge: true, Signed: true, From: snmp("Ip", "DefaultTTL")},
			c("ipInReceives", snmp("Ip", "InReceives")),
			c("ipInHdrErrors", snmp("Ip", "InHdrErrors")),
			c("ipInAddrErrors", snmp("Ip", "InAddrErrors")),
			c("ipInCksumErrs", []Ref{{Key: Key{"netstat", "IpExt", "InCsumErrors"}}}),
			c("ipForwDatagrams", snmp("Ip", "ForwDatagrams")),
			none("ipForwProhibits"),
			c("ipInUnknownProtos", snmp("Ip", "InUnknownProtos")),
			c("ipInDiscards", snmp("Ip", "InDiscards")),
			c("ipInDelivers", snmp("Ip", "InDelivers")),
			c("ipOutRequests", snmp("Ip", "OutRequests")),
			c("ipOutDiscards", snmp("Ip", "OutDiscards")),
			c("ipOutNoRoutes", snmp("Ip", "OutNoRoutes")),
			// Linux's Ip ReasmTimeout counts reassembly timeouts; the MIB's
			// ipReasmTimeout is the time limit, which is ipfrag_time.
			{Name: "ipReasmTimeout", Gauge: true, Signed: true, Sysctl: "net.ipv4.ipfrag_time"},
			c("ipReasmReqds", snmp("Ip", "ReasmReqds")),
			c("ipReasmOKs", snmp("Ip", "ReasmOKs")),
			c("ipReasmFails", snmp("Ip", "ReasmFails")),
			none("ipReasmDuplicates"),
			none("ipReasmPartDups"),
			c("ipFragOKs", snmp("Ip", "FragOKs")),
			c("ipFragFails", snmp("Ip", "FragFails")),
			c("ipFragCreates", snmp("Ip", "FragCreates")),
			none("ipRoutingDiscards"),
			c("tcpInErrs", snmp("Tcp", "InErrs")),
			c("udpNoPorts", snmp("Udp", "NoPorts")),
			c("udpInCksumErrs", snmp("Udp", "InCsumErrors")),
			c("udpInOverflows", snmp("Udp", "RcvbufErrors")),
			none("rawipInOverflows"),
			none("ipsecInSucceeded"),
			none("ipsecInFailed"),
			none("ipInIPv6"),
			none("ipOutIPv6"),
			none("ipOutSwitchIPv6"),
		}}},
		{Title: "ICMPv4", Proto: netstat.ProtoICMP, Family: snapshots.AFInet, Blocks: [][]Var{icmp(
			"icmpInMsgs", "InMsgs", "icmpInErrors", "InErrors",
			"icmpInCksumErrs", "InCsumErrors", "icmpInUnknowns", "",
			"icmpInDestUnreachs", "InDestUnreachs", "icmpInTimeExcds", "InTimeExcds",
			"icmpInParmProbs", "InParmProbs", "icmpInSrcQuenchs", "InSrcQuenchs",
			"icmpInRedirects", "InRedirects", "icmpInBadRedirects", "",
			"icmpInEchos", "InEchos", "icmpInEchoReps", "InEchoReps",
			"icmpInTimestamps", "InTimestamps", "icmpInTimestampReps", "InTimestampReps",
			"icmpInAddrMasks", "InAddrMasks", "icmpInAddrMaskReps", "InAddrMaskReps",
			"icmpInFragNeeded", "", "icmpOutMsgs", "OutMsgs",
			"icmpOutDrops", "", "icmpOutErrors", "OutErrors",
			"icmpOutDestUnreachs", "OutDestUnreachs", "icmpOutTimeExcds", "OutTimeExcds",
			"icmpOutParmProbs", "OutParmProbs", "icmpOutSrcQuenchs", "OutSrcQuenchs",
			"icmpOutRedirects", "OutRedirects", "icmpOutEchos", "OutEchos",
			"icmpOutEchoReps", "OutEchoReps", "icmpOutTimestamps", "OutTimestamps",
			"icmpOutTimestampReps", "OutTimestampReps", "icmpOutAddrMasks", "OutAddrMasks",
			"icmpOutAddrMaskReps", "OutAddrMaskReps", "icmpOutFragNeeded", "",
			"icmpInOverflows", "",
		)}},
		{Title: "IPv6", Proto: netstat.ProtoIPv6, Family: snapshots.AFInet6, PerIf: true, Blocks: [][]Var{{
			{Name: "ipv6Forwarding", Gauge: true, Sysctl: "net.ipv6.conf.{if}.forwarding", IfAll: []string{"all"}, MIBBool: true},
			{Name: "ipv6DefaultHopLimit", Gauge: true, Sysctl: "net.ipv6.conf.{if}.hop_limit", IfAll: []string{"all", "default"}},
			c("ipv6InReceives", snmp6("Ip6InReceives")),
			c("ipv6InHdrErrors", snmp6("Ip6InHdrErrors")),
			c("ipv6InTooBigErrors", snmp6("Ip6InTooBigErrors")),
			c("ipv6InNoRoutes", snmp6("Ip6InNoRoutes")),
			c("ipv6InAddrErrors", snmp6("Ip6InAddrErrors")),
			c("ipv6InUnknownProtos", snmp6("Ip6InUnknownProtos")),
			c("ipv6InTruncatedPkts", snmp6("Ip6InTruncatedPkts")),
			c("ipv6InDiscards", snmp6("Ip6InDiscards")),
			c("ipv6InDelivers", snmp6("Ip6InDelivers")),
			c("ipv6OutForwDatagrams", snmp6("Ip6OutForwDatagrams")),
			c("ipv6OutRequests", snmp6("Ip6OutRequests")),
			c("ipv6OutDiscards", snmp6("Ip6OutDiscards")),
			c("ipv6OutNoRoutes", snmp6("Ip6OutNoRoutes")),
			c("ipv6OutFragOKs", snmp6("Ip6FragOKs")),
			c("ipv6OutFragFails", snmp6("Ip6FragFails")),
			c("ipv6OutFragCreates", snmp6("Ip6FragCreates")),
			c("ipv6ReasmReqds", snmp6("Ip6ReasmReqds")),
			c("ipv6ReasmOKs", snmp6("Ip6ReasmOKs")),
			c("ipv6ReasmFails", snmp6("Ip6ReasmFails")),
			c("ipv6InMcastPkts", snmp6("Ip6InMcastPkts")),
			c("ipv6OutMcastPkts", snmp6("Ip6OutMcastPkts")),
			none("ipv6ReasmDuplicates"),
			none("ipv6ReasmPartDups"),
			none("ipv6ForwProhibits"),
			// dev_snmp6 has no Udp6 counters: per interface these are
			// placeholders.
			c("udpInCksumErrs", []Ref{{Key: Key{"snmp6", "", "Udp6InCsumErrors"}}}),
			c("udpInOverflows", []Ref{{Key: Key{"snmp6", "", "Udp6RcvbufErrors"}}}),
			none("rawipInOverflows"),
			none("ipv6InIPv4"),
			none("ipv6OutIPv4"),
			none("ipv6OutSwitchIPv4"),
		}}},
		{Title: "ICMPv6", Proto: netstat.ProtoICMPv6, Family: snapshots.AFInet6, PerIf: true, Blocks: [][]Var{
			icmp6(
				"icmp6InMsgs", "Icmp6InMsgs", "icmp6InErrors", "Icmp6InErrors",
				"icmp6InDestUnreachs", "Icmp6InDestUnreachs", "icmp6InAdminProhibs", "",
				"icmp6InTimeExcds", "Icmp6InTimeExcds", "icmp6InParmProblems", "Icmp6InParmProblems",
				"icmp6InPktTooBigs", "Icmp6InPktTooBigs", "icmp6InEchos", "Icmp6InEchos",
				"icmp6InEchoReplies", "Icmp6InEchoReplies", "icmp6InRouterSols", "Icmp6InRouterSolicits",
				"icmp6InRouterAds", "Icmp6InRouterAdvertisements", "icmp6InNeighborSols", "Icmp6InNeighborSolicits",
				"icmp6InNeighborAds", "Icmp6InNeighborAdvertisements", "icmp6InRedirects", "Icmp6InRedirects",
				"icmp6InBadRedirects", "", "icmp6InGroupQueries", "Icmp6InGroupMembQueries",
				"icmp6InGroupResps", "Icmp6InGroupMembResponses", "icmp6InGroupReds", "Icmp6InGroupMembReductions",
				"icmp6InOverflows", "",
			),
			icmp6(
				"icmp6OutMsgs", "Icmp6OutMsgs", "icmp6OutErrors", "Icmp6OutErrors",
				"icmp6OutDestUnreachs", "Icmp6OutDestUnreachs", "icmp6OutAdminProhibs", "",
				"icmp6OutTimeExcds", "Icmp6OutTimeExcds", "icmp6OutParmProblems", "Icmp6OutParmProblems",
				"icmp6OutPktTooBigs", "Icmp6OutPktTooBigs", "icmp6OutEchos", "Icmp6OutEchos",
				"icmp6OutEchoReplies", "Icmp6OutEchoReplies", "icmp6OutRouterSols", "Icmp6OutRouterSolicits",
				"icmp6OutRouterAds", "Icmp6OutRouterAdvertisements", "icmp6OutNeighborSols", "Icmp6OutNeighborSolicits",
				"icmp6OutNeighborAds", "Icmp6OutNeighborAdvertisements", "icmp6OutRedirects", "Icmp6OutRedirects",
				"icmp6OutGroupQueries", "Icmp6OutGroupMembQueries", "icmp6OutGroupResps", "Icmp6OutGroupMembResponses",
				"icmp6OutGroupReds", "Icmp6OutGroupMembReductions",
			),
		}},
		{Title: "TCP", Proto: netstat.ProtoTCP, Blocks: [][]Var{
			{
				{Name: "tcpRtoAlgorithm", Gauge: true, Signed: true, From: snmp("Tcp", "RtoAlgorithm")},
				{Name: "tcpRtoMin", Gauge: true, Signed: true, From: snmp("Tcp", "RtoMin")},
				{Name: "tcpRtoMax", Gauge: true, Signed: true, From: snmp("Tcp", "RtoMax")},
				{Name: "tcpMaxConn", Gauge: true, Signed: true, From: snmp("Tcp", "MaxConn")},
				c("tcpActiveOpens", snmp("Tcp", "ActiveOpens")),
				c("tcpPassiveOpens", snmp("Tcp", "PassiveOpens")),
				c("tcpAttemptFails", snmp("Tcp", "AttemptFails")),
				c("tcpEstabResets", snmp("Tcp", "EstabResets")),
				{Name: "tcpCurrEstab", Gauge: true, From: snmp("Tcp", "CurrEstab")},
				c("tcpOutSegs", snmp("Tcp", "OutSegs")),
				none("tcpOutDataSegs"),
				none("tcpOutDataBytes"),
				c("tcpRetransSegs", snmp("Tcp", "RetransSegs")),
				none("tcpRetransBytes"),
				none("tcpOutAck"),
				c("tcpOutAckDelayed", tcpExt("DelayedACKs")),
				none("tcpOutUrg"),
				none("tcpOutWinUpdate"),
				c("tcpOutWinProbe", tcpExt("TCPWinProbe")),
				none("tcpOutControl"),
				c("tcpOutRsts", snmp("Tcp", "OutRsts")),
				c("tcpOutFastRetrans", tcpExt("TCPFastRetrans")),
				c("tcpInSegs", snmp("Tcp", "InSegs")),
			},
			{
				none("tcpInAckSegs"),
				none("tcpInAckBytes"),
				none("tcpInDupAck"),
				none("tcpInAckUnsent"),
				none("tcpInInorderSegs"),
				none("tcpInInorderBytes"),
				c("tcpInUnorderSegs", tcpExt("TCPOFOQueue")),
				none("tcpInUnorderBytes"),
				none("tcpInDupSegs"),
				none("tcpInDupBytes"),
				none("tcpInPartDupSegs"),
				none("tcpInPartDupBytes"),
				none("tcpInPastWinSegs"),
				none("tcpInPastWinBytes"),
				none("tcpInWinProbe"),
				none("tcpInWinUpdate"),
				none("tcpInClosed"),
				none("tcpRttNoUpdate"),
				none("tcpRttUpdate"),
				c("tcpTimRetrans", tcpExt("TCPTimeouts")),
				c("tcpTimRetransDrop", tcpExt("TCPAbortOnTimeout")),
				none("tcpTimKeepalive"),
				c("tcpTimKeepaliveProbe", tcpExt("TCPKeepAlive")),
				none("tcpTimKeepaliveDrop"),
				c("tcpListenDrop", tcpExt("ListenOverflows")),
				c("tcpListenDropQ0", tcpExt("TCPReqQFullDrop")),
				none("tcpHalfOpenDrop"),
				none("tcpOutSackRetrans"),
			},
		}},
		{Title: "UDP", Proto: netstat.ProtoUDP, Blocks: [][]Var{{
			c("udpInDatagrams", udp("InDatagrams")),
			c("udpInErrors", udp("InErrors")),
			c("udpOutDatagrams", udp("OutDatagrams")),
			none("udpOutErrors"),
		}}},
		{Title: "RAWIP", Proto: netstat.ProtoRaw, Blocks: [][]Var{nones(
			"rawipInDatagrams", "rawipInErrors", "rawipInCksumErrs", "rawipOutDatagrams", "rawipOutErrors",
		)}},
		{Title: "IGMP", Proto: netstat.ProtoIGMP, Family: snapshots.AFInet, Lines: true, Blocks: [][]Var{nones(
			"message(s) received",
			"message(s) received with too few bytes",
			"message(s) received with bad checksum",
			"membership quer(y|ies) received",
			"membership quer(y|ies) received with invalid field(s)",
			"membership report(s) received",
			"membership report(s) received with invalid field(s)",
			"membership report(s) received for groups to which we belong",
			"membership report(s) sent",
		)}},
		{Title: "SCTP", Proto: netstat.ProtoSCTP, Blocks: [][]Var{{
			none("sctpRtoAlgorithm"),
			{Name: "sctpRtoMin", Gauge: true, Signed: true, Sysctl: "net.sctp.rto_min"},
			{Name: "sctpRtoMax", Gauge: true, Signed: true, Sysctl: "net.sctp.rto_max"},
			{Name: "sctpRtoInitial", Gauge: true, Signed: true, Sysctl: "net.sctp.rto_initial"},
			none("sctpMaxAssocs"),
			{Name: "sctpValCookieLife", Gauge: true, Signed: true, Sysctl: "net.sctp.valid_cookie_life"},
			{Name: "sctpMaxInitRetr", Gauge: true, Signed: true, Sysctl: "net.sctp.max_init_retransmits"},
			{Name: "sctpCurrEstab", Gauge: true, From: sctp("SctpCurrEstab")},
			c("sctpActiveEstab", sctp("SctpActiveEstabs")),
			c("sctpPassiveEstab", sctp("SctpPassiveEstabs")),
			c("sctpAborted", sctp("SctpAborteds")),
			c("sctpShutdowns", sctp("SctpShutdowns")),
			c("sctpOutOfBlue", sctp("SctpOutOfBlues")),
			c("sctpChecksumError", sctp("SctpChecksumErrors")),
			c("sctpOutCtrlChunks", sctp("SctpOutCtrlChunks")),
			c("sctpOutOrderChunks", sctp("SctpOutOrderChunks")),
			c("sctpOutUnorderChunks", sctp("SctpOutUnorderChunks")),
			none("sctpRetransChunks"),
			none("sctpOutAck"),
			none("sctpOutAckDelayed"),
			none("sctpOutWinUpdate"),
			c("sctpOutFastRetrans", sctp("SctpFastRetransmits")),
			none("sctpOutWinProbe"),
			c("sctpInCtrlChunks", sctp("SctpInCtrlChunks")),
			c("sctpInOrderChunks", sctp("SctpInOrderChunks")),
			c("sctpInUnorderChunks", sctp("SctpInUnorderChunks")),
			none("sctpInAck"),
			none("sctpInDupAck"),
			none("sctpInAckUnsent"),
			c("sctpFragUsrMsgs", sctp("SctpFragUsrMsgs")),
			c("sctpReasmUsrMsgs", sctp("SctpReasmUsrMsgs")),
			c("sctpOutSCTPPkts", sctp("SctpOutSCTPPacks")),
			c("sctpInSCTPPkts", sctp("SctpInSCTPPacks")),
			none("sctpInInvalidCookie"),
			c("sctpTimRetrans", sctp("SctpT3RtxExpireds")),
			none("sctpTimRetransDrop"),
			none("sctpTimHearBeatProbe"),
			none("sctpTimHearBeatDrop"),
			none("sctpListenDrop"),
			none("sctpInClosed"),
		}}},
	}
})
