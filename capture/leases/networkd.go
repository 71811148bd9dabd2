package leases

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/netmortem/netmortem/snapshots"
)

// ParseNetworkd reads a systemd-networkd DHCPv4 lease file,
// /run/systemd/netif/leases/<ifindex>. Older systemd writes KEY=VALUE lines
// (ADDRESS, NETMASK, ROUTER, SERVER_ADDRESS, T1, T2, LIFETIME …, durations as
// seconds or as timespans like "8min 45s"); current systemd writes a JSON
// object (Address, Netmask, Router, Server_Address, T1, T2, Lifetime,
// Timestamp_realtime …, addresses as strings or byte arrays). Both are
// accepted.
//
// The file records durations only. They count from the lease's timestamp:
// JSON's Timestamp_realtime when it is in UTC, else modTime — networkd
// rewrites the file when it takes or renews a lease, so the file's
// modification time is when the lease began, or slightly later. ifnames
// maps the index in the file name to an interface name; an index it does
// not know is reported as "if#<n>", as Solaris netstat names an unknown
// index.
func ParseNetworkd(hostPath string, data []byte, modTime time.Time, ifnames map[int32]string) ([]snapshots.Lease, error) {
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("%s: %d bytes is more than a lease file can be", hostPath, len(data))
	}
	l := snapshots.Lease{Family: snapshots.AFInet, Client: ClientNetworkd, SourceFile: hostPath, ModTime: modTime}
	base := path.Base(hostPath)
	if idx, err := strconv.ParseInt(base, 10, 32); err == nil {
		if name, ok := ifnames[int32(idx)]; ok && name != "" {
			l.Interface = name
		} else {
			l.Interface = "if#" + base
		}
	}
	var f networkdFields
	var err error
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '{' {
		err = f.fromJSON(t)
	} else {
		err = f.fromEnv(data)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", hostPath, err)
	}
	l.Options = f.opts
	if !f.addr.IsValid() {
		return nil, fmt.Errorf("%s: no address", hostPath)
	}
	l.Address, l.Server, l.Routers = f.addr, f.server, f.routers
	if f.mask.IsValid() {
		l.PrefixLen, _ = maskBits(f.mask)
	}
	start := modTime
	if !f.stamp.IsZero() {
		start = f.stamp
	}
	l.Start = start
	if f.hasLife {
		l.LeaseTime = f.life
		if f.life != infinite {
			l.Expire = addSeconds(start, f.life)
		}
	}
	if f.hasT1 {
		l.Renew = addSeconds(start, f.t1)
	}
	if f.hasT2 {
		l.Rebind = addSeconds(start, f.t2)
	}
	return []snapshots.Lease{l}, nil
}

type networkdFields struct {
	opts                  []snapshots.Sysctl
	addr, mask, server    netip.Addr
	routers               []netip.Addr
	t1, t2, life          uint32
	hasT1, hasT2, hasLife bool
	stamp                 time.Time
}

func (f *networkdFields) set(key, value string) error {
	var err error
	switch strings.ToUpper(key) {
	case "ADDRESS":
		f.addr, err = parseV4(value)
	case "NETMASK":
		f.mask, err = parseV4(value)
	case "SERVER_ADDRESS":
		f.server, err = parseV4(value)
	case "ROUTER":
		for _, r := range strings.Fields(value) {
			var a netip.Addr
			if a, err = parseV4(r); err != nil {
				break
			}
			f.routers = append(f.routers, a)
		}
	case "T1":
		f.t1, err = parseTimespan(value)
		f.hasT1 = err == nil
	case "T2":
		f.t2, err = parseTimespan(value)
		f.hasT2 = err == nil
	case "LIFETIME":
		f.life, err = parseTimespan(value)
		f.hasLife = err == nil
	case "TIMESTAMP_REALTIME":
		f.stamp = parseSystemdTimestamp(value)
	}
	if err != nil {
		return fmt.Errorf("%s=%s: %w", key, truncate(value), err)
	}
	return nil
}

func (f *networkdFields) fromEnv(data []byte) error {
	for _, line := range bytes.Split(data, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] == '#' || line[0] == ';' {
			continue
		}
		k, v, ok := strings.Cut(string(line), "=")
		if !ok {
			return fmt.Errorf("line %q is not KEY=VALUE", truncate(string(line)))
		}
		if len(v) >= 2 && (v[0] == '"' && v[len(v)-1] == '"' || v[0] == '\'' && v[len(v)-1] == '\'') {
			v = v[1 : len(v)-1]
		}
		f.opts = append(f.opts, snapshots.Sysctl{Name: k, Value: v})
		if err := f.set(k, v); err != nil {
			return err
		}
	}
	return nil
}

