#!/bin/bash
# run-nested.sh - boots the outer host (stock Debian kernel under QEMU TCG,
# -cpu max, so it has SVM and kvm-amd gives it a real /dev/kvm) and runs
# scenarios of tests/linux/scenarios.sh inside it.
#
#   BUILD=build tests/linux/run-nested.sh SCENARIO[,SCENARIO...] [outer.VAR=VALUE...]
#
# Scenarios: qemu-yardstick qemu-ping ours-boot ours-ping ours-smp bench.
# Extra arguments go on the outer kernel command line (see scenarios.sh for
# the variables).  Needs tests/linux/prepare.sh to have run.  The outer
# console is copied to $BUILD/linux/nested-<scenarios>.log; this script
# prints the result lines and fails unless every scenario passed.
# Environment: OUTER_MEM (3G), OUTER_CPUS (2), TIMEOUT (seconds, 900).
set -u

BUILD=${BUILD:-build}
OUT=$BUILD/linux
OUTER_MEM=${OUTER_MEM:-3G}
OUTER_CPUS=${OUTER_CPUS:-2}
TIMEOUT=${TIMEOUT:-900}
QEMU=${QEMU:-qemu-system-x86_64}

say() { echo "linux/nested: $*"; }

if [ $# -lt 1 ]; then
	echo "usage: $0 SCENARIO[,SCENARIO...] [outer.VAR=VALUE...]" >&2
	exit 2
fi
scen=$1
shift
for f in vmlinuz outer-initrd.cpio; do
	if [ ! -s "$OUT/$f" ]; then
		say "FAIL: no $OUT/$f (run tests/linux/prepare.sh); did not run"
		exit 1
	fi
done
if ! command -v "$QEMU" >/dev/null; then
	say "FAIL: $QEMU not installed (make deps); did not run"
	exit 1
fi

log=$OUT/nested-${scen//,/+}.log
say "outer host: TCG -cpu max, $OUTER_CPUS cpus, $OUTER_MEM; scenarios $scen"
say "console log: $log"
start=$(date +%s.%N)
# The outer CPU is emulated: multi-threaded TCG so each vCPU has a thread.
timeout --foreground -k 10 "$TIMEOUT" \
	"$QEMU" -accel tcg,thread=multi -cpu max -smp "$OUTER_CPUS" \
	-m "$OUTER_MEM" -machine pc -display none -nodefaults \
	-no-user-config -no-reboot -serial stdio -monitor none -nic none \
	-kernel "$OUT/vmlinuz" -initrd "$OUT/outer-initrd.cpio" \
	-append "console=ttyS0 quiet panic=-1 scenarios=$scen $*" \
	</dev/null 2>&1 | stdbuf -oL tr -d '\r' | tee "$log" |
	grep --line-buffered -E '^(OUTER|GUEST-TEST|    [|!])'
st=${PIPESTATUS[0]}
end=$(date +%s.%N)
say "outer run took $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }') s" \
	"(QEMU exit status $st)"

fails=0
for s in ${scen//,/ }; do
	if grep -q "^OUTER-RESULT $s PASS" "$log"; then
		:
	elif grep -q "^OUTER-RESULT $s FAIL" "$log"; then
		fails=$((fails + 1))
	else
		say "FAIL: $s: no result (outer host did not finish; see $log)"
		fails=$((fails + 1))
	fi
done
if ! grep -q '^OUTER-DONE' "$log"; then
	say "FAIL: the outer host did not finish (timeout ${TIMEOUT}s?)"
	fails=$((fails + 1))
fi
if [ $fails = 0 ]; then
	say "all scenarios passed"
	exit 0
fi
say "$fails failure(s)"
exit 1
