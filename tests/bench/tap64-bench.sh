#!/bin/bash
# tap64-bench.sh - 64-byte frames/s namespace -> TAP -> vswitchd -> TAP ->
# namespace, against namespace -> veth -> kernel bridge -> veth ->
# namespace, interleaved.
#
# Usage: tests/bench/tap64-bench.sh BINDIR [RUNS] [SECONDS] [SIZE]   (root)
#
# vswitchd bridge tivs has TAP ports titp1/titp2, moved into namespaces
# tis1/tir1; kernel bridge tikr has veths tikv1/tikv2 whose peers tikp1/
# tikp2 sit in tis2/tir2.  pktblast sends SIZE-byte frames (default 64 on
# the wire: 60 without FCS) unpaced for SECONDS from titp1 (tikp1) to
# titp2's (tikp2's) MAC, learnt first.  Per run and path it records what
# the sending device took, what it dropped at once (tx_dropped: for a TAP,
# its queue towards vswitchd full; for a veth, the peer's backlog full),
# and what the receiving device counted (rx_packets).  Offered is taken +
# dropped; loss is offered - received.  Each run
# measures both paths, alternating which goes first.  Medians, spread,
# loss %, and the ratio (vswitchd / kernel) of received frames/s are
# printed.  With PERF_REPORT=FILE vswitchd is sampled (perf record -e
# cpu-clock -g) in its first timed run and the report's top goes to FILE.
# KEEP_RAW=1 also prints the raw per-run "taken received dropped" lines.
# When tests/bench/xcpu (XCPU=) is built, the receiving device's count and
# the vCPU placement (docs/performance.md) are sampled every ~0.25 s
# during each run, and the received rate is also summarised per
# placement (near, far: intervals whose two probes agree).
# Everything is named ti* and removed on exit, also on failure.
BIN=$1
RUNS=${2:-5}
SECS=${3:-3}
SIZE=${4:-64}
BLAST=$BIN/../tests/bench/pktblast
XCPU=${XCPU:-$BIN/../tests/bench/xcpu}
NEAR_NS=${NEAR_NS:-150}
say() { echo "tap64-bench: $*" >&2; }
. "$(dirname "$0")/../sys/preflight.sh"
. "$(dirname "$0")/../sys/switch-lib.sh"
preflight benchmark "namespaces, TAPs, veths, a kernel bridge" \
	"$BIN/vswitchd" ip python3
[ -x "$BLAST" ] || { say "FAILED: no $BLAST; this benchmark did not run"; exit 1; }

NSS="tis1 tir1 tis2 tir2"
switch_scratch "$BIN" tibench "$NSS" "tikv1 tikv2 tikr titp1 titp2"

for n in $NSS; do
	ip netns add $n || exit 1
	ip netns exec $n sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip netns exec $n sysctl -qw net.ipv6.conf.default.disable_ipv6=1
done

switch_start "$BIN" "$T" tivs || { say "FAILED: vswitchd did not start"; exit 1; }
i=1
for n in tis1 tir1; do
	"$C" port add tivs titp$i type tap >/dev/null ||
		{ say "FAILED: port add titp$i"; exit 1; }
	ip link set titp$i netns $n || exit 1
	ip -n $n link set titp$i up || exit 1
	i=$((i + 1))
done
ip link add tikr type bridge && ip link set tikr up || exit 1
i=1
for n in tis2 tir2; do
	ip link add tikv$i type veth peer name tikp$i netns $n || exit 1
	sysctl -qw net.ipv6.conf.tikv$i.disable_ipv6=1
	ip link set tikv$i master tikr && ip link set tikv$i up || exit 1
	ip -n $n link set tikp$i up || exit 1
	i=$((i + 1))
done
# Path 1 is vswitchd, path 2 the kernel bridge.
SDEV=(x titp1 tikp1); RDEV=(x titp2 tikp2)
DST=(x "$(ip netns exec tir1 cat /sys/class/net/titp2/address)"
     "$(ip netns exec tir2 cat /sys/class/net/tikp2/address)")
stat() { ip netns exec "$1" cat "/sys/class/net/$2/statistics/$3"; }
# Broadcasts from each receiver teach both switches where it is, so the
# measured frames are known unicast (no flooding back to the sender).
for w in 1 2; do
	ip netns exec tir$w "$BLAST" send "${RDEV[$w]}" ff:ff:ff:ff:ff:ff 60 1 \
		"${DST[$w]}" >/dev/null || { say "FAILED: pktblast"; exit 1; }
done
sleep 0.5