// fromJSON reads the top-level object key by key, so Options keep the
// file's order; each value is kept as compact JSON (strings unquoted).
func (f *networkdFields) fromJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return errors.New("JSON lease is not an object")
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return fmt.Errorf("JSON: %w", err)
		}
		key, _ := t.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return fmt.Errorf("JSON %s: %w", key, err)
		}
		var s string
		var value string
		if json.Unmarshal(raw, &s) == nil {
			value = s
		} else {
			var b bytes.Buffer
			if json.Compact(&b, raw) != nil {
				return fmt.Errorf("JSON %s: bad value", key)
			}
			value = b.String()
		}
		f.opts = append(f.opts, snapshots.Sysctl{Name: key, Value: value})
		switch strings.ToUpper(key) {
		case "ADDRESS", "NETMASK", "SERVER_ADDRESS":
			a, err := jsonAddr(raw)
			if err != nil {
				return fmt.Errorf("JSON %s: %w", key, err)
			}
			err = f.set(key, a.String())
			if err != nil {
				return err
			}
		case "ROUTER":
			var list []json.RawMessage
			if err := json.Unmarshal(raw, &list); err != nil {
				list = []json.RawMessage{raw}
			}
			for _, r := range list {
				a, err := jsonAddr(r)
				if err != nil {
					return fmt.Errorf("JSON %s: %w", key, err)
				}
				f.routers = append(f.routers, a)
			}
		case "T1", "T2", "LIFETIME":
			var n json.Number
			if json.Unmarshal(raw, &s) != nil {
				if json.Unmarshal(raw, &n) != nil {
					return fmt.Errorf("JSON %s: not a timespan", key)
				}
				s = n.String()
			}
			if err := f.set(key, s); err != nil {
				return err
			}
		case "TIMESTAMP_REALTIME":
			f.stamp = parseSystemdTimestamp(value)
		}
	}
	if _, err := dec.Token(); err != nil {
		return fmt.Errorf("JSON: %w", err)
	}
	return nil
}

// jsonAddr accepts systemd's two JSON forms of an IPv4 address: a string
// or an array of four bytes.
func jsonAddr(raw json.RawMessage) (netip.Addr, error) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return parseV4(s)
	}
	var b []int
	if json.Unmarshal(raw, &b) != nil || len(b) != 4 {
		return netip.Addr{}, errors.New("not an IPv4 address")
	}
	var a [4]byte
	for i, v := range b {
		if v < 0 || v > 255 {
			return netip.Addr{}, errors.New("not an IPv4 address")
		}
		a[i] = byte(v)
	}
	return netip.AddrFrom4(a), nil
}

// parseSystemdTimestamp reads systemd's "Sat 2026-11-28 23:03:14.250700 UTC"
// (or with a numeric offset). Other zone names cannot be resolved offline
// without guessing, so they give the zero time and the caller falls back to
// the file's modification time.
func parseSystemdTimestamp(s string) time.Time {
	for _, layout := range []string{"Mon 2006-01-02 15:04:05.999999 -0700", "Mon 2006-01-02 15:04:05 -0700",
		"2006-01-02 15:04:05.999999 -0700", "2006-01-02 15:04:05 -0700"} {
		v := s
		for _, utc := range []string{" UTC", " GMT"} {
			if strings.HasSuffix(v, utc) {
				v = strings.TrimSuffix(v, utc) + " +0000"
			}
		}
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// timespanUnits are systemd's time units (parse_sec), in seconds.
var timespanUnits = map[string]float64{
	"": 1, "s": 1, "sec": 1, "second": 1, "seconds": 1,
	"ms": 1e-3, "msec": 1e-3, "us": 1e-6, "usec": 1e-6, "µs": 1e-6, "μs": 1e-6, "ns": 1e-9, "nsec": 1e-9,
	"m": 60, "min": 60, "minute": 60, "minutes": 60,
	"h": 3600, "hr": 3600, "hour": 3600, "hours": 3600,
	"d": 86400, "day": 86400, "days": 86400,
	"w": 604800, "week": 604800, "weeks": 604800,
	"M": 2629800, "month": 2629800, "months": 2629800,
	"y": 31557600, "year": 31557600, "years": 31557600,
}

// parseTimespan reads a systemd duration as whole seconds: a plain number
// ("3600"), or parts like "1h 52min 30s" and "1.5s"; "infinity" is the
// DHCP infinite time.
func parseTimespan(s string) (uint32, error) {
	s = strings.TrimSpace(s)
	if s == "infinity" {
		return infinite, nil
	}
	if s == "" {
		return 0, errors.New("empty timespan")
	}
	total := 0.0
	for s != "" {
		s = strings.TrimLeft(s, " \t")
		i := 0
		for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
			i++
		}
		if i == 0 {
			return 0, fmt.Errorf("bad timespan %q", truncate(s))
		}
		n, err := strconv.ParseFloat(s[:i], 64)
		if err != nil {
			return 0, fmt.Errorf("bad timespan %q", truncate(s))
		}
		s = strings.TrimLeft(s[i:], " \t")
		j := 0
		for j < len(s) && !(s[j] >= '0' && s[j] <= '9' || s[j] == ' ' || s[j] == '\t' || s[j] == '.') {
			j++
		}
		unit, ok := timespanUnits[s[:j]]
		if !ok {
			return 0, fmt.Errorf("bad timespan unit %q", truncate(s[:j]))
		}
		s = s[j:]
		total += n * unit
		if total > math.MaxUint32 {
			return 0, errors.New("timespan too long")
		}
	}
	return uint32(total), nil
}
