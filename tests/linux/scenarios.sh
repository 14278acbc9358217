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
#   SHMEM_THP   written to /sys/kernel/mm/transparent_hugepage/shmem_enabled
#               by outer-init.sh when set (advise: our VMM's memfd guest RAM
#               gets huge pages, see docs/linux-guests.md)
#   BOOT_TIMEOUT seconds until a guest must have finished (240)
#   GUEST_APPEND more guest command line words, comma-separated
#               (outer.GUEST_APPEND=printk.time=1,loglevel=7)
#   BENCH_RUNS  runs of each VMM in the bench scenario (3)
#   BENCH_TARGET the ratio ours/QEMU the bench reports as met or not (1.0)
#   SHOW_LOG    1: copy every guest console to the outer console, prefixed
#               "    | " (for comparing boot logs), and the VMM's stderr,
#               prefixed "    ! "; default only on failure
#   KVM_STATS   1: the bench prints KVM's debugfs counters of each VM when
#               its guest reaches init (exits by kind, page faults...)
#   GUEST_KERNEL the kernel file both VMMs boot (/guest/vmlinuz; the bench
#               also boots /guest/vmlinux when prepare.sh put it there)
#   VMM_ARGS    more arguments for our VMM, comma-separated
#               (outer.VMM_ARGS=--timing: start-up steps and exit counts)
#   TCP_MIB     MiB the bench-tcp source guest sends per run (320)
#   TCP_REV_MIB MiB the sink sends back afterwards, the reverse check (4)

GUEST_MEM=${GUEST_MEM:-512}
GUEST_QUIET=${GUEST_QUIET:-1}
BOOT_TIMEOUT=${BOOT_TIMEOUT:-240}
SHOW_LOG=${SHOW_LOG:-0}
BENCH_TARGET=${BENCH_TARGET:-1.0}
VMM=/bin/vmm
VSWITCHD=/bin/vswitchd
QEMU=/usr/bin/qemu-system-x86_64
VSW_DIR=/run/vsw
VSW_PID=
HOST_IP=10.0.8.1		# br0, the bridge's own host device
NS_IP=10.0.8.3			# h1: a TAP port moved into a namespace
GUEST_IP=10.0.8.2
NS_PID=

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
			-serial "file:$log" -kernel "${GUEST_KERNEL:-/guest/vmlinuz}" \
			-initrd /guest/initrd.cpio -append "$cmdline" "$@" \
			</dev/null >"$log.err" 2>&1 &
		;;
	ours)
		# shellcheck disable=SC2046 # VMM_ARGS: words, split on ','
		$VMM run --kernel "${GUEST_KERNEL:-/guest/vmlinuz}" --initrd /guest/initrd.cpio \
			--cmdline "$cmdline" --mem "${GUEST_MEM}M" --cpus "$cpus" \
			--serial "$log" $(echo "${VMM_ARGS:-}" | tr ',' ' ') "$@" \
			</dev/null >"$log.err" 2>&1 &
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

# kvm_stats PID: KVM's own counters for the VM of process PID (debugfs,
# summed over its vCPUs), on one line: the same measure for both VMMs.
kvm_stats() {
	local d f out=''
	d=$(ls -d /sys/kernel/debug/kvm/"$1"-* 2>/dev/null | head -1)
	[ -n "$d" ] || { echo "no KVM debugfs for pid $1"; return; }
	for f in exits io_exits mmio_exits irq_exits halt_exits \
		 irq_injections pf_fixed pf_taken nmi_window_exits \
		 irq_window_exits request_irq_exits insn_emulation; do
		[ -r "$d/$f" ] && out="$out $f=$(cat "$d/$f")"
	done
	echo "${out# }"
}

# show_log NAME LOG: the end of a guest's output, for failure reports.
show_log() {
	echo "OUTER: --- $1: last lines of the guest console ---"
	{ tail -n 40 "$2"; echo; } | tr -d '\r' | sed 's/^/    | /'
	[ -s "$2.err" ] && tail -n 15 "$2.err" | sed 's/^/    ! /'
}

