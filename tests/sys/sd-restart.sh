#!/bin/bash
# sd-restart.sh - the wiring survives restarts (root).  Three namespaces
# (sdrns1..3) hold the devices of three TAP ports of bridge sdrbr0, with
# addresses 10.252.0.1..3/24: sdr1 and sdr2 made by vswitchd (brctl
# addif), sdr2 then renamed eth0 in its namespace, sdr3 made beforehand by
# 'ip tuntap add' (a user's persistent TAP).  Then:
#   1. kill -9 and restart: every namespace pings the others again within
#      2 s of the restart (time printed), each namespace's device has the
#      MAC it had, no device is left in the root namespace and none was
#      made twice (one TAP per namespace), the daemon found each again;
#   2. the same after SIGTERM;
#   3. brctl delif leaves the device in its namespace with its address;
#      addif finds it there again and pings resume;
#   4. port del --destroy removes the device;
#   5. a port whose device is gone (a veth, deleted while the daemon was
#      down) does not stop the daemon from starting: it says which port
#      and why, the others work, port show marks it missing, the stored
#      configuration still holds it, and once the device is back a
#      restart attaches it again.
# Everything is named sdr*, removed on exit, also on failure.
. "$(dirname "$0")/sd-lib.sh"

NSS="sdrns1 sdrns2 sdrns3"
if [ "$(id -u)" != 0 ] || [ ! -c /dev/net/tun ]; then
	echo "sd-restart.sh: NOT RUN: needs root and /dev/net/tun" >&2
	exit 1
fi
for tool in ip ping; do
	command -v $tool >/dev/null ||
		{ echo "sd-restart.sh: NOT RUN: '$tool' missing (make deps)" >&2; exit 1; }
done
# sdr_remove: the namespaces and devices this test makes.
sdr_remove() {
	for n in $NSS; do ip netns del "$n" 2>/dev/null; done
	for d in sdr1 sdr2 sdr3 sdrbr0 sdrv0; do ip link del "$d" 2>/dev/null; done
}
trap 'sdr_remove; sd_cleanup' EXIT
sdr_remove	# an earlier run

C="$BIN/bridgectl"
B="$BIN/brctl"
start_daemon -l info

run() { "$@" >/dev/null || fail "setup: '$*' failed"; }
ip tuntap add sdr3 mode tap || fail "setup: ip tuntap add sdr3"
run "$B" addbr sdrbr0
run "$C" link set sdrbr0 up
run "$B" addif sdrbr0 sdr1 sdr2 sdr3
for i in 1 2 3; do
	ip netns add "sdrns$i"
	ip link set "sdr$i" netns "sdrns$i"
done
ip -n sdrns2 link set sdr2 name eth0
DEV1=sdr1 DEV2=eth0 DEV3=sdr3
for i in 1 2 3; do
	eval dev=\$DEV$i
	ip -n "sdrns$i" addr add "10.252.0.$i/24" dev "$dev"
	ip -n "sdrns$i" link set "$dev" up
	ip -n "sdrns$i" link set lo up
done

# all_ping: every namespace reaches the two others (one try each).
all_ping() {
	ip netns exec sdrns1 ping -c1 -W1 -q 10.252.0.2 >/dev/null 2>&1 &&
	ip netns exec sdrns1 ping -c1 -W1 -q 10.252.0.3 >/dev/null 2>&1 &&
	ip netns exec sdrns2 ping -c1 -W1 -q 10.252.0.3 >/dev/null 2>&1
}
macs() {
	for i in 1 2 3; do
		eval dev=\$DEV$i
		ip -n "sdrns$i" -br link show dev "$dev" 2>/dev/null |
			awk '{print $3}'
	done
}
# wiring_intact WHEN: one TAP per namespace, with its MAC; none at home.
wiring_intact() {
	local when=$1 n
	[ "$(macs)" = "$MACS" ] && ok ||
		fail "$when: MACs changed: $(macs | tr '\n' ' ') (were $(echo "$MACS" | tr '\n' ' '))"
	for i in 1 2 3; do
		n=$(ip -n "sdrns$i" -o link show type tun | wc -l)
		[ "$n" = 1 ] && ok || fail "$when: sdrns$i holds $n TAPs, not 1"
	done
	for d in sdr1 sdr2 sdr3; do
		if ip link show "$d" >/dev/null 2>&1; then
			fail "$when: orphan device $d in the root namespace"
		else
			ok
		fi
	done
	n=$("$C" port show 2>/dev/null | grep -c '^sdr[123]: ')
	[ "$n" = 3 ] && ok || fail "$when: port show lists $n of the 3 ports"
}
# restart_and_time HOW: stops the daemon (kill -9 or SIGTERM), starts it,
# prints and checks the time until every namespace pings the others.
restart_and_time() {
	local how=$1 t0 t1 ms
	if [ "$how" = kill ]; then
		kill_daemon
	else
		kill "$VSWITCHD_PID"; wait "$VSWITCHD_PID" 2>/dev/null
		VSWITCHD_PID=
	fi
	t0=$(date +%s%N)
	start_daemon -l info
	wait_for 10 all_ping
	t1=$(date +%s%N)
	ms=$(( (t1 - t0) / 1000000 ))
	echo "sd-restart.sh: after $how: pings resumed ${ms} ms after the restart"
	[ "$ms" -le 2000 ] && ok ||
		fail "after $how: pings resumed only after $ms ms (acceptance: 2 s)"
}

