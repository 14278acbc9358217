#!/bin/sh
# outer-init.sh - /init of the outer host: a stock Debian kernel running
# under QEMU TCG with -cpu max, whose emulated CPU has SVM.  It loads
# irqbypass, kvm and kvm-amd (a real, hardware-model /dev/kvm appears), then
# runs the scenarios named on the kernel command line, each a shell function
# of /scenarios.sh:
#
#   scenarios=qemu-yardstick,ours-ping   (comma-separated, run in order)
#
# Every scenario prints "OUTER-RESULT <name> PASS ..." or
# "OUTER-RESULT <name> FAIL: ..." on the console; "OUTER-DONE" ends the run
# and the outer host powers off.  tests/linux/run-nested.sh reads these.
/bin/busybox mount -t proc proc /proc
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm /run /tmp
mount -t devpts devpts /dev/pts 2>/dev/null
mount -t tmpfs tmpfs /dev/shm
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
# Quiet console: kernel messages below warnings stay in dmesg.
echo 4 >/proc/sys/kernel/printk

echo "OUTER: up after $(cut -d' ' -f1 /proc/uptime) s, $(nproc) cpu(s)," \
	"$(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo) MiB"

scenarios=
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	scenarios=*) scenarios=${arg#scenarios=} ;;
	outer.*=*)
		# shellcheck disable=SC2163 # exports the NAME=VALUE word itself
		export "${arg#outer.}"
		;;
	esac
done

for m in $(cat /etc/modules); do
	insmod "/lib/modules/$m" || echo "OUTER: insmod $m failed"
done
ip link set lo up
# Host tuning for a scenario (outer.SHMEM_THP=advise): see scenarios.sh.
[ -n "${SHMEM_THP:-}" ] &&
	echo "$SHMEM_THP" >/sys/kernel/mm/transparent_hugepage/shmem_enabled

. /scenarios.sh

if [ -c /dev/kvm ] && grep -q svm /proc/cpuinfo; then
	echo "OUTER: /dev/kvm present ($(grep -c '^processor' /proc/cpuinfo)" \
		"cpu(s) with svm)"
	for s in $(echo "$scenarios" | tr ',' ' '); do
		fn=scn_$(echo "$s" | tr '-' '_')
		echo "OUTER: === scenario $s"
		if type "$fn" >/dev/null 2>&1; then
			"$fn"
		else
			echo "OUTER-RESULT $s FAIL: no such scenario"
		fi
	done
else
	echo "OUTER: no /dev/kvm or no svm in /proc/cpuinfo (kvm-amd:" \
		"$(dmesg | grep -i 'kvm' | tail -2))"
	for s in $(echo "$scenarios" | tr ',' ' '); do
		echo "OUTER-RESULT $s FAIL: no /dev/kvm in the outer host"
	done
fi

echo "OUTER-DONE"
sync
poweroff -f
while :; do sleep 60; done
