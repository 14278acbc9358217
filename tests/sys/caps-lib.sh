# caps-lib.sh - what a process kept of its capabilities, for the tests of
# vswitchd's --caps (docs/security.md).  Sourced by ctl-lib.sh and
# vhost-dpdk.sh.

# What the default --caps netns keeps: NET_ADMIN, NET_RAW, NET_BROADCAST,
# SYS_ADMIN.
CAPS_NETNS=0000000000203800

# caps_of PID: "CapEff CapPrm CapBnd NoNewPrivs" from /proc/PID/status.
caps_of() {
	awk '$1 == "CapEff:" { e = $2 } $1 == "CapPrm:" { p = $2 }
	     $1 == "CapBnd:" { b = $2 } $1 == "NoNewPrivs:" { n = $2 }
	     END { print e, p, b, n }' "/proc/$1/status" 2>/dev/null
}

# wait_caps_eff PID WANT: waits up to 2 s for PID's CapEff to become WANT
# (the daemon drops its capabilities once started), prints the CapEff it
# read last, and succeeds when that is WANT.
wait_caps_eff() {
	local eff=
	for _ in $(seq 40); do
		eff=$(caps_of "$1" | cut -d' ' -f1)
		[ "$eff" = "$2" ] && break
		sleep 0.05
	done
	echo "$eff"
	[ "$eff" = "$2" ]
}
