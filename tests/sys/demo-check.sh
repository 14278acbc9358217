#!/bin/bash
# demo-check.sh - the README's main command is tested as a user runs it:
#   1. 'make demo' exits 0, every namespace pair pinged, the VM answered
#      the namespace host's pings through the switch, both halves timed
#      and the KVM mode stated;
#   2. 'make demo DEMO_GUEST=/nonexistent/guest.elf' (a broken step) exits
#      non-zero with the VMM's own error line and the demo's reason on
#      the terminal.
#
#   BUILD=build SANITIZE=0 tests/sys/demo-check.sh      (root)
set -u
BUILD=${BUILD:-build}
SANITIZE=${SANITIZE:-0}
cd "$(dirname "$0")/../.." || exit 1
pass=0
fail=0
say() { echo "demo-check: $*"; }
ok() { pass=$((pass + 1)); say "ok: $*"; }
bad() { fail=$((fail + 1)); say "FAIL: $*"; }
. tests/sys/preflight.sh
preflight test "the demo creates TAPs and namespaces" "$(command -v make)" make ip
OUT=$(mktemp /tmp/demo-check.XXXXXX)
trap 'rm -f "$OUT"' EXIT

# has PATTERN WHAT: the last demo's output has PATTERN (grep -E).
has() {
	if grep -qE -- "$1" "$OUT"; then ok "$2"; else bad "$2 (no /$1/)"; fi
}

make --no-print-directory demo BUILD="$BUILD" SANITIZE="$SANITIZE" >"$OUT" 2>&1
st=$?
if [ $st = 0 ]; then ok "make demo: exit status 0"; else bad "make demo: exit status $st"; fi
has 'demons3 -> 10.252.0.2: 3 packets transmitted, 3 received' \
	"the namespace hosts ping each other"
grep -A8 'ping -n -c 3 -i 0.2 -W 2 10.254.0.2' "$OUT" >"$OUT.vm"
if grep -q '3 packets transmitted, 3 received' "$OUT.vm"; then
	ok "the VM answered 3 of 3 pings through the switch"
else
	bad "the VM did not answer the pings: $(cat "$OUT.vm")"
fi
rm -f "$OUT.vm"
has '^KVM: (host /dev/kvm|nested outer host)' "the KVM mode is stated"
has 'the namespace half took [0-9.]+ s; the VM half took [0-9.]+ s \(KVM: ' \
	"both halves are timed"
grep -E '^KVM:|^demo: the namespace half took' "$OUT" | sed 's/^/demo-check: make demo said: /'
if [ $fail != 0 ]; then
	echo "---- make demo output (last 40 lines)"
	tail -40 "$OUT"
fi

f=$fail
make --no-print-directory demo BUILD="$BUILD" SANITIZE="$SANITIZE" \
	DEMO_GUEST=/nonexistent/guest.elf >"$OUT" 2>&1
st=$?
if [ $st != 0 ]; then ok "broken demo: exit status $st"; else bad "broken demo: exit status 0"; fi
has 'vmm\|err\|kernel /nonexistent/guest.elf: No such file or directory' \
	"broken demo: the VMM's own error line is on screen"
has 'demo: FAILED: the VMM exited with status 1 before the guest was up' \
	"broken demo: the demo says what failed"
has 'demo: the VM half FAILED' "broken demo: the summary says the VM half failed"
if [ $fail != "$f" ]; then
	echo "---- broken make demo output (last 40 lines)"
	tail -40 "$OUT"
fi

say "$pass passed, $fail failed"
[ $fail = 0 ]
