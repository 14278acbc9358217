/*
 * port-vxlan.c - the "vxlan" port class: a bridge port whose frames travel
 * to other VTEPs in VXLAN over UDP (RFC 7348), as a Linux vxlan device
 * enslaved to a bridge.
 *
 *   port add BR vx0 type vxlan vni 42 [local IP]
 *	[remote IP[,IP...] | group MCAST [dev IF]]
 *	[dstport 4789] [ttl 64] [tos 0] [learning on|off] [ageing 300]
 *
 * Receiving.  Ports of one address family and UDP port share one socket
 * (vxlan-sock.c; bound to the wildcard address as in Linux, 'local' only
 * picks the source address), which reads bursts and hands each port the
 * datagrams of its VNI; the port then runs bridge_port_input(), whose
 * rx_burst copies each inner frame into a pool packet and learns its
 * source MAC with the outer source address (Linux vxlan_snoop()).
 *
 * Sending.  tx_burst looks up the inner destination MAC in the port's
 * remote table (vxlan-fdb.h); no entry (as for broadcast, multicast and
 * unknown unicast) means the default entry 00:00:00:00:00:00, whose
 * destinations each get a copy: head-end replication, or one datagram to
 * the multicast group when the port has a 'group'.  The outer UDP source port is a hash of
 * the inner flow (vxlan-wire.h), which a UDP socket bound to the VXLAN
 * port cannot send from; so each port sends through a raw IPPROTO_UDP
 * socket and writes the UDP header itself (checksum 0 over IPv4 as Linux
 * does by default, RFC 7348 §5; over IPv6 the kernel computes it,
 * IPV6_CHECKSUM, since RFC 8200 forbids a zero UDP checksum by default).
 * Without CAP_NET_RAW the port falls back to the shared UDP socket, and
 * every datagram leaves from the VXLAN port itself (logged once).
 *
 * Offloads (vxlan-gso.h; 'gso off' / 'gro off' turn them off).  The port
 * takes TCP super-frames from the bridge (tx_offloads) and sends each as
 * runs of equal-sized datagrams, one sendmsg with UDP_SEGMENT per run,
 * from a UDP socket bound to the flow's source port (a small cache of
 * them; the raw socket cannot segment), one datagram at a time where that
 * fails (counted).  On receipt the shared socket splits UDP_GRO runs, and
 * rx_burst merges consecutive TCP segments of one flow from one VTEP into
 * super-frames again, which a TAP takes in one write.
 *
 * MTU.  The port's MTU (1450 over IPv4, 1430 over IPv6, as Linux; `port
 * set vx0 mtu N` changes it) bounds the inner frames both ways: larger
 * ones are counted (rx_oversize, tx_oversize) and dropped, so the tunnel
 * never delivers a frame the segment's MTU forbids.  As in the pipeline,
 * the frame may be MTU + 14 + 4 (one VLAN tag) long; tags inside the
 * frame travel untouched.
 *
 * Counters: the port's own (get_stats: rx/tx, each drop reason, learning)
 * plus those of its shared socket (sock_*: datagrams no port took) and one
 * set per remote VTEP ("vtep ADDR rx_packets" ...; VXLAN_MAX_VTEPS of
 * them, further VTEPs counted in vtep_overflow).
 */
#include <errno.h>
#include <linux/filter.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <ev.h>
#include <json-c/json.h>

#include "bridge.h"
#include "clock.h"
#include "log.h"
#include "pkt.h"
#include "port-provider.h"
#include "util.h"
#include "vxlan-fdb.h"
#include "vxlan-gso.h"
#include "vxlan-sock.h"
#include "vxlan-wire.h"

#define MOD "vxlan"

#define VXLAN_MTU_MAX		9000
#define VXLAN_FDB_CAPACITY	1024	/* remote-table entries per port */
#define VXLAN_MAX_VTEPS		64	/* VTEPs counted one by one */
#define VXLAN_AGE_PERIOD_S	1.0	/* how often learned entries age */
#define VXLAN_UDP_HDR_LEN	8

/* The port's counters; the names are those of get_stats. */
#define VXLAN_COUNTERS(X)						\
	X(rx_packets)		/* inner frames handed to the bridge */	\
	X(rx_bytes)							\
	X(rx_runt)		/* inner frame < 14 bytes */		\
	X(rx_oversize)		/* inner frame > MTU + 18 */		\
	X(rx_no_buffer)		/* packet pool empty */			\
	X(rx_unattached)	/* port on no bridge */			\
	X(tx_packets)		/* frames sent (to >= 1 VTEP) */	\
	X(tx_bytes)							\
	X(tx_datagrams)		/* copies sent, replication included */	\
	X(tx_oversize)		/* inner frame > MTU + 18 */		\
	X(tx_no_remote)		/* no entry and no default dst */	\
	X(tx_errors)		/* sendmsg failed */			\
	X(learned)		/* new remote-table entries */		\
	X(moved)		/* MAC now behind another VTEP */	\
	X(learn_full)		/* table full: not learned */		\
	X(aged)			/* learned entries aged out */		\
	X(vtep_overflow)	/* frames of VTEPs not counted apart */	\
	X(rx_gro_frames)	/* super-frames grown (vxlan-gso.h) */	\
	X(rx_gro_merged)	/* frames merged into one of those */	\
	X(tx_gso_frames)	/* super-frames sent with UDP GSO */	\
	X(tx_gso_sends)		/* their sendmsg calls */		\
	X(tx_gso_segs)		/* datagrams those sends carried */	\
	X(tx_gso_fallback)	/* runs sent one datagram at a time */

struct vxlan_counters {
#define VXLAN_COUNTER_MEMBER(name) uint64_t name;
	VXLAN_COUNTERS(VXLAN_COUNTER_MEMBER)
#undef VXLAN_COUNTER_MEMBER
};

/* UDP sockets for UDP GSO sends, one per outer source port in use (a
 * small cache indexed by the port): a raw socket cannot segment. */
#define VXLAN_GSO_SOCKS	16

struct vxlan_gso_sock {
	int fd;				/* -1: not open, or bind failed */
	uint16_t sport;			/* 0: unused */
};

struct vxlan_vtep {
	struct vxlan_addr addr;
	uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes;
};

struct port_vxlan {
	struct port up;
	struct vxlan_member member;	/* of the shared receive socket */

	/* How it was opened. */
	uint32_t vni;
	struct vxlan_addr local;	/* source; 0.0.0.0 or :: when not given */
	uint16_t dstport;
	uint8_t ttl, tos;
	bool learning;
	uint32_t ageing_s;
	unsigned n_remote;
	struct vxlan_addr remote[VXLAN_FDB_MAX_DSTS];
	struct vxlan_addr group;	/* multicast underlay, or unset */
	char dev[IFNAMSIZ];		/* its interface, or "" */
	int ifindex;			/* of 'dev', 0 when none */

	int txfd;			/* raw socket, or the shared one */
	bool tx_raw;			/* txfd is ours and raw */
	bool gso;			/* TCP super-frames taken, UDP GSO */
	bool gro;			/* received TCP segments merged */
	bool gso_kernel;		/* the kernel has UDP_SEGMENT */
	struct vxlan_gso_sock gso_socks[VXLAN_GSO_SOCKS];
	struct vxlan_gso_run *gso_run;	/* the run being sent */
	uint8_t *gso_buf;		/* VXLAN_GSO_MAX_BYTES: one run, flat */
	struct vxlan_fdb *fdb;

