#!/bin/sh
# guest-init.sh - /init of the guest initramfs (busybox sh, stock Debian
# kernel).  Its first output line is the marker the boot-time benchmark
# stops its clock on:
#
#   GUEST-INIT: start
#
# Parameters come from the kernel command line (names chosen so the kernel
# itself ignores them):
#
#   gtest=boot|ping|smp|hold   what to check (default boot)
#   gip=ADDR/LEN               address for eth0 (ping)
#   gpeer=ADDR[,ADDR...]       whom to ping (ping), each in turn
#   gcpus=N                    CPUs that must be online (smp)
#   ghold=SECONDS              stay up this long before rebooting (hold)
#
# Each check prints one result line, "GUEST-TEST <name> PASS" or
# "GUEST-TEST <name> FAIL: why", then "GUEST-DONE" and the guest reboots
# (reboot=k on the command line: the VMM sees an i8042 reset and exits).
/bin/busybox echo "GUEST-INIT: start"
export PATH=/bin:/sbin
/bin/busybox mount -t proc proc /proc
/bin/busybox --install -s /bin
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null

gtest=boot gip='' gpeer='' gcpus=1 ghold=0
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	gtest=*|gip=*|gpeer=*|gcpus=*|ghold=*) eval "${arg%%=*}='${arg#*=}'" ;;
	esac
done
echo "GUEST-INIT: kernel $(uname -r), test $gtest, $(nproc) cpu(s)"

for m in $(cat /etc/modules); do
	insmod "/lib/modules/$m" 2>/dev/null ||
		echo "GUEST-INIT: insmod $m failed"
done

result() { echo "GUEST-TEST $gtest $*"; }

# wait_eth0: the NIC appears once virtio_net has probed it (up to 10 s).
wait_eth0() {
	for _ in $(seq 100); do
		[ -e /sys/class/net/eth0 ] && return 0
		usleep 100000
	done
	return 1
}

case "$gtest" in
boot)
	result PASS
	;;
ping)
	if ! wait_eth0; then
		result "FAIL: no eth0 (virtio-net not found)"
	elif [ -z "$gip" ] || [ -z "$gpeer" ]; then
		result "FAIL: gip= and gpeer= are needed"
	else
		ip link set lo up
		ip link set eth0 up
		ip addr add "$gip" dev eth0
		echo "GUEST-INIT: eth0 $(cat /sys/class/net/eth0/address) $gip"
		# The first echo may be lost while the switch learns: 5 tries
		# each.  busybox ping: status 0 when an echo was answered.
		why='' sum=''
		for p in $(echo "$gpeer" | tr ',' ' '); do
			if ping -c 5 -W 2 "$p" >/tmp/ping.out 2>&1; then
				sum="$sum; $p: $(grep -o '[0-9]* packets received' /tmp/ping.out)"
			else
				cat /tmp/ping.out
				why="$why no answer from $p;"
			fi
		done
		if [ -z "$why" ]; then
			result "PASS ${sum#; }"
		else
			result "FAIL:$why"
		fi
	fi
	;;
smp)
	n=$(grep -c '^processor' /proc/cpuinfo)
	online=$(cat /sys/devices/system/cpu/online)
	if [ "$n" = "$gcpus" ]; then
		result "PASS $n cpus, online $online"
	else
		result "FAIL: $n cpus online ($online), want $gcpus"
	fi
	;;
hold)
	result PASS
	sleep "$ghold"
	;;
*)
	result "FAIL: unknown test '$gtest'"
	;;
esac

echo "GUEST-DONE"
sync
reboot -f
# Not reached unless the reset did not work; do not let init exit (panic).
while :; do sleep 60; done
