/*
 * virtio-pci.c - modern virtio-pci transport with MSI-X.
 */
#include "virtio-pci.h"

#include <errno.h>
#include <linux/pci_regs.h>
#include <linux/virtio_config.h>
#include <linux/virtio_pci.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "kvm.h"
#include "log.h"
#include "loop.h"
#include "pci.h"
#include "util.h"
#include "vmm.h"

#define VP_BAR_REGS         0
#define VP_BAR_MSIX         2
#define VP_REGS_SIZE        0x4000
#define VP_COMMON_OFF       0x0000
#define VP_COMMON_LEN       0x38
#define VP_ISR_OFF          0x1000
#define VP_DEVCFG_OFF       0x2000
#define VP_NOTIFY_OFF       0x3000
#define VP_NOTIFY_MULT      4
#define VP_MSIX_SIZE        0x1000
#define VP_MSIX_TABLE_OFF   0x000
#define VP_MSIX_PBA_OFF     0x800
#define VP_MAX_VECTORS      (VIRTIO_PCI_MAX_QUEUES + 1)

#define VP_ISR_QUEUE        0x1
#define VP_ISR_CONFIG       0x2

struct vp_vector {
	uint32_t addr_lo, addr_hi, data, ctrl;  /* MSI-X table entry */
	bool pending;                           /* PBA bit */
	int gsi;
	int irqfd;
	bool routed;
	bool irqfd_bound;       /* KVM_IRQFD assigned (vector live) */
	bool watched;           /* irqfd in mask_ep (vector masked) */
};

struct virtio_pci {
	struct vmm *vmm;
	struct pci_dev pci;
	const struct virtio_device_ops *ops;
	void *dev;
	char name[32];

	pthread_mutex_t lock;           /* common config and queue state */
	uint32_t dfselect, gfselect;
	uint64_t features;              /* offered */
	uint64_t driver_features;
	uint8_t status;
	uint8_t config_generation;
	uint16_t queue_select;
	uint16_t config_vector;
	uint8_t isr;
	struct virtq queues[VIRTIO_PCI_MAX_QUEUES];
	int kick_fd[VIRTIO_PCI_MAX_QUEUES];
	uint64_t notify_base;           /* where the ioeventfds sit, 0: none */

	pthread_mutex_t msix_lock;      /* vectors and MSI-X control */
	unsigned n_vectors;
	int msix_cap;                   /* offset of the MSI-X capability */
	bool msix_enabled, msix_masked;
	struct vp_vector vec[VP_MAX_VECTORS];
	int cfg_cap;                    /* offset of the PCI_CFG capability */
	int mask_ep;                    /* epoll set of masked vectors' irqfds */
	bool queues_external;           /* kicks go to a vhost-user back-end */
};

/* ---- MSI-X --------------------------------------------------------------- */

static bool
vp_vector_live(const struct virtio_pci *vp, const struct vp_vector *v)
{
	return vp->msix_enabled && !vp->msix_masked &&
	       !(v->ctrl & PCI_MSIX_ENTRY_CTRL_MASKBIT);
}

static void
vp_fire(struct vp_vector *v)
{
	uint64_t one = 1;

	if (write(v->irqfd, &one, sizeof one) != sizeof one)
		log_warn_rl("virtio-pci", "irqfd write: %m");
}

/* Moves the irqfd of vector 'v' between KVM (live: a write injects the
 * MSI without the VMM) and the mask watch (masked: a write, from the VMM
 * or straight from a vhost-user back-end, only sets the PBA bit; see
 * vp_on_masked()).  On the way back to KVM whatever was signalled while
 * masked becomes pending and is delivered.  msix_lock held. */
static void
vp_vector_bind(struct virtio_pci *vp, struct vp_vector *v, bool live)
{
	struct epoll_event ev = { .events = EPOLLIN };
	uint64_t n;
	int err;

	if (live && !v->irqfd_bound) {
		if (v->watched)
			epoll_ctl(vp->mask_ep, EPOLL_CTL_DEL, v->irqfd, NULL);
		v->watched = false;
		if (read(v->irqfd, &n, sizeof n) == sizeof n && n)
			v->pending = true;
		err = kvm_irqfd(&vp->vmm->kvm, v->irqfd, v->gsi, true);
		if (err)
			log_warn_rl("virtio-pci", "%s: KVM_IRQFD: %s",
				    vp->name, strerror(-err));
		v->irqfd_bound = !err;
	} else if (!live && v->irqfd_bound) {
		kvm_irqfd(&vp->vmm->kvm, v->irqfd, v->gsi, false);
		v->irqfd_bound = false;
	}
	if (!v->irqfd_bound && !v->watched) {
		ev.data.u32 = (uint32_t)(v - vp->vec);
		v->watched = epoll_ctl(vp->mask_ep, EPOLL_CTL_ADD, v->irqfd,
				       &ev) == 0;
	}
}

