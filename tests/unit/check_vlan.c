/*
 * check_vlan.c - unit tests for vswitchd/vlan (802.1Q/802.1ad membership,
 * ingress classification and egress decisions), plus the tag edits of
 * lib/pkt.c they drive.
 *
 * Expected results come from linux-bridge.md §5 (the Linux bridge's
 * br_vlan.c behaviour) and from the 802.1Q tag layout, written out as
 * literal bytes.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "eth.h"
#include "pkt.h"
#include "util.h"
#include "vlan.h"

static struct vlan_port port;

static void
setup_port(void)
{
	memset(&port, 0xa5, sizeof port);	/* init must clear garbage */
	vlan_port_init(&port);
}

/* Number of member VIDs found by walking the whole VID space. */
static unsigned int
count_members_slow(const struct vlan_port *vp)
{
	unsigned int n = 0;

	for (unsigned int vid = 0; vid < VLAN_N_VID; vid++)
		n += vlan_port_has(vp, (uint16_t)vid);
	return n;
}

/*
 * Membership: add, delete, flag replacement, range errors.
 */

START_TEST(test_init_empty)
{
	ck_assert_uint_eq(port.n_members, 0);
	ck_assert_uint_eq(port.pvid, 0);
	ck_assert_uint_eq(count_members_slow(&port), 0);
	ck_assert_uint_eq(vlan_port_next(&port, 0), 0);
}
END_TEST

START_TEST(test_add_del)
{
	ck_assert_int_eq(vlan_port_add(&port, 10, false, false), 0);
	ck_assert_int_eq(vlan_port_add(&port, 20, false, true), 0);
	ck_assert_int_eq(vlan_port_add(&port, VLAN_VID_MIN, false, false), 0);
	ck_assert_int_eq(vlan_port_add(&port, VLAN_VID_MAX, false, true), 0);
	ck_assert_uint_eq(port.n_members, 4);
	ck_assert_uint_eq(count_members_slow(&port), 4);

	ck_assert(vlan_port_has(&port, 10));
	ck_assert(!vlan_port_is_untagged(&port, 10));
	ck_assert(vlan_port_has(&port, 20));
	ck_assert(vlan_port_is_untagged(&port, 20));
	ck_assert(vlan_port_has(&port, 1));
	ck_assert(vlan_port_has(&port, 4094));
	ck_assert(vlan_port_is_untagged(&port, 4094));
	ck_assert(!vlan_port_has(&port, 11));
	ck_assert(!vlan_port_has(&port, 0));
	ck_assert(!vlan_port_has(&port, 4095));
	ck_assert(!vlan_port_has(&port, 65535));
	ck_assert(!vlan_port_is_untagged(&port, 11));
	ck_assert_uint_eq(port.pvid, 0);

	ck_assert_int_eq(vlan_port_del(&port, 20), 0);
	ck_assert(!vlan_port_has(&port, 20));
	ck_assert(!vlan_port_is_untagged(&port, 20));
	ck_assert_uint_eq(port.n_members, 3);
	ck_assert_int_eq(vlan_port_del(&port, 20), -ENOENT);
	ck_assert_int_eq(vlan_port_del(&port, 21), -ENOENT);
	ck_assert_uint_eq(port.n_members, 3);
	ck_assert_uint_eq(count_members_slow(&port), 3);

	/* Re-adding a deleted VID starts from the new flags only. */
	ck_assert_int_eq(vlan_port_add(&port, 20, false, false), 0);
	ck_assert(vlan_port_has(&port, 20));
	ck_assert(!vlan_port_is_untagged(&port, 20));
	ck_assert_uint_eq(port.n_members, 4);
}
END_TEST

START_TEST(test_add_replaces_flags)
{
	ck_assert_int_eq(vlan_port_add(&port, 100, false, true), 0);
	ck_assert(vlan_port_is_untagged(&port, 100));

	ck_assert_int_eq(vlan_port_add(&port, 100, false, false), 0);
	ck_assert(vlan_port_has(&port, 100));
	ck_assert(!vlan_port_is_untagged(&port, 100));
	ck_assert_uint_eq(port.n_members, 1);

	ck_assert_int_eq(vlan_port_add(&port, 100, true, true), 0);
	ck_assert(vlan_port_is_untagged(&port, 100));
	ck_assert_uint_eq(port.pvid, 100);
	ck_assert_uint_eq(port.n_members, 1);
	ck_assert_uint_eq(count_members_slow(&port), 1);
}
END_TEST

