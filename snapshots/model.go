// Package snapshots holds the snapshot model — typed values for every Linux
// network table netmortem captures — and the snapshot file format (writer,
// reader, versioning, integrity). It makes no OS calls: decoding is the same
// on any machine, whatever kernel it runs.
//
// Addresses are net/netip values. Kernel fields are kept with the kernel's
// own codes (AF_*, RTN_*, NUD_*, TCP_* …) so that nothing is lost; the
// analyze and format packages give them names. Anything a decoder did not
// understand is kept as RawAttr or RawFile.
package snapshots

import (
	"net/netip"
	"time"
)

// Address families as the kernel numbers them.
const (
	AFUnix   = 1
	AFInet   = 2
	AFInet6  = 10
	AFPacket = 17
)

// Meta describes where and when a snapshot was taken.
type Meta struct {
	Hostname      string
	KernelRelease string // uname -r
	KernelVersion string // uname -v
	Machine       string // uname -m: x86_64, s390x, aarch64 …
	BigEndian     bool   // byte order of the captured host
	BootTime      time.Time
	ClockTicks    uint32 // USER_HZ, the unit of /proc timers and ages
	PageSize      uint32
	CaptureStart  time.Time
	CaptureEnd    time.Time
	ToolVersion   string
	Source        Source
	CommandLine   []string
	Warnings      []string // things the capture wants a reader to know
}

// Source says what produced a snapshot.
type Source struct {
	Kind   string // "live", "sosreport", "vmcore", "synthetic"
	Origin string // path of the bundle or dump, or the host's name for live
	Detail string // e.g. "sos 4.5.6", "kdump-zlib", "ELF"
}

// NamespaceInfo identifies one network namespace inside a snapshot.
type NamespaceInfo struct {
	ID    int    // position in Snapshot.Namespaces; stable across frames
	Name  string // name under /run/netns, or "" when unnamed
	Inode uint64 // inode of the nsfs file: the kernel's identity
	Host  bool   // the namespace of the capturing process (init's, normally)
	Pids  []int32
	Hints []string // e.g. "cgroup:/system.slice/docker-…scope"
	Gone  bool     // vanished while the capture ran
}

// FrameInfo is one moment of a series.
type FrameInfo struct {
	Index int
	Start time.Time
	End   time.Time
}

// RawAttr is a netlink attribute a decoder kept undecoded.
type RawAttr struct {
	Type uint16
	Data []byte
}

// RawFile is the verbatim content of a file read during capture.
type RawFile struct {
	Path    string
	Data    []byte
	ModTime time.Time
	Err     string // why it could not be read, when it could not
}

// Tables holds every table of one namespace in one frame. A nil or empty
// slice is an empty table; whether it was captured at all is in the
// section's Status.
type Tables struct {
	Links         []Link
	Addrs         []Addr
	Routes        []Route
	Rules         []Rule
	Neighbours    []Neighbour
	InetSockets   []InetSocket
	UnixSockets   []UnixSocket
	PacketSockets []PacketSocket
	SCTPEndpoints []SCTPEndpoint
	SCTPAssocs    []SCTPAssoc
	Groups        []Membership
	McastIfaces   []McastIface
	LinkGroups    []LinkMembership
	Vifs          []Vif
	MFC           []MFCEntry
	Counters      []CounterSet
	Softnet       []SoftnetCPU
	Protocols     []ProtocolRow
	Sysctls       []Sysctl
	Slabs         []Slab
	Leases        []Lease
	Owners        []SocketOwner
	Files         []RawFile
}

// Link is a network device (RTM_NEWLINK, /sys/class/net).
type Link struct {
	Index       int32
	Name        string
	AltNames    []string
	Kind        string // IFLA_INFO_KIND: veth, bridge, vlan …; "" for plain devices
	SlaveKind   string
	Type        uint16 // ARPHRD_*
	Flags       uint32 // IFF_*
	MTU         uint32
	MinMTU      uint32
	MaxMTU      uint32
	HWAddr      []byte
	Broadcast   []byte
	PermAddr    []byte
	OperState   uint8 // IF_OPER_*
	LinkMode    uint8
	Carrier     uint8
	Master      int32
	Parent      int32 // IFLA_LINK
	ParentNetns int32 // IFLA_LINK_NETNSID, -1 when absent
	TxQueueLen  uint32
	Qdisc       string
	Group       uint32
	Promiscuity uint32
	NumTxQueues uint32
	NumRxQueues uint32
	Alias       string
	Stats       LinkStats
	Sys         []Sysctl // /sys/class/net/<if>/* attributes netlink lacks
	Raw         []RawAttr
}