/* Brings vector 'i''s KVM route and irqfd in line with its table entry
 * and mask state, and delivers a pending interrupt once it is live.
 * Called with msix_lock held. */
static void
vp_vector_update(struct virtio_pci *vp, unsigned i)
{
	struct vp_vector *v = &vp->vec[i];
	bool live = vp_vector_live(vp, v);
	int err;

	/* Masking: unbind before the route goes; unmasking: route first. */
	if (!live)
		vp_vector_bind(vp, v, false);
	if (live || v->routed) {
		err = kvm_msi_route(&vp->vmm->kvm, v->gsi, live,
				    (uint64_t)v->addr_hi << 32 | v->addr_lo,
				    v->data);
		if (err)
			log_warn_rl("virtio-pci", "%s: MSI route for vector "
				    "%u: %s", vp->name, i, strerror(-err));
		v->routed = live && !err;
	}
	if (live)
		vp_vector_bind(vp, v, v->routed);
	if (live && v->pending && v->irqfd_bound) {
		v->pending = false;
		vp_fire(v);
	}
}

/* The loop's view of masked vectors: a write to a masked vector's irqfd
 * (typically a vhost-user back-end's call) sets its PBA bit; unmasking
 * delivers it (vp_vector_bind()). */
static void
vp_on_masked(void *arg, int fd, uint32_t events)
{
	struct virtio_pci *vp = arg;
	struct epoll_event evs[VP_MAX_VECTORS];
	int n;

	(void)events;
	n = epoll_wait(fd, evs, VP_MAX_VECTORS, 0);
	pthread_mutex_lock(&vp->msix_lock);
	for (int k = 0; k < n; k++) {
		unsigned i = evs[k].data.u32;
		struct vp_vector *v;
		uint64_t cnt;

		if (i >= vp->n_vectors)
			continue;
		v = &vp->vec[i];
		if (v->irqfd_bound)
			continue;       /* unmasked meanwhile: already drained */
		if (read(v->irqfd, &cnt, sizeof cnt) == sizeof cnt && cnt)
			v->pending = true;
	}
	pthread_mutex_unlock(&vp->msix_lock);
}

static void
vp_update_all_vectors(struct virtio_pci *vp)
{
	for (unsigned i = 0; i < vp->n_vectors; i++)
		vp_vector_update(vp, i);
}

static void
vp_signal(struct virtio_pci *vp, uint16_t vector)
{
	struct vp_vector *v;

	if (vector == VIRTIO_MSI_NO_VECTOR || vector >= vp->n_vectors)
		return;
	pthread_mutex_lock(&vp->msix_lock);
	v = &vp->vec[vector];
	if (vp_vector_live(vp, v))
		vp_fire(v);
	else
		v->pending = true;
	pthread_mutex_unlock(&vp->msix_lock);
}

static void
vp_msix_access(struct virtio_pci *vp, uint64_t off, uint8_t *data,
	       unsigned len, bool is_write)
{
	uint32_t val = 0;

	if (len != 4 && len != 8)
		return;
	pthread_mutex_lock(&vp->msix_lock);
	for (unsigned part = 0; part < len / 4; part++, off += 4) {
		unsigned i = (unsigned)(off / PCI_MSIX_ENTRY_SIZE);
		unsigned reg = (unsigned)(off % PCI_MSIX_ENTRY_SIZE);
		uint32_t *field;

		if (off >= VP_MSIX_PBA_OFF) {
			unsigned bit0 = (unsigned)(off - VP_MSIX_PBA_OFF) * 8;

			val = 0;
			for (unsigned b = 0; b < 32; b++)
				if (bit0 + b < vp->n_vectors &&
				    vp->vec[bit0 + b].pending)
					val |= 1u << b;
			if (!is_write)
				memcpy(data + 4 * part, &val, 4);
			continue;
		}
		if (i >= vp->n_vectors) {
			if (!is_write)
				memset(data + 4 * part, 0, 4);
			continue;
		}
		field = reg == PCI_MSIX_ENTRY_LOWER_ADDR ? &vp->vec[i].addr_lo :
			reg == PCI_MSIX_ENTRY_UPPER_ADDR ? &vp->vec[i].addr_hi :
			reg == PCI_MSIX_ENTRY_DATA ? &vp->vec[i].data :
			&vp->vec[i].ctrl;
		if (!is_write) {
			memcpy(data + 4 * part, field, 4);
			continue;
		}
		memcpy(&val, data + 4 * part, 4);
		if (reg == PCI_MSIX_ENTRY_VECTOR_CTRL)
			val &= PCI_MSIX_ENTRY_CTRL_MASKBIT;
		*field = val;
		vp_vector_update(vp, i);
	}
	pthread_mutex_unlock(&vp->msix_lock);
}

/* ---- transport ops for the device model --------------------------------- */

