#!/usr/bin/env bash
# build.sh — make real x86-64 vmcores with a known network state, from Debian
# packages only, under QEMU software emulation (no KVM needed).
#
#   build.sh OUTDIR
#
# Writes into OUTDIR (created; keep it outside the git tree, dumps are big):
#   console.log        the guest's serial console: the live state it printed
#                      between "=== NAME ===" markers, then NETMORTEM-READY
#   vmcore.elf         QEMU dump-guest-memory, ELF, paging=false (physical)
#   vmcore.kdump       the same memory as kdump-compressed, zlib pages
#                      (QEMU writes a flattened stream; makedumpfile -R
#                      reassembles it)
#   vmcore.paging.elf  ELF with paging=true: virtual PT_LOADs, e_phnum=PN_XNUM
#                      (skipped when PAGING=0)
#   DONE               written last; its presence means every file above is whole
#
# Environment: PKGDIR keeps the downloaded and unpacked kernel package
# (default OUTDIR/pkg; share it between builds), KVER pins the Debian kernel ABI (default 6.1.0-56-amd64; when
# the archive no longer has it, the ABI linux-image-amd64 depends on is used),
# MEM guest memory (512M), LA57=1 boots with 5-level paging, TIMEOUT seconds
# to wait for the guest (900). The kernel package is unpacked with dpkg-deb
# -x, never installed. Needs root for apt-get when packages are missing.
set -euo pipefail

OUT=${1:?usage: build.sh OUTDIR}
KVER=${KVER:-6.1.0-56-amd64}
MEM=${MEM:-512M}
LA57=${LA57:-0}
PAGING=${PAGING:-1}
TIMEOUT=${TIMEOUT:-900}

need() { command -v "$1" >/dev/null 2>&1; }
if ! need qemu-system-x86_64 || ! need makedumpfile || ! need cpio || ! need socat || [ ! -x /bin/busybox ] || ! /bin/busybox --list | grep -qx httpd; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq qemu-system-x86 busybox-static cpio makedumpfile socat >/dev/null
fi

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
rm -f "$OUT/DONE"
PKG=${PKGDIR:-$OUT/pkg}
mkdir -p "$PKG"

# The kernel image package, unpacked (never installed).
if [ ! -d "$PKG/root/lib/modules/$KVER" ]; then
	if ! (cd "$PKG" && apt-get download "linux-image-$KVER" >/dev/null 2>&1); then
		KVER=$(apt-cache depends linux-image-amd64 | sed -n 's/.*Depends: linux-image-\([0-9].*-amd64\).*/\1/p' | head -1)
		[ -n "$KVER" ] || { echo "build.sh: no kernel package found" >&2; exit 1; }
		[ -d "$PKG/root/lib/modules/$KVER" ] || (cd "$PKG" && apt-get download "linux-image-$KVER" >/dev/null)
	fi
	if [ ! -d "$PKG/root/lib/modules/$KVER" ]; then
		dpkg-deb -x "$PKG"/linux-image-"$KVER"_*.deb "$PKG/root"
	fi
fi
MODDIR=$PKG/root/lib/modules/$KVER/kernel

# initramfs: busybox, four modules, and /init.
RD=$OUT/initrd
rm -rf "$RD"
mkdir -p "$RD"/{bin,proc,sys,dev,tmp,www,etc,lib/modules,var/lib/misc}
cp /bin/busybox "$RD/bin/busybox"
for m in drivers/firmware/qemu_fw_cfg drivers/net/ethernet/intel/e1000/e1000 drivers/net/dummy drivers/net/veth; do
	f=$(ls "$MODDIR/$m".ko* | head -1)
	case "$f" in
	*.ko.xz) xz -dc "$f" >"$RD/lib/modules/$(basename "$m").ko" ;;
	*.ko.zst) zstd -dc "$f" >"$RD/lib/modules/$(basename "$m").ko" ;;
	*) cp "$f" "$RD/lib/modules/$(basename "$m").ko" ;;
	esac