# vm_boot NAME KIND LOG CPUS CMDLINE PATTERN [NETARGS...]: boots the guest
# and waits until its console has a line matching PATTERN; returns 0 with
# the VM still running.  The emulated outer CPU now and then kills a guest
# kernel (seen with QEMU as often as with ours, docs/linux-guests.md) with
# a triple fault: our VMM ends with status 3 (nothing but the guest writes
# its RAM, apart from vswitchd filling the receive buffers the guest's
# driver posts); QEMU (-no-reboot) just exits, which is told apart from a
# panic only before the guest's init started.  Such a boot is retried,
# twice at most, loudly.  A guest that reported a test result, a VMM
# error, a panic or a hang is never retried.  Sets VB_WHY (why it failed)
# and VB_NOTE (retries, for the result line).
vm_boot() {
	local name=$1 kind=$2 log=$3 cpus=$4 cmdline=$5 pat=$6 try hung
	shift 6
	VB_NOTE=''
	for try in 1 2 3; do
		vm_start "$kind" "$log" "$cpus" "$cmdline" "$@"
		vm_wait_line "$log" "$pat" "$BOOT_TIMEOUT" && return 0
		hung=0
		kill -0 "$VM_PID" 2>/dev/null && hung=1
		vm_stop
		show_log "$name" "$log"
		if [ $hung = 1 ]; then
			VB_WHY="no ${pat#^} within ${BOOT_TIMEOUT}s"
		else
			VB_WHY="the VMM exited before ${pat#^}"
		fi
		VB_WHY="$VB_WHY (VMM exit status $VM_STATUS)"
		[ $hung = 1 ] || [ $try = 3 ] && return 1
		grep -q '^GUEST-TEST' "$log" && return 1
		if [ "$kind" = ours ]; then
			[ "$VM_STATUS" = 3 ] || return 1
		else
			grep -q '^GUEST-INIT: start' "$log" && return 1
		fi
		echo "OUTER: $name: RETRY: the guest died ($VB_WHY)"
		VB_NOTE=" after $try boot(s) that died"
	done
}

# run_check NAME KIND CPUS CMDLINE-ARGS [NETARGS...]: boots a guest that
# runs one guest-init test and reports its result line.
run_check() {
	local name=$1 kind=$2 cpus=$3 args=$4 log=/tmp/$1.log st res
	shift 4
	if ! vm_boot "$name" "$kind" "$log" "$cpus" \
	     "$(guest_cmdline "$args")" '^GUEST-DONE' "$@"; then
		echo "OUTER-RESULT $name FAIL: $VB_WHY"
		return 1
	fi
	vm_stop
	st=$VM_STATUS
	if [ "$SHOW_LOG" = 1 ]; then
		{ tr -d '\r' <"$log"; echo; } | sed "s/^/    | [$name] /"
		sed "s/^/    ! [$name] /" "$log.err"
	fi
	res=$(grep '^GUEST-TEST' "$log" | tr -d '\r' | head -1)
	case "$res" in
	*" PASS"*)
		echo "OUTER-RESULT $name PASS: ${res#GUEST-TEST } ($(elapsed \
			"$VM_T0" "$VM_T1") s, VMM exit status $st$VB_NOTE)"
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

