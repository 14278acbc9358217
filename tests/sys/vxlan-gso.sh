#!/bin/bash
# vxlan-gso.sh - large TCP transfers through VXLAN with GSO and GRO on
# (root): the data arrives intact, and the offloads were used.
#
# Three VTEPs on one underlay bridge (namespace vgu): two of ours (vswitchd
# in vga, vgb; 10.10.0.1/2) and a kernel vxlan device with a kernel bridge
# (vgk, 10.10.0.3), VNI 42; a host namespace behind each (vgh1..3,
# 192.168.47.1..3 and fd47::1..3, MTU 1450, the hosts' TSO/GSO on as by
# default, so TAPs hand our bridges 64 KiB super-frames).  Each transfer
# sends XFER_BYTES (default 32 MiB) of pseudo-random bytes and compares
# sha256 on both ends:
#   1. vgh1 -> vgh2 and vgh2 -> vgh1 over IPv4, vgh1 -> vgh2 over IPv6
#      (ours to ours: UDP GSO runs out, UDP_GRO runs in, software GRO);
#   2. vgh1 -> vgh3 (ours to the kernel) and vgh3 -> vgh1 (the kernel's
#      vxlan to ours);
#   3. the counters say GSO and GRO did the work: super-frames sent in
#      UDP GSO runs with no fallback, runs read, super-frames regrown;
#   4. with vga's underlay MTU at 1400 the kernel refuses the runs and
#      the port sends them one datagram at a time (fragmented), counted
#      as tx_gso_fallback, and the data still arrives intact;
#   5. the same between ours over an IPv6 underlay (fd10::1/2);
#   6. with 'gso off gro off' on both of ours the same transfer is intact
#      and neither is used.
# The kernel VTEP's underlay veth computes checksums in software (see
# below).  Everything is named vg*, and removed on exit, also on failure.
VX_NSS="vga vgb vgk vgu vgh1 vgh2 vgh3"
. "$(dirname "$0")/vxlan-lib.sh"
vx_need_root /usr/bin/python3 ethtool

XFER="/usr/bin/python3 $(dirname "$0")/vxlan-xfer.py"
N=${XFER_BYTES:-33554432}
VX_IPV6=0 vx_ns_add vgk vgu
VX_IPV6=1 vx_ns_add vga vgb vgh1 vgh2 vgh3
vx_underlay vg a b k
for i in 1 2; do
	ip -n vg$(echo ab | cut -c$i) addr add fd10::$i/64 dev vgu$(echo ab | cut -c$i) nodad
done
others() { for j in 1 2 3; do [ $j = "$1" ] || printf "10.10.0.%s," $j; done | sed 's/,$//'; }
host_addr() {
	ip -n vgh$1 addr add 192.168.47.$1/24 dev "$2"
	ip -n vgh$1 addr add fd47::$1/64 dev "$2" nodad
	ip -n vgh$1 link set "$2" mtu 1450 up
}
# ours_port X I [ARGS]: (re)creates vg0 on our VTEP X (number I), over
# IPv4 to both other VTEPs unless ARGS give local and remote.
ours_port() {
	local x=$1 i=$2
	shift 2
	ctl $x port del vg0 >/dev/null 2>&1
	case "$*" in
	*remote*) run ctl $x port add vgbr vg0 type vxlan vni 42 "$@" ;;
	*) run ctl $x port add vgbr vg0 type vxlan vni 42 \
		local 10.10.0.$i remote "$(others $i)" "$@" ;;
	esac
}
for i in 1 2; do
	x=$(echo ab | cut -c$i)
	vx_start vg$x "$(sock $x)" "$T/lib/$x.json" "$T/d-$x.log"
	run ctl $x link add vgbr type bridge
	run ctl $x link set vgbr up
	run ctl $x port add vgbr vgt$i type tap
	ours_port $x $i
	ip -n vg$x link set vgt$i netns vgh$i || fail "move vgt$i"
	host_addr $i vgt$i
done
# The kernel's VTEP: head-end replication to both of ours.
ip -n vgk link add vgk0 type vxlan id 42 dstport 4789 local 10.10.0.3 ||
	{ fail "kernel vxlan"; exit 1; }
for i in 1 2; do
	bridge -n vgk fdb append 00:00:00:00:00:00 dev vgk0 dst 10.10.0.$i
done
ip -n vgk link add vgkbr type bridge
ip -n vgk link set vgk0 master vgkbr
vx_veth vgk vgkp vgh3 vgt3
ip -n vgk link set vgkp master vgkbr
ip -n vgk link set vgk0 up
ip -n vgk link set vgkbr up
host_addr 3 vgt3
# A kernel VTEP hands a veth its frames with the inner TCP checksum left
# to the "hardware" (CHECKSUM_PARTIAL), and a veth never fills it in: a
# UDP socket in the peer namespace reads inner frames with unfinished
# checksums (a real NIC finishes them).  Checksums in software on the
# kernel VTEP's underlay, as a NIC would do them.
ip netns exec vgk ethtool -K vguk tx off >/dev/null ||
	fail "ethtool -K vguk tx off"