done
echo hello >"$RD/www/index.html"
cat >"$RD/etc/udhcpd.conf" <<'CONF'
start 198.51.100.100
end 198.51.100.110
interface dummy0
lease_file /var/lib/misc/udhcpd.leases
CONF
cat >"$RD/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in qemu_fw_cfg e1000 veth; do insmod /lib/modules/$m.ko; done
insmod /lib/modules/dummy.ko numdummies=2
hostname vmguest
sysctl -w net.ipv4.tcp_syn_retries=10 >/dev/null
ip link set lo up
ip addr add 10.255.255.1/32 dev lo
ip addr add 127.0.0.53/8 dev lo
ip -6 addr add 2001:db8:ffff::1/128 dev lo
ip link set eth0 up
ip addr add 10.0.2.15/24 dev eth0
ip -6 addr add 2001:db8:2::15/64 dev eth0
ip link set dummy0 mtu 9000 address 02:00:00:00:00:01 up
ip addr add 198.51.100.1/24 dev dummy0
ip addr add 198.51.100.2/24 dev dummy0
ip addr add 198.51.100.3/24 dev dummy0 label dummy0:1
ip link add vetha type veth peer name veth0
ip link set vetha up
ip link set veth0 up
ip addr add 203.0.113.1/30 dev vetha
ip addr add 203.0.113.5/30 dev veth0
ip route add default via 10.0.2.2
ip route add 10.10.0.0/16 via 10.0.2.2 metric 100
ip route add 10.20.30.0/24 dev dummy0
ip route add 192.0.2.0/24 via 198.51.100.254
ip route add 10.0.0.0/8 dev lo
ip route add 10.99.0.7 dev lo
ip route add blackhole 100.64.0.0/10
ip route add unreachable 192.168.99.0/24
ip route add prohibit 192.168.98.0/24
ip route add 172.16.0.0/12 via 10.0.2.2 table 100
ip route add default via 198.51.100.254 table 100
ip rule add from 172.16.0.0/12 lookup 100 pref 1000
ip -6 route add 2001:db8:100::/48 via 2001:db8:2::1
ip -6 route add blackhole 2001:db8:dead::/48
ip -6 route add 2001:db8:200::/48 dev dummy0 metric 50
arp -i eth0 -s 10.0.2.99 52:54:00:aa:bb:cc
ping -c 1 -W 2 10.0.2.2 >/dev/null 2>&1
ping -c 1 -W 1 203.0.113.2 >/dev/null 2>&1
ping6 -c 1 -W 2 2001:db8:2::1 >/dev/null 2>&1
# Sockets: listeners, established pairs (v4, v6, v4 on a v6 socket),
# SYN_SENT into dummy0, TIME_WAIT, a UDP server.
httpd -p 0.0.0.0:80 -h /www
sleep 100000 | nc -l -p 8080 >/dev/null &
for p in 9000 9001 9002 9003; do sleep 100000 | nc -l -p $p >/dev/null & done
sleep 1
sleep 100000 | nc 127.0.0.1 9000 &
sleep 100000 | nc 10.0.2.15 9001 &
sleep 100000 | nc 198.51.100.1 9002 &
sleep 100000 | nc ::1 9003 &
nc 192.0.2.80 443 </dev/null >/dev/null 2>&1 &
touch /var/lib/misc/udhcpd.leases
udhcpd /etc/udhcpd.conf
wget -q -O /dev/null http://127.0.0.1:80/ 2>/dev/null
# A second network namespace with its own loopback state and a listener.
unshare -n sh -c '
	ip link set lo up
	ip addr add 10.77.0.1/8 dev lo
	ip route add 10.78.0.0/16 dev lo
	sleep 100000 | nc -l -p 7777 >/dev/null &
	sleep 1
	sleep 100000 | nc 10.77.0.1 7777 &
	sleep 2
	echo "=== ns2 link ==="; ip -o link
	echo "=== ns2 addr ==="; ip -o addr
	echo "=== ns2 route4 ==="; ip route show table all
	echo "=== ns2 tcp ==="; cat /proc/net/tcp; cat /proc/net/tcp6
	echo "=== end ==="
	touch /tmp/ns2done
	exec sleep 100000' &