# measure PATH: appends "taken received dropped" to $T/PATH (and the
# placement-classed rates to $T/sl-PATH).
measure() {
	local w=$1 s=tis$1 r=tir$1 rx0 dr0 rx1 dr1 sent spid=
	rx0=$(stat $r "${RDEV[$w]}" rx_packets)
	dr0=$(stat $s "${SDEV[$w]}" tx_dropped)
	if [ -x "$XCPU" ]; then
		# "TIME PROBE RECEIVED" every ~0.25 s while pktblast sends.
		(while :; do
			v=$("$XCPU" 10 2>/dev/null) || v=-
			echo "$(date +%s.%N) $v $(stat $r "${RDEV[$w]}" rx_packets)"
			sleep 0.2
		done) >"$T/samples" &
		spid=$!
	fi
	sent=$(ip netns exec $s "$BLAST" send "${SDEV[$w]}" "${DST[$w]}" \
		$((SIZE - 4)) "$SECS") || { [ -n "$spid" ] && kill "$spid"; return 1; }
	if [ -n "$spid" ]; then
		kill "$spid"; wait "$spid" 2>/dev/null; spid=
		awk -v lim="$NEAR_NS" '
			function cl(x) { return x == "-" ? "?" : x < lim ? "near" : "far" }
			NR > 1 && cl(pv) != "?" && cl(pv) == cl($2) && $1 > pt {
				print cl($2), int(($3 - prx) / ($1 - pt)) }
			{ pt = $1; pv = $2; prx = $3 }' "$T/samples" >>"$T/sl-$w"
	fi
	sleep 0.3	# the queues drained
	rx1=$(stat $r "${RDEV[$w]}" rx_packets)
	dr1=$(stat $s "${SDEV[$w]}" tx_dropped)
	echo "$sent $((rx1 - rx0)) $((dr1 - dr0))" >>"$T/$w"
}
: >"$T/1"; : >"$T/2"
perfpid=
for r in $(seq "$RUNS"); do
	if [ $((r % 2)) = 1 ]; then order="1 2"; else order="2 1"; fi
	for w in $order; do
		if [ $w = 1 ] && [ $r = 1 ] && [ -n "$PERF_REPORT" ]; then
			perf record -q -g -e cpu-clock -p "$PID" -o "$T/perf.data" \
				-- sleep "$SECS" 2>/dev/null &
			perfpid=$!
		fi
		measure $w || { say "FAILED: run $r path $w"; exit 1; }
		if [ -n "$perfpid" ]; then
			wait "$perfpid"
			perfpid=
			perf report -i "$T/perf.data" --stdio --no-children \
				--sort symbol -g none 2>/dev/null | grep -v '^#' |
				grep -v '^$' | head -40 >"$PERF_REPORT"
		fi
	done
done
"$C" stats tivs >"$T/stats" 2>&1
[ -n "$KEEP_RAW" ] && cat "$T/1" "$T/2" >&2
python3 - "$T" "$RUNS" "$SECS" "$SIZE" <<'PY'
import statistics as st, sys
t, runs, secs, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
def load(w):
    return [[int(x) for x in l.split()] for l in open("%s/%d" % (t, w))]
v, k = load(1), load(2)
def rate(rows): return [r[1] / secs for r in rows]
# pktblast counts the frames the device took; the ones it dropped at once
# (sendmmsg stops there and retries) are its tx_dropped: offered is both.
def off(r): return r[0] + r[2]
def loss(rows): return [100.0 * (off(r) - r[1]) / off(r) if off(r) else 0 for r in rows]
def qdrop(rows): return [100.0 * r[2] / off(r) if off(r) else 0 for r in rows]
def sent(rows): return [off(r) / secs for r in rows]
mv, mk = st.median(rate(v)), st.median(rate(k))
print("tap64-bench: %s-byte frames ns -> switch -> ns, unpaced, %d s per run, "
      "median of %d interleaved runs" % (size, secs, runs))
print("%-34s %12s %14s %7s" % ("", "vswitchd TAP", "kernel br+veth", "ratio"))
print("%-34s %12.0f %14.0f %7.2f" % ("received frames/s", mv, mk, mv / mk if mk else 0))
print("%-34s %12.0f %14.0f" % ("offered frames/s", st.median(sent(v)), st.median(sent(k))))
print("%-34s %12.1f %14.1f" % ("loss % (offered - received)", st.median(loss(v)), st.median(loss(k))))
print("%-34s %12.1f %14.1f" % ("  of it dropped at ingress dev %", st.median(qdrop(v)), st.median(qdrop(k))))
fmt = lambda xs: "[" + ", ".join("%.0f" % x for x in xs) + "]"
fmp = lambda xs: "[" + ", ".join("%.1f" % x for x in xs) + "]"
print("  received/s per run: vswitchd %s" % fmt(rate(v)))
print("                      kernel   %s" % fmt(rate(k)))
print("  spread (min-max):   vswitchd %.0f-%.0f, kernel %.0f-%.0f"
      % (min(rate(v)), max(rate(v)), min(rate(k)), max(rate(k))))
print("  loss %% per run:     vswitchd %s, kernel %s" % (fmp(loss(v)), fmp(loss(k))))
print("  ratio per run: %s" % ["%.2f" % (a / b) for a, b in zip(rate(v), rate(k))])
import os
def slices(w, cls):
    f = "%s/sl-%d" % (t, w)
    return [int(l.split()[1]) for l in open(f) if l.split()[0] == cls] if os.path.exists(f) else []
for cls in ("near", "far"):
    sv, sk = slices(1, cls), slices(2, cls)
    if sv or sk:
        a = st.median(sv) if sv else 0
        b = st.median(sk) if sk else 0
        print("  vCPUs %-4s (~0.25 s intervals whose probes agree): received/s vswitchd %.0f (%d), kernel %.0f (%d), ratio %s"
              % (cls, a, len(sv), b, len(sk), "%.2f" % (a / b) if a and b else "-"))
PY
echo "vswitchd counters at the end:"
sed 's/^/  /' "$T/stats"