# switch_start PORT-LINE...: vswitchd with bridge br0 and two hosts: the
# bridge's own host device (a TAP also named br0, $HOST_IP) and h1, a TAP
# port whose netdev is moved into a network namespace ($NS_IP) -- the
# outer host's busybox has no "ip netns", so the namespace is held by an
# "unshare -n" sleeper and entered with nsenter.  Plus the given setup lines.
switch_start() {
	local l
	mkdir -p "$VSW_DIR"
	rm -f "$VSW_DIR"/*.sock
	{
		echo "bridge add br0"
		echo "port add br0 h1 type tap"
		for l in "$@"; do [ -n "$l" ] && echo "$l"; done
	} >"$VSW_DIR/setup"
	$VSWITCHD --script "$VSW_DIR/setup" --test-mode --no-config \
		--socket "$VSW_DIR/ctl.sock" >"$VSW_DIR/vswitchd.log" 2>&1 &
	VSW_PID=$!
	for _ in $(seq 100); do
		if grep -q "vswitchd started" "$VSW_DIR/vswitchd.log" &&
		   [ -e /sys/class/net/br0 ] && [ -e /sys/class/net/h1 ]; then
			ip addr add "$HOST_IP/24" dev br0
			ip link set br0 up
			ns_host_start && return 0
			break
		fi
		kill -0 "$VSW_PID" 2>/dev/null || break
		usleep 100000
	done
	echo "OUTER: vswitchd or its hosts did not start:"
	sed 's/^/    ! /' "$VSW_DIR/vswitchd.log" | tail -20
	switch_stop
	return 1
}

# ns_host_start: moves h1 into a new network namespace and configures it.
ns_host_start() {
	unshare -n sleep 100000 &
	NS_PID=$!
	usleep 100000
	ip link set h1 netns "$NS_PID" &&
	nsenter -t "$NS_PID" -n ip link set lo up &&
	nsenter -t "$NS_PID" -n ip addr add "$NS_IP/24" dev h1 &&
	nsenter -t "$NS_PID" -n ip link set h1 up
}

switch_stop() {
	if [ -n "$NS_PID" ]; then
		kill "$NS_PID" 2>/dev/null
		wait "$NS_PID" 2>/dev/null
		NS_PID=
	fi
	[ -n "$VSW_PID" ] || return 0
	kill "$VSW_PID" 2>/dev/null
	wait "$VSW_PID" 2>/dev/null
	VSW_PID=
}

# ping_check NAME KIND [vhost] NETARGS...: the guest pings both hosts
# through vswitchd.  "vhost": the port is a vhost-user server socket made
# by the setup script (the VMM connects to it); otherwise the VMM creates
# its own port through the control socket (--net br0).
ping_check() {
	local name=$1 kind=$2 port='' rc
	shift 2
	if [ "${1:-}" = vhost ]; then
		port="port add br0 vm0 type vhost-user path $VSW_DIR/vm0.sock server"
		shift
	fi
	switch_start "$port" || {
		echo "OUTER-RESULT $name FAIL: vswitchd did not start"
		return 1
	}
	run_check "$name" "$kind" 1 \
		"gtest=ping gip=$GUEST_IP/24 gpeer=$NS_IP,$HOST_IP" "$@"
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
	ping_check qemu-ping qemu vhost \
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

# Our VMM on the switch as a user would start it: --net br0 (the VMM asks
# vswitchd for a vhost-user port named after the VM).
scn_ours_ping() {
	need_vmm ours-ping || return 1
	need_vswitchd ours-ping || return 1
	VSWITCHD_SOCKET=$VSW_DIR/ctl.sock ping_check ours-ping ours --net br0
}

# The same with a vhost-user socket the switch was configured with.
scn_ours_ping_vhost() {
	need_vmm ours-ping-vhost || return 1
	need_vswitchd ours-ping-vhost || return 1
	ping_check ours-ping-vhost ours vhost \
		--net "vhost-user:$VSW_DIR/vm0.sock"
}

# bench_one KIND: time from starting the VMM to the guest init's first
# line, and the VMM's resident memory beyond guest RAM (read while the
# guest holds in its init).  Sets B_TIME and B_RSS.  KIND:
#   qemu          QEMU, the bzImage
#   ours          our VMM, the bzImage, the host's shmem THP at "advise"
#   ours-4k       the same with shmem THP "never" (Debian's default)
#   qemu-vmlinux  QEMU, the same kernel's uncompressed vmlinux (PVH entry)
#   ours-vmlinux  our VMM, the vmlinux (64-bit ELF entry), THP "advise"
# Our guest RAM is a memfd, shared with the switch, so only shmem THP gives
# it huge pages; QEMU's default RAM is private anonymous memory, which gets
# THP under Debian's default settings.
bench_one() {
	local kind=$1 log=/tmp/bench-$1.log vmm=${1%%-*} GUEST_KERNEL
	B_TIME='' B_RSS=''
	case "$kind" in
	*-vmlinux) GUEST_KERNEL=/guest/vmlinux ;;
	*) GUEST_KERNEL=/guest/vmlinuz ;;
	esac
	set -- -nic none
	if [ "$vmm" = ours ]; then
		set --
		if [ "$kind" = ours-4k ]; then
			echo never >"$THP_SHMEM"
		else
			echo advise >"$THP_SHMEM"
		fi
	fi
	vm_boot "bench-$kind" "$vmm" "$log" 1 \
		"$(guest_cmdline gtest=hold ghold=3)" '^GUEST-INIT: start' "$@" ||
		return 1
	B_TIME=$(elapsed "$VM_T0" "$VM_T1")
	[ "${KVM_STATS:-0}" = 1 ] &&
		echo "OUTER-BENCH $kind kvm at init: $(kvm_stats "$VM_PID")"
	vm_wait_line "$log" '^GUEST-TEST' 30
	B_RSS=$(awk -v k="$(rss_extra_kib "$VM_PID")" \
		'BEGIN { printf "%.1f", k / 1024 }')
	vm_stop
	echo "OUTER-BENCH $kind first-init-line ${B_TIME} s," \
		"RSS beyond guest RAM ${B_RSS} MiB"
}

THP_SHMEM=/sys/kernel/mm/transparent_hugepage/shmem_enabled

# Both VMMs, same kernel, initramfs, RAM and command line, BENCH_RUNS
# times each, interleaved (the machine is shared: interleaving spreads
# load changes over all); the best and the median run of each are
# reported, and the ratio ours/QEMU of the best runs (the target is
# <= $BENCH_TARGET for the bzImage).  With /guest/vmlinux in the outer
# initramfs (prepare.sh with VMLINUX=1) both also boot the uncompressed
# kernel.  A guest that does not boot fails the scenario.
scn_bench() {
	local n=${BENCH_RUNS:-3} i kind kinds thp0 out last target
	need_vmm bench || return 1
	kinds="qemu ours ours-4k"
	[ -s /guest/vmlinux ] && kinds="$kinds qemu-vmlinux ours-vmlinux"
	thp0=$(sed 's/.*\[\(.*\)\].*/\1/' "$THP_SHMEM")
	: >/tmp/bench.times
	for i in $(seq "$n"); do
		for kind in $kinds; do
			if ! bench_one "$kind"; then
				echo "$thp0" >"$THP_SHMEM"
				echo "OUTER-RESULT bench FAIL: $kind did not boot" \
					"(run $i): $VB_WHY"
				return 1
			fi
			echo "$kind $B_TIME $B_RSS" >>/tmp/bench.times
		done
	done
	echo "$thp0" >"$THP_SHMEM"
	# One summary line per kind (best, median, smallest RSS, ratio to
	# QEMU on the same kernel file); last, the figures of the verdict.
	out=$(awk -v kinds="$kinds" '
		{ t[$1, ++n[$1]] = $2; if (!($1 in r) || $3 < r[$1]) r[$1] = $3 }
		END {
			for (k in n) {
				m = n[k]
				for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++)
					if (t[k, j] < t[k, i]) { x = t[k, i]; t[k, i] = t[k, j]; t[k, j] = x }
				best[k] = t[k, 1]; med[k] = t[k, int((m + 1) / 2)]
			}
			nk = split(kinds, K, " ")
			for (i = 1; i <= nk; i++) {
				k = K[i]
				q = k ~ /vmlinux/ ? "qemu-vmlinux" : "qemu"
				printf "OUTER-BENCH summary %-12s best %6.2f s, median %6.2f s, RSS beyond guest RAM %5.1f MiB", \
					k, best[k], med[k], r[k]
				if (k != q)
					printf ", ratio to %s %.2f", q, best[k] / best[q]
				printf "\n"
			}
			printf "%.2f %.2f %.2f %.2f\n", best["ours"], best["qemu"], \
				best["ours"] / best["qemu"], best["ours-4k"] / best["qemu"]
		}' /tmp/bench.times)
	echo "$out" | grep '^OUTER-BENCH summary'
	last=$(echo "$out" | tail -n 1)
	set -- $last
	target="target <= $BENCH_TARGET met"
	awk -v r="$3" -v t="$BENCH_TARGET" 'BEGIN { exit !(r > t) }' &&
		target="target <= $BENCH_TARGET NOT met"
	echo "OUTER-RESULT bench PASS boot to init (bzImage, best of $n):" \
		"ours $1 s, QEMU $2 s, ratio ours/QEMU $3, $target" \
		"(without shmem THP: $4)"
}

