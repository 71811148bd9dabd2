package leases

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/netmortem/netmortem/snapshots"
)

// ISC dhclient lease files are an append-only log of blocks:
//
//	lease { interface "eth0"; fixed-address 10.0.0.5; option routers 10.0.0.1;
//	        option dhcp-lease-time 3600; renew 2 2024/01/02 03:04:05; … }
//	lease6 { interface "eth0"; ia-na 1e:a7:2c:00 { starts 1700000000; renew 1800;
//	         iaaddr 2001:db8::5 { starts 1700000000; preferred-life 4500; max-life 7200; } } … }
//
// Times of v4 blocks are UTC ("W YYYY/MM/DD HH:MM:SS", W the weekday),
// or "epoch N" with db-time-format local, or "never". The last block for an
// interface is the current lease.

// dhcNode is one statement: its words and, for a block, its statements.
type dhcNode struct {
	words []string // keyword and arguments, strings unquoted
	raw   string   // the arguments as written (after the keyword), for Options
	kids  []dhcNode
	block bool
	cut   bool // the block ended early: the file is truncated or malformed there
}

const maxDepth = 8

type dhcParser struct {
	data []byte
	pos  int
}

type dhcTok struct {
	kind       byte // 'w' word, 's' string, '{', '}', ';', 0 at end
	text       string
	start, end int
}

func (p *dhcParser) next() (dhcTok, error) {
	d := p.data
	for p.pos < len(d) {
		c := d[p.pos]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			p.pos++
		case c == '#':
			for p.pos < len(d) && d[p.pos] != '\n' {
				p.pos++
			}
		case c == '{' || c == '}' || c == ';':
			p.pos++
			return dhcTok{kind: c, start: p.pos - 1, end: p.pos}, nil
		case c == '"':
			start := p.pos
			p.pos++
			for p.pos < len(d) && d[p.pos] != '"' {
				if d[p.pos] == '\\' {
					p.pos++
				}
				p.pos++
			}
			if p.pos >= len(d) {
				return dhcTok{}, errors.New("unterminated string")
			}
			p.pos++
			return dhcTok{kind: 's', text: unquote(string(d[start+1 : p.pos-1])), start: start, end: p.pos}, nil
		default:
			start := p.pos
			for p.pos < len(d) {
				c := d[p.pos]
				if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' ||
					c == '{' || c == '}' || c == ';' || c == '"' {
					break
				}
				p.pos++
			}
			return dhcTok{kind: 'w', text: string(d[start:p.pos]), start: start, end: p.pos}, nil
		}
	}
	return dhcTok{}, nil
}

// unquote decodes dhclient's string escapes: \" \\ and \ooo octal.
func unquote(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		if i+2 < len(s) && isOctal(s[i]) && isOctal(s[i+1]) && isOctal(s[i+2]) {
			b.WriteByte((s[i]-'0')<<6 | (s[i+1]-'0')<<3 | (s[i+2] - '0'))
			i += 2
			continue
		}
		switch s[i] {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }

// parseStatements reads statements until '}' (depth > 0) or the end.
func (p *dhcParser) parseStatements(depth int) ([]dhcNode, error) {
	var out []dhcNode
	for {
		var n dhcNode
		argStart, argEnd := -1, -1
		for {
			t, err := p.next()
			if err != nil {
				return out, err
			}
			switch t.kind {
			case 0:
				if len(n.words) > 0 {
					return out, errors.New("unexpected end of file inside a statement")
				}
				if depth > 0 {
					return out, errors.New("unexpected end of file inside a block")
				}
				return out, nil
			case '}':
				if len(n.words) > 0 {
					return out, errors.New("statement not terminated by ';'")
				}
				if depth == 0 {
					return out, errors.New("unbalanced '}'")
				}
				return out, nil
			case ';':
				if len(n.words) == 0 {
					continue // stray ';'
				}
			case '{':
				if len(n.words) == 0 {
					return out, errors.New("block without a keyword")
				}
				if depth >= maxDepth {
					return out, errors.New("blocks nested too deeply")
				}
				kids, err := p.parseStatements(depth + 1)
				n.kids, n.block = kids, true
				if err != nil {
					n.cut = true
					if argStart >= 0 {
						n.raw = strings.TrimSpace(string(p.data[argStart:argEnd]))
					}
					return append(out, n), err
				}
			default:
				if len(n.words) == 1 {
					argStart = t.start
				}
				if len(n.words) > 0 {
					argEnd = t.end
				}
				n.words = append(n.words, t.text)
				continue
			}
			break
		}
		if argStart >= 0 {
			n.raw = strings.TrimSpace(string(p.data[argStart:argEnd]))
		}
		out = append(out, n)
	}
}

// ParseDhclient reads an ISC dhclient lease file (also NetworkManager's
// dhclient-*.lease) and returns the current lease of each interface: the
// last "lease" block for IPv4, and one row per address or delegated prefix
// of the last "lease6" block for IPv6. A file cut short (a crash while
// dhclient wrote it) yields the leases of its complete blocks and an error;
// so does a block that does not parse. Options hold every statement of the
// block in order: options under their own name ("dhcp-lease-time"), other
// statements under their keyword ("fixed-address", "renew", "bootp"), the
// value as written; in lease6 blocks nested statements are prefixed with
// their block ("ia-na.iaaddr.max-life").
func ParseDhclient(hostPath string, data []byte, modTime time.Time) ([]snapshots.Lease, error) {
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("%s: %d bytes is more than a lease file can be", hostPath, len(data))
	}
	client := ClientDhclient
	if c, ok := Classify(hostPath); ok && c.Kind == KindDhclient {
		client = c.Client
	}
	p := &dhcParser{data: data}
	top, perr := p.parseStatements(0)
	if perr != nil {
		perr = fmt.Errorf("%s: offset %d: %w", hostPath, p.pos, perr)
	}
	type key struct {
		family uint8
		iface  string
	}
	var order []key
	current := map[key][]snapshots.Lease{}
	var errs []error
	if perr != nil {
		errs = append(errs, perr)
	}
	for i, n := range top {
		if !n.block || len(n.words) != 1 {
			continue // default-duid and other top-level statements
		}
		if n.cut {
			continue
		}
		var ls []snapshots.Lease
		var fam uint8
		switch n.words[0] {
		case "lease":
			l, err := dhclientLease4(n)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: lease block %d: %w", hostPath, i+1, err))
				continue
			}
			ls, fam = []snapshots.Lease{l}, snapshots.AFInet
		case "lease6":
			var err error
			ls, err = dhclientLease6(n)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: lease6 block %d: %w", hostPath, i+1, err))
				continue
			}
			fam = snapshots.AFInet6
		default:
			continue
		}
		iface := ""
		for _, st := range n.kids {
			if len(st.words) == 2 && st.words[0] == "interface" {
				iface = st.words[1]
			}
		}
		if iface == "" {
			iface = ifaceFromName(hostPath)
		}
		for j := range ls {
			ls[j].Interface, ls[j].Client, ls[j].SourceFile, ls[j].ModTime = iface, client, hostPath, modTime
		}
		k := key{fam, iface}
		if _, seen := current[k]; !seen {
			order = append(order, k)
		}
		current[k] = ls
	}
	var out []snapshots.Lease
	for _, k := range order {
		out = append(out, current[k]...)
	}
	return out, errors.Join(errs...)
}

