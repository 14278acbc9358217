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
#   gtest=boot|ping|smp|hold|tcprecv|tcpsend   what to check (default boot)
#   gip=ADDR/LEN               address for eth0 (ping, tcp*)
#   gpeer=ADDR[,ADDR...]       whom to ping (ping), each in turn; the
#                              other guest (tcp*)
#   gcpus=N                    CPUs that must be online (smp)
#   ghold=SECONDS              stay up this long before rebooting (hold)
#   gmib=MIB                   MiB tcpsend sends to gpeer port 5001
#   grev=MIB                   MiB tcprecv sends back to gpeer port 5002
#
# The TCP pair (bench-tcp, scenarios.sh): tcprecv listens on 5001, prints
# "GUEST-TCP: ready" once eth0 is up (the outer host boots the sender
# then), takes one transfer, then sends grev MiB back (the reverse check).
# tcpsend listens on 5002 for that, pings gpeer until it answers, sends
# gmib MiB, and waits for the reverse transfer.  Both use tcpxfer (a static
# helper, tests/linux/tcpxfer.c) and copy its result lines.
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

gtest=boot gip='' gpeer='' gcpus=1 ghold=0 gmib=320 grev=4
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	gtest=*|gip=*|gpeer=*|gcpus=*|ghold=*|gmib=*|grev=*)
		eval "${arg%%=*}='${arg#*=}'" ;;
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

# net_up: eth0 up with $gip; sets why when it cannot be.
net_up() {
	why=''
	if ! wait_eth0; then
		why="no eth0 (virtio-net not found)"
	elif [ -z "$gip" ] || [ -z "$gpeer" ]; then
		why="gip= and gpeer= are needed"
	else
		ip link set lo up
		ip link set eth0 up
		ip addr add "$gip" dev eth0
		echo "GUEST-INIT: eth0 $(cat /sys/class/net/eth0/address) $gip"
		return 0
	fi
	return 1
}

# virtio_features: the feature bits the driver negotiated with the device
# of eth0 (the sysfs string, bit 0 first), by name, the offloads first.
virtio_features() {
	local f n=0 out='' b
	f=$(cat /sys/class/net/eth0/device/features 2>/dev/null)
	for b in CSUM GUEST_CSUM CTRL_GUEST_OFFLOADS MTU - MAC - GUEST_TSO4 \
		 GUEST_TSO6 GUEST_ECN GUEST_UFO HOST_TSO4 HOST_TSO6 HOST_ECN \
		 HOST_UFO MRG_RXBUF STATUS CTRL_VQ CTRL_RX CTRL_VLAN - \
		 GUEST_ANNOUNCE MQ CTRL_MAC_ADDR - - - - RING_INDIRECT_DESC \
		 RING_EVENT_IDX - - VERSION_1; do
		n=$((n + 1))
		[ "$b" != - ] && [ "$(echo "$f" | cut -c$n)" = 1 ] &&
			out="$out $b"
	done
	echo "${out# } (bits $f)"
}

# tcpxfer_line FILE: the result line tcpxfer wrote, or its error.
tcpxfer_line() {
	grep -m1 '^TCPXFER' "$1" 2>/dev/null || echo "no result from tcpxfer"
}

# tcp_result FWD_STATUS REV_STATUS [PASS_TEXT]: the reverse transfer's
# line, then the test's result from both transfers' exit statuses.
tcp_result() {
	echo "GUEST-TCP: reverse $(tcpxfer_line /tmp/rev.out)"
	if [ "$1" = 0 ] && [ "$2" = 0 ]; then
		result "PASS${3:+ $3}"
	else
		result "FAIL: forward: $(tcpxfer_line /tmp/fwd.out);" \
			"reverse: $(tcpxfer_line /tmp/rev.out)"
	fi
}

case "$gtest" in
boot)
	result PASS
	;;
ping)
	if ! net_up; then
		result "FAIL: $why"
	else
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
tcprecv|tcpsend)
	if ! command -v tcpxfer >/dev/null; then
		result "FAIL: no tcpxfer in the initramfs (make bench-linux-tcp builds it)"
	elif [ "$gtest" = tcprecv ]; then
		# Listening before the address exists: once the sender's
		# ping is answered, the port is open.
		tcpxfer recv 5001 >/tmp/fwd.out 2>&1 &
		rpid=$!
		if ! net_up; then
			result "FAIL: $why"
		else
			echo "GUEST-TCP: virtio features: $(virtio_features)"
			echo "GUEST-TCP: ready"
			wait $rpid
			rst=$?
			echo "GUEST-TCP: forward $(tcpxfer_line /tmp/fwd.out)"
			tcpxfer send "${gpeer%%,*}" 5002 "$grev" >/tmp/rev.out 2>&1
			tcp_result $rst $?
		fi
	else
		timeout 300 tcpxfer recv 5002 >/tmp/rev.out 2>&1 &
		rpid=$!
		peer=${gpeer%%,*}
		if ! net_up; then
			result "FAIL: $why"
		else
			echo "GUEST-TCP: virtio features: $(virtio_features)"
			n=0
			until ping -c 1 -W 1 "$peer" >/dev/null 2>&1; do
				n=$((n + 1))
				[ $n -ge 60 ] && break
			done
			if [ $n -ge 60 ]; then
				result "FAIL: no answer from $peer to 60 pings"
			else
				tcpxfer send "$peer" 5001 "$gmib" >/tmp/fwd.out 2>&1
				sst=$?
				echo "GUEST-TCP: forward $(tcpxfer_line /tmp/fwd.out)"
				# No reverse transfer comes after a failed one.
				[ $sst = 0 ] || kill $rpid 2>/dev/null
				wait $rpid
				tcp_result $sst $? "$(tcpxfer_line /tmp/fwd.out)"
			fi
		fi
	fi
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