sleep 3
while [ ! -e /tmp/ns2done ]; do sleep 1; done
echo "=== link ==="; ip -o link
echo "=== addr ==="; ip -o addr
echo "=== route4 ==="; ip route show table all
echo "=== route6 ==="; ip -6 route show table all
echo "=== rule ==="; ip rule
echo "=== neigh ==="; ip neigh; ip -6 neigh
echo "=== tcp ==="; cat /proc/net/tcp; cat /proc/net/tcp6
echo "=== udp ==="; cat /proc/net/udp; cat /proc/net/udp6
echo "=== netstat ==="; netstat -tuan
echo "=== snmp ==="; cat /proc/net/snmp </dev/null
echo "=== dev ==="; cat /proc/net/dev
echo "=== uname ==="; uname -r; uname -n
echo "=== vmcoreinfo ==="; cat /sys/kernel/vmcoreinfo
echo "=== end ==="
echo NETMORTEM-READY
exec sleep 1000000
INIT
chmod +x "$RD/init"
(cd "$RD" && find . | cpio -o -H newc --quiet | gzip -1) >"$OUT/initrd.gz"
cp "$PKG/root/boot/vmlinuz-$KVER" "$OUT/vmlinuz"

CPU="max,la57=off"
[ "$LA57" = 1 ] && CPU="max,la57=on"
SOCK=$OUT/qmp.sock
rm -f "$SOCK" "$OUT/console.log" "$OUT"/vmcore.*
qemu-system-x86_64 -accel tcg -cpu "$CPU" -m "$MEM" -smp 2 -nographic -no-reboot \
	-kernel "$OUT/vmlinuz" -initrd "$OUT/initrd.gz" \
	-append "console=ttyS0 loglevel=3 panic=-1" \
	-device vmcoreinfo -netdev user,id=n0,restrict=on -device e1000,netdev=n0 \
	-qmp "unix:$SOCK,server,nowait" -serial "file:$OUT/console.log" -monitor none \
	-display none </dev/null >"$OUT/qemu.log" 2>&1 &
QPID=$!
trap 'kill $QPID 2>/dev/null || true' EXIT

t=0
until grep -q '^NETMORTEM-READY' "$OUT/console.log" 2>/dev/null; do
	kill -0 $QPID 2>/dev/null || { echo "build.sh: QEMU exited early" >&2; cat "$OUT/qemu.log" >&2; exit 1; }
	[ $t -lt "$TIMEOUT" ] || { echo "build.sh: guest not ready after ${TIMEOUT}s" >&2; exit 1; }
	sleep 1
	t=$((t + 1))
done

qmp() { # each command waits for the previous one's reply; quit ends the session
	{
		echo '{"execute":"qmp_capabilities"}'
		for c in "$@"; do echo "$c"; done
		echo '{"execute":"quit"}'
	} | socat -t 600 - "UNIX-CONNECT:$SOCK" >"$OUT/qmp.log"
}
dump() { echo "{\"execute\":\"dump-guest-memory\",\"arguments\":{\"paging\":$1,\"protocol\":\"file:$2\",\"format\":\"$3\"}}"; }
cmds=('{"execute":"stop"}' "$(dump false "$OUT/vmcore.elf" elf)" "$(dump false "$OUT/vmcore.kdump.flat" kdump-zlib)")
[ "$PAGING" = 1 ] && cmds+=("$(dump true "$OUT/vmcore.paging.elf" elf)")
qmp "${cmds[@]}"
for i in $(seq 1 30); do kill -0 $QPID 2>/dev/null || break; sleep 1; done
kill $QPID 2>/dev/null || true
wait $QPID 2>/dev/null || true
trap - EXIT
if grep -q '"error"' "$OUT/qmp.log"; then cat "$OUT/qmp.log" >&2; exit 1; fi
makedumpfile -R "$OUT/vmcore.kdump" <"$OUT/vmcore.kdump.flat" >/dev/null
rm -f "$OUT/vmcore.kdump.flat" "$OUT/qmp.sock"
rm -rf "$OUT/initrd"
echo "$KVER" >"$OUT/kver"
touch "$OUT/DONE"
echo "build.sh: dumps in $OUT"