	struct ev_loop *loop;		/* non-NULL while watched */
	ev_timer age_timer;

	/* The datagrams of the burst being received (vxlan_on_input()). */
	const struct vxlan_dgram *const *pend;
	int n_pend, pend_i;		/* pend_i: the next to take */

	struct vxlan_counters st;
	unsigned n_vteps;
	struct vxlan_vtep vteps[VXLAN_MAX_VTEPS];
};

const struct port_class port_vxlan_class;

static int vxlan_parse_args(struct port_vxlan *vx, struct json_object *args,
			    char **msgp);
static int vxlan_parse_group(struct port_vxlan *vx, struct json_object *args,
			     const char *local, const char *remote,
			     char **msgp);
static int vxlan_open_tx(struct port_vxlan *vx, char **msgp);
static void vxlan_tx_multicast(const struct port_vxlan *vx, int fd);
static bool udp_gso_supported(sa_family_t family);
static void vxlan_on_input(struct vxlan_member *m,
			   const struct vxlan_dgram *const *d, int n);
static struct vxlan_vtep *vtep_stats(struct port_vxlan *vx,
				     const struct vxlan_addr *a);

static struct port_vxlan *
port_vxlan_cast(const struct port *port)
{
	ASSERT(port->class == &port_vxlan_class);
	return container_of(port, struct port_vxlan, up);
}

/* Opening and closing. */

static int
vxlan_open(const char *name, struct json_object *args,
	   const struct port_open_env *env, struct port **portp, char **msgp)
{
	struct port_vxlan *vx = xcalloc(1, sizeof *vx);
	static const struct eth_addr zero_mac;
	uint32_t seed;
	int err;

	(void)env;
	port_init(&vx->up, &port_vxlan_class, name);
	vx->txfd = -1;
	if ((err = vxlan_parse_args(vx, args, msgp)))
		goto out_free;
	/* Linux's default: a 1500-byte underlay minus the encapsulation. */
	vx->up.mtu = 1500 - (vx->local.family == AF_INET6 ? VXLAN_OVERHEAD_V6
			     : VXLAN_OVERHEAD_V4);
	if (getrandom(vx->up.mac.ea, sizeof vx->up.mac.ea, 0) !=
	    sizeof vx->up.mac.ea)
		vx->up.mac.ea[5] = (uint8_t)random();
	vx->up.mac.ea[0] = (uint8_t)((vx->up.mac.ea[0] & 0xfe) | 0x02);
	if (getrandom(&seed, sizeof seed, 0) != sizeof seed)
		seed = (uint32_t)random();

	vx->fdb = vxlan_fdb_create(VXLAN_FDB_CAPACITY, seed,
				   (uint64_t)vx->ageing_s * 1000);
	for (unsigned i = 0; i < vx->n_remote; i++)
		if ((err = vxlan_fdb_append(vx->fdb, &zero_mac,
					    &vx->remote[i])))
			goto out_destroy_fdb;	/* checked: cannot happen */
	if (vx->group.family &&
	    (err = vxlan_fdb_append(vx->fdb, &zero_mac, &vx->group)))
		goto out_destroy_fdb;		/* likewise */

	vx->member.name = vx->up.name;
	vx->member.vni = vx->vni;
	vx->member.input = vxlan_on_input;
	if ((err = vxlan_sock_join(&vx->member, vx->local.family, vx->dstport,
				   msgp)))
		goto out_destroy_fdb;
	if (vx->group.family &&
	    (err = vxlan_sock_join_group(&vx->member, &vx->group, vx->ifindex,
					 msgp)))
		goto out_leave;
	if ((err = vxlan_open_tx(vx, msgp)))
		goto out_leave;
	for (unsigned i = 0; i < VXLAN_GSO_SOCKS; i++)
		vx->gso_socks[i].fd = -1;
	vx->gso_kernel = udp_gso_supported(vx->local.family);
	if (vx->gso && !vx->gso_kernel)
		log_info(MOD, "%s: no UDP GSO (UDP_SEGMENT) in this kernel: "
			 "super-frames are cut before the tunnel", name);
	if (vx->gso && vx->gso_kernel) {
		/* Partial checksums come along with TSO: finished here. */
		vx->up.tx_offloads = PKT_OL_CSUM | PKT_OL_TSO4 | PKT_OL_TSO6 |
				     PKT_OL_ECN;
		vx->gso_buf = xmalloc(VXLAN_GSO_MAX_BYTES);
		vx->gso_run = xmalloc(sizeof *vx->gso_run);
	}
	*portp = &vx->up;
	return 0;

out_leave:
	vxlan_sock_leave(&vx->member);
out_destroy_fdb:
	vxlan_fdb_destroy(vx->fdb);
out_free:
	free(vx);
	return err;
}

static void
vxlan_close(struct port *port)
{
	struct port_vxlan *vx;

	if (!port)
		return;
	vx = port_vxlan_cast(port);
	if (vx->loop)
		port->class->watch(port, NULL);
	if (vx->tx_raw)
		close(vx->txfd);
	for (unsigned i = 0; i < VXLAN_GSO_SOCKS; i++)
		if (vx->gso_socks[i].fd >= 0)
			close(vx->gso_socks[i].fd);
	free(vx->gso_buf);
	free(vx->gso_run);
	vxlan_sock_leave(&vx->member);
	vxlan_fdb_destroy(vx->fdb);
	free(vx);
}

/* 'group' and 'dev': a multicast underlay (as Linux's "group IP dev
 * IF"), which takes the place of 'remote'. */
static int
vxlan_parse_group(struct port_vxlan *vx, struct json_object *args,
		  const char *local, const char *remote, char **msgp)
{
	const char *group = port_class_arg_string(args, "group", NULL);
	const char *dev = port_class_arg_string(args, "dev", NULL);
	struct vxlan_addr l;

	if (dev && !group) {
		*msgp = xasprintf("dev: only with group (it names the "
				  "interface the group is joined on)");
		return -EINVAL;
	}
	if (!group)
		return 0;
	vxlan_addr_parse(group, &vx->group);		/* checked */
	if (!vxlan_addr_is_multicast(&vx->group)) {
		*msgp = xasprintf("group: %s is not a multicast address",
				  group);
		return -EINVAL;
	}
	if (remote) {
		*msgp = xasprintf("group: not with remote (a port has a "
				  "multicast group or unicast remotes)");
		return -EINVAL;
	}
	if (local && vxlan_addr_parse(local, &l) &&
	    l.family != vx->group.family) {
		*msgp = xasprintf("group: %s is not of the same family as "
				  "local", group);
		return -EINVAL;
	}
	if (dev) {
		if (strlen(dev) >= IFNAMSIZ ||
		    !(vx->ifindex = (int)if_nametoindex(dev))) {
			*msgp = xasprintf("dev: no interface '%s'", dev);
			return -ENODEV;
		}
		util_strlcpy(vx->dev, dev, sizeof vx->dev);
	}
	return 0;
}

/* The semantic checks port_class_check_args() cannot make: families that
 * agree, no multicast or unspecified remote, no remote twice. */
