#!/bin/bash
# vm-sandbox.sh - the VMM's least privilege (issue 19, docs/security.md):
#   1. with --debug-forbidden-syscall the VMM calls execve once its
#      seccomp filter is on, and dies of SIGSYS (status 159);
#   2. the test guest runs unchanged under the filter;
#   3. a VM on a bridge of vswitchd, filter on, answers pings from a
#      namespace; /proc/PID/status shows Seccomp 2 and NoNewPrivs 1;
#      vswitchd's mappings of the guest's RAM have no x;
#   4. --user nobody: a VM (vhost-user server socket, vswitchd connects)
#      runs as uid 65534 after set-up and answers pings;
#   5. started directly as a non-root user (nobody, groups kvm) with only
#      /dev/kvm and its socket, a VM answers pings.
# Names are pv*; everything is removed on exit.
#
# Usage: tests/sys/vm-sandbox.sh   (VSWITCHD, BRIDGECTL, VMM, GUEST; root)
. "$(dirname "$0")/vm-lib.sh"
vm_init sandbox
VM_BRIDGE=pvbr0
KVM_MODE_SAVED=

restore_kvm() {
	[ -n "$KVM_MODE_SAVED" ] || return 0
	chown "${KVM_MODE_SAVED% *}" /dev/kvm
	chmod "${KVM_MODE_SAVED#* }" /dev/kvm
}
trap 'restore_kvm; vm_cleanup' EXIT

# The VMM under a VM's 'timeout' (vm_start's pid is timeout's).
vmm_pid() {
	local t
	eval "t=\$VM_PID_$1"
	pgrep -P "$t" -x vmm | head -1
}

# proc_field PID FIELD: a line of /proc/PID/status, value only.
proc_field() { awk -v f="$2:" '$1 == f { $1 = ""; sub(/^ /, ""); print }' \
	"/proc/$1/status"; }

# pings NS IP: 3 of 3 echo replies, after up to 3 s for the path to come
# up (the namespace's TAP was just moved and set up).
pings() {
	for _ in 1 2 3; do
		ip netns exec "$1" ping -n -c 1 -W 1 "$2" >/dev/null 2>&1 && break
	done
	ip netns exec "$1" ping -n -c 3 -i 0.2 -W 2 "$2"
}

# 1. the forbidden call
timeout 20 "$VMM" run --kernel "$GUEST" --mem 32M --debug-forbidden-syscall \
	</dev/null >"$VM_T/forbidden.out" 2>"$VM_T/forbidden.err"
st=$?
if [ $st = 159 ] && grep -q 'debug-forbidden-syscall: calling execve' \
	"$VM_T/forbidden.err"; then
	vm_pass "execve under the filter killed the VMM with SIGSYS (status $st)"
else
	vm_fail "--debug-forbidden-syscall: status $st (want 159 = SIGSYS): $(tail -2 "$VM_T/forbidden.err")"
fi
timeout 20 "$VMM" run --kernel "$GUEST" --mem 32M --no-seccomp \
	--debug-forbidden-syscall </dev/null >/dev/null 2>&1
st=$?
[ $st = 2 ] && vm_pass "--debug-forbidden-syscall with --no-seccomp is refused (2)" ||
	vm_fail "--debug-forbidden-syscall --no-seccomp: status $st (want 2)"

# 2. the test guest under the filter
timeout 20 "$VMM" run --kernel "$GUEST" --mem 32M --net null -v </dev/null \
	>"$VM_T/guest.out" 2>"$VM_T/guest.err"
st=$?
SC_WANT=2
if grep -q 'sanitizer build: no system call filter' "$VM_T/guest.err"; then
	# SANITIZE=1: the filter is on only for the test hook (vmm(1)).
	SC_WANT=0
	vm_say "NOTE: sanitizer build: the VMs below run WITHOUT the filter"
fi
if [ $st = 0 ] && grep -q 'guest: all tests passed' "$VM_T/guest.out" &&
   grep -qE 'seccomp filter on|sanitizer build: no system' "$VM_T/guest.err"; then
	vm_pass "the test guest passes under the filter ($(grep -o 'seccomp filter on.*' "$VM_T/guest.err"))"
else
	vm_fail "test guest under the filter: status $st: $(tail -2 "$VM_T/guest.out")"
fi

# 3. a VM on a bridge, vswitchd with its capabilities dropped
VM_SW_ARGS="--caps netns"
vm_switch_start
vm_say "vswitchd --caps netns: CapEff $(proc_field "$VM_SW_PID" CapEff)"
ctl link add pvbr0 type bridge >/dev/null || vm_die "bridge"
ctl link set pvbr0 up >/dev/null
vm_ns_tap pvns1 pvbr0 pvtap1 10.251.9.1/24
vm_start pvvm1 02:00:00:00:09:01 "ip=10.251.9.11"
pid=$(vmm_pid pvvm1)
sc=$(proc_field "$pid" Seccomp)
nnp=$(proc_field "$pid" NoNewPrivs)
vm_say "VMM pid $pid: Seccomp $sc, NoNewPrivs $nnp, Seccomp_filters $(proc_field "$pid" Seccomp_filters)"
if [ "$sc" = "$SC_WANT" ] && [ "$nnp" = 1 ]; then
	vm_pass "the VM on pvbr0 runs with Seccomp $sc and no_new_privs"
