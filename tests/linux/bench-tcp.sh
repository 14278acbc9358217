#!/bin/bash
# bench-tcp.sh - VM<->VM TCP through vswitchd with real Linux guests, our
# VMM against QEMU as the vhost-user front-end, in the nested outer host
# (docs/linux-guests.md, docs/performance.md).
#
#   BUILD=build tests/linux/bench-tcp.sh [outer.VAR=VALUE...]
#
# RUNS (5) runs of each VMM, the order alternating run by run (ours, QEMU;
# QEMU, ours; ...), each run a scenario of its own (bench-tcp-KIND@N in
# scenarios.sh: a fresh vswitchd with two vhost-user ports, guest A the
# sink, guest B the source; B sends outer.TCP_MIB MiB, default 320, A
# sends 4 back), all in one outer host as far as it lasts: run-nested.sh
# repeats in a new outer host only the runs an outer-host failure cut
# short, up to RETRIES (6) times.  Prints each run's figures, the guests'
# negotiated virtio features, the switch's counters after each run, then
# the medians, spread and the ratio of the medians ours/QEMU.  Exits 1
# when a guest did not boot or a transfer did not complete (no timed
# assertion: the figures are reported, never checked).
set -u

BUILD=${BUILD:-build}
RUNS=${RUNS:-5}
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$BUILD/linux/bench-tcp.out

scen=''
for i in $(seq "$RUNS"); do
	if [ $((i % 2)) = 1 ]; then
		scen="$scen,bench-tcp-ours@$i,bench-tcp-qemu@$i"
	else
		scen="$scen,bench-tcp-qemu@$i,bench-tcp-ours@$i"
	fi
done
scen=${scen#,}

mkdir -p "$BUILD/linux"
BUILD=$BUILD RETRIES=${RETRIES:-6} TIMEOUT=${TIMEOUT:-1800} \
	"$HERE/run-nested.sh" "$scen" "$@" | tee "$OUT"
st=${PIPESTATUS[0]}

# "OUTER-TCP KIND run N: B->A M MiB in S s, R Mbit/s; reverse ..."
grep -E '^OUTER-TCP (ours|qemu) run [0-9]+: B->A' "$OUT" | awk '
	# A run repeated in a new outer host counts once (its last figure).
	{ k = $2; i = $4; sub(/:$/, "", i); last[k, i] = $11; if (i > top) top = i }
	END {
		split("ours qemu", K, " ")
		for (t = 1; t <= 2; t++) {
			k = K[t]
			for (i = 1; i <= top; i++)
				if ((k, i) in last) { v[k, ++n[k]] = last[k, i]; runs[k] = runs[k] " " last[k, i] }
		}
		if (!n["ours"] || !n["qemu"]) exit
		for (k in n) {
			m = n[k]
			for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++)
				if (v[k, j] < v[k, i]) { x = v[k, i]; v[k, i] = v[k, j]; v[k, j] = x }
			med[k] = m % 2 ? v[k, (m + 1) / 2] : (v[k, m / 2] + v[k, m / 2 + 1]) / 2
		}
		printf "bench-tcp: ours   median %.1f Mbit/s (%.1f..%.1f), %d runs:%s\n", \
			med["ours"], v["ours", 1], v["ours", n["ours"]], n["ours"], runs["ours"]
		printf "bench-tcp: QEMU   median %.1f Mbit/s (%.1f..%.1f), %d runs:%s\n", \
			med["qemu"], v["qemu", 1], v["qemu", n["qemu"]], n["qemu"], runs["qemu"]
		for (i = 1; i <= top; i++)
			if (("ours", i) in last && ("qemu", i) in last)
				pr = pr sprintf(" %.2f", last["ours", i] / last["qemu", i])
		printf "bench-tcp: ratio ours/QEMU (medians) %.2f; per run:%s\n", med["ours"] / med["qemu"], pr
	}'
if [ "$st" != 0 ]; then
	echo "bench-tcp: FAIL: a run did not complete (a guest did not boot," \
		"a transfer did not finish, or the outer host failed): see the" \
		"lines above and $BUILD/linux/nested-*.log"
	exit 1
fi
echo "bench-tcp: the outer host's CPU is emulated (TCG): the Mbit/s measure" \
	"the emulator; the ratio compares the two VMMs' virtio-net paths on the same switch"
