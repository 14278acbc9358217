#!/bin/bash
# tcp-bench.sh - iperf3 TCP namespace -> switch -> namespace: vswitchd with
# TAP ports (offloads on: 64 KiB GSO frames cross the switch whole) against
# the kernel bridge with veths, interleaved.
#
# Usage: tests/bench/tcp-bench.sh BINDIR [RUNS] [SECONDS] [TAPARGS]   (root)
#
# vswitchd bridge ofbvs has TAP ports oftp1/oftp2, moved into namespaces
# ofbs1/ofbr1 (10.77.1.1 -> 10.77.1.2); kernel bridge ofbkr has veths
# ofkv1/ofkv2 whose peers sit in ofbs2/ofbr2 (10.77.2.1 -> 10.77.2.2).
# Each run measures both, alternating which goes first (k of each, then
# k+1); the figure is iperf3's receiver rate over SECONDS, one stream.
# Before the runs, each path is checked to carry TCP both ways (iperf3 -R
# for one second).  TAPARGS (e.g. "no_offload") goes to every port add, to
# measure the path without offloads.  With PERF_REPORT=FILE, vswitchd is
# sampled (perf record -e cpu-clock) during its first timed run and the
# top of the report goes to FILE.  Medians, spread and the ratio
# (vswitchd / kernel) are printed.  Everything is named of* and removed on
# exit, also on failure.  When tests/bench/xcpu (XCPU=) is built, the
# vCPU placement is probed every 0.25 s during the timed runs and the
# 0.25 s intervals are also summarised per placement (near, far).
BIN=$1
RUNS=${2:-5}
SECS=${3:-5}
TAPARGS=${4:-}
XCPU=${XCPU:-$BIN/../tests/bench/xcpu}
NEAR_NS=${NEAR_NS:-150}
say() { echo "tcp-bench: $*" >&2; }
. "$(dirname "$0")/../sys/preflight.sh"
. "$(dirname "$0")/../sys/switch-lib.sh"
preflight benchmark "namespaces, TAPs, veths, a kernel bridge" \
	"$BIN/vswitchd" ip iperf3 python3

