/*
 * vhost-msg.c - vhost-user back-end message handlers and device state.
 * See vhost-msg.h.
 */
#include "vhost-msg.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest-fault.h"
#include "log.h"
#include "util.h"

#define MOD "vhost"

enum vhost_msg_result {
	VHOST_MSG_OK,		/* applied; ack if asked */
	VHOST_MSG_REPLY,	/* applied; 'rpayload' holds the reply */
	VHOST_MSG_ERR,		/* refused; nack if asked */
	VHOST_MSG_ERR_REPLY,	/* refused; 'rpayload' holds the refusal
				 * (a request that always has a reply) */
};

/* Fd counts a request may carry: exactly N, or checked by the handler. */
#define FDS_VAR (-1)

struct vhost_msg_ctx {
	struct vhost_dev *dev;
	const struct vhost_user_hdr *hdr;
	const union vhost_user_payload *p;
	int *fds;
	unsigned nfds;
	union vhost_user_payload *reply;
	uint32_t reply_size;
};

typedef enum vhost_msg_result vhost_msg_handler_fn(struct vhost_msg_ctx *);

/* The handler table: request, handler, expected fds. */
#define VHOST_MSG_HANDLERS(X)						\
	X(GET_FEATURES,          get_features,          0)		\
	X(SET_FEATURES,          set_features,          0)		\
	X(SET_OWNER,             set_owner,             0)		\
	X(RESET_OWNER,           reset_owner,           0)		\
	X(SET_MEM_TABLE,         set_mem_table,         FDS_VAR)	\
	X(SET_VRING_NUM,         set_vring_num,         0)		\
	X(SET_VRING_ADDR,        set_vring_addr,        0)		\
	X(SET_VRING_BASE,        set_vring_base,        0)		\
	X(GET_VRING_BASE,        get_vring_base,        0)		\
	X(SET_VRING_KICK,        set_vring_fd,          FDS_VAR)	\
	X(SET_VRING_CALL,        set_vring_fd,          FDS_VAR)	\
	X(SET_VRING_ERR,         set_vring_fd,          FDS_VAR)	\
	X(GET_PROTOCOL_FEATURES, get_protocol_features, 0)		\
	X(SET_PROTOCOL_FEATURES, set_protocol_features, 0)		\
	X(GET_QUEUE_NUM,         get_queue_num,         0)		\
	X(SET_VRING_ENABLE,      set_vring_enable,      0)		\
	X(SET_BACKEND_REQ_FD,    set_backend_req_fd,    1)		\
	X(GET_CONFIG,            get_config,            FDS_VAR)

#define VHOST_MSG_DECLARE(req, fn, nfds) \
	static vhost_msg_handler_fn msg_##fn;
VHOST_MSG_HANDLERS(VHOST_MSG_DECLARE)
#undef VHOST_MSG_DECLARE

