#!/bin/bash
# ctl-options.sh - every per-port option reaches every front-end.  The list
# comes from the program ('bridgectl port options' prints the PORT_OPTIONS
# table of lib/port-options.h), so a new line in the table is tested
# without touching this file.  For each option, with a value other than
# its default:
#   1. the setup language accepts it in a replay (link set dev P OPT V) and
#      refuses a nonsense value for it;
#   2. the setup language applies it in the daemon (--script after the
#      configuration is restored), as 'bridgectl -j port show' reports;
#   3. bridgectl/port.set accepts it and port show reports it;
#   4. it is still there after kill -9 and a restart on the saved file.
# Patch ports (whose peers never come), which take every option, the wire
# impairments included; bridges and ports are named wt13b*.
. "$(dirname "$0")/ctl-lib.sh"

C="$BIN/bridgectl"
BR=wt13b0
PS=wt13bps	# set by the setup language
PC=wt13bpc	# set by bridgectl

# --- the table, from the program --------------------------------------------
"$C" port options >"$T/options" || { echo "FAIL: port options" >&2; exit 1; }
"$C" port set --help >"$T/help" 2>&1
n=0
# Each line: NAME VALUES DEFAULT REFUSED HELP...; pick a value that is not
# the default and has no refused bit, and how port show spells it.
while read -r name values def refuse _; do
	[ -n "$name" ] || continue
	n=$((n + 1))
	if [ "$values" = "on|off" ]; then
		if [ "$def" = on ]; then val=off; want=False; else val=on; want=True; fi
	else
		min=${values%..*}
		v=$min
		[ "$v" = "$def" ] && v=$((min + 1))
		[ "$refuse" = - ] && refuse=0
		while [ $((v & refuse)) -ne 0 ]; do v=$((v + 1)); done
		val=$v want=$v
	fi
	echo "$name $val $want" >>"$T/cases"
	grep -qE "^  $name +$values " "$T/help" && ok ||
		fail "$name: not in 'port set --help' as in 'port options'"
done <"$T/options"
# The table had 12 options when this test was written; it may only grow.
[ "$n" -ge 12 ] && ok || fail "port options lists $n options"

# value_of PORT NAME: the option as 'bridgectl -j port show' reports it
# (flags under "flags", numbers at the top level).
value_of() {
	"$C" -j port show "$1" | python3 -c '
import json, sys
p = json.load(sys.stdin)[0]
name = sys.argv[1]
print(p["flags"][name] if name in p["flags"] else p.get(name, "missing"))
' "$2"
}

# --- 1. the setup language, in a replay -------------------------------------
while read -r name val want; do
	cat >"$T/setup" <<EOF
bridge add $BR
port add $BR $PS type patch peer wt13bx1
link set dev $PS $name $val
expect-fail link set dev $PS $name nonsense
EOF
	if "$BIN/vswitchd" --replay --script "$T/setup" --no-config \
		--test-mode -l warn >"$T/out" 2>&1; then
		ok
	else
		fail "$name: setup language refused 'link set dev $PS $name $val': $(cat "$T/out")"
	fi
done <"$T/cases"

# --- 2. the setup language, in the daemon -----------------------------------
mkdir -p "$T/lib"
start_daemon
"$C" link add $BR type bridge || fail "link add $BR"
"$C" port add $BR $PS type patch peer wt13bx1 || fail "port add $PS"
"$C" port add $BR $PC type patch peer wt13bx2 || fail "port add $PC"
kill_daemon
# One start per option (try_start), so a refused line fails only its option.
while read -r name val want; do
	echo "link set dev $PS $name $val" >"$T/script"
	if ! try_start --script "$T/script"; then
		fail "$name: daemon refused 'link set dev $PS $name $val': $(cat "$T/out")"
		continue
	fi
	got=$(value_of $PS "$name")
	[ "$got" = "$want" ] && ok ||
		fail "$name: setup language set $val, port show says $got"
	kill_daemon
done <"$T/cases"
start_daemon

# --- 3. bridgectl and port.set ----------------------------------------------
while read -r name val want; do
	if ! "$C" port set $PC "$name" "$val" 2>"$T/err"; then
		fail "$name: 'port set $PC $name $val': $(cat "$T/err")"
		continue
	fi
	got=$(value_of $PC "$name")
	[ "$got" = "$want" ] && ok ||
		fail "$name: port set $val, port show says $got"
done <"$T/cases"

# --- 4. saved and restored --------------------------------------------------
kill_daemon
start_daemon
while read -r name val want; do
	got=$(value_of $PC "$name")
	[ "$got" = "$want" ] && ok ||
		fail "$name: $val did not survive a restart (port show says $got)"
done <"$T/cases"
finish