NSS="ofbs1 ofbr1 ofbs2 ofbr2"
cleanup_more() {
	for f in "$T"/s1.pid "$T"/s2.pid; do
		[ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
}
switch_scratch "$BIN" ofbench "$NSS" "ofkv1 ofkv2 ofbkr oftp1 oftp2"

for n in $NSS; do
	ip netns add $n || exit 1
	ip -n $n link set lo up
done

switch_start "$BIN" "$T" ofbvs || { say "FAILED: vswitchd did not start"; exit 1; }

# vswitchd: its TAPs go into the namespaces (the fd stays with the port).
i=1
for n in ofbs1 ofbr1; do
	# shellcheck disable=SC2086
	"$C" port add ofbvs oftp$i type tap $TAPARGS >/dev/null ||
		{ say "FAILED: port add oftp$i"; exit 1; }
	ip link set oftp$i netns $n || exit 1
	ip -n $n addr add 10.77.1.$i/24 dev oftp$i
	ip -n $n link set oftp$i up
	i=$((i + 1))
done
# The kernel bridge with veths.
ip link add ofbkr type bridge && ip link set ofbkr up || exit 1
i=1
for n in ofbs2 ofbr2; do
	ip link add ofkv$i type veth peer name ofkp$i netns $n || exit 1
	ip link set ofkv$i master ofbkr && ip link set ofkv$i up
	ip -n $n addr add 10.77.2.$i/24 dev ofkp$i
	ip -n $n link set ofkp$i up
	i=$((i + 1))
done
# The servers die with their namespaces (cleanup kills their pids too).
for w in 1 2; do
	ip netns exec ofbr$w iperf3 -s -D -I "$T/s$w.pid" >/dev/null 2>&1 ||
		{ say "FAILED: iperf3 server $w"; exit 1; }
done
sleep 0.5
for w in 1 2; do
	ip netns exec ofbs$w ping -c 1 -W 2 10.77.$w.2 >/dev/null ||
		{ say "FAILED: no ping on path $w"; exit 1; }
done

# run PATH SECS [-R]: prints the receiver's bits/s of one iperf3 run.
# Timed runs (SECS > 1) also report every 0.25 s, and when the placement
# probe is there (tests/bench/xcpu.c: how far apart the host has put the
# two vCPUs, docs/performance.md) it runs every 0.25 s beside iperf3;
# each interval whose probes all agree goes to $T/sl-PATH as "CLASS
# BITS/S" (near: a cache-line hand-off under NEAR_NS, else far).
run() {
	local ppid= t0
	if [ "$2" -gt 1 ] && [ -x "$XCPU" ]; then
		(while :; do
			v=$("$XCPU" 10 2>/dev/null) || v=-
			echo "$(date +%s.%N) $v"
			sleep 0.23
		done) >"$T/probe" &
		ppid=$!
	fi
	t0=$(date +%s.%N)
	ip netns exec ofbs$1 iperf3 -c 10.77.$1.2 -t "$2" -i 0.25 -J $3 >"$T/j" 2>&1 ||
		{ say "FAILED: iperf3 on path $1 $3"; cat "$T/j" >&2
		  [ -n "$ppid" ] && kill "$ppid"; return 1; }
	[ -n "$ppid" ] && { kill "$ppid"; wait "$ppid" 2>/dev/null; }
	python3 - "$T" "$1" "$t0" "$NEAR_NS" "${ppid:+probe}" <<'PY'
import json, sys
t, path, t0, near, probed = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
j = json.load(open(t + "/j"))
print(int(j["end"]["sum_received"]["bits_per_second"]))
if not probed:
    sys.exit(0)
probes = []
for line in open(t + "/probe"):
    ts, v = line.split()
    if v != "-":
        probes.append((float(ts) - t0, "near" if float(v) < near else "far"))
with open("%s/sl-%s" % (t, path), "a") as out:
    for i in j["intervals"]:
        s, e = i["sum"]["start"], i["sum"]["end"]
        seen = {c for ts, c in probes if s - 0.15 <= ts <= e + 0.15}
        if len(seen) == 1:
            out.write("%s %d\n" % (seen.pop(), int(i["sum"]["bits_per_second"])))
PY
}
# Both directions flow on both paths.
for w in 1 2; do
	for dir in "" -R; do
		r=$(run $w 1 $dir) || exit 1
		[ "$r" -gt 0 ] || { say "FAILED: path $w $dir carried nothing"; exit 1; }
		echo "$w ${dir:-fwd} $r" >>"$T/both"
	done
done
: >"$T/v"; : >"$T/k"
perfpid=
for r in $(seq "$RUNS"); do
	if [ $((r % 2)) = 1 ]; then order="1 2"; else order="2 1"; fi
	for w in $order; do
		if [ $w = 1 ] && [ $r = 1 ] && [ -n "$PERF_REPORT" ]; then
			perf record -q -e cpu-clock -p "$PID" -o "$T/perf.data" \
				-- sleep "$SECS" 2>/dev/null &
			perfpid=$!
		fi
		x=$(run $w "$SECS") || exit 1
		if [ -n "$perfpid" ]; then
			wait "$perfpid"
			perfpid=
			perf report -i "$T/perf.data" --stdio --no-children \
				--sort symbol 2>/dev/null | grep -v '^#' |
				grep -v '^$' | head -25 >"$PERF_REPORT"
		fi
		if [ $w = 1 ]; then echo "$x" >>"$T/v"; else echo "$x" >>"$T/k"; fi
	done
done
"$C" stats ofbvs >"$T/stats" 2>&1
python3 - "$T" "$RUNS" "$SECS" "$TAPARGS" <<'PY'
import os, statistics, sys
t, runs, secs, targs = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
v = [int(x) / 1e9 for x in open(t + "/v")]
k = [int(x) / 1e9 for x in open(t + "/k")]
mv, mk = statistics.median(v), statistics.median(k)
print("tcp-bench: iperf3 TCP ns -> switch -> ns, one stream, %s s, median of %d interleaved runs%s"
      % (secs, runs, " (TAP ports: %s)" % targs if targs else ""))
print("%-28s %10s %10s %7s" % ("", "vswitchd", "kernel", "ratio"))
print("%-28s %10.2f %10.2f %7.2f" % ("Gbit/s", mv, mk, mv / mk if mk else 0))
print("  per run: vswitchd %s" % ["%.2f" % x for x in v])
print("           kernel   %s" % ["%.2f" % x for x in k])
print("  spread (min-max): vswitchd %.2f-%.2f, kernel %.2f-%.2f"
      % (min(v), max(v), min(k), max(k)))
print("  ratio per run: %s" % ["%.2f" % (a / b) for a, b in zip(v, k)])
for cls in ("near", "far"):
    sv = [int(l.split()[1]) / 1e9 for l in open(t + "/sl-1") if l.split()[0] == cls] if os.path.exists(t + "/sl-1") else []
    sk = [int(l.split()[1]) / 1e9 for l in open(t + "/sl-2") if l.split()[0] == cls] if os.path.exists(t + "/sl-2") else []
    if sv or sk:
        mv2 = statistics.median(sv) if sv else 0
        mk2 = statistics.median(sk) if sk else 0
        print("  vCPUs %-4s (0.25 s intervals whose probes agree): vswitchd %.2f (%d), kernel %.2f (%d), ratio %s"
              % (cls, mv2, len(sv), mk2, len(sk), "%.2f" % (mv2 / mk2) if mv2 and mk2 else "-"))
for line in open(t + "/both"):
    w, d, r = line.split()
    print("  1 s check, %s %s: %.2f Gbit/s" % ("vswitchd" if w == "1" else "kernel  ", d, int(r) / 1e9))
PY
echo "vswitchd counters at the end:"
sed 's/^/  /' "$T/stats"
