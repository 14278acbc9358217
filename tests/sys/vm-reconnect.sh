#!/bin/bash
# vm-reconnect.sh - a vswitchd restart under running VMs (issue 7).
# Two test-guest VMs on bridge vmtbr0 (--net vmtbr0, so the ports are in
# vswitchd's durable configuration); vmtvm2 pings vmtvm1 every 200 ms.
# vswitchd is killed (SIGKILL, as a crash) and started again on the same
# configuration: both guests must see their link go down and come back,
# and echo replies must resume (the time is printed: 0.01-0.3 s on a real
# /dev/kvm, issue 7's figure; the test's only bound is a generous 20 s, so
# a busy shared machine or the emulated CPU of the nested outer host cannot
# turn a slow restart into a failure -- speed is for benchmarks).
# VM_RECONNECT_KILLS=N (default 1) does the kill and restart N times
# (check-chaos-vm: 50), printing the time to the first reply each time and
# their median and maximum at the end; after the last, the VMMs' fds are
# counted against what they had after the first.
#
# Usage: tests/sys/vm-reconnect.sh   (VSWITCHD, BRIDGECTL, VMM, GUEST; root)
. "$(dirname "$0")/vm-lib.sh"
vm_init reconnect
VM_BRIDGE=vmtbr0

limit_ms=20000

replies() { grep -c "ping reply from 10.252.0.11" "$VM_T/vmtvm2.out"; }
# count VM PATTERN: how many lines of VM's console match.
count() { grep -c -- "$2" "$VM_T/$1.out"; }
# wait_count VM PATTERN N SECONDS: until VM's console has more than N.
wait_count() {
	for _ in $(seq $(($4 * 10))); do
		[ "$(count "$1" "$2")" -gt "$3" ] && return 0
		sleep 0.1
	done
	return 1
}
KILLS=${VM_RECONNECT_KILLS:-1}
# In the nested outer host (an emulated CPU) a restart takes ~8 s, not
# ~1 s: 50 would add 7 minutes to check-kvm there, so it does 10 and says
# so (VM_RECONNECT_FORCE=1 does them all; 32 of 32 passed on 2026-12-03).
if [ "${VSWITCH_KVM_NESTED:-}" = 1 ] && [ "$KILLS" -gt 10 ] &&
   [ -z "${VM_RECONNECT_FORCE:-}" ]; then
	echo "vm-reconnect.sh: NOTE: nested outer host (emulated CPU, ~8 s" \
		"a restart): doing 10 restarts, not $KILLS" >&2
	KILLS=10
fi
# The VMs' lifetime (vm_start's timeout) grows with the restarts: a
# bound for a hung test, not a speed target (a restart takes ~1 s on a
# host /dev/kvm, 8-30 s in the nested outer host); when it ran out the
# VMMs left and their ports with them ("ports missing").
VM_TIMEOUT=$((120 + KILLS * 60))
t_start=$(date +%s)
times=()
now_ms() { echo $(($(date +%s%N) / 1000000)); }

vm_switch_start
ctl link add vmtbr0 type bridge >/dev/null || vm_die "bridge"
ctl link set vmtbr0 up >/dev/null
vm_start vmtvm1 02:00:00:00:07:11 "ip=10.252.0.11"
vm_start vmtvm2 02:00:00:00:07:12 "ip=10.252.0.12 ping=10.252.0.11"
vm_wait_out vmtvm2 "ping reply from 10.252.0.11 seq 3" 10 ||
	vm_die "no pings before the restart"

fds() { ls /proc/"$1"/fd 2>/dev/null | wc -l; }
for i in $(seq "$KILLS"); do
down1=$(count vmtvm1 "guest: link down")
down2=$(count vmtvm2 "guest: link down")
up1=$(count vmtvm1 "guest: link up")
up2=$(count vmtvm2 "guest: link up")
kill -9 "$VM_SW_PID"
wait "$VM_SW_PID" 2>/dev/null
VM_SW_PID=
if wait_count vmtvm1 "guest: link down" "$down1" 15 &&
	wait_count vmtvm2 "guest: link down" "$down2" 15; then
	vm_pass "restart $i: both guests saw the link go down"
else
	vm_fail "restart $i: link down not seen by the guests"
fi
sleep 1
before=$(replies)
vm_switch_start
t0=$(now_ms)
while [ "$(replies)" = "$before" ] && [ $(($(now_ms) - t0)) -lt $limit_ms ]; do
	sleep 0.05
done
dt=$(($(now_ms) - t0))
times+=("$dt")
if [ "$(replies)" != "$before" ] && [ "$dt" -le $limit_ms ]; then
	vm_pass "restart $i: pings resumed ${dt} ms after vswitchd was back"
else
	vm_fail "restart $i: pings did not resume within ${limit_ms} ms (waited ${dt} ms)"
fi
if wait_count vmtvm1 "guest: link up" "$up1" 15 &&
	wait_count vmtvm2 "guest: link up" "$up2" 15; then
	vm_pass "restart $i: both guests saw the link come back"
else
	vm_fail "restart $i: link up not seen by the guests"
fi
if ctl show vmtbr0 2>&1 | grep -qw vmtvm1 && ctl show vmtbr0 2>&1 | grep -qw vmtvm2; then
	vm_pass "restart $i: the restarted vswitchd has both VM ports"
else
	vm_fail "restart $i: ports missing after the restart: $(ctl show vmtbr0 2>&1)"
fi
if [ "$i" = 1 ]; then
	fd_sw=$(fds "$VM_SW_PID")
	fd_vm=$(for p in $(pgrep -f -- "$VM_T/"); do fds "$p"; done | sort | tr '\n' ' ')
fi
done
if [ "$KILLS" -gt 1 ]; then
	printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END {
		printf "vm-reconnect: %d restarts: pings back after vswitchd: median %d ms, max %d ms\n",
			NR, a[int((NR + 1) / 2)], a[NR] }'
	echo "vm-reconnect: $KILLS restarts in $(($(date +%s) - t_start)) s" \
		"(the VMs' timeout: $VM_TIMEOUT s)"
	fd_vm2=$(for p in $(pgrep -f -- "$VM_T/"); do fds "$p"; done | sort | tr '\n' ' ')
	# The VMMs live through every restart: a leak per reconnect shows
	# as growth there.  Each vswitchd is a fresh process, so its count
	# is printed, not compared (it varies by one with a control
	# connection or a front-end's set-up in flight when it is read).
	if [ "$fd_vm2" = "$fd_vm" ]; then
		vm_pass "fds after restart 1 and $KILLS: processes of the test $fd_vm (vswitchd $fd_sw, then $(fds "$VM_SW_PID"))"
	else
		vm_fail "fds of the processes of the test changed: $fd_vm -> $fd_vm2"
	fi
fi
grep -q "AddressSanitizer\|runtime error" "$VM_T"/*.log && vm_fail "sanitizer report"
vm_finish
