# scenarios.sh - sourced by the outer host's /init (busybox sh): one shell
# function per scenario, scn_<name with '_' for '-'>.  Each prints exactly
# one "OUTER-RESULT <name> PASS|FAIL ..." line.
#
# Both VMMs boot the same stock Debian kernel (/guest/vmlinuz) and the same
# initramfs (/guest/initrd.cpio, tests/linux/guest-init.sh) on the outer
# host's kvm-amd.  Settings (outer.NAME=VALUE on the outer command line):
#
#   GUEST_MEM   guest RAM in MiB (512)
#   GUEST_QUIET 1: "quiet" on the guest command line (1); the serial port
#               is slow when nested, a full boot log costs seconds
#   NET_MODE    how our VMM joins the switch: vhost-user (vswitchd port
#               "type vhost-user ... server", vmm --net vhost-user:SOCK) or
#               bridge (vmm --net br0, the VMM asks vswitchd itself)
#   BOOT_TIMEOUT seconds until a guest must have finished (240)
#   GUEST_APPEND more guest command line words, comma-separated
#               (outer.GUEST_APPEND=printk.time=1,loglevel=7)
#   BENCH_RUNS  runs of each VMM in the bench scenario (2)
#   BENCH_TARGET the bench fails above this ratio ours/QEMU (1.0)
#   SHOW_LOG    1: copy every guest console to the outer console, prefixed
#               "    | " (for comparing boot logs); default only on failure

GUEST_MEM=${GUEST_MEM:-512}
GUEST_QUIET=${GUEST_QUIET:-1}
NET_MODE=${NET_MODE:-vhost-user}
BOOT_TIMEOUT=${BOOT_TIMEOUT:-240}
SHOW_LOG=${SHOW_LOG:-0}
BENCH_TARGET=${BENCH_TARGET:-1.0}
VMM=/bin/vmm
VSWITCHD=/bin/vswitchd
QEMU=/usr/bin/qemu-system-x86_64
VSW_DIR=/run/vsw
VSW_PID=
HOST_IP=10.0.8.1
GUEST_IP=10.0.8.2

now() { cut -d' ' -f1 /proc/uptime; }
# elapsed T0 [T1]: seconds between two now() readings (10 ms resolution).
elapsed() { awk -v a="$1" -v b="${2:-$(now)}" 'BEGIN { printf "%.2f", b - a }'; }

guest_cmdline() {
	local c="console=ttyS0 reboot=k panic=-1"
	[ "$GUEST_QUIET" = 1 ] && c="$c quiet"
	[ -n "${GUEST_APPEND:-}" ] && c="$c $(echo "$GUEST_APPEND" | tr ',' ' ')"
	echo "$c $*"
}

# vm_start KIND LOG CPUS CMDLINE [NETARGS...]: boots the guest under KIND
# (qemu or ours) in the background, serial output to LOG.  Sets VM_PID
# and VM_T0 (the time just before the VMM was started).
vm_start() {
	local kind=$1 log=$2 cpus=$3 cmdline=$4
	shift 4
	: >"$log"
	VM_T0=$(now)
	case "$kind" in
	qemu)
		$QEMU -enable-kvm -cpu host -m "$GUEST_MEM" -smp "$cpus" \
			-display none -nodefaults -no-user-config -no-reboot \
			-serial "file:$log" -kernel /guest/vmlinuz \
			-initrd /guest/initrd.cpio -append "$cmdline" "$@" \
			</dev/null >"$log.err" 2>&1 &
		;;
	ours)
		$VMM run --kernel /guest/vmlinuz --initrd /guest/initrd.cpio \
			--cmdline "$cmdline" --mem "${GUEST_MEM}M" --cpus "$cpus" \
			--serial "$log" "$@" </dev/null >"$log.err" 2>&1 &
		;;
	esac
	VM_PID=$!
}

# vm_wait_line LOG PATTERN SECONDS: waits until LOG has a line matching
# PATTERN (grep -E); sets VM_T1 to when it was seen.  Fails on timeout or
# when the VMM exits first.
vm_wait_line() {
	local log=$1 pat=$2 limit=$3 t0
	t0=$(now)
	while :; do
		if grep -qE "$pat" "$log" 2>/dev/null; then
			VM_T1=$(now)
			return 0
		fi
		if ! kill -0 "$VM_PID" 2>/dev/null; then
			grep -qE "$pat" "$log" 2>/dev/null && { VM_T1=$(now); return 0; }
			return 1
		fi
		[ "$(elapsed "$t0" | cut -d. -f1)" -ge "$limit" ] && return 1
		usleep 20000
	done
}

# vm_stop: waits up to 20 s for the VMM to exit (the guest reboots itself
# after its test), then kills it.  Sets VM_STATUS to its exit status.
vm_stop() {
	for _ in $(seq 200); do
		kill -0 "$VM_PID" 2>/dev/null || break
		usleep 100000
	done
	if kill -0 "$VM_PID" 2>/dev/null; then
		kill "$VM_PID" 2>/dev/null
		usleep 500000
		kill -9 "$VM_PID" 2>/dev/null
	fi
	wait "$VM_PID" 2>/dev/null
	VM_STATUS=$?
}