static void
vp_notify_queue(void *opaque, unsigned q)
{
	struct virtio_pci *vp = opaque;

	if (q >= vp->ops->num_queues)
		return;
	__atomic_or_fetch(&vp->isr, VP_ISR_QUEUE, __ATOMIC_RELAXED);
	vp_signal(vp, vp->queues[q].msix_vector);
}

static void
vp_notify_config(void *opaque)
{
	struct virtio_pci *vp = opaque;

	__atomic_or_fetch(&vp->isr, VP_ISR_CONFIG, __ATOMIC_RELAXED);
	vp_signal(vp, vp->config_vector);
}

static void
vp_set_needs_reset(void *opaque)
{
	struct virtio_pci *vp = opaque;

	log_warn_rl("virtio-pci", "%s: device needs reset", vp->name);
	vp->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
	vp_notify_config(vp);
}

static struct virtq *
vp_get_queue(void *opaque, unsigned q)
{
	struct virtio_pci *vp = opaque;

	return q < vp->ops->num_queues ? &vp->queues[q] : NULL;
}

static const struct guest_mem *
vp_get_mem(void *opaque)
{
	struct virtio_pci *vp = opaque;

	return &vp->vmm->mem;
}

static int
vp_get_kick_fd(void *opaque, unsigned q)
{
	struct virtio_pci *vp = opaque;

	return q < vp->ops->num_queues ? vp->kick_fd[q] : -1;
}

static int
vp_get_call_fd(void *opaque, unsigned q)
{
	struct virtio_pci *vp = opaque;
	uint16_t vector;

	if (q >= vp->ops->num_queues)
		return -1;
	vector = vp->queues[q].msix_vector;
	if (vector == VIRTIO_MSI_NO_VECTOR || vector >= vp->n_vectors)
		return -1;
	return vp->vec[vector].irqfd;
}

static const struct virtio_transport_ops vp_transport_ops = {
	.notify_queue = vp_notify_queue,
	.notify_config = vp_notify_config,
	.set_needs_reset = vp_set_needs_reset,
	.get_queue = vp_get_queue,
	.get_mem = vp_get_mem,
	.get_kick_fd = vp_get_kick_fd,
	.get_call_fd = vp_get_call_fd,
};

/* ---- common configuration ----------------------------------------------- */

static void
vp_reset(struct virtio_pci *vp)
{
	vp->ops->reset(vp->dev);
	vp->status = 0;
	vp->driver_features = 0;
	vp->dfselect = vp->gfselect = 0;
	vp->queue_select = 0;
	vp->config_vector = VIRTIO_MSI_NO_VECTOR;
	__atomic_store_n(&vp->isr, 0, __ATOMIC_RELAXED);
	for (unsigned q = 0; q < vp->ops->num_queues; q++)
		virtq_reset(&vp->queues[q], vp->ops->queue_max_size);
}

static void
vp_set_status(struct virtio_pci *vp, uint8_t status)
{
	uint8_t old = vp->status;

	if (status == 0) {
		vp_reset(vp);
		return;
	}
	if ((status & VIRTIO_CONFIG_S_FEATURES_OK) &&
	    !(old & VIRTIO_CONFIG_S_FEATURES_OK)) {
		/* §3.1.1: only offered features, and a modern driver. */
		if ((vp->driver_features & ~vp->features) ||
		    !(vp->driver_features & (1ULL << VIRTIO_F_VERSION_1)))
			status &= (uint8_t)~VIRTIO_CONFIG_S_FEATURES_OK;
	}
	vp->status = status | (old & VIRTIO_CONFIG_S_NEEDS_RESET);
	if ((status & VIRTIO_CONFIG_S_DRIVER_OK) &&
	    !(old & VIRTIO_CONFIG_S_DRIVER_OK)) {
		int err = vp->ops->activate(vp->dev, vp->driver_features);

		if (err) {
			log_warn("virtio-pci", "%s: activation failed: %s",
				 vp->name, strerror(-err));
			vp_set_needs_reset(vp);
		}
	}
}

/* Common config fields, for byte-granular access to any of them. */
static const struct {
	uint8_t off, size;
} vp_common_fields[] = {
	{ VIRTIO_PCI_COMMON_DFSELECT, 4 }, { VIRTIO_PCI_COMMON_DF, 4 },
	{ VIRTIO_PCI_COMMON_GFSELECT, 4 }, { VIRTIO_PCI_COMMON_GF, 4 },
	{ VIRTIO_PCI_COMMON_MSIX, 2 }, { VIRTIO_PCI_COMMON_NUMQ, 2 },
	{ VIRTIO_PCI_COMMON_STATUS, 1 },
	{ VIRTIO_PCI_COMMON_CFGGENERATION, 1 },
	{ VIRTIO_PCI_COMMON_Q_SELECT, 2 }, { VIRTIO_PCI_COMMON_Q_SIZE, 2 },
	{ VIRTIO_PCI_COMMON_Q_MSIX, 2 }, { VIRTIO_PCI_COMMON_Q_ENABLE, 2 },
	{ VIRTIO_PCI_COMMON_Q_NOFF, 2 }, { VIRTIO_PCI_COMMON_Q_DESCLO, 8 },
	{ VIRTIO_PCI_COMMON_Q_AVAILLO, 8 }, { VIRTIO_PCI_COMMON_Q_USEDLO, 8 },
};

