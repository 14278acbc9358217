/*
 * vlan.c - 802.1Q/802.1ad port membership and ingress classification.
 *
 * The membership and egress-untagged sets are plain 4096-bit maps indexed by
 * VID; VID 0 and 4095 are never set, so the egress inlines in vlan.h may test
 * any classified VID without a range check.  n_members mirrors the number of
 * bits set in 'member' so listings and "port has no VLAN" checks are O(1).
 */
#include "vlan.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

#include "eth.h"

#define VLAN_WORD_BITS 64
#define VLAN_N_WORDS   (VLAN_N_VID / VLAN_WORD_BITS)

_Static_assert(VLAN_N_VID % VLAN_WORD_BITS == 0,
	       "VID maps must be whole 64-bit words");
_Static_assert(sizeof(((struct vlan_port *)0)->member) * 8 == VLAN_N_VID,
	       "member map must hold one bit per VID");

static bool vlan_vid_is_valid(uint16_t vid);
static bool vlan_map_test(const uint64_t *map, uint16_t vid);
static void vlan_map_set(uint64_t *map, uint16_t vid);
static void vlan_map_clear(uint64_t *map, uint16_t vid);
static enum vlan_verdict vlan_ingress_untagged(const struct vlan_port *vp,
					       struct vlan_class *out);

/* Empties 'vp': no member VIDs, nothing untagged, no PVID. */
void
vlan_port_init(struct vlan_port *vp)
{
	memset(vp, 0, sizeof *vp);
}

/* Makes 'vid' (1..4094) a member of 'vp'.  Its flags are replaced, as with
 * Linux "bridge vlan add": 'untagged' sets or clears "egress untagged";
 * 'pvid' makes 'vid' the port's PVID (moving it from any other VID), while
 * re-adding the current PVID VID without 'pvid' leaves the port with no
 * PVID (linux-bridge.md §5.1).  Returns 0 or -EINVAL for an out-of-range
 * VID, in which case 'vp' is unchanged.  Control path. */
int
vlan_port_add(struct vlan_port *vp, uint16_t vid, bool pvid, bool untagged)
{
	if (!vlan_vid_is_valid(vid))
		return -EINVAL;

	if (!vlan_map_test(vp->member, vid)) {
		vlan_map_set(vp->member, vid);
		vp->n_members++;
	}
	if (untagged)
		vlan_map_set(vp->untagged, vid);
	else
		vlan_map_clear(vp->untagged, vid);

	if (pvid)
		vp->pvid = vid;
	else if (vp->pvid == vid)
		vp->pvid = 0;
	return 0;
}

/* Removes 'vid' from 'vp'; if it was the PVID the port is left without one
 * (linux-bridge.md §5.1).  Returns 0, -EINVAL for an out-of-range VID or
 * -ENOENT if 'vid' is not a member.  Control path. */
int
vlan_port_del(struct vlan_port *vp, uint16_t vid)
{
	if (!vlan_vid_is_valid(vid))
		return -EINVAL;
	if (!vlan_map_test(vp->member, vid))
		return -ENOENT;

	vlan_map_clear(vp->member, vid);
	vlan_map_clear(vp->untagged, vid);
	vp->n_members--;
	if (vp->pvid == vid)
		vp->pvid = 0;
	return 0;
}

/* True if 'vid' is a member of 'vp'.  Any 'vid' is accepted (0, 4095 and
 * larger values are never members).  Datapath-safe. */
bool
vlan_port_has(const struct vlan_port *vp, uint16_t vid)
{
	return vlan_vid_is_valid(vid) && vlan_map_test(vp->member, vid);
}

/* True if 'vid' is a member of 'vp' flagged "egress untagged".  Any 'vid'
 * is accepted.  Datapath-safe. */
bool
vlan_port_is_untagged(const struct vlan_port *vp, uint16_t vid)
{
	return vlan_port_has(vp, vid) && vlan_map_test(vp->untagged, vid);
}

/* Returns the smallest member VID of 'vp' greater than 'after' (0 to start),
 * or 0 when there is none.  Iterating from 0 lists the VIDs in ascending
 * order, as "bridge vlan show" does.  Pure query. */
uint16_t
vlan_port_next(const struct vlan_port *vp, uint16_t after)
{
	unsigned int vid = (unsigned int)after + 1;

	while (vid <= VLAN_VID_MAX) {
		unsigned int word = vid / VLAN_WORD_BITS;
		uint64_t bits = vp->member[word] >> (vid % VLAN_WORD_BITS);

		if (bits) {
			vid += (unsigned int)__builtin_ctzll(bits);
			return vid <= VLAN_VID_MAX ? (uint16_t)vid : 0;
		}
		vid = (word + 1) * VLAN_WORD_BITS;
	}
	return 0;
}

