#!/bin/bash
# prepare.sh - builds everything the real-Linux-guest tests boot, from Debian
# packages only (apt-get download + dpkg -x; nothing else is fetched and
# nothing binary is kept in the repository).
#
#   BUILD=build LINUX_KVER=6.1.0-56-amd64 \
#   VMM_STATIC=build/static/vmm VSWITCHD_STATIC=build/static/vswitchd \
#       tests/linux/prepare.sh
#
# Results, in $BUILD/linux/ (downloads and unpacked trees are cached, so a
# second run only rebuilds the two initramfs images, which takes a second):
#
#   vmlinuz            the stock Debian kernel (outer host and guest alike)
#   guest-initrd.cpio  busybox + virtio-net modules + tests/linux/guest-init.sh
#                      (+ the static tcpxfer, TCPXFER_STATIC, when built)
#   vmlinux            with VMLINUX=1: the same kernel uncompressed (the ELF
#                      inside the bzImage, unpacked with xz), also put in the
#                      outer initramfs as /guest/vmlinux for the benchmark
#   outer-hostroot.cpio  busybox + kvm/tun/veth/9p modules + outer-init.sh:
#                      the outer host of tests/kvm/kvm-run.sh, which runs
#                      this machine's own root over 9p (HOSTROOT_ONLY=1
#                      builds only this one)
#   outer-initrd.cpio  busybox + kvm/tun/virtio modules + QEMU (binary, its
#                      shared libraries and firmware, at the host's paths) +
#                      the guest kernel and initramfs + our static vmm and
#                      vswitchd (and bridgectl, BRIDGECTL_STATIC) when they
#                      were built + tests/linux/outer-init.sh
#                      and scenarios.sh
#
# Missing static binaries are not an error here: the scenarios that need
# them say "not built" and fail inside the outer host.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${BUILD:-build}
KVER=${LINUX_KVER:-6.1.0-56-amd64}
OUT=$BUILD/linux
QEMU_BIN=${QEMU_BIN:-/usr/bin/qemu-system-x86_64}

say() { echo "linux/prepare: $*"; }
die() { echo "linux/prepare: ERROR: $*" >&2; exit 1; }

for tool in apt-get dpkg cpio ldd; do
	command -v $tool >/dev/null || die "'$tool' not found (make deps)"
done

mkdir -p "$OUT/debs" "$OUT/x"
OUT=$(cd "$OUT" && pwd)

# fetch PKG: downloads PKG's .deb into $OUT/debs unless it is there already.
fetch() {
	local pkg=$1
	if ! ls "$OUT/debs/${pkg}_"*.deb >/dev/null 2>&1; then
		say "apt-get download $pkg"
		(cd "$OUT/debs" && apt-get download -q "$pkg" >/dev/null 2>&1) ||
			die "apt-get download $pkg failed"
	fi
}

# unpack PKG DIR KEEP...: dpkg -x once (a stamp marks a finished unpack),
# keeping only the KEEP paths: the rest could confuse the build (the
# Makefile includes every *.d under $BUILD, and packages have *.d dirs).
unpack() {
	local pkg=$1 dir=$OUT/x/$2 k
	shift 2
	[ -f "$dir.done" ] && return 0
	rm -rf "$dir" "$dir.tmp"
	dpkg -x "$OUT/debs/${pkg}_"*.deb "$dir.tmp" || die "dpkg -x $pkg failed"
	for k in "$@"; do
		mkdir -p "$dir/$(dirname "$k")"
		mv "$dir.tmp/$k" "$dir/$k" || die "no $k in $pkg"
	done
	rm -rf "$dir.tmp"
	touch "$dir.done"
}

fetch "linux-image-$KVER"
fetch busybox-static
unpack "linux-image-$KVER" kernel "boot/vmlinuz-$KVER" "lib/modules/$KVER"
unpack busybox-static busybox bin/busybox

KROOT=$OUT/x/kernel
MODDIR=$KROOT/lib/modules/$KVER
BUSYBOX=$OUT/x/busybox/bin/busybox
[ -d "$MODDIR" ] || die "no $MODDIR in linux-image-$KVER"
[ -x "$BUSYBOX" ] || die "no busybox in busybox-static"
cp "$KROOT/boot/vmlinuz-$KVER" "$OUT/vmlinuz"

# le32 FILE OFFSET: the little-endian 32-bit word at OFFSET.
le32() {
	od -An -tu4 -j "$2" -N4 "$1" | tr -d ' '
}

