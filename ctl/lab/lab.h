/*
 * lab.h - network teaching labs (#17): the lab file, its validated model,
 * and the commands of "bridgectl lab".
 *
 *   lab-parse.c  YAML (libyaml) -> struct lab, every rule checked; the
 *                first mistake is one line "FILE:LINE: KEY: what"; pure
 *                (no RPC, no system calls but reading the file), so the
 *                unit tests and the fuzz target call it directly.
 *   lab-plan.c   struct lab -> the ordered actions "lab up" performs and
 *                the names every lab object gets (what "lab down" removes).
 *   lab-run.c    the commands: up, down, status, exec, link, capture,
 *                graph, check, over the RPC client (ctl/rpc.c) and ip(8).
 *   lab-net.c    a host's addresses, routes, VLANs over rtnetlink in its
 *                namespace (no ip(8) process per host).
 *
 * Names: every object a lab makes in the system is named PREFIX + node
 * (PREFIX = the file's 'prefix', else NAME + "-"): the bridge of switch sw1
 * is "PREFIXsw1", its port p1 "PREFIXsw1-p1" (a patch port for a wire to
 * another switch, a TAP for a wire to a host, whose device vswitchd makes
 * in the host's namespace under the host's name for it: tap port arguments
 * netns and ifname), the namespace of host h1 "PREFIXh1".  So
 * "lab down" finds leftovers by name even when vswitchd is gone.
 */
#ifndef CTL_LAB_LAB_H
#define CTL_LAB_LAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LAB_NAME_MAX   15	/* a node or port name, an interface name */
#define LAB_IFNAMSIZ   16
#define LAB_MAX_LIST   64	/* addresses, routes, commands per host */
#define LAB_ERR_MAX    512

enum lab_node_kind { LAB_SWITCH, LAB_HOST, LAB_VM };

/* Every node struct starts with its name (lab-parse.c's find_node()). */
struct lab_switch {
	char name[LAB_NAME_MAX + 1];
	int line;
	bool stp, vlan_filtering, hub, transparent;
	bool has_priority, has_hello, has_fwd, has_maxage, has_ageing,
	     has_gfm, has_storm;
	uint32_t priority;
	uint32_t hello_cs, fwd_cs, maxage_cs, ageing_cs;
	uint32_t group_fwd_mask;
	uint32_t storm_limit;		/* flooded frames/s per ingress port */
};

struct lab_addr {
	char ifname[LAB_IFNAMSIZ];
	char cidr[64];			/* "10.0.0.1/24" or an IPv6 one */
};

struct lab_vlanif {
	char name[LAB_IFNAMSIZ];	/* "eth0.10" */
	char parent[LAB_IFNAMSIZ];
	uint16_t vid;
	int line;
};

struct lab_host {
	char name[LAB_NAME_MAX + 1];
	int line;
	struct lab_addr addrs[LAB_MAX_LIST];
	size_t n_addrs;
	struct lab_vlanif vlans[LAB_MAX_LIST];
	size_t n_vlans;
	char *routes[LAB_MAX_LIST];	/* "DEST via GW" / "DEST dev IF" */
	size_t n_routes;
	char *exec[LAB_MAX_LIST];	/* sh -c CMD in the namespace */
	size_t n_exec;
	bool forwarding;		/* net.ipv4.ip_forward (a router) */
};

struct lab_vm {
	char name[LAB_NAME_MAX + 1];
	int line;
	char *kernel, *initrd, *cmdline;	/* NULL: the test guest */
	uint32_t mem_mib;
};

/* One end of a link: NODE:PORT, with its VLAN settings on a switch. */
struct lab_end {
	char node[LAB_NAME_MAX + 1];
	char port[LAB_NAME_MAX + 1];
	enum lab_node_kind kind;
	size_t idx;			/* into switches/hosts/vms */
	bool has_access, has_pvid, has_trunk;
	uint16_t access, pvid;
	uint8_t trunk[4096 / 8];	/* bitmap of VIDs */
};

struct lab_link {
	int line;
	struct lab_end end[2];
	bool has_delay, has_loss, has_rate, has_seed;
	uint32_t delay_ms, rate_kbit;
	double loss_pct;
	uint64_t seed;
};

