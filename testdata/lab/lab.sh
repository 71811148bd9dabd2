#!/usr/bin/env bash
# lab.sh — build or tear down netmortem's lab: two network namespaces joined
# by two veth pairs, populated with every kind of state netmortem captures.
#
#   lab.sh up   PREFIX    build namespaces PREFIXa and PREFIXb (root only)
#   lab.sh down PREFIX    kill every process the lab started, by pid, and
#                         delete both namespaces
#   lab.sh env  PREFIX    print the lab's facts as shell variables
#
# PREFIX keeps concurrent labs apart (tests use a per-run prefix). Needs
# iproute2, socat, dnsmasq, smcroute, isc-dhcp-client and ping. Changes
# nothing outside the two namespaces and the state directory
# /run/netmortem-lab/PREFIX.
#
# Namespace A ("the host under study"):
#   a0 10.1.0.1/24 + 10.1.0.11/24 label a0:1, fd00:1::1/64   <-> b0 in B
#   a1 10.2.0.1/24, fd00:2::1/64                              <-> b1 in B
#   routes: main (default, host, blackhole, unreachable, prohibit, multipath,
#   IPv6), table 100 with a policy rule, neighbours permanent and learned,
#   multicast joins (any-source, source-specific, IPv6), a multicast route
#   (smcroute), TCP listeners/established/CLOSE_WAIT/TIME_WAIT v4 and v6, UDP,
#   UNIX sockets, and a DHCP lease on a0 from dnsmasq in B.
set -euo pipefail

cmd=${1:-}
P=${2:-}
[ -n "$cmd" ] && [ -n "$P" ] || { echo "usage: $0 up|down|env PREFIX" >&2; exit 2; }
case "$P" in *[!A-Za-z0-9_-]*) echo "bad prefix $P" >&2; exit 2;; esac
A=${P}a
B=${P}b
STATE=/run/netmortem-lab/$P
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LEASE=$STATE/dhclient.a0.leases

start() { # start NS NAME CMD...: run in the background in NS, remember its pid
	local ns=$1 name=$2; shift 2
	ip netns exec "$ns" "$@" >"$STATE/$name.log" 2>&1 </dev/null &
	echo "$! $name" >>"$STATE/pids"
}

wait_for() { # wait_for CMD...: poll up to 10 s
	local i
	for i in $(seq 100); do
		if "$@" >/dev/null 2>&1; then return 0; fi
		sleep 0.1
	done
	echo "timed out waiting for: $*" >&2
	return 1
}

down() {
	if [ -f "$STATE/pids" ]; then
		while read -r pid name; do
			kill "$pid" 2>/dev/null || true
		done <"$STATE/pids"
		sleep 0.2
		while read -r pid name; do
			kill -9 "$pid" 2>/dev/null || true
		done <"$STATE/pids"
	fi
	# dhclient forks into the background; its pid file names it.
	if [ -f "$STATE/dhclient.pid" ]; then
		kill "$(cat "$STATE/dhclient.pid")" 2>/dev/null || true
	fi
	ip netns del "$A" 2>/dev/null || true
	ip netns del "$B" 2>/dev/null || true
	rm -rf "$STATE"
}

env() {
	cat <<EOF
LAB_A=$A
LAB_B=$B
LAB_STATE=$STATE
LAB_LEASE=$LEASE
LAB_UNIX=$STATE/unix.sock
EOF
}

