/*
 * stp-bpdu.h - IEEE 802.1D-1998 BPDU encoding and decoding (clause 9).
 *
 * The wire format lives only in stp-bpdu.c (packed structs pinned with
 * _Static_assert); everything else works on the aligned, decoded structs
 * below.  Frames are whole Ethernet frames as a Linux bridge sends and
 * receives them (shared/reference/linux-bridge.md §4.3):
 *
 *   DA 01:80:c2:00:00:00 | SA port MAC | 802.3 length | LLC 42 42 03 | body
 *
 * 52 bytes for a configuration BPDU, 21 for a TCN, never padded.
 *
 * Times: the wire carries 1/256 s units.  Decoded values are milliseconds,
 * converted the way the kernel converts to and from jiffies: received values
 * are rounded up (br_get_ticks), sent values truncated (br_set_ticks), so a
 * decode/encode round trip is byte-exact.
 *
 * Bridge identifiers (§8.5.1.1 / §9.2.5) are held as uint64_t: priority in
 * the top 16 bits, MAC below.  Numeric comparison of that value equals the
 * standard's comparison of the 8 octets.
 *
 * PURE module: libc and lib/ only, no state; safe anywhere.
 */
#ifndef VSWITCHD_STP_BPDU_H
#define VSWITCHD_STP_BPDU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eth.h"
#include "stp.h"

#define STP_BPDU_CONFIG_BODY_LEN 35	/* §9.3.1 */
#define STP_BPDU_TCN_BODY_LEN     4	/* §9.3.2 */
#define STP_LLC_HDR_LEN           3	/* DSAP, SSAP, control */

/* BPDU Type field (§9.3.1, §9.3.2). */
enum stp_bpdu_type {
	STP_BPDU_TYPE_CONFIG = 0x00,
	STP_BPDU_TYPE_TCN = 0x80,
};

/* Flags octet of a configuration BPDU (§9.3.1). */
#define STP_BPDU_FLAG_TC  0x01		/* Topology Change */
#define STP_BPDU_FLAG_TCA 0x80		/* Topology Change Acknowledgment */

/* A decoded configuration BPDU (§9.3.1), aligned, times in ms. */
struct stp_config_bpdu {
	bool topology_change;		/* flags bit 1 (0x01) */
	bool topology_change_ack;	/* flags bit 8 (0x80) */
	uint64_t root_id;		/* Root Identifier */
	uint32_t root_path_cost;	/* Root Path Cost */
	uint64_t bridge_id;		/* Bridge Identifier (sender) */
	uint16_t port_id;		/* Port Identifier (sender) */
	uint32_t message_age_ms;	/* Message Age */
	uint32_t max_age_ms;		/* Max Age */
	uint32_t hello_time_ms;		/* Hello Time */
	uint32_t forward_delay_ms;	/* Forward Delay */
};

/* A decoded BPDU: a configuration BPDU or a TCN (which has no fields). */
struct stp_bpdu {
	enum stp_bpdu_type type;
	struct stp_config_bpdu config;	/* valid if type is CONFIG */
};

/* Makes the bridge identifier for 'priority' and 'mac'. */
uint64_t stp_bridge_id_make(uint16_t priority, const struct eth_addr *mac);

/* The priority and the MAC address parts of bridge identifier 'id'. */
uint16_t stp_bridge_id_priority(uint64_t id);
void stp_bridge_id_mac(uint64_t id, struct eth_addr *mac);

/* Formats 'id' like sysfs and brctl ("8000.020000000100") into 'buf' and
 * returns 'buf'. */
char *stp_bridge_id_format(uint64_t id, char buf[STP_BRIDGE_ID_STRLEN]);

/* Whether the destination of 'frame' (at least ETH_HDR_LEN bytes) is the
 * bridge group address 01:80:c2:00:00:00 (§7.12.3). */
bool stp_bpdu_is_group_addr(const uint8_t *frame);

/* Converts between wire time units (1/256 s) and milliseconds, rounding
 * like the kernel: up when receiving, down when sending. */
uint32_t stp_time_from_wire(uint16_t units);
uint16_t stp_time_to_wire(uint32_t ms);

/* Checks the Ethernet/LLC framing of 'frame' ('len' bytes): an 802.3 length
 * field (not an EtherType) of at least 3 that fits in the frame, LLC header
 * 42 42 03, at least 4 body bytes, protocol identifier 0 and version 0.  On
 * success stores in '*body' and '*body_len' the BPDU body (trimmed to the
 * 802.3 length, as the kernel trims) and returns 0.  Otherwise returns
 * -STP_DROP_SHORT, -STP_DROP_NOT_LLC, -STP_DROP_BAD_LENGTH,
 * -STP_DROP_BAD_PROTOCOL or -STP_DROP_BAD_VERSION (RSTP and MSTP BPDUs carry
 * version 2 and 3 and so are refused, as by the kernel).  The DA is not
 * checked here. */
int stp_bpdu_parse_frame(const uint8_t *frame, size_t len,
			 const uint8_t **body, size_t *body_len);

/* Decodes the BPDU body 'body' ('len' bytes, already accepted by
 * stp_bpdu_parse_frame()) into '*bpdu'.  Returns 0, -STP_DROP_BAD_TYPE for a
 * type other than config or TCN, -STP_DROP_SHORT for a config BPDU under 35
 * bytes, -STP_DROP_MESSAGE_AGE if message age > max age (§9.3.4 and
 * br_stp_rcv), or -STP_DROP_BAD_TIMERS if max age, hello time or forward
 * delay is outside the range a bridge can be configured with (6..40 s,
 * 1..10 s, 2..30 s; the kernel does not check this, but a zero or huge
 * timer copied from a peer would stall or flood the state machine). */
int stp_bpdu_decode(const uint8_t *body, size_t len, struct stp_bpdu *bpdu);

/* Builds the complete 52-byte frame of configuration BPDU 'cfg' sent from a
 * port with MAC 'src' into 'buf' (at least STP_CONFIG_FRAME_LEN bytes).
 * Returns the frame length. */
size_t stp_bpdu_build_config(const struct eth_addr *src,
			     const struct stp_config_bpdu *cfg, uint8_t *buf);

/* Builds the complete 21-byte TCN frame sent from a port with MAC 'src'
 * into 'buf' (at least STP_TCN_FRAME_LEN bytes).  Returns the length. */
size_t stp_bpdu_build_tcn(const struct eth_addr *src, uint8_t *buf);

#endif /* VSWITCHD_STP_BPDU_H */