static uint64_t
vp_common_get(struct virtio_pci *vp, unsigned off)
{
	struct virtq *q = vp->queue_select < vp->ops->num_queues ?
			  &vp->queues[vp->queue_select] : NULL;

	switch (off) {
	case VIRTIO_PCI_COMMON_DFSELECT: return vp->dfselect;
	case VIRTIO_PCI_COMMON_DF:
		return vp->dfselect < 2 ?
		       (uint32_t)(vp->features >> (32 * vp->dfselect)) : 0;
	case VIRTIO_PCI_COMMON_GFSELECT: return vp->gfselect;
	case VIRTIO_PCI_COMMON_GF:
		return vp->gfselect < 2 ? (uint32_t)(vp->driver_features >>
						     (32 * vp->gfselect)) : 0;
	case VIRTIO_PCI_COMMON_MSIX: return vp->config_vector;
	case VIRTIO_PCI_COMMON_NUMQ: return vp->ops->num_queues;
	case VIRTIO_PCI_COMMON_STATUS: return vp->status;
	case VIRTIO_PCI_COMMON_CFGGENERATION: return vp->config_generation;
	case VIRTIO_PCI_COMMON_Q_SELECT: return vp->queue_select;
	case VIRTIO_PCI_COMMON_Q_SIZE: return q ? q->size : 0;
	case VIRTIO_PCI_COMMON_Q_MSIX:
		return q ? q->msix_vector : VIRTIO_MSI_NO_VECTOR;
	case VIRTIO_PCI_COMMON_Q_ENABLE: return q ? q->enabled : 0;
	case VIRTIO_PCI_COMMON_Q_NOFF: return vp->queue_select;
	case VIRTIO_PCI_COMMON_Q_DESCLO: return q ? q->desc_gpa : 0;
	case VIRTIO_PCI_COMMON_Q_AVAILLO: return q ? q->avail_gpa : 0;
	case VIRTIO_PCI_COMMON_Q_USEDLO: return q ? q->used_gpa : 0;
	default: return 0;
	}
}

static void
vp_common_set(struct virtio_pci *vp, unsigned off, uint64_t val)
{
	struct virtq *q = vp->queue_select < vp->ops->num_queues ?
			  &vp->queues[vp->queue_select] : NULL;
	bool q_live = q && q->enabled;

	switch (off) {
	case VIRTIO_PCI_COMMON_DFSELECT: vp->dfselect = (uint32_t)val; break;
	case VIRTIO_PCI_COMMON_GFSELECT: vp->gfselect = (uint32_t)val; break;
	case VIRTIO_PCI_COMMON_GF:
		if (vp->gfselect < 2 &&
		    !(vp->status & VIRTIO_CONFIG_S_FEATURES_OK)) {
			unsigned sh = 32 * vp->gfselect;

			vp->driver_features &= ~(0xffffffffULL << sh);
			vp->driver_features |= (val & 0xffffffffULL) << sh;
		}
		break;
	case VIRTIO_PCI_COMMON_MSIX:
		vp->config_vector = val < vp->n_vectors ? (uint16_t)val
							 : VIRTIO_MSI_NO_VECTOR;
		break;
	case VIRTIO_PCI_COMMON_STATUS: vp_set_status(vp, (uint8_t)val); break;
	case VIRTIO_PCI_COMMON_Q_SELECT: vp->queue_select = (uint16_t)val;
		break;
	case VIRTIO_PCI_COMMON_Q_SIZE:
		/* A power of two no larger than the maximum (§4.1.4.3.2). */
		if (q && !q_live && val && val <= vp->ops->queue_max_size &&
		    !(val & (val - 1)))
			q->size = (uint16_t)val;
		break;
	case VIRTIO_PCI_COMMON_Q_MSIX:
		if (q)
			q->msix_vector = val < vp->n_vectors ? (uint16_t)val
						: VIRTIO_MSI_NO_VECTOR;
		break;
	case VIRTIO_PCI_COMMON_Q_ENABLE:
		if (q && !q_live && val == 1 &&
		    virtq_enable(q, &vp->vmm->mem) < 0) {
			log_warn_rl("virtio-pci", "%s: queue %u: bad ring "
				    "addresses or size", vp->name,
				    vp->queue_select);
			vp_set_needs_reset(vp);
		}
		break;
	case VIRTIO_PCI_COMMON_Q_DESCLO: if (q && !q_live) q->desc_gpa = val;
		break;
	case VIRTIO_PCI_COMMON_Q_AVAILLO: if (q && !q_live) q->avail_gpa = val;
		break;
	case VIRTIO_PCI_COMMON_Q_USEDLO: if (q && !q_live) q->used_gpa = val;
		break;
	default:                        /* read-only fields */
		break;
	}
}

