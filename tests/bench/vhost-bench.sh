#!/bin/bash
# vhost-bench.sh - frames/s a switch moves between two vhost-user ports,
# vswitchd against DPDK testpmd as the switch, in one invocation.
#
# Harness (the same for every switch): exactly two busy-polling threads on
# the 2 vCPUs.  One dpdk-testpmd with two virtio-user ports forwards in
# 'mac' mode with --eth-peer set so each port sends with its own source
# MAC to the other port's MAC (known unicast once learned); it is primed
# with 'start tx_first 8' (256 frames per direction) and loops them
# through the switch; its forwarding lcore is pinned to vCPU 1.  The
# switch's thread is pinned to vCPU 0:
#   vswitchd   a bridge with two vhost-user ports, default mode (kicks,
#              then polling from the loop while busy; 'vswitchd_poll' in
#              VH_BENCH_SWITCHES adds a --poll run)
#   testpmd    two net_vhost ports, io forwarding (the baseline)
#   ovs-dpdk   Open vSwitch with DPDK, two dpdkvhostuserclient ports, one
#              PMD thread (second baseline, if ovs-vswitchd-dpdk is
#              installed; VH_BENCH_OVS=0 skips it)
# The front-end forwards in two modes (VH_BENCH_MODES):
#   mac  each port rewrites the MACs (its own as source, the other port's
#        as destination): the switch sees two stable stations and forwards
#        known unicast, learning as usual
#   io   frames go back out unchanged, so both MACs arrive on both ports;
#        every switch then forwards port to port without learning
#        (vswitchd: learning off on both ports, so unknown unicast
#        floods to the one other port; OVS: two in_port->output flows;
#        testpmd io as is)
# The rate is the sum of both front-end ports' Rx-pps over VH_BENCH_SECS
# seconds after one second of warm-up; the traffic starts only once the
# switch has both ports up, and a run whose two directions differ by more
# than 2x (one direction stalled: what OVS-DPDK does when a burst reaches
# a port not yet ready) is measured again once, and counted as failed if
# it stays unbalanced (the bench then exits 1).  The host is noisy, so
# switches are interleaved within each run, VH_BENCH_RUNS runs (>= 5) are
# made and the medians are reported with the ratio vswitchd/baseline.
#
# Knobs: VH_BENCH_RUNS (5), VH_BENCH_SECS (3), VH_BENCH_SIZES ("64 1518"),
# VH_BENCH_MODES ("mac io"), VH_BENCH_SWITCHES (default list above),
# VH_BENCH_OVS=0, VH_BENCH_SLICE (0.25 s), VH_BENCH_PROBE_MS (20),
# VH_BENCH_NEAR_NS (150), VH_BENCH_XCPU (the probe program),
# VH_BENCH_KEEP=DIR (keep the per-slice figures and the front-ends' logs there),
# VH_BENCH_FE_ARGS (appended to both virtio-user devargs, e.g. ",in_order=0").
#
# Usage: tests/bench/vhost-bench.sh VSWITCHD
set -u
VSWITCHD=$1
RUNS=${VH_BENCH_RUNS:-5}
T=${VH_BENCH_SECS:-3}
SIZES=${VH_BENCH_SIZES:-"64 1518"}
SLICE=${VH_BENCH_SLICE:-0.25}
PROBE_MS=${VH_BENCH_PROBE_MS:-20}
NEAR_NS=${VH_BENCH_NEAR_NS:-150}
XCPU=${VH_BENCH_XCPU:-$(dirname "$VSWITCHD")/../tests/bench/xcpu}
MODES=${VH_BENCH_MODES:-"mac io"}
FE_ARGS=${VH_BENCH_FE_ARGS:-}
. "$(dirname "$0")/../sys/vhost-lib.sh"
vh_init bench

MAC0=02:00:00:00:00:0a
MAC1=02:00:00:00:00:0b
BR=vhbe$$
BR=${BR:0:15}
SWITCHES="vswitchd testpmd"

OVS_SBIN=/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk
if [ "${VH_BENCH_OVS:-1}" = 1 ] && [ -x "$OVS_SBIN" ] &&
   command -v ovsdb-server >/dev/null; then
	SWITCHES="$SWITCHES ovs"
