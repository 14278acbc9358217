#!/bin/bash
# vhost-dpdk.sh - interop of vswitchd's vhost-user ports with DPDK
# virtio-user front-ends (dpdk-testpmd --no-huge), in both socket roles.
#
#  1. server role: vswitchd listens; a sink (rxonly) announces its MAC with
#     one burst (flooded to the generator, which holds it), a generator
#     sends 6 bursts of 32 to it, then io-forwards the held burst back
#     out (destination: its own MAC, learned on its own port, so the
#     switch drops it); the sink must receive exactly what the generator
#     sent and the generator exactly the sink's one burst.  Both
#     front-ends negotiate VIRTIO_F_IN_ORDER (DPDK's default).
#  2. carrier off on the sink's port: DPDK's virtio-user negotiates no link
#     notifications (BACKEND_REQ, CONFIG), so vswitchd only stops
#     forwarding (the log says so): the sink receives none of the
#     generator's frames; carrier on, and the exchange works again.
#  3. front-end disconnect/reconnect: the generator quits, a new one
#     connects, traffic resumes.
#  4. client role: testpmd listens (server=1), vswitchd connects; same
#     exchange; then vswitchd is restarted and traffic resumes on the
#     front-ends' replayed state.
#
# Usage: tests/sys/vhost-dpdk.sh VSWITCHD [BRIDGECTL]
set -u
VSWITCHD=$1
BRIDGECTL=${2:-$(dirname "$VSWITCHD")/bridgectl}
. "$(dirname "$0")/vhost-lib.sh"
vh_init dpdk

BR=vhdp$$
BR=${BR:0:15}
SINK_MAC=02:00:00:00:00:0b
GEN_MAC=02:00:00:00:00:0a
BURSTS=6	# 192 frames: fewer than the sink's 256 RX buffers, so a sink
		# starved of CPU on a loaded host cannot overflow its ring
EXPECT=$((BURSTS * 32))

# exchange SINK GEN: one learning burst from the sink, BURSTS from the gen;
# checks sink RX == gen TX == EXPECT and the gen received nothing.
exchange() {
	local s=$1 g=$2 rx0 rx1 tx0 tx1 grx grx0
	grx0=$(vh_tp_stat "$g" RX-packets)
	vh_tp_cmd "$s" "start tx_first"
	sleep 1
	rx0=$(vh_tp_stat "$s" RX-packets)
	tx0=$(vh_tp_stat "$g" TX-packets)
	vh_tp_cmd "$g" "start tx_first $BURSTS"
	sleep 2
	vh_tp_cmd "$g" "stop"
	rx1=$(vh_tp_stat "$s" RX-packets)
	tx1=$(vh_tp_stat "$g" TX-packets)
	grx=$(vh_tp_stat "$g" RX-packets)
	vh_tp_cmd "$s" "stop"
	echo "  generator sent $((tx1 - tx0)), sink received $((rx1 - rx0)), generator received $((grx - grx0))"
	[ $((tx1 - tx0)) = $EXPECT ] || vh_fail "generator sent $((tx1 - tx0)), expected $EXPECT"
	[ $((rx1 - rx0)) = $EXPECT ] || vh_fail "sink received $((rx1 - rx0)) of $EXPECT"
	[ $((grx - grx0)) = 32 ] ||
		vh_fail "generator received $((grx - grx0)) frames, expected the sink's 32"
}

echo "=== server role"
cat >"$VH_DIR/server.script" <<EOF
bridge add $BR
port add $BR va type vhost-user path $VH_DIR/a.sock server
port add $BR vb type vhost-user path $VH_DIR/b.sock server
EOF
vh_switch_start "$VH_DIR/server.script"
# vhost-user ports run with the default --caps netns.
. "$(dirname "$0")/caps-lib.sh"
eff=$(wait_caps_eff "$VH_SW_PID" "$CAPS_NETNS")
echo "vhost-dpdk: vswitchd pid $VH_SW_PID CapEff $eff (capabilities dropped)"
[ "$eff" = "$CAPS_NETNS" ] || vh_fail "vswitchd CapEff $eff, not $CAPS_NETNS"
vh_tp_start sink "path=$VH_DIR/b.sock,mac=$SINK_MAC" rxonly '0@0,1@1' --eth-peer=0,$GEN_MAC
vh_tp_wait sink "testpmd>"
vh_tp_start gen "path=$VH_DIR/a.sock,mac=$GEN_MAC" io '0@1,1@0' --eth-peer=0,$SINK_MAC
vh_tp_wait gen "testpmd>"
exchange sink gen
# DPDK's virtio-user asks for IN_ORDER by default: the exchange above ran
# with transmitted chains returned in avail order.
for p in va vb; do
	grep -q "$p: negotiated virtio features .* in_order" "$VH_DIR/vswitchd.log" ||
		vh_fail "$p: virtio-user did not negotiate IN_ORDER"