// LinkStats is rtnl_link_stats64 in kernel order. Extra keeps fields a
// newer kernel appended.
type LinkStats struct {
	RxPackets, TxPackets, RxBytes, TxBytes         uint64
	RxErrors, TxErrors, RxDropped, TxDropped       uint64
	Multicast, Collisions                          uint64
	RxLengthErrors, RxOverErrors, RxCRCErrors      uint64
	RxFrameErrors, RxFIFOErrors, RxMissedErrors    uint64
	TxAbortedErrors, TxCarrierErrors, TxFIFOErrors uint64
	TxHeartbeatErrors, TxWindowErrors              uint64
	RxCompressed, TxCompressed, RxNoHandler        uint64
	RxOtherhostDropped                             uint64
	Extra                                          []uint64
	Valid                                          bool // counters were captured
}

// Addr is an interface address (RTM_NEWADDR, /proc/net/if_inet6).
type Addr struct {
	Family    uint8
	Index     int32
	PrefixLen uint8
	Address   netip.Addr // IFA_ADDRESS: the peer on point-to-point links
	Local     netip.Addr // IFA_LOCAL: this host's address (IPv4)
	Broadcast netip.Addr
	Anycast   netip.Addr
	Label     string // IPv4 label: "eth0" or a logical name such as "eth0:1"
	Scope     uint8
	Flags     uint32 // IFA_F_*, 32 bits
	Proto     uint8
	// Lifetimes from IFA_CACHEINFO: seconds remaining (0xffffffff = forever),
	// created/updated stamps in hundredths of a second since boot.
	Preferred, Valid uint32
	Created, Updated uint32
	HasCacheInfo     bool
	Raw              []RawAttr
}

// IP returns the host's own address: IFA_LOCAL when set, else IFA_ADDRESS.
func (a *Addr) IP() netip.Addr {
	if a.Local.IsValid() {
		return a.Local
	}
	return a.Address
}

// Route is one RTM_NEWROUTE entry of any table, or a route-cache exception
// (Cloned). Attributes most routes lack live in X, so that a million-route
// table stays small in memory.
type Route struct {
	Family    uint8
	Protocol  uint8 // RTPROT_*
	Scope     uint8 // RT_SCOPE_*
	Type      uint8 // RTN_*
	TOS       uint8
	Multipath bool   // next hops came from RTA_MULTIPATH
	Cloned    bool   // a route-cache exception (RTM_F_CLONED dump)
	Table     uint32 // from RTA_TABLE; rtm_table is only 8 bits
	Flags     uint32 // RTM_F_* and RTNH_F_* of the rtmsg
	Priority  uint32
	IIF       int32
	Dst       netip.Prefix // zero-length prefix for default routes
	PrefSrc   netip.Addr
	NextHops  []NextHop
	X         *RouteExtra // nil when the route has none of these
}

// RouteExtra holds the attributes few routes carry.
type RouteExtra struct {
	Src     netip.Prefix // source-specific routes (RTA_SRC); invalid when absent
	Metrics []RouteMetric
	CongCtl string // RTAX_CC_ALGO
	Pref    uint8
	Mark    uint32
	NHID    uint32
	Expires uint64 // RTA_EXPIRES, seconds
	Cache   *RouteCacheInfo
	Raw     []RawAttr
}

// Ext returns the route's extra attributes for writing, creating them.
func (r *Route) Ext() *RouteExtra {
	if r.X == nil {
		r.X = &RouteExtra{}
	}
	return r.X
}

// Extra returns a copy of the route's extra attributes (zero values when
// it has none), for reading.
func (r *Route) Extra() RouteExtra {
	if r.X == nil {
		return RouteExtra{}
	}
	return *r.X
}

// Src returns the source prefix of a source-specific route, or an invalid
// prefix.
func (r *Route) Src() netip.Prefix {
	if r.X == nil {
		return netip.Prefix{}
	}
	return r.X.Src
}

// RouteMetric is one RTAX_* value of RTA_METRICS.
type RouteMetric struct {
	Type  uint16
	Value uint32
}