static const struct vhost_msg_handler {
	vhost_msg_handler_fn *fn;
	int nfds;
} vhost_msg_handlers[VHOST_USER_MAX_REQUEST] = {
#define VHOST_MSG_ENTRY(req, fn, n) \
	[VHOST_USER_##req] = { msg_##fn, n },
	VHOST_MSG_HANDLERS(VHOST_MSG_ENTRY)
#undef VHOST_MSG_ENTRY
};

static void
close_fd(int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
}

static void
mem_unmap(struct vhost_mem *mem)
{
	for (uint32_t i = 0; i < mem->n; i++) {
		if (!mem->regions[i].map)
			continue;
		guest_fault_unwatch(mem->regions[i].map);
		munmap(mem->regions[i].map, (size_t)mem->regions[i].map_len);
	}
	memset(mem, 0, sizeof *mem);
}

static void
dev_vring_reset(struct vhost_dev_vring *dv)
{
	close_fd(&dv->kick_fd);
	close_fd(&dv->call_fd);
	close_fd(&dv->err_fd);
	vhost_vring_reset(&dv->vr);
	dv->kick_nofd = false;
	dv->started = false;
	dv->enabled = false;
}

void
vhost_dev_init(struct vhost_dev *dev, const char *name)
{
	memset(dev, 0, sizeof *dev);
	util_strlcpy(dev->name, name, sizeof dev->name);
	for (unsigned i = 0; i < VHOST_MAX_VRINGS; i++) {
		struct vhost_dev_vring *dv = &dev->vrings[i];

		dv->kick_fd = dv->call_fd = dv->err_fd = -1;
		vhost_vring_reset(&dv->vr);
	}
	dev->backend_fd = -1;
}

void
vhost_dev_reset(struct vhost_dev *dev)
{
	for (unsigned i = 0; i < VHOST_MAX_VRINGS; i++)
		dev_vring_reset(&dev->vrings[i]);
	mem_unmap(&dev->mem);
	close_fd(&dev->backend_fd);
	dev->mem_fault = 0;
	dev->features = 0;
	dev->protocol_features = 0;
	dev->owner = false;
	dev->changed = (1u << VHOST_MAX_VRINGS) - 1;
}

bool
vhost_dev_vring_is_live(const struct vhost_dev *dev, unsigned i)
{
	const struct vhost_dev_vring *dv = &dev->vrings[i];

	return dv->started && dv->enabled && vhost_vring_is_ready(&dv->vr);
}

bool
vhost_dev_handle(struct vhost_dev *dev, const struct vhost_user_hdr *hdr,
		 const union vhost_user_payload *payload,
		 int *fds, unsigned nfds, struct vhost_user_hdr *rhdr,
		 union vhost_user_payload *rpayload)
{
	struct vhost_msg_ctx ctx = { dev, hdr, payload, fds, nfds, rpayload,
				     0 };
	const struct vhost_msg_handler *h = NULL;
	const char *name = vhost_user_request_name(hdr->request);
	enum vhost_msg_result res;

	dev->stats.msgs++;
	memset(rpayload, 0, sizeof *rpayload);
	if (hdr->request < VHOST_USER_MAX_REQUEST &&
	    vhost_msg_handlers[hdr->request].fn)
		h = &vhost_msg_handlers[hdr->request];

	if ((hdr->flags & VHOST_USER_VERSION_MASK) != VHOST_USER_VERSION ||
	    (hdr->flags & VHOST_USER_F_REPLY)) {
		log_warn_rl(MOD, "%s: %s: bad header flags %#x", dev->name,
			    name ? name : "request", hdr->flags);
		dev->stats.bad_msg++;
		res = VHOST_MSG_ERR;
	} else if (!h) {
		log_warn_rl(MOD, "%s: unsupported request %u (%s)", dev->name,
			    hdr->request, name ? name : "unknown");
		dev->stats.unknown_msg++;
		res = VHOST_MSG_ERR;
	} else if (h->nfds != FDS_VAR && nfds != (unsigned)h->nfds) {
		log_warn_rl(MOD, "%s: %s: %u fds, expected %d", dev->name,
			    name, nfds, h->nfds);
		dev->stats.bad_msg++;
		res = VHOST_MSG_ERR;
	} else {
		res = h->fn(&ctx);
		if (res == VHOST_MSG_ERR || res == VHOST_MSG_ERR_REPLY)
			dev->stats.bad_msg++;
	}

	/* Whatever the handler did not keep is closed now (DPDK's
	 * validate_msg_fds). */
	for (unsigned i = 0; i < nfds; i++) {
		if (fds[i] >= 0) {
			dev->stats.fds_closed++;
			close_fd(&fds[i]);
		}
	}

	memset(rhdr, 0, sizeof *rhdr);
	rhdr->request = hdr->request;
	rhdr->flags = VHOST_USER_VERSION | VHOST_USER_F_REPLY;
	if (res == VHOST_MSG_REPLY || res == VHOST_MSG_ERR_REPLY) {
		rhdr->size = ctx.reply_size;
		return true;
	}
	if (hdr->flags & VHOST_USER_F_NEED_REPLY) {
		rhdr->size = sizeof rpayload->u64;
		rpayload->u64 = res == VHOST_MSG_OK ? 0 : 1;
		return true;
	}
	return false;
}

/*
 * Helpers for handlers.
 */

static bool
check_size(struct vhost_msg_ctx *c, uint32_t size)
{
	if (c->hdr->size == size)
		return true;
	log_warn_rl(MOD, "%s: %s: payload of %u bytes, expected %u",
		    c->dev->name, vhost_user_request_name(c->hdr->request),
		    c->hdr->size, size);
	return false;
}

static struct vhost_dev_vring *
get_vring(struct vhost_msg_ctx *c, uint32_t index)
{
	if (index < VHOST_MAX_VRINGS) {
		c->dev->changed |= 1u << index;
		return &c->dev->vrings[index];
	}
	log_warn_rl(MOD, "%s: %s: vring %u out of range (max %u)",
		    c->dev->name, vhost_user_request_name(c->hdr->request),
		    index, VHOST_MAX_VRINGS - 1);
	return NULL;
}

static enum vhost_msg_result
reply_u64(struct vhost_msg_ctx *c, uint64_t v)
{
	c->reply->u64 = v;
	c->reply_size = sizeof c->reply->u64;
	return VHOST_MSG_REPLY;
}

/* Re-translates vring 'dv' (after its addresses or the memory changed).
 * Not being configured yet is fine; bad addresses are an error. */
static int
vring_remap(struct vhost_dev *dev, struct vhost_dev_vring *dv)
{
	int err = vhost_vring_map(&dv->vr, &dev->mem);

	if (err == -EAGAIN)
		return 0;
	if (err)
		log_warn_rl(MOD, "%s: vring addresses not in guest memory "
			    "(%s)", dev->name, strerror(-err));
	return err;
}

/*
 * Handlers, in request order.
 */

static enum vhost_msg_result
msg_get_features(struct vhost_msg_ctx *c)
{
	if (!check_size(c, 0))
		return VHOST_MSG_ERR;
	return reply_u64(c, VHOST_DEV_FEATURES);
}

static enum vhost_msg_result
msg_set_features(struct vhost_msg_ctx *c)
{
	struct vhost_dev *dev = c->dev;
	uint64_t f = c->p->u64;

	if (!check_size(c, 8))
		return VHOST_MSG_ERR;
	if (f & ~(uint64_t)VHOST_DEV_FEATURES) {
		log_warn_rl(MOD, "%s: SET_FEATURES: bits %#llx not offered",
			    dev->name,
			    (unsigned long long)(f & ~VHOST_DEV_FEATURES));
		return VHOST_MSG_ERR;
	}
	if (f != dev->features)
		log_info(MOD, "%s: negotiated virtio features %#llx%s%s%s",
			 dev->name, (unsigned long long)f,
			 f & VIRTIO_BIT(VIRTIO_F_IN_ORDER) ? " in_order" : "",
			 f & VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF) ?
			 " mrg_rxbuf" : "",
			 f & VIRTIO_BIT(VIRTIO_F_EVENT_IDX) ? " event_idx" : "");
	dev->features = f;
	for (unsigned i = 0; i < VHOST_MAX_VRINGS; i++) {
		vhost_vring_set_features(&dev->vrings[i].vr, f);
		/* Without PROTOCOL_FEATURES every ring is enabled now. */
		if (!(f & VIRTIO_BIT(VHOST_USER_F_PROTOCOL_FEATURES)))
			dev->vrings[i].enabled = true;
	}
	dev->changed = (1u << VHOST_MAX_VRINGS) - 1;
	return VHOST_MSG_OK;
}