static void
vp_common_access(struct virtio_pci *vp, unsigned off, uint8_t *data,
		 unsigned len, bool is_write)
{
	for (size_t i = 0; i < ARRAY_SIZE(vp_common_fields); i++) {
		unsigned f = vp_common_fields[i].off;
		unsigned size = vp_common_fields[i].size;
		unsigned shift = (off - f) * 8;
		uint64_t mask, cur;

		if (off < f || off + len > f + size)
			continue;
		cur = vp_common_get(vp, f);
		mask = (len == 8 ? ~0ULL : ((1ULL << (len * 8)) - 1)) << shift;
		if (!is_write) {
			uint64_t v = cur >> shift;

			memcpy(data, &v, len);
			return;
		} else {
			uint64_t v = 0;

			memcpy(&v, data, len);
			vp_common_set(vp, f, (cur & ~mask) | (v << shift));
			return;
		}
	}
	if (!is_write)
		memset(data, 0, len);
}

/* ---- BAR 0 --------------------------------------------------------------- */

static void
vp_kick(struct virtio_pci *vp, unsigned q)
{
	uint64_t one = 1;

	if (q < vp->ops->num_queues &&
	    write(vp->kick_fd[q], &one, sizeof one) != sizeof one)
		log_warn_rl("virtio-pci", "%s: kick eventfd: %m", vp->name);
}

static void
vp_regs_access(struct virtio_pci *vp, uint64_t off, uint8_t *data,
	       unsigned len, bool is_write)
{
	if (off >= VP_NOTIFY_OFF) {
		/* Only reached when the ioeventfd is not (yet) in place. */
		if (is_write)
			vp_kick(vp, (unsigned)((off - VP_NOTIFY_OFF) /
					       VP_NOTIFY_MULT));
		else
			memset(data, 0, len);
		return;
	}
	if (off >= VP_DEVCFG_OFF) {
		unsigned o = (unsigned)(off - VP_DEVCFG_OFF);

		if (o + len > vp->ops->config_size) {
			if (!is_write)
				memset(data, 0, len);
			return;
		}
		pthread_mutex_lock(&vp->lock);
		if (!is_write)
			vp->ops->config_read(vp->dev, o, data, len);
		else if (vp->ops->config_write)
			vp->ops->config_write(vp->dev, o, data, len);
		pthread_mutex_unlock(&vp->lock);
		return;
	}
	if (off >= VP_ISR_OFF) {
		if (!is_write) {
			memset(data, 0, len);
			if (off == VP_ISR_OFF)  /* reading clears (§4.1.4.5) */
				data[0] = __atomic_exchange_n(&vp->isr, 0,
							      __ATOMIC_RELAXED);
		}
		return;
	}
	if (off + len <= VP_COMMON_LEN) {
		pthread_mutex_lock(&vp->lock);
		vp_common_access(vp, (unsigned)off, data, len, is_write);
		pthread_mutex_unlock(&vp->lock);
	} else if (!is_write) {
		memset(data, 0, len);
	}
}

/* ---- PCI hooks ----------------------------------------------------------- */

static void
vp_bar_access(struct pci_dev *pdev, unsigned bar, uint64_t off,
	      uint8_t *data, unsigned len, bool is_write)
{
	struct virtio_pci *vp = pdev->priv;

	if (bar == VP_BAR_REGS)
		vp_regs_access(vp, off, data, len, is_write);
	else if (bar == VP_BAR_MSIX)
		vp_msix_access(vp, off, data, len, is_write);
}

/* Moves the notify ioeventfds with BAR 0.  Bus lock held. */
static void
vp_bar_remap(struct pci_dev *pdev, unsigned bar, uint64_t addr, bool enabled)
{
	struct virtio_pci *vp = pdev->priv;
	struct kvm *kvm = &vp->vmm->kvm;

	if (bar != VP_BAR_REGS)
		return;
	for (unsigned q = 0; q < vp->ops->num_queues && vp->notify_base; q++)
		kvm_ioeventfd(kvm, vp->kick_fd[q], vp->notify_base +
			      q * VP_NOTIFY_MULT, 2, false);
	vp->notify_base = 0;
	if (!enabled)
		return;
	for (unsigned q = 0; q < vp->ops->num_queues; q++) {
		uint64_t a = addr + VP_NOTIFY_OFF + q * VP_NOTIFY_MULT;
		int err = kvm_ioeventfd(kvm, vp->kick_fd[q], a, 2, true);

		if (err) {
			log_warn("virtio-pci", "%s: ioeventfd at 0x%llx: %s "
				 "(kicks will exit)", vp->name,
				 (unsigned long long)a, strerror(-err));
			while (q--)
				kvm_ioeventfd(kvm, vp->kick_fd[q], addr +
					      VP_NOTIFY_OFF +
					      q * VP_NOTIFY_MULT, 2, false);
			return;
		}
	}
	vp->notify_base = addr + VP_NOTIFY_OFF;
}

