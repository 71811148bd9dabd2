#!/usr/bin/env bash
# capture.sh — copy the /proc fixtures of capture/procnet out of a running lab.
#
#   testdata/lab/lab.sh up PREFIX
#   testdata/proc/capture.sh PREFIX testdata/proc/$(uname -m)
#   testdata/lab/lab.sh down PREFIX
#
# Before copying it adds what lab.sh does not create (see extra/main.go),
# plus a proxy ARP entry, an incomplete neighbour, a SYN_RECV request (B
# connects from 10.2.0.3 and A answers to a MAC nobody owns), a fresh
# TIME_WAIT, an IPv6 multicast route, and an unresolved multicast cache entry (smcroute is stopped
# while B sends to a group with no route, then resumed). Every process it
# starts is appended to the lab's pid list, so lab.sh down ends it.
set -euo pipefail
P=${1:?usage: capture.sh PREFIX OUTDIR}
OUT=${2:?usage: capture.sh PREFIX OUTDIR}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
eval "$("$ROOT/testdata/lab/lab.sh" env "$P")"
A=$LAB_A B=$LAB_B S=$LAB_STATE
[ -f "$S/pids" ] || { echo "lab $P is not up" >&2; exit 2; }

(cd "$ROOT" && go build -o "$S/extra" ./testdata/proc/extra)
ip netns exec "$A" "$S/extra" "$S" >"$S/extra.log" 2>&1 </dev/null &
echo "$! extra" >>"$S/pids"
XPID=$!
for i in $(seq 100); do grep -q ready "$S/extra.log" && break; sleep 0.1; done
grep -q ready "$S/extra.log" || { cat "$S/extra.log" >&2; exit 1; }

ip -n "$A" neigh add proxy 10.1.0.200 dev a0
ip netns exec "$A" ping -c1 -W1 10.1.0.4 >/dev/null 2>&1 || true

# On the a1 side: replies from 10.1.0.0/24 would follow the policy rule
# to table 100 and reach B anyway.
ip -n "$B" addr add 10.2.0.3/32 dev b1
ip -n "$A" neigh add 10.2.0.3 lladdr 02:00:00:00:00:33 dev a1 nud permanent
ip netns exec "$B" socat -u /dev/null TCP4:10.2.0.1:2222,bind=10.2.0.3,connect-timeout=50 >/dev/null 2>&1 </dev/null &
echo "$! synsent" >>"$S/pids"

ip netns exec "$A" socat -u /dev/null TCP4:10.1.0.2:9001 || true

# An IPv6 multicast route next to the lab's IPv4 one.
ip netns exec "$A" smcroutectl -u "$S/smcroute.sock" add a0 fd00:1::2 ff3e::4321 a1

SMC=$(awk '$2 == "smcroute" {print $1}' "$S/pids")
# A resolved entry with no oifs: smcroute answers the upcall for 239.7.7.7.
ip netns exec "$B" ping -c1 -W1 -t4 -I b0 239.7.7.7 >/dev/null 2>&1 || true
sleep 0.3
# The kernel drops an unresolved entry soon; read the file at once.
kill -STOP "$SMC"
trap 'kill -CONT $SMC' EXIT
sleep 0.2
mkdir -p "$OUT/net/dev_snmp6" "$OUT/net/sctp"
ip netns exec "$B" ping -c1 -W0.1 -t4 -I b0 239.6.6.6 >/dev/null 2>&1 || true
cat "/proc/$XPID/net/ip_mr_cache" >"$OUT/net/ip_mr_cache"
kill -CONT "$SMC"
trap - EXIT
sleep 0.3
for f in tcp tcp6 udp udp6 udplite udplite6 raw raw6 unix packet netlink \
	igmp igmp6 mcfilter mcfilter6 dev_mcast ip_mr_vif ip6_mr_vif ip6_mr_cache \
	snmp snmp6 netstat sockstat sockstat6 protocols softnet_stat \
	arp route ipv6_route if_inet6 dev fib_trie; do
	cat "/proc/$XPID/net/$f" >"$OUT/net/$f"
done
for f in /proc/"$XPID"/net/dev_snmp6/*; do
	cat "$f" >"$OUT/net/dev_snmp6/$(basename "$f")"
done
if [ -d "/proc/$XPID/net/sctp" ]; then
	for f in eps assocs remaddr snmp; do cat "/proc/$XPID/net/sctp/$f" >"$OUT/net/sctp/$f"; done
fi
cat /proc/slabinfo >"$OUT/slabinfo"
# What ss and ip saw at the same moment, for reading the fixtures.
ip netns exec "$A" ss -tuanxwp0 >"$OUT/ss.txt" 2>&1 || true
ip -n "$A" -d route show table all >"$OUT/ip-route.txt"
ip -n "$A" neigh show nud all >"$OUT/ip-neigh.txt"
ip -n "$A" maddr show >"$OUT/ip-maddr.txt"
uname -r >"$OUT/uname-r.txt"
echo "captured into $OUT"
