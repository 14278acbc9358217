#!/bin/bash
# sd-vmmac.sh - the VMM's own choice of MAC, as the program makes it (no
# KVM needed: 'vmm run -v' logs the MAC while parsing its arguments, and
# stops at the missing kernel before opening /dev/kvm).  Two VMs on one
# bridge get two MACs; a VM keeps its MAC across starts; --mac wins.
. "$(dirname "$0")/sd-lib.sh"

VMM=$BIN/vmm
# mac_of ARGS...: the MAC 'vmm run' chose, from its -v log.
mac_of() {
	"$VMM" run -v --kernel "$T/no-kernel" "$@" 2>&1 |
		sed -n 's/.*vmm|info|mac \([0-9a-f:]*\) .*/\1/p' | head -1
}
# is_local_unicast MAC: bit 1 of the first octet set, bit 0 clear.
is_local_unicast() { [ $((0x${1%%:*} & 3)) -eq 2 ]; }

a1=$(mac_of --name sdvm1 --net sdbr0)
a2=$(mac_of --name sdvm1 --net sdbr0)
b=$(mac_of --name sdvm2 --net sdbr0)
check "a MAC is logged for --name ($a1)" test -n "$a1"
check "same name, same MAC ($a1, $a2)" test "$a1" = "$a2"
check "two names, two MACs ($a1, $b)" test "$a1" != "$b"
check "the name's MAC does not depend on the bridge" \
	test "$(mac_of --name sdvm1 --net sdbr9)" = "$a1"
for m in "$a1" "$b"; do
	check "$m is locally administered unicast" is_local_unicast "$m"
done
v1=$(mac_of --net "vhost-user:$T/sd1.sock")
v2=$(mac_of --net "vhost-user:$T/sd2.sock")
check "two vhost-user sockets, two MACs ($v1, $v2)" test -n "$v1" -a "$v1" != "$v2"
check "same socket, same MAC" \
	test "$(mac_of --net "vhost-user:$T/sd1.sock")" = "$v1"
r1=$(mac_of --net null)
r2=$(mac_of --net null)
check "no seed: random MACs differ ($r1, $r2)" test -n "$r1" -a "$r1" != "$r2"
check "$r1 is locally administered unicast" is_local_unicast "$r1"
check "--mac wins, nothing derived" \
	test -z "$(mac_of --name sdvm1 --mac 02:00:00:00:00:01)"
# The old fixed default is gone.
for m in "$a1" "$b" "$v1" "$r1"; do
	check "$m is not 52:54:00:12:34:56" test "$m" != 52:54:00:12:34:56
done
finish
