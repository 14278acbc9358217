#!/bin/bash
# qemu-frontend.sh - QEMU as a third-party vhost-user front-end of vswitchd,
# directly on this machine (TCG, no /dev/kvm needed): the stock Debian
# guest (tests/linux/prepare.sh) pings a namespace host through the switch.
#
#   BUILD=build VSWITCHD=build/bin/vswitchd tests/linux/qemu-frontend.sh
#
# vswitchd: bridge lxbr0 with a vhost-user port lxvm0 (vswitchd is the
# socket server) and a TAP port lxh1 that is moved into namespace lxns1
# with 10.0.9.1/24.  QEMU: guest RAM in a shared memfd, virtio-net-pci on
# the vhost-user socket; the guest takes 10.0.9.2/24 and pings 10.0.9.1.
# The NIC has no MSI-X (vectors=0, legacy INTx): QEMU 7.2 under TCG
# crashes (SIGSEGV in msix_set_vector_notifiers, from vhost_net_start) when
# a vhost-user virtio-net-pci with MSI-X is started; it does the same with
# DPDK testpmd as the back-end, so it is QEMU's, not the switch's.
# Everything created is named lx*, and removed on exit, also on failure.
# Without root, QEMU, or vhost-user ports in vswitchd the test FAILS.
set -u

BUILD=${BUILD:-build}
VSWITCHD=${VSWITCHD:-$BUILD/bin/vswitchd}
OUT=$BUILD/linux
QEMU=${QEMU:-qemu-system-x86_64}
TIMEOUT=${TIMEOUT:-180}
NS=lxns1
TMP=
SW_PID=
VM_PID=

say() { echo "qemu-frontend: $*"; }
fail() { say "FAIL: $*"; exit 1; }

cleanup() {
	for p in $VM_PID $SW_PID; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	ip netns del $NS 2>/dev/null
	ip link del lxh1 2>/dev/null
	ip link del lxbr0 2>/dev/null
	[ -n "$TMP" ] && [ -z "${LX_KEEP:-}" ] && rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 2' INT TERM

[ "$(id -u)" = 0 ] || fail "needs root (TAP, namespace); did not run"
command -v "$QEMU" >/dev/null || fail "$QEMU not installed (make deps); did not run"
command -v ip >/dev/null || fail "ip not found (make deps); did not run"
[ -x "$VSWITCHD" ] || fail "no vswitchd at '$VSWITCHD'; did not run"
for f in vmlinuz guest-initrd.cpio; do
	[ -s "$OUT/$f" ] || fail "no $OUT/$f (run tests/linux/prepare.sh); did not run"
done
cleanup
TMP=$(mktemp -d /tmp/lxqemu.XXXXXX)
SOCK=$TMP/vm0.sock

cat >"$TMP/setup" <<EOF
bridge add lxbr0
port add lxbr0 lxh1 type tap
port add lxbr0 lxvm0 type vhost-user path $SOCK server
EOF
"$VSWITCHD" --script "$TMP/setup" --test-mode --no-config \
	--socket "$TMP/ctl.sock" >"$TMP/vswitchd.log" 2>&1 &
SW_PID=$!
for _ in $(seq 50); do
	grep -q "vswitchd started" "$TMP/vswitchd.log" && [ -S "$SOCK" ] && break
	kill -0 $SW_PID 2>/dev/null || break
	sleep 0.1
done
if ! [ -S "$SOCK" ]; then
	sed 's/^/    ! /' "$TMP/vswitchd.log" | tail -15
	if grep -qi 'vhost-user' "$TMP/vswitchd.log" &&
	   grep -qi 'unknown\|not supported\|invalid' "$TMP/vswitchd.log"; then
		fail "this vswitchd has no vhost-user port type yet; did not run"
	fi
	fail "vswitchd did not start with a vhost-user port (no socket $SOCK)"
fi

ip netns add $NS
ip link set lxh1 netns $NS
ip -n $NS addr add 10.0.9.1/24 dev lxh1
ip -n $NS link set lxh1 up
ip -n $NS link set lo up

say "booting the Debian guest in QEMU (TCG) on vhost-user $SOCK"
LOG=$TMP/guest.log
start=$(date +%s.%N)
timeout -k 5 "$TIMEOUT" "$QEMU" -accel tcg -cpu max -m 512 \
	-object memory-backend-memfd,id=mem,size=512M,share=on \
	-numa node,memdev=mem \
	-chardev "socket,id=c0,path=$SOCK" \
	-netdev vhost-user,id=n0,chardev=c0 \
	-device virtio-net-pci,netdev=n0,mac=52:54:00:6c:78:02,vectors=0 \
	-display none -nodefaults -no-user-config -no-reboot \
	-serial "file:$LOG" -kernel "$OUT/vmlinuz" -initrd "$OUT/guest-initrd.cpio" \
	-append "console=ttyS0 reboot=k panic=-1 quiet gtest=ping gip=10.0.9.2/24 gpeer=10.0.9.1" \
	</dev/null >"$TMP/qemu.err" 2>&1 &
VM_PID=$!
wait $VM_PID
st=$?
VM_PID=
end=$(date +%s.%N)
tr -d '\r' <"$LOG" >"$LOG.n" && mv "$LOG.n" "$LOG"
secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
res=$(grep '^GUEST-TEST' "$LOG" | head -1)
case "$res" in
*" PASS"*)
	say "PASS: ${res#GUEST-TEST } (guest ran ${secs} s)"
	exit 0
	;;
esac
say "--- guest console ---"
tail -n 30 "$LOG" | sed 's/^/    | /'
sed 's/^/    ! /' "$TMP/qemu.err" | tail -10
say "--- vswitchd log ---"
tail -n 15 "$TMP/vswitchd.log" | sed 's/^/    ! /'
[ $st = 124 ] && fail "QEMU timed out after ${TIMEOUT}s"
fail "${res:-no result line from the guest} (QEMU exit status $st)"
