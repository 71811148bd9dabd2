#!/usr/bin/env bash
# scale.sh — build a big namespace and measure netmortem against ip and ss
# on the same data, alternating, in one run.
#
#   scale.sh up   [V4 [V6 [CONNS]]]   namespace "scale": V4 IPv4 routes (1000000),
#                                     V6 IPv6 routes (100000), CONNS established
#                                     loopback TCP connections (200000), held by
#                                     several processes (the fd limit is ~20000)
#   scale.sh conns [CONNS]            reopen the connections only (after a reboot
#                                     of the holders; routes stay)
#   scale.sh bench [ROUNDS]           time capture vs ip route save + ss -tan,
#                                     netstat -rn vs ip route show, netstat -an vs
#                                     ss -tan, filters (dst:20.0.0.0/8; outif:v2,
#                                     about half the IPv4 routes; outif:v0 or v2,
#                                     all of them), and diff; print a table
#   scale.sh info [FILE...]           start-up of `netmortem info`: mean wall time of
#                                     40 runs on each file (default: the scale
#                                     snapshot and the small frozen test file),
#                                     next to /bin/true for the cost of a process
#   scale.sh down                     kill the holders by pid, delete the namespace
#
# Root only. Work files go to /var/tmp/netmortem-scale.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
NS=scale
W=/var/tmp/netmortem-scale
PER=19000 # connections per holder process, under the fd limit

kill_holders() {
	if [ -f $W/pids ]; then
		while read -r pid; do kill "$pid" 2>/dev/null || true; done <$W/pids
		sleep 0.5
		while read -r pid; do kill -9 "$pid" 2>/dev/null || true; done <$W/pids
		rm -f $W/pids
	fi
}

down() {
	kill_holders
	ip netns del $NS 2>/dev/null || true
}

up() {
	local v4=${1:-1000000} v6=${2:-100000} conns=${3:-200000}
	down
	mkdir -p $W
	: >$W/pids
	(cd "$root" && CGO_ENABLED=0 go build -o $W/netmortem ./cmd/netmortem && go build -o $W/labtool ./testdata/lab/labtool)
	ip netns add $NS
	ip -n $NS link set lo up
	# Two uplinks, as on a BGP router: v0 and v2 (their peers v1, v3 stay
	# in the namespace), routes spread over both.
	ip -n $NS link add v0 type veth peer name v1
	ip -n $NS link add v2 type veth peer name v3
	for d in v0 v1 v2 v3; do ip -n $NS link set $d up; done
	ip -n $NS addr add 10.255.0.1/16 dev v0
	ip -n $NS addr add fd00:ff::1/64 dev v0 nodad
	ip -n $NS addr add 10.254.0.1/16 dev v2
	ip -n $NS addr add fd00:fe::1/64 dev v2 nodad
	# Servers listen below the ephemeral range, so that no client's source
	# port can take a server's port first.
	ip netns exec $NS sysctl -qw net.ipv4.ip_local_port_range="10000 65000"
	echo "adding $v4 IPv4 and $v6 IPv6 routes…"
	rm -f $W/hold.*
	time $W/labtool routes "$v4" "$v6" 10.255.0.2,10.255.0.3,10.254.0.2@v2,10.254.0.3@v2 fd00:ff::2,fd00:fe::2@v2 v0 |
		ip -n $NS -batch -
	conns "$conns"
}

# conns N: kill the holders, then open N loopback connections, held by
# several processes.
conns() {
	local conns=${1:-200000}
	kill_holders
	(cd "$root" && go build -o $W/labtool ./testdata/lab/labtool)
	: >$W/pids
	echo "opening $conns loopback connections…"
	local port=5000 left=$conns
	rm -f $W/hold.*
	while [ "$left" -gt 0 ]; do
		local n=$PER
		[ "$left" -lt $n ] && n=$left
		ip netns exec $NS $W/labtool serve 127.0.0.1:$port >/dev/null 2>&1 &
		echo $! >>$W/pids
		ip netns exec $NS $W/labtool hold "$n" 127.0.0.1:$port >$W/hold.$port 2>&1 &
		echo $! >>$W/pids
		left=$((left - n))
		port=$((port + 1))
	done
	for f in $W/hold.*; do
		for _ in $(seq 600); do grep -q ready "$f" && break; sleep 0.5; done
		grep -q ready "$f" || { echo "holder $f did not get ready: $(cat "$f")"; exit 1; }
	done
	echo "routes: $(ip -n $NS route show | wc -l) IPv4 main, TCP sockets: $(ip netns exec $NS ss -Htan | wc -l)"
}