static enum vhost_msg_result
msg_set_owner(struct vhost_msg_ctx *c)
{
	if (!check_size(c, 0))
		return VHOST_MSG_ERR;
	c->dev->owner = true;
	return VHOST_MSG_OK;
}

/* Deprecated; treated as "stop and forget every ring", keeping the
 * connection and the memory table. */
static enum vhost_msg_result
msg_reset_owner(struct vhost_msg_ctx *c)
{
	if (!check_size(c, 0))
		return VHOST_MSG_ERR;
	for (unsigned i = 0; i < VHOST_MAX_VRINGS; i++)
		dev_vring_reset(&c->dev->vrings[i]);
	c->dev->changed = (1u << VHOST_MAX_VRINGS) - 1;
	return VHOST_MSG_OK;
}

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23		/* Linux 5.14 */
#endif

#define POPULATE_CHUNK 4096		/* pages per mincore() call */

/* Maps in, ahead of the first frame, the pages of [start, start + len)
 * that the front-end has already touched (resident in the shared file),
 * so a run does not begin with a page fault per 4 KiB of its buffers.
 * Pages the front-end never touched are left alone: populating those
 * would allocate the whole of a guest's memory up front.  A page
 * MADV_POPULATE_WRITE cannot map (file shrunk, old kernel) ends the
 * walk; the datapath then faults it in as before.  Returns the number
 * of bytes mapped in. */
