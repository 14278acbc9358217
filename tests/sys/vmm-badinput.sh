#!/bin/sh
# vmm-badinput.sh - the VMM must refuse bad input with a clear message
# and the documented status, never crash or hang.
#
#   BUILD=build VMM=build/bin/vmm GUEST=build/tests/guest/guest.elf \
#       sh tests/sys/vmm-badinput.sh
#
# Needs the Debian bzImage that 'make check-vmm' fetches into $BUILD.
BUILD=${BUILD:-build}
VMM=${VMM:-$BUILD/vmm}
GUEST=${GUEST:-$BUILD/tests/guest/guest.elf}
BZ=$BUILD/debian-kernel/vmlinuz
TMP=$(mktemp -d /tmp/vmm-bad.XXXXXX)
trap 'rm -rf "$TMP"' EXIT INT TERM
pass=0
fail=0

if [ ! -s "$BZ" ]; then
	echo "FAIL: $BZ missing (make $BZ): bad-input tests DID NOT RUN"
	exit 1
fi

# Inputs made from the real files.
head -c 100000 "$BZ" >"$TMP/bz-truncated"
head -c 100 "$GUEST" >"$TMP/elf-truncated"
printf 'this is not a kernel\n' >"$TMP/text"
: >"$TMP/empty"
cp "$BZ" "$TMP/bz-no64"
# xloadflags (setup header offset 0x236) without XLF_KERNEL_64.
printf '\000' | dd of="$TMP/bz-no64" bs=1 seek=$((0x236)) conv=notrunc 2>/dev/null
cp "$BZ" "$TMP/bz-oldproto"
# protocol version (0x206) 2.02.
printf '\002\002' | dd of="$TMP/bz-oldproto" bs=1 seek=$((0x206)) conv=notrunc 2>/dev/null
long=$(head -c 5000 /dev/zero | tr '\0' 'x')

# case NAME STATUS PATTERN ARGS... : runs 'vmm ARGS', wants STATUS and
# PATTERN (grep -E) in stderr.
case_() {
	name=$1 want=$2 pat=$3
	shift 3
	timeout 20 "$VMM" "$@" </dev/null >"$TMP/out" 2>"$TMP/err"
	st=$?
	if [ "$st" != "$want" ]; then
		fail=$((fail + 1))
		echo "FAIL: $name: status $st, want $want"
		sed 's/^/    ! /' "$TMP/err" | head -5
	elif ! grep -qE -- "$pat" "$TMP/err"; then
		fail=$((fail + 1))
		echo "FAIL: $name: stderr lacks /$pat/"
		sed 's/^/    ! /' "$TMP/err" | head -5
	else
		pass=$((pass + 1))
		echo "PASS: $name: $(head -1 "$TMP/err")"
	fi
}

case_ "no subcommand"        2 'usage: vmm run'
case_ "unknown option"       2 "unrecognized option|Try 'vmm --help'" run --kernel "$GUEST" --bogus
case_ "no --kernel"          2 'run needs --kernel' run
case_ "missing kernel file"  1 'kernel /nonexistent: No such file' run --kernel /nonexistent
case_ "missing initrd"       1 'initrd /nonexistent: No such file' run --kernel "$GUEST" --initrd /nonexistent
case_ "kernel is a directory" 1 'not a regular file' run --kernel /tmp
case_ "empty kernel"         1 'not a regular file' run --kernel "$TMP/empty"
case_ "wrong magic"          1 'neither a bzImage nor an ELF' run --kernel "$TMP/text"
case_ "truncated bzImage"    1 'bzImage truncated' run --kernel "$TMP/bz-truncated" --mem 256M
case_ "truncated ELF"        1 'ELF program headers truncated' run --kernel "$TMP/elf-truncated"
case_ "bzImage without 64-bit entry" 1 'no 64-bit entry point' run --kernel "$TMP/bz-no64"
case_ "old boot protocol"    1 'boot protocol 2.02 is too old' run --kernel "$TMP/bz-oldproto"
case_ "memory below minimum" 2 '--mem 8M: need a size' run --kernel "$GUEST" --mem 8M
case_ "memory not whole MiB" 2 '--mem 1000K: need a size' run --kernel "$GUEST" --mem 1000K
case_ "memory garbage"       2 '--mem lots: need a size' run --kernel "$GUEST" --mem lots
case_ "memory absurd"        2 '--mem 99999999G: need a size' run --kernel "$GUEST" --mem 99999999G
case_ "too small for the kernel" 1 'kernel needs .* \(raise --mem\)' run --kernel "$BZ" --mem 32M
case_ "initrd too big"       1 'initrd of [0-9]+ bytes does not fit' run --kernel "$BZ" --initrd "$BZ" --mem 80M
case_ "command line too long" 1 'command line is 5000 bytes, the kernel takes at most 2047' run --kernel "$GUEST" --cmdline "$long"
case_ "zero CPUs"            2 '--cpus 0: need a number from 1 to 64' run --kernel "$GUEST" --cpus 0
case_ "absurd CPU count"     2 '--cpus 100000: need a number' run --kernel "$GUEST" --cpus 100000
case_ "CPU count garbage"    2 '--cpus two: need a number' run --kernel "$GUEST" --cpus two
case_ "unknown --net"        2 "--net tap0!: need BRIDGE" run --kernel "$GUEST" --net "tap0!"
case_ "bad MAC"              2 "--net null,mac=zz: need BRIDGE" run --kernel "$GUEST" --net null,mac=zz
case_ "missing /dev/kvm"     1 '/nonexistent/kvm: No such file or directory \(no KVM' run --kernel "$GUEST" --kvm-dev /nonexistent/kvm
case_ "KVM path not KVM"     1 '/dev/null: not a KVM device' run --kernel "$GUEST" --kvm-dev /dev/null
if [ "$(cat /proc/sys/vm/nr_hugepages 2>/dev/null)" = 0 ]; then
	case_ "huge pages not reserved" 1 'huge pages' run --kernel "$GUEST" --mem 64M --hugepages
else
	echo "note: huge pages are reserved here; the no-huge-pages error case is not applicable"
fi

echo "vmm-badinput: $pass passed, $fail failed"
[ $fail = 0 ]