fi
SWITCHES=${VH_BENCH_SWITCHES:-$SWITCHES}

# --- the switches -----------------------------------------------------

# Each start function leaves the two sockets ready at $VH_DIR/$1-a.sock
# and $VH_DIR/$1-b.sock and sets FE_SERVER=1 if the front-end must listen.
sw_vswitchd_start() {
	cat >"$VH_DIR/$1.script" <<EOF
bridge add $BR
port add $BR va type vhost-user path $VH_DIR/$1-a.sock server
port add $BR vb type vhost-user path $VH_DIR/$1-b.sock server
EOF
	SW_LOG_LINES=0
	[ -f "$VH_DIR/vswitchd.log" ] &&
		SW_LOG_LINES=$(wc -l <"$VH_DIR/vswitchd.log")
	VH_SW_WRAP="taskset -c 0" VH_SW_ARGS="${VH_BENCH_SW_ARGS:-}" \
		vh_switch_start "$VH_DIR/$1.script"
	FE_SERVER=0
}

# wait_lines FILE SKIP PATTERN N: until N lines after the first SKIP match.
wait_lines() {
	for _ in $(seq 300); do
		[ "$(tail -n +"$(($2 + 1))" "$1" 2>/dev/null | grep -c "$3")" -ge "$4" ] &&
			return 0
		sleep 0.1
	done
	vh_fail "no $4 x '$3' in $1"
}

sw_vswitchd_ready() {
	local p
	wait_lines "$VH_DIR/vswitchd.log" "$SW_LOG_LINES" "carrier on" 2
	[ "$MODE" = io ] || return 0
	for p in va vb; do
		"$(dirname "$VSWITCHD")/bridgectl" --socket "$VH_DIR/ctl.sock" \
			port set $p learning off || vh_fail "$p: learning off"
	done
}

# Not in the default list: vswitchd --poll (busy polling), for comparison.
sw_vswitchd_poll_start() { VH_BENCH_SW_ARGS="--poll" sw_vswitchd_start "$@"; }
sw_vswitchd_poll_ready() { sw_vswitchd_ready; }
sw_vswitchd_poll_stop() { sw_vswitchd_stop; }

# Not in the default list: another vswitchd binary (VH_BENCH_VSWITCHD_B),
# to compare two builds in one invocation ('vswitchd_b' in
# VH_BENCH_SWITCHES; the ratios printed stay those of 'vswitchd').
sw_vswitchd_b_start() { VSWITCHD=$VH_BENCH_VSWITCHD_B sw_vswitchd_start "$@"; }
sw_vswitchd_b_ready() { sw_vswitchd_ready; }
sw_vswitchd_b_stop() { sw_vswitchd_stop; }

sw_vswitchd_stop() {
	local faults
	faults=$(awk '{ print $10 }' "/proc/$VH_SW_PID/stat" 2>/dev/null)
	vh_switch_stop
	{
		echo "minor page faults over vswitchd's life: ${faults:-?}"
		grep "closed:" "$VH_DIR/vswitchd.log" | tail -2
	} >"$VH_DIR/last-counters"
}

sw_testpmd_start() {
	vh_tp_spawn "$1" '0@1,1@0' \
		--vdev "net_vhost0,iface=$VH_DIR/$1-a.sock,queues=1" \
		--vdev "net_vhost1,iface=$VH_DIR/$1-b.sock,queues=1" -- \
		--forward-mode=io --nb-cores=1
	vh_tp_wait "$1" "testpmd>"
	vh_tp_cmd "$1" "start"
	SW_TP=$1
	FE_SERVER=0
}

sw_testpmd_ready() {
	sleep 1
}

sw_testpmd_stop() {
	vh_tp_quit "$SW_TP"
}

# Open vSwitch with DPDK: a private ovsdb and ovs-vswitchd under $VH_DIR,
# no huge pages, one PMD on vCPU 0, ports as vhost-user clients of the
# front-end (which listens).
ovs() { ovs-vsctl --db="unix:$OVS_D/db.sock" --timeout=20 "$@"; }