/* MSI-X control and the PCI_CFG window.  Bus lock held. */
static void
vp_config_written(struct pci_dev *pdev, unsigned off, unsigned len)
{
	struct virtio_pci *vp = pdev->priv;
	unsigned ctrl = (unsigned)vp->msix_cap + PCI_MSIX_FLAGS;
	unsigned win = (unsigned)vp->cfg_cap +
		       offsetof(struct virtio_pci_cfg_cap, pci_cfg_data);

	if (off < ctrl + 2 && off + len > ctrl) {
		uint16_t flags = pci_cfg_read16(pdev, ctrl);

		pthread_mutex_lock(&vp->msix_lock);
		vp->msix_enabled = flags & PCI_MSIX_FLAGS_ENABLE;
		vp->msix_masked = flags & PCI_MSIX_FLAGS_MASKALL;
		vp_update_all_vectors(vp);
		pthread_mutex_unlock(&vp->msix_lock);
	}
	if (off < win + 4 && off + len > win) {
		struct virtio_pci_cfg_cap c;

		memcpy(&c, &pdev->cfg[vp->cfg_cap], sizeof c);
		if (c.cap.bar == VP_BAR_REGS && (c.cap.length == 1 ||
		    c.cap.length == 2 || c.cap.length == 4) &&
		    c.cap.offset + c.cap.length <= VP_REGS_SIZE)
			vp_regs_access(vp, c.cap.offset, &pdev->cfg[win],
				       c.cap.length, true);
	}
}

static void
vp_config_reading(struct pci_dev *pdev, unsigned off, unsigned len)
{
	struct virtio_pci *vp = pdev->priv;
	unsigned win = (unsigned)vp->cfg_cap +
		       offsetof(struct virtio_pci_cfg_cap, pci_cfg_data);
	struct virtio_pci_cfg_cap c;

	if (!(off < win + 4 && off + len > win))
		return;
	memcpy(&c, &pdev->cfg[vp->cfg_cap], sizeof c);
	if (c.cap.bar == VP_BAR_REGS && (c.cap.length == 1 ||
	    c.cap.length == 2 || c.cap.length == 4) &&
	    c.cap.offset + c.cap.length <= VP_REGS_SIZE)
		vp_regs_access(vp, c.cap.offset, &pdev->cfg[win],
			       c.cap.length, false);
}

static const struct pci_dev_ops vp_pci_ops = {
	.config_written = vp_config_written,
	.config_reading = vp_config_reading,
	.bar_remap = vp_bar_remap,
	.bar_access = vp_bar_access,
};

/* ---- kicks on the event loop --------------------------------------------- */

static void
vp_on_kick(void *arg, int fd, uint32_t events)
{
	struct virtio_pci *vp = arg;
	uint64_t n;

	(void)events;
	if (read(fd, &n, sizeof n) != sizeof n)
		return;
	pthread_mutex_lock(&vp->lock);
	for (unsigned q = 0; q < vp->ops->num_queues; q++) {
		if (vp->kick_fd[q] == fd && vp->queues[q].enabled &&
		    (vp->status & VIRTIO_CONFIG_S_DRIVER_OK) &&
		    !(vp->status & VIRTIO_CONFIG_S_NEEDS_RESET))
			vp->ops->queue_kick(vp->dev, q);
	}
	pthread_mutex_unlock(&vp->lock);
}

/* ---- set-up --------------------------------------------------------------- */