# ---- bench-tcp: TCP between two guests through vswitchd ----------------------
# Settings: TCP_MIB (MiB B sends to A per run, 320), TCP_REV_MIB (MiB A
# sends back, the reverse check, 4).
BRIDGECTL=/bin/bridgectl
TCP_IP_A=10.0.8.20		# guest A, the sink (port vma)
TCP_IP_B=10.0.8.21		# guest B, the source (port vmb)

# tcp_boot KIND A|B: boots guest A (the sink, port vma, until it listens)
# or B (the source, port vmb, until eth0 is up) under KIND, its console
# in /tmp/tcp-vma.log or /tmp/tcp-vmb.log.  The NIC is on vhost-user port
# $VSW_DIR/PORT.sock (vswitchd the server); QEMU's RAM is a shared memfd,
# as vhost-user needs (ours always is).  Returns vm_boot's status.
tcp_boot() {
	local kind=$1 role=$2 args pat port mac sock
	if [ "$role" = A ]; then
		args="gtest=tcprecv gip=$TCP_IP_A/24 gpeer=$TCP_IP_B grev=$TCP_REV_MIB"
		pat='^GUEST-TCP: ready' port=vma mac=52:54:00:76:6d:0a
	else
		args="gtest=tcpsend gip=$TCP_IP_B/24 gpeer=$TCP_IP_A gmib=$TCP_MIB"
		pat='^GUEST-TCP: virtio' port=vmb mac=52:54:00:76:6d:0b
	fi
	sock=$VSW_DIR/$port.sock
	if [ "$kind" = ours ]; then
		set -- --net "vhost-user:$sock" --mac "$mac"
	else
		set -- -object "memory-backend-memfd,id=mem,size=${GUEST_MEM}M,share=on" \
			-numa node,memdev=mem -chardev "socket,id=c0,path=$sock" \
			-netdev vhost-user,id=n0,chardev=c0 \
			-device "virtio-net-pci,netdev=n0,romfile=,mac=$mac"
	fi
	vm_boot "bench-tcp-$kind-$role" "$kind" "/tmp/tcp-$port.log" 1 \
		"$(guest_cmdline "$args")" "$pat" "$@"
}