sw_ovs_start() {
	local d=$VH_DIR/ovs-$1
	OVS_D=$d
	mkdir -p "$d"
	ovsdb-tool create "$d/conf.db" /usr/share/openvswitch/vswitch.ovsschema
	ovsdb-server "$d/conf.db" --remote="punix:$d/db.sock" \
		--pidfile="$d/ovsdb.pid" --unixctl="$d/ovsdb.ctl" \
		--log-file="$d/ovsdb.log" -vconsole:off --detach 2>>"$d/start.log" ||
		vh_fail "ovsdb-server"
	VH_PIDS="$VH_PIDS $(cat "$d/ovsdb.pid")"
	ovs --no-wait init
	ovs --no-wait set Open_vSwitch . other_config:dpdk-init=true \
		other_config:dpdk-extra="--no-huge --legacy-mem -m 2048 --no-pci --file-prefix=vhovs$$" \
		other_config:pmd-cpu-mask=0x1 other_config:dpdk-lcore-mask=0x2 \
		other_config:vhost-iommu-support=false
	VH_PREFIXES="$VH_PREFIXES vhovs$$"
	OVS_RUNDIR=$d OVS_DBDIR=$d taskset -c 1 "$OVS_SBIN" \
		"unix:$d/db.sock" --pidfile="$d/vswitchd.pid" \
		--unixctl="$d/vswitchd.ctl" --log-file="$d/vswitchd.log" \
		-vconsole:off --detach 2>>"$d/start.log" ||
		{ tail "$d/vswitchd.log" >&2; vh_fail "ovs-vswitchd"; }
	VH_PIDS="$VH_PIDS $(cat "$d/vswitchd.pid")"
	# OVS's netdev datapath leaves its devices (the bridge's internal
	# port, a TAP named after it, and ovs-netdev) behind when killed.
	VH_LINKS="$VH_LINKS $BR"
	ip link show ovs-netdev >/dev/null 2>&1 ||
		VH_LINKS="$VH_LINKS ovs-netdev"
	ovs add-br "$BR" -- set bridge "$BR" datapath_type=netdev
	ovs add-port "$BR" va -- set Interface va type=dpdkvhostuserclient \
		options:vhost-server-path="$VH_DIR/$1-a.sock"
	ovs add-port "$BR" vb -- set Interface vb type=dpdkvhostuserclient \
		options:vhost-server-path="$VH_DIR/$1-b.sock"
	if [ "$MODE" = io ]; then
		ovs-ofctl del-flows "unix:$d/$BR.mgmt" &&
		ovs-ofctl add-flow "unix:$d/$BR.mgmt" in_port=va,actions=output:vb &&
		ovs-ofctl add-flow "unix:$d/$BR.mgmt" in_port=vb,actions=output:va ||
			vh_fail "ovs-ofctl: port-to-port flows"
	fi
	FE_SERVER=1
}

# Mapping the front-end's memory (populated) takes OVS a while.
sw_ovs_ready() {
	wait_lines "$OVS_D/vswitchd.log" 0 "vHost Device .* has been added" 2
	sleep 1
}

sw_ovs_stop() {
	local pid
	pid=$(cat "$OVS_D/vswitchd.pid")
	kill "$pid" "$(cat "$OVS_D/ovsdb.pid")" 2>/dev/null
	for _ in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	ip link del "$BR" 2>/dev/null
	case " $VH_LINKS " in
	*" ovs-netdev "*) ip link del ovs-netdev 2>/dev/null ;;
	esac
}

# --- the front-end and one measurement --------------------------------

# tp_show NAME: ask the front-end for its port statistics and wait for
# them: R0 and R1 are then each port's Rx-pps since the previous call
# (testpmd times the interval itself).
tp_show() {
	local n want
	want=$(($(grep -c "Rx-pps" "$VH_DIR/$1.log") + 2))
	vh_tp_cmd "$1" "show port stats all"
	for _ in $(seq 50); do
		n=$(grep -c "Rx-pps" "$VH_DIR/$1.log")
		[ "$n" -ge "$want" ] && break
		sleep 0.1
	done
	set -- $(grep -o "Rx-pps: *[0-9]*" "$VH_DIR/$1.log" | tail -2 |
		awk '{ printf "%d ", $2 }')
	R0=${1:-0} R1=${2:-0}
}