# t CMD…: run a command, print "seconds maxRSS-KiB".
t() {
	/usr/bin/time -f "%e %M" -o $W/time "$@" >/dev/null 2>$W/stderr || { cat $W/stderr; return 1; }
	tail -1 $W/time
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

bench() {
	local rounds=${1:-3}
	local nm=$W/netmortem
	(cd "$root" && CGO_ENABLED=0 go build -o $nm ./cmd/netmortem)
	: >$W/results
	for i in $(seq "$rounds"); do
		echo "round $i" >&2
		echo "capture $(t $nm capture --quiet --netns $NS -o $W/scale.nms)" >>$W/results
		echo "iproute_ss $(t sh -c "ip -n $NS route save table all >$W/route.save; ip -n $NS -6 route save table all >>$W/route.save; ip netns exec $NS ss -tan >$W/ss.txt")" >>$W/results
		echo "netstat_rn $(t $nm netstat -rn $W/scale.nms)" >>$W/results
		echo "ip_route_show $(t sh -c "ip -n $NS route show; ip -n $NS -6 route show")" >>$W/results
		echo "netstat_an $(t $nm netstat -an -f inet -f inet6 $W/scale.nms)" >>$W/results
		echo "ss_tan $(t ip netns exec $NS ss -tan)" >>$W/results
		echo "filter_dst $(t $nm netstat -rn -f dst:20.0.0.0/8 $W/scale.nms)" >>$W/results
		echo "filter_outif $(t $nm netstat -rn -f outif:v2 -f af:inet $W/scale.nms)" >>$W/results
		echo "filter_outif_all $(t $nm netstat -rn -f outif:v0 -f outif:v2 -f af:inet $W/scale.nms)" >>$W/results
		echo "ip_route_show_v4 $(t ip -n $NS route show)" >>$W/results
	done
	# diff: change 1 % of the IPv4 routes, capture again, diff.
	# The new gateway differs from the current one, so that every run changes
	# them (.5 one run, .4 the next).
	ip -n $NS route show | grep ' proto bgp ' | head -n 10000 |
		awk '{gw = ($3 == "10.255.0.5") ? "10.255.0.4" : "10.255.0.5"; print "route change " $1 " via " gw " dev v0 proto bgp metric 20"}' |
		ip -n $NS -batch - 2>/dev/null || true
	$nm capture --quiet --netns $NS --tables routes,links,addrs -o $W/scale2.nms
	for i in $(seq "$rounds"); do
		# diff exits 1 when the captures differ, as they do here.
		echo "diff $(/usr/bin/time -f "%e %M" -o $W/time $nm diff --tables routes $W/scale.nms $W/scale2.nms >/dev/null 2>$W/stderr; tail -1 $W/time)" >>$W/results
	done
	local save ssb snap
	save=$(stat -c %s $W/route.save)
	snap=$(stat -c %s $W/scale.nms)
	printf "\n%-18s %10s %12s\n" measure "median s" "max RSS MiB"
	for m in capture iproute_ss netstat_rn ip_route_show netstat_an ss_tan filter_dst filter_outif filter_outif_all ip_route_show_v4 diff; do
		local s r
		s=$(awk -v m=$m '$1==m {print $2}' $W/results | median)
		r=$(awk -v m=$m '$1==m {print $3}' $W/results | sort -n | tail -1)
		printf "%-18s %10s %12d\n" "$m" "$s" $((r / 1024))
	done
	printf "\nsnapshot %d bytes; ip route save %d bytes (ratio %.3f)\n" "$snap" "$save" "$(echo "$snap / $save" | bc -l)"
	echo
	info_time $W/scale.nms "$root/testdata/snapshots/format-v1.1.nms"
}

# mean_ms CMD...: mean wall time in ms of 40 runs, after 3 unmeasured ones.
mean_ms() {
	local i t0 t1
	for i in 1 2 3; do "$@" >/dev/null; done
	t0=$(date +%s%N)
	for i in $(seq 40); do "$@" >/dev/null; done
	t1=$(date +%s%N)
	echo "scale=2; ($t1 - $t0) / 40000000" | bc
}

# info_time FILE...: the info goal (issue 2) is a constant time, whatever
# the file's size; /bin/true shows what any process costs here.
info_time() {
	local nm=$W/netmortem f
	mkdir -p $W
	[ -x $nm ] || (cd "$root" && CGO_ENABLED=0 go build -o $nm ./cmd/netmortem)
	printf "%-50s %8s\n" "mean of 40 runs" "ms"
	printf "%-50s %8s\n" "/bin/true" "$(mean_ms /bin/true)"
	for f in "$@"; do
		printf "%-50s %8s\n" "netmortem info $(basename "$f") ($(stat -c %s "$f") B)" "$(mean_ms $nm info "$f")"
	done
}

case "${1:-}" in
up) shift; up "$@" ;;
conns) shift; conns "$@" ;;
bench) shift; bench "$@" ;;
info) shift; [ $# -gt 0 ] || set -- $W/scale.nms "$root/testdata/snapshots/format-v1.1.nms"; info_time "$@" ;;
down) down ;;
*) echo "usage: $0 up [V4 [V6 [CONNS]]] | conns [CONNS] | bench [ROUNDS] | info [FILE...] | down" >&2; exit 2 ;;
esac