# tcp_stop_vms: stops the guests of a run ($TCP_PID_A, $TCP_PID_B).
tcp_stop_vms() {
	local p
	for p in $TCP_PID_B $TCP_PID_A; do
		VM_PID=$p
		vm_stop
	done
	TCP_PID_A='' TCP_PID_B=''
}

# tcp_fail KIND RUN WHY...: the failure report of a run; returns 1.
tcp_fail() {
	local kind=$1 run=$2 l
	shift 2
	echo "OUTER: bench-tcp $kind run $run: $*"
	for l in /tmp/tcp-vma.log /tmp/tcp-vmb.log; do
		[ -e "$l" ] && show_log "$kind ${l#/tmp/}" "$l"
	done
	echo "OUTER: --- vswitchd log ---"
	tail -n 20 "$VSW_DIR/vswitchd.log" | sed 's/^/    ! /'
	tcp_stop_vms
	switch_stop
	TCP_WHY="$kind run $run: $*"
	return 1
}

# tcp_sw_counters: "PORT tx_sw_csum=N tx_sw_gso=N tx_sw_segs=N;" for each
# port of br0, from bridgectl's JSON.
tcp_sw_counters() {
	local out
	out=$("$BRIDGECTL" --socket "$VSW_DIR/ctl.sock" -j stats br0 2>&1 |
		grep -o '"name":"[^"]*"\|"tx_sw_[a-z]*":[0-9]*' | tr -d '"' |
		awk -F: '/^name/ { if (l ~ /=/) printf "%s; ", l; l = $2 }
			/^tx_sw/ { l = l " " $1 "=" $2 }
			END { if (l ~ /=/) printf "%s", l }')
	echo "${out:-none found in bridgectl -j stats br0}"
}

# tcp_run KIND RUN: one switch, guest A (sink) booted until it listens,
# then guest B (source), which sends TCP_MIB MiB to A and gets TCP_REV_MIB
# back.  Prints the figures, the negotiated virtio features and the
# switch's counters; sets TCP_MBIT.  Returns 1 (with TCP_WHY) when a guest
# does not boot or a transfer does not complete.
tcp_run() {
	local kind=$1 run=$2 fwd rev
	TCP_PID_A='' TCP_PID_B=''
	rm -f /tmp/tcp-vma.log /tmp/tcp-vmb.log
	switch_start \
		"port add br0 vma type vhost-user path $VSW_DIR/vma.sock server" \
		"port add br0 vmb type vhost-user path $VSW_DIR/vmb.sock server" ||
		{ TCP_WHY="$kind run $run: vswitchd did not start"; return 1; }
	tcp_boot "$kind" A ||
		{ tcp_fail "$kind" "$run" "guest A did not come up: $VB_WHY"; return 1; }
	TCP_PID_A=$VM_PID
	# A line at each step: run-nested.sh takes 120 s without console
	# output for a hung outer host.
	echo "OUTER: bench-tcp $kind run $run: A listens, booting B"
	tcp_boot "$kind" B ||
		{ tcp_fail "$kind" "$run" "guest B did not come up: $VB_WHY"; return 1; }
	TCP_PID_B=$VM_PID
	echo "OUTER: bench-tcp $kind run $run: B is up, sending"
	# GUEST-TEST, not GUEST-DONE: QEMU can exit at the guest's reset
	# before the serial port's last line reached the file (seen once).
	vm_wait_line /tmp/tcp-vmb.log '^GUEST-TEST' "$BOOT_TIMEOUT" || {
		tcp_fail "$kind" "$run" "guest B did not finish within" \
			"$BOOT_TIMEOUT s of its start (VMM running: $(kill -0 \
			"$TCP_PID_B" 2>/dev/null && echo yes || echo no))"
		return 1
	}
	grep -q '^GUEST-TEST tcpsend PASS' /tmp/tcp-vmb.log || {
		tcp_fail "$kind" "$run" "the transfer did not complete: B:" \
			"$(grep -m1 '^GUEST-TEST' /tmp/tcp-vmb.log | tr -d '\r')"
		return 1
	}
	# A's reverse transfer: a few MiB, tcpxfer gives up connecting at 60 s.
	VM_PID=$TCP_PID_A
	vm_wait_line /tmp/tcp-vma.log '^GUEST-TEST' 90 ||
		{ tcp_fail "$kind" "$run" "guest A did not finish"; return 1; }
	echo "OUTER-TCP $kind run $run A virtio $(grep -m1 'virtio features' \
		/tmp/tcp-vma.log | tr -d '\r' | sed 's/.*features: //')"
	echo "OUTER-TCP $kind run $run B virtio $(grep -m1 'virtio features' \
		/tmp/tcp-vmb.log | tr -d '\r' | sed 's/.*features: //')"
	# The switch's counters, with both guests done.
	"$BRIDGECTL" --socket "$VSW_DIR/ctl.sock" stats br0 2>&1 | tr -d '\r' |
		sed "s/^/OUTER-TCP $kind run $run stats: /"
	# Software segmentation and checksums the switch did for a port
	# (in the JSON only): non-zero when super-frames were cut up.
	echo "OUTER-TCP $kind run $run software offloads: $(tcp_sw_counters)"
	tcp_stop_vms
	switch_stop
	fwd=$(grep -m1 '^GUEST-TCP: forward TCPXFER send' /tmp/tcp-vmb.log | tr -d '\r')
	rev=$(grep -m1 '^GUEST-TCP: reverse TCPXFER send' /tmp/tcp-vma.log | tr -d '\r')
	if ! grep -q '^GUEST-TEST tcprecv PASS' /tmp/tcp-vma.log || [ -z "$fwd" ]; then
		tcp_fail "$kind" "$run" "a transfer did not complete: A:" \
			"$(grep -m1 '^GUEST-TEST' /tmp/tcp-vma.log | tr -d '\r')"
		return 1
	fi
	# "GUEST-TCP: forward TCPXFER send BYTES bytes SECS s MBIT Mbit/s"
	set -- $fwd
	TCP_MBIT=$9
	echo "OUTER-TCP $kind run $run: B->A $(($5 >> 20)) MiB in $7 s," \
		"$TCP_MBIT Mbit/s; reverse A->B: $(echo "$rev" |
		awk '{ printf "%d MiB, %s Mbit/s", $5 / 1048576, $9 }')"
}

