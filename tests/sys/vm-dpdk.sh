#!/bin/bash
# vm-dpdk.sh - the VMM's vhost-user front-end against a third-party
# back-end (issue 7): DPDK testpmd's net_vhost PMD, connecting as a
# client to the VMM's socket (--net vhost-user:PATH,server), forwarding in
# macswap mode.  The test guest sends 64-byte frames as fast as it can
# and counts what it receives: the frames must come back (guest rx > 0,
# and testpmd's RX and TX counters agree with it).  Then testpmd is
# stopped and started again: the guest's link goes down and up, and
# frames flow again (the VMM replays its state to a new back-end).
#
# Usage: tests/sys/vm-dpdk.sh   (VSWITCHD, BRIDGECTL, VMM, GUEST; root)
. "$(dirname "$0")/vm-lib.sh"
vm_init dpdk
command -v dpdk-testpmd >/dev/null || vm_die "dpdk-testpmd not installed (make deps); this test did not run"
PREFIX=vmt$$

tp_start() {
	dpdk-testpmd --lcores='0@0,1@1' --no-huge -m 256 --no-pci --no-shconf \
		--file-prefix=$PREFIX --log-level=lib.eal:error \
		--vdev "net_vhost0,iface=$VM_T/vm.sock,client=1,queues=1" -- \
		--forward-mode=macswap --nb-cores=1 --total-num-mbufs=8192 \
		--stats-period 1 </dev/null >"$VM_T/testpmd$1.log" 2>&1 &
	TP_PID=$!
	VM_PIDS="$VM_PIDS $TP_PID"
}
tp_stop() {
	kill -INT "$TP_PID" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$TP_PID" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$TP_PID" 2>/dev/null
	rm -rf "/var/run/dpdk/$PREFIX"
}
# The most frames/s the guest reported receiving since its last link up
# (a single report can be 0 on a busy machine: testpmd polls on shared
# vCPUs and may not have run in that second).
guest_rx() {
	awk '/guest: link up/ { rx = "" }
	     match($0, /tx [0-9]+ rx [0-9]+ frames\/s/) {
		split(substr($0, RSTART, RLENGTH), w, " ")
		if (rx == "" || w[4] + 0 > rx + 0) rx = w[4] }
	     END { print rx }' "$VM_T/vmtvm1.out"
}
# wait_rx: waits up to 20 s for a report of frames coming back; $rx is
# the best of them.
wait_rx() {
	for _ in $(seq 40); do
		rx=$(guest_rx)
		[ -n "$rx" ] && [ "$rx" -gt 0 ] && return 0
		sleep 0.5
	done
	return 1
}

timeout -s TERM 120 "$VMM" run --kernel "$GUEST" --mem 32M --name vmtvm1 \
	--mac 02:00:00:00:07:31 --cmdline "tx=02:00:00:00:07:99 count" \
	--net "vhost-user:$VM_T/vm.sock,server" --serial "$VM_T/vmtvm1.out" \
	>"$VM_T/vmtvm1.log" 2>&1 &
VM_PIDS="$VM_PIDS $!"
for _ in $(seq 50); do [ -S "$VM_T/vm.sock" ] && break; sleep 0.1; done
tp_start 1
vm_wait_out vmtvm1 "guest: net mode" 30 || vm_die "guest did not start on net_vhost"
if wait_rx; then
	vm_pass "frames sent by the guest come back through testpmd macswap ($rx frames/s)"
else
	vm_fail "guest received nothing back (last: $(grep 'frames/s' "$VM_T/vmtvm1.out" | tail -1))"
fi
grep -q "Rx-pps: *[1-9]" "$VM_T/testpmd1.log" && grep -q "Tx-pps: *[1-9]" "$VM_T/testpmd1.log" &&
	vm_pass "testpmd forwarded the guest's frames" ||
	vm_fail "testpmd saw no traffic: $(grep -m3 'pps' "$VM_T/testpmd1.log")"

tp_stop
if vm_wait_out vmtvm1 "guest: link down" 15; then
	vm_pass "link down when the back-end went away"
else
	vm_fail "no link down"
fi
: >"$VM_T/mark"
tp_start 2
if vm_wait_out vmtvm1 "guest: link up" 30; then
	vm_pass "link up again with a new back-end"
else
	vm_fail "no link up after testpmd came back"
fi
# The new testpmd forwards some time after the link is up (more on a busy
# machine).
if wait_rx; then
	vm_pass "frames flow again after the reconnect ($rx frames/s)"
else
	vm_fail "no frames after the reconnect"
fi
tp_stop
vm_finish