static size_t
populate_resident(uint8_t *start, size_t len)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	uintptr_t a = (uintptr_t)start & ~(uintptr_t)(pg - 1);
	uintptr_t end = ((uintptr_t)start + len + pg - 1) & ~(uintptr_t)(pg - 1);
	unsigned char vec[POPULATE_CHUNK];
	size_t done = 0;

	while (a < end) {
		size_t n = MIN((end - a) / pg, (size_t)POPULATE_CHUNK);

		if (mincore((void *)a, n * pg, vec) < 0)
			return done;
		for (size_t i = 0; i < n;) {
			size_t j = i;

			while (j < n && (vec[j] & 1))
				j++;
			if (j > i) {
				if (madvise((void *)(a + i * pg), (j - i) * pg,
					    MADV_POPULATE_WRITE) < 0)
					return done;
				done += (j - i) * pg;
			}
			while (j < n && !(vec[j] & 1))
				j++;
			i = j;
		}
		a += n * pg;
	}
	return done;
}

/* Maps region 'r' from 'fd' into 'out'.  Refuses a region that ends past
 * the end of its file (touching it would raise SIGBUS); a file shrunk
 * later sets '*fault' instead of killing us (guest-fault.h). */
static int
map_region(const char *name, const struct vhost_user_mem_region *r, int fd,
	   struct vhost_mem_region *out, volatile sig_atomic_t *fault)
{
	uint64_t len = r->mmap_offset + r->size;	/* checked: no wrap */
	struct stat st;
	size_t mapped_in;
	void *map;
	int err;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size < len ||
	    len > SIZE_MAX) {
		log_warn_rl(MOD, "%s: SET_MEM_TABLE: region fd is not a file "
			    "of at least %llu bytes", name,
			    (unsigned long long)len);
		return -EINVAL;
	}
	map = mmap(NULL, (size_t)len, PROT_READ | PROT_WRITE, MAP_SHARED,
		   fd, 0);
	if (map == MAP_FAILED) {
		err = -errno;

		log_warn_rl(MOD, "%s: SET_MEM_TABLE: mmap of %llu bytes: %s",
			    name, (unsigned long long)len, strerror(-err));
		return err;
	}
	err = guest_fault_watch(map, (size_t)len, fault);
	if (err) {
		munmap(map, (size_t)len);
		return err;
	}
	mapped_in = populate_resident((uint8_t *)map + r->mmap_offset,
				      (size_t)r->size);
	log_info(MOD, "%s: region at gpa 0x%llx: %.1f MiB, of which %.1f MiB "
		 "already touched by the front-end mapped in", name,
		 (unsigned long long)r->guest_phys_addr, r->size / 1048576.0,
		 mapped_in / 1048576.0);
	out->gpa = r->guest_phys_addr;
	out->size = r->size;
	out->uva = r->userspace_addr;
	out->host = (uint8_t *)map + r->mmap_offset;
	out->map = map;
	out->map_len = len;
	return 0;
}

static enum vhost_msg_result
msg_set_mem_table(struct vhost_msg_ctx *c)
{
	struct vhost_dev *dev = c->dev;
	const struct vhost_user_mem_table *t = &c->p->mem;
	struct vhost_mem mem = { 0 };
	uint32_t n = t->nregions;

	if (c->hdr->size < 8 || n == 0 || n > VHOST_USER_MAX_REGIONS ||
	    c->hdr->size < 8 + n * sizeof t->regions[0] ||
	    c->hdr->size > sizeof *t) {
		log_warn_rl(MOD, "%s: SET_MEM_TABLE: %u regions in %u bytes",
			    dev->name, n, c->hdr->size);
		return VHOST_MSG_ERR;
	}
	if (c->nfds != n) {
		log_warn_rl(MOD, "%s: SET_MEM_TABLE: %u fds for %u regions",
			    dev->name, c->nfds, n);
		return VHOST_MSG_ERR;
	}
	if (vhost_mem_check(t->regions, n)) {
		log_warn_rl(MOD, "%s: SET_MEM_TABLE: empty, wrapping or "
			    "overlapping regions", dev->name);
		return VHOST_MSG_ERR;
	}
	for (uint32_t i = 0; i < n; i++) {
		if (map_region(dev->name, &t->regions[i], c->fds[i],
			       &mem.regions[i], &dev->mem_fault)) {
			mem_unmap(&mem);
			return VHOST_MSG_ERR;
		}
		mem.n = i + 1;
	}
	/* Replace the old table and re-translate every ring. */
	mem_unmap(&dev->mem);
	dev->mem = mem;
	for (unsigned i = 0; i < VHOST_MAX_VRINGS; i++)
		vring_remap(dev, &dev->vrings[i]);
	dev->changed = (1u << VHOST_MAX_VRINGS) - 1;
	log_info(MOD, "%s: memory table: %u regions", dev->name, n);
	return VHOST_MSG_OK;
}