# xfer FROM TO ADDR WHAT [BYTES]: a checksummed transfer of BYTES (N) from
# host FROM to host TO listening on ADDR.
xfer() {
	local from=$1 to=$2 addr=$3 what=$4 n=${5:-$N} pid
	local port=$((5000 + RANDOM % 1000))
	ip netns exec vgh$to $XFER recv "$addr" $port >"$T/rx" 2>"$T/rxerr" &
	pid=$!
	wait_for grep -qs ready "$T/rxerr"
	if ! ip netns exec vgh$from $XFER send "$addr" $port "$n" $RANDOM \
		>"$T/tx" 2>"$T/txerr"; then
		fail "$what: sender failed: $(cat "$T/txerr")"
		kill "$pid" 2>/dev/null
		wait "$pid"
		return
	fi
	wait "$pid"
	if [ -s "$T/tx" ] && [ "$(cat "$T/tx")" = "$(cat "$T/rx")" ] &&
		[ "$(cut -d' ' -f1 "$T/tx")" = "$n" ]; then
		ok
	else
		fail "$what: sent '$(cat "$T/tx")', received '$(cat "$T/rx")' $(cat "$T/rxerr")"
	fi
}
reach() {
	for _ in $(seq 50); do
		ip netns exec vgh$1 ping -c1 -W1 "$2" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	fail "vgh$1 does not reach $2"
}
st() { vx_stat "$(sock $1)" vg0 "$2"; }

# --- 1., 2. transfers ------------------------------------------------------
reach 1 192.168.47.2
reach 1 192.168.47.3
reach 1 fd47::2
xfer 1 2 192.168.47.2 "ours -> ours, IPv4"
xfer 2 1 192.168.47.1 "ours -> ours back, IPv4"
xfer 1 2 fd47::2 "ours -> ours, IPv6"
xfer 1 3 192.168.47.3 "ours -> kernel vxlan"
xfer 3 1 192.168.47.1 "kernel vxlan -> ours"

# --- 3. the offloads did the work -----------------------------------------
for x in a b; do
	[ "$(st $x tx_gso_frames)" -gt 0 ] && [ "$(st $x tx_gso_sends)" -gt 0 ] &&
		[ "$(st $x tx_gso_fallback)" = 0 ] && ok ||
		fail "vg$x: no UDP GSO sends: $(ctl $x stats vg0)"
	[ "$(st $x sock_rx_gro_runs)" -gt 0 ] && [ "$(st $x rx_gro_frames)" -gt 0 ] &&
		[ "$(st $x rx_gro_merged)" -gt 0 ] && ok ||
		fail "vg$x: no UDP_GRO runs or regrown frames: $(ctl $x stats vg0)"
done

# --- 4. a path MTU below the datagrams: one at a time, fragmented --------
# The kernel refuses a UDP GSO run whose datagrams exceed the path MTU;
# the port sends the run one datagram at a time through its raw socket,
# which lets the underlay fragment them (as Linux's vxlan without df).
ip -n vga link set vgua mtu 1400
fb=$(st a tx_gso_fallback)
xfer 1 2 192.168.47.2 "ours -> ours, underlay MTU 1400 (fallback)" $((N / 4))
[ "$(st a tx_gso_fallback)" -gt "$fb" ] && ok ||
	fail "underlay MTU 1400: no fallback counted: $(ctl a stats vg0)"
ip -n vga link set vgua mtu 1500

# --- 5. an IPv6 underlay between ours ------------------------------------
# (The tunnel's MTU is 1430 there, as Linux's: the hosts' follows.)
ours_port a 1 local fd10::1 remote fd10::2
ours_port b 2 local fd10::2 remote fd10::1
for i in 1 2; do ip -n vgh$i link set vgt$i mtu 1430; done
reach 1 192.168.47.2
xfer 1 2 192.168.47.2 "ours -> ours over an IPv6 underlay"
[ "$(st a tx_gso_sends)" -gt 0 ] && [ "$(st a tx_gso_fallback)" = 0 ] &&
	[ "$(st b rx_gro_frames)" -gt 0 ] && ok ||
	fail "IPv6 underlay: GSO/GRO not used: $(ctl a stats vg0) $(ctl b stats vg0)"

# --- 6. both off -----------------------------------------------------------
ours_port a 1 gso off gro off
ours_port b 2 gso off gro off
for i in 1 2; do ip -n vgh$i link set vgt$i mtu 1450; done
reach 1 192.168.47.2
xfer 1 2 192.168.47.2 "ours -> ours, gso and gro off"
for x in a b; do
	[ "$(st $x tx_gso_frames)" = 0 ] && [ "$(st $x rx_gro_frames)" = 0 ] &&
		ok || fail "vg$x: offloads used though off: $(ctl $x stats vg0)"
done
vx_finish
