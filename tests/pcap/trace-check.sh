#!/bin/bash
# The trace's verdict equals what the replay of the same frame did: every
# tests/pcap case is replayed with --trace-check, which traces each input
# frame (dry run, same dp_input() code) on the state the replay has
# reached, runs the frame for real, and compares the trace's egress set
# (BRIDGE/PORT:LEN) with the frames the ports really sent.  The outputs
# must still equal expected-*.pcap: tracing before every frame changed
# nothing (no learning, no counters, no transmit).
#
# Usage: trace-check.sh BUILD_DIR [CASE...]
set -u
build=${1:?usage: trace-check.sh BUILD_DIR [CASE...]}
shift
here=$(cd "$(dirname "$0")" && pwd)
vswitchd=$build/bin/vswitchd
pcapdiff=$build/tests/pcap/pcap-diff
for t in "$vswitchd" "$pcapdiff"; do
	[ -x "$t" ] || { echo "trace-check: $t not built" >&2; exit 2; }
done
if [ $# -gt 0 ]; then cases=("$@"); else
	cases=(); for d in "$here"/*/; do [ -f "$d/setup" ] && cases+=("$(basename "$d")"); done
fi
tmp=$(mktemp -d /tmp/tr-trace-check.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

pass=0 fail=0 frames=0
for c in "${cases[@]}"; do
	dir=$here/$c out=$tmp/$c
	mkdir -p "$out"
	"$vswitchd" --replay --trace-check --test-mode --log-level warn \
		--script "$dir/setup" --in-dir "$dir" --out-dir "$out" \
		> "$out/stdout" 2> "$out/stderr"
	rc=$?
	n=$(sed -n 's/^trace check: \([0-9]*\) frames.*/\1/p' "$out/stdout")
	ok=1
	if [ $rc != 0 ] || [ -z "$n" ] || [ "$n" = 0 ]; then ok=0; fi
	for p in $(awk '$1 == "port" && $2 == "add" { print $4 }' "$dir/setup"); do
		if ! r=$("$pcapdiff" "$dir/expected-$p.pcap" "$out/out-$p.pcap"); then
			ok=0
			echo "  $c port $p differs from expected after tracing:"
			echo "$r" | sed 's/^/    /'
		fi
	done
	if [ $ok = 1 ]; then
		echo "PASS $c ($n frames traced)"
		pass=$((pass + 1)) frames=$((frames + n))
	else
		echo "FAIL $c (rc $rc):"
		grep -v ': ok$' "$out/stdout" | sed 's/^/    /'
		sed 's/^/    /' "$out/stderr"
		fail=$((fail + 1))
	fi
done
echo "trace check: $pass passed, $fail failed, $frames frames agreed"
[ $fail = 0 ] && [ $pass -gt 0 ]