# bench-tcp-ours@RUN, bench-tcp-qemu@RUN: one run of the TCP benchmark,
# both guests under our VMM or both under QEMU (-enable-kvm, vhost-user
# netdev on the same switch, memfd RAM shared).  Each run is a scenario of
# its own so that when the emulated outer host falls over, run-nested.sh
# repeats only the runs it had not finished; tests/linux/bench-tcp.sh
# orders them and computes the medians and the ratio from the OUTER-TCP
# lines.  Fails when a guest does not boot or a transfer does not complete.
bench_tcp() {
	local name=bench-tcp-$1@$2
	TCP_MIB=${TCP_MIB:-320}
	TCP_REV_MIB=${TCP_REV_MIB:-4}
	need_vmm "$name" || return 1
	need_vswitchd "$name" || return 1
	if [ ! -x "$BRIDGECTL" ]; then
		echo "OUTER-RESULT $name FAIL: no static bridgectl in the" \
			"outer initramfs (make bench-linux-tcp builds it)"
		return 1
	fi
	if ! tcp_run "$1" "$2"; then
		echo "OUTER-RESULT $name FAIL: $TCP_WHY"
		return 1
	fi
	echo "OUTER-RESULT $name PASS $TCP_MBIT Mbit/s"
}

scn_bench_tcp_ours() { bench_tcp ours "${1:-1}"; }
scn_bench_tcp_qemu() { bench_tcp qemu "${1:-1}"; }
