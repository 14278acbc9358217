#!/bin/bash
# run-nested.sh - boots the outer host (stock Debian kernel under QEMU TCG,
# -cpu max, so it has SVM and kvm-amd gives it a real /dev/kvm) and runs
# scenarios of tests/linux/scenarios.sh inside it.
#
#   BUILD=build tests/linux/run-nested.sh SCENARIO[,SCENARIO...] [outer.VAR=VALUE...]
#
# Scenarios: qemu-yardstick qemu-ping ours-boot ours-ping ours-ping-vhost
# ours-smp bench bench-tcp-ours@N bench-tcp-qemu@N (tests/linux/bench-tcp.sh).
# Extra arguments go on the outer kernel command line (see scenarios.sh for
# the variables).  Needs tests/linux/prepare.sh to have run.  The outer
# console is copied to $BUILD/linux/nested-<scenarios>.log; this script
# prints the result lines and fails unless every scenario passed.  If the
# outer kernel panics (its CPU is emulated, see the retry below), the
# scenarios it left unfinished run once more in a new outer host.
# Environment: OUTER_MEM (3G), OUTER_CPUS (2), TIMEOUT (seconds, 900),
# IDLE (seconds without console output that count as a hang, 120),
# RETRIES (new outer hosts for scenarios an outer-host failure cut short, 2).
#
# With KVMJOB=DIR (absolute; and KVMTREE=the work tree), the outer host is the small host-root one
# (outer-hostroot.cpio): QEMU exports this machine's root read-only over
# 9p, and scenario "suite.NAME" runs DIR/NAME.sh chrooted there (see
# outer-init.sh and tests/kvm/kvm-run.sh); its output is shown with a
# "[nested] " prefix.
set -u

BUILD=${BUILD:-build}
OUT=$BUILD/linux
OUTER_MEM=${OUTER_MEM:-3G}
OUTER_CPUS=${OUTER_CPUS:-2}
TIMEOUT=${TIMEOUT:-900}
IDLE=${IDLE:-120}
RETRIES=${RETRIES:-2}
QEMU=${QEMU:-qemu-system-x86_64}

say() { echo "linux/nested: $*"; }