static int
vxlan_parse_args(struct port_vxlan *vx, struct json_object *args,
		 char **msgp)
{
	const char *local = port_class_arg_string(args, "local", NULL);
	const char *remote = port_class_arg_string(args, "remote", NULL);
	const char *learning = port_class_arg_string(args, "learning", "on");
	char *list, *save = NULL, *one;
	int err = 0;

	vx->vni = (uint32_t)port_class_arg_uint(args, "vni", 0);
	vx->dstport = (uint16_t)port_class_arg_uint(args, "dstport",
						    VXLAN_DEFAULT_PORT);
	vx->ttl = (uint8_t)port_class_arg_uint(args, "ttl", 64);
	vx->tos = (uint8_t)port_class_arg_uint(args, "tos", 0);
	vx->ageing_s = (uint32_t)port_class_arg_uint(args, "ageing", 300);
	vx->learning = !strcmp(learning, "on");
	vx->gso = !strcmp(port_class_arg_string(args, "gso", "on"), "on");
	vx->gro = !strcmp(port_class_arg_string(args, "gro", "on"), "on");
	if ((err = vxlan_parse_group(vx, args, local, remote, msgp)))
		return err;

	if (local) {
		vxlan_addr_parse(local, &vx->local);	/* checked */
		if (vxlan_addr_is_multicast(&vx->local)) {
			*msgp = xasprintf("local: %s is a multicast address",
					  local);
			return -EINVAL;
		}
	}
	if (!remote)
		goto out_family;
	list = xstrdup(remote);
	for (one = strtok_r(list, ",", &save); one && !err;
	     one = strtok_r(NULL, ",", &save)) {
		struct vxlan_addr a;

		vxlan_addr_parse(one, &a);		/* checked */
		if (vxlan_addr_is_any(&a) || vxlan_addr_is_multicast(&a)) {
			*msgp = xasprintf("remote: %s is not a unicast "
					  "address (a multicast underlay is "
					  "'group')", one);
			err = -EINVAL;
		} else if ((local && a.family != vx->local.family) ||
			   (vx->n_remote &&
			    a.family != vx->remote[0].family)) {
			*msgp = xasprintf("remote: %s is not of the same "
					  "family as %s", one,
					  local ? "local" : "the first remote");
			err = -EINVAL;
		} else if (vx->n_remote == VXLAN_FDB_MAX_DSTS) {
			*msgp = xasprintf("remote: more than %d addresses",
					  VXLAN_FDB_MAX_DSTS);
			err = -EINVAL;
		} else {
			for (unsigned i = 0; i < vx->n_remote && !err; i++)
				if (vxlan_addr_equal(&vx->remote[i], &a)) {
					*msgp = xasprintf("remote: %s is "
							  "given twice", one);
					err = -EINVAL;
				}
			if (!err)
				vx->remote[vx->n_remote++] = a;
		}
	}
	free(list);
	if (err)
		return err;
out_family:
	/* Without 'local' the underlay is of the family its remotes use
	 * (IPv4 if none is given: 'local ::' for IPv6), and the kernel
	 * picks each datagram's source address. */
	if (!local) {
		vx->local.family = vx->n_remote ? vx->remote[0].family
				   : vx->group.family ? vx->group.family
				   : AF_INET;
		memset(&vx->local.u, 0, sizeof vx->local.u);
	}
	return 0;
}

/* What a datagram to the group needs: the port's TTL (multicast has its
 * own), 'dev' as the outgoing interface, and no copy back to ourselves. */
static void
vxlan_tx_multicast(const struct port_vxlan *vx, int fd)
{
	int ttl = vx->ttl, off = 0;

	if (vx->group.family == AF_INET6) {
		unsigned ifindex = (unsigned)vx->ifindex;

		setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &ttl,
			   sizeof ttl);
		setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &off,
			   sizeof off);
		if (ifindex)
			setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF,
				   &ifindex, sizeof ifindex);
	} else {
		struct ip_mreqn mr = { .imr_ifindex = vx->ifindex };
		unsigned char ttl8 = vx->ttl, off8 = 0;

		setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl8,
			   sizeof ttl8);
		setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &off8,
			   sizeof off8);
		if (vx->ifindex)
			setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mr,
				   sizeof mr);
	}
}

/* What every socket of ours that sends sets: receive nothing (a drop-all
 * filter: a raw socket would otherwise queue every UDP datagram of the
 * host), the multicast settings, TTL and TOS, and (IPv4) fragmentation
 * allowed, as Linux's vxlan without 'df set'. */
static void
vxlan_tx_sockopts(const struct port_vxlan *vx, int fd)
{
	static struct sock_filter drop_all[] = {
		{ BPF_RET | BPF_K, 0, 0, 0 },
	};
	struct sock_fprog prog = { 1, drop_all };
	int ttl = vx->ttl, tos = vx->tos, pmtu = IP_PMTUDISC_DONT;

	setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog);
	if (vx->group.family)
		vxlan_tx_multicast(vx, fd);
	if (vx->local.family == AF_INET6) {
		setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl,
			   sizeof ttl);
		setsockopt(fd, IPPROTO_IPV6, IPV6_TCLASS, &tos, sizeof tos);
	} else {
		setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl);
		setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof tos);
		setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu,
			   sizeof pmtu);
	}
}

/* True if the kernel takes UDP_SEGMENT (Linux >= 4.18). */
static bool
udp_gso_supported(sa_family_t family)
{
	int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
	int seg = 0;
	bool ok;

	if (fd < 0)
		return false;
	ok = !setsockopt(fd, SOL_UDP, UDP_SEGMENT, &seg, sizeof seg);
	close(fd);
	return ok;
}

/* Opens the raw send socket (see the top of the file), or falls back to
 * the shared UDP socket without CAP_NET_RAW. */
static int
vxlan_open_tx(struct port_vxlan *vx, char **msgp)
{
	int fd, off = 6;

	fd = socket(vx->local.family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    IPPROTO_UDP);
	if (fd < 0) {
		if (errno != EPERM && errno != EACCES) {
			int err = -errno;

			*msgp = xasprintf("cannot open a raw socket: %s",
					  strerror(-err));
			return err;
		}
		log_warn(MOD, "%s: no CAP_NET_RAW: sending from UDP port %u, "
			 "not from a per-flow source port", vx->up.name,
			 vx->dstport);
		vx->txfd = vxlan_sock_fd(&vx->member);
		vx->tx_raw = false;
		return 0;
	}
	vxlan_tx_sockopts(vx, fd);
	if (vx->local.family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_CHECKSUM, &off, sizeof off);
	/* Not bound to 'local': each datagram names its source address
	 * (vxlan_send_one()), so a missing address fails sends, counted,
	 * rather than the port. */
	vx->txfd = fd;
	vx->tx_raw = true;
	return 0;
}

/* Receiving. */

/* The shared socket's input: the datagrams of our VNI, then passes
 * through the bridge until every one is taken (a pass takes PKT_BURST
 * frames, which GRO may have grown out of many more datagrams). */
static void
vxlan_on_input(struct vxlan_member *m, const struct vxlan_dgram *const *d,
	       int n)
{
	struct port_vxlan *vx = container_of(m, struct port_vxlan, member);

	if (!vx->up.br) {
		vx->st.rx_unattached += (uint64_t)n;
		return;
	}
	vx->pend = d;
	vx->n_pend = n;
	vx->pend_i = 0;
	/* Each pass takes at least one datagram (rx_burst); should one
	 * not, the rest is counted, not looped on. */
	while (vx->pend_i < vx->n_pend) {
		int before = vx->pend_i;

		bridge_port_input(vx->up.br, &vx->up);
		if (vx->pend_i == before) {
			vx->st.rx_no_buffer += (uint64_t)(n - before);
			break;
		}
	}
	vx->pend = NULL;
	vx->n_pend = vx->pend_i = 0;
}

/* Counts a frame dropped before the pipeline saw it, as the other
 * classes do: it was received. */
