#!/bin/bash
# vm-ping.sh - VMs on switch ports, end to end (issue 7):
#   1. a namespace on a TAP port of bridge vmtbr0 pings a test-guest VM
#      started with --net vmtbr0 (replies verified by ping);
#   2. the VM's port is in 'bridgectl show' / 'brctl show' under the VM's
#      name, and the VM's MAC is learned on it;
#   3. a second VM on the same bridge pings the first (the guest prints
#      each echo reply) and the namespace pings the second;
#   4. stopping a VM removes its port;
#   5. bridgectl stats shows the VM port's vhost-user counters;
#   6. 'link set dev VMPORT carrier off/on' is seen in the guest as its
#      virtio-net link going down and up (issue 17).
#
# Usage: tests/sys/vm-ping.sh   (VSWITCHD, BRIDGECTL, VMM, GUEST set; root)
. "$(dirname "$0")/vm-lib.sh"
vm_init ping
VM_BRIDGE=vmtbr0

vm_switch_start
ctl link add vmtbr0 type bridge >/dev/null || vm_die "bridge"
ctl link set vmtbr0 up >/dev/null
vm_ns_tap vmtns1 vmtbr0 vmttap1 10.251.0.1/24

vm_start vmtvm1 02:00:00:00:07:01 "ip=10.251.0.11"
if ip netns exec vmtns1 ping -n -c 3 -i 0.2 -W 2 10.251.0.11 >"$VM_T/ping1.log" 2>&1; then
	vm_pass "namespace -> VM: 3 of 3 echo replies"
else
	vm_fail "namespace -> VM ping: $(tail -2 "$VM_T/ping1.log" | head -1)"
fi
if ctl show vmtbr0 2>&1 | grep -qw vmtvm1 &&
   "$(dirname "$BRIDGECTL")/brctl" show vmtbr0 2>&1 | grep -qw vmtvm1; then
	vm_pass "the VM's port is in bridgectl/brctl show as vmtvm1"
else
	vm_fail "vmtvm1 missing from show: $(ctl show vmtbr0 2>&1)"
fi
if ctl fdb show br vmtbr0 2>&1 | grep -q "02:00:00:00:07:01 dev vmtvm1"; then
	vm_pass "the VM's MAC is learned on its port"
else
	vm_fail "VM MAC not learned on vmtvm1: $(ctl fdb show br vmtbr0 2>&1)"
fi

# The VM port's vhost-user counters: one connection, the protocol
# messages of its set-up, frames moved, no errors.
st=$(ctl stats vmtvm1 2>&1)
if echo "$st" | grep -q "vhost-user: connects 1 messages [1-9]" &&
   ! echo "$st" | grep -qE "bad_|mem_faults|broken_rings|proto_errors"; then
	vm_pass "bridgectl stats shows the VM port's vhost-user counters"
else
	vm_fail "vhost-user counters of vmtvm1: $st"
fi
if ctl -j stats vmtvm1 2>/dev/null | python3 -c '
import json, sys
p = json.load(sys.stdin)[0]["ports"][0]
sys.exit(0 if p["vhost"]["messages"] > 0 and p["vhost"]["mem_faults"] == 0 else 1)'; then
	vm_pass "stats -j has the vhost object"
else
	vm_fail "stats -j: no vhost object for vmtvm1"
fi

# A pulled cable (issue 17): 'carrier off' on the VM's port reaches the
# guest as a virtio-net link change (config interrupt, status without
# LINK_UP), pings stop; 'carrier on' brings the link and the pings back.
ctl link set dev vmtvm1 carrier off >/dev/null || vm_fail "carrier off"
if vm_wait_out vmtvm1 "guest: link down" 5; then
	vm_pass "carrier off on the VM's port: the guest sees link down"
else
	vm_fail "carrier off: no 'guest: link down' in the VM's serial"
fi
if ip netns exec vmtns1 ping -n -c 2 -i 0.2 -W 1 10.251.0.11 >/dev/null 2>&1; then
	vm_fail "namespace -> VM ping answered with the cable pulled"
else
	vm_pass "no ping with the cable pulled"
fi
ctl link set dev vmtvm1 carrier on >/dev/null || vm_fail "carrier on"
if vm_wait_out vmtvm1 "guest: link up" 5 &&
   ip netns exec vmtns1 ping -n -c 3 -i 0.2 -W 2 10.251.0.11 >/dev/null 2>&1; then
	vm_pass "carrier on: the guest sees link up, pings again"
else
	vm_fail "carrier on: no 'guest: link up' or no ping"
fi
if ctl -j stats vmtvm1 2>/dev/null | python3 -c '
import json, sys
v = json.load(sys.stdin)[0]["ports"][0]["vhost"]
sys.exit(0 if v["config_changes"] == 2 and v["config_reads"] >= 3 and
         v["backend_errors"] == 0 else 1)'; then
	vm_pass "vhost counters: 2 config changes sent, the status read each time"
else
	vm_fail "vhost config counters: $(ctl stats vmtvm1 2>&1 | tail -2)"
fi

vm_start vmtvm2 02:00:00:00:07:02 "ip=10.251.0.12 ping=10.251.0.11"
if vm_wait_out vmtvm2 "ping reply from 10.251.0.11 seq 3" 10; then
	vm_pass "VM -> VM: echo replies (vmtvm2 pings vmtvm1)"
else
	vm_fail "VM -> VM: no 3 replies"
fi
if ip netns exec vmtns1 ping -n -c 3 -i 0.2 -W 2 10.251.0.12 >/dev/null 2>&1; then
	vm_pass "namespace -> second VM"
else
	vm_fail "namespace -> second VM"
fi

vm_stop vmtvm2
for _ in $(seq 30); do ctl show vmtbr0 2>&1 | grep -qw vmtvm2 || break; sleep 0.1; done
if ctl show vmtbr0 2>&1 | grep -qw vmtvm2; then
	vm_fail "vmtvm2's port is still there after the VM ended"
else
	vm_pass "stopping the VM removed its port"
fi
grep -q "AddressSanitizer\|runtime error" "$VM_T"/*.log && vm_fail "sanitizer report"
vm_finish
