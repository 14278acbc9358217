#!/bin/bash
# Replays every tests/pcap/<case>/ through vswitchd --replay and compares
# each port's output with expected-<port>.pcap (missing = no frames).
#
# Usage: run-cases.sh BUILD_DIR [CASE...]
# Prints one line per case, a readable diff for each mismatch, and a closing
# "N passed, N failed" line; exits non-zero if any case failed.
#
# TRACE_CHECK=1 (make check-trace) replays with --trace-check: each input
# frame is first traced (a dry run of the same dp_input() code, on the
# state the replay reached) and the trace's egress set must equal what
# the frame then did; the outputs must still equal expected-*.pcap, so
# tracing before every frame changed nothing.
set -u
build=${1:?usage: run-cases.sh BUILD_DIR [CASE...]}
shift
here=$(cd "$(dirname "$0")" && pwd)
vswitchd=$build/bin/vswitchd
pcapdiff=$build/tests/pcap/pcap-diff
for t in "$vswitchd" "$pcapdiff"; do
	[ -x "$t" ] || { echo "run-cases: $t not built" >&2; exit 2; }
done

if [ $# -gt 0 ]; then cases=("$@"); else
	cases=(); for d in "$here"/*/; do [ -f "$d/setup" ] && cases+=("$(basename "$d")"); done
fi
tmp=$(mktemp -d /tmp/vswitch-pcap.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

extra=()
[ "${TRACE_CHECK:-0}" = 1 ] && extra=(--trace-check)
pass=0 fail=0
for c in "${cases[@]}"; do
	dir=$here/$c
	out=$tmp/$c
	mkdir -p "$out"
	if ! "$vswitchd" --replay --test-mode --log-level warn --script "$dir/setup" \
		--in-dir "$dir" --out-dir "$out" "${extra[@]}" \
		> "$out/stdout" 2> "$out/stderr"; then
		echo "FAIL $c: vswitchd --replay failed:"
		grep -v ': ok$' "$out/stdout" | sed 's/^/    /'
		sed 's/^/    /' "$out/stderr"
		fail=$((fail + 1))
		continue
	fi
	ports=$(awk '$1 == "port" && $2 == "add" { print $4 }' "$dir/setup")
	ok=1 report=""
	for p in $ports; do
		if ! r=$("$pcapdiff" "$dir/expected-$p.pcap" "$out/out-$p.pcap"); then
			ok=0
			report+="  port $p:"$'\n'"$r"$'\n'
		fi
	done
	traced=$(sed -n 's/^trace check: \([0-9]*\) frames, 0 mismatches$/ (\1 frames traced)/p' \
		"$out/stdout")
	if [ ${#extra[@]} -gt 0 ] && [ -z "$traced" ]; then
		ok=0 report+="  no trace check summary"$'\n'
	fi
	if [ $ok = 1 ]; then
		echo "PASS $c$traced"
		pass=$((pass + 1))
	else
		echo "FAIL $c"
		printf '%s' "$report"
		fail=$((fail + 1))
	fi
done
echo "pcap replay: $pass passed, $fail failed"
[ $fail = 0 ]
