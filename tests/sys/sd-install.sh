#!/bin/bash
# sd-install.sh - 'make install DESTDIR=... PREFIX=/usr' lays out exactly
# the tree docs/install.md documents (type, mode, path); install-brctl adds
# the two documented links and refuses to replace a brctl that is not
# ours; the unit is Type=notify with vswitchd's default paths and passes
# systemd-analyze verify; the man pages format without warnings; the staged
# programs start (vswitchd --detach, bridgectl info: the manual start used
# where systemd is absent); uninstall leaves only directories.
#   BUILD   the build tree to install from (default build), SANITIZE its
#           flavour (0 or 1, as make takes it)
. "$(dirname "$0")/sd-lib.sh"

BUILD=${BUILD:-build}
export SANITIZE=${SANITIZE:-0}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
STAGE=$T/stage
DOC=$SRC/docs/install.md

# documented BLOCK: the listing between the markers of BLOCK in install.md,
# PREFIX spelled /usr.
documented() {
	sed -n "/<!-- $1: begin/,/<!-- $1: end/p" "$DOC" |
		grep -E '^[dfl] [0-7]+ ' | sed 's|PREFIX|/usr|g'
}
# listing: what is under $STAGE/usr, in the same form, sorted by path.
listing() {
	(cd "$STAGE/usr" &&
	 find . -mindepth 1 ! -type l -printf '%y %m %P\n' &&
	 find . -mindepth 1 -type l -printf 'l %m %P -> %l\n') | sort -k3
}
# same NAME WANT GOT: the two listings are equal.
same() {
	if cmp -s "$2" "$3"; then ok; else
		fail "$1: installed tree differs from docs/install.md (-documented +installed):"
		diff -u "$2" "$3" | tail -n +3 | sed 's/^/    /' >&2
	fi
}

cd "$SRC" || exit 1
if ! make -s install BUILD="$BUILD" DESTDIR="$STAGE" PREFIX=/usr \
	>"$T/make.log" 2>&1; then
	fail "make install: $(tail -5 "$T/make.log")"
	finish
fi
documented install-tree >"$T/want"
check "install.md documents a tree" test "$(wc -l <"$T/want")" -gt 10
listing >"$T/got"
same "make install" "$T/want" "$T/got"
check "nothing outside PREFIX" test "$(ls "$STAGE")" = usr

# The unit: readiness, directories, and the daemon's own default paths.
UNIT=$STAGE/usr/lib/systemd/system/vswitchd.service
key() { sed -n "s/^$1=//p" "$UNIT"; }
check "unit: Type=notify" test "$(key Type)" = notify
check "unit: RuntimeDirectory=vswitchd" test "$(key RuntimeDirectory)" = vswitchd
check "unit: StateDirectory=vswitchd" test "$(key StateDirectory)" = vswitchd
check "unit: the socket goes to group vswitchd, if it exists" \
	test "$(key ExecStartPost)" = "-/bin/chgrp vswitchd /run/vswitchd/vswitchd.sock"
EXEC=$(key ExecStart)
check "unit: ExecStart runs the installed vswitchd ($EXEC)" \
	test "${EXEC%% *}" = /usr/sbin/vswitchd
HELP=$(env -u VSWITCHD_SOCKET -u VSWITCHD_CONFIG "$STAGE/usr/sbin/vswitchd" --help)
for opt in socket config; do
	inunit=$(echo "$EXEC" | sed -n "s/.*--$opt \([^ ]*\).*/\1/p")
	check "unit: --$opt $inunit is vswitchd's default" \
		grep -qF -- "$inunit)" <<<"$HELP"
	case $opt in
	socket) dir=/run/vswitchd ;;
	config) dir=/var/lib/vswitchd ;;
	esac
	check "unit: --$opt lives in the unit's directory $dir" \
		test "$(dirname "$inunit")" = "$dir"
done
if command -v systemd-analyze >/dev/null; then
	sed "s|^ExecStart=/usr/sbin/|ExecStart=$STAGE/usr/sbin/|" "$UNIT" \
		>"$T/vswitchd.service"
	if systemd-analyze verify --man=no "$T/vswitchd.service" \
		>"$T/verify" 2>&1 && [ ! -s "$T/verify" ]; then
		ok
	else
		fail "systemd-analyze verify: $(cat "$T/verify")"
	fi
else
	fail "systemd-analyze is missing: the unit was NOT verified"
fi

# The man pages format cleanly.
for m in man8/vswitchd.8 man8/bridgectl.8 man1/vmm.1; do
	if groff -man -ww -z "$STAGE/usr/share/man/$m" 2>"$T/groff" &&
	   [ ! -s "$T/groff" ]; then ok; else
		fail "$m: $(head -3 "$T/groff")"
	fi
done

# The manual start, from the staged tree (what works without systemd).
mkdir -p "$T/run"
if "$STAGE/usr/sbin/vswitchd" --detach --socket "$SOCK" --config "$CONF" \
	--pidfile "$T/v.pid" --log-file "$T/v.log" 2>"$T/err" &&
   "$STAGE/usr/bin/bridgectl" info >/dev/null 2>>"$T/err"; then
	ok
else
	fail "staged vswitchd --detach + bridgectl info: $(cat "$T/err")"
fi
kill "$(cat "$T/v.pid" 2>/dev/null)" 2>/dev/null
check "staged daemon stopped, pidfile gone" wait_for 5 test ! -e "$T/v.pid"

# install-brctl: the two links, and never over someone else's brctl.
make -s install-brctl BUILD="$BUILD" DESTDIR="$STAGE" PREFIX=/usr \
	>"$T/make.log" 2>&1 || fail "make install-brctl: $(tail -3 "$T/make.log")"
{ documented install-tree; documented install-brctl-tree; } | sort -k3 >"$T/want"
listing >"$T/got"
same "make install-brctl" "$T/want" "$T/got"
make -s uninstall DESTDIR="$STAGE" PREFIX=/usr >/dev/null 2>&1
check "uninstall leaves only directories" \
	test -z "$(find "$STAGE" ! -type d)"
echo "#!/bin/sh" >"$STAGE/usr/sbin/brctl"
if make -s install-brctl BUILD="$BUILD" DESTDIR="$STAGE" PREFIX=/usr \
	>"$T/make.log" 2>&1; then
	fail "install-brctl replaced another brctl"
else
	check "install-brctl says why it refuses" \
		grep -q "brctl exists and is not ours; not replacing it" "$T/make.log"
fi
check "the other brctl is untouched" test "$(cat "$STAGE/usr/sbin/brctl")" = "#!/bin/sh"
finish