# probe: the vCPUs' cache-line hand-off time now (ns), or "-" (no probe,
# or none readable: xcpu says when a vCPU was not running).
probe() {
	if [ -x "$XCPU" ]; then "$XCPU" "$PROBE_MS" 2>/dev/null || echo -
	else echo -; fi
}

# fe_pps NAME SLICES-FILE: sum of both ports' Rx-pps over T seconds in R;
# the two ports' rates in R0 and R1.  The T seconds are cut into slices
# of SLICE seconds; each slice's rate goes to SLICES-FILE as "PROBE-BEFORE
# PROBE-AFTER RATE", where the probes are xcpu's hand-off time between
# the two vCPUs taken at the slice's two ends (PROBE_MS each, at
# SCHED_FIFO: every switch's slices include the same pause).
fe_pps() {
	local k before after sum0=0 sum1=0 n
	n=$(awk -v t="$T" -v s="$SLICE" 'BEGIN { n = int(t / s + 0.5); print n < 1 ? 1 : n }')
	tp_show "$1"
	before=$(probe)
	for k in $(seq "$n"); do
		sleep "$SLICE"
		tp_show "$1"
		after=$(probe)
		echo "$before $after $((R0 + R1))" >>"$2"
		sum0=$((sum0 + R0)) sum1=$((sum1 + R1))
		before=$after
	done
	R0=$((sum0 / n)) R1=$((sum1 / n))
	R=$((R0 + R1))
}

# balanced: both directions flow, neither more than twice the other.
balanced() {
	[ "$R0" -gt 0 ] && [ "$R1" -gt 0 ] &&
		[ "$R0" -le $((2 * R1)) ] && [ "$R1" -le $((2 * R0)) ]
}

# measure SWITCH SIZE RUN: frames/s in R (no subshell: the cleanup trap
# must know every process started).
measure() {
	local sw=$1 size=$2 id=$1$3x$2$MODE$TRY fe srv
	"sw_${sw}_start" "$id"
	srv=""
	[ "$FE_SERVER" = 1 ] && srv=",server=1"
	fe=fe$id
	vh_tp_spawn "$fe" '0@0,1@1' \
		--vdev "net_virtio_user0,path=$VH_DIR/$id-a.sock,mac=$MAC0$srv$FE_ARGS" \
		--vdev "net_virtio_user1,path=$VH_DIR/$id-b.sock,mac=$MAC1$srv$FE_ARGS" -- \
		--forward-mode="$MODE" --nb-cores=1 --txpkts="$size" \
		--eth-peer=0,$MAC1 --eth-peer=1,$MAC0
	vh_tp_wait "$fe" "testpmd>" 30
	# Both links up in the switch before priming (frames sent earlier
	# would be lost from the loop).
	"sw_${sw}_ready"
	vh_tp_cmd "$fe" "start tx_first 8"
	sleep 1
	: >"$VH_DIR/slices-now"
	fe_pps "$fe" "$VH_DIR/slices-now"
	vh_tp_cmd "$fe" "stop"
	vh_tp_quit "$fe"
	"sw_${sw}_stop"
	rm -f "$VH_DIR/$id"-?.sock
}

