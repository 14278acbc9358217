/*
 * vxlan-sock.h - the UDP sockets VXLAN ports receive on, shared per
 * (address family, UDP port) and demultiplexed by VNI.
 *
 * Several VXLAN ports (one per VNI) listen on the same UDP port 4789, as
 * Linux's vxlan devices share one socket per family and port.  As in
 * Linux, the socket is bound to the wildcard address (0.0.0.0 or ::), not
 * to a port's 'local' address, which only chooses the source address of
 * what the port sends: a port whose local address is missing (not yet
 * configured, or gone across a restart) still opens, receives on the
 * addresses there are, and sends once the address is back.  A socket is
 * opened by the first port that joins it and closed when the last one
 * leaves (a reference count: its member list).  Its libev watcher reads
 * up to VXLAN_SOCK_BATCH datagrams with one recvmmsg(2), checks each
 * header, and hands each member the datagrams of its VNI in one call, so
 * a member sees a burst and can run one bridge_port_input() for it.
 *
 * What the socket itself refuses is counted on the socket (short,
 * no I flag, unknown VNI); what needs a member's settings (inner runt,
 * oversize) the member counts.  Datagrams live in the socket's buffers
 * only during the member's 'input' call: the member copies what it keeps.
 *
 * UDP_GRO (Linux >= 5.0) is asked for on every socket: the kernel then
 * hands runs of datagrams of one UDP flow (a peer's UDP GSO send, or what
 * its GRO coalesced) as one buffer with the segment size in a control
 * message, so a run costs one read; the socket splits it into its
 * datagrams, each checked as above, and hands members up to
 * VXLAN_SOCK_SEGS per call.  Without UDP_GRO the reads are per datagram,
 * as before (stats: 'gro').
 */
#ifndef VSWITCHD_VXLAN_SOCK_H
#define VSWITCHD_VXLAN_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vxlan-wire.h"

struct ev_loop;
struct vxlan_sock;

#define VXLAN_SOCK_BATCH	32	/* datagrams per read, = PKT_BURST */
/* Largest datagram kept whole: VXLAN header + a 9000-byte MTU frame with
 * two VLAN tags, rounded up.  Longer ones arrive truncated (MSG_TRUNC)
 * and are counted as oversize by their member. */
#define VXLAN_DGRAM_MAX		9216
/* A read buffer with UDP_GRO: a run the kernel coalesced, up to one IP
 * datagram of UDP payload. */
#define VXLAN_GRO_BUF		65536
/* Datagrams (coalesced runs split) handed to members per call. */
#define VXLAN_SOCK_SEGS		256

/* One received datagram, valid during a member's 'input' call. */
struct vxlan_dgram {
	const uint8_t *frame;		/* the inner Ethernet frame */
	size_t len;			/* its length (of what was kept) */
	bool truncated;			/* longer than VXLAN_DGRAM_MAX */
	struct vxlan_addr src;		/* outer source address */
};

struct vxlan_member;
struct vxlan_group;
typedef void vxlan_input_fn(struct vxlan_member *m,
			    const struct vxlan_dgram *const *d, int n);

/* A socket's user: a VXLAN port embeds one. */
struct vxlan_member {
	const char *name;		/* for messages: the port's name */
	uint32_t vni;
	vxlan_input_fn *input;		/* datagrams of 'vni' */
	bool watched;			/* counted in the socket's watchers */
	struct vxlan_group *group;	/* joined, or NULL */
	struct vxlan_sock *sock;	/* set by vxlan_sock_join() */
	struct vxlan_member *next;	/* in the socket's member list */
};

/* Datagrams the socket refused before any member saw them. */
struct vxlan_sock_stats {
	uint64_t rx_datagrams;		/* everything read */
	uint64_t rx_short;		/* shorter than the VXLAN header */
	uint64_t rx_bad_flags;		/* I flag clear */
	uint64_t rx_unknown_vni;	/* no member with that VNI */
	uint64_t rx_errors;		/* recvmmsg failures */
	uint64_t rx_gro_runs;		/* reads of coalesced runs (UDP_GRO) */
	uint64_t rx_gro_segs;		/* datagrams in those runs */
	bool gro;			/* UDP_GRO on (false: kernel lacks it) */
};

/* Makes 'm' (its 'name', 'vni' and 'input' set) a member of the socket
 * of 'family' (AF_INET or AF_INET6) on UDP 'port', opening and binding it
 * if no member has it yet.  Returns 0, -EEXIST if another member has the
 * same VNI on that socket ('*msgp' names it), or -errno from socket/bind
 * with '*msgp' (malloc'd) saying what failed.  Control path. */
int vxlan_sock_join(struct vxlan_member *m, sa_family_t family,
		    uint16_t port, char **msgp);

/* Removes 'm' from its socket (unwatching it first); the last member
 * closes the socket.  Accepts a member that never joined. */
void vxlan_sock_leave(struct vxlan_member *m);

/* Joins multicast 'group' (of the socket's family) on interface
 * 'ifindex' (0: the kernel's choice) for member 'm', so the socket
 * receives what is sent to the group; a group joined by several members
 * is joined once.  Returns 0 or -errno with '*msgp' (malloc'd).  A member
 * joins at most one group; vxlan_sock_leave() leaves it. */
int vxlan_sock_join_group(struct vxlan_member *m,
			  const struct vxlan_addr *group, int ifindex,
			  char **msgp);

/* Starts (non-NULL 'loop') or stops the socket's reading on behalf of
 * 'm'; the socket reads while at least one member watches. */
void vxlan_sock_watch(struct vxlan_member *m, struct ev_loop *loop);

/* The socket's fd, to send from when no raw socket is available (the
 * source port is then the bound port). */
int vxlan_sock_fd(const struct vxlan_member *m);

/* The socket's own counters. */
const struct vxlan_sock_stats *vxlan_sock_stats(const struct vxlan_member *m);

#endif /* VSWITCHD_VXLAN_SOCK_H */
