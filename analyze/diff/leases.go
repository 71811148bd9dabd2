package diff

import (
	"time"

	"github.com/netmortem/netmortem/snapshots"
)

// DHCP leases are joined by interface and family. A lease file keeps
// every lease a client took; the one compared is the current one, the
// latest to start (the last in the file among equals). Its address,
// server, routers, times and options are compared: a renewal shows as new
// times.

type leaseKey struct {
	iface  string
	family uint8
}

// currentLeases keeps the current lease of every interface and family, in
// the order of their first appearance.
func currentLeases(ls []snapshots.Lease) []snapshots.Lease {
	at := map[leaseKey]int{}
	var out []snapshots.Lease
	for _, l := range ls {
		k := leaseKey{l.Interface, l.Family}
		i, ok := at[k]
		if !ok {
			at[k] = len(out)
			out = append(out, l)
			continue
		}
		if !l.Start.Before(out[i].Start) {
			out[i] = l
		}
	}
	return out
}

func timeStr(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

var leaseSpec = spec[snapshots.Lease, leaseKey]{
	key: func(s *side, l *snapshots.Lease) leaseKey { return leaseKey{l.Interface, l.Family} },
	desc: func(s *side, l *snapshots.Lease) (key, attrs Fields) {
		key.bare("interface", l.Interface)
		key.bare("family", familyName(l.Family))
		a := &attrs
		a.add("client", l.Client)
		if l.Address.IsValid() {
			a.add("address", l.Address.String()+"/"+unum(l.PrefixLen))
		}
		a.add("server", addrStr(l.Server))
		routers := make([]string, 0, len(l.Routers))
		for _, r := range l.Routers {
			routers = append(routers, addrStr(r))
		}
		a.addSet("routers", routers)
		a.add("lease_time", unum(l.LeaseTime))
		a.add("start", timeStr(l.Start))
		a.add("renew", timeStr(l.Renew))
		a.add("rebind", timeStr(l.Rebind))
		a.add("expire", timeStr(l.Expire))
		if l.BOOTP {
			a.add("bootp", "yes")
		}
		opts := make([]string, 0, len(l.Options))
		for _, o := range l.Options {
			opts = append(opts, o.Name+"="+o.Value)
		}
		a.addSet("options", opts)
		return key, attrs
	},
}