up() {
	[ "$(id -u)" = 0 ] || { echo "lab.sh up needs root" >&2; exit 2; }
	down
	mkdir -p "$STATE"
	: >"$STATE/pids"
	ip netns add "$A"
	ip netns add "$B"
	local ns
	for ns in "$A" "$B"; do
		ip -n "$ns" link set lo up
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
		ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	done
	ip -n "$A" link add a0 type veth peer name b0 netns "$B"
	ip -n "$A" link add a1 type veth peer name b1 netns "$B"
	ip -n "$A" link set a0 address 02:00:00:00:0a:00
	ip -n "$A" link set a1 address 02:00:00:00:0a:01 mtu 1400
	ip -n "$B" link set b0 address 02:00:00:00:0b:00
	ip -n "$B" link set b1 address 02:00:00:00:0b:01 mtu 1400
	for l in a0 a1; do ip -n "$A" link set "$l" up; done
	for l in b0 b1; do ip -n "$B" link set "$l" up; done

	ip -n "$A" addr add 10.1.0.1/24 dev a0
	ip -n "$A" addr add 10.1.0.11/24 dev a0 label a0:1
	ip -n "$A" addr add fd00:1::1/64 dev a0 nodad
	ip -n "$A" addr add 10.2.0.1/24 dev a1
	ip -n "$A" addr add fd00:2::1/64 dev a1 nodad
	ip -n "$B" addr add 10.1.0.2/24 dev b0
	ip -n "$B" addr add fd00:1::2/64 dev b0 nodad
	ip -n "$B" addr add 10.2.0.2/24 dev b1
	ip -n "$B" addr add fd00:2::2/64 dev b1 nodad

	# Routes of namespace A.
	ip -n "$A" route add default via 10.1.0.2 dev a0
	ip -n "$A" route add 10.8.8.8/32 via 10.1.0.2 dev a0
	ip -n "$A" route add blackhole 10.66.0.0/16
	ip -n "$A" route add unreachable 10.67.0.0/16
	ip -n "$A" route add prohibit 10.68.0.0/16
	ip -n "$A" route add 10.50.0.0/16 nexthop via 10.1.0.2 dev a0 weight 1 nexthop via 10.2.0.2 dev a1 weight 2
	ip -n "$A" route add 10.60.0.0/16 via 10.2.0.2 dev a1 metric 50 mtu 1300 src 10.2.0.1
	ip -n "$A" route add 10.9.0.0/16 via 10.1.0.2 dev a0 table 100
	ip -n "$A" route add default via 10.2.0.2 dev a1 table 100
	ip -n "$A" rule add from 10.1.0.0/24 table 100 priority 1000
	ip -n "$A" -6 route add fd00:99::/48 via fd00:1::2 dev a0
	ip -n "$A" -6 route add fd00:98::/48 via fd00:2::2 dev a1 table 100
	ip -n "$A" -6 route add blackhole fd00:66::/48
	ip -n "$A" -6 route add default via fd00:1::2 dev a0 metric 2048
	ip -n "$B" route add default via 10.1.0.1 dev b0

	# Neighbours: permanent ones, and learned ones from pings.
	ip -n "$A" neigh add 10.1.0.99 lladdr 02:00:00:00:00:99 dev a0 nud permanent
	ip -n "$A" neigh add fd00:1::99 lladdr 02:00:00:00:00:98 dev a0 nud permanent
	ip -n "$A" neigh add 10.2.0.77 lladdr 02:00:00:00:00:77 dev a1 nud stale
	ip netns exec "$A" ping -c1 -W2 10.1.0.2 >/dev/null
	ip netns exec "$A" ping -c1 -W2 10.2.0.2 >/dev/null
	ip netns exec "$A" ping -6 -c1 -W2 fd00:1::2 >/dev/null

	# Multicast memberships in A: any-source v4, source-specific v4, v6.
	start "$A" join-asm socat -u UDP4-RECV:5001,ip-add-membership=239.1.1.1:10.1.0.1 -
	(cd "$ROOT" && go build -o "$STATE/labtool" ./testdata/lab/labtool)
	start "$A" join-ssm "$STATE/labtool" ssm-join 232.1.1.1 10.1.0.2 10.1.0.1
	start "$A" join-v6 socat -u UDP6-RECV:5003,ipv6-join-group='[ff15::1234]:a0' -

	# Multicast routing in A: (10.1.0.2, 239.2.2.2) from a0 to a1.
	cat >"$STATE/smcroute.conf" <<EOF
phyint a0 enable
phyint a1 enable
mroute from a0 source 10.1.0.2 group 239.2.2.2 to a1
EOF
	start "$A" smcroute smcrouted -n -N -f "$STATE/smcroute.conf" -P "$STATE/smcroute.pid" -u "$STATE/smcroute.sock" -l none

	# TCP in A: listeners v4/v6, established, CLOSE_WAIT, TIME_WAIT.
	start "$A" listen4 socat TCP4-LISTEN:8080,bind=10.1.0.1,reuseaddr,fork EXEC:'sleep 3600'
	start "$A" listen6 socat TCP6-LISTEN:8443,bind=[fd00:1::1],reuseaddr,fork EXEC:'sleep 3600'
	start "$A" listen-any socat TCP4-LISTEN:2222,reuseaddr,fork EXEC:'sleep 3600'
	wait_for sh -c "ip netns exec $A ss -Htln '( sport = :8443 )' | grep -q ."
	wait_for sh -c "ip netns exec $A ss -Htln '( sport = :8080 )' | grep -q ."
	start "$B" est4 socat -u TCP4:10.1.0.1:8080 EXEC:'sleep 3600'
	start "$B" est6 socat -u TCP6:[fd00:1::1]:8443 EXEC:'sleep 3600'
	# CLOSE_WAIT on A: B's listener closes at once, A's client does not read.
	start "$B" closer socat TCP4-LISTEN:9000,bind=10.1.0.2,reuseaddr SYSTEM:'exit 0'
	wait_for sh -c "ip netns exec $B ss -Htln '( sport = :9000 )' | grep -q ."
	start "$A" closewait socat -u TCP4:10.1.0.2:9000,shut-none EXEC:'sleep 3600',nofork
	# TIME_WAIT on A: A connects and closes first.
	start "$B" twlisten socat TCP4-LISTEN:9001,bind=10.1.0.2,reuseaddr,fork EXEC:'cat'
	wait_for sh -c "ip netns exec $B ss -Htln '( sport = :9001 )' | grep -q ."
	ip netns exec "$A" socat -u /dev/null TCP4:10.1.0.2:9001 || true

	# UDP and UNIX sockets in A.
	start "$A" udp-bound socat -u UDP4-RECV:5353,bind=10.1.0.1 -
	start "$A" udp-conn socat -u EXEC:'sleep 3600' UDP4:10.1.0.2:7777,bind=10.1.0.1:7778
	start "$A" udp6 socat -u UDP6-RECV:5354 -
	start "$A" unix-listen socat UNIX-LISTEN:"$STATE/unix.sock",fork EXEC:'sleep 3600'
	wait_for test -S "$STATE/unix.sock"
	start "$A" unix-conn socat -u UNIX-CONNECT:"$STATE/unix.sock" EXEC:'sleep 3600'
	start "$A" unix-abstract socat ABSTRACT-LISTEN:netmortem-lab-$P,fork EXEC:'sleep 3600'

	# DHCP: dnsmasq in B serves b0; dhclient in A takes a lease on a0.
	start "$B" dnsmasq dnsmasq --no-daemon --conf-file=/dev/null --interface=b0 --bind-interfaces \
		--except-interface=lo --dhcp-range=10.1.0.100,10.1.0.150,255.255.255.0,1h \
		--dhcp-option=option:router,10.1.0.2 --dhcp-leasefile="$STATE/dnsmasq.leases" --port=0 \
		--pid-file="$STATE/dnsmasq.pid"
	sleep 0.3
	ip netns exec "$A" dhclient -4 -1 -v -lf "$LEASE" -pf "$STATE/dhclient.pid" \
		-sf /bin/true a0 >"$STATE/dhclient.log" 2>&1
	# -sf /bin/true: the lease is recorded but nothing on a0 changes.

	wait_for sh -c "ip netns exec $A ss -Htn state established '( sport = :8080 )' | grep -q ."
	wait_for sh -c "ip netns exec $A ss -Htn state established '( sport = :8443 )' | grep -q ."
	wait_for sh -c "ip netns exec $A ss -Htn state close-wait | grep -q ."
	# smcroute installs its route once the daemon is up.
	wait_for sh -c "ip -n $A mroute show | grep -q 239.2.2.2" || true
}

case "$cmd" in
up) up ;;
down) down ;;
env) env ;;
*) echo "usage: $0 up|down|env PREFIX" >&2; exit 2 ;;
esac