START_TEST(test_range_errors)
{
	static const uint16_t bad[] = { 0, 4095, 4096, 8191, 65535 };
	struct vlan_port before;

	ck_assert_int_eq(vlan_port_add(&port, 1, true, true), 0);
	memcpy(&before, &port, sizeof before);

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		ck_assert_int_eq(vlan_port_add(&port, bad[i], true, true),
				 -EINVAL);
		ck_assert_int_eq(vlan_port_add(&port, bad[i], false, false),
				 -EINVAL);
		ck_assert_int_eq(vlan_port_del(&port, bad[i]), -EINVAL);
		ck_assert(!vlan_port_has(&port, bad[i]));
		ck_assert(!vlan_port_is_untagged(&port, bad[i]));
	}
	ck_assert(!memcmp(&before, &port, sizeof port));
}
END_TEST

/*
 * PVID handling (linux-bridge.md §5.1).
 */

START_TEST(test_pvid_moves)
{
	ck_assert_int_eq(vlan_port_add(&port, 1, true, true), 0);
	ck_assert_uint_eq(port.pvid, 1);

	/* Adding another VID without 'pvid' leaves the PVID alone. */
	ck_assert_int_eq(vlan_port_add(&port, 10, false, false), 0);
	ck_assert_uint_eq(port.pvid, 1);

	/* 'pvid' on another VID moves it; the old VID stays a member with
	 * its own flags. */
	ck_assert_int_eq(vlan_port_add(&port, 10, true, false), 0);
	ck_assert_uint_eq(port.pvid, 10);
	ck_assert(vlan_port_has(&port, 1));
	ck_assert(vlan_port_is_untagged(&port, 1));
	ck_assert_uint_eq(port.n_members, 2);

	/* A brand-new VID with 'pvid' takes it too. */
	ck_assert_int_eq(vlan_port_add(&port, 30, true, true), 0);
	ck_assert_uint_eq(port.pvid, 30);
	ck_assert_uint_eq(port.n_members, 3);
}
END_TEST

START_TEST(test_pvid_readd_clears)
{
	/* "bridge vlan add dev X vid 1" after the default "1 PVID Egress
	 * Untagged": VLAN 1 becomes tagged-only and the port has no PVID. */
	ck_assert_int_eq(vlan_port_add(&port, 1, true, true), 0);
	ck_assert_int_eq(vlan_port_add(&port, 1, false, false), 0);
	ck_assert_uint_eq(port.pvid, 0);
	ck_assert(vlan_port_has(&port, 1));
	ck_assert(!vlan_port_is_untagged(&port, 1));
	ck_assert_uint_eq(port.n_members, 1);

	/* Re-adding a VID that is not the PVID does not clear it. */
	ck_assert_int_eq(vlan_port_add(&port, 5, true, false), 0);
	ck_assert_int_eq(vlan_port_add(&port, 1, false, true), 0);
	ck_assert_uint_eq(port.pvid, 5);
}
END_TEST

START_TEST(test_pvid_del_clears)
{
	ck_assert_int_eq(vlan_port_add(&port, 7, true, true), 0);
	ck_assert_int_eq(vlan_port_add(&port, 8, false, false), 0);

	/* Deleting another VID keeps the PVID... */
	ck_assert_int_eq(vlan_port_del(&port, 8), 0);
	ck_assert_uint_eq(port.pvid, 7);

	/* ...deleting the PVID VID leaves none. */
	ck_assert_int_eq(vlan_port_del(&port, 7), 0);
	ck_assert_uint_eq(port.pvid, 0);
	ck_assert_uint_eq(port.n_members, 0);
	ck_assert_uint_eq(count_members_slow(&port), 0);
}
END_TEST

/*
 * Ingress classification table.  Frames are literal bytes: DA
 * 02:00:00:00:00:02, SA 02:00:00:00:00:01, then the EtherType or tag(s).
 */

#define MACS 0x02, 0x00, 0x00, 0x00, 0x00, 0x02, \
	     0x02, 0x00, 0x00, 0x00, 0x00, 0x01
#define IPV4_START 0x08, 0x00, 0x45, 0x00, 0x00, 0x14

static const uint8_t f_untagged[] = { MACS, IPV4_START };
static const uint8_t f_short[] = { MACS, 0x81 };	/* 13 bytes */
static const uint8_t f_arp[] = { MACS, 0x08, 0x06, 0x00, 0x01 };

/* 802.1Q (0x8100) tags. */
static const uint8_t f_q_prio[] = { MACS, 0x81, 0x00, 0xd0, 0x00, IPV4_START };
static const uint8_t f_q_prio_pcp6[] = { MACS, 0x81, 0x00, 0xc0, 0x00,
					 IPV4_START };
