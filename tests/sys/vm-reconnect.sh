#!/bin/bash
# vm-reconnect.sh - a vswitchd restart under running VMs (issue 7).
# Two test-guest VMs on bridge vmtbr0 (--net vmtbr0, so the ports are in
# vswitchd's durable configuration); vmtvm2 pings vmtvm1 every 200 ms.
# vswitchd is killed (SIGKILL, as a crash) and started again on the same
# configuration: both guests must see their link go down and come back,
# and echo replies must resume within 2 s of vswitchd answering again
# (10 s in the nested outer host, where the CPU is emulated).
#
# Usage: tests/sys/vm-reconnect.sh   (VSWITCHD, BRIDGECTL, VMM, GUEST; root)
. "$(dirname "$0")/vm-lib.sh"
vm_init reconnect
VM_BRIDGE=vmtbr0

# Within 2 s on a real /dev/kvm (issue 7).  Inside the nested outer host
# every instruction of vswitchd and the guests is emulated (TCG): measured
# there 0.6 s (plain build) and 1.1 s (ASan) on an idle machine, so on a
# busy one 2 s would fail for the emulation's sake; the bound is 10 s and
# the figure is printed either way.
limit_ms=2000
[ -n "${VSWITCH_KVM_NESTED:-}" ] && limit_ms=10000

replies() { grep -c "ping reply from 10.252.0.11" "$VM_T/vmtvm2.out"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

vm_switch_start
ctl link add vmtbr0 type bridge >/dev/null || vm_die "bridge"
ctl link set vmtbr0 up >/dev/null
vm_start vmtvm1 02:00:00:00:07:11 "ip=10.252.0.11"
vm_start vmtvm2 02:00:00:00:07:12 "ip=10.252.0.12 ping=10.252.0.11"
vm_wait_out vmtvm2 "ping reply from 10.252.0.11 seq 3" 10 ||
	vm_die "no pings before the restart"

kill -9 "$VM_SW_PID"
wait "$VM_SW_PID" 2>/dev/null
VM_SW_PID=
if vm_wait_out vmtvm1 "guest: link down" 5 && vm_wait_out vmtvm2 "guest: link down" 5; then
	vm_pass "both guests saw the link go down"
else
	vm_fail "link down not seen by the guests"
fi
sleep 1
before=$(replies)
vm_switch_start
t0=$(now_ms)
while [ "$(replies)" = "$before" ] && [ $(($(now_ms) - t0)) -lt 20000 ]; do
	sleep 0.05
done
dt=$(($(now_ms) - t0))
if [ "$(replies)" != "$before" ] && [ "$dt" -le $limit_ms ]; then
	vm_pass "pings resumed ${dt} ms after vswitchd was back (bound ${limit_ms} ms)"
else
	vm_fail "pings did not resume within ${limit_ms} ms (waited ${dt} ms)"
fi
if vm_wait_out vmtvm1 "guest: link up" 15 && vm_wait_out vmtvm2 "guest: link up" 15; then
	vm_pass "both guests saw the link come back"
else
	vm_fail "link up not seen by the guests"
fi
if ctl show vmtbr0 2>&1 | grep -qw vmtvm1 && ctl show vmtbr0 2>&1 | grep -qw vmtvm2; then
	vm_pass "the restarted vswitchd has both VM ports"
else
	vm_fail "ports missing after the restart: $(ctl show vmtbr0 2>&1)"
fi
grep -q "AddressSanitizer\|runtime error" "$VM_T"/*.log && vm_fail "sanitizer report"
vm_finish