# rss_extra_kib PID: resident memory of PID in KiB that is not guest RAM:
# every mapping of at least GUEST_MEM MiB is taken to be guest RAM.
rss_extra_kib() {
	awk -v min=$((GUEST_MEM * 1024)) '
		/^[0-9a-f]+-[0-9a-f]+ / {
			split($1, r, "-")
			big = (("0x" r[2]) - ("0x" r[1])) / 1024 >= min
		}
		/^Rss:/ { if (!big) sum += $2 }
		END { print sum + 0 }' "/proc/$1/smaps" 2>/dev/null
}

# show_log NAME LOG: the end of a guest's output, for failure reports.
show_log() {
	echo "OUTER: --- $1: last lines of the guest console ---"
	{ tail -n 40 "$2"; echo; } | tr -d '\r' | sed 's/^/    | /'
	[ -s "$2.err" ] && tail -n 15 "$2.err" | sed 's/^/    ! /'
}

# run_check NAME KIND CPUS CMDLINE-ARGS [NETARGS...]: boots a guest that
# runs one guest-init test and reports its result line.
run_check() {
	local name=$1 kind=$2 cpus=$3 args=$4 log=/tmp/$1.log st res why
	shift 4
	vm_start "$kind" "$log" "$cpus" "$(guest_cmdline "$args")" "$@"
	if ! vm_wait_line "$log" '^GUEST-DONE' "$BOOT_TIMEOUT"; then
		if kill -0 "$VM_PID" 2>/dev/null; then
			why="no GUEST-DONE within ${BOOT_TIMEOUT}s"
		else
			why="the VMM exited before GUEST-DONE"
		fi
		vm_stop
		show_log "$name" "$log"
		echo "OUTER-RESULT $name FAIL: $why (VMM exit status $VM_STATUS)"
		return 1
	fi
	vm_stop
	st=$VM_STATUS
	[ "$SHOW_LOG" = 1 ] && { tr -d '\r' <"$log"; echo; } |
		sed "s/^/    | [$name] /"
	res=$(grep '^GUEST-TEST' "$log" | tr -d '\r' | head -1)
	case "$res" in
	*" PASS"*)
		echo "OUTER-RESULT $name PASS: ${res#GUEST-TEST } ($(elapsed \
			"$VM_T0" "$VM_T1") s, VMM exit status $st)"
		;;
	*)
		show_log "$name" "$log"
		echo "OUTER-RESULT $name FAIL: ${res:-no result line}"
		return 1
		;;
	esac
}

need_vmm() {
	[ -x "$VMM" ] && return 0
	echo "OUTER-RESULT $1 FAIL: VMM not built (no static vmm in the" \
		"outer initramfs: make static-vmm, then prepare again)"
	return 1
}

need_vswitchd() {
	[ -x "$VSWITCHD" ] && return 0
	echo "OUTER-RESULT $1 FAIL: vswitchd not built (no static vswitchd" \
		"in the outer initramfs)"
	return 1
}