static const uint8_t f_q_vid1[] = { MACS, 0x81, 0x00, 0x00, 0x01, IPV4_START };
static const uint8_t f_q_vid10[] = { MACS, 0x81, 0x00, 0x60, 0x0a, IPV4_START };
static const uint8_t f_q_vid20[] = { MACS, 0x81, 0x00, 0x30, 0x14, IPV4_START };
static const uint8_t f_q_vid30[] = { MACS, 0x81, 0x00, 0x00, 0x1e, IPV4_START };
static const uint8_t f_q_vid4094[] = { MACS, 0x81, 0x00, 0x0f, 0xfe,
				       IPV4_START };
static const uint8_t f_q_vid4095[] = { MACS, 0x81, 0x00, 0x0f, 0xff,
				       IPV4_START };
static const uint8_t f_q_vid4095_pcp[] = { MACS, 0x81, 0x00, 0xff, 0xff,
					   IPV4_START };
static const uint8_t f_q_trunc14[] = { MACS, 0x81, 0x00 };
static const uint8_t f_q_trunc17[] = { MACS, 0x81, 0x00, 0x00, 0x0a, 0x08 };
static const uint8_t f_q_min18[] = { MACS, 0x81, 0x00, 0x00, 0x0a, 0x08,
				     0x00 };

/* 802.1ad (0x88a8) tags, same TCIs. */
static const uint8_t f_ad_prio[] = { MACS, 0x88, 0xa8, 0xd0, 0x00,
				     IPV4_START };
static const uint8_t f_ad_prio_pcp6[] = { MACS, 0x88, 0xa8, 0xc0, 0x00,
					  IPV4_START };
static const uint8_t f_ad_vid1[] = { MACS, 0x88, 0xa8, 0x00, 0x01,
				     IPV4_START };
static const uint8_t f_ad_vid10[] = { MACS, 0x88, 0xa8, 0x60, 0x0a,
				      IPV4_START };
static const uint8_t f_ad_vid20[] = { MACS, 0x88, 0xa8, 0x30, 0x14,
				      IPV4_START };
static const uint8_t f_ad_vid30[] = { MACS, 0x88, 0xa8, 0x00, 0x1e,
				      IPV4_START };
static const uint8_t f_ad_vid4094[] = { MACS, 0x88, 0xa8, 0x0f, 0xfe,
					IPV4_START };
static const uint8_t f_ad_vid4095[] = { MACS, 0x88, 0xa8, 0x0f, 0xff,
					IPV4_START };
static const uint8_t f_ad_vid4095_pcp[] = { MACS, 0x88, 0xa8, 0xff, 0xff,
					    IPV4_START };
static const uint8_t f_ad_trunc14[] = { MACS, 0x88, 0xa8 };
static const uint8_t f_ad_trunc17[] = { MACS, 0x88, 0xa8, 0x00, 0x0a, 0x08 };
static const uint8_t f_ad_min18[] = { MACS, 0x88, 0xa8, 0x00, 0x0a, 0x08,
				      0x00 };

/* Double-tagged: S-tag VID 10 (PCP 2) outside a C-tag VID 20. */
static const uint8_t f_qinq[] = { MACS, 0x88, 0xa8, 0x40, 0x0a,
				  0x81, 0x00, 0x00, 0x14, IPV4_START };

/* Port configurations the table refers to. */
enum port_cfg {
	CFG_TRUNK,	/* 1 PVID untagged, 10 tagged, 20 untagged, 4094 */
	CFG_NO_PVID,	/* 10 tagged, 20 untagged; no PVID */
	CFG_PVID_20,	/* 10 tagged, 20 PVID untagged */
};

static void
configure(struct vlan_port *vp, enum port_cfg cfg)
{
	vlan_port_init(vp);
	switch (cfg) {
	case CFG_TRUNK:
		ck_assert_int_eq(vlan_port_add(vp, 1, true, true), 0);
		ck_assert_int_eq(vlan_port_add(vp, 10, false, false), 0);
		ck_assert_int_eq(vlan_port_add(vp, 20, false, true), 0);
		ck_assert_int_eq(vlan_port_add(vp, 4094, false, false), 0);
		break;
	case CFG_NO_PVID:
		ck_assert_int_eq(vlan_port_add(vp, 10, false, false), 0);
		ck_assert_int_eq(vlan_port_add(vp, 20, false, true), 0);
		break;
	case CFG_PVID_20:
		ck_assert_int_eq(vlan_port_add(vp, 10, false, false), 0);
		ck_assert_int_eq(vlan_port_add(vp, 20, true, true), 0);
		break;
	}
}

