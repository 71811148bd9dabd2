package leases

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/netmortem/netmortem/snapshots"
)

// ErrWickedIPv6 is returned for wicked's DHCPv6 lease files, which this
// package does not decode.
var ErrWickedIPv6 = errors.New("wicked DHCPv6 leases are not decoded")

// ParseWicked reads a wicked (SUSE) DHCPv4 lease file,
// /var/lib/wicked/lease-<iface>-dhcp-ipv4.xml: a <lease> element with
// family, type, state and an <ipv4:dhcp> element holding address, netmask,
// server-address, lease-time, renewal-time and rebind-time (seconds). Every
// leaf element is kept in Options under its path ("ipv4:dhcp.address").
// The lease starts at <acquired> when it holds Unix seconds, else at
// modTime. DHCPv6 files give ErrWickedIPv6.
func ParseWicked(hostPath string, data []byte, modTime time.Time) ([]snapshots.Lease, error) {
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("%s: %d bytes is more than a lease file can be", hostPath, len(data))
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = false
	var stack []string
	var text strings.Builder
	leaves := map[string]string{}
	l := snapshots.Lease{Interface: ifaceFromName(hostPath), Client: ClientWicked, Family: snapshots.AFInet,
		SourceFile: hostPath, ModTime: modTime}
	sawLease := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", hostPath, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) >= 32 {
				return nil, fmt.Errorf("%s: XML nested too deeply", hostPath)
			}
			name := t.Name.Local
			if t.Name.Space != "" {
				name = t.Name.Space + ":" + name
			}
			if len(stack) == 0 && name == "lease" {
				sawLease = true
			}
			stack = append(stack, name)
			text.Reset()
		case xml.CharData:
			if text.Len() < 64<<10 {
				text.Write(t)
			}
		case xml.EndElement:
			if len(stack) == 0 {
				return nil, fmt.Errorf("%s: unbalanced XML", hostPath)
			}
			if v := strings.TrimSpace(text.String()); v != "" && len(stack) > 1 {
				p := strings.Join(stack[1:], ".")
				l.Options = append(l.Options, snapshots.Sysctl{Name: p, Value: v})
				if _, dup := leaves[p]; !dup {
					leaves[p] = v
				}
			}
			text.Reset()
			stack = stack[:len(stack)-1]
		}
	}
	if !sawLease {
		return nil, fmt.Errorf("%s: no <lease> element", hostPath)
	}
	if f := leaves["family"]; f == "ipv6" || leaves["ipv6:dhcp.address"] != "" {
		return nil, fmt.Errorf("%s: %w", hostPath, ErrWickedIPv6)
	}
	get := func(k string) string { return leaves["ipv4:dhcp."+k] }
	var err error
	if l.Address, err = parseV4(get("address")); err != nil {
		return nil, fmt.Errorf("%s: address: %w", hostPath, err)
	}
	if m := get("netmask"); m != "" {
		mask, err := parseV4(m)
		if err != nil {
			return nil, fmt.Errorf("%s: netmask: %w", hostPath, err)
		}
		l.PrefixLen, _ = maskBits(mask)
	}
	if s := get("server-address"); s != "" {
		if l.Server, err = parseV4(s); err != nil {
			return nil, fmt.Errorf("%s: server-address: %w", hostPath, err)
		}
	}
	start := modTime
	if a := leaves["acquired"]; a != "" {
		if f, err := strconv.ParseFloat(a, 64); err == nil && f > 0 && f < math.MaxInt32*4 {
			start = time.Unix(int64(f), 0).UTC()
		}
	}
	l.Start = start
	secs := func(k string) (uint32, bool, error) {
		v := get(k)
		if v == "" {
			return 0, false, nil
		}
		n, err := parseU32(v)
		return n, err == nil, err
	}
	lt, ok, err := secs("lease-time")
	if err != nil {
		return nil, fmt.Errorf("%s: lease-time: %w", hostPath, err)
	}
	if ok {
		l.LeaseTime = lt
		if lt != infinite {
			l.Expire = addSeconds(start, lt)
		}
	}
	if t1, ok, err := secs("renewal-time"); err != nil {
		return nil, fmt.Errorf("%s: renewal-time: %w", hostPath, err)
	} else if ok {
		l.Renew = addSeconds(start, t1)
	}
	if t2, ok, err := secs("rebind-time"); err != nil {
		return nil, fmt.Errorf("%s: rebind-time: %w", hostPath, err)
	} else if ok {
		l.Rebind = addSeconds(start, t2)
	}
	return []snapshots.Lease{l}, nil
}