// RTAX codes used by displays.
const (
	RTAXMTU    = 2
	RTAXWindow = 3
	RTAXRTT    = 4
	RTAXAdvMSS = 8
	RTAXHopLim = 10
)

// Metric returns the value of an RTAX_* metric and whether it is set.
func (r *Route) Metric(t uint16) (uint32, bool) {
	if r.X == nil {
		return 0, false
	}
	for _, m := range r.X.Metrics {
		if m.Type == t {
			return m.Value, true
		}
	}
	return 0, false
}

// NextHop is a gateway and device; single-path routes have one.
type NextHop struct {
	Gateway netip.Addr
	OIF     int32
	Realms  uint32
	Weight  uint16 // rtnh_hops + 1; 1 for single-path routes
	Flags   uint8  // RTNH_F_*
	X       *NextHopExtra
}

// NextHopExtra holds what few next hops carry: a lightweight tunnel
// encapsulation and undecoded attributes.
type NextHopExtra struct {
	EncapType uint16
	Encap     []byte
	Raw       []RawAttr
}

// Ext returns the next hop's extra attributes for writing, creating them.
func (h *NextHop) Ext() *NextHopExtra {
	if h.X == nil {
		h.X = &NextHopExtra{}
	}
	return h.X
}

// Extra returns a copy of the next hop's extra attributes.
func (h *NextHop) Extra() NextHopExtra {
	if h.X == nil {
		return NextHopExtra{}
	}
	return *h.X
}

// RouteCacheInfo is struct rta_cacheinfo.
type RouteCacheInfo struct {
	ClntRef, LastUse, Expires, Error, Used, ID, TS, TSAge uint32
}

// Rule is a policy routing rule (RTM_NEWRULE).
type Rule struct {
	Family            uint8
	Priority          uint32
	Table             uint32
	Action            uint8 // FR_ACT_*
	Flags             uint32
	TOS               uint8
	Src, Dst          netip.Prefix // invalid when the selector is absent
	IIFName           string
	OIFName           string
	FwMark            uint32
	FwMask            uint32
	HasFwMark         bool
	Goto              uint32
	SuppressPrefixLen int32 // -1 when unset
	SuppressIfGroup   int32 // -1 when unset
	L3MDev            uint8
	UIDRange          *[2]uint32
	Protocol          uint8
	IPProto           uint8
	SPortRange        *[2]uint16
	DPortRange        *[2]uint16
	Flow              uint32
	Raw               []RawAttr
}

// Neighbour is an ARP or NDP cache entry (RTM_NEWNEIGH, /proc/net/arp).
type Neighbour struct {
	Family   uint8
	Index    int32
	Addr     netip.Addr
	LLAddr   []byte
	State    uint16 // NUD_*
	Flags    uint32 // NTF_* and NTF_EXT_* combined (ext flags shifted by 8)
	Type     uint8
	Probes   uint32
	VLAN     uint16
	Master   int32
	Protocol uint8
	// Ages from NDA_CACHEINFO, in clock ticks.
	Confirmed, Used, Updated, RefCnt uint32
	HasCacheInfo                     bool
	Proxy                            bool // a proxy entry (NTF_PROXY dump)
	Raw                              []RawAttr
}

// IP protocol numbers for InetSocket.Proto.
const (
	ProtoICMP    = 1
	ProtoTCP     = 6
	ProtoUDP     = 17
	ProtoICMPv6  = 58
	ProtoSCTP    = 132
	ProtoUDPLite = 136
	ProtoRaw     = 255
	ProtoMPTCP   = 262
)

