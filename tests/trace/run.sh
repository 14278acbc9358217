#!/bin/bash
# Literal trace output: each tests/trace/NAME.setup is run through
# vswitchd --replay; its 'trace' commands print the decision steps of the
# catalogue frames (unicast known/unknown, broadcast, link-local, VLAN
# filter drop, STP-state drops, MTU, a two-switch lab over patch wires),
# compared byte for byte with NAME.expected.
#
# Usage: run.sh BUILD_DIR
set -u
build=${1:?usage: run.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
vswitchd=$build/bin/vswitchd
[ -x "$vswitchd" ] || { echo "trace: $vswitchd not built" >&2; exit 2; }
tmp=$(mktemp -d /tmp/tr-trace.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
for s in "$here"/*.setup; do
	n=$(basename "$s" .setup)
	if ! "$vswitchd" --replay --test-mode --log-level warn --script "$s" \
		--in-dir "$tmp" --out-dir "$tmp" > "$tmp/$n.out" 2> "$tmp/$n.err"; then
		echo "FAIL $n: vswitchd failed:"; sed 's/^/    /' "$tmp/$n.err"
		fail=$((fail + 1)); continue
	fi
	if diff -u "$here/$n.expected" "$tmp/$n.out" > "$tmp/$n.diff"; then
		echo "PASS $n ($(grep -c '^hop 1:' "$tmp/$n.out") traces)"
		pass=$((pass + 1))
	else
		echo "FAIL $n: output differs from $n.expected:"
		sed 's/^/    /' "$tmp/$n.diff"
		fail=$((fail + 1))
	fi
done
echo "trace text: $pass passed, $fail failed"
[ $fail = 0 ] && [ $pass -gt 0 ]