static void
vxlan_rx_drop(struct port_vxlan *vx, enum port_drop_reason reason,
	      uint64_t *counter)
{
	vx->up.stats.rx_packets++;
	vx->up.stats.drops[reason]++;
	(*counter)++;
}

/* Learns the source MAC of received frame 'frame' behind VTEP 'src'. */
static void
vxlan_rx_learn(struct port_vxlan *vx, const uint8_t *frame,
	       const struct vxlan_addr *src, uint64_t now_ms)
{
	struct eth_addr mac;

	memcpy(mac.ea, frame + ETH_ADDR_LEN, ETH_ADDR_LEN);
	switch (vxlan_fdb_learn(vx->fdb, &mac, src, now_ms)) {
	case VXLAN_LEARN_NEW:
		vx->st.learned++;
		break;
	case VXLAN_LEARN_MOVED:
		vx->st.moved++;
		break;
	case VXLAN_LEARN_FULL:
		vx->st.learn_full++;
		break;
	case VXLAN_LEARN_REFRESHED:
	case VXLAN_LEARN_STATIC:
	case VXLAN_LEARN_INVALID:
		break;
	}
}

/* Takes the pending datagrams from vx->pend_i on, until 'max' frames are
 * made: each checked, copied into a pool packet and learnt from, or (GRO)
 * appended to the frame before it when it continues that frame's TCP
 * flow from the same VTEP (vxlan-gso.h). */
static int
vxlan_rx_burst(struct port *port, struct pkt_pool *pool, struct pkt **pkts,
	       int max)
{
	struct port_vxlan *vx = port_vxlan_cast(port);
	size_t max_len = (size_t)port->mtu + ETH_HDR_LEN + ETH_VLAN_HDR_LEN;
	uint64_t now_ms = clock_now_ms();
	struct vxlan_gro gro = { .p = NULL };
	const struct vxlan_dgram *gro_d = NULL;	/* gro.p's first */
	struct vxlan_vtep *gro_vt = NULL;
	int n = 0;

	for (; vx->pend_i < vx->n_pend; vx->pend_i++) {
		const struct vxlan_dgram *d = vx->pend[vx->pend_i];
		struct vxlan_vtep *vt;
		struct pkt *p;

		if (d->len < ETH_HDR_LEN) {
			vxlan_rx_drop(vx, PORT_DROP_RUNT, &vx->st.rx_runt);
			continue;
		}
		if (d->truncated || d->len > max_len) {
			vxlan_rx_drop(vx, PORT_DROP_OVERSIZE,
				      &vx->st.rx_oversize);
			continue;
		}
		if (gro.p && vxlan_addr_equal(&gro_d->src, &d->src) &&
		    vxlan_gro_merge(&gro, d->frame, (uint32_t)d->len)) {
			/* Same MAC and VTEP as gro.p: learnt there. */
			vx->st.rx_packets++;
			vx->st.rx_bytes += d->len;
			vx->st.rx_gro_merged++;
			vx->st.rx_gro_frames += gro.segs == 2;
			if (gro_vt) {
				gro_vt->rx_packets++;
				gro_vt->rx_bytes += d->len;
			}
			continue;
		}
		if (n == max)		/* the next pass takes it */
			break;
		if (!(p = pkt_alloc(pool))) {
			vxlan_rx_drop(vx, PORT_DROP_NO_BUFFER,
				      &vx->st.rx_no_buffer);
			continue;
		}
		memcpy(p->data, d->frame, d->len);
		p->len = (uint32_t)d->len;
		p->ts_ns = now_ms * 1000000;
		pkts[n++] = p;
		vx->st.rx_packets++;
		vx->st.rx_bytes += d->len;
		if ((vt = vtep_stats(vx, &d->src))) {
			vt->rx_packets++;
			vt->rx_bytes += d->len;
		}
		if (vx->gro && vxlan_gro_start(&gro, p)) {
			gro_d = d;
			gro_vt = vt;
		}
		if (vx->learning)
			vxlan_rx_learn(vx, d->frame, &d->src, now_ms);
	}
	return n;
}

/* Sending. */

/* The copies of one burst, sent with one sendmmsg() (more if a burst
 * replicates to more than VXLAN_TX_BATCH datagrams). */
#define VXLAN_TX_BATCH	64

struct vxlan_tx_batch {
	int n;
	struct mmsghdr msgs[VXLAN_TX_BATCH];
	struct iovec iov[VXLAN_TX_BATCH][2];
	struct sockaddr_storage names[VXLAN_TX_BATCH];
	int frame[VXLAN_TX_BATCH];		/* index in the burst */
	const struct vxlan_addr *dst[VXLAN_TX_BATCH];
	size_t cbuf_len;
	/* The outer source address (IP_PKTINFO / IPV6_PKTINFO), shared
	 * by every message; unused when 'local' is not given.  Last: its
	 * size is not a constant expression to clang. */
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} cbuf;
};

/* Writes one control message into 'c'; returns the space it takes. */
static size_t
put_cmsg(struct cmsghdr *c, int level, int type, const void *data,
	 size_t len)
{
	c->cmsg_level = level;
	c->cmsg_type = type;
	c->cmsg_len = CMSG_LEN(len);
	memcpy(CMSG_DATA(c), data, len);
	return CMSG_SPACE(len);
}

/* Prepares the control message every datagram carries: 'local' as the
 * outer source address; the kernel refuses it while the address is not
 * configured, and each send is then counted as a tx error. */
static void
tx_batch_init(struct vxlan_tx_batch *b, const struct port_vxlan *vx)
{
	struct cmsghdr *c = (struct cmsghdr *)b->cbuf.buf;

	b->n = 0;
	b->cbuf_len = 0;
	if (vxlan_addr_is_any(&vx->local))
		return;
	memset(&b->cbuf, 0, sizeof b->cbuf);
	if (vx->local.family == AF_INET6) {
		struct in6_pktinfo pi = { .ipi6_addr = vx->local.u.v6 };

		b->cbuf_len = put_cmsg(c, IPPROTO_IPV6, IPV6_PKTINFO, &pi,
				       sizeof pi);
	} else {
		struct in_pktinfo pi = { .ipi_spec_dst = vx->local.u.v4 };

		b->cbuf_len = put_cmsg(c, IPPROTO_IP, IP_PKTINFO, &pi,
				       sizeof pi);
	}
}

/* Sends the batch and counts each copy; a frame with a copy the kernel
 * took is marked in 'frame_ok'. */
static void
tx_batch_flush(struct port_vxlan *vx, struct vxlan_tx_batch *b,
	       struct pkt **pkts, bool *frame_ok)
{
	int off = 0;

	while (off < b->n) {
		int r = sendmmsg(vx->txfd, b->msgs + off, (unsigned)(b->n - off),
				 MSG_DONTWAIT);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			/* The first one failed: counted, the rest tried. */
			vx->st.tx_errors++;
			off++;
			continue;
		}
		for (int i = off; i < off + r; i++) {
			struct vxlan_vtep *vt;
			const struct pkt *p = pkts[b->frame[i]];

			frame_ok[b->frame[i]] = true;
			vx->st.tx_datagrams++;
			if ((vt = vtep_stats(vx, b->dst[i]))) {
				vt->tx_packets++;
				vt->tx_bytes += p->len;
			}
		}
		off += r;
	}
	b->n = 0;
}

/* Queues one encapsulated copy of frame 'fi' (header 'hdr', 'hdr_len'
 * bytes, which must live until the flush) to 'dst'. */