static int
vp_add_caps(struct virtio_pci *vp)
{
	struct virtio_pci_cap common = {
		.cap_vndr = PCI_CAP_ID_VNDR, .cap_len = sizeof common,
		.cfg_type = VIRTIO_PCI_CAP_COMMON_CFG, .bar = VP_BAR_REGS,
		.offset = VP_COMMON_OFF, .length = VP_COMMON_LEN,
	};
	struct virtio_pci_cap isr = {
		.cap_vndr = PCI_CAP_ID_VNDR, .cap_len = sizeof isr,
		.cfg_type = VIRTIO_PCI_CAP_ISR_CFG, .bar = VP_BAR_REGS,
		.offset = VP_ISR_OFF, .length = 1,
	};
	struct virtio_pci_cap devcfg = {
		.cap_vndr = PCI_CAP_ID_VNDR, .cap_len = sizeof devcfg,
		.cfg_type = VIRTIO_PCI_CAP_DEVICE_CFG, .bar = VP_BAR_REGS,
		.offset = VP_DEVCFG_OFF, .length = vp->ops->config_size,
	};
	struct virtio_pci_notify_cap notify = {
		.cap = {
			.cap_vndr = PCI_CAP_ID_VNDR, .cap_len = sizeof notify,
			.cfg_type = VIRTIO_PCI_CAP_NOTIFY_CFG,
			.bar = VP_BAR_REGS, .offset = VP_NOTIFY_OFF,
			.length = vp->ops->num_queues * VP_NOTIFY_MULT,
		},
		.notify_off_multiplier = VP_NOTIFY_MULT,
	};
	struct virtio_pci_cfg_cap cfg = {
		.cap = {
			.cap_vndr = PCI_CAP_ID_VNDR, .cap_len = sizeof cfg,
			.cfg_type = VIRTIO_PCI_CAP_PCI_CFG,
		},
	};
	uint8_t cfg_wmask[sizeof cfg];
	uint8_t msix[12] = { PCI_CAP_ID_MSIX };
	uint8_t msix_wmask[12] = { 0 };
	uint16_t qsize = (uint16_t)(vp->n_vectors - 1);
	uint32_t table = VP_MSIX_TABLE_OFF | VP_BAR_MSIX;
	uint32_t pba = VP_MSIX_PBA_OFF | VP_BAR_MSIX;

	if (pci_dev_add_cap(&vp->pci, &common, sizeof common, NULL) < 0 ||
	    pci_dev_add_cap(&vp->pci, &notify, sizeof notify, NULL) < 0 ||
	    pci_dev_add_cap(&vp->pci, &isr, sizeof isr, NULL) < 0 ||
	    pci_dev_add_cap(&vp->pci, &devcfg, sizeof devcfg, NULL) < 0)
		return -ENOSPC;

	/* The PCI_CFG window: bar, offset, length and data are writable. */
	memset(cfg_wmask, 0, sizeof cfg_wmask);
	cfg_wmask[offsetof(struct virtio_pci_cap, bar)] = 0xff;
	memset(cfg_wmask + offsetof(struct virtio_pci_cap, offset), 0xff, 8);
	memset(cfg_wmask + offsetof(struct virtio_pci_cfg_cap, pci_cfg_data),
	       0xff, 4);
	vp->cfg_cap = pci_dev_add_cap(&vp->pci, &cfg, sizeof cfg, cfg_wmask);

	memcpy(&msix[PCI_MSIX_FLAGS], &qsize, 2);
	memcpy(&msix[PCI_MSIX_TABLE], &table, 4);
	memcpy(&msix[PCI_MSIX_PBA], &pba, 4);
	msix_wmask[PCI_MSIX_FLAGS + 1] = (PCI_MSIX_FLAGS_ENABLE |
					  PCI_MSIX_FLAGS_MASKALL) >> 8;
	vp->msix_cap = pci_dev_add_cap(&vp->pci, msix, sizeof msix,
				       msix_wmask);
	return vp->cfg_cap < 0 || vp->msix_cap < 0 ? -ENOSPC : 0;
}

static void
vp_release_fds(struct virtio_pci *vp)
{
	for (unsigned q = 0; q < VIRTIO_PCI_MAX_QUEUES; q++) {
		if (vp->kick_fd[q] >= 0) {
			if (vp->vmm->loop)
				loop_del(vp->vmm->loop, vp->kick_fd[q]);
			close(vp->kick_fd[q]);
		}
		vp->kick_fd[q] = -1;
	}
	for (unsigned i = 0; i < VP_MAX_VECTORS; i++) {
		struct vp_vector *v = &vp->vec[i];

		if (v->irqfd >= 0) {
			if (v->irqfd_bound)
				kvm_irqfd(&vp->vmm->kvm, v->irqfd, v->gsi,
					  false);
			close(v->irqfd);
		}
		v->irqfd_bound = v->watched = false;
		if (v->routed)
			kvm_msi_route(&vp->vmm->kvm, v->gsi, false, 0, 0);
		v->irqfd = -1;
		v->routed = false;
	}
	if (vp->mask_ep >= 0) {
		if (vp->vmm->loop)
			loop_del(vp->vmm->loop, vp->mask_ep);
		close(vp->mask_ep);
	}
	vp->mask_ep = -1;
}

