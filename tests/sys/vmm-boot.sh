#!/bin/sh
# vmm-boot.sh - boots the test guest under the VMM (needs /dev/kvm) and
# checks what it prints and how the VMM exits.
#
#   VMM=build/bin/vmm GUEST=build/tests/guest/guest.elf sh tests/sys/vmm-boot.sh
#
# Every run has a timeout; a test that cannot run (no /dev/kvm) fails
# loudly rather than being skipped.
VMM=${VMM:-build/bin/vmm}
GUEST=${GUEST:-build/tests/guest/guest.elf}
TMP=$(mktemp -d /tmp/vmm-boot.XXXXXX)
trap 'rm -rf "$TMP"' EXIT INT TERM
pass=0
fail=0

ok() { pass=$((pass + 1)); echo "PASS: $1"; }
bad() { fail=$((fail + 1)); echo "FAIL: $1"; [ -f "$TMP/out" ] && sed 's/^/    | /' "$TMP/out" | tail -40; [ -f "$TMP/err" ] && sed 's/^/    ! /' "$TMP/err" | tail -10; }

# run NAME EXPECTED_STATUS ARGS... : runs the VMM, output in $TMP/out.
run() {
	name=$1 want=$2
	shift 2
	timeout 20 "$VMM" run --kernel "$GUEST" "$@" </dev/null >"$TMP/out" 2>"$TMP/err"
	st=$?
	tr -d '\r' <"$TMP/out" >"$TMP/out.n" && mv "$TMP/out.n" "$TMP/out"
	if [ "$st" != "$want" ]; then
		bad "$name: exit status $st, want $want"
		return 1
	fi
	return 0
}

# expect NAME LINE... : every LINE must appear as a whole line of output.
expect() {
	name=$1
	shift
	for l in "$@"; do
		if ! grep -qxF -- "$l" "$TMP/out"; then
			bad "$name: missing line '$l'"
			return 1
		fi
	done
	if grep -q 'FAIL' "$TMP/out"; then
		bad "$name: guest reported a failure"
		return 1
	fi
	ok "$name"
}

if [ ! -c /dev/kvm ]; then
	echo "FAIL: /dev/kvm is missing: the VMM boot tests DID NOT RUN (make check-vmm-boot runs them in the nested outer host: tests/kvm/kvm-run.sh)"
	exit 1
fi

run "boot with virtio-net" 0 --mem 64M --cpus 2 --net null \
	--mac 52:54:00:12:34:56 \
	--cmdline "console=ttyS0 test=1" &&
expect "boot with virtio-net" \
	"guest: ready" \
	"guest: cmdline 'console=ttyS0 test=1'" \
	"guest: e820 0x0-0x9fbff type 1" \
	"guest: e820 0x9fc00-0xfffff type 2" \
	"guest: e820 0x100000-0x3ffffff type 1" \
	"guest: mtrr def_type 0x806" \
	"pci: 00:00.0 8086:0d57 class 060000" \
	"pci: 00:01.0 1af4:1041 class 020000" \
	"pci: 00:01.0 bar0 0xc0000000 size 0x4000" \
	"pci: 00:01.0 bar2 0xc0004000 size 0x1000" \
	"virtio: cap common bar0+0x0 len 0x38" \
	"virtio: cap notify bar0+0x3000 len 0x8" \
	"virtio: cap isr bar0+0x1000 len 0x1" \
	"virtio: cap device bar0+0x2000 len 0xa" \
	"virtio: cap msix vectors 3 table bar2+0x0 pba bar2+0x800" \
	"virtio: features ok 0x100010020" \
	"virtio: status 0xf driver ok" \
	"virtio-net: mac 52:54:00:12:34:56 link down" \
	"virtio-net: msix interrupt vector 0x40 received, used idx 1, isr 0x1" \
	"virtio-net: masked vector pending in pba" \
	"virtio-net: pending interrupt delivered on unmask, used idx 2" \
	"guest: all tests passed"

run "no NIC" 0 --mem 32M &&
expect "no NIC" "pci: 00:00.0 8086:0d57 class 060000" \
	"guest: no virtio-net device" "guest: all tests passed" &&
if grep -q '00:01.0' "$TMP/out"; then bad "no NIC: a device at 00:01.0"; fi

run "MAC option" 0 --mem 32M --net null,mac=02:00:00:aa:bb:0c &&
expect "MAC option" "virtio-net: mac 02:00:00:aa:bb:0c link down"

run "RAM above the PCI hole" 0 --mem 4G --ksm &&
expect "RAM above the PCI hole" "guest: e820 0x100000-0xbfffffff type 1" \
	"guest: e820 0x100000000-0x13fffffff type 1" "guest: all tests passed"

if run "serial to a file" 0 --mem 32M --serial "$TMP/serial.log"; then
	if [ -s "$TMP/out" ]; then
		bad "serial to a file: guest output on stdout"
	elif grep -q 'guest: all tests passed' "$TMP/serial.log"; then
		ok "serial to a file"
	else
		bad "serial to a file: log lacks the guest's lines"
	fi
fi

printf 'hello vmm\n' | timeout 20 "$VMM" run --kernel "$GUEST" --mem 32M \
	--cmdline echo >"$TMP/out" 2>"$TMP/err"
st=$?
tr -d '\r' <"$TMP/out" >"$TMP/out.n" && mv "$TMP/out.n" "$TMP/out"
if [ $st = 0 ] && grep -qxF "guest: serial input 'hello vmm'" "$TMP/out"; then
	ok "serial input"
else
	bad "serial input (status $st)"
fi

run "triple fault" 3 --mem 32M --cmdline triplefault &&
expect "triple fault" "guest: triple fault now"

timeout 20 "$VMM" run --kernel "$GUEST" --mem 32M --net null \
	--cmdline hold </dev/null >"$TMP/out" 2>"$TMP/err" &
pid=$!
i=0
while [ $i -lt 100 ] && ! grep -q 'guest: holding' "$TMP/out"; do
	sleep 0.1
	i=$((i + 1))
done
kill -TERM $pid
wait $pid
st=$?
if [ $st = 143 ] && grep -q 'guest: holding' "$TMP/out"; then
	ok "SIGTERM ends the VMM with 143"
else
	bad "SIGTERM: status $st"
fi

# On a terminal: raw mode, and Ctrl-A x quits with 130 (a pty stands in).
if python3 - "$VMM" "$GUEST" <<'PYEOF'
import os, pty, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], ["vmm", "run", "--kernel", sys.argv[2],
                           "--mem", "32M", "--cmdline", "hold"])
out, t = b"", time.time()
while b"guest: holding" not in out and time.time() - t < 15:
    try:
        out += os.read(fd, 4096)
    except OSError:
        break
os.write(fd, b"\x01x")
for _ in range(100):
    done, st = os.waitpid(pid, os.WNOHANG)
    if done:
        break
    time.sleep(0.1)
else:
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    sys.exit(1)
sys.exit(0 if os.WIFEXITED(st) and os.WEXITSTATUS(st) == 130 else 1)
PYEOF
then
	ok "terminal: Ctrl-A x quits with 130"
else
	bad "terminal: Ctrl-A x"
fi

echo "vmm-boot: $pass passed, $fail failed"
[ $fail = 0 ]
