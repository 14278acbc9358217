#!/bin/bash
# vhost-bench.sh - 64-byte frames/s between two DPDK testpmd virtio-user
# front-ends through vswitchd (txonly -> switch -> rxonly, unicast to a
# learned MAC), next to testpmd virtio-user txonly -> testpmd vhost rxonly
# directly, measured in the same invocation; prints both and the ratio.
#
# Usage: tests/bench/vhost-bench.sh VSWITCHD [SECONDS]
set -u
VSWITCHD=$1
T=${2:-5}
. "$(dirname "$0")/../sys/vhost-lib.sh"
vh_init bench

SINK_MAC=02:00:00:00:00:0b
GEN_MAC=02:00:00:00:00:0a

# rate SINK: frames/s the sink receives over T seconds.
rate() {
	local a b t0 t1
	a=$(vh_tp_stat "$1" RX-packets)
	t0=$(date +%s.%N)
	sleep "$T"
	b=$(vh_tp_stat "$1" RX-packets)
	t1=$(date +%s.%N)
	echo "($b - $a) / ($t1 - $t0)" | bc
}

# 1. Direct: testpmd vhost back-end (rxonly) <- virtio-user (txonly).
mkfifo "$VH_DIR/dsink.in"
stdbuf -oL dpdk-testpmd --lcores='0@0,1@1' --no-huge -m 256 --no-pci \
	--no-shconf --file-prefix="vhdsink$$" --log-level=lib.eal:error \
	--vdev "net_vhost0,iface=$VH_DIR/d.sock,queues=1" -- -i \
	--forward-mode=rxonly --nb-cores=1 --total-num-mbufs=8192 \
	<"$VH_DIR/dsink.in" >"$VH_DIR/dsink.log" 2>&1 &
VH_TP_PID_dsink=$!
VH_PIDS="$VH_PIDS $!"
VH_PREFIXES="$VH_PREFIXES vhdsink$$"
exec {VH_TP_FD_dsink}>"$VH_DIR/dsink.in"
vh_tp_wait dsink "testpmd>"
vh_tp_cmd dsink "start"
vh_tp_start dgen "path=$VH_DIR/d.sock,mac=$GEN_MAC" txonly '0@1,1@0' \
	--eth-peer=0,$SINK_MAC --txpkts=64
vh_tp_wait dgen "testpmd>"
vh_tp_cmd dgen "start"
sleep 1
direct=$(rate dsink)
vh_tp_quit dgen
vh_tp_quit dsink

# 2. Through the switch.
cat >"$VH_DIR/setup" <<EOF
bridge add vhbe$$
port add vhbe$$ va type vhost-user path $VH_DIR/a.sock server
port add vhbe$$ vb type vhost-user path $VH_DIR/b.sock server
EOF
vh_switch_start "$VH_DIR/setup"
vh_tp_start sink "path=$VH_DIR/b.sock,mac=$SINK_MAC" rxonly '0@0,1@1' \
	--eth-peer=0,$GEN_MAC
vh_tp_wait sink "testpmd>"
vh_tp_start gen "path=$VH_DIR/a.sock,mac=$GEN_MAC" txonly '0@1,1@0' \
	--eth-peer=0,$SINK_MAC --txpkts=64
vh_tp_wait gen "testpmd>"
vh_tp_cmd sink "start tx_first"		# the switch learns the sink's MAC
sleep 0.5
vh_tp_cmd gen "start"
sleep 1
switched=$(rate sink)
vh_tp_quit gen
vh_tp_quit sink
vh_switch_stop

echo "vhost-user bench (64 B, ${T}s, 2 vCPUs shared):"
printf "  testpmd virtio-user -> testpmd vhost (direct): %10d frames/s\n" "$direct"
printf "  testpmd -> vswitchd -> testpmd:                %10d frames/s\n" "$switched"
if [ "$direct" -gt 0 ]; then
	printf "  ratio switch/direct: %s\n" "$(echo "scale=3; $switched / $direct" | bc)"
fi
grep "closed:" "$VH_DIR/vswitchd.log" | sed 's/^/  /'