// InetSocket is a TCP, UDP, UDP-Lite, MPTCP or raw socket (inet_diag or
// /proc/net/{tcp,udp,raw}*).
type InetSocket struct {
	Proto    uint16 // ProtoTCP, ProtoUDP, ProtoUDPLite, ProtoRaw, ProtoMPTCP
	RawProto uint16 // for raw sockets, the IP protocol bound to
	Family   uint8
	State    uint8 // TCP_* (1 ESTABLISHED … 12 NEW_SYN_RECV)
	Local    netip.AddrPort
	Remote   netip.AddrPort
	IfIndex  uint32 // bound device
	Cookie   uint64
	Timer    uint8 // 0 none, 1 retransmit, 2 keepalive, 3 time-wait, 4 probe
	Retrans  uint8
	Expires  uint32 // ms until the timer fires
	RecvQ    uint32
	SendQ    uint32 // for listeners, the backlog maximum (inet_diag)
	UID      uint32
	Inode    uint64
	RefCount uint32
	Probes   uint32 // /proc "timeout" column
	Drops    uint32 // UDP/raw drop counter
	// TCP extras from /proc (clock ticks converted to ms), when netlink
	// TCP_INFO was not available.
	RTO, ATO, QuickAck, Cwnd uint32
	Ssthresh                 int32
	Shutdown                 uint8
	TOS                      uint8
	TClass                   uint8
	Mark                     uint32
	CgroupID                 uint64
	V6Only                   uint8 // 0 unknown, 1 false, 2 true
	Cong                     string
	MemInfo                  []uint32 // INET_DIAG_MEMINFO: rmem, wmem, fmem, tmem
	SkMem                    []uint32 // INET_DIAG_SKMEMINFO, SK_MEMINFO_* order
	TCPInfo                  []byte   // struct tcp_info as the kernel sent it
	Raw                      []RawAttr
}

// UnixSocket is an AF_UNIX socket (unix_diag or /proc/net/unix).
type UnixSocket struct {
	Type     uint8 // SOCK_STREAM 1, SOCK_DGRAM 2, SOCK_SEQPACKET 5
	State    uint8 // TCP_* codes as unix_diag reports them
	Inode    uint64
	Name     string // sun_path bytes; abstract names start with "\x00"
	Peer     uint64
	VFSInode uint64
	VFSDev   uint32
	Pending  []uint64 // UNIX_DIAG_ICONS
	RecvQ    uint32
	SendQ    uint32
	Shutdown uint8
	UID      uint32
	HasUID   bool
	Flags    uint32 // /proc/net/unix flags (0x10000 listening)
	RefCount uint32
	Cookie   uint64
	SkMem    []uint32
	Raw      []RawAttr
}

// PacketSocket is an AF_PACKET socket (packet_diag or /proc/net/packet).
type PacketSocket struct {
	Type     uint8  // SOCK_RAW 3, SOCK_DGRAM 2
	Proto    uint16 // ethertype
	IfIndex  int32
	Running  bool
	Rmem     uint32
	UID      uint32
	Inode    uint64
	Cookie   uint64
	RefCount uint32
	Raw      []RawAttr
}

// SCTPEndpoint is a row of /proc/net/sctp/eps.
type SCTPEndpoint struct {
	Type   uint8 // STY
	State  uint8 // SST
	Bucket uint32
	Port   uint16
	UID    uint32
	Inode  uint64
	Addrs  []netip.Addr
}

// SCTPAddr is one address of an association, with path details when
// /proc/net/sctp/remaddr gave them.
type SCTPAddr struct {
	Addr    netip.Addr
	Primary bool
	Active  uint8 // 0 unknown, 1 active, 2 inactive
	RTO     uint32
	HBAct   uint32
	Rtx     uint32
	MaxRtx  uint32
	Start   uint32
	State   int32
}

// SCTPAssoc is a row of /proc/net/sctp/assocs (or sctp_diag).
type SCTPAssoc struct {
	Family                                uint8
	AssocID                               uint32
	Type                                  uint8
	SockState                             uint8
	State                                 uint8 // SCTP_STATE_*
	Bucket                                uint32
	TxQueue                               uint32
	RxQueue                               uint32
	UID                                   uint32
	Inode                                 uint64
	LocalPort                             uint16
	RemotePort                            uint16
	Locals                                []SCTPAddr
	Remotes                               []SCTPAddr
	HBInterval                            uint32
	InStreams                             uint32
	OutStreams                            uint32
	MaxRtx                                uint32
	T1X, T2X                              uint32
	RtxC                                  uint32
	WmemAlloc, WmemQueued, SndBuf, RcvBuf uint32
}

// Membership is an IPv4 (IGMP) or IPv6 (MLD) group membership of an
// interface, with its source filter.
type Membership struct {
	Family   uint8
	IfIndex  int32
	IfName   string
	Group    netip.Addr
	Users    uint32
	Timer    bool   // a report timer is running
	Expires  uint32 // clock ticks
	Reporter bool
	Flags    uint32 // MLD flags (igmp6)
	Mode     uint8  // 0 unknown, 1 INCLUDE, 2 EXCLUDE
	Sources  []MemberSource
}

