#!/bin/bash
# vm-bench.sh - guest -> switch -> guest frames/s (issue 7, 'make bench').
#
# Two test-guest VMs: one sends 64-byte frames to the other as fast as its
# transmit ring allows ("tx=MAC"), the other counts what arrives
# ("count"); both print frames/s once a second.  Measured twice in the
# same invocation, with the same guests:
#   switch:  both on bridge vmtbr0 of vswitchd (--net vmtbr0, a static
#            FDB entry for the receiver so frames are forwarded, not
#            flooded);
#   testpmd: both on DPDK testpmd's net_vhost ports (io forwarding from
#            the sender's port to the receiver's), the baseline.
# Prints the median received frames/s of each (first sample dropped) and
# the ratio switch/testpmd.
#
# Usage: tests/bench/vm-bench.sh   (VSWITCHD, BRIDGECTL, VMM, GUEST; root)
. "$(dirname "$0")/../sys/vm-lib.sh"
vm_init bench
command -v dpdk-testpmd >/dev/null || vm_die "dpdk-testpmd not installed (make deps); bench did not run"
SECONDS_PER_RUN=${VM_BENCH_SECONDS:-8}
RX_MAC=02:00:00:00:07:42
TX_MAC=02:00:00:00:07:41
PREFIX=vmtb$$

# median_rx NAME: median of the receiver's "rx M" samples, first dropped.
median_rx() {
	grep -o 'rx [0-9]* frames/s' "$VM_T/$1.out" | awk '{print $2}' | tail -n +2 |
		sort -n | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]; else print 0}'
}

run_vms() {	# run_vms SUFFIX [VMM net args for rx] -- [for tx]
	local sfx=$1 rxnet=$2 txnet=$3
	timeout -s TERM 120 "$VMM" run --kernel "$GUEST" --mem 32M --name "vmtrx$sfx" \
		--mac $RX_MAC --cmdline "count" $rxnet \
		--serial "$VM_T/rx$sfx.out" >"$VM_T/rx$sfx.log" 2>&1 &
	RX_PID=$!
	VM_PIDS="$VM_PIDS $RX_PID"
	timeout -s TERM 120 "$VMM" run --kernel "$GUEST" --mem 32M --name "vmttx$sfx" \
		--mac $TX_MAC --cmdline "tx=$RX_MAC" $txnet \
		--serial "$VM_T/tx$sfx.out" >"$VM_T/tx$sfx.log" 2>&1 &
	TX_PID=$!
	VM_PIDS="$VM_PIDS $TX_PID"
}

echo "=== switch: guest -> vswitchd -> guest"
vm_switch_start
ctl link add vmtbr0 type bridge >/dev/null || vm_die "bridge"
ctl link set vmtbr0 up >/dev/null
run_vms s "--net vmtbr0" "--net vmtbr0"
vm_wait_out rxs "guest: net mode" 20 || vm_die "receiver did not start"
ctl fdb add $RX_MAC dev vmtrxs master static >/dev/null || vm_die "static FDB entry"
vm_wait_out txs "guest: net mode" 20 || vm_die "sender did not start"
sleep "$SECONDS_PER_RUN"
kill $RX_PID $TX_PID 2>/dev/null
wait $RX_PID $TX_PID 2>/dev/null
SW=$(median_rx rxs)
vm_switch_stop
echo "switch:  receiver median $SW frames/s (sender: $(grep -o 'tx [0-9]*' "$VM_T/txs.out" | tail -1))"

echo "=== testpmd: guest -> net_vhost io forwarding -> guest"
run_vms p "--net vhost-user:$VM_T/rx.sock,server" "--net vhost-user:$VM_T/tx.sock,server"
for _ in $(seq 50); do [ -S "$VM_T/rx.sock" ] && [ -S "$VM_T/tx.sock" ] && break; sleep 0.1; done
dpdk-testpmd --lcores='0@0,1@1' --no-huge -m 256 --no-pci --no-shconf \
	--file-prefix=$PREFIX --log-level=lib.eal:error \
	--vdev "net_vhost0,iface=$VM_T/tx.sock,client=1" \
	--vdev "net_vhost1,iface=$VM_T/rx.sock,client=1" -- \
	--forward-mode=io --nb-cores=1 --total-num-mbufs=8192 --stats-period 1 \
	</dev/null >"$VM_T/testpmd.log" 2>&1 &
TP=$!
VM_PIDS="$VM_PIDS $TP"
vm_wait_out rxp "guest: net mode" 30 || vm_die "receiver did not start on testpmd"
vm_wait_out txp "guest: net mode" 30 || vm_die "sender did not start on testpmd"
sleep "$SECONDS_PER_RUN"
kill $RX_PID $TX_PID 2>/dev/null
wait $RX_PID $TX_PID 2>/dev/null
# testpmd ends on SIGINT, but may take its time (in the nested outer host
# it did not end at all once): bounded, then SIGKILL.
kill -INT $TP 2>/dev/null
for _ in $(seq 50); do kill -0 $TP 2>/dev/null || break; sleep 0.1; done
kill -9 $TP 2>/dev/null
wait $TP 2>/dev/null
rm -rf "/var/run/dpdk/$PREFIX"
TP_RATE=$(median_rx rxp)
echo "testpmd: receiver median $TP_RATE frames/s (sender: $(grep -o 'tx [0-9]*' "$VM_T/txp.out" | tail -1))"

if [ "$TP_RATE" -gt 0 ]; then
	RATIO=$(awk -v a="$SW" -v b="$TP_RATE" 'BEGIN {printf "%.2f", a / b}')
else
	RATIO=n/a
fi
echo "vm bench: guest->switch->guest $SW frames/s, guest->testpmd->guest $TP_RATE frames/s, ratio $RATIO (64 B)"
[ "$SW" -gt 0 ] || vm_die "no frames through the switch"
