/*
 * vhost-user.h - vhost-user protocol message definitions, shared by the
 * switch (back-end, vswitchd/ports/vhost-msg.c) and the VMM (front-end).
 *
 * Header-only and pure.  Source of the facts: QEMU docs/interop/
 * vhost-user.rst ("Message specification", "Front-end message types"),
 * summarised in shared/reference/vhost-user-virtio-perf.md §1.
 *
 * A message is a 12-byte header (request, flags, payload size) followed by
 * 'size' payload bytes, native-endian and packed, sent on an AF_UNIX
 * stream socket; file descriptors travel as SCM_RIGHTS on the same
 * sendmsg().  Every peer must check 'size' against the request's payload
 * shape before reading it: the structs below give the largest shape, and
 * a receiver must accept nothing it has not validated.
 *
 * VHOST_USER_REQUESTS is an X-macro list of (NAME, number) so that both
 * sides derive their enums and name tables from one place.
 */
#ifndef LIB_VHOST_USER_H
#define LIB_VHOST_USER_H

#include <stddef.h>
#include <stdint.h>

/* Front-end -> back-end requests (only those we know by name). */
#define VHOST_USER_REQUESTS(X)			\
	X(GET_FEATURES, 1)			\
	X(SET_FEATURES, 2)			\
	X(SET_OWNER, 3)				\
	X(RESET_OWNER, 4)			\
	X(SET_MEM_TABLE, 5)			\
	X(SET_LOG_BASE, 6)			\
	X(SET_LOG_FD, 7)			\
	X(SET_VRING_NUM, 8)			\
	X(SET_VRING_ADDR, 9)			\
	X(SET_VRING_BASE, 10)			\
	X(GET_VRING_BASE, 11)			\
	X(SET_VRING_KICK, 12)			\
	X(SET_VRING_CALL, 13)			\
	X(SET_VRING_ERR, 14)			\
	X(GET_PROTOCOL_FEATURES, 15)		\
	X(SET_PROTOCOL_FEATURES, 16)		\
	X(GET_QUEUE_NUM, 17)			\
	X(SET_VRING_ENABLE, 18)			\
	X(SEND_RARP, 19)			\
	X(NET_SET_MTU, 20)			\
	X(SET_BACKEND_REQ_FD, 21)		\
	X(IOTLB_MSG, 22)			\
	X(GET_CONFIG, 24)			\
	X(SET_CONFIG, 25)			\
	X(GET_MAX_MEM_SLOTS, 36)		\
	X(ADD_MEM_REG, 37)			\
	X(REM_MEM_REG, 38)			\
	X(SET_STATUS, 39)			\
	X(GET_STATUS, 40)

enum vhost_user_request {
	VHOST_USER_NONE = 0,
#define VHOST_USER_REQ_ENUM(name, num) VHOST_USER_##name = num,
	VHOST_USER_REQUESTS(VHOST_USER_REQ_ENUM)
#undef VHOST_USER_REQ_ENUM
	VHOST_USER_MAX_REQUEST = 64	/* table size bound for dispatch */
};

/* Header flags. */
#define VHOST_USER_VERSION_MASK	0x3
#define VHOST_USER_VERSION	0x1
#define VHOST_USER_F_REPLY	(1u << 2)
#define VHOST_USER_F_NEED_REPLY	(1u << 3)

/* The vhost-specific bits carried in GET/SET_FEATURES next to the virtio
 * device features. */
#define VHOST_F_LOG_ALL			26
#define VHOST_USER_F_PROTOCOL_FEATURES	30

/* Protocol feature bits (GET/SET_PROTOCOL_FEATURES). */
#define VHOST_USER_PROTOCOL_F_MQ		0
#define VHOST_USER_PROTOCOL_F_LOG_SHMFD		1
#define VHOST_USER_PROTOCOL_F_RARP		2
#define VHOST_USER_PROTOCOL_F_REPLY_ACK		3
#define VHOST_USER_PROTOCOL_F_NET_MTU		4
#define VHOST_USER_PROTOCOL_F_BACKEND_REQ	5
#define VHOST_USER_PROTOCOL_F_CONFIG		9
#define VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS 15
#define VHOST_USER_PROTOCOL_F_STATUS		16

/* Back-end -> front-end requests, on the socket the front-end handed
 * over with SET_BACKEND_REQ_FD (needs the BACKEND_REQ protocol feature).
 * CONFIG_CHANGE_MSG has no payload and, with CONFIG negotiated, tells the
 * front-end to re-read the device config space with GET_CONFIG; it is
 * answered only if the back-end set NEED_REPLY (with REPLY_ACK). */
#define VHOST_USER_BACKEND_IOTLB_MSG		1
#define VHOST_USER_BACKEND_CONFIG_CHANGE_MSG	2

/* Largest config space access in one GET_CONFIG/SET_CONFIG (QEMU's
 * VHOST_USER_MAX_CONFIG_SIZE). */
#define VHOST_USER_MAX_CONFIG_SIZE	256

/* At most this many regions (and fds) per SET_MEM_TABLE
 * (VHOST_MEMORY_BASELINE_NREGIONS), and fds per message. */
