/*
 * stp-bpdu.c - BPDU wire format (IEEE 802.1D-1998 clause 9) and its framing
 * in 802.3/LLC, as sent and accepted by the Linux bridge (br_stp_bpdu.c).
 *
 * The packed structs below are the only place the wire layout appears.  Each
 * field is an octet array, so the structs have alignment 1 and can overlay
 * any byte buffer; multi-octet fields go through eth_get/put_be16/32().
 */
#include "stp-bpdu.h"

#include <stdio.h>
#include <string.h>

/* The group address all bridges listen on (§7.12.3, Table 7-9). */
static const struct eth_addr stp_group_addr = {
	{ 0x01, 0x80, 0xc2, 0x00, 0x00, 0x00 }
};

/* 802.3 header followed by an 802.2 LLC UI header. */
struct stp_wire_llc_hdr {
	uint8_t dst[6];
	uint8_t src[6];
	uint8_t length[2];		/* 802.3 length: LLC + BPDU */
	uint8_t dsap;			/* 0x42 */
	uint8_t ssap;			/* 0x42 */
	uint8_t control;		/* 0x03, UI */
} __attribute__((packed));
_Static_assert(sizeof(struct stp_wire_llc_hdr) == 17, "LLC header size");

/* Common head of every BPDU (§9.3). */
struct stp_wire_head {
	uint8_t protocol_id[2];		/* 0x0000 */
	uint8_t version;		/* 0 for 802.1D-1998 STP */
	uint8_t type;			/* enum stp_bpdu_type */
} __attribute__((packed));
_Static_assert(sizeof(struct stp_wire_head) == STP_BPDU_TCN_BODY_LEN,
	       "TCN BPDU size");

/* Configuration BPDU (§9.3.1, Figure 9-1). */
struct stp_wire_config {
	struct stp_wire_head head;
	uint8_t flags;
	uint8_t root_id[8];
	uint8_t root_path_cost[4];
	uint8_t bridge_id[8];
	uint8_t port_id[2];
	uint8_t message_age[2];		/* 1/256 s */
	uint8_t max_age[2];
	uint8_t hello_time[2];
	uint8_t forward_delay[2];
} __attribute__((packed));
_Static_assert(sizeof(struct stp_wire_config) == STP_BPDU_CONFIG_BODY_LEN,
	       "config BPDU size");
_Static_assert(sizeof(struct stp_wire_llc_hdr) +
	       sizeof(struct stp_wire_config) == STP_CONFIG_FRAME_LEN,
	       "config frame size");
_Static_assert(sizeof(struct stp_wire_llc_hdr) +
	       sizeof(struct stp_wire_head) == STP_TCN_FRAME_LEN,
	       "TCN frame size");

#define STP_LLC_SAP     0x42
#define STP_LLC_UI      0x03

static uint64_t get_id(const uint8_t *p);
static void put_id(uint8_t *p, uint64_t id);
static bool timers_are_sane(const struct stp_config_bpdu *cfg);
static void put_llc_hdr(struct stp_wire_llc_hdr *hdr,
			const struct eth_addr *src, size_t body_len);

uint64_t
stp_bridge_id_make(uint16_t priority, const struct eth_addr *mac)
{
	uint64_t id = priority;
	size_t i;

	for (i = 0; i < ETH_ADDR_LEN; i++) {
		id = id << 8 | mac->ea[i];
	}
	return id;
}

uint16_t
stp_bridge_id_priority(uint64_t id)
{
	return (uint16_t)(id >> 48);
}

void
stp_bridge_id_mac(uint64_t id, struct eth_addr *mac)
{
	size_t i;

	for (i = 0; i < ETH_ADDR_LEN; i++) {
		mac->ea[i] = (uint8_t)(id >> (8 * (ETH_ADDR_LEN - 1 - i)));
	}
}