else
	vm_fail "VM on pvbr0: Seccomp '$sc' NoNewPrivs '$nnp' (want $SC_WANT and 1)"
fi
if pings pvns1 10.251.9.11 >"$VM_T/ping1.log" 2>&1; then
	vm_pass "namespace -> filtered VM on pvbr0: 3 of 3 echo replies"
else
	vm_fail "namespace -> filtered VM: $(tail -2 "$VM_T/ping1.log" | head -1)"
fi
# Guest RAM as vswitchd mapped it (vhost-user SET_MEM_TABLE): never x.
ram=$(grep 'memfd:vmm-guest-ram' "/proc/$VM_SW_PID/maps")
vm_say "vswitchd's mappings of the guest's RAM: $(echo "$ram" | awk '{print $2}' | sort | uniq -c | tr -s ' \n' ' ')"
if [ -n "$ram" ] && ! echo "$ram" | awk '{print $2}' | grep -q x; then
	vm_pass "vswitchd maps the guest's RAM without execute permission"
else
	vm_fail "guest RAM in vswitchd's maps: '${ram:-none}'"
fi
vm_stop pvvm1

# nobody_vm N WHAT DIR [PREFIX...]: VM pvvmN (10.251.9.1N) run as nobody,
# by PREFIX or --user, listening on DIR/pvvmN.sock for vswitchd (port
# pvvmNp, a client); checks its uid and that it answers pings; stops it.
nobody_vm() {
	local n=$1 what=$2 dir=$3 sock pid uid user=(--user nobody)
	shift 3
	[ $# -gt 0 ] && user=()
	sock=$dir/pvvm$n.sock
	timeout -s TERM 120 "$@" "$VMM" run --kernel "$GUEST" --mem 32M \
		--name "pvvm$n" --mac "02:00:00:00:09:0$n" \
		--cmdline "ip=10.251.9.1$n" "${user[@]}" \
		--net "vhost-user:$sock,server" --serial "$dir/pvvm$n.out" \
		>"$VM_T/pvvm$n.log" 2>&1 &
	VM_PIDS="$VM_PIDS $!"
	eval "VM_PID_pvvm$n=$!"
	[ "$dir" = "$VM_T" ] || ln -s "$dir/pvvm$n.out" "$VM_T/pvvm$n.out"
	for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
	ctl port add pvbr0 "pvvm${n}p" type vhost-user socket "$sock" \
		mode client >/dev/null || vm_fail "port add pvvm${n}p ($sock)"
	vm_wait_out "pvvm$n" "guest: net mode" 15 ||
		vm_fail "VM pvvm$n ($what) did not reach its network mode: $(tail -2 "$VM_T/pvvm$n.log")"
	pid=$(vmm_pid "pvvm$n")
	uid=$(proc_field "$pid" Uid)
	vm_say "$what: VMM pid $pid: Uid $uid, Seccomp $(proc_field "$pid" Seccomp)"
	if [ "$uid" = "65534 65534 65534 65534" ] &&
	   pings pvns1 "10.251.9.1$n" >"$VM_T/ping$n.log" 2>&1; then
		vm_pass "$what: the VM runs as uid 65534 and answers 3 of 3 pings"
	else
		vm_fail "$what: Uid '$uid', ping: $(tail -2 "$VM_T/ping$n.log" | head -1)"
	fi
	vm_stop "pvvm$n"
	ctl port del "pvvm${n}p" >/dev/null 2>&1
}

# 4. --user nobody, over a vhost-user socket the VMM listens on
nobody_vm 2 "--user nobody" "$VM_T"

# 5. started as nobody with groups kvm: only /dev/kvm and its own socket.
# The nested outer host's /dev/kvm is root:root 0600 (no udev): it gets
# the host's usual root:kvm 0660 for the test, restored on exit.
if [ "$(stat -c '%U:%G %a' /dev/kvm)" = "root:root 600" ]; then
	KVM_MODE_SAVED="root:root 600"
	vm_say "NOTE: /dev/kvm is root:root 600 here: root:kvm 660 for this test"
	chown root:kvm /dev/kvm && chmod 660 /dev/kvm
fi
chmod 755 "$VM_T"	# nobody passes through to its own directory
mkdir "$VM_T/pvuser" && chown nobody "$VM_T/pvuser"
# umask 0: vswitchd, uid 0 but without CAP_DAC_OVERRIDE (--caps), must
# be able to connect to the socket nobody creates.
nobody_vm 3 "started by nobody (groups kvm)" "$VM_T/pvuser" \
	sh -c 'umask 0; exec "$@"' sh \
	setpriv --reuid=nobody --regid=nogroup --groups=kvm

vm_finish
