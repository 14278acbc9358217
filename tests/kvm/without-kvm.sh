#!/bin/bash
# without-kvm.sh - runs a command as if this machine had no /dev/kvm: in a
# private mount namespace whose /dev is a fresh tmpfs holding everything
# the real /dev has (device nodes copied, pts/shm/... bound) except kvm.
# The VMM's bad-input table proves with it that it needs no KVM; a whole
# test run under it shows what a machine without /dev/kvm does:
#
#   tests/kvm/without-kvm.sh COMMAND [ARG...]      (root)
set -eu
if [ "${1:-}" != --inside ]; then
	[ $# -ge 1 ] || { echo "usage: $0 COMMAND [ARG...]" >&2; exit 2; }
	exec unshare --mount --propagation private "$0" --inside "$@"
fi
shift
orig=$(mktemp -d /tmp/without-kvm.XXXXXX)
mount --rbind /dev "$orig"
mount -t tmpfs -o mode=755 without-kvm /dev
for e in "$orig"/* "$orig"/.[!.]*; do
	[ -e "$e" ] || [ -L "$e" ] || continue
	name=${e##*/}
	[ "$name" = kvm ] && continue
	if mountpoint -q "$e"; then
		mkdir -p "/dev/$name"
		mount --rbind "$e" "/dev/$name"
	else
		cp -a "$e" /dev/
	fi
done
umount -l "$orig"
rmdir "$orig"
if [ -e /dev/kvm ]; then
	echo "without-kvm: /dev/kvm is still there" >&2
	exit 1
fi
exec "$@"