char *
stp_bridge_id_format(uint64_t id, char buf[STP_BRIDGE_ID_STRLEN])
{
	struct eth_addr mac;

	stp_bridge_id_mac(id, &mac);
	snprintf(buf, STP_BRIDGE_ID_STRLEN,
		 "%04x.%02x%02x%02x%02x%02x%02x", stp_bridge_id_priority(id),
		 mac.ea[0], mac.ea[1], mac.ea[2], mac.ea[3], mac.ea[4],
		 mac.ea[5]);
	return buf;
}

bool
stp_bpdu_is_group_addr(const uint8_t *frame)
{
	return eth_addr_equals(eth_dst(frame), &stp_group_addr);
}

uint32_t
stp_time_from_wire(uint16_t units)
{
	return ((uint32_t)units * 1000 + 255) / 256;
}

uint16_t
stp_time_to_wire(uint32_t ms)
{
	uint64_t units = (uint64_t)ms * 256 / 1000;

	return units > UINT16_MAX ? UINT16_MAX : (uint16_t)units;
}

int
stp_bpdu_parse_frame(const uint8_t *frame, size_t len, const uint8_t **body,
		     size_t *body_len)
{
	const struct stp_wire_llc_hdr *hdr;
	const struct stp_wire_head *head;
	size_t llc_len;

	if (len < ETH_HDR_LEN) {
		return -STP_DROP_SHORT;
	}
	hdr = (const struct stp_wire_llc_hdr *)(const void *)frame;
	llc_len = eth_get_be16(hdr->length);
	if (llc_len >= ETH_TYPE_MIN) {
		return -STP_DROP_NOT_LLC;
	}
	/* llc_fixup_skb(): the length must cover the LLC header and fit. */
	if (llc_len < STP_LLC_HDR_LEN || llc_len > len - ETH_HDR_LEN) {
		return -STP_DROP_BAD_LENGTH;
	}
	if (hdr->dsap != STP_LLC_SAP || hdr->ssap != STP_LLC_SAP ||
	    hdr->control != STP_LLC_UI) {
		return -STP_DROP_NOT_LLC;
	}
	/* br_stp_rcv(): protocol identifier and version in 4 bytes. */
	if (llc_len - STP_LLC_HDR_LEN < sizeof(*head)) {
		return -STP_DROP_SHORT;
	}
	head = (const struct stp_wire_head *)(const void *)(hdr + 1);
	if (head->protocol_id[0] || head->protocol_id[1]) {
		return -STP_DROP_BAD_PROTOCOL;
	}
	if (head->version) {
		return -STP_DROP_BAD_VERSION;
	}
	*body = (const uint8_t *)head;
	*body_len = llc_len - STP_LLC_HDR_LEN;
	return 0;
}

int
stp_bpdu_decode(const uint8_t *body, size_t len, struct stp_bpdu *bpdu)
{
	const struct stp_wire_config *w;
	struct stp_config_bpdu *cfg = &bpdu->config;

	memset(bpdu, 0, sizeof(*bpdu));
	if (len < STP_BPDU_TCN_BODY_LEN) {
		return -STP_DROP_SHORT;
	}
	if (body[3] == STP_BPDU_TYPE_TCN) {
		bpdu->type = STP_BPDU_TYPE_TCN;
		return 0;
	}
	if (body[3] != STP_BPDU_TYPE_CONFIG) {
		return -STP_DROP_BAD_TYPE;
	}
	if (len < STP_BPDU_CONFIG_BODY_LEN) {
		return -STP_DROP_SHORT;
	}
	w = (const struct stp_wire_config *)(const void *)body;
	bpdu->type = STP_BPDU_TYPE_CONFIG;
	cfg->topology_change = w->flags & STP_BPDU_FLAG_TC;
	cfg->topology_change_ack = w->flags & STP_BPDU_FLAG_TCA;
	cfg->root_id = get_id(w->root_id);
	cfg->root_path_cost = eth_get_be32(w->root_path_cost);
	cfg->bridge_id = get_id(w->bridge_id);
	cfg->port_id = eth_get_be16(w->port_id);
	cfg->message_age_ms = stp_time_from_wire(eth_get_be16(w->message_age));
	cfg->max_age_ms = stp_time_from_wire(eth_get_be16(w->max_age));
	cfg->hello_time_ms = stp_time_from_wire(eth_get_be16(w->hello_time));
	cfg->forward_delay_ms =
		stp_time_from_wire(eth_get_be16(w->forward_delay));
	if (cfg->message_age_ms > cfg->max_age_ms) {
		return -STP_DROP_MESSAGE_AGE;
	}
	if (!timers_are_sane(cfg)) {
		return -STP_DROP_BAD_TIMERS;
	}
	return 0;
}

