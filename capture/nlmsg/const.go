package nlmsg

// Kernel UAPI values this package speaks. They are spelled out here rather
// than taken from golang.org/x/sys/unix because that package defines them
// only on Linux (the decoders build everywhere) and lacks several of them
// (RTNL_FAMILY_IPMR, NDA_FLAGS_EXT, INET_DIAG_CGROUP_ID, the unix and packet
// diag requests …). Values come from include/uapi/linux/{rtnetlink,
// if_link,if_addr,neighbour,fib_rules,inet_diag,unix_diag,packet_diag,
// sock_diag,netlink}.h and never change once released.

// Netlink control message types.
const (
	nlmsgError = 2 // NLMSG_ERROR
	nlmsgDone  = 3 // NLMSG_DONE
)

// rtnetlink message types.
const (
	rtmNewLink  = 16
	rtmGetLink  = 18
	rtmNewAddr  = 20
	rtmGetAddr  = 22
	rtmNewRoute = 24
	rtmGetRoute = 26
	rtmNewNeigh = 28
	rtmGetNeigh = 30
	rtmNewRule  = 32
	rtmGetRule  = 34
)

// sockDiagByFamily is SOCK_DIAG_BY_FAMILY, the request and reply type of
// every NETLINK_SOCK_DIAG dump.
const sockDiagByFamily = 20

// tcpDiagGetSock is TCPDIAG_GETSOCK, the request and reply type of the
// older inet_diag interface (struct inet_diag_req), which dumps the TCP
// sockets of both families in one walk.
const tcpDiagGetSock = 18

// Netlink protocols (socket families) the dumps open.
const (
	netlinkRoute    = 0 // NETLINK_ROUTE
	netlinkSockDiag = 4 // NETLINK_SOCK_DIAG
)

// Families beyond the snapshots.AF* ones. The IPMR families are absent from
// x/sys; ask for them by number.
const (
	afUnspec     = 0
	FamilyIPMR   = 128 // RTNL_FAMILY_IPMR: IPv4 multicast forwarding cache
	FamilyIP6MR  = 129 // RTNL_FAMILY_IP6MR: IPv6 multicast forwarding cache
	ipprotoIP    = 0
	ipprotoRaw   = 255
	ipprotoMPTCP = 262
)

// Fixed header sizes.
const (
	sizeofIfInfomsg     = 16 // struct ifinfomsg
	sizeofIfAddrmsg     = 8  // struct ifaddrmsg
	sizeofRtmsg         = 12 // struct rtmsg
	sizeofNdmsg         = 12 // struct ndmsg
	sizeofFibRuleHdr    = 12 // struct fib_rule_hdr
	sizeofRtnexthop     = 8  // struct rtnexthop
	sizeofInetDiagMsg   = 72 // struct inet_diag_msg
	sizeofInetDiagReq   = 56 // struct inet_diag_req_v2
	sizeofInetDiagReqV1 = 60 // struct inet_diag_req
	sizeofUnixDiagMsg   = 16 // struct unix_diag_msg
	sizeofUnixDiagReq   = 24 // struct unix_diag_req
	sizeofPacketDiagMsg = 16 // struct packet_diag_msg
	sizeofPacketDiagReq = 20 // struct packet_diag_req
	sizeofNlmsghdr      = 16
	sizeofNlattr        = 4
)

// IFLA_* attributes of RTM_NEWLINK.
const (
	iflaAddress       = 1
	iflaBroadcast     = 2
	iflaIfname        = 3
	iflaMTU           = 4
	iflaLink          = 5
	iflaQdisc         = 6
	iflaMaster        = 10
	iflaTxQLen        = 13
	iflaOperState     = 16
	iflaLinkMode      = 17
	iflaLinkInfo      = 18
	iflaIfAlias       = 20
	iflaStats64       = 23
	iflaGroup         = 27
	iflaExtMask       = 29
	iflaPromiscuity   = 30
	iflaNumTxQueues   = 31
	iflaNumRxQueues   = 32
	iflaCarrier       = 33
	iflaLinkNetnsid   = 37
	iflaPad           = 42
	iflaMinMTU        = 50
	iflaMaxMTU        = 51
	iflaPropList      = 52
	iflaAltIfname     = 53
	iflaPermAddress   = 54
	iflaInfoKind      = 1 // inside IFLA_LINKINFO
	iflaInfoSlaveKind = 4
	rtextFilterVF     = 1 // IFLA_EXT_MASK bits
)