if [ $# -lt 1 ]; then
	echo "usage: $0 SCENARIO[,SCENARIO...] [outer.VAR=VALUE...]" >&2
	exit 2
fi
scen=$1
shift
INITRD=outer-initrd.cpio
FS_ARGS=()
if [ -n "${KVMJOB:-}" ]; then
	INITRD=outer-hostroot.cpio
	FS_ARGS=(-fsdev local,id=hostroot,path=/,security_model=none,readonly=on
		 -device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot)
fi
for f in vmlinuz "$INITRD"; do
	if [ ! -s "$OUT/$f" ]; then
		say "FAIL: no $OUT/$f (run tests/linux/prepare.sh); did not run"
		exit 1
	fi
done
if ! command -v "$QEMU" >/dev/null; then
	say "FAIL: $QEMU not installed (make deps); did not run"
	exit 1
fi

# run_outer SCENARIOS LOG: one boot of the outer host; its console goes to
# LOG, result lines to stdout.  Returns QEMU's exit status.
# watchdog LOG PIDFILE MARK: kills the outer host's QEMU (pid in PIDFILE)
# when LOG has not grown for $IDLE seconds, and leaves MARK behind.  Every
# scenario and suite prints a line per check, so such a silence is a hung
# outer host (seen once: the emulated CPU spun for 11 minutes in the first
# boot test of a run, with another two nested QEMUs loading the machine).
# The outer kernel's own stall reports (soft lockup, RCU stall: every
# ~30 s while a CPU spins in the kernel, seen under KVM_RUN in a CI-style
# run that then ran into the overall timeout) are not progress.
watchdog() {
	local last=-1 size idle=0 pid
	while sleep 10; do
		[ -s "$2" ] || continue
		pid=$(cat "$2")
		kill -0 "$pid" 2>/dev/null || return 0
		size=$(grep -v -E 'soft lockup|rcu: |rcu_preempt|RCU grace-period' \
			"$1" 2>/dev/null | wc -c)
		if [ "$size" = "$last" ]; then
			idle=$((idle + 10))
		else
			idle=0
			last=$size
		fi
		if [ "$idle" -ge "$IDLE" ]; then
			: >"$3"
			kill "$pid"
			return 0
		fi
	done
}

run_outer() {
	local st wd
	say "outer host: TCG -cpu max, $OUTER_CPUS cpus, $OUTER_MEM; scenarios $1"
	say "console log: $2"
	rm -f "$2.pid" "$2.hung"
	watchdog "$2" "$2.pid" "$2.hung" &
	wd=$!
	# The outer CPU is emulated: multi-threaded TCG, a thread per vCPU.
	timeout --foreground -k 10 "$TIMEOUT" \
		"$QEMU" -accel tcg,thread=multi -cpu max -smp "$OUTER_CPUS" \
		-m "$OUTER_MEM" -machine pc -display none -nodefaults \
		-no-user-config -no-reboot -serial stdio -monitor none -nic none \
		-pidfile "$2.pid" "${FS_ARGS[@]}" \
		-kernel "$OUT/vmlinuz" -initrd "$OUT/$INITRD" \
		-append "console=ttyS0 quiet panic=-1 scenarios=$1 $EXTRA" \
		</dev/null 2>&1 | stdbuf -oL tr -d '\r' | tee "$2" |
		grep --line-buffered -E '^(OUTER|GUEST-TEST|KVM\| |    [|!])' |
		sed -u 's/^KVM| /[nested] /'
	st=${PIPESTATUS[0]}
	kill "$wd" 2>/dev/null
	wait "$wd" 2>/dev/null
	rm -f "$2.pid"
	return "$st"
}

# unfinished SCENARIOS LOG: the scenarios LOG has no result line for.
unfinished() {
	local s left=''
	for s in ${1//,/ }; do
		grep -q "^OUTER-RESULT $s \(PASS\|FAIL\)" "$2" || left="$left,$s"
	done
	echo "${left#,}"
}

EXTRA="$*${KVMJOB:+ kvmjob=$KVMJOB}${KVMTREE:+ kvmtree=$KVMTREE}"
log=$OUT/nested-${scen//,/+}.log
start=$(date +%s.%N)
# The emulated outer CPU's SVM now and then corrupts the outer kernel's own
# state (seen: a stack-guard oops in exc_page_fault under KVM_RUN, then a
# panic), resets the outer machine with no message at all (seen once in a
# CI-style run: QEMU exited 0, -no-reboot, 40 s into ours-ping), or spins
# without a word (seen in about one outer boot in four in the last runs,
# in any suite).  When one of these ends an outer host before OUTER-DONE,
# the scenarios it did not finish run again in a fresh outer host, at most
# $RETRIES times, and the run says so.  A scenario that printed FAIL is
# never re-run, and the overall timeout is not retried.
attempt=0
try=$log
: >"$log"
while :; do
	run_outer "${left:-$scen}" "$try"
	st=$?
	finished=$(grep -c '^OUTER-DONE' "$try")
	why=
	if [ -e "$try.hung" ]; then
		why="the outer host printed nothing but stall reports for $IDLE s (hung) and was stopped"
	elif grep -q 'Kernel panic' "$try"; then
		why="the outer host's kernel panicked ($(grep -m1 -E 'BUG:|Oops|Kernel panic' "$try" |
			sed 's/^\[ *[0-9.]*\] //'))"
	elif [ "$st" = 0 ] && [ "$finished" = 0 ]; then
		why="the outer machine reset itself without a message (QEMU exited 0 before OUTER-DONE)"
	fi
	if [ "$try" != "$log" ]; then
		cat "$try" >>"$log"
		rm -f "$try" "$try.hung"
	fi
	rm -f "$log.hung"
	left=$(unfinished "$scen" "$log")
	[ -n "$left" ] && [ -n "$why" ] && [ "$attempt" -lt "$RETRIES" ] || break
	attempt=$((attempt + 1))
	say "RETRY $attempt of $RETRIES: $why; running $left again in a new outer host"
	try=$log.retry
done
end=$(date +%s.%N)
say "outer run took $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }') s" \
	"(QEMU exit status $st)"

fails=0
for s in ${scen//,/ }; do
	if grep -q "^OUTER-RESULT $s PASS" "$log"; then
		say "PASS: $s"
	elif grep -q "^OUTER-RESULT $s FAIL" "$log"; then
		say "FAIL: $s"
		fails=$((fails + 1))
	else
		say "FAIL: $s: no result (outer host did not finish; see $log)"
		fails=$((fails + 1))
	fi
done
if [ "$finished" = 0 ]; then
	say "FAIL: the outer host did not finish (it panicked, or ran into the ${TIMEOUT} s timeout)"
	fails=$((fails + 1))
fi
if [ $fails = 0 ]; then
	say "all scenarios passed"
	exit 0
fi
say "$fails failure(s)"
exit 1
