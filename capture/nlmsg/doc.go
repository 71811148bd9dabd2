// Package nlmsg decodes rtnetlink and sock_diag messages into snapshot model
// values, builds the dump requests that produce them, and runs those dumps.
//
// # Decoders
//
// One function per message type turns a netlink.Message into a model value:
// ParseLink, ParseAddr, ParseRoute, ParseMFC, ParseRule, ParseNeighbour,
// ParseInetSocket, ParseUnixSocket, ParsePacketSocket. They are pure and
// build on every OS. Each checks its fixed header's length and every
// attribute's, never panics on malformed input, and never keeps a subslice of
// Message.Data: attributes it does not decode are kept in the value's Raw as
// (type, copied bytes), so a later analyzer can still read them. Payloads are
// in the byte order of the host that produced them, which is the host the
// decoder runs on at capture time.
//
// # Requests and dumps
//
// LinkRequest, AddrRequest, RouteRequest, RuleRequest, NeighRequest,
// InetDiagRequest, UnixDiagRequest and PacketDiagRequest build dump
// requests. DumpLinks, DumpAddrs, DumpRoutes, DumpMFC, DumpRules,
// DumpNeighbours, DumpInet, DumpUnix and DumpPacket (Linux only) open a
// socket from a *netlink.Config in the caller's network namespace (or
// Config.NetNS), send one request, decode the replies as they stream in, and
// restart the dump up to MaxRetries times when the kernel flags it
// interrupted. DumpStats reports retries and counts. A kernel without the
// needed module answers with a *DumpError matching ErrUnsupported, so the
// caller can fall back to /proc.
package nlmsg