struct ingress_case {
	const char *name;
	uint16_t tpid;
	enum port_cfg cfg;
	const uint8_t *frame;
	size_t len;
	enum vlan_verdict verdict;
	uint16_t vid;		/* expected on VLAN_ACCEPT */
	uint16_t tci;
	bool had_tag;
};

#define Q ETH_TYPE_VLAN
#define AD ETH_TYPE_QINQ
#define F(a) (a), sizeof (a)
#define ACC(vid, tci, tag) VLAN_ACCEPT, (vid), (tci), (tag)
#define DROP(v) (v), 0, 0, false

static const struct ingress_case ingress_cases[] = {
	/* 802.1Q bridge. */
	{ "q untagged", Q, CFG_TRUNK, F(f_untagged), ACC(1, 0, false) },
	{ "q untagged arp", Q, CFG_TRUNK, F(f_arp), ACC(1, 0, false) },
	{ "q untagged pvid 20", Q, CFG_PVID_20, F(f_untagged),
	  ACC(20, 0, false) },
	{ "q prio pcp6 dei", Q, CFG_TRUNK, F(f_q_prio), ACC(1, 0xd000, true) },
	{ "q prio pcp6", Q, CFG_TRUNK, F(f_q_prio_pcp6), ACC(1, 0xc000, true) },
	{ "q prio pvid 20", Q, CFG_PVID_20, F(f_q_prio),
	  ACC(20, 0xd000, true) },
	{ "q tagged vid 1", Q, CFG_TRUNK, F(f_q_vid1), ACC(1, 0, true) },
	{ "q tagged vid 10 pcp3", Q, CFG_TRUNK, F(f_q_vid10),
	  ACC(10, 0x6000, true) },
	{ "q tagged untagged-member 20", Q, CFG_TRUNK, F(f_q_vid20),
	  ACC(20, 0x3000, true) },
	{ "q tagged vid 4094", Q, CFG_TRUNK, F(f_q_vid4094),
	  ACC(4094, 0, true) },
	{ "q tagged min 18 bytes", Q, CFG_TRUNK, F(f_q_min18),
	  ACC(10, 0, true) },
	{ "q non-member 30", Q, CFG_TRUNK, F(f_q_vid30),
	  DROP(VLAN_DROP_NOT_MEMBER) },
	{ "q non-member 4094", Q, CFG_NO_PVID, F(f_q_vid4094),
	  DROP(VLAN_DROP_NOT_MEMBER) },
	{ "q vid 4095", Q, CFG_TRUNK, F(f_q_vid4095), DROP(VLAN_DROP_BAD_VID) },
	{ "q vid 4095 pcp", Q, CFG_TRUNK, F(f_q_vid4095_pcp),
	  DROP(VLAN_DROP_BAD_VID) },
	{ "q other tag is payload", Q, CFG_TRUNK, F(f_ad_vid10),
	  ACC(1, 0, false) },
	{ "q other prio tag is payload", Q, CFG_TRUNK, F(f_ad_prio),
	  ACC(1, 0, false) },
	{ "q other tag 4095 is payload", Q, CFG_TRUNK, F(f_ad_vid4095),
	  ACC(1, 0, false) },
	{ "q other tag short is payload", Q, CFG_TRUNK, F(f_ad_trunc14),
	  ACC(1, 0, false) },
	{ "q qinq outer is payload", Q, CFG_PVID_20, F(f_qinq),
	  ACC(20, 0, false) },
	{ "q truncated 14", Q, CFG_TRUNK, F(f_q_trunc14),
	  DROP(VLAN_DROP_TRUNCATED) },
	{ "q truncated 17", Q, CFG_TRUNK, F(f_q_trunc17),
	  DROP(VLAN_DROP_TRUNCATED) },
	{ "q runt 13", Q, CFG_TRUNK, F(f_short), DROP(VLAN_DROP_TRUNCATED) },
	{ "q no pvid untagged", Q, CFG_NO_PVID, F(f_untagged),
	  DROP(VLAN_DROP_NO_PVID) },
	{ "q no pvid prio", Q, CFG_NO_PVID, F(f_q_prio),
	  DROP(VLAN_DROP_NO_PVID) },
	{ "q no pvid other tag", Q, CFG_NO_PVID, F(f_ad_vid10),
	  DROP(VLAN_DROP_NO_PVID) },
	{ "q no pvid tagged member", Q, CFG_NO_PVID, F(f_q_vid10),
	  ACC(10, 0x6000, true) },

	/* 802.1ad bridge: the same table with the roles swapped. */
	{ "ad untagged", AD, CFG_TRUNK, F(f_untagged), ACC(1, 0, false) },
	{ "ad untagged arp", AD, CFG_TRUNK, F(f_arp), ACC(1, 0, false) },
	{ "ad untagged pvid 20", AD, CFG_PVID_20, F(f_untagged),
	  ACC(20, 0, false) },
	{ "ad prio pcp6 dei", AD, CFG_TRUNK, F(f_ad_prio),
	  ACC(1, 0xd000, true) },
	{ "ad prio pcp6", AD, CFG_TRUNK, F(f_ad_prio_pcp6),
	  ACC(1, 0xc000, true) },
	{ "ad prio pvid 20", AD, CFG_PVID_20, F(f_ad_prio),
	  ACC(20, 0xd000, true) },
	{ "ad tagged vid 1", AD, CFG_TRUNK, F(f_ad_vid1), ACC(1, 0, true) },
	{ "ad tagged vid 10 pcp3", AD, CFG_TRUNK, F(f_ad_vid10),
	  ACC(10, 0x6000, true) },
	{ "ad tagged untagged-member 20", AD, CFG_TRUNK, F(f_ad_vid20),
	  ACC(20, 0x3000, true) },
	{ "ad tagged vid 4094", AD, CFG_TRUNK, F(f_ad_vid4094),
	  ACC(4094, 0, true) },
	{ "ad tagged min 18 bytes", AD, CFG_TRUNK, F(f_ad_min18),
	  ACC(10, 0, true) },
	{ "ad qinq outer tag", AD, CFG_TRUNK, F(f_qinq),
	  ACC(10, 0x4000, true) },
	{ "ad non-member 30", AD, CFG_TRUNK, F(f_ad_vid30),
	  DROP(VLAN_DROP_NOT_MEMBER) },
	{ "ad non-member 4094", AD, CFG_NO_PVID, F(f_ad_vid4094),
	  DROP(VLAN_DROP_NOT_MEMBER) },
	{ "ad vid 4095", AD, CFG_TRUNK, F(f_ad_vid4095),
	  DROP(VLAN_DROP_BAD_VID) },
	{ "ad vid 4095 pcp", AD, CFG_TRUNK, F(f_ad_vid4095_pcp),
	  DROP(VLAN_DROP_BAD_VID) },
	{ "ad other tag is payload", AD, CFG_TRUNK, F(f_q_vid10),
	  ACC(1, 0, false) },
	{ "ad other prio tag is payload", AD, CFG_TRUNK, F(f_q_prio),
	  ACC(1, 0, false) },
	{ "ad other tag 4095 is payload", AD, CFG_TRUNK, F(f_q_vid4095),
	  ACC(1, 0, false) },
	{ "ad other tag short is payload", AD, CFG_TRUNK, F(f_q_trunc14),
	  ACC(1, 0, false) },
	{ "ad truncated 14", AD, CFG_TRUNK, F(f_ad_trunc14),
	  DROP(VLAN_DROP_TRUNCATED) },
	{ "ad truncated 17", AD, CFG_TRUNK, F(f_ad_trunc17),
	  DROP(VLAN_DROP_TRUNCATED) },
	{ "ad runt 13", AD, CFG_TRUNK, F(f_short), DROP(VLAN_DROP_TRUNCATED) },
	{ "ad no pvid untagged", AD, CFG_NO_PVID, F(f_untagged),
	  DROP(VLAN_DROP_NO_PVID) },
	{ "ad no pvid prio", AD, CFG_NO_PVID, F(f_ad_prio),
	  DROP(VLAN_DROP_NO_PVID) },
	{ "ad no pvid other tag", AD, CFG_NO_PVID, F(f_q_vid10),
	  DROP(VLAN_DROP_NO_PVID) },
	{ "ad no pvid tagged member", AD, CFG_NO_PVID, F(f_ad_vid10),
	  ACC(10, 0x6000, true) },
};

