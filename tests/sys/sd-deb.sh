#!/bin/bash
# sd-deb.sh - 'make deb' builds a package whose contents are the tree
# docs/install.md lists, whose maintainer scripts enable, start, stop and
# purge the service, and which survives an install -> start ->
# 'bridgectl brctl show' -> purge round trip:
#   - where systemd runs (/run/systemd/system), on this machine, with
#     systemctl (needs root);
#   - elsewhere, saying so, in a scratch root (dpkg --root, maintainer
#     scripts run with DPKG_ROOT), then a manual start of the installed
#     vswitchd on a socket in the test directory.
# Needs dpkg-buildpackage and debhelper (make deps).
. "$(dirname "$0")/sd-lib.sh"

SRC=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$T/deb
cd "$SRC" || exit 1
if ! command -v dh >/dev/null || ! command -v dpkg-buildpackage >/dev/null; then
	fail "sd-deb.sh: NOT RUN: needs debhelper and dpkg-buildpackage (make deps)"
	finish
fi
if ! make -s deb DEB_OUT="$OUT" >"$T/build.log" 2>&1; then
	fail "make deb: $(tail -5 "$T/build.log")"
	finish
fi
DEB=$(ls "$OUT"/vswitch_*_amd64.deb 2>/dev/null)
check "make deb built a package ($(basename "$DEB"))" test -f "$DEB"

# Contents, as docs/install.md lists them.
sed -n '/<!-- deb-tree: begin/,/<!-- deb-tree: end/p' docs/install.md |
	grep -E '^[dfl] [0-7]+ ' >"$T/want"
dpkg-deb -c "$DEB" | python3 -c '
import stat, sys
for line in sys.stdin:
    f = line.split()
    mode, path = f[0], f[5].lstrip("./").rstrip("/")
    if not path:
        continue
    kind = {"d": "d", "-": "f", "l": "l"}[mode[0]]
    bits = 0
    for i, c in enumerate(mode[1:10]):
        if c != "-":
            bits |= 1 << (8 - i)
    print(kind, "%o" % bits, path)' | sort -k3 >"$T/got"
if cmp -s "$T/want" "$T/got"; then ok; else
	fail "package contents differ from docs/install.md (-documented +packaged):"
	diff -u "$T/want" "$T/got" | tail -n +3 | sed 's/^/    /' >&2
fi
check "no brctl in the package (bridge-utils owns it)" \
	eval '! dpkg-deb -c "$DEB" | grep -q brctl'

# Maintainer scripts: enable/start on install, stop on removal, purge
# removes the saved configuration.
mkdir -p "$T/ctrl"
dpkg-deb -e "$DEB" "$T/ctrl"
check "postinst enables vswitchd.service" \
	grep -q "deb-systemd-helper.* enable 'vswitchd.service'\|deb-systemd-helper enable .*vswitchd.service" "$T/ctrl/postinst"
check "postinst starts vswitchd.service where systemd runs" \
	grep -qF "deb-systemd-invoke \$_dh_action 'vswitchd.service'" "$T/ctrl/postinst"
check "prerm stops vswitchd.service" \
	grep -q "deb-systemd-invoke stop .*vswitchd.service" "$T/ctrl/prerm"
check "postinst creates group vswitchd (for the socket)" \
	grep -q "groupadd --system vswitchd" "$T/ctrl/postinst"
check "postrm purge removes /var/lib/vswitchd" \
	grep -q 'rm -rf "${DPKG_ROOT:-}/var/lib/vswitchd"' "$T/ctrl/postrm"

if [ -d /run/systemd/system ] && [ "$(id -u)" = 0 ]; then
	echo "sd-deb.sh: systemd runs here: install, start, brctl show and purge on this machine"
	if dpkg -i "$DEB" >"$T/dpkg.log" 2>&1; then ok; else
		fail "dpkg -i: $(tail -3 "$T/dpkg.log")"
	fi
	systemctl start vswitchd || fail "systemctl start vswitchd"
	check "active after start" systemctl is-active --quiet vswitchd
	check "socket in group vswitchd" \
		test "$(stat -c %G /run/vswitchd/vswitchd.sock)" = vswitchd
	if env -u VSWITCHD_SOCKET bridgectl brctl show >"$T/show" 2>&1 &&
	   env -u VSWITCHD_SOCKET bridgectl info >/dev/null 2>&1; then ok; else
		fail "bridgectl brctl show under systemd: $(cat "$T/show")"
	fi
	dpkg --purge vswitch >"$T/dpkg.log" 2>&1 || fail "dpkg --purge: $(tail -3 "$T/dpkg.log")"
	check "purge: service gone" eval '! systemctl is-active --quiet vswitchd'
	check "purge: /var/lib/vswitchd gone" test ! -e /var/lib/vswitchd
	check "purge: binaries gone" test ! -e /usr/sbin/vswitchd
	finish
fi

echo "sd-deb.sh: no systemd here: the start under systemd was NOT tested;" \
	"install and purge run in a scratch root, then a manual start"
R=$T/root
mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates"
: >"$R/var/lib/dpkg/status"
: >"$R/var/lib/dpkg/available"
# The scratch root has no libc package: its dependencies are this host's.
DPKG="dpkg --root=$R --force-depends --force-script-chrootless --force-not-root"
if $DPKG -i "$DEB" >"$T/dpkg.log" 2>&1; then ok; else
	fail "dpkg -i (scratch root): $(tail -3 "$T/dpkg.log")"
fi
check "installed: status" eval "$DPKG -s vswitch 2>/dev/null | grep -q '^Status: install ok installed'"
check "installed: unit enabled (multi-user.target.wants)" \
	test -L "$R/etc/systemd/system/multi-user.target.wants/vswitchd.service"
mkdir -p "$T/run"
if "$R/usr/sbin/vswitchd" --detach --socket "$SOCK" --config "$CONF" \
	--pidfile "$T/v.pid" --log-file "$T/v.log" 2>"$T/err" &&
   "$R/usr/bin/bridgectl" brctl show >"$T/show" 2>>"$T/err" &&
   "$R/usr/bin/bridgectl" info >/dev/null 2>>"$T/err"; then
	ok
else
	fail "manual start + bridgectl brctl show: $(cat "$T/err" "$T/show")"
fi
kill "$(cat "$T/v.pid" 2>/dev/null)" 2>/dev/null
wait_for 5 test ! -e "$T/v.pid"
mkdir -p "$R/var/lib/vswitchd"
echo '{}' >"$R/var/lib/vswitchd/config.json"
if $DPKG --purge vswitch >"$T/dpkg.log" 2>&1; then ok; else
	fail "dpkg --purge (scratch root): $(tail -3 "$T/dpkg.log")"
fi
check "purged: /var/lib/vswitchd removed" test ! -e "$R/var/lib/vswitchd"
check "purged: unit no longer enabled" \
	test ! -e "$R/etc/systemd/system/multi-user.target.wants/vswitchd.service"
check "purged: no file of the package left" \
	test -z "$(find "$R" ! -type d ! -path "$R/var/lib/dpkg/*")"
finish
