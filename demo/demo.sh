#!/bin/bash
# demo.sh - the README's main job ('make demo', as root): the namespace
# half (demo/netns-demo.sh: three hosts, spanning tree, pings), then the VM
# half (demo/vm-demo.sh: a VM on a vswitchd bridge pinged by a host), each
# timed.  The VM half runs through tests/kvm/kvm-run.sh: on this machine's
# /dev/kvm when it can run the test guest, else inside the nested outer
# host (QEMU TCG + kvm-amd), and says which.  Exits non-zero, with the
# reason on the terminal, if any step of either half fails.
#
#   BUILD=build LINUX_KVER=6.1.0-NN-amd64 [DEMO_GUEST=FILE] demo/demo.sh
set -u
cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}
now() { date +%s.%N; }
took() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }

t=$(now)
if ! bash demo/netns-demo.sh "$BUILD"; then
	echo "demo: the namespace half FAILED (after $(took "$t"))" >&2
	exit 1
fi
ns_time=$(took "$t")
echo "demo: the namespace half took $ns_time"

log=$(mktemp /tmp/demo-kvm.XXXXXX)
trap 'rm -f "$log"' EXIT
t=$(now)
suite="vm-demo=DEMO_GUEST=$(printf %q "${DEMO_GUEST:-}") bash demo/vm-demo.sh $(printf %q "$BUILD")"
BUILD=$BUILD tests/kvm/kvm-run.sh "$suite" 2>&1 | tee "$log"
st=${PIPESTATUS[0]}
mode=$(grep -m1 '^KVM:' "$log" | sed 's/^KVM: //; s/ (.*//; s/,.*//')
if [ "$st" != 0 ]; then
	echo "demo: the VM half FAILED (after $(took "$t"), KVM: ${mode:-none})" >&2
	exit 1
fi
echo "demo: the namespace half took $ns_time; the VM half took $(took "$t")" \
	"(KVM: $mode)"