static enum vhost_msg_result
msg_set_vring_num(struct vhost_msg_ctx *c)
{
	const struct vhost_user_vring_state *s = &c->p->state;
	struct vhost_dev_vring *dv;

	if (!check_size(c, sizeof *s) || !(dv = get_vring(c, s->index)))
		return VHOST_MSG_ERR;
	/* virtio 1.2 §2.7: a power of 2, at most 32768. */
	if (s->num == 0 || s->num > VIRTQ_MAX_SIZE ||
	    (s->num & (s->num - 1))) {
		log_warn_rl(MOD, "%s: SET_VRING_NUM: bad size %u", c->dev->name,
			    s->num);
		return VHOST_MSG_ERR;
	}
	dv->vr.num = s->num;
	return vring_remap(c->dev, dv) ? VHOST_MSG_ERR : VHOST_MSG_OK;
}

static enum vhost_msg_result
msg_set_vring_addr(struct vhost_msg_ctx *c)
{
	const struct vhost_user_vring_addr *a = &c->p->addr;
	struct vhost_dev_vring *dv;

	if (!check_size(c, sizeof *a) || !(dv = get_vring(c, a->index)))
		return VHOST_MSG_ERR;
	if (a->flags & ~(uint32_t)VHOST_VRING_F_LOG) {
		log_warn_rl(MOD, "%s: SET_VRING_ADDR: unknown flags %#x",
			    c->dev->name, a->flags);
		return VHOST_MSG_ERR;
	}
	dv->vr.desc_uva = a->desc;
	dv->vr.used_uva = a->used;
	dv->vr.avail_uva = a->avail;
	dv->vr.addr_set = true;
	return vring_remap(c->dev, dv) ? VHOST_MSG_ERR : VHOST_MSG_OK;
}

static enum vhost_msg_result
msg_set_vring_base(struct vhost_msg_ctx *c)
{
	const struct vhost_user_vring_state *s = &c->p->state;
	struct vhost_dev_vring *dv;

	if (!check_size(c, sizeof *s) || !(dv = get_vring(c, s->index)))
		return VHOST_MSG_ERR;
	if (s->num > UINT16_MAX) {
		log_warn_rl(MOD, "%s: SET_VRING_BASE: index %u out of range",
			    c->dev->name, s->num);
		return VHOST_MSG_ERR;
	}
	dv->vr.last_avail_idx = (uint16_t)s->num;
	dv->vr.last_used_idx = (uint16_t)s->num;
	dv->vr.avail_known = 0;
	return VHOST_MSG_OK;
}

/* Stops the ring and reports where the front-end should resume. */
static enum vhost_msg_result
msg_get_vring_base(struct vhost_msg_ctx *c)
{
	const struct vhost_user_vring_state *s = &c->p->state;
	struct vhost_dev_vring *dv;

	if (!check_size(c, sizeof *s) || !(dv = get_vring(c, s->index)))
		return VHOST_MSG_ERR;
	dv->started = false;
	close_fd(&dv->kick_fd);
	dv->kick_nofd = false;
	c->reply->state.index = s->index;
	c->reply->state.num = dv->vr.last_avail_idx;
	c->reply_size = sizeof c->reply->state;
	return VHOST_MSG_REPLY;
}