#undef Q
#undef AD
#undef F
#undef ACC
#undef DROP

START_TEST(test_ingress_table)
{
	const struct ingress_case *c = &ingress_cases[_i];
	struct vlan_class out, sentinel;
	enum vlan_verdict v;

	configure(&port, c->cfg);
	memset(&sentinel, 0x5a, sizeof sentinel);
	memcpy(&out, &sentinel, sizeof out);

	/* The frame is copied into a heap buffer of exactly 'len' bytes so
	 * ASan catches any read past the end. */
	uint8_t *buf = malloc(c->len ? c->len : 1);
	ck_assert_ptr_nonnull(buf);
	memcpy(buf, c->frame, c->len);
	v = vlan_ingress(&port, c->tpid, buf, c->len, &out);
	free(buf);

	ck_assert_msg(v == c->verdict, "%s: verdict %d, expected %d",
		      c->name, v, c->verdict);
	if (c->verdict == VLAN_ACCEPT) {
		ck_assert_msg(out.vid == c->vid, "%s: vid %u, expected %u",
			      c->name, out.vid, c->vid);
		ck_assert_msg(out.tci == c->tci,
			      "%s: tci %#x, expected %#x", c->name, out.tci,
			      c->tci);
		ck_assert_msg(out.had_tag == c->had_tag,
			      "%s: had_tag %d, expected %d", c->name,
			      out.had_tag, c->had_tag);
		ck_assert_uint_eq(out.tci & VLAN_VID_MASK, 0);
	} else {
		ck_assert_msg(!memcmp(&out, &sentinel, sizeof out),
			      "%s: 'out' written on a drop", c->name);
	}
}
END_TEST