static void
tx_batch_add(struct port_vxlan *vx, struct vxlan_tx_batch *b,
	     struct pkt **pkts, bool *frame_ok, int fi, const uint8_t *hdr,
	     size_t hdr_len, const struct vxlan_addr *dst)
{
	struct msghdr *mh;
	int i;

	if (b->n == VXLAN_TX_BATCH)
		tx_batch_flush(vx, b, pkts, frame_ok);
	i = b->n++;
	mh = &b->msgs[i].msg_hdr;
	memset(mh, 0, sizeof *mh);
	b->iov[i][0].iov_base = (void *)hdr;
	b->iov[i][0].iov_len = hdr_len;
	b->iov[i][1].iov_base = pkts[fi]->data;
	b->iov[i][1].iov_len = pkts[fi]->len;
	mh->msg_iov = b->iov[i];
	mh->msg_iovlen = 2;
	mh->msg_name = &b->names[i];
	/* A raw socket takes no port in the address (IPv6 would read it
	 * as the protocol); the UDP header carries it. */
	mh->msg_namelen = vxlan_addr_to_sockaddr(dst, vx->tx_raw ? 0
						 : vx->dstport, &b->names[i]);
	if (b->cbuf_len) {
		mh->msg_control = b->cbuf.buf;
		mh->msg_controllen = b->cbuf_len;
	}
	b->frame[i] = fi;
	b->dst[i] = dst;
}

/* The destinations of a frame to 'dst_mac': its own entry, else the
 * default one; NULL if neither exists. */
static const struct vxlan_fdb_entry *
vxlan_route(struct port_vxlan *vx, const uint8_t *dst_mac, uint64_t now_ms)
{
	static const struct eth_addr zero_mac;
	const struct vxlan_fdb_entry *e;
	struct eth_addr mac;

	memcpy(mac.ea, dst_mac, ETH_ADDR_LEN);
	if (!eth_addr_is_zero(&mac) &&
	    (e = vxlan_fdb_lookup(vx->fdb, &mac, now_ms)))
		return e;
	return vxlan_fdb_lookup(vx->fdb, &zero_mac, now_ms);
}

/* The UDP socket for GSO sends from outer source port 'sport': opened and
 * bound on first use (vxlan_tx_sockopts(), source address 'local'), kept
 * in a small cache; -1 if it cannot be bound (the port is taken, 'local'
 * is missing), and the run goes one datagram at a time.  Without a raw
 * socket every datagram leaves from the shared socket anyway. */
static int
gso_fd(struct port_vxlan *vx, uint16_t sport)
{
	struct vxlan_gso_sock *g = &vx->gso_socks[sport % VXLAN_GSO_SOCKS];
	struct sockaddr_storage ss;
	socklen_t sslen;
	int fd, on = 1;

	if (!vx->tx_raw)
		return vx->txfd;
	if (g->sport == sport)
		return g->fd;
	if (g->fd >= 0)
		close(g->fd);
	g->sport = sport;
	g->fd = -1;
	fd = socket(vx->local.family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    IPPROTO_UDP);
	if (fd < 0)
		return -1;
	if (vx->local.family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
	vxlan_tx_sockopts(vx, fd);
	sslen = vxlan_addr_to_sockaddr(&vx->local, sport, &ss);
	if (bind(fd, (struct sockaddr *)&ss, sslen)) {
		close(fd);
		return -1;
	}
	return g->fd = fd;
}

/* Sends run 'r' (each payload 'seg' bytes but the last) to 'dst' with
 * one sendmsg() and UDP_SEGMENT: the kernel copies the headers and the
 * payloads from where they lie, cuts the run and sums each datagram's
 * UDP checksum.  Returns 0 or -errno. */
static int
gso_send(struct port_vxlan *vx, int fd, const struct vxlan_gso_run *r,
	 uint32_t seg, const struct vxlan_addr *dst,
	 const struct vxlan_tx_batch *b)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(uint16_t)) +
			 CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} c;
	struct sockaddr_storage ss;
	struct msghdr mh = {
		.msg_name = &ss,
		.msg_iov = (struct iovec *)(uintptr_t)r->iov,
		.msg_iovlen = r->n_iov,
		.msg_control = c.buf,
	};
	uint16_t gso = (uint16_t)seg;
	ssize_t ret;

	memset(&c, 0, sizeof c);
	mh.msg_namelen = vxlan_addr_to_sockaddr(dst, vx->dstport, &ss);
	if (r->n_segs > 1)
		mh.msg_controllen = put_cmsg((struct cmsghdr *)c.buf, SOL_UDP,
					     UDP_SEGMENT, &gso, sizeof gso);
	if (b->cbuf_len) {
		memcpy(c.buf + mh.msg_controllen, b->cbuf.buf, b->cbuf_len);
		mh.msg_controllen += b->cbuf_len;
	}
	if (!mh.msg_controllen)
		mh.msg_control = NULL;
	do {
		ret = sendmsg(fd, &mh, MSG_DONTWAIT);
	} while (ret < 0 && errno == EINTR);
	return ret < 0 ? -errno : 0;
}

/* Sends the same run one datagram at a time, with one sendmmsg() on the
 * port's own send socket (raw: the UDP header written here, from 'sport').
 * Returns true if every datagram went. */
static bool
gso_send_each(struct port_vxlan *vx, size_t len, uint32_t seg, unsigned n,
	      uint16_t sport, const struct vxlan_addr *dst,
	      const struct vxlan_tx_batch *b)
{
	struct mmsghdr msgs[VXLAN_GSO_MAX_SEGS];
	struct iovec iov[VXLAN_GSO_MAX_SEGS][2];
	uint8_t udp[VXLAN_GSO_MAX_SEGS][VXLAN_UDP_HDR_LEN];
	struct sockaddr_storage ss;
	socklen_t sslen = vxlan_addr_to_sockaddr(dst, vx->tx_raw ? 0
						 : vx->dstport, &ss);
	unsigned done = 0;

	ASSERT(n <= VXLAN_GSO_MAX_SEGS);
	memset(msgs, 0, n * sizeof msgs[0]);
	for (unsigned i = 0; i < n; i++) {
		size_t off = (size_t)i * seg;
		size_t dlen = len - off < seg ? len - off : seg;
		struct msghdr *mh = &msgs[i].msg_hdr;
		int k = 0;

		if (vx->tx_raw) {
			eth_put_be16(udp[i], sport);
			eth_put_be16(udp[i] + 2, vx->dstport);
			eth_put_be16(udp[i] + 4, (uint16_t)(VXLAN_UDP_HDR_LEN +
							    dlen));
			eth_put_be16(udp[i] + 6, 0);
			iov[i][k].iov_base = udp[i];
			iov[i][k++].iov_len = VXLAN_UDP_HDR_LEN;
		}
		iov[i][k].iov_base = vx->gso_buf + off;
		iov[i][k++].iov_len = dlen;
		mh->msg_iov = iov[i];
		mh->msg_iovlen = (size_t)k;
		mh->msg_name = &ss;
		mh->msg_namelen = sslen;
		if (b->cbuf_len) {
			mh->msg_control = (void *)b->cbuf.buf;
			mh->msg_controllen = b->cbuf_len;
		}
	}
	while (done < n) {
		int r = sendmmsg(vx->txfd, msgs + done, n - done, MSG_DONTWAIT);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		done += (unsigned)r;
	}
	return true;
}

/* Sends TCP super-frame 'p' to each destination of 'e' as runs of VXLAN
 * datagrams, one UDP GSO send per run (vxlan-gso.h).  Returns true if at
 * least one run went. */