// Filter modes of Membership.Mode.
const (
	FilterInclude = 1
	FilterExclude = 2
)

// MemberSource is one source of a source-specific membership (mcfilter).
type MemberSource struct {
	Addr    netip.Addr
	Include uint32
	Exclude uint32
}

// McastIface is an interface line of /proc/net/igmp.
type McastIface struct {
	IfIndex int32
	IfName  string
	Count   uint32
	Querier string // V1, V2, V3
}

// LinkMembership is a link-layer multicast address (/proc/net/dev_mcast).
type LinkMembership struct {
	IfIndex int32
	IfName  string
	Users   uint32
	Global  bool
	Addr    []byte
}

// Vif is a multicast routing virtual interface (ip_mr_vif, ip6_mr_vif).
type Vif struct {
	Family       uint8
	Index        int32
	Name         string
	BytesIn      uint64
	PktsIn       uint64
	BytesOut     uint64
	PktsOut      uint64
	Flags        uint32 // VIFF_*
	Local        netip.Addr
	Remote       netip.Addr
	LocalIfIndex int32 // set when VIFF_USE_IFINDEX put an index in Local
}

// MFCEntry is a multicast forwarding cache entry.
type MFCEntry struct {
	Family   uint8
	Table    uint32
	Source   netip.Addr
	Group    netip.Addr
	IIFVif   int32 // input vif index (/proc), -1 when unknown
	IIF      int32 // input ifindex (netlink), 0 when unknown
	Packets  uint64
	Bytes    uint64
	WrongIf  uint64
	Oifs     []MFCOif
	Expires  uint64
	Resolved bool
	Raw      []RawAttr
}

// MFCOif is an outgoing interface of an MFC entry.
type MFCOif struct {
	Vif     int32 // -1 when unknown
	IfIndex int32 // 0 when unknown
	TTL     uint8
}

// CounterSet is an ordered list of counters of one group from one source,
// e.g. Source "snmp", Group "Tcp"; Source "dev_snmp6/eth0", Group "Ip6".
type CounterSet struct {
	Source   string
	Group    string
	Counters []Counter
}

// Counter is one named value. Value holds the bits of what the kernel
// printed; Signed marks a negative value stored as int64.
type Counter struct {
	Name   string
	Value  uint64
	Signed bool
}

// Int returns the value as the kernel meant it.
func (c Counter) Int() int64 { return int64(c.Value) }

// Find returns the counter of a set by name.
func (s *CounterSet) Find(name string) (Counter, bool) {
	for _, c := range s.Counters {
		if c.Name == name {
			return c, true
		}
	}
	return Counter{}, false
}

// SoftnetCPU is one line of /proc/net/softnet_stat.
type SoftnetCPU struct {
	CPU    int32 // from column 13 when present, else the line number
	Values []uint32
}

// ProtocolRow is a line of /proc/net/protocols.
type ProtocolRow struct {
	Name     string
	Size     uint32
	Sockets  int64
	Memory   int64 // pages; -1 when not accounted
	Pressure string
	MaxHdr   uint32
	Slab     bool
	Module   string
	Methods  string // the y/n method columns, joined
}

// Sysctl is a named value as text (sysctls, /sys attributes).
type Sysctl struct {
	Name  string
	Value string
}

// Slab is a row of /proc/slabinfo for a network-related cache.
type Slab struct {
	Name                         string
	ActiveObjs, NumObjs, ObjSize uint64
	ObjPerSlab, PagesPerSlab     uint64
}

// Lease is a DHCP lease found in a client's lease file.
type Lease struct {
	Interface  string
	Client     string // dhclient, dhcpcd, systemd-networkd, NetworkManager
	Family     uint8
	Address    netip.Addr
	PrefixLen  uint8
	Server     netip.Addr
	Routers    []netip.Addr
	LeaseTime  uint32 // seconds
	Start      time.Time
	Renew      time.Time // T1
	Rebind     time.Time // T2
	Expire     time.Time
	BOOTP      bool
	Options    []Sysctl
	SourceFile string
	ModTime    time.Time
}

// SocketOwner links a socket inode to a process holding it.
type SocketOwner struct {
	Inode   uint64
	Pid     int32
	Command string
	UID     uint32
}