/* Every TCI value on a port holding every VID: the VID bits classify, the
 * PCP/DEI bits come through untouched. */
START_TEST(test_ingress_all_tci)
{
	uint8_t frame[] = { MACS, 0x81, 0x00, 0x00, 0x00, IPV4_START };

	for (unsigned int vid = VLAN_VID_MIN; vid <= VLAN_VID_MAX; vid++)
		ck_assert_int_eq(vlan_port_add(&port, (uint16_t)vid,
					       vid == 77, false), 0);
	ck_assert_uint_eq(port.n_members, 4094);

	for (unsigned int tci = 0; tci <= 0xffff; tci++) {
		struct vlan_class out;
		unsigned int vid = tci & VLAN_VID_MASK;
		enum vlan_verdict v;

		eth_put_be16(frame + 14, (uint16_t)tci);
		v = vlan_ingress(&port, ETH_TYPE_VLAN, frame, sizeof frame,
				 &out);
		if (vid == 4095) {
			ck_assert_int_eq(v, VLAN_DROP_BAD_VID);
			continue;
		}
		ck_assert_int_eq(v, VLAN_ACCEPT);
		ck_assert_uint_eq(out.vid, vid ? vid : 77);
		ck_assert_uint_eq(out.tci, tci & 0xf000);
		ck_assert(out.had_tag);
	}
}
END_TEST

/*
 * Egress decisions.
 */

START_TEST(test_egress)
{
	configure(&port, CFG_TRUNK);

	ck_assert(vlan_egress_allowed(&port, 1));
	ck_assert(vlan_egress_untagged(&port, 1));
	ck_assert(vlan_egress_allowed(&port, 10));
	ck_assert(!vlan_egress_untagged(&port, 10));
	ck_assert(vlan_egress_allowed(&port, 20));
	ck_assert(vlan_egress_untagged(&port, 20));
	ck_assert(vlan_egress_allowed(&port, 4094));
	ck_assert(!vlan_egress_untagged(&port, 4094));

	ck_assert(!vlan_egress_allowed(&port, 0));
	ck_assert(!vlan_egress_allowed(&port, 2));
	ck_assert(!vlan_egress_allowed(&port, 30));
	ck_assert(!vlan_egress_allowed(&port, 4095));

	/* Flag changes and deletion are seen by the inlines. */
	ck_assert_int_eq(vlan_port_add(&port, 10, false, true), 0);
	ck_assert(vlan_egress_untagged(&port, 10));
	ck_assert_int_eq(vlan_port_add(&port, 20, false, false), 0);
	ck_assert(!vlan_egress_untagged(&port, 20));
	ck_assert_int_eq(vlan_port_del(&port, 20), 0);
	ck_assert(!vlan_egress_allowed(&port, 20));
	ck_assert(!vlan_egress_untagged(&port, 20));
	ck_assert_int_eq(vlan_port_del(&port, 1), 0);
	ck_assert(!vlan_egress_allowed(&port, 1));
}
END_TEST

/*
 * Iteration.
 */