size_t
stp_bpdu_build_config(const struct eth_addr *src,
		      const struct stp_config_bpdu *cfg, uint8_t *buf)
{
	struct stp_wire_llc_hdr *hdr = (struct stp_wire_llc_hdr *)(void *)buf;
	struct stp_wire_config *w = (struct stp_wire_config *)(void *)(hdr + 1);

	put_llc_hdr(hdr, src, sizeof(*w));
	memset(w, 0, sizeof(*w));
	w->head.type = STP_BPDU_TYPE_CONFIG;
	w->flags = (cfg->topology_change ? STP_BPDU_FLAG_TC : 0) |
		   (cfg->topology_change_ack ? STP_BPDU_FLAG_TCA : 0);
	put_id(w->root_id, cfg->root_id);
	eth_put_be32(w->root_path_cost, cfg->root_path_cost);
	put_id(w->bridge_id, cfg->bridge_id);
	eth_put_be16(w->port_id, cfg->port_id);
	eth_put_be16(w->message_age, stp_time_to_wire(cfg->message_age_ms));
	eth_put_be16(w->max_age, stp_time_to_wire(cfg->max_age_ms));
	eth_put_be16(w->hello_time, stp_time_to_wire(cfg->hello_time_ms));
	eth_put_be16(w->forward_delay,
		     stp_time_to_wire(cfg->forward_delay_ms));
	return STP_CONFIG_FRAME_LEN;
}

size_t
stp_bpdu_build_tcn(const struct eth_addr *src, uint8_t *buf)
{
	struct stp_wire_llc_hdr *hdr = (struct stp_wire_llc_hdr *)(void *)buf;
	struct stp_wire_head *w = (struct stp_wire_head *)(void *)(hdr + 1);

	put_llc_hdr(hdr, src, sizeof(*w));
	memset(w, 0, sizeof(*w));
	w->type = STP_BPDU_TYPE_TCN;
	return STP_TCN_FRAME_LEN;
}

static uint64_t
get_id(const uint8_t *p)
{
	return (uint64_t)eth_get_be32(p) << 32 | eth_get_be32(p + 4);
}

static void
put_id(uint8_t *p, uint64_t id)
{
	eth_put_be32(p, (uint32_t)(id >> 32));
	eth_put_be32(p + 4, (uint32_t)id);
}

/* The configurable ranges of any Linux bridge (and of §8.10.2), so nothing
 * a real bridge sends is refused. */
static bool
timers_are_sane(const struct stp_config_bpdu *cfg)
{
	return cfg->max_age_ms >= STP_MAX_AGE_MIN_MS &&
	       cfg->max_age_ms <= STP_MAX_AGE_MAX_MS &&
	       cfg->hello_time_ms >= STP_HELLO_MIN_MS &&
	       cfg->hello_time_ms <= STP_HELLO_MAX_MS &&
	       cfg->forward_delay_ms >= STP_FWD_DELAY_MIN_MS &&
	       cfg->forward_delay_ms <= STP_FWD_DELAY_MAX_MS;
}

static void
put_llc_hdr(struct stp_wire_llc_hdr *hdr, const struct eth_addr *src,
	    size_t body_len)
{
	memcpy(hdr->dst, stp_group_addr.ea, ETH_ADDR_LEN);
	memcpy(hdr->src, src->ea, ETH_ADDR_LEN);
	eth_put_be16(hdr->length, (uint16_t)(STP_LLC_HDR_LEN + body_len));
	hdr->dsap = STP_LLC_SAP;
	hdr->ssap = STP_LLC_SAP;
	hdr->control = STP_LLC_UI;
}
