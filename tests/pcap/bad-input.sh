#!/bin/bash
# Bad input for the replay path: broken captures and nonsense setup files
# must give a clear error (exit status 1 and a message naming the problem)
# or a counted drop — never a crash (status >= 128) and never a hang.
#
# Usage: bad-input.sh BUILD_DIR
set -u
build=${1:?usage: bad-input.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
vswitchd=$build/bin/vswitchd
tmp=$(mktemp -d /tmp/vswitch-bad.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

# expect NAME WANT_STATUS WANT_SUBSTRING SETUP_TEXT
expect() {
	local name=$1 want=$2 text=$3 setup=$4 st
	printf '%s\n' "$setup" > "$tmp/setup"
	timeout 20 "$vswitchd" --replay --test-mode --log-level warn \
		--script "$tmp/setup" --in-dir "$tmp" --out-dir "$tmp" --dump \
		> "$tmp/out" 2> "$tmp/err"
	st=$?
	if [ "$st" -ne "$want" ] || ! grep -qF -- "$text" "$tmp/err" "$tmp/out"; then
		echo "FAIL $name: status $st (want $want), output lacks '$text':"
		sed 's/^/    /' "$tmp/err" | head -5
		fail=$((fail + 1))
	else
		pass=$((pass + 1))
	fi
}

hdr='bridge add br0
port add br0 p1 type pcap mac 02:00:00:00:01:01
port add br0 p2 type pcap mac 02:00:00:00:01:02'

# --- broken captures ------------------------------------------------------
cp "$here/t01-learn-unicast/in-p1.pcap" "$tmp/good.pcap"
size=$(stat -c %s "$tmp/good.pcap")
head -c $((size - 7)) "$tmp/good.pcap" > "$tmp/truncated.pcap"
expect truncated-record 0 "stopped reading" \
	"$hdr"$'\nport add br0 p3 type pcap rx '"$tmp/truncated.pcap"
head -c 20 "$tmp/good.pcap" > "$tmp/short-header.pcap"
expect truncated-header 1 "cannot read" \
	"$hdr"$'\nport add br0 p3 type pcap rx '"$tmp/short-header.pcap"
head -c 200 /dev/urandom > "$tmp/garbage.pcap"
expect garbage-file 1 "cannot read" \
	"$hdr"$'\nport add br0 p3 type pcap rx '"$tmp/garbage.pcap"
: > "$tmp/empty.pcap"
expect empty-file 1 "cannot read" \
	"$hdr"$'\nport add br0 p3 type pcap rx '"$tmp/empty.pcap"
# A valid pcap header with link type 101 (raw IP) and no records.
printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x04\x00\x65\x00\x00\x00' > "$tmp/rawip.pcap"
expect not-ethernet 1 "is not Ethernet" \
	"$hdr"$'\nport add br0 p3 type pcap rx '"$tmp/rawip.pcap"
expect missing-file 1 "cannot read" \
	"$hdr"$'\nport add br0 p3 type pcap rx '"$tmp/does-not-exist.pcap"
# A record claiming 1 MiB of data: libpcap refuses it; counted, not fatal.
python3 - "$tmp/huge.pcap" <<'PY'
import struct, sys
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
    f.write(struct.pack("<IIII", 1, 0, 1 << 20, 1 << 20) + b"\0" * 64)
PY
expect huge-record 0 "stopped reading" \
	"$hdr"$'\nport add br0 p3 type pcap rx '"$tmp/huge.pcap"

# --- nonsense setup -------------------------------------------------------
while IFS='|' read -r name text line; do
	[ -n "$name" ] || continue
	expect "setup-$name" 1 "$text" "$hdr"$'\n'"$line"
done <<'TABLE'
unknown-command|unknown command 'frobnicate'|frobnicate br0
bridge-no-name|usage: bridge|bridge add
bridge-dup|device br0 already exists|bridge add br0
bridge-bad-name|bad name|bridge add a/b
bridge-long-name|bad name|bridge add abcdefghijklmnopq
bridge-unknown-opt|unknown option 'colour'|bridge set br0 colour red
bridge-odd-args|usage: bridge|bridge set br0 ageing_time
bridge-bad-number|bad value 'soon'|bridge set br0 ageing_time soon
bridge-negative|bad value '-5'|bridge set br0 ageing_time -5
bridge-filtering-2|bad value '2'|bridge set br0 vlan_filtering 2
bridge-mask-stp|Invalid argument|bridge set br0 group_fwd_mask 1
bridge-mask-lacp|Invalid argument|bridge set br0 group_fwd_mask 0x4
bridge-hello-range|Numerical result out of range|bridge set br0 hello_time 50
bridge-maxage-range|Numerical result out of range|bridge set br0 max_age 5000
bridge-proto|expected 802.1Q or 802.1ad|bridge set br0 vlan_protocol 802.1x
bridge-address|bad MAC|bridge set br0 address 01:02:03
bridge-address-mcast|Invalid argument|bridge set br0 address 01:00:5e:00:00:01
bridge-missing|bridge nobr does not exist|bridge set nobr stp_state 1
port-no-type|type must be given|port add br0 p9
port-bad-type|supported here: pcap|port add br0 p9 type warp
port-bad-mac|bad unicast MAC|port add br0 p9 type pcap mac ff:ff:ff:ff:ff:ff
port-dup|name already in use|port add br0 p1 type pcap
port-bad-mtu|mtu 20|port add br0 p9 type pcap mtu 20
port-no-bridge|bridge nob does not exist|port add nob p9 type pcap
port-del-missing|is not a port of br0|port del br0 p9
link-no-dev|is not a bridge port|link set dev nothere learning off
link-bad-bool|expected on or off|link set dev p1 learning maybe
link-bad-state|bad state|link set dev p1 state sleeping
link-cost-range|Numerical result out of range|link set dev p1 cost 70000
link-prio-range|Numerical result out of range|link set dev p1 priority 64
link-bridge-option|takes only 'up' or 'down'|link set dev br0 flood off
link-bridge-updown|takes only 'up' or 'down'|link set dev br0 up down
link-port-mask|Invalid argument|link set dev p1 group_fwd_mask 2
link-unknown|unknown option 'speed'|link set dev p1 speed 10
link-missing-value|missing value|link set dev p1 learning
vlan-zero|bad range|vlan add dev p1 vid 0
vlan-4095|bad value '4095'|vlan add dev p1 vid 4095
vlan-range-pvid|pvid cannot be given a range|vlan add dev p1 vid 10-20 pvid
vlan-backwards|bad range|vlan add dev p1 vid 20-10
vlan-del-absent|No such file or directory|vlan del dev p1 vid 77
vlan-no-vid|dev and vid are required|vlan add dev p1
fdb-bad-mac|bad MAC address 'xyz'|fdb add xyz dev p1
fdb-mcast|Invalid argument|fdb add 01:00:5e:00:00:01 dev p1 static
fdb-no-dev|dev is required|fdb add 02:00:00:00:00:0a static
fdb-vlan-absent|Invalid argument|fdb add 02:00:00:00:00:0a dev p1 vlan 99 static
fdb-local-sticky|Invalid argument|fdb add 02:00:00:00:00:0a dev p1 local sticky
fdb-del-absent|No such file or directory|fdb del 02:00:00:00:00:0a dev p1
at-bad-time|bad time|at later bridge set br0 ageing_time 0
expect-fail-succeeds|was accepted|expect-fail bridge set br0 ageing_time 100
TABLE

# A failing 'at' command fails the replay when its time comes.
expect at-fails-later 1 "unknown command 'nonsense'" "$hdr"$'\nat 5 nonsense'

# Lines that are too long or have too many words.
expect long-line 1 "line too long" "$hdr"$'\n'"bridge set br0 $(printf 'x%.0s' $(seq 5000))"
expect many-words 1 "too many words" "$hdr"$'\n'"$(printf 'w %.0s' $(seq 70))"

# --out-dir: a missing one is made; one that cannot be made is a clear
# error before anything runs.
printf '%s\n' "$hdr" > "$tmp/setup"
if "$vswitchd" --replay --test-mode --log-level warn --script "$tmp/setup" \
	--in-dir "$tmp" --out-dir "$tmp/new/out" >/dev/null 2>&1 &&
	[ -f "$tmp/new/out/out-p1.pcap" ]; then
	pass=$((pass + 1))
else
	echo "FAIL out-dir-made: $tmp/new/out/out-p1.pcap not written"
	fail=$((fail + 1))
fi
: > "$tmp/afile"
if "$vswitchd" --replay --test-mode --log-level warn --script "$tmp/setup" \
	--out-dir "$tmp/afile/out" >/dev/null 2>"$tmp/err"; then
	echo "FAIL out-dir-impossible: accepted"
	fail=$((fail + 1))
elif grep -q "^vswitchd: --out-dir .*cannot create" "$tmp/err"; then
	pass=$((pass + 1))
else
	echo "FAIL out-dir-impossible: $(cat "$tmp/err")"
	fail=$((fail + 1))
fi

echo "bad input: $pass passed, $fail failed"
[ $fail = 0 ]
