#!/bin/bash
# ctl-config.sh - the durable configuration's failure modes: a corrupt,
# truncated, foreign, refused or unreadable file makes vswitchd refuse to
# start with a message naming it, and leaves it byte-for-byte untouched
# (a port whose device cannot be opened does not: it is kept as missing);
# --no-config and $VSWITCHD_CONFIG; a save that fails is reported.
. "$(dirname "$0")/ctl-lib.sh"

C="$BIN/bridgectl"
mkdir -p "$T/lib"

# refuse NAME WORDS: vswitchd must exit non-zero, say WORDS, keep $CONF.
refuse() {
	local name=$1 words=$2 sum
	sum=$(sha256sum <"$CONF")
	if timeout 10 "$BIN/vswitchd" --socket "$SOCK" --config "$CONF" \
		--test-mode >"$T/out" 2>&1; then
		fail "$name: vswitchd started"
		return
	fi
	if ! grep -qF -- "$words" "$T/out" || ! grep -qF "$CONF" "$T/out" ||
	   ! grep -q "refusing to start" "$T/out"; then
		fail "$name: message lacks '$words' or the path: $(cat "$T/out")"
	elif [ "$(sha256sum <"$CONF")" != "$sum" ]; then
		fail "$name: the file was modified"
	elif [ -e "$CONF.tmp" ]; then
		fail "$name: a temporary file was left"
	else
		ok
	fi
	[ -e "$SOCK" ] && fail "$name: socket left behind"
}

printf 'this is { not json' >"$CONF"
refuse "garbage" "unusable"
printf '{"format": "vswitchd-config", "version": 1, "bridges": [' >"$CONF"
refuse "truncated" "truncated"
: >"$CONF"
refuse "empty" "unusable"
printf '{"format": "vswitchd-config", "version": 1, "bridges": []} x' >"$CONF"
refuse "trailing" "unexpected character at byte 59"
printf '[1, 2, 3]' >"$CONF"
refuse "not an object" "top level is not an object"
printf '{"format": "something-else", "version": 1, "bridges": []}' >"$CONF"
refuse "foreign" "not a vswitchd configuration"
printf '{"format": "vswitchd-config", "version": 99, "bridges": []}' >"$CONF"
refuse "version" "unsupported version"
printf '{"format": "vswitchd-config", "version": 1, "bridges": [{"name": "br0"}]}' >"$CONF"
refuse "incomplete bridge" "bridges[0]: needs name, options, ports and fdb"
cat >"$CONF" <<'JSON'
{"format": "vswitchd-config", "version": 1, "bridges": [
 {"name": "br0", "options": {"hello_time": 5}, "vlans": [], "fdb": [], "ports": []}]}
JSON
refuse "refused option" "bridge br0: cannot set hello_time 5"
cat >"$CONF" <<'JSON'
{"format": "vswitchd-config", "version": 1, "bridges": [
 {"name": "br0", "options": {}, "vlans": [], "fdb": [],
  "ports": [{"name": "p1", "type": "pcap", "args": {"rx": "/nonexistent.pcap"},
             "settings": {}, "vlans": []}]}]}
JSON
# A port that cannot be opened does not keep the daemon down: it starts,
# logs the port as missing with the reason, lists it so, and keeps it.
sum=$(sha256sum <"$CONF")
start_daemon -l warn
grep -q "port p1 (pcap) is missing: cannot open pcap port p1" \
	"$T/vswitchd.log" && ok ||
	fail "port cannot open: no 'missing' line in the log: $(cat "$T/vswitchd.log")"
"$C" port show p1 2>&1 | grep -q "type pcap .*missing: cannot open pcap port p1" && ok ||
	fail "port cannot open: port show: $("$C" port show p1 2>&1)"
[ "$(sha256sum <"$CONF")" = "$sum" ] && ok ||
	fail "port cannot open: the file was rewritten at start"
"$C" link set br0 up >/dev/null && grep -q '"nonexistent.pcap"\|/nonexistent.pcap' "$CONF" && ok ||
	fail "port cannot open: a later save dropped the missing port"
kill_daemon
rm -f "$SOCK"	# left by kill -9; the cases below check none is left
cat >"$CONF" <<'JSON'
{"format": "vswitchd-config", "version": 1, "bridges": [
 {"name": "br0", "options": {}, "vlans": [{"vid": 5000, "pvid": true, "untagged": true}],
  "fdb": [], "ports": []}]}