static bool
vxlan_tx_gso(struct port_vxlan *vx, const struct pkt *p,
	     const struct vxlan_fdb_entry *e, const struct vxlan_tx_batch *b)
{
	uint16_t sport = vxlan_src_port(p->data, p->len);
	uint32_t seg = vxlan_gso_seg_size(p), off = 0;
	uint32_t payload = p->len - p->ol.hdr_len;
	int fd = gso_fd(vx, sport);
	bool sent = false;

	vx->st.tx_gso_frames++;
	while (off < payload) {
		struct vxlan_gso_run *r = vx->gso_run;
		size_t len = vxlan_gso_pack_run(p, vx->vni, &off,
						VXLAN_GSO_MAX_BYTES, r);
		unsigned n = r->n_segs;
		bool flat = false;

		if (!len) {		/* a segment beyond a run: never */
			vx->st.tx_errors++;
			return sent;
		}
		for (unsigned d = 0; d < e->n_dst; d++) {
			struct vxlan_vtep *vt;
			int err = fd < 0 ? -EBADF
				  : gso_send(vx, fd, r, seg, &e->dst[d], b);
			bool ok = !err;

			if (!ok && err != -EAGAIN && err != -ENOBUFS) {
				/* No socket for the port, or the kernel
				 * refused the run (a path MTU below the
				 * segments, ...): one by one, counted. */
				vx->st.tx_gso_fallback++;
				if (!flat)
					vxlan_gso_run_flatten(r, vx->gso_buf);
				flat = true;
				ok = gso_send_each(vx, len, seg, n, sport,
						   &e->dst[d], b);
			} else if (ok) {
				vx->st.tx_gso_sends++;
				vx->st.tx_gso_segs += n;
			}
			if (!ok) {
				vx->st.tx_errors++;
				continue;
			}
			sent = true;
			vx->st.tx_datagrams += n;
			if ((vt = vtep_stats(vx, &e->dst[d]))) {
				vt->tx_packets += n;
				vt->tx_bytes += len - (size_t)n * VXLAN_HDR_LEN;
			}
		}
	}
	return sent;
}

/* Encapsulates each frame and sends the copies for its VTEP(s), the
 * whole burst in one sendmmsg() (a TCP super-frame: vxlan_tx_gso(), after
 * what is queued before it).  Frames that went to at least one VTEP
 * are moved to the front of 'pkts' (only the pointers: the pipeline frees
 * the whole burst it holds elsewhere), so the count returned says which
 * were sent; the rest are counted by reason here and as tx_error by the
 * pipeline. */
static int
vxlan_tx_burst(struct port *port, struct pkt **pkts, int n)
{
	struct port_vxlan *vx = port_vxlan_cast(port);
	size_t max_len = (size_t)port->mtu + ETH_HDR_LEN + ETH_VLAN_HDR_LEN;
	uint64_t now_ms = clock_now_ms();
	uint8_t hdrs[PKT_BURST][VXLAN_UDP_HDR_LEN + VXLAN_HDR_LEN];
	bool frame_ok[PKT_BURST] = { false };
	struct vxlan_tx_batch b;
	int sent = 0;

	ASSERT(n <= PKT_BURST);
	tx_batch_init(&b, vx);
	for (int i = 0; i < n; i++) {
		struct pkt *p = pkts[i];
		const struct vxlan_fdb_entry *e;
		uint8_t *hdr = hdrs[i], *vxh = hdr;
		size_t hdr_len = VXLAN_HDR_LEN;

		/* A super-frame is judged by its segments: the datapath
		 * gives us only those whose segments fit our MTU. */
		if (p->len > max_len && !pkt_is_gso(p)) {
			vx->st.tx_oversize++;
			continue;
		}
		if (p->len < ETH_HDR_LEN ||
		    !(e = vxlan_route(vx, p->data, now_ms))) {
			vx->st.tx_no_remote++;
			continue;
		}
		if (pkt_is_gso(p)) {
			tx_batch_flush(vx, &b, pkts, frame_ok);
			frame_ok[i] = vxlan_tx_gso(vx, p, e, &b);
			continue;
		}
		if (p->ol.flags) {
			/* A partial checksum (we take PKT_OL_CSUM with
			 * TSO): finished before it leaves. */
			pkt_make_writable(p);
			pkt_csum_finish(p);
		}
		if (vx->tx_raw) {
			uint16_t udp_len = (uint16_t)(VXLAN_UDP_HDR_LEN +
						      VXLAN_HDR_LEN + p->len);

			eth_put_be16(hdr, vxlan_src_port(p->data, p->len));
			eth_put_be16(hdr + 2, vx->dstport);
			eth_put_be16(hdr + 4, udp_len);
			eth_put_be16(hdr + 6, 0);	/* see the top */
			vxh = hdr + VXLAN_UDP_HDR_LEN;
			hdr_len += VXLAN_UDP_HDR_LEN;
		}
		vxlan_hdr_encode(vxh, vx->vni);
		/* 'e' is read now: the table does not change until the
		 * flush (one thread, no learning on transmit). */
		for (unsigned d = 0; d < e->n_dst; d++)
			tx_batch_add(vx, &b, pkts, frame_ok, i, hdr, hdr_len,
				     &e->dst[d]);
	}
	tx_batch_flush(vx, &b, pkts, frame_ok);
	for (int i = 0; i < n; i++) {
		struct pkt *p = pkts[i];

		if (!frame_ok[i])
			continue;
		vx->st.tx_packets++;
		vx->st.tx_bytes += p->len;
		pkts[i] = pkts[sent];
		pkts[sent++] = p;
	}
	return sent;
}

/* The counters of VTEP 'a', made on first use; NULL (counted as
 * vtep_overflow) when VXLAN_MAX_VTEPS are counted already. */
static struct vxlan_vtep *
vtep_stats(struct port_vxlan *vx, const struct vxlan_addr *a)
{
	for (unsigned i = 0; i < vx->n_vteps; i++)
		if (vxlan_addr_equal(&vx->vteps[i].addr, a))
			return &vx->vteps[i];
	if (vx->n_vteps == VXLAN_MAX_VTEPS) {
		vx->st.vtep_overflow++;
		return NULL;
	}
	memset(&vx->vteps[vx->n_vteps], 0, sizeof vx->vteps[0]);
	vx->vteps[vx->n_vteps].addr = *a;
	return &vx->vteps[vx->n_vteps++];
}

/* Control ops. */

static int
vxlan_set_mtu(struct port *port, uint32_t mtu)
{
	if (mtu < 68 || mtu > VXLAN_MTU_MAX)
		return -EINVAL;
	port->mtu = mtu;
	return 0;
}

static void
vxlan_on_age(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct port_vxlan *vx = container_of(w, struct port_vxlan, age_timer);

	(void)loop;
	(void)revents;
	vx->st.aged += vxlan_fdb_age(vx->fdb, clock_now_ms());
}

static void
vxlan_watch(struct port *port, struct ev_loop *loop)
{
	struct port_vxlan *vx = port_vxlan_cast(port);

	if (vx->loop) {
		ev_timer_stop(vx->loop, &vx->age_timer);
		vx->loop = NULL;
	}
	vxlan_sock_watch(&vx->member, loop);
	if (!loop)
		return;
	ev_timer_init(&vx->age_timer, vxlan_on_age, VXLAN_AGE_PERIOD_S,
		      VXLAN_AGE_PERIOD_S);
	ev_timer_start(loop, &vx->age_timer);
	vx->loop = loop;
}

