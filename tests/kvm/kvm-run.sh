#!/bin/bash
# kvm-run.sh - runs the suites that need KVM, on this machine's /dev/kvm
# when it can run our test guest, else inside the nested outer host.
#
#   tests/kvm/kvm-run.sh NAME=COMMAND [NAME=COMMAND...]
#
# Each COMMAND is a shell command line run from the top of the work tree
# (a test script with its environment).  The mode is chosen once and
# printed once, loudly:
#
#   KVM: host /dev/kvm ...                 the commands run here, one by one
#   KVM: nested outer host (QEMU TCG + kvm-amd), ...
#                                          one outer host runs them all
#
# Nested: the Debian kernel boots under QEMU TCG with -cpu max (an
# emulated CPU with SVM), loads kvm-amd and so has a real /dev/kvm; QEMU
# exports this machine's root read-only over 9p and each command runs
# chrooted there, with the same scripts, programs and Debian packages
# (tests/linux/run-nested.sh with KVMJOB, tests/linux/outer-init.sh).
# Its output comes back on the outer console, prefixed "[nested] ".
#
# Environment:
#   VSWITCH_KVM   auto (default): host if /dev/kvm exists and boots the test
#                 guest, else nested; 'host' or 'nested' force a mode
#   VMM, GUEST    the VMM and the test guest (the probe boots them)
#   BUILD         build directory (build); LINUX_KVER: the Debian kernel
#                 (from tests/linux/linux.mk) for the nested host
#   KVM_TIMEOUT   seconds for one outer host run (default 120 + 150 per
#                 command: the five check-kvm suites take about 150 s
#                 nested, 270 s under ASan, so a hang cannot eat CI's hour)
#
# Exits 0 only if every command exited 0.  Never turns a machine that
# cannot run them into a pass: a failed probe with VSWITCH_KVM=host, a
# missing QEMU or kernel, an outer host that died all fail.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
BUILD=${BUILD:-build}
VMM=${VMM:-$BUILD/bin/vmm}
GUEST=${GUEST:-$BUILD/tests/guest/guest.elf}
MODE=${VSWITCH_KVM:-auto}

say() { echo "kvm-run: $*"; }

if [ $# -lt 1 ]; then
	echo "usage: $0 NAME=COMMAND [NAME=COMMAND...]" >&2
	exit 2
fi
names=()
cmds=()
for a in "$@"; do
	case "$a" in
	*=*) names+=("${a%%=*}"); cmds+=("${a#*=}") ;;
	*) echo "kvm-run: '$a' is not NAME=COMMAND" >&2; exit 2 ;;
	esac
	case "${a%%=*}" in
	*[!a-z0-9-]* | '') echo "kvm-run: bad suite name '${a%%=*}'" >&2; exit 2 ;;
	esac
done
cd "$TOP" || exit 1

# probe: can this machine's /dev/kvm run the test guest?  Sets WHY.
probe() {
	local out st
	if [ ! -c /dev/kvm ]; then
		WHY="no /dev/kvm here"
		return 1
	fi
	if [ ! -x "$VMM" ] || [ ! -f "$GUEST" ]; then
		WHY="no $VMM or $GUEST to probe /dev/kvm with (make)"
		return 1
	fi
	out=$(timeout 20 "$VMM" run --kernel "$GUEST" --mem 32M </dev/null 2>&1)
	st=$?
	if [ $st = 0 ] && echo "$out" | grep -q 'guest: all tests passed'; then
		WHY="it boots the test guest"
		return 0
	fi
	WHY="/dev/kvm here cannot run the test guest (status $st: $(echo "$out" |
		tr -d '\r' | grep -v '^$' | tail -1))"
	return 1
}

case "$MODE" in
auto)
	if probe; then MODE=host; else MODE=nested; fi
	;;
host)
	if ! probe; then
		say "FAIL: VSWITCH_KVM=host but $WHY; ${names[*]} DID NOT RUN"
		exit 1
	fi
	WHY="$WHY; forced by VSWITCH_KVM=host"
	;;
nested)
	probe >/dev/null
	WHY="forced by VSWITCH_KVM=nested ($WHY)"
	;;
*)
	echo "kvm-run: VSWITCH_KVM=$MODE: want auto, host or nested" >&2
	exit 2
	;;
esac

start=$(date +%s)
elapsed() { echo "$(($(date +%s) - start)) s"; }

if [ "$MODE" = host ]; then
	echo "KVM: host /dev/kvm ($WHY)"
	fails=0
	for i in "${!names[@]}"; do
		echo "--- ${names[$i]} (KVM: host /dev/kvm)"
		if bash -c "${cmds[$i]}"; then
			say "PASS: ${names[$i]}"
		else
			say "FAIL: ${names[$i]}"
			fails=$((fails + 1))
		fi
	done
	say "host mode: ${#names[@]} suite(s), $fails failed, $(elapsed)"
	[ $fails = 0 ]
	exit
fi

echo "KVM: nested outer host (QEMU TCG + kvm-amd), $WHY"
command -v qemu-system-x86_64 >/dev/null || {
	say "FAIL: qemu-system-x86_64 not installed (make deps); ${names[*]} DID NOT RUN"
	exit 1
}
[ -n "${LINUX_KVER:-}" ] || {
	say "FAIL: LINUX_KVER not set (run through make); ${names[*]} DID NOT RUN"
	exit 1
}
BUILD=$BUILD LINUX_KVER=$LINUX_KVER HOSTROOT_ONLY=1 \
	"$TOP/tests/linux/prepare.sh" || {
	say "FAIL: could not prepare the outer host; ${names[*]} DID NOT RUN"
	exit 1
}

# One script per command, read by the outer host through its 9p view of
# this machine's root (so under the same absolute path).
JOB=$(cd "$BUILD" && pwd)/kvm-job
rm -rf "$JOB"
mkdir -p "$JOB"
scen=
for i in "${!names[@]}"; do
	{
		echo "# ${names[$i]}: run by tests/kvm/kvm-run.sh in the nested host"
		printf 'cd %q || exit 1\n' "$TOP"
		for v in CI VM_KEEP VSWITCH_PCAP_CORPUS; do
			[ -n "${!v:-}" ] && printf 'export %s=%q\n' "$v" "${!v}"
		done
		echo "${cmds[$i]}"
	} >"$JOB/${names[$i]}.sh"
	scen="$scen,suite.${names[$i]}"
done
scen=${scen#,}

KVMJOB=$JOB KVMTREE=$TOP BUILD=$BUILD OUTER_MEM=${OUTER_MEM:-4G} \
	TIMEOUT=${KVM_TIMEOUT:-$((120 + 150 * ${#names[@]}))} \
	"$TOP/tests/linux/run-nested.sh" "$scen"
st=$?
say "nested mode: ${#names[@]} suite(s), $(elapsed) (outer boot included)"
exit $st
