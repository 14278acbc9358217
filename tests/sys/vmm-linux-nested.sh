#!/bin/sh
# vmm-linux-nested.sh - boots a stock Debian kernel under our VMM.
#
# The development machines' /dev/kvm (PVM) cannot run stock Linux, so this
# test nests: QEMU with TCG (-cpu max, which has SVM) boots the Debian
# kernel with an initramfs that loads kvm-amd, giving a hardware-model
# /dev/kvm inside; there a static build of our VMM boots the same kernel
# with a small initramfs whose init loads the virtio modules, checks that
# virtio-net bound to our device, prints a marker and reboots (reboot=k:
# the i8042 reset, which ends the VMM with status 0).
#
#   BUILD=build VMM_STATIC=build/vmm-static sh tests/sys/vmm-linux-nested.sh
#
# Needs qemu-system-x86, busybox-static and cpio; and the Debian kernel
# package unpacked by the $(BUILD)/debian-kernel rule.
BUILD=${BUILD:-build}
VMM_STATIC=${VMM_STATIC:-$BUILD/vmm-static}
DEB=$BUILD/debian-kernel
KVER=$(ls "$DEB/modules" 2>/dev/null | head -1)
TMP=$(mktemp -d /tmp/vmm-nest.XXXXXX)
trap 'rm -rf "$TMP"' EXIT INT TERM

for f in "$DEB/vmlinuz" "$VMM_STATIC" /usr/bin/qemu-system-x86_64 \
	 /bin/busybox /usr/bin/cpio; do
	if [ ! -e "$f" ]; then
		echo "FAIL: $f missing: the nested Linux boot test DID NOT RUN"
		exit 1
	fi
done
M=$DEB/modules/$KVER/kernel

# mkroot DIR: a busybox root with /bin/sh and the applets.
mkroot() {
	mkdir -p "$1/bin" "$1/proc" "$1/sys" "$1/dev" "$1/mods" "$1/tmp"
	cp /bin/busybox "$1/bin/busybox"
	for a in sh mount insmod cat grep ls echo reboot poweroff sleep \
		 mknod ip uname dmesg timeout; do
		ln -sf busybox "$1/bin/$a"
	done
}

# Inner initramfs: what our VMM boots.
mkroot "$TMP/inner"
for m in virtio/virtio virtio/virtio_ring virtio/virtio_pci_legacy_dev \
	 virtio/virtio_pci_modern_dev virtio/virtio_pci; do
	cp "$M/drivers/$m.ko" "$TMP/inner/mods/"
done
cp "$M/net/core/failover.ko" "$M/drivers/net/net_failover.ko" \
   "$M/drivers/net/virtio_net.ko" "$TMP/inner/mods/"
cat >"$TMP/inner/init" <<'IEOF'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
echo "INNER: linux $(uname -r) up, $(grep -c ^processor /proc/cpuinfo) cpus"
dmesg | grep -E 'Intel MultiProcessor|IOAPIC\[0\]|tsc: |clocksource: Switched|smpboot: Total|kvm-clock: Using|PCI: Using configuration|e820: \[mem' |
	sed 's/^\[[ 0-9.]*\] /INNER: dmesg /'
for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev \
	 virtio_pci failover net_failover virtio_net; do
	insmod /mods/$m.ko || echo "INNER: insmod $m failed"