# The vmlinux ELF inside the bzImage: the payload starts payload_offset
# bytes (setup header, 0x248) into the protected-mode code, which follows
# the (setup_sects + 1) * 512 bytes of real-mode setup; Debian compresses
# it with xz (followed by the 4-byte uncompressed size: --single-stream).
if [ "${VMLINUX:-0}" = 1 ] && { [ ! -s "$OUT/vmlinux" ] ||
   [ "$OUT/vmlinux" -ot "$OUT/vmlinuz" ]; }; then
	command -v xz >/dev/null || die "'xz' not found (make deps)"
	sects=$(od -An -tu1 -j $((0x1f1)) -N1 "$OUT/vmlinuz" | tr -d ' ')
	[ "$sects" = 0 ] && sects=4
	poff=$(( (sects + 1) * 512 + $(le32 "$OUT/vmlinuz" $((0x248))) ))
	plen=$(le32 "$OUT/vmlinuz" $((0x24c)))
	magic=$(od -An -tx1 -j "$poff" -N6 "$OUT/vmlinuz" | tr -d ' ')
	[ "$magic" = fd377a585a00 ] ||
		die "the bzImage's payload is not xz (magic $magic): cannot unpack vmlinux"
	tail -c +$((poff + 1)) "$OUT/vmlinuz" | head -c "$plen" |
		xz -dc --single-stream >"$OUT/vmlinux.tmp" ||
		die "xz could not unpack the bzImage's payload"
	mv "$OUT/vmlinux.tmp" "$OUT/vmlinux"
	say "vmlinux: $(( $(wc -c <"$OUT/vmlinux") >> 20 )) MiB (unpacked from the bzImage)"
fi

# Module name -> file index (names use '_' where files may use '-').
MODINDEX=$OUT/x/modindex
if [ ! -s "$MODINDEX" ]; then
	find "$MODDIR" -name '*.ko' | while read -r f; do
		n=$(basename "$f" .ko)
		echo "${n//-/_} $f"
	done >"$MODINDEX"
fi