// IFA_* attributes of RTM_NEWADDR.
const (
	ifaAddress   = 1
	ifaLocal     = 2
	ifaLabel     = 3
	ifaBroadcast = 4
	ifaAnycast   = 5
	ifaCacheInfo = 6
	ifaFlags     = 8
	ifaProto     = 11
)

// RTA_* attributes of RTM_NEWROUTE.
const (
	rtaDst       = 1
	rtaSrc       = 2
	rtaIIF       = 3
	rtaOIF       = 4
	rtaGateway   = 5
	rtaPriority  = 6
	rtaPrefSrc   = 7
	rtaMetrics   = 8
	rtaMultipath = 9
	rtaFlow      = 11
	rtaCacheInfo = 12
	rtaTable     = 15
	rtaMark      = 16
	rtaMfcStats  = 17
	rtaVia       = 18
	rtaPref      = 20
	rtaEncapType = 21
	rtaEncap     = 22
	rtaExpires   = 23
	rtaPad       = 24
	rtaNHID      = 30
	rtaxCCAlgo   = 16 // inside RTA_METRICS: a string, every other RTAX is a u32

	rtmFCloned        = 0x200 // RTM_F_CLONED
	sizeofRtaCache    = 32    // struct rta_cacheinfo
	sizeofRtaMfcStats = 24    // struct rta_mfc_stats
)

// FRA_* attributes of RTM_NEWRULE.
const (
	fraDst               = 1
	fraSrc               = 2
	fraIIFName           = 3
	fraGoto              = 4
	fraPriority          = 6
	fraFwMark            = 10
	fraFlow              = 11
	fraSuppressIfGroup   = 13
	fraSuppressPrefixLen = 14
	fraTable             = 15
	fraFwMask            = 16
	fraOIFName           = 17
	fraPad               = 18
	fraL3MDev            = 19
	fraUIDRange          = 20
	fraProtocol          = 21
	fraIPProto           = 22
	fraSPortRange        = 23
	fraDPortRange        = 24
)

// NDA_* attributes of RTM_NEWNEIGH and NTF_* flags.
const (
	ndaDst       = 1
	ndaLLAddr    = 2
	ndaCacheInfo = 3
	ndaProbes    = 4
	ndaVLAN      = 5
	ndaMaster    = 9
	ndaProtocol  = 12
	ndaFlagsExt  = 15
	ntfProxy     = 0x08
)

// inet_diag request bits and INET_DIAG_* reply attributes.
const (
	inetDiagMemInfo   = 1
	inetDiagInfo      = 2
	inetDiagVegasInfo = 3 // asked for in inetDiagExtAll, kept raw
	inetDiagCong      = 4
	inetDiagTOS       = 5
	inetDiagTClass    = 6
	inetDiagSkMemInfo = 7
	inetDiagShutdown  = 8
	inetDiagProtocol  = 10
	inetDiagSkV6Only  = 11
	inetDiagPad       = 14
	inetDiagMark      = 15
	inetDiagCgroupID  = 21

	inetDiagReqProtocol = 3 // INET_DIAG_REQ_PROTOCOL: u32 protocol for MPTCP

	// inetDiagExtAll asks for every extension that fits the u8 idiag_ext:
	// MEMINFO|INFO|VEGASINFO|CONG|TOS|TCLASS|SKMEMINFO|SHUTDOWN.
	inetDiagExtAll = 1<<(inetDiagMemInfo-1) | 1<<(inetDiagInfo-1) |
		1<<(inetDiagVegasInfo-1) | 1<<(inetDiagCong-1) | 1<<(inetDiagTOS-1) |
		1<<(inetDiagTClass-1) | 1<<(inetDiagSkMemInfo-1) | 1<<(inetDiagShutdown-1)
)

// UNIX_DIAG_* reply attributes and UDIAG_SHOW_* request bits.
const (
	unixDiagName     = 0
	unixDiagVFS      = 1
	unixDiagPeer     = 2
	unixDiagIcons    = 3
	unixDiagRQLen    = 4
	unixDiagMemInfo  = 5
	unixDiagShutdown = 6
	unixDiagUID      = 7

	udiagShowAll = 0x01 | 0x02 | 0x04 | 0x08 | 0x10 | 0x20 | 0x40 // NAME VFS PEER ICONS RQLEN MEMINFO UID
)

// PACKET_DIAG_* reply attributes and PACKET_SHOW_* request bits.
const (
	packetDiagInfo    = 0
	packetDiagUID     = 5
	packetDiagMemInfo = 6

	packetShowAll = 0x01 | 0x02 | 0x04 | 0x08 | 0x10 | 0x20 // INFO MCLIST RING_CFG FANOUT MEMINFO FILTER
	pdiRunning    = 0x1
)