done
echo "  both front-ends negotiated IN_ORDER"

echo "=== carrier off (a front-end without link notifications)"
"$BRIDGECTL" --socket "$VH_DIR/ctl.sock" link set dev vb carrier off ||
	vh_fail "carrier off on vb"
grep -q "vb: the front-end has no link notifications" "$VH_DIR/vswitchd.log" ||
	vh_fail "vswitchd did not say the front-end cannot be told"
rx0=$(vh_tp_stat sink RX-packets)
tx0=$(vh_tp_stat gen TX-packets)
vh_tp_cmd gen "start tx_first $BURSTS"
sleep 2
vh_tp_cmd gen "stop"
rx1=$(vh_tp_stat sink RX-packets)
tx1=$(vh_tp_stat gen TX-packets)
echo "  carrier off: generator sent $((tx1 - tx0)), sink received $((rx1 - rx0))"
[ $((tx1 - tx0)) = $EXPECT ] || vh_fail "generator sent $((tx1 - tx0)), expected $EXPECT"
[ $((rx1 - rx0)) = 0 ] || vh_fail "sink received $((rx1 - rx0)) frames with its cable pulled"
"$BRIDGECTL" --socket "$VH_DIR/ctl.sock" link set dev vb carrier on ||
	vh_fail "carrier on on vb"
exchange sink gen

echo "=== front-end reconnect"
vh_tp_quit gen
grep -q "va: front-end disconnected" "$VH_DIR/vswitchd.log" || sleep 1
grep -q "va: front-end disconnected" "$VH_DIR/vswitchd.log" || vh_fail "disconnect not seen"
vh_tp_start gen2 "path=$VH_DIR/a.sock,mac=$GEN_MAC" io '0@1,1@0' --eth-peer=0,$SINK_MAC
vh_tp_wait gen2 "testpmd>"
exchange sink gen2
vh_tp_quit gen2
vh_tp_quit sink
vh_switch_stop

echo "=== client role"
cat >"$VH_DIR/client.script" <<EOF
bridge add $BR
port add $BR va type vhost-user path $VH_DIR/ca.sock client
port add $BR vb type vhost-user path $VH_DIR/cb.sock client
EOF
# testpmd as server blocks in probe until vswitchd connects.
vh_tp_start csink "path=$VH_DIR/cb.sock,server=1,mac=$SINK_MAC" rxonly '0@0,1@1' --eth-peer=0,$GEN_MAC
vh_tp_start cgen "path=$VH_DIR/ca.sock,server=1,mac=$GEN_MAC" io '0@1,1@0' --eth-peer=0,$SINK_MAC
sleep 1
vh_switch_start "$VH_DIR/client.script"
vh_tp_wait csink "testpmd>"
vh_tp_wait cgen "testpmd>"
sleep 1
exchange csink cgen

echo "=== vswitchd restart (client role)"
vh_switch_stop
sleep 1
vh_switch_start "$VH_DIR/client.script"
for _ in $(seq 50); do
	[ "$(grep -c 'carrier on' "$VH_DIR/vswitchd.log")" -ge 4 ] && break
	sleep 0.2
done
[ "$(grep -c 'carrier on' "$VH_DIR/vswitchd.log")" -ge 4 ] ||
	vh_fail "front-ends did not come back after the restart"
sleep 1
exchange csink cgen
vh_tp_quit cgen
vh_tp_quit csink
vh_switch_stop
if grep -q "AddressSanitizer\|runtime error" "$VH_DIR/vswitchd.log"; then
	cat "$VH_DIR/vswitchd.log" >&2
	vh_fail "sanitizer report"
fi
echo "PASS: vhost-dpdk (server, carrier off, reconnect, client, restart)"
