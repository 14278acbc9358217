#!/bin/bash
# ctl-bridge-options.sh - every bridge option reaches every front-end.  The
# list comes from the program ('bridgectl link options' prints the
# BRIDGE_OPTIONS table of lib/bridge-options.h), so a new line in the table
# is tested without touching this file.  Cases are ID WORD NAME VALUE OVER:
# WORD is what is typed (the name or its alias), NAME what views report.  For each option (and its other
# spelling, if it has one), with a value other than its default:
#   1. the setup language accepts it in a replay (bridge add and bridge
#      set) and refuses a nonsense value and one beyond its range;
#   2. the setup language applies it in the daemon (--script after the
#      configuration is restored), as 'bridgectl -j link show' reports;
#   3. bridgectl 'link add/set ... type bridge' accepts it, refuses a
#      nonsense value, and 'link show' reports it with -j and with -d;
#   4. what bridgectl set is still there after kill -9 and a restart on the
#      saved file (the setup language saves nothing by itself).
# Each option gets bridges of its own, so no option restricts another
# (VLAN filtering forbids changing the default PVID).  pcap ports only;
# bridges are named wtbo*.
. "$(dirname "$0")/ctl-lib.sh"

C="$BIN/bridgectl"

# --- the table, from the program --------------------------------------------
"$C" link options >"$T/options" || { echo "FAIL: link options" >&2; exit 1; }
"$C" link help >"$T/help" 2>&1
n=0
# Each line: NAME VALUES DEFAULT UNIT REFUSED ALIAS HELP...; pick a value
# that is not the default, has no refused bit and is in range, and one
# beyond the range if the range is narrower than 32 bits.
while read -r name values def _ refuse alias _; do
	[ -n "$name" ] || continue
	n=$((n + 1))
	over=-
	case $values in
	*[!0-9.\|]*)	# words, such as 802.1Q|802.1ad
		val=${values%%|*}
		[ "$val" = "$def" ] && val=${values#*|}
		;;
	*\|*)		# 0|1
		val=$((1 - def)) over=2
		;;
	*)
		min=${values%..*} max=${values#*..}
		v=$min
		[ "$v" = "$def" ] && v=$((min + 1))
		[ "$refuse" = - ] && refuse=0
		while [ $((v & refuse)) -ne 0 ]; do v=$((v + 1)); done
		val=$v
		[ "$max" -lt 4294967295 ] && over=$((max + 1))
		;;
	esac
	echo "$n $name $name $val $over" >>"$T/cases"
	[ "$alias" = - ] || echo "${n}a $alias $name $val $over" >>"$T/cases"
	grep -qE "^  $name +$values +$def " "$T/help" && ok ||
		fail "$name: not in 'link help' as in 'link options'"
done <"$T/options"
# The table had 12 options when this test was written; it may only grow.
[ "$n" -ge 12 ] && ok || fail "link options lists $n options"
# value_of BRIDGE NAME: the option as 'bridgectl -j link show' reports it.
value_of() {
	"$C" -j link show "$1" | python3 -c '
import json, sys
d = json.load(sys.stdin)[0]["linkinfo"]["info_data"]
print(d.get(sys.argv[1], "missing"))
' "$2"
}

# --- 1. the setup language, in a replay -------------------------------------
while read -r id word name val over; do
	{
		echo "bridge add wtbo$id $word $val"
		echo "bridge add wtbox$id"
		echo "bridge set wtbox$id $word $val"
		echo "expect-fail bridge set wtbox$id $word nonsense"
		[ "$over" = - ] || echo "expect-fail bridge set wtbox$id $word $over"
	} >"$T/setup"
	if "$BIN/vswitchd" --replay --script "$T/setup" --no-config \
		--test-mode -l warn >"$T/out" 2>&1; then
		ok
	else
		fail "$word: setup language: $(cat "$T/out")"
	fi
done <"$T/cases"

# --- 2. the setup language, in the daemon -----------------------------------
mkdir -p "$T/lib"
start_daemon
while read -r id _; do
	"$C" link add wtbos$id type bridge || fail "link add wtbos$id"
done <"$T/cases"
kill_daemon
# One start per option (try_start), so a refused line fails only its option.
while read -r id word name val _; do
	echo "bridge set wtbos$id $word $val" >"$T/script"
	if ! try_start --script "$T/script"; then
		fail "$word: daemon refused 'bridge set wtbos$id $word $val': $(cat "$T/out")"
		continue
	fi
	got=$(value_of wtbos$id "$name")
	[ "$got" = "$val" ] && ok ||
		fail "$word: setup language set $val, link show says $name $got"
	kill_daemon
done <"$T/cases"
start_daemon

# --- 3. bridgectl link add/set ----------------------------------------------
while read -r id word name val over; do
	if ! "$C" link add wtboa$id type bridge "$word" "$val" 2>"$T/err"; then
		fail "$word: 'link add wtboa$id type bridge $word $val': $(cat "$T/err")"
	else
		got=$(value_of wtboa$id "$name")
		[ "$got" = "$val" ] && ok ||
			fail "$word: link add $val, link show says $name $got"
	fi
	"$C" link add wtboc$id type bridge || fail "link add wtboc$id"
	if ! "$C" link set wtboc$id type bridge "$word" "$val" 2>"$T/err"; then
		fail "$word: 'link set wtboc$id type bridge $word $val': $(cat "$T/err")"
		continue
	fi
	got=$(value_of wtboc$id "$name")
	[ "$got" = "$val" ] && ok ||
		fail "$word: link set $val, -j link show says $name $got"
	"$C" -d link show wtboc$id | grep -qF " $name $val " && ok ||
		fail "$word: link set $val, -d link show lacks '$name $val'"
	"$C" link set wtboc$id type bridge "$word" nonsense 2>/dev/null
	[ $? = 2 ] && ok || fail "$word: bridgectl took 'nonsense' (or not as a usage error)"
	if [ "$over" != - ]; then
		"$C" link set wtboc$id type bridge "$word" "$over" 2>/dev/null &&
			fail "$word: bridgectl/the daemon took $over" || ok
	fi
	got=$(value_of wtboc$id "$name")
	[ "$got" = "$val" ] && ok ||
		fail "$word: a refused value changed $name to $got"
done <"$T/cases"

# --- 4. saved and restored --------------------------------------------------
kill_daemon
start_daemon
while read -r id word name val _; do
	for br in wtboa$id wtboc$id; do
		got=$(value_of $br "$name")
		[ "$got" = "$val" ] && ok ||
			fail "$word: $val on $br did not survive a restart ($name $got)"
	done
done <"$T/cases"
finish
