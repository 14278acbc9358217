#!/bin/sh
# outer-init.sh - /init of the outer host: a stock Debian kernel running
# under QEMU TCG with -cpu max, whose emulated CPU has SVM.  It loads
# irqbypass, kvm and kvm-amd (a real, hardware-model /dev/kvm appears), then
# runs the scenarios named on the kernel command line, each a shell function
# of /scenarios.sh:
#
#   scenarios=qemu-yardstick,ours-ping   (comma-separated, run in order;
#                                         NAME@ARG passes ARG to NAME)
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
kvmjob=
kvmtree=
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	scenarios=*) scenarios=${arg#scenarios=} ;;
	kvmjob=*) kvmjob=${arg#kvmjob=} ;;
	kvmtree=*) kvmtree=${arg#kvmtree=} ;;
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

# Host-root mode (tests/kvm/kvm-run.sh, kvmjob=DIR and kvmtree=TOP, the
# work tree, on the command line):
# the machine that started us exports its root read-only over 9p; it is
# mounted on /host with fresh /proc, /sys, /dev, /tmp and /run, and each
# scenario "suite.NAME" runs DIR/NAME.sh chrooted there: the same scripts
# and programs as on the host itself, with this outer host's /dev/kvm.
# Its output goes to the console with a "KVM| " prefix.
hostroot_mount() {
	mkdir -p /host
	mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,ro \
		hostroot /host || return 1
	# A second view of it without the mounts below, so that a work tree
	# under /tmp or /run (a CI clone, say) stays visible.
	mkdir -p /orig
	mount -o bind /host /orig || return 1
	mount -t proc proc /host/proc &&
	mount -t sysfs sysfs /host/sys &&
	mount -o bind /dev /host/dev &&
	mount -t devpts devpts /host/dev/pts &&
	mount -t tmpfs tmpfs /host/dev/shm &&
	mount -t tmpfs -o mode=1777 tmpfs /host/tmp &&
	mount -t tmpfs -o mode=755 tmpfs /host/run &&
	mount -t tmpfs -o mode=1777 tmpfs /host/var/tmp || return 1
	mount -t debugfs debugfs /host/sys/kernel/debug 2>/dev/null
	if [ -n "$kvmtree" ]; then
		mkdir -p "/host$kvmtree" 2>/dev/null
		mount -o bind "/orig$kvmtree" "/host$kvmtree" || return 1
	fi
	echo "OUTER: this machine's root is mounted (9p, read-only)"
}

# run_suite NAME: DIR/NAME.sh in the chroot; prints the result line.
run_suite() {
	local rc
	if [ ! -f "/host$kvmjob/$1.sh" ]; then
		echo "OUTER-RESULT suite.$1 FAIL: no $kvmjob/$1.sh"
		return
	fi
	{ chroot /host /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 VSWITCH_KVM_NESTED=1 \
		/bin/bash "$kvmjob/$1.sh" </dev/null 2>&1
	  echo $? >/tmp/suite.rc; } | awk '{ print "KVM| " $0; fflush() }'
	rc=$(cat /tmp/suite.rc)
	if [ "$rc" = 0 ]; then
		echo "OUTER-RESULT suite.$1 PASS"
	else
		echo "OUTER-RESULT suite.$1 FAIL: exit status $rc"
	fi
}
if [ -n "$kvmjob" ] && ! hostroot_mount; then
	echo "OUTER: cannot mount this machine's root over 9p"
	for s in $(echo "$scenarios" | tr ',' ' '); do
		echo "OUTER-RESULT $s FAIL: no host root in the outer host"
	done
	scenarios=
fi

if [ -c /dev/kvm ] && grep -q svm /proc/cpuinfo; then
	echo "OUTER: /dev/kvm present ($(grep -c '^processor' /proc/cpuinfo)" \
		"cpu(s) with svm)"
	for s in $(echo "$scenarios" | tr ',' ' '); do
		# NAME@ARG: scenario NAME with ARG (bench-tcp-ours@2: run 2).
		fn=scn_$(echo "${s%%@*}" | tr '-' '_')
		arg=
		[ "${s#*@}" != "$s" ] && arg=${s#*@}
		echo "OUTER: === scenario $s"
		if [ -n "$kvmjob" ] && [ "${s#suite.}" != "$s" ]; then
			run_suite "${s#suite.}"
		elif type "$fn" >/dev/null 2>&1; then
			"$fn" $arg
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
