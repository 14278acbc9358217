# vm-lib.sh - helpers of the VM-on-a-switch tests (sourced, not run):
# a vswitchd of our own (socket and config in a temp dir), test-guest VMs
# started with --net BRIDGE, namespaces on TAP ports.  Everything created
# is named vmt*, and removed on exit, also on failure.
#
#   VSWITCHD, BRIDGECTL, VMM, GUEST    the programs (absolute or relative)

set -u
VM_T=
VM_SW_PID=
VM_PIDS=
VM_NS=
VM_FAILS=0
VM_PASSES=0

vm_say() { echo "$VM_TEST: $*"; }
vm_pass() { VM_PASSES=$((VM_PASSES + 1)); vm_say "ok: $*"; }
vm_fail() { VM_FAILS=$((VM_FAILS + 1)); vm_say "FAIL: $*"; }
vm_die() { vm_say "FAILED: $*"; exit 1; }

vm_cleanup() {
	local p
	for p in $VM_PIDS; do kill "$p" 2>/dev/null; done
	for p in $VM_PIDS; do
		for _ in $(seq 30); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$p" 2>/dev/null
	done
	if [ -n "$VM_SW_PID" ]; then
		kill "$VM_SW_PID" 2>/dev/null
		wait "$VM_SW_PID" 2>/dev/null
	fi
	for n in $VM_NS; do ip netns del "$n" 2>/dev/null; done
	if [ -n "$VM_T" ]; then
		if [ "$VM_FAILS" != 0 ] || [ -n "${VM_KEEP:-}" ]; then
			for f in "$VM_T"/*.log "$VM_T"/*.out; do
				[ -f "$f" ] || continue
				echo "---- $f (last 25 lines)"; tail -25 "$f"
			done
		fi
		rm -rf "$VM_T"
	fi
}

# vm_init NAME: checks the environment, makes the temp dir.
vm_init() {
	VM_TEST=$1
	trap vm_cleanup EXIT
	trap 'exit 2' INT TERM
	[ "$(id -u)" = 0 ] || vm_die "must run as root (KVM, TAPs, namespaces); this test did not run"
	[ -c /dev/kvm ] || vm_die "no /dev/kvm; this test did not run (make check-vm-* runs it in the nested outer host: tests/kvm/kvm-run.sh)"
	for f in "$VSWITCHD" "$BRIDGECTL" "$VMM"; do
		[ -x "$f" ] || vm_die "no program at '$f'; this test did not run"
	done
	[ -f "$GUEST" ] || vm_die "no test guest at '$GUEST'; this test did not run"
	VM_T=$(mktemp -d /tmp/vmt-$1.XXXXXX)
	export VSWITCHD_SOCKET=$VM_T/run/ctl.sock
}

# vm_switch_start: vswitchd with its socket and config in the temp dir.
vm_switch_start() {
	"$VSWITCHD" --socket "$VSWITCHD_SOCKET" --config "$VM_T/config.json" \
		--test-mode ${VM_SW_ARGS:-} >>"$VM_T/vswitchd.log" 2>&1 &
	VM_SW_PID=$!
	for _ in $(seq 100); do
		"$BRIDGECTL" info >/dev/null 2>&1 && return 0
		kill -0 "$VM_SW_PID" 2>/dev/null || break
		sleep 0.05
	done
	vm_die "vswitchd did not start"
}

vm_switch_stop() {
	kill "$VM_SW_PID" 2>/dev/null
	wait "$VM_SW_PID" 2>/dev/null
	VM_SW_PID=
}

ctl() { "$BRIDGECTL" "$@"; }

# vm_start NAME MAC CMDLINE [VMM ARGS...]: a test-guest VM on --net
# $VM_BRIDGE (or the VMM ARGS' own --net), serial output in NAME.out,
# under a 120 s timeout.  Waits until the guest reached its network mode.
vm_start() {
	local name=$1 mac=$2 cmd=$3 net=(--net "$VM_BRIDGE")
	shift 3
	[ $# -gt 0 ] && net=()
	timeout -s TERM "${VM_TIMEOUT:-120}" "$VMM" run --kernel "$GUEST" --mem 32M --name "$name" \
		--mac "$mac" --cmdline "$cmd" "${net[@]}" "$@" \
		--serial "$VM_T/$name.out" >"$VM_T/$name.log" 2>&1 &
	VM_PIDS="$VM_PIDS $!"
	eval "VM_PID_$name=$!"
	vm_wait_out "$name" "guest: net mode" 15 ||
		vm_die "VM $name did not reach its network mode"
}

# vm_stop NAME: SIGTERM, waits for the exit.
vm_stop() {
	local pid
	eval "pid=\$VM_PID_$1"
	kill "$pid" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
	kill -9 "$pid" 2>/dev/null
}

# vm_wait_out NAME PATTERN SECONDS: waits for PATTERN in NAME's serial.
vm_wait_out() {
	for _ in $(seq $(($3 * 10))); do
		grep -q -- "$2" "$VM_T/$1.out" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# vm_ns_tap NS BRIDGE TAP IP/LEN: a TAP port of BRIDGE moved into a new
# namespace NS, with address IP/LEN.
vm_ns_tap() {
	ip netns del "$1" 2>/dev/null
	ip netns add "$1" || vm_die "ip netns add $1"
	VM_NS="$VM_NS $1"
	ctl port add "$2" "$3" type tap >/dev/null || vm_die "port add $3"
	ip link set "$3" netns "$1" || vm_die "moving $3 to $1"
	ip -n "$1" link set lo up
	ip -n "$1" link set "$3" up
	ip -n "$1" addr add "$4" dev "$3"
}

vm_finish() {
	if [ "$VM_FAILS" = 0 ]; then
		vm_say "PASS ($VM_PASSES checks)"
		exit 0
	fi
	vm_say "$VM_FAILS of $((VM_FAILS + VM_PASSES)) checks failed"
	exit 1
}