/* Listings. */

struct fdb_lines {
	const struct port_vxlan *vx;
	struct json_object *list;
};

/* One line per destination, in the form of iproute2's "bridge fdb show"
 * for a vxlan device: "MAC dev vx0 dst 10.0.0.2 self[ permanent]". */
static void
fdb_line(const struct vxlan_fdb_entry *e, void *aux)
{
	struct fdb_lines *fl = aux;
	char mac[ETH_ADDR_STRLEN], dst[VXLAN_ADDR_STRLEN];

	eth_addr_format(&e->mac, mac);
	for (unsigned d = 0; d < e->n_dst; d++) {
		char *line;

		vxlan_addr_format(&e->dst[d], dst, sizeof dst);
		line = xasprintf("%s dev %s dst %s self%s", mac,
				 fl->vx->up.name, dst,
				 e->is_static ? " permanent" : "");
		json_object_array_add(fl->list, json_object_new_string(line));
		free(line);
	}
}

static int
cmp_json_str(const void *a, const void *b)
{
	return strcmp(json_object_get_string(*(struct json_object *const *)a),
		      json_object_get_string(*(struct json_object *const *)b));
}

static struct json_object *
vxlan_describe(const struct port *port)
{
	const struct port_vxlan *vx = port_vxlan_cast(port);
	struct json_object *o = json_object_new_object();
	struct fdb_lines fl = { vx, json_object_new_array() };
	char addr[VXLAN_ADDR_STRLEN], *list = xstrdup("");

	json_object_object_add(o, "vni", json_object_new_int64(vx->vni));
	vxlan_addr_format(&vx->local, addr, sizeof addr);
	json_object_object_add(o, "local", json_object_new_string(addr));
	for (unsigned i = 0; i < vx->n_remote; i++) {
		char *old = list;

		vxlan_addr_format(&vx->remote[i], addr, sizeof addr);
		list = xasprintf("%s%s%s", old, i ? "," : "", addr);
		free(old);
	}
	if (vx->n_remote)
		json_object_object_add(o, "remote",
				       json_object_new_string(list));
	free(list);
	if (vx->group.family) {
		vxlan_addr_format(&vx->group, addr, sizeof addr);
		json_object_object_add(o, "group",
				       json_object_new_string(addr));
		if (vx->dev[0])
			json_object_object_add(o, "dev",
					       json_object_new_string(vx->dev));
	}
	json_object_object_add(o, "dstport", json_object_new_int(vx->dstport));
	json_object_object_add(o, "ttl", json_object_new_int(vx->ttl));
	json_object_object_add(o, "tos", json_object_new_int(vx->tos));
	json_object_object_add(o, "learning", json_object_new_string(
				       vx->learning ? "on" : "off"));
	json_object_object_add(o, "ageing", json_object_new_int64(
				       vx->ageing_s));
	json_object_object_add(o, "raw_tx", json_object_new_boolean(
				       vx->tx_raw));
	/* What was asked for, and what the kernel gives: UDP GSO sends
	 * (tx), UDP_GRO reads on the shared socket (rx). */
	json_object_object_add(o, "gso", json_object_new_string(
				       !vx->gso ? "off" : vx->gso_kernel ? "on"
				       : "unsupported"));
	json_object_object_add(o, "gro", json_object_new_string(
				       vx->gro ? "on" : "off"));
	json_object_object_add(o, "udp_gro", json_object_new_boolean(
				       vxlan_sock_stats(&vx->member)->gro));
	vxlan_fdb_foreach(vx->fdb, clock_now_ms(), fdb_line, &fl);
	json_object_array_sort(fl.list, cmp_json_str);
	json_object_object_add(o, "fdb", fl.list);
	return o;
}

/* The remote table in fdb.show's form: one object per destination. */
static void
fdb_object(const struct vxlan_fdb_entry *e, void *aux)
{
	struct json_object *list = aux;
	char mac[ETH_ADDR_STRLEN], dst[VXLAN_ADDR_STRLEN];

	eth_addr_format(&e->mac, mac);
	for (unsigned d = 0; d < e->n_dst; d++) {
		struct json_object *o = json_object_new_object();

		vxlan_addr_format(&e->dst[d], dst, sizeof dst);
		json_object_object_add(o, "mac", json_object_new_string(mac));
		json_object_object_add(o, "dst", json_object_new_string(dst));
		json_object_object_add(o, "state", json_object_new_string(
					       e->is_static ? "permanent" : ""));
		json_object_array_add(list, o);
	}
}

/* By MAC; the destinations of one MAC keep their order (the sort is not
 * stable, so the index breaks ties). */
static int
cmp_fdb_object(const void *a, const void *b)
{
	struct json_object *x = *(struct json_object *const *)a;
	struct json_object *y = *(struct json_object *const *)b;
	struct json_object *mx, *my, *ix, *iy;
	int c;

	json_object_object_get_ex(x, "mac", &mx);
	json_object_object_get_ex(y, "mac", &my);
	c = strcmp(json_object_get_string(mx), json_object_get_string(my));
	if (c)
		return c;
	json_object_object_get_ex(x, "i", &ix);
	json_object_object_get_ex(y, "i", &iy);
	return json_object_get_int(ix) - json_object_get_int(iy);
}

static struct json_object *
vxlan_fdb_show(const struct port *port)
{
	const struct port_vxlan *vx = port_vxlan_cast(port);
	struct json_object *list = json_object_new_array();
	size_t n;

	vxlan_fdb_foreach(vx->fdb, clock_now_ms(), fdb_object, list);
	n = json_object_array_length(list);
	for (size_t i = 0; i < n; i++)
		json_object_object_add(json_object_array_get_idx(list, i), "i",
				       json_object_new_int((int)i));
	json_object_array_sort(list, cmp_fdb_object);
	for (size_t i = 0; i < n; i++)
		json_object_object_del(json_object_array_get_idx(list, i), "i");
	return list;
}

/* Runtime changes of the remote table (bridge fdb add|append|replace|del
 * MAC dev vx0 dst IP self), with Linux's rules: only the all-zero and
 * multicast MACs take several destinations (head-end replication); a
 * unicast MAC has one, which 'replace' changes.  A learned entry gives way
 * to the administrator's. */

static bool
mac_takes_several(const struct eth_addr *mac)
{
	return eth_addr_is_zero(mac) || eth_addr_is_multicast(mac);
}

/* Parses destination 'dst' of an entry for 'mac': an address of the
 * underlay's family, unicast.  Returns 0 or -EINVAL with '*msgp'. */
static int
fdb_parse_dst(const struct port_vxlan *vx, const char *dst,
	      struct vxlan_addr *a, char **msgp)
{
	if (!dst) {
		*msgp = xasprintf("dst: needed (the VTEP the entry sends to)");
		return -EINVAL;
	}
	if (!vxlan_addr_parse(dst, a)) {
		*msgp = xasprintf("dst: '%s' is not an IPv4 or IPv6 address",
				  dst);
		return -EINVAL;
	}
	if (vxlan_addr_is_any(a) || vxlan_addr_is_multicast(a)) {
		*msgp = xasprintf("dst: %s is not a unicast address (a "
				  "multicast underlay is the port's 'group')",
				  dst);
		return -EINVAL;
	}
	if (a->family != vx->local.family) {
		*msgp = xasprintf("dst: %s is not of the underlay's family "
				  "(%s)", dst, vx->local.family == AF_INET6
				  ? "IPv6" : "IPv4");
		return -EINVAL;
	}
	return 0;
}