enum lab_check_kind {
	LAB_CHECK_PING,		/* a reaches b */
	LAB_CHECK_NO_PING,	/* a does not reach b */
	LAB_CHECK_ROOT,		/* switch a is the root bridge */
	LAB_CHECK_STATE,	/* port b of switch a is in state c */
	LAB_CHECK_LEARNED,	/* switch a learned host c's MAC on port b */
	LAB_CHECK_NOT_LEARNED,	/* ... did not (a hub learns nothing) */
	LAB_CHECK_ISOLATED,	/* a's broadcasts never reach b (VLANs) */
	LAB_CHECK_DROPPED,	/* port b of switch a counted drops of reason c */
};

struct lab_check {
	enum lab_check_kind kind;
	int line;
	char a[64], b[64], c[32];
};

struct lab {
	char *file;
	char name[32];
	char prefix[16];
	struct lab_switch *switches;
	size_t n_switches;
	struct lab_host *hosts;
	size_t n_hosts;
	struct lab_vm *vms;
	size_t n_vms;
	struct lab_link *links;
	size_t n_links;
	struct lab_check *checks;
	size_t n_checks;
};

/* Parses and validates 'len' bytes of 'text' as lab file 'file' (the name
 * used in errors).  Returns a lab (lab_destroy() it) or NULL with the one
 * error line in 'err' ("FILE:LINE: KEY: what"). */
struct lab *lab_parse(const char *file, const char *text, size_t len,
		      char err[LAB_ERR_MAX]);
/* From now on every lab parsed gets 'prefix' (NULL: its own) instead of
 * the file's ($BRIDGECTL_LAB_PREFIX; tests use it for unique names). */
void lab_set_prefix(const char *prefix);
/* lab_parse() of the file at 'path'. */
struct lab *lab_load(const char *path, char err[LAB_ERR_MAX]);
void lab_destroy(struct lab *lab);

/* Names of the system objects (lab.h's header comment). */
void lab_bridge_name(const struct lab *, const char *sw, char out[LAB_IFNAMSIZ]);
void lab_port_name(const struct lab *, const char *sw, const char *port,
		   char out[LAB_IFNAMSIZ]);
void lab_netns_name(const struct lab *, const char *host, char out[64]);

/* Lookups in the model: index or -1. */
int lab_find_switch(const struct lab *, const char *name);
int lab_find_host(const struct lab *, const char *name);
int lab_find_vm(const struct lab *, const char *name);
/* The link with an end on node 'node' port 'port' (port NULL: any), and
 * the other end in '*other' (0 or 1 = index of that end).  -1 if none. */
int lab_find_link(const struct lab *, const char *node, const char *port,
		  int *this_end);
/* The first address of host 'h' without its prefix length, or NULL. */
const char *lab_host_ip(const struct lab_host *h, char buf[64]);

/* The plan "lab up" performs, one action per line, to 'f' (--dry-run). */
void lab_plan_print(const struct lab *, void *f);

/* Configures host 'h' in its namespace 'ns' (lab-net.c): loopback up,
 * VLAN sub-interfaces, addresses, routes, forwarding; not its startup
 * commands.  0, or -1 after printing what failed. */
int lab_net_setup_host(const char *ns, const struct lab_host *h);

/* "bridgectl lab ...". */
int lab_main(int argc, char **argv);

/* lab-run.c, for lab-watch.c.  The lab a command names (a file, the name
 * of a lab that is up, or NULL: the one lab up), or NULL after an error
 * message. */
struct lab *lab_open(const char *arg);
/* The STP role ("root", "designated", "alternate", "disabled", "-" with
 * STP off) of port 'port' in state 'state', from stp.show result 'stp'. */
struct json_object;
const char *lab_stp_role(struct json_object *stp, const char *port,
			 const char *state);
/* The MAC of host 'host' on its first link, from its namespace. */
int lab_host_mac(const struct lab *lab, const char *host, char mac[32]);

/* "bridgectl lab watch [NAME]" (lab-watch.c). */
int lab_watch(int argc, char **argv);

#endif /* CTL_LAB_LAB_H */
