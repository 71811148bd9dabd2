#!/usr/bin/env bash
# make-snapshots.sh — rebuild the lab snapshots the golden tests replay:
#   testdata/snapshots/lab.nms         one frame of the lab's namespace "laba"
#   testdata/snapshots/lab-series.nms  five frames, 1 s apart, with a route
#                                      added and traffic between frames
# Needs root (it builds the lab with lab.sh and tears it down). Goldens
# must be refreshed after running it (go test ./... -update).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
go build -o /tmp/netmortem-mksnap ./cmd/netmortem
nm=/tmp/netmortem-mksnap
trap 'testdata/lab/lab.sh down lab' EXIT
testdata/lab/lab.sh up lab
leases='/run/netmortem-lab/lab/dhclient*.leases'
$nm capture --quiet --netns laba --lease-file "$leases" -o testdata/snapshots/lab.nms
(
	sleep 1.5
	ip -n laba route add 10.77.0.0/16 via 10.1.0.2 dev a0
	for i in 1 2 3; do ip netns exec laba ping -c 3 -i 0.2 -q 10.1.0.2 >/dev/null; sleep 0.5; done
) &
$nm capture --quiet --netns laba --lease-file "$leases" --interval 1s --count 5 -o testdata/snapshots/lab-series.nms
wait
$nm info testdata/snapshots/lab.nms | head -12