// opt appends one statement to opts: options under their own name, other
// statements under their keyword, nested ones prefixed with their block.
func opt(opts []snapshots.Sysctl, prefix string, st dhcNode) []snapshots.Sysctl {
	if len(st.words) == 0 {
		return opts
	}
	name, value := st.words[0], st.raw
	if name == "option" && len(st.words) >= 2 {
		name = st.words[1]
		value = strings.TrimSpace(strings.TrimPrefix(st.raw, st.words[1]))
	}
	return append(opts, snapshots.Sysctl{Name: prefix + name, Value: value})
}

func dhclientLease4(n dhcNode) (snapshots.Lease, error) {
	l := snapshots.Lease{Family: snapshots.AFInet}
	msgType := false
	for _, st := range n.kids {
		l.Options = opt(l.Options, "", st)
		w := st.words
		if len(w) == 0 {
			continue
		}
		var err error
		switch w[0] {
		case "fixed-address":
			if len(w) == 2 {
				l.Address, err = parseV4(w[1])
			}
		case "bootp":
			l.BOOTP = true
		case "renew":
			l.Renew, err = dhclientTime(w[1:])
		case "rebind":
			l.Rebind, err = dhclientTime(w[1:])
		case "expire":
			l.Expire, err = dhclientTime(w[1:])
		case "option":
			if len(w) < 3 {
				continue
			}
			switch w[1] {
			case "subnet-mask":
				var m netip.Addr
				if m, err = parseV4(w[2]); err == nil {
					l.PrefixLen, _ = maskBits(m)
				}
			case "routers":
				for _, r := range strings.Split(strings.Join(w[2:], ""), ",") {
					var a netip.Addr
					if a, err = parseV4(r); err != nil {
						break
					}
					l.Routers = append(l.Routers, a)
				}
			case "dhcp-server-identifier":
				l.Server, err = parseV4(w[2])
			case "dhcp-lease-time":
				var v uint64
				v, err = strconv.ParseUint(w[2], 10, 32)
				l.LeaseTime = uint32(v)
			case "dhcp-message-type":
				msgType = true
			}
		}
		if err != nil {
			return l, fmt.Errorf("%s: %w", strings.Join(w, " "), err)
		}
	}
	if !l.Address.IsValid() {
		return l, errors.New("no fixed-address")
	}
	if !msgType {
		l.BOOTP = true // a BOOTP reply carries no DHCP message type
	}
	if !l.Expire.IsZero() && l.LeaseTime != 0 && l.LeaseTime != infinite {
		l.Start = l.Expire.Add(-time.Duration(l.LeaseTime) * time.Second)
	}
	return l, nil
}