# mod_closure NAME...: prints the module files NAME needs, dependencies
# first, each once.  Dependencies come from the .modinfo "depends=" field.
mod_closure() {
	local seen=" "
	visit() {
		local n=${1//-/_} f d
		case "$seen" in *" $n "*) return 0 ;; esac
		seen="$seen$n "
		f=$(awk -v n="$n" '$1 == n { print $2; exit }' "$MODINDEX")
		[ -n "$f" ] || die "module $n not found in linux-image-$KVER"
		d=$(tr '\0' '\n' <"$f" | grep -a '^depends=' | head -1)
		d=${d#depends=}
		for dep in ${d//,/ }; do visit "$dep"; done
		echo "$f"
	}
	for m in "$@"; do visit "$m"; done
}

# add_modules STAGE NAME...: copies the closure into STAGE/lib/modules and
# writes STAGE/etc/modules, the insmod order.
add_modules() {
	local stage=$1 f
	shift
	mkdir -p "$stage/lib/modules" "$stage/etc"
	: >"$stage/etc/modules"
	mod_closure "$@" >"$OUT/x/closure"
	for f in $(cat "$OUT/x/closure"); do
		cp "$f" "$stage/lib/modules/"
		basename "$f" >>"$stage/etc/modules"
	done
}

# add_busybox STAGE: the one-file userland (init installs the applet links).
add_busybox() {
	mkdir -p "$1/bin" "$1/sbin" "$1/dev" "$1/proc" "$1/sys" "$1/tmp" \
		"$1/run" "$1/root"
	cp "$BUSYBOX" "$1/bin/busybox"
	ln -sf busybox "$1/bin/sh"
	# The kernel opens /dev/console before it runs /init.
	if [ "$(id -u)" = 0 ]; then
		mknod -m 600 "$1/dev/console" c 5 1
		mknod -m 666 "$1/dev/null" c 1 3
	fi
}

# make_cpio STAGE FILE: an uncompressed newc archive (the outer host
# emulates its CPU: unpacking beats decompressing there).
make_cpio() {
	(cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$2.tmp"
	mv "$2.tmp" "$2"
}

# ---- the host-root outer initramfs ------------------------------------------
# For tests/kvm/kvm-run.sh: the outer host mounts this machine's own root
# (9p, read-only) and runs the suites chrooted there, with the very
# programs and Debian packages of this machine (dynamic or sanitizer
# builds alike).  It needs only busybox, the modules and the init.
HSTAGE=$OUT/stage-hostroot
rm -rf "$HSTAGE"
add_busybox "$HSTAGE"
add_modules "$HSTAGE" irqbypass kvm kvm_amd tun veth virtio_pci 9p 9pnet_virtio
cp "$HERE/outer-init.sh" "$HSTAGE/init"
cp "$HERE/scenarios.sh" "$HSTAGE/scenarios.sh"
chmod 755 "$HSTAGE/init"
make_cpio "$HSTAGE" "$OUT/outer-hostroot.cpio"
rm -rf "$HSTAGE"
say "host-root outer initramfs: $(du -h "$OUT/outer-hostroot.cpio" | cut -f1)"
[ "${HOSTROOT_ONLY:-0}" = 1 ] && exit 0

# ---- the guest's initramfs --------------------------------------------------
GSTAGE=$OUT/stage-guest
rm -rf "$GSTAGE"
add_busybox "$GSTAGE"
add_modules "$GSTAGE" virtio_pci virtio_net
cp "$HERE/guest-init.sh" "$GSTAGE/init"
# The TCP sink and source of bench-tcp (tests/linux/tcpxfer.c).
if [ -n "${TCPXFER_STATIC:-}" ] && [ -x "$TCPXFER_STATIC" ]; then
	cp "$TCPXFER_STATIC" "$GSTAGE/bin/tcpxfer"
fi
chmod 755 "$GSTAGE/init"
make_cpio "$GSTAGE" "$OUT/guest-initrd.cpio"
say "guest initramfs: $(du -h "$OUT/guest-initrd.cpio" | cut -f1)" \
	"($(wc -l <"$GSTAGE/etc/modules") modules)"

# ---- the outer host's initramfs ---------------------------------------------
OSTAGE=$OUT/stage-outer
rm -rf "$OSTAGE"
add_busybox "$OSTAGE"
add_modules "$OSTAGE" irqbypass kvm kvm_amd tun virtio_pci virtio_net
cp "$HERE/outer-init.sh" "$OSTAGE/init"
cp "$HERE/scenarios.sh" "$OSTAGE/scenarios.sh"
chmod 755 "$OSTAGE/init"
mkdir -p "$OSTAGE/guest"
cp "$OUT/vmlinuz" "$OSTAGE/guest/vmlinuz"
[ "${VMLINUX:-0}" = 1 ] && cp "$OUT/vmlinux" "$OSTAGE/guest/vmlinux"
cp "$OUT/guest-initrd.cpio" "$OSTAGE/guest/initrd.cpio"

# QEMU, for the yardstick: binary, every library ldd names (at the same
# paths, so the dynamic loader finds them), and the firmware it looks for in
# /usr/share/qemu (next to its binary) and /usr/share/seabios.
if [ -x "$QEMU_BIN" ]; then
	mkdir -p "$OSTAGE/usr/bin"
	cp "$QEMU_BIN" "$OSTAGE/usr/bin/qemu-system-x86_64"
	ldd "$QEMU_BIN" | awk '/=> \// { print $3 } /^\t\// { print $1 }' |
	while read -r lib; do
		mkdir -p "$OSTAGE$(dirname "$lib")"
		cp -L "$lib" "$OSTAGE$lib"
	done
	mkdir -p "$OSTAGE/usr/share/qemu" "$OSTAGE/usr/share/seabios"
	for f in kvmvapic.bin linuxboot.bin linuxboot_dma.bin pvh.bin \
		 multiboot.bin multiboot_dma.bin; do
		[ -e "/usr/share/qemu/$f" ] &&
			cp -L "/usr/share/qemu/$f" "$OSTAGE/usr/share/qemu/"
	done
	cp -L /usr/share/seabios/bios-256k.bin /usr/share/seabios/bios.bin \
		"$OSTAGE/usr/share/seabios/"
	cp -L /usr/share/seabios/bios-256k.bin "$OSTAGE/usr/share/qemu/"
else
	say "no $QEMU_BIN: the qemu-yardstick scenario will fail (make deps)"
fi

# Our programs, when their static builds exist.
for p in "${VMM_STATIC:-}" "${VSWITCHD_STATIC:-}" "${BRIDGECTL_STATIC:-}"; do
	[ -n "$p" ] || continue
	if [ -x "$p" ]; then
		if ldd "$p" >/dev/null 2>&1; then
			die "$p is dynamically linked; the outer host has no libc"
		fi
		cp "$p" "$OSTAGE/bin/"
	else
		say "no $p: scenarios that need it will fail"
	fi
done

make_cpio "$OSTAGE" "$OUT/outer-initrd.cpio"
say "outer initramfs: $(du -h "$OUT/outer-initrd.cpio" | cut -f1)" \
	"(vmm: $([ -x "$OSTAGE/bin/vmm" ] && echo yes || echo no)," \
	"vswitchd: $([ -x "$OSTAGE/bin/vswitchd" ] && echo yes || echo no)," \
	"bridgectl: $([ -x "$OSTAGE/bin/bridgectl" ] && echo yes || echo no))"
rm -rf "$GSTAGE" "$OSTAGE"
