// Package sockets selects and names the rows of netstat's first form, the
// socket lists, from a snapshot's inet, SCTP and UNIX socket tables.
//
// Sections (Kind) come in netstat's order, UDP, TCP, SCTP, then the Linux
// additions UDP-Lite (after UDP), MPTCP (after TCP) and RAW (after SCTP);
// the AF_UNIX list is separate (UnixRows).
//
// States carry Solaris names: Linux TCP states map to the Solaris ones
// (SYN_RECV and NEW_SYN_RECV → SYN_RCVD, FIN_WAIT1 → FIN_WAIT_1, CLOSE →
// CLOSED, BOUND_INACTIVE → BOUND …), UDP and raw sockets are Idle or
// Connected, SCTP associations use the SCTP state names.
//
// Hidden without -a (solaris-display-formats.md §2.2): TCP sockets in a
// state before ESTABLISHED in Solaris's numbering (CLOSED, BOUND, LISTEN,
// SYN_SENT, SYN_RCVD); UDP, UDP-Lite and raw sockets that are not
// connected; SCTP associations in CLOSED, COOKIE_WAIT and COOKIE_ECHOED.
// SCTP listeners show without -a, as in netstat. UNIX sockets are never
// hidden. A state Linux reports that has no Solaris name is shown, never
// hidden: a display should not drop what it does not understand.
package sockets