JSON
refuse "bad vlan" "vlans[0] is not {vid 1..4094"
cat >"$CONF" <<'JSON'
{"format": "vswitchd-config", "version": 1, "bridges": [
 {"name": "br0", "options": {}, "vlans": [], "ports": [],
  "fdb": [{"mac": "02:00:00:00:00:01", "dev": "nodev", "vlan": 0, "state": "static"}]}]}
JSON
refuse "fdb on unknown dev" "device nodev does not exist"
rm -f "$CONF"
mkdir "$CONF"
if timeout 10 "$BIN/vswitchd" --socket "$SOCK" --config "$CONF" >"$T/out" 2>&1; then
	fail "a directory as configuration: started"
else
	grep -q "cannot read configuration" "$T/out" && ok ||
		fail "directory: $(cat "$T/out")"
fi
rmdir "$CONF"

# A missing file is an empty configuration; the first change creates it
# (and its directory).
rm -rf "$T/lib"
CONF=$T/lib/sub/config.json
start_daemon
[ -e "$CONF" ] && fail "file created before any change" || ok
"$C" link add br0 type bridge || fail "link add"
[ -f "$CONF" ] && ok || fail "no file after a change"
grep -q '"name": "br0"' "$CONF" && ok || fail "br0 not saved"
# Read-only requests do not rewrite it.
before=$(stat -c %Y.%i "$CONF")
sleep 1.1
"$C" link show >/dev/null; "$C" fdb show >/dev/null; "$C" fdb flush br br0
[ "$(stat -c %Y.%i "$CONF")" = "$before" ] && ok || fail "read-only request saved"

# A save that fails is reported, the change undone, and the old file kept.
mv "$T/lib/sub" "$T/lib/sub.saved"
touch "$T/lib/sub"		# the directory is now a file: saving fails
if "$C" link add br1 type bridge 2>"$T/err"; then
	fail "save failure not reported"
else
	grep -q "could not be saved" "$T/err" && ok || fail "save failure: $(cat "$T/err")"
fi
"$C" link show br1 >/dev/null 2>&1 && fail "unsaved br1 still runs" || ok
rm "$T/lib/sub"; mv "$T/lib/sub.saved" "$T/lib/sub"
grep -q '"name": "br1"' "$CONF" && fail "failed save wrote br1" || ok
kill_daemon

# --no-config leaves the file alone; $VSWITCHD_CONFIG is honoured.
sum=$(sha256sum <"$CONF")
"$BIN/vswitchd" --socket "$SOCK" --no-config --test-mode 2>>"$T/vswitchd.log" &
VSWITCHD_PID=$!
for _ in $(seq 100); do "$C" info >/dev/null 2>&1 && break; sleep 0.05; done
"$C" link add br7 type bridge || fail "link add with --no-config"
"$C" link show br0 >/dev/null 2>&1 && fail "--no-config loaded the file" || ok
[ "$(sha256sum <"$CONF")" = "$sum" ] && ok || fail "--no-config wrote the file"
"$C" -j info | grep -q '"config_path":null' && ok || fail "info: config_path"
kill_daemon
VSWITCHD_CONFIG=$CONF "$BIN/vswitchd" --socket "$SOCK" --test-mode \
	2>>"$T/vswitchd.log" &
VSWITCHD_PID=$!
for _ in $(seq 100); do "$C" info >/dev/null 2>&1 && break; sleep 0.05; done
"$C" link show br0 >/dev/null 2>&1 && ok || fail "VSWITCHD_CONFIG not used"
"$C" -j info | grep -qF "\"config_path\":\"$CONF\"" && ok || fail "info path"
kill_daemon

# Options that exclude each other, and a socket path that cannot work.
"$BIN/vswitchd" --config "$CONF" --no-config 2>"$T/err" && fail "--config --no-config" ||
	{ grep -q "exclude" "$T/err" && ok || fail "conflict message: $(cat "$T/err")"; }
long=$T/$(printf 'x%.0s' $(seq 120))/s.sock
"$BIN/vswitchd" --socket "$long" --no-config 2>"$T/err" && fail "long socket path" ||
	{ grep -q "longer than" "$T/err" && ok || fail "long path: $(cat "$T/err")"; }
touch "$T/notasocket"
"$BIN/vswitchd" --socket "$T/notasocket" --no-config 2>"$T/err" && fail "non-socket path" ||
	{ grep -q "not a socket" "$T/err" && [ -f "$T/notasocket" ] && ok ||
		fail "non-socket: $(cat "$T/err")"; }
finish