START_TEST(test_iterate_order)
{
	static const uint16_t add[] = { 4094, 1, 64, 63, 65, 100, 4000, 127,
					128, 2 };
	static const uint16_t want[] = { 1, 2, 63, 64, 65, 100, 127, 128,
					 4000, 4094 };
	uint16_t vid = 0;
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(add); i++)
		ck_assert_int_eq(vlan_port_add(&port, add[i], false, false), 0);
	while ((vid = vlan_port_next(&port, vid)) != 0) {
		ck_assert_uint_lt(n, ARRAY_SIZE(want));
		ck_assert_uint_eq(vid, want[n]);
		n++;
	}
	ck_assert_uint_eq(n, ARRAY_SIZE(want));
	ck_assert_uint_eq(port.n_members, ARRAY_SIZE(want));

	/* Starting points in the middle and at the end. */
	ck_assert_uint_eq(vlan_port_next(&port, 63), 64);
	ck_assert_uint_eq(vlan_port_next(&port, 66), 100);
	ck_assert_uint_eq(vlan_port_next(&port, 4000), 4094);
	ck_assert_uint_eq(vlan_port_next(&port, 4093), 4094);
	ck_assert_uint_eq(vlan_port_next(&port, 4094), 0);
	ck_assert_uint_eq(vlan_port_next(&port, 4095), 0);
	ck_assert_uint_eq(vlan_port_next(&port, 65535), 0);

	ck_assert_int_eq(vlan_port_del(&port, 64), 0);
	ck_assert_uint_eq(vlan_port_next(&port, 63), 65);
}
END_TEST

/* A pseudo-random add/del sequence checked against a plain bool array. */
START_TEST(test_iterate_model)
{
	bool model[VLAN_N_VID] = { false };
	uint32_t x = 12345;
	unsigned int n_model = 0;

	for (int step = 0; step < 20000; step++) {
		x = x * 1103515245u + 12345u;
		uint16_t vid = (uint16_t)((x >> 8) % VLAN_N_VID);
		bool del = (x >> 28) & 1;
		int ret;

		if (del) {
			ret = vlan_port_del(&port, vid);
			if (vid < 1 || vid > 4094)
				ck_assert_int_eq(ret, -EINVAL);
			else if (!model[vid])
				ck_assert_int_eq(ret, -ENOENT);
			else {
				ck_assert_int_eq(ret, 0);
				model[vid] = false;
				n_model--;
			}
		} else {
			ret = vlan_port_add(&port, vid, false, (x >> 29) & 1);
			if (vid < 1 || vid > 4094) {
				ck_assert_int_eq(ret, -EINVAL);
			} else {
				ck_assert_int_eq(ret, 0);
				n_model += !model[vid];
				model[vid] = true;
			}
		}
		ck_assert_uint_eq(port.n_members, n_model);
	}

	unsigned int n = 0;
	uint16_t vid = 0, prev = 0;
	while ((vid = vlan_port_next(&port, vid)) != 0) {
		ck_assert(model[vid]);
		ck_assert_uint_gt(vid, prev);
		prev = vid;
		n++;
	}
	ck_assert_uint_eq(n, n_model);
	ck_assert_uint_eq(count_members_slow(&port), n_model);
}
END_TEST

/*
 * Protocol names.
 */

START_TEST(test_protocol_parse)
{
	static const struct {
		const char *s;
		uint16_t tpid;
	} good[] = {
		{ "802.1Q", ETH_TYPE_VLAN },
		{ "802.1q", ETH_TYPE_VLAN },
		{ "0x8100", ETH_TYPE_VLAN },
		{ "802.1ad", ETH_TYPE_QINQ },
		{ "802.1AD", ETH_TYPE_QINQ },
		{ "0x88a8", ETH_TYPE_QINQ },
		{ "0x88A8", ETH_TYPE_QINQ },
	};
	static const char *const bad[] = {
		"", "802.1", "802.1x", "802.1Qx", " 802.1Q", "802.1Q ",
		"8100", "0x8101", "0x88a9", "33024", "qinq", "802.1D",
	};

	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		uint16_t tpid = 0;

		ck_assert_msg(vlan_parse_protocol(good[i].s, &tpid) == 0,
			      "'%s' rejected", good[i].s);
		ck_assert_uint_eq(tpid, good[i].tpid);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		uint16_t tpid = 0x1234;

		ck_assert_msg(vlan_parse_protocol(bad[i], &tpid) == -EINVAL,
			      "'%s' accepted", bad[i]);
		ck_assert_uint_eq(tpid, 0x1234);
	}
}
END_TEST

START_TEST(test_protocol_name)
{
	uint16_t tpid = 0;

	ck_assert_str_eq(vlan_protocol_name(ETH_TYPE_VLAN), "802.1Q");
	ck_assert_str_eq(vlan_protocol_name(ETH_TYPE_QINQ), "802.1ad");
	ck_assert_ptr_nonnull(vlan_protocol_name(0x0800));

	/* Names round-trip through the parser. */
	ck_assert_int_eq(vlan_parse_protocol(vlan_protocol_name(ETH_TYPE_QINQ),
					     &tpid), 0);
	ck_assert_uint_eq(tpid, ETH_TYPE_QINQ);
	ck_assert_int_eq(vlan_parse_protocol(vlan_protocol_name(ETH_TYPE_VLAN),
					     &tpid), 0);
	ck_assert_uint_eq(tpid, ETH_TYPE_VLAN);
}
END_TEST