mpps() { printf "%.2f" "$(echo "scale=3; $1 / 1000000" | bc)"; }
ratio() { printf "%.2f" "$(echo "scale=3; $1 / $2" | bc)"; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

# measure_checked SWITCH SIZE RUN: measure, once more if unbalanced.
measure_checked() {
	for TRY in 1 2; do
		measure "$@"
		balanced && return 0
		echo "  $1/$2/$MODE run $3: unbalanced, port a $R0 and port b" \
			"$R1 frames/s$([ "$TRY" = 1 ] && echo ', measuring again')" >&2
	done
	UNBALANCED=$((UNBALANCED + 1))
	return 1
}

UNBALANCED=0
echo "vhost-user bench: $RUNS runs x {$SIZES} B x {$MODES} x {$SWITCHES}, ${T}s each"
for run in $(seq "$RUNS"); do
	line="  run $run:"
	for MODE in $MODES; do
		for size in $SIZES; do
			for sw in $SWITCHES; do
				measure_checked "$sw" "$size" "$run" &&
					echo "$R" >>"$VH_DIR/res-$sw-$size-$MODE" &&
					cat "$VH_DIR/slices-now" >>"$VH_DIR/sl-$sw-$size-$MODE"
				line="$line $sw/$size/$MODE=$(mpps "$R")"
			done
		done
	done
	echo "$line"
done

# class_median FILE CLASS: "MEDIAN COUNT" of the slice rates in FILE
# whose two probes agree on CLASS (near, far).
class_median() {
	local rates
	rates=$(awk -v c="$2" -v lim="$NEAR_NS" '
		function cl(x) { return x == "-" ? "?" : x < lim ? "near" : "far" }
		cl($1) == c && cl($2) == c { print $3 }' "$1" 2>/dev/null)
	if [ -z "$rates" ]; then echo "0 0"
	else echo "$(echo "$rates" | median) $(echo "$rates" | wc -l)"; fi
}

# report LABEL SIZE MODE [CLASS]: one line, each switch's median (of the
# balanced runs, or of CLASS's slices with their count) and vswitchd's
# ratios to the anchors.
report() {
	local out=$1 size=$2 mode=$3 cls=${4:-} sw m n base
	declare -A med
	for sw in $SWITCHES; do
		if [ -z "$cls" ]; then
			m=$(median <"$VH_DIR/res-$sw-$size-$mode" 2>/dev/null)
			out="$out $sw $(mpps "${m:-0}")"
		else
			read -r m n < <(class_median "$VH_DIR/sl-$sw-$size-$mode" "$cls")
			out="$out $sw $(mpps "${m:-0}") (${n:-0})"
		fi
		med[$sw]=${m:-0}
	done
	for base in testpmd ovs; do
		[ "${med[vswitchd]:-0}" -gt 0 ] && [ "${med[$base]:-0}" -gt 0 ] &&
			out="$out, vswitchd/$base $(ratio "${med[vswitchd]}" "${med[$base]}")"
	done
	echo "$out"
}

echo "medians (Mpps: frames through the switch, both directions; balanced runs):"
for MODE in $MODES; do
	for size in $SIZES; do
		report "$(printf "  %4s B, %-3s:" "$size" "$MODE")" "$size" "$MODE"
	done
done
# The same, per vCPU placement: only slices whose two probes agree.
if [ -x "$XCPU" ]; then
	echo "by vCPU placement (slices of ${SLICE}s whose probes at both ends agree; near: cache-line hand-off < ${NEAR_NS} ns, far: >=; Mpps medians over slices):"
	for MODE in $MODES; do
		for size in $SIZES; do
			for cls in near far; do
				report "$(printf "  %4s B, %-3s, %-4s:" "$size" "$MODE" "$cls")" \
					"$size" "$MODE" "$cls"
			done
		done
	done
	echo "  (probes: $(cat "$VH_DIR"/sl-* 2>/dev/null | awk -v lim="$NEAR_NS" '
		{ for (i = 1; i <= 2; i++) if ($i == "-") u++; else if ($i < lim) n++; else f++ }
		END { printf "%d near, %d far, %d unknown", n, f, u }'))"
else
	echo "no placement probe ($XCPU): rates not split by vCPU placement"
fi
if [ -n "${VH_BENCH_KEEP:-}" ]; then
	mkdir -p "$VH_BENCH_KEEP" && cp "$VH_DIR"/sl-* "$VH_DIR"/res-* "$VH_DIR"/fe*.log "$VH_BENCH_KEEP"/ 2>/dev/null
fi
[ -f "$VH_DIR/last-counters" ] && sed 's/^/  last vswitchd run: /' "$VH_DIR/last-counters"
if [ "$UNBALANCED" -gt 0 ]; then
	echo "FAIL: $UNBALANCED run(s) stayed unbalanced (one direction stalled); their figures are left out" >&2
	exit 1
fi