/* SET_VRING_KICK, SET_VRING_CALL and SET_VRING_ERR. */
static enum vhost_msg_result
msg_set_vring_fd(struct vhost_msg_ctx *c)
{
	uint64_t v = c->p->u64;
	bool nofd = v & VHOST_USER_VRING_NOFD;
	struct vhost_dev_vring *dv;
	int fd;

	if (!check_size(c, 8))
		return VHOST_MSG_ERR;
	if (v & ~(uint64_t)(VHOST_USER_VRING_IDX_MASK |
			    VHOST_USER_VRING_NOFD)) {
		log_warn_rl(MOD, "%s: %s: unknown bits in %#llx", c->dev->name,
			    vhost_user_request_name(c->hdr->request),
			    (unsigned long long)v);
		return VHOST_MSG_ERR;
	}
	if (c->nfds != (nofd ? 0u : 1u)) {
		log_warn_rl(MOD, "%s: %s: %u fds with nofd=%d", c->dev->name,
			    vhost_user_request_name(c->hdr->request), c->nfds,
			    nofd);
		return VHOST_MSG_ERR;
	}
	dv = get_vring(c, (uint32_t)(v & VHOST_USER_VRING_IDX_MASK));
	if (!dv)
		return VHOST_MSG_ERR;
	fd = nofd ? -1 : c->fds[0];
	if (!nofd)
		c->fds[0] = -1;		/* kept */
	switch (c->hdr->request) {
	case VHOST_USER_SET_VRING_KICK:
		close_fd(&dv->kick_fd);
		dv->kick_fd = fd;
		dv->kick_nofd = nofd;
		dv->started = true;
		/* A (re)started ring resumes where the used ring is. */
		if (!vring_remap(c->dev, dv))
			vhost_vring_resync(&dv->vr);
		break;
	case VHOST_USER_SET_VRING_CALL:
		close_fd(&dv->call_fd);
		dv->call_fd = fd;
		break;
	default:
		close_fd(&dv->err_fd);
		dv->err_fd = fd;
		break;
	}
	return VHOST_MSG_OK;
}

static enum vhost_msg_result
msg_get_protocol_features(struct vhost_msg_ctx *c)
{
	if (!check_size(c, 0))
		return VHOST_MSG_ERR;
	return reply_u64(c, VHOST_DEV_PROTOCOL_FEATURES);
}

static enum vhost_msg_result
msg_set_protocol_features(struct vhost_msg_ctx *c)
{
	uint64_t f = c->p->u64;

	if (!check_size(c, 8))
		return VHOST_MSG_ERR;
	if (f & ~(uint64_t)VHOST_DEV_PROTOCOL_FEATURES) {
		log_warn_rl(MOD, "%s: SET_PROTOCOL_FEATURES: bits %#llx not "
			    "offered", c->dev->name, (unsigned long long)f);
		return VHOST_MSG_ERR;
	}
	c->dev->protocol_features = f;
	return VHOST_MSG_OK;
}

static enum vhost_msg_result
msg_get_queue_num(struct vhost_msg_ctx *c)
{
	if (!check_size(c, 0))
		return VHOST_MSG_ERR;
	return reply_u64(c, VHOST_MAX_QUEUE_PAIRS);
}

static enum vhost_msg_result
msg_set_vring_enable(struct vhost_msg_ctx *c)
{
	const struct vhost_user_vring_state *s = &c->p->state;
	struct vhost_dev_vring *dv;

	if (!check_size(c, sizeof *s) || !(dv = get_vring(c, s->index)))
		return VHOST_MSG_ERR;
	if (s->num > 1) {
		log_warn_rl(MOD, "%s: SET_VRING_ENABLE: bad value %u",
			    c->dev->name, s->num);
		return VHOST_MSG_ERR;
	}
	dv->enabled = s->num;
	return VHOST_MSG_OK;
}

static bool
has_protocol_feature(struct vhost_msg_ctx *c, unsigned bit, const char *name)
{
	if (c->dev->protocol_features & VIRTIO_BIT(bit))
		return true;
	log_warn_rl(MOD, "%s: %s without the %s protocol feature",
		    c->dev->name, vhost_user_request_name(c->hdr->request),
		    name);
	return false;
}

/* The socket for our requests to the front-end (CONFIG_CHANGE_MSG).  We
 * never read it: shutting our reading side down makes a front-end that
 * writes to it get EPIPE instead of filling our buffers. */
static enum vhost_msg_result
msg_set_backend_req_fd(struct vhost_msg_ctx *c)
{
	struct vhost_dev *dev = c->dev;
	struct stat st;

	if (!check_size(c, 0) ||
	    !has_protocol_feature(c, VHOST_USER_PROTOCOL_F_BACKEND_REQ,
				  "BACKEND_REQ"))
		return VHOST_MSG_ERR;
	if (fstat(c->fds[0], &st) < 0 || !S_ISSOCK(st.st_mode)) {
		log_warn_rl(MOD, "%s: SET_BACKEND_REQ_FD: the fd is not a "
			    "socket", dev->name);
		return VHOST_MSG_ERR;
	}
	close_fd(&dev->backend_fd);
	dev->backend_fd = c->fds[0];
	c->fds[0] = -1;		/* kept */
	shutdown(dev->backend_fd, SHUT_RD);
	return VHOST_MSG_OK;
}