func parseV4(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is4() {
		return netip.Addr{}, fmt.Errorf("bad IPv4 address %q", s)
	}
	return a, nil
}

// dhclientTime reads the arguments of renew/rebind/expire.
func dhclientTime(w []string) (time.Time, error) {
	switch {
	case len(w) == 1 && w[0] == "never":
		return time.Time{}, nil
	case len(w) == 2 && w[0] == "epoch":
		v, err := strconv.ParseInt(w[1], 10, 64)
		if err != nil || v < 0 || v > 1<<40 {
			return time.Time{}, fmt.Errorf("bad epoch %q", w[1])
		}
		return time.Unix(v, 0).UTC(), nil
	case len(w) == 3 && len(w[0]) == 1 && w[0][0] >= '0' && w[0][0] <= '6':
		t, err := time.Parse("2006/01/02 15:04:05", w[1]+" "+w[2])
		if err != nil {
			return time.Time{}, fmt.Errorf("bad date %q", strings.Join(w, " "))
		}
		return t, nil
	case len(w) == 2:
		t, err := time.Parse("2006/01/02 15:04:05", w[0]+" "+w[1])
		if err != nil {
			return time.Time{}, fmt.Errorf("bad date %q", strings.Join(w, " "))
		}
		return t, nil
	}
	return time.Time{}, fmt.Errorf("bad date %q", strings.Join(w, " "))
}

func parseU32(s string) (uint32, error) {
	v, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("bad number %q", s)
	}
	return uint32(v), nil
}

// dhclientLease6 returns one lease per iaaddr (IA_NA, IA_TA) or iaprefix
// (IA_PD) of a lease6 block. Renew and rebind are the IA's T1 and T2 from
// its start; a T1 or T2 of 0 leaves the choice to the client and gives no
// time. A max-life of 0xffffffff never expires (Expire zero).
func dhclientLease6(n dhcNode) ([]snapshots.Lease, error) {
	var common []snapshots.Sysctl
	for _, st := range n.kids {
		if !st.block {
			common = opt(common, "", st)
		}
	}
	var out []snapshots.Lease
	for _, ia := range n.kids {
		if !ia.block || len(ia.words) == 0 || !strings.HasPrefix(ia.words[0], "ia-") {
			continue
		}
		iaName := ia.words[0]
		iaOpts := opt(nil, "", ia)
		var iaStart time.Time
		var t1, t2 uint32
		for _, st := range ia.kids {
			if st.block {
				continue
			}
			iaOpts = opt(iaOpts, iaName+".", st)
			if len(st.words) != 2 {
				continue
			}
			var err error
			switch st.words[0] {
			case "starts":
				iaStart, err = epoch(st.words[1])
			case "renew":
				t1, err = parseU32(st.words[1])
			case "rebind":
				t2, err = parseU32(st.words[1])
			}
			if err != nil {
				return out, fmt.Errorf("%s: %w", iaName, err)
			}
		}
		for _, a := range ia.kids {
			if !a.block || len(a.words) != 2 || (a.words[0] != "iaaddr" && a.words[0] != "iaprefix") {
				continue
			}
			l := snapshots.Lease{Family: snapshots.AFInet6, PrefixLen: 128}
			if a.words[0] == "iaprefix" {
				p, err := netip.ParsePrefix(a.words[1])
				if err != nil || !p.Addr().Is6() {
					return out, fmt.Errorf("bad iaprefix %q", a.words[1])
				}
				l.Address, l.PrefixLen = p.Addr(), uint8(p.Bits())
			} else {
				ad, err := netip.ParseAddr(a.words[1])
				if err != nil || !ad.Is6() {
					return out, fmt.Errorf("bad iaaddr %q", a.words[1])
				}
				l.Address = ad
			}
			opts := append(append([]snapshots.Sysctl(nil), common...), iaOpts...)
			opts = opt(opts, iaName+".", a)
			start := iaStart
			var maxLife uint32
			haveLife := false
			for _, st := range a.kids {
				opts = opt(opts, iaName+"."+a.words[0]+".", st)
				if len(st.words) != 2 {
					continue
				}
				var err error
				switch st.words[0] {
				case "starts":
					start, err = epoch(st.words[1])
				case "max-life":
					maxLife, err = parseU32(st.words[1])
					haveLife = true
				}
				if err != nil {
					return out, fmt.Errorf("%s %s: %w", a.words[0], a.words[1], err)
				}
			}
			l.Options = opts
			l.Start = start
			if t1 != 0 {
				l.Renew = addSeconds(iaStart, t1)
			}
			if t2 != 0 {
				l.Rebind = addSeconds(iaStart, t2)
			}
			if haveLife {
				l.LeaseTime = maxLife
				if maxLife != infinite {
					l.Expire = addSeconds(start, maxLife)
				}
			}
			out = append(out, l)
		}
	}
	return out, nil
}

func epoch(s string) (time.Time, error) {
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 || v > 1<<40 {
		return time.Time{}, fmt.Errorf("bad epoch %q", s)
	}
	return time.Unix(v, 0).UTC(), nil
}