done
for d in /sys/bus/pci/devices/*; do
	echo "INNER: pci $(basename $d) $(cat $d/vendor):$(cat $d/device) driver $(basename $(readlink $d/driver) 2>/dev/null)"
done
ip link set eth0 up
grep -H . /sys/class/net/eth0/address /sys/class/net/eth0/carrier 2>/dev/null | sed 's/^/INNER: /'
grep virtio /proc/interrupts | sed 's/^/INNER: irq /'
echo "INNER: done"
reboot -f
IEOF
chmod +x "$TMP/inner/init"
(cd "$TMP/inner" && find . | cpio -o -H newc --quiet) >"$TMP/inner.cpio"

# Outer initramfs: kvm-amd, our VMM, the kernel and the inner initramfs.
mkroot "$TMP/outer"
cp "$M/virt/lib/irqbypass.ko" "$M/arch/x86/kvm/kvm.ko" \
   "$M/drivers/crypto/ccp/ccp.ko" "$M/arch/x86/kvm/kvm-amd.ko" \
   "$TMP/outer/mods/"
cp "$VMM_STATIC" "$TMP/outer/bin/vmm"
cp "$DEB/vmlinuz" "$TMP/outer/vmlinuz"
cp "$TMP/inner.cpio" "$TMP/outer/inner.cpio"
cat >"$TMP/outer/init" <<'OEOF'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
insmod /mods/irqbypass.ko
insmod /mods/kvm.ko
insmod /mods/ccp.ko
insmod /mods/kvm-amd.ko
echo "OUTER: starting vmm"
timeout -s TERM 200 /bin/vmm run --kernel /vmlinuz --initrd /inner.cpio --mem 256M --cpus 2 \
	--net null --serial stdio -v \
	--cmdline "console=ttyS0 reboot=k panic=-1 loglevel=7" </dev/null
echo "OUTER: vmm exit status $?"
poweroff -f
OEOF
chmod +x "$TMP/outer/init"
(cd "$TMP/outer" && find . | cpio -o -H newc --quiet) >"$TMP/outer.cpio"

timeout 300 qemu-system-x86_64 -accel tcg -cpu max -smp 1 -m 1024 \
	-nographic -no-reboot -kernel "$DEB/vmlinuz" -initrd "$TMP/outer.cpio" \
	-append "console=ttyS0 panic=-1 quiet loglevel=3" \
	-nic none </dev/null >"$TMP/log" 2>&1
tr -d '\r' <"$TMP/log" >"$TMP/log.n"
grep -E '^(INNER|OUTER):|vmm\[' "$TMP/log.n"
# The inner kernel logs at loglevel 7, so a failure shows how far it got;
# the VMM runs under a 200 s timeout inside, so a stuck guest still ends
# with the VMM's SIGTERM status (143) and the outer QEMU's own 300 s limit
# is a last resort.

status=0
for want in "INNER: done" "OUTER: vmm exit status 0" \
	    "INNER: linux $KVER up, 2 cpus" \
	    "INNER: dmesg Intel MultiProcessor Specification v1.4" \
	    "INNER: dmesg smpboot: Total of 2 processors" \
	    "INNER: dmesg kvm-clock: Using msrs" \
	    "INNER: dmesg clocksource: Switched to clocksource kvm-clock" \
	    "INNER: dmesg PCI: Using configuration type 1 for base access"; do
	if ! grep -qF "$want" "$TMP/log.n"; then
		echo "FAIL: nested boot: missing '$want'"
		status=1
	fi
done
if ! grep -qE 'INNER: pci 0000:00:01.0 0x1af4:0x1041 driver virtio-pci' "$TMP/log.n"; then
	echo "FAIL: nested boot: virtio-pci did not bind our device"
	status=1
fi
for want in "INNER: /sys/class/net/eth0/address:52:54:00:12:34:56" \
	    "INNER: /sys/class/net/eth0/carrier:0"; do
	if ! grep -qF "$want" "$TMP/log.n"; then
		echo "FAIL: nested boot: missing '$want'"
		status=1
	fi
done
if ! grep -qE 'INNER: irq .*PCI-MSI.*virtio0-config' "$TMP/log.n"; then
	echo "FAIL: nested boot: no MSI-X vectors for virtio0"
	status=1
fi
if [ $status = 0 ]; then
	echo "PASS: stock Debian kernel booted under the VMM (nested)"
else
	tail -60 "$TMP/log.n" | sed 's/^/    | /'
fi
exit $status