/*
 * With lib/pkt.c: the tag edits the datapath makes from the decisions.
 */

static struct pkt_pool *pool;

static void
setup_pool(void)
{
	setup_port();
	pool = pkt_pool_create(2);
}

static void
teardown_pool(void)
{
	pkt_pool_destroy(pool);
	pool = NULL;
}

static struct pkt *
pkt_from(const uint8_t *frame, size_t len)
{
	struct pkt *p = pkt_alloc(pool);

	ck_assert_ptr_nonnull(p);
	memcpy(p->data, frame, len);
	p->len = (uint32_t)len;
	return p;
}

static void
assert_frame(const struct pkt *p, const uint8_t *want, size_t len)
{
	ck_assert_uint_eq(p->len, len);
	for (size_t i = 0; i < len; i++)
		ck_assert_msg(p->data[i] == want[i],
			      "byte %zu: %#04x, expected %#04x", i, p->data[i],
			      want[i]);
}

START_TEST(test_pkt_push_pop_q)
{
	/* PCP 5, DEI 0, VID 10 -> TCI 0xa00a. */
	static const uint8_t tagged[] = { MACS, 0x81, 0x00, 0xa0, 0x0a,
					  IPV4_START };
	struct pkt *p = pkt_from(f_untagged, sizeof f_untagged);

	pkt_push_vlan(p, ETH_TYPE_VLAN, (5 << VLAN_PCP_SHIFT) | 10);
	assert_frame(p, tagged, sizeof tagged);

	pkt_pop_vlan(p);
	assert_frame(p, f_untagged, sizeof f_untagged);
	pkt_free(pool, p);
}
END_TEST

START_TEST(test_pkt_push_pop_qinq)
{
	/* An S-tag PCP 7 DEI 1 VID 4094 pushed outside a C-tagged frame. */
	static const uint8_t want[] = { MACS, 0x88, 0xa8, 0xff, 0xfe,
					0x81, 0x00, 0x60, 0x0a, IPV4_START };
	struct pkt *p = pkt_from(f_q_vid10, sizeof f_q_vid10);

	pkt_push_vlan(p, ETH_TYPE_QINQ,
		      (7 << VLAN_PCP_SHIFT) | VLAN_DEI | 4094);
	assert_frame(p, want, sizeof want);

	pkt_pop_vlan(p);
	assert_frame(p, f_q_vid10, sizeof f_q_vid10);
	pkt_free(pool, p);
}
END_TEST

static Suite *
vlan_suite(void)
{
	Suite *s = suite_create("vlan");
	TCase *tc;

	tc = tcase_create("membership");
	tcase_add_checked_fixture(tc, setup_port, NULL);
	tcase_add_test(tc, test_init_empty);
	tcase_add_test(tc, test_add_del);
	tcase_add_test(tc, test_add_replaces_flags);
	tcase_add_test(tc, test_range_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("pvid");
	tcase_add_checked_fixture(tc, setup_port, NULL);
	tcase_add_test(tc, test_pvid_moves);
	tcase_add_test(tc, test_pvid_readd_clears);
	tcase_add_test(tc, test_pvid_del_clears);
	suite_add_tcase(s, tc);

	tc = tcase_create("ingress");
	tcase_add_checked_fixture(tc, setup_port, NULL);
	tcase_add_loop_test(tc, test_ingress_table, 0,
			    (int)ARRAY_SIZE(ingress_cases));
	tcase_add_test(tc, test_ingress_all_tci);
	suite_add_tcase(s, tc);

	tc = tcase_create("egress");
	tcase_add_checked_fixture(tc, setup_port, NULL);
	tcase_add_test(tc, test_egress);
	suite_add_tcase(s, tc);

	tc = tcase_create("iterate");
	tcase_add_checked_fixture(tc, setup_port, NULL);
	tcase_add_test(tc, test_iterate_order);
	tcase_add_test(tc, test_iterate_model);
	suite_add_tcase(s, tc);

	tc = tcase_create("protocol");
	tcase_add_test(tc, test_protocol_parse);
	tcase_add_test(tc, test_protocol_name);
	suite_add_tcase(s, tc);

	tc = tcase_create("pkt");
	tcase_add_checked_fixture(tc, setup_pool, teardown_pool);
	tcase_add_test(tc, test_pkt_push_pop_q);
	tcase_add_test(tc, test_pkt_push_pop_qinq);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(vlan_suite());
	int n_failed;

	srunner_run_all(sr, CK_NORMAL);
	n_failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return n_failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