# switch_start PORT-LINE...: vswitchd with bridge br0 (its host device, a
# TAP also named br0, gets $HOST_IP: that is the host the guest pings),
# plus the given setup lines.
switch_start() {
	local l
	mkdir -p "$VSW_DIR"
	rm -f "$VSW_DIR"/*.sock
	{
		echo "bridge add br0"
		for l in "$@"; do echo "$l"; done
	} >"$VSW_DIR/setup"
	$VSWITCHD --script "$VSW_DIR/setup" --test-mode --no-config \
		--socket "$VSW_DIR/ctl.sock" >"$VSW_DIR/vswitchd.log" 2>&1 &
	VSW_PID=$!
	for _ in $(seq 100); do
		if grep -q "vswitchd started" "$VSW_DIR/vswitchd.log" &&
		   [ -e /sys/class/net/br0 ]; then
			ip addr add "$HOST_IP/24" dev br0
			ip link set br0 up
			return 0
		fi
		kill -0 "$VSW_PID" 2>/dev/null || break
		usleep 100000
	done
	echo "OUTER: vswitchd did not start:"
	sed 's/^/    ! /' "$VSW_DIR/vswitchd.log" | tail -20
	switch_stop
	return 1
}

switch_stop() {
	[ -n "$VSW_PID" ] || return 0
	kill "$VSW_PID" 2>/dev/null
	wait "$VSW_PID" 2>/dev/null
	VSW_PID=
}

# ping_check NAME KIND NETARGS...: the guest pings the host (br0) through
# vswitchd, then the host pings the guest while it holds.
ping_check() {
	local name=$1 kind=$2 port rc
	shift 2
	port="port add br0 vm0 type vhost-user path $VSW_DIR/vm0.sock server"
	[ "$kind:$NET_MODE" = ours:bridge ] && port=
	switch_start "$port" || {
		echo "OUTER-RESULT $name FAIL: vswitchd did not start"
		return 1
	}
	run_check "$name" "$kind" 1 \
		"gtest=ping gip=$GUEST_IP/24 gpeer=$HOST_IP" "$@"
	rc=$?
	if [ $rc != 0 ]; then
		echo "OUTER: --- vswitchd log ---"
		tail -n 20 "$VSW_DIR/vswitchd.log" | sed 's/^/    ! /'
	fi
	switch_stop
	return $rc
}

# ---- the scenarios ----------------------------------------------------------

# QEMU 7.2 -enable-kvm boots the guest to its init: the yardstick.
scn_qemu_yardstick() {
	run_check qemu-yardstick qemu 1 "gtest=boot" -nic none
}

# QEMU as vhost-user front-end of vswitchd, nested: checks the ping path
# (switch, host device, guest init) independently of our VMM.
scn_qemu_ping() {
	need_vswitchd qemu-ping || return 1
	ping_check qemu-ping qemu \
		-object "memory-backend-memfd,id=mem,size=${GUEST_MEM}M,share=on" \
		-numa node,memdev=mem \
		-chardev "socket,id=c0,path=$VSW_DIR/vm0.sock" \
		-netdev vhost-user,id=n0,chardev=c0 \
		-device virtio-net-pci,netdev=n0,romfile=
}

scn_ours_boot() {
	need_vmm ours-boot || return 1
	run_check ours-boot ours 1 "gtest=boot"
}

scn_ours_smp() {
	need_vmm ours-smp || return 1
	run_check ours-smp ours 2 "gtest=smp gcpus=2"
}

scn_ours_ping() {
	need_vmm ours-ping || return 1
	need_vswitchd ours-ping || return 1
	case "$NET_MODE" in
	bridge)
		VSWITCHD_SOCKET=$VSW_DIR/ctl.sock ping_check ours-ping ours \
			--net br0
		;;
	*)
		ping_check ours-ping ours --net "vhost-user:$VSW_DIR/vm0.sock"
		;;
	esac
}

# bench_one KIND: time from starting the VMM to the guest init's first
# line, and the VMM's resident memory beyond guest RAM (read while the
# guest holds in its init).  Sets B_TIME and B_RSS.
bench_one() {
	local kind=$1 log=/tmp/bench-$1.log
	B_TIME='' B_RSS=''
	set -- -nic none
	[ "$kind" = ours ] && set --
	vm_start "$kind" "$log" 1 "$(guest_cmdline gtest=hold ghold=3)" "$@"
	if ! vm_wait_line "$log" '^GUEST-INIT: start' "$BOOT_TIMEOUT"; then
		vm_stop
		show_log "bench-$kind" "$log"
		return 1
	fi
	B_TIME=$(elapsed "$VM_T0" "$VM_T1")
	vm_wait_line "$log" '^GUEST-TEST' 30
	B_RSS=$(awk -v k="$(rss_extra_kib "$VM_PID")" \
		'BEGIN { printf "%.1f", k / 1024 }')
	vm_stop
	echo "OUTER-BENCH $kind first-init-line ${B_TIME} s," \
		"RSS beyond guest RAM ${B_RSS} MiB"
}

# Both VMMs, same kernel, initramfs, RAM and command line, BENCH_RUNS
# times each, alternating (the machine is shared: alternating spreads load
# changes over both); the best run of each counts.  Ratio ours/QEMU (the
# target is <= 1.0).
scn_bench() {
	local n=${BENCH_RUNS:-2} i tq='' to='' rq='' ro='' kind ratio verdict
	need_vmm bench || return 1
	for i in $(seq "$n"); do
		for kind in qemu ours; do
			if ! bench_one "$kind"; then
				echo "OUTER-RESULT bench FAIL: $kind did not boot (run $i)"
				return 1
			fi
			if [ "$kind" = qemu ]; then
				tq="$tq $B_TIME" rq="$rq $B_RSS"
			else
				to="$to $B_TIME" ro="$ro $B_RSS"
			fi
		done
	done
	tq=$(min_of $tq) to=$(min_of $to) rq=$(min_of $rq) ro=$(min_of $ro)
	ratio=$(awk -v a="$to" -v b="$tq" 'BEGIN { printf "%.2f", a / b }')
	verdict=PASS
	awk -v r="$ratio" -v t="$BENCH_TARGET" 'BEGIN { exit !(r > t) }' &&
		verdict="FAIL: ratio above the target $BENCH_TARGET;"
	echo "OUTER-RESULT bench $verdict boot to init (best of $n): ours" \
		"${to} s, QEMU ${tq} s, ratio ours/QEMU $ratio; RSS beyond" \
		"guest RAM: ours ${ro} MiB, QEMU ${rq} MiB"
	[ "$verdict" = PASS ]
}

min_of() { echo "$@" | tr ' ' '\n' | sort -n | head -1; }