static int
vp_open_fds(struct virtio_pci *vp)
{
	int err;

	for (unsigned q = 0; q < vp->ops->num_queues; q++) {
		vp->kick_fd[q] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (vp->kick_fd[q] < 0)
			return -errno;
		if (vp->queues_external)
			continue;
		err = loop_add(vp->vmm->loop, vp->kick_fd[q], vp_on_kick, vp);
		if (err) {
			close(vp->kick_fd[q]);
			vp->kick_fd[q] = -1;
			return err;
		}
	}
	for (unsigned i = 0; i < vp->n_vectors; i++) {
		struct vp_vector *v = &vp->vec[i];

		v->ctrl = PCI_MSIX_ENTRY_CTRL_MASKBIT;  /* masked at reset */
		v->gsi = kvm_msi_alloc(&vp->vmm->kvm);
		if (v->gsi < 0)
			return v->gsi;
		v->irqfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (v->irqfd < 0)
			return -errno;
	}
	vp->mask_ep = epoll_create1(EPOLL_CLOEXEC);
	if (vp->mask_ep < 0)
		return -errno;
	err = loop_add(vp->vmm->loop, vp->mask_ep, vp_on_masked, vp);
	if (err) {
		close(vp->mask_ep);
		vp->mask_ep = -1;
		return err;
	}
	/* Every vector starts masked: its irqfd is watched, not bound. */
	pthread_mutex_lock(&vp->msix_lock);
	for (unsigned i = 0; i < vp->n_vectors; i++)
		vp_vector_bind(vp, &vp->vec[i], false);
	pthread_mutex_unlock(&vp->msix_lock);
	return 0;
}

struct virtio_pci *
virtio_pci_create(struct vmm *vmm, const struct virtio_device_ops *ops,
		  void *dev, struct virtio_transport *transport)
{
	struct virtio_pci *vp;
	int err, slot;

	ASSERT(ops->num_queues <= VIRTIO_PCI_MAX_QUEUES);
	vp = xcalloc(1, sizeof *vp);
	vp->vmm = vmm;
	vp->ops = ops;
	vp->dev = dev;
	vp->n_vectors = ops->num_queues + 1;
	vp->mask_ep = -1;
	vp->queues_external = ops->queues_external &&
			      ops->queues_external(dev);
	snprintf(vp->name, sizeof vp->name, "%s", ops->name);
	pthread_mutex_init(&vp->lock, NULL);
	pthread_mutex_init(&vp->msix_lock, NULL);
	for (unsigned q = 0; q < VIRTIO_PCI_MAX_QUEUES; q++)
		vp->kick_fd[q] = -1;
	for (unsigned i = 0; i < VP_MAX_VECTORS; i++) {
		vp->vec[i].irqfd = -1;
		vp->vec[i].gsi = -1;
	}
	vp->features = ops->get_features(dev) | (1ULL << VIRTIO_F_VERSION_1);

	pci_dev_init(&vp->pci, VIRTIO_PCI_VENDOR_ID,
		     (uint16_t)(VIRTIO_PCI_DEVICE_BASE + ops->device_type),
		     ops->pci_class, 1, VIRTIO_PCI_VENDOR_ID,
		     VIRTIO_PCI_SUBSYS_ID, &vp_pci_ops, vp);
	if (pci_dev_add_bar(&vp->pci, VP_BAR_REGS, VP_REGS_SIZE) ||
	    pci_dev_add_bar(&vp->pci, VP_BAR_MSIX, VP_MSIX_SIZE) ||
	    vp_add_caps(vp)) {
		log_err("virtio-pci", "%s: PCI set-up failed", vp->name);
		goto out_free;
	}
	err = vp_open_fds(vp);
	if (err) {
		log_err("virtio-pci", "%s: eventfds/irqfds: %s", vp->name,
			strerror(-err));
		goto out_release;
	}
	vp_reset(vp);
	slot = pci_bus_add(vmm->pci, &vp->pci);
	if (slot < 0) {
		log_err("virtio-pci", "%s: no free PCI slot", vp->name);
		goto out_release;
	}
	snprintf(vp->name, sizeof vp->name, "%s@00:%02x.0", ops->name, slot);
	log_info("virtio-pci", "%s: BAR0 0x%llx, BAR2 0x%llx", vp->name,
		 (unsigned long long)vp->pci.bars[VP_BAR_REGS].addr,
		 (unsigned long long)vp->pci.bars[VP_BAR_MSIX].addr);
	transport->ops = &vp_transport_ops;
	transport->opaque = vp;
	return vp;

out_release:
	vp_release_fds(vp);
out_free:
	pthread_mutex_destroy(&vp->lock);
	pthread_mutex_destroy(&vp->msix_lock);
	free(vp);
	return NULL;
}

void
virtio_pci_destroy(struct virtio_pci *vp)
{
	if (!vp)
		return;
	pci_bus_del(vp->vmm->pci, &vp->pci);
	if (vp->notify_base)
		vp_bar_remap(&vp->pci, VP_BAR_REGS, 0, false);
	vp_release_fds(vp);
	if (vp->ops->destroy)
		vp->ops->destroy(vp->dev);
	pthread_mutex_destroy(&vp->lock);
	pthread_mutex_destroy(&vp->msix_lock);
	free(vp);
}