static int
vxlan_fdb_self_add(struct port *port, enum port_fdb_op op,
		   const struct eth_addr *mac, const char *dst, char **msgp)
{
	struct port_vxlan *vx = port_vxlan_cast(port);
	const struct vxlan_fdb_entry *e;
	char m[ETH_ADDR_STRLEN];
	struct vxlan_addr a;
	int err;

	eth_addr_format(mac, m);
	if ((err = fdb_parse_dst(vx, dst, &a, msgp)))
		return err;
	e = vxlan_fdb_lookup(vx->fdb, mac, clock_now_ms());
	if (e && e->is_static) {
		bool has = false;

		for (unsigned d = 0; d < e->n_dst; d++)
			has |= vxlan_addr_equal(&e->dst[d], &a);
		if (op == PORT_FDB_ADD || (op == PORT_FDB_APPEND && has)) {
			*msgp = xasprintf("fdb entry %s dev %s%s%s already "
					  "exists", m, port->name,
					  has ? " dst " : "", has ? dst : "");
			return -EEXIST;
		}
		if (op == PORT_FDB_APPEND && !mac_takes_several(mac)) {
			*msgp = xasprintf("fdb entry %s dev %s: a unicast MAC "
					  "has one destination (replace "
					  "changes it; append is for "
					  "00:00:00:00:00:00 and multicast)",
					  m, port->name);
			return -EOPNOTSUPP;
		}
		if (op == PORT_FDB_REPLACE && mac_takes_several(mac)) {
			*msgp = xasprintf("fdb entry %s dev %s: replace is for "
					  "a unicast MAC (use del and append "
					  "for the default destinations)", m,
					  port->name);
			return -EOPNOTSUPP;
		}
	}
	/* What is replaced: a learned entry, or a unicast one's dst. */
	if (e && (!e->is_static || op == PORT_FDB_REPLACE))
		vxlan_fdb_del(vx->fdb, mac, NULL);
	err = vxlan_fdb_append(vx->fdb, mac, &a);
	if (err == -ENOSPC)
		*msgp = xasprintf("fdb entry %s dev %s: %s is full", m,
				  port->name, e ? "the entry (16 destinations)"
				  : "the table (1024 entries)");
	else if (err)
		*msgp = xasprintf("fdb entry %s dev %s dst %s: %s", m,
				  port->name, dst, strerror(-err));
	return err;
}

static int
vxlan_fdb_self_del(struct port *port, const struct eth_addr *mac,
		   const char *dst, char **msgp)
{
	struct port_vxlan *vx = port_vxlan_cast(port);
	char m[ETH_ADDR_STRLEN];
	struct vxlan_addr a;
	int err;

	eth_addr_format(mac, m);
	if (dst && (err = fdb_parse_dst(vx, dst, &a, msgp)))
		return err;
	err = vxlan_fdb_del(vx->fdb, mac, dst ? &a : NULL);
	if (err == -ENOENT)
		*msgp = xasprintf("fdb entry %s dev %s%s%s not found", m,
				  port->name, dst ? " dst " : "",
				  dst ? dst : "");
	return err;
}

static void
add_counter(struct json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, json_object_new_uint64(v));
}

static struct json_object *
vxlan_get_stats(const struct port *port)
{
	const struct port_vxlan *vx = port_vxlan_cast(port);
	const struct vxlan_sock_stats *ss = vxlan_sock_stats(&vx->member);
	struct json_object *o = json_object_new_object();

#define VXLAN_COUNTER_ADD(name) add_counter(o, #name, vx->st.name);
	VXLAN_COUNTERS(VXLAN_COUNTER_ADD)
#undef VXLAN_COUNTER_ADD
	add_counter(o, "fdb_entries", vxlan_fdb_count(vx->fdb));
	/* The shared socket's, the same in every port on it. */
	add_counter(o, "sock_rx_datagrams", ss->rx_datagrams);
	add_counter(o, "sock_rx_short", ss->rx_short);
	add_counter(o, "sock_rx_bad_flags", ss->rx_bad_flags);
	add_counter(o, "sock_rx_unknown_vni", ss->rx_unknown_vni);
	add_counter(o, "sock_rx_errors", ss->rx_errors);
	add_counter(o, "sock_rx_gro_runs", ss->rx_gro_runs);
	add_counter(o, "sock_rx_gro_segs", ss->rx_gro_segs);
	for (unsigned i = 0; i < vx->n_vteps; i++) {
		const struct vxlan_vtep *vt = &vx->vteps[i];
		char addr[VXLAN_ADDR_STRLEN], key[VXLAN_ADDR_STRLEN + 32];

		vxlan_addr_format(&vt->addr, addr, sizeof addr);
#define VTEP_ADD(f)							\
		snprintf(key, sizeof key, "vtep %s " #f, addr);	\
		add_counter(o, key, vt->f);
		VTEP_ADD(rx_packets)
		VTEP_ADD(rx_bytes)
		VTEP_ADD(tx_packets)
		VTEP_ADD(tx_bytes)
#undef VTEP_ADD
	}
	return o;
}

static const struct port_arg vxlan_args[] = {
	{ "vni", PORT_ARG_UINT, true, "id", "0-16777215",
	  "VXLAN network identifier (RFC 7348 VNI)" },
	{ "local", PORT_ARG_IP, false, NULL, NULL,
	  "outer source address (default: chosen by the kernel)" },
	{ "remote", PORT_ARG_IP_LIST, false, NULL, NULL,
	  "default destination VTEP(s), A[,B...]: head-end replication" },
	{ "group", PORT_ARG_IP, false, NULL, NULL,
	  "multicast group as the default destination (not with remote)" },
	{ "dev", PORT_ARG_STRING, false, NULL, NULL,
	  "interface the group is joined on and sent out of" },
	{ "dstport", PORT_ARG_UINT, false, NULL, "1-65535",
	  "UDP port (default 4789)" },
	{ "ttl", PORT_ARG_UINT, false, NULL, "1-255",
	  "outer TTL / hop limit (default 64)" },
	{ "tos", PORT_ARG_UINT, false, NULL, "0-255",
	  "outer TOS / traffic class (default 0)" },
	{ "learning", PORT_ARG_CHOICE, false, NULL, "on|off",
	  "learn remote MACs with their VTEP (default on)" },
	{ "ageing", PORT_ARG_UINT, false, NULL, "0-1000000",
	  "seconds a learned remote MAC lives, 0 forever (default 300)" },
	{ "gso", PORT_ARG_CHOICE, false, NULL, "on|off",
	  "take TCP super-frames, send them with UDP GSO (default on)" },
	{ "gro", PORT_ARG_CHOICE, false, NULL, "on|off",
	  "merge received TCP segments into super-frames (default on)" },
	{ NULL, 0, false, NULL, NULL, NULL },
};

const struct port_class port_vxlan_class = {
	.type = "vxlan",
	.args = vxlan_args,
	.open = vxlan_open,
	.close = vxlan_close,
	.rx_burst = vxlan_rx_burst,
	.tx_burst = vxlan_tx_burst,
	.set_mtu = vxlan_set_mtu,
	.watch = vxlan_watch,
	.get_stats = vxlan_get_stats,
	.describe = vxlan_describe,
	.fdb_show = vxlan_fdb_show,
	.fdb_self_add = vxlan_fdb_self_add,
	.fdb_self_del = vxlan_fdb_self_del,
};