#define VHOST_USER_MAX_REGIONS	8
#define VHOST_USER_MAX_FDS	8

/* SET_VRING_KICK/CALL/ERR payload: vring index in bits 0-7, bit 8 set
 * when no fd accompanies the message (the ring is then polled). */
#define VHOST_USER_VRING_IDX_MASK	0xff
#define VHOST_USER_VRING_NOFD		(1u << 8)

/* SET_VRING_ADDR flags: log writes to the used ring (migration). */
#define VHOST_VRING_F_LOG	1

struct vhost_user_hdr {
	uint32_t request;	/* enum vhost_user_request */
	uint32_t flags;		/* version | VHOST_USER_F_* */
	uint32_t size;		/* payload bytes that follow */
};
_Static_assert(sizeof(struct vhost_user_hdr) == 12, "vhost_user_hdr");

/* Payload of SET/GET_VRING_NUM, _BASE, _ENABLE. */
struct vhost_user_vring_state {
	uint32_t index;
	uint32_t num;
};
_Static_assert(sizeof(struct vhost_user_vring_state) == 8, "vring_state");

/* Payload of SET_VRING_ADDR.  desc/used/avail are front-end virtual
 * addresses (QVAs), translated through each region's userspace_addr; log
 * is a guest-physical address.  Note the order: desc, used, avail. */
struct vhost_user_vring_addr {
	uint32_t index;
	uint32_t flags;		/* VHOST_VRING_F_LOG */
	uint64_t desc;
	uint64_t used;
	uint64_t avail;
	uint64_t log;
};
_Static_assert(sizeof(struct vhost_user_vring_addr) == 40, "vring_addr");

/* One guest memory region; its fd arrives with the message. */
struct vhost_user_mem_region {
	uint64_t guest_phys_addr;
	uint64_t size;
	uint64_t userspace_addr;	/* front-end virtual address */
	uint64_t mmap_offset;		/* where the region starts in the fd */
};
_Static_assert(sizeof(struct vhost_user_mem_region) == 32, "mem_region");

/* Payload of SET_MEM_TABLE: 8 + 32 * nregions bytes are meaningful
 * (QEMU sends the full fixed-size struct). */
struct vhost_user_mem_table {
	uint32_t nregions;
	uint32_t padding;
	struct vhost_user_mem_region regions[VHOST_USER_MAX_REGIONS];
};
_Static_assert(sizeof(struct vhost_user_mem_table) == 8 + 32 * 8,
	       "mem_table");

/* Payload of ADD_MEM_REG / REM_MEM_REG. */
struct vhost_user_mem_single {
	uint64_t padding;
	struct vhost_user_mem_region region;
};
_Static_assert(sizeof(struct vhost_user_mem_single) == 40, "mem_single");

/* Payload of SET_LOG_BASE. */
struct vhost_user_log {
	uint64_t size;
	uint64_t offset;
};
_Static_assert(sizeof(struct vhost_user_log) == 16, "vhost_user_log");

/* Payload of GET_CONFIG (request and reply) and SET_CONFIG: 'size'
 * bytes of the device config space from 'offset' (offset 0 is the first
 * byte of the device-specific config, e.g. virtio_net_config.mac).  On
 * the wire 12 + size bytes; a GET_CONFIG reply has the request's size,
 * and a zero-size payload means the back-end refused. */
struct vhost_user_config {
	uint32_t offset;
	uint32_t size;
	uint32_t flags;		/* VHOST_USER_CONFIG_F_* */
	uint8_t region[VHOST_USER_MAX_CONFIG_SIZE];
};
#define VHOST_USER_CONFIG_HDR_SIZE	12u
#define VHOST_USER_CONFIG_F_WRITABLE	0	/* writable fields */
#define VHOST_USER_CONFIG_F_MIGRATION	1	/* live migration */
_Static_assert(sizeof(struct vhost_user_config) == 12 + 256,
	       "vhost_user_config");

/* Any payload this project sends or understands. */
union vhost_user_payload {
	uint64_t u64;
	struct vhost_user_vring_state state;
	struct vhost_user_vring_addr addr;
	struct vhost_user_mem_table mem;
	struct vhost_user_mem_single mem_single;
	struct vhost_user_log log;
	struct vhost_user_config config;
};

/* Largest payload this project accepts.  On the wire the payload follows
 * the 12-byte header directly; in memory keep header and payload apart so
 * the payload stays 8-byte aligned, and send them with two iovecs. */
#define VHOST_USER_MAX_PAYLOAD sizeof(union vhost_user_payload)

/* Name of 'request' for logs ("SET_MEM_TABLE"), or NULL if unknown. */
static inline const char *
vhost_user_request_name(uint32_t request)
{
	switch (request) {
#define VHOST_USER_REQ_NAME(name, num) case num: return #name;
	VHOST_USER_REQUESTS(VHOST_USER_REQ_NAME)
#undef VHOST_USER_REQ_NAME
	default:
		return NULL;
	}
}

#endif /* LIB_VHOST_USER_H */