/* Fills 'space' with the virtio-net config space we serve: no MAC (the
 * front-end has the guest's), the link status, the queue pairs. */
static void
net_config_space(const struct vhost_dev *dev, uint8_t space[VIRTIO_NET_CFG_LEN])
{
	uint16_t status = dev->link_down ? 0 : VIRTIO_NET_S_LINK_UP;

	memset(space, 0, VIRTIO_NET_CFG_LEN);
	space[VIRTIO_NET_CFG_STATUS] = (uint8_t)status;
	space[VIRTIO_NET_CFG_STATUS + 1] = (uint8_t)(status >> 8);
	space[VIRTIO_NET_CFG_MAX_VQ_PAIRS] = VHOST_MAX_QUEUE_PAIRS;
}

/* Reads 'size' bytes of the config space from 'offset'.  Every refusal is
 * a reply with an empty payload (vhost-user.rst). */
static enum vhost_msg_result
msg_get_config(struct vhost_msg_ctx *c)
{
	const struct vhost_user_config *q = &c->p->config;
	struct vhost_user_config *r = &c->reply->config;
	struct vhost_dev *dev = c->dev;
	uint8_t space[VIRTIO_NET_CFG_LEN];

	c->reply_size = 0;
	if (!has_protocol_feature(c, VHOST_USER_PROTOCOL_F_CONFIG, "CONFIG"))
		return VHOST_MSG_ERR_REPLY;
	if (c->nfds) {
		log_warn_rl(MOD, "%s: GET_CONFIG: %u fds, expected 0",
			    dev->name, c->nfds);
		return VHOST_MSG_ERR_REPLY;
	}
	if (c->hdr->size < VHOST_USER_CONFIG_HDR_SIZE ||
	    c->hdr->size - VHOST_USER_CONFIG_HDR_SIZE != q->size) {
		log_warn_rl(MOD, "%s: GET_CONFIG: payload of %u bytes for a "
			    "%u-byte read", dev->name, c->hdr->size,
			    c->hdr->size < VHOST_USER_CONFIG_HDR_SIZE ? 0
								       : q->size);
		return VHOST_MSG_ERR_REPLY;
	}
	if (q->size == 0 || q->offset >= VIRTIO_NET_CFG_LEN ||
	    q->size > VIRTIO_NET_CFG_LEN - q->offset) {
		log_warn_rl(MOD, "%s: GET_CONFIG: %u bytes at offset %u: "
			    "outside the %u-byte config space", dev->name,
			    q->size, q->offset, VIRTIO_NET_CFG_LEN);
		return VHOST_MSG_ERR_REPLY;
	}
	if (q->flags > VHOST_USER_CONFIG_F_MIGRATION) {
		log_warn_rl(MOD, "%s: GET_CONFIG: unknown flags %#x",
			    dev->name, q->flags);
		return VHOST_MSG_ERR_REPLY;
	}
	net_config_space(dev, space);
	r->offset = q->offset;
	r->size = q->size;
	r->flags = q->flags;
	memcpy(r->region, space + q->offset, q->size);
	c->reply_size = VHOST_USER_CONFIG_HDR_SIZE + q->size;
	dev->stats.config_reads++;
	return VHOST_MSG_REPLY;
}

bool
vhost_dev_set_link(struct vhost_dev *dev, bool up)
{
	const struct vhost_user_hdr h = {
		.request = VHOST_USER_BACKEND_CONFIG_CHANGE_MSG,
		.flags = VHOST_USER_VERSION,
	};
	ssize_t n;

	dev->link_down = !up;
	if (dev->backend_fd < 0 ||
	    !(dev->protocol_features &
	      VIRTIO_BIT(VHOST_USER_PROTOCOL_F_CONFIG)))
		return false;
	do {
		n = send(dev->backend_fd, &h, sizeof h,
			 MSG_DONTWAIT | MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n == (ssize_t)sizeof h) {
		dev->stats.config_notes++;
		return true;
	}
	dev->stats.backend_errors++;
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		/* Earlier notes are still unread: the front-end will read
		 * the current state when it gets to them. */
		log_warn_rl(MOD, "%s: back-end channel full: CONFIG_CHANGE "
			    "not sent", dev->name);
		return false;
	}
	log_warn_rl(MOD, "%s: back-end channel: %s; closed", dev->name,
		    n < 0 ? strerror(errno) : "short send");
	close_fd(&dev->backend_fd);
	return false;
}
