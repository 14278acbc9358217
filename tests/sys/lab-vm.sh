#!/bin/bash
# lab-vm.sh - the shipped labs with VMs (labs/vms.yml): lab up starts the
# test-guest VMs on vhost-user ports, lab check passes, lab link pulls a
# VM's cable (its switch port's carrier off: lab status shows it, the
# guest prints its virtio-net link going down, pings stop; plugged back:
# link up, pings), lab down stops the VMMs; nothing is left.
# Root and KVM: run through tests/kvm/kvm-run.sh (make check-lab-vm).
# VMM and GUEST name the programs.
. "$(dirname "$0")/lab-lib.sh"
need_root
[ -n "${VMM:-}" ] && [ -n "${GUEST:-}" ] ||
	{ echo "lab-vm.sh: NOT RUN: VMM and GUEST must be set" >&2; exit 1; }
export VMM=$(realpath "$VMM") GUEST=$(realpath "$GUEST")

# wait_serial FILE TEXT N: waits up to 5 s for the Nth line with TEXT.
wait_serial() {
	for _ in $(seq 50); do
		[ "$(grep -c -- "$2" "$1" 2>/dev/null)" -ge "$3" ] && return 0
		sleep 0.1
	done
	return 1
}

start_daemon
for f in labs/*.yml; do
	grep -q '^vms:' "$f" || continue
	name=$(sed -n 's/^name: *//p' "$f")
	if ! "$C" lab up "$f" >"$T/up" 2>&1; then
		fail "$f: lab up: $(cat "$T/up")"; continue
	fi
	pids=$(cat "$VSWITCHD_LAB_DIR"/*.pid 2>/dev/null)
	[ -n "$pids" ] || fail "$f: no VMM pid recorded"
	if "$C" lab check "$f" >"$T/check" 2>&1 && ! grep -q '^FAIL' "$T/check"; then
		pass "$f: $(tail -1 "$T/check")"
	else
		fail "$f: lab check:"; cat "$T/check"
	fi
	if [ "$name" = vms ]; then
		serial=$VSWITCHD_LAB_DIR/vms.vm1.serial
		[ -f "$serial" ] || fail "no serial log of vm1 at $serial"
		"$C" lab link vm1 sw1 down >/dev/null || fail "lab link vm1 sw1 down"
		if ! ip netns exec ${LB}h1 ping -c 2 -i 0.2 -W 1 10.0.5.11 >/dev/null 2>&1 &&
		   "$C" lab status | grep -E '^ +sw1:p2 .*carrier off' >/dev/null; then
			pass "vm1's cable pulled: no ping, carrier off in lab status"
		else
			fail "vm1's cable pulled"
		fi
		# Issue 17: the guest itself sees its virtio-net link go
		# down (config interrupt), and up again.
		if wait_serial "$serial" "guest: link down" 1; then
			pass "vm1's cable pulled: the guest sees link down"
		else
			fail "vm1's cable pulled: no 'guest: link down' in $serial"
		fi
		"$C" lab link vm1 sw1 up >/dev/null
		if wait_serial "$serial" "guest: link up" 1; then
			pass "vm1's cable back: the guest sees link up"
		else
			fail "vm1's cable back: no 'guest: link up' in $serial"
		fi
		ip netns exec ${LB}h1 ping -c 3 -i 0.3 -W 2 10.0.5.11 >/dev/null 2>&1 &&
			pass "vm1's cable back: ping" || fail "vm1's cable back"
		if "$C" lab status | grep -E '^ +sw1:p2 .*carrier off' >/dev/null; then
			fail "lab status still shows carrier off on sw1:p2"
		fi
	fi
	"$C" lab down "$f" >/dev/null || fail "$f: lab down"
	left=
	for p in $pids; do kill -0 "$p" 2>/dev/null && left+=" $p"; done
	[ -z "$left" ] && pass "$f: VMMs ended" || fail "$f: VMMs left:$left"
	left=$(leftovers; ls "$VSWITCHD_LAB_DIR" 2>/dev/null)
	[ -z "$left" ] && pass "$f: nothing left" || fail "$f: left: $left"
done
finish lab-vm.sh
