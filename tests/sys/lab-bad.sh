#!/bin/bash
# lab-bad.sh - every file of tests/sys/lab-bad/ holds one mistake: "lab up"
# must print exactly the one line of its .err file (file, line, key, what),
# exit 1, and create nothing: no bridge in vswitchd, no namespace or device
# with the lab's names, no state file.  Runs from the top of the tree (the
# .err lines name the files by their relative path).
LB=			# the files' own names (all start "lbad")
. "$(dirname "$0")/lab-lib.sh"

start_daemon
n=0
for f in tests/sys/lab-bad/*.yml; do
	n=$((n + 1))
	want="bridgectl: $(cat "${f%.yml}.err")"
	got=$("$C" lab up "$f" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" != 1 ]; then
		fail "$f: exit $rc, not 1"
	elif [ "$got" != "$want" ]; then
		fail "$f: got '$got', wanted '$want'"
	else
		pass "$f: $got"
	fi
	bridges=$("$C" brctl show 2>&1 | grep -o 'lbad[^ ]*')
	if [ -n "$bridges" ] || ls "$VSWITCHD_LAB_DIR"/* >/dev/null 2>&1 ||
	   ip netns list | grep -q '^lbad'; then
		fail "$f: something was created: $bridges" \
			"$(ls "$VSWITCHD_LAB_DIR" 2>/dev/null)"
	fi
done
[ "$n" -ge 30 ] || fail "only $n bad files (at least 30 expected)"
finish lab-bad.sh