/* Classifies 'frame' ('len' bytes) received on 'vp' on a bridge with
 * protocol 'tpid', following 802.1Q ingress rules as the Linux bridge
 * applies them (linux-bridge.md §5.2):
 *
 *   - outer EtherType == 'tpid': the frame is tagged.  Shorter than 18 bytes
 *     is VLAN_DROP_TRUNCATED; VID 4095 is VLAN_DROP_BAD_VID; VID 0
 *     (priority tag) takes the PVID (VLAN_DROP_NO_PVID without one) and
 *     keeps PCP/DEI; any other VID is accepted only if 'vp' is a member
 *     (else VLAN_DROP_NOT_MEMBER).  'out->had_tag' is true.
 *   - otherwise (untagged, or a tag of the other protocol, which stays as
 *     payload): the PVID with PCP 0, or VLAN_DROP_NO_PVID.
 *
 * 'out->tci' holds only the PCP and DEI bits.  A frame shorter than
 * ETH_HDR_LEN is reported as VLAN_DROP_TRUNCATED rather than read.  'out'
 * is written only on VLAN_ACCEPT.  Datapath-safe: no allocation, no I/O. */
enum vlan_verdict
vlan_ingress(const struct vlan_port *vp, uint16_t tpid, const uint8_t *frame,
	     size_t len, struct vlan_class *out)
{
	uint16_t tci, vid;

	if (len < ETH_HDR_LEN)
		return VLAN_DROP_TRUNCATED;
	if (eth_get_be16(frame + 2 * ETH_ADDR_LEN) != tpid)
		return vlan_ingress_untagged(vp, out);

	if (len < ETH_HDR_LEN + ETH_VLAN_HDR_LEN)
		return VLAN_DROP_TRUNCATED;
	tci = eth_get_be16(frame + 2 * ETH_ADDR_LEN + 2);
	vid = tci & VLAN_VID_MASK;

	if (vid == 0) {
		/* Priority-tagged: classified like an untagged frame, but the
		 * priority it carries is kept. */
		if (!vp->pvid)
			return VLAN_DROP_NO_PVID;
		vid = vp->pvid;
	} else if (vid == VLAN_VID_MASK) {
		return VLAN_DROP_BAD_VID;
	} else if (!vlan_map_test(vp->member, vid)) {
		return VLAN_DROP_NOT_MEMBER;
	}

	out->vid = vid;
	out->tci = tci & (uint16_t)~VLAN_VID_MASK;
	out->had_tag = true;
	return VLAN_ACCEPT;
}

/* Parses a VLAN protocol name: "802.1Q" or "0x8100" gives ETH_TYPE_VLAN,
 * "802.1ad" or "0x88a8" gives ETH_TYPE_QINQ (letters in either case).
 * Stores the TPID in '*tpid' and returns 0, or returns -EINVAL leaving
 * '*tpid' unchanged.  Control path. */
int
vlan_parse_protocol(const char *s, uint16_t *tpid)
{
	if (!s)
		return -EINVAL;
	if (!strcasecmp(s, "802.1Q") || !strcasecmp(s, "0x8100")) {
		*tpid = ETH_TYPE_VLAN;
		return 0;
	}
	if (!strcasecmp(s, "802.1ad") || !strcasecmp(s, "0x88a8")) {
		*tpid = ETH_TYPE_QINQ;
		return 0;
	}
	return -EINVAL;
}

/* Returns the iproute2 name of 'tpid': "802.1Q" or "802.1ad", or "unknown"
 * for any other value (never NULL, so it is safe to print).  Pure. */
const char *
vlan_protocol_name(uint16_t tpid)
{
	switch (tpid) {
	case ETH_TYPE_VLAN:
		return "802.1Q";
	case ETH_TYPE_QINQ:
		return "802.1ad";
	default:
		return "unknown";
	}
}

/* Untagged (or other-protocol-tagged) frame: PVID with PCP 0. */
static enum vlan_verdict
vlan_ingress_untagged(const struct vlan_port *vp, struct vlan_class *out)
{
	if (!vp->pvid)
		return VLAN_DROP_NO_PVID;
	out->vid = vp->pvid;
	out->tci = 0;
	out->had_tag = false;
	return VLAN_ACCEPT;
}

static bool
vlan_vid_is_valid(uint16_t vid)
{
	return vid >= VLAN_VID_MIN && vid <= VLAN_VID_MAX;
}

static bool
vlan_map_test(const uint64_t *map, uint16_t vid)
{
	return (map[vid / VLAN_WORD_BITS] >> (vid % VLAN_WORD_BITS)) & 1;
}

static void
vlan_map_set(uint64_t *map, uint16_t vid)
{
	map[vid / VLAN_WORD_BITS] |= UINT64_C(1) << (vid % VLAN_WORD_BITS);
}

static void
vlan_map_clear(uint64_t *map, uint16_t vid)
{
	map[vid / VLAN_WORD_BITS] &= ~(UINT64_C(1) << (vid % VLAN_WORD_BITS));
}