wait_for 5 all_ping && ok || fail "no ping before any restart"
MACS=$(macs)
[ "$(echo "$MACS" | grep -c :)" = 3 ] && ok || fail "cannot read the MACs"

# 1. kill -9.
restart_and_time kill
wiring_intact "kill -9"
grep -q "sdr2: found TAP eth0 again in netns sdrns2" "$T/vswitchd.log" && ok ||
	fail "the log does not say where sdr2 was found"

# 2. SIGTERM.
restart_and_time term
wiring_intact "SIGTERM"

# 3. delif leaves the device; addif finds it again.
run "$B" delif sdrbr0 sdr1
ip -n sdrns1 -br addr show dev sdr1 2>/dev/null | grep -q 10.252.0.1/24 && ok ||
	fail "delif removed sdr1 or its address"
run "$B" addif sdrbr0 sdr1
wait_for 5 all_ping && ok || fail "no ping after delif and addif again"
[ "$(ip -n sdrns1 -o link show type tun | wc -l)" = 1 ] && ok ||
	fail "addif made a second device instead of finding sdr1"

# 4. --destroy removes it.
run "$C" port del sdr1 --destroy
if ip -n sdrns1 link show sdr1 >/dev/null 2>&1; then
	fail "port del --destroy left sdr1"
else
	ok
fi
run "$B" addif sdrbr0 sdr1
ip link set sdr1 netns sdrns1
ip -n sdrns1 addr add 10.252.0.1/24 dev sdr1
ip -n sdrns1 link set sdr1 up

# 5. A device that is gone: the daemon starts anyway, says so, keeps it.
ip link add sdrv0 type veth peer name sdrv1
run "$B" addif sdrbr0 sdrv0
"$C" port show sdrv0 2>&1 | grep -q "type netdev" && ok ||
	fail "sdrv0 is not a netdev port: $("$C" port show sdrv0 2>&1)"
kill_daemon
ip link del sdrv0
start_daemon -l info
grep "sdrv0" "$T/vswitchd.log" | grep -q "missing: interface sdrv0 does not exist" && ok ||
	fail "the log does not say why sdrv0 is missing: $(grep sdrv0 "$T/vswitchd.log" | tail -3)"
wait_for 5 all_ping && ok ||
	fail "the ports that exist do not work when another is missing"
grep -q '"sdrv0"' "$CONF" && ok ||
	fail "the stored configuration lost the missing port sdrv0"
"$C" port show sdrv0 2>&1 | grep -q "type netdev .* no-carrier .*missing: interface sdrv0 does not exist" && ok ||
	fail "port show does not mark sdrv0 missing: $("$C" port show sdrv0 2>&1)"
"$C" -j port show sdrv0 | grep -q '"missing":' && ok ||
	fail "port show -j has no 'missing' for sdrv0"
# A change to another port is saved with the missing one still in it.
run "$C" port set sdr1 cost 7
grep -q '"sdrv0"' "$CONF" && ok ||
	fail "saving another change dropped the missing port"
ip link add sdrv0 type veth peer name sdrv1
kill_daemon
start_daemon -l info
"$C" port show sdrv0 2>&1 | grep -q "type netdev" &&
	! "$C" port show sdrv0 2>&1 | grep -q missing && ok ||
	fail "sdrv0 not attached again once back: $("$C" port show sdrv0 2>&1)"
kill_daemon

finish
