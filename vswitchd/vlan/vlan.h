/*
 * vlan.h - 802.1Q/802.1ad port membership, ingress classification and
 * egress tagging decisions.
 *
 * PURE module: no I/O and no clock.  Follows the Linux bridge
 * (shared/reference/linux-bridge.md §5):
 *
 *   - Each port (and the bridge device itself) has a set of VIDs 1..4094,
 *     each possibly "egress untagged", and at most one PVID.
 *   - vlan_port_add() replaces the flags of an existing VID; adding 'pvid'
 *     moves the PVID; deleting the PVID VLAN leaves the port without one.
 *   - Ingress (filtering on): untagged and priority-tagged frames take the
 *     PVID (priority-tagged keep PCP/DEI), or are dropped without one;
 *     tagged frames whose VID is not a member (4095 included) are dropped.
 *     A tag of the other protocol (0x88a8 on an 802.1Q bridge and vice
 *     versa) is payload: the frame counts as untagged.
 *   - Egress: allowed only on members; "untagged" strips the tag, else the
 *     frame is tagged with the bridge protocol and the classified VID, PCP
 *     and DEI preserved.
 *
 * A vlan_port is a plain struct (two 4096-bit maps and the PVID) meant to be
 * embedded in its owner; no allocation.
 */
#ifndef VSWITCHD_VLAN_H
#define VSWITCHD_VLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eth.h"

#define VLAN_VID_MIN 1
#define VLAN_VID_MAX 4094
#define VLAN_DEFAULT_PVID 1

struct vlan_port {
	uint64_t member[VLAN_N_VID / 64];
	uint64_t untagged[VLAN_N_VID / 64];
	uint16_t pvid;		/* 0: none */
	uint16_t n_members;
};

/* Why a frame was not admitted at ingress. */
enum vlan_verdict {
	VLAN_ACCEPT,
	VLAN_DROP_NO_PVID,	/* untagged/priority-tagged, port has no PVID */
	VLAN_DROP_NOT_MEMBER,	/* tagged with a VID the port is not in */
	VLAN_DROP_BAD_VID,	/* VID 4095 */
	VLAN_DROP_TRUNCATED,	/* tagged but shorter than 18 bytes */
};

/* Result of classification. */
struct vlan_class {
	uint16_t vid;		/* classified VID */
	uint16_t tci;		/* PCP/DEI bits to keep (VID bits zero) */
	bool had_tag;		/* the frame carries an outer bridge-protocol
				 * tag (VID or priority tag) to be removed */
};

/* Empties 'vp' (no VIDs, no PVID). */
void vlan_port_init(struct vlan_port *vp);

/* Adds 'vid' (1..4094) with the given flags, replacing its old flags.
 * Returns 0 or -EINVAL for an out-of-range VID. */
int vlan_port_add(struct vlan_port *vp, uint16_t vid, bool pvid,
		  bool untagged);

/* Removes 'vid'.  Returns 0, -EINVAL (range) or -ENOENT (not a member). */
int vlan_port_del(struct vlan_port *vp, uint16_t vid);

bool vlan_port_has(const struct vlan_port *vp, uint16_t vid);
bool vlan_port_is_untagged(const struct vlan_port *vp, uint16_t vid);

/* Returns the next member VID greater than 'after' (0 to start), or 0 when
 * there are no more.  For listings. */
uint16_t vlan_port_next(const struct vlan_port *vp, uint16_t after);

/* Classifies 'frame' of 'len' bytes (>= ETH_HDR_LEN) received on 'vp' on a
 * bridge whose protocol is 'tpid' (ETH_TYPE_VLAN or ETH_TYPE_QINQ).
 * Fills 'out' only on VLAN_ACCEPT.  A frame shorter than ETH_HDR_LEN is
 * reported as VLAN_DROP_TRUNCATED without being read.  Datapath-safe. */
enum vlan_verdict vlan_ingress(const struct vlan_port *vp, uint16_t tpid,
			       const uint8_t *frame, size_t len,
			       struct vlan_class *out);

/* True if a frame classified to 'vid' may leave through 'vp'. */
static inline bool
vlan_egress_allowed(const struct vlan_port *vp, uint16_t vid)
{
	return (vp->member[vid >> 6] >> (vid & 63)) & 1;
}

/* True if 'vid' leaves 'vp' untagged (only meaningful for members). */
static inline bool
vlan_egress_untagged(const struct vlan_port *vp, uint16_t vid)
{
	return (vp->untagged[vid >> 6] >> (vid & 63)) & 1;
}

/* Parses "802.1Q"/"802.1q"/"0x8100" and "802.1ad"/"0x88a8" to a TPID.
 * Returns 0 or -EINVAL. */
int vlan_parse_protocol(const char *s, uint16_t *tpid);

/* Returns "802.1Q" or "802.1ad" for 'tpid', "unknown" for anything else. */
const char *vlan_protocol_name(uint16_t tpid);

#endif /* VSWITCHD_VLAN_H */
