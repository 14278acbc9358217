/*
 * fuzz_vhost_ring.c - libFuzzer target: the split-virtqueue walker
 * (vswitchd/ports/vhost-ring.c) over guest memory the guest wrote with
 * hostile intent.  Guest RAM is two adjacent regions (GPA 0 and
 * REG_SIZE, front-end addresses far apart), each allocated at its exact
 * size so AddressSanitizer sees any access past a region.  The input
 * fills them: descriptors, rings, indirect tables and buffers are all
 * whatever the fuzzer wrote, and the walker must bound every address,
 * length, chain and index (DESIGN.md: guest memory is hostile input).
 *
 * Input: 4 bytes of set-up, then up to 64 operation bytes ending at a
 * zero byte, then the guest memory image (region A, then B):
 *   [0] features: bit 0 EVENT_IDX, 1 INDIRECT_DESC, 2 MRG_RXBUF,
 *       3 VERSION_1
 *   [1] log2 of the ring size (mod 16)
 *   [2] ring layout: bits 0-1 where the avail ring is, 2-3 the used ring
 *   [3] starting avail index, and whether to resync first (bit 7)
 *   ops: the low 3 bits of each byte choose dequeue, dequeue with
 *   lending (lent frames are completed at once), enqueue of a frame
 *   (length from the high bits), publish, notify check, kick on/off,
 *   avail count.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vhost-ring.h"
#include "virtio-net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REG_SIZE 0x4000u
#define UVA_A    0x7f0000000000ull
#define UVA_B    0x7f0040000000ull

static const uint64_t part_off[4] = { 0x1000, 0x2000, 0x3000, 0x0ff8 };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t frame[31 * 300];	/* the longest an op asks for */
	uint8_t buf[2048], *ref;
	const uint8_t *ops;
	uint8_t *reg_a, *reg_b;
	struct vhost_mem mem;
	struct vhost_vring vr;
	uint64_t features = 0;
	size_t nops, img;
	uint32_t len;
	uint16_t head;

	if (size < 4)
		return 0;
	ops = data + 4;
	for (nops = 0; 4 + nops < size && nops < 64 && ops[nops]; nops++)
		;
	img = 4 + nops + 1 < size ? 4 + nops + 1 : size;

	reg_a = calloc(1, REG_SIZE);
	reg_b = calloc(1, REG_SIZE);
	memcpy(reg_a, data + img, size - img < REG_SIZE ? size - img
							 : REG_SIZE);
	if (size - img > REG_SIZE)
		memcpy(reg_b, data + img + REG_SIZE,
		       size - img - REG_SIZE < REG_SIZE
		       ? size - img - REG_SIZE : REG_SIZE);
	memset(&mem, 0, sizeof mem);
	mem.n = 2;
	mem.regions[0] = (struct vhost_mem_region){ 0, REG_SIZE, UVA_A,
						    reg_a, NULL, 0 };
	mem.regions[1] = (struct vhost_mem_region){ REG_SIZE, REG_SIZE, UVA_B,
						    reg_b, NULL, 0 };

	if (data[0] & 1)
		features |= VIRTIO_BIT(VIRTIO_F_EVENT_IDX);
	if (data[0] & 2)
		features |= VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC);
	if (data[0] & 4)
		features |= VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF);
	if (data[0] & 8)
		features |= VIRTIO_BIT(VIRTIO_F_VERSION_1);
	memset(&vr, 0, sizeof vr);
	vhost_vring_reset(&vr);
	vhost_vring_set_features(&vr, features);
	vr.num = 1u << (data[1] % 16);
	vr.desc_uva = UVA_A;
	vr.avail_uva = UVA_A + part_off[data[2] & 3];
	vr.used_uva = UVA_A + part_off[(data[2] >> 2) & 3];
	vr.addr_set = true;
	vr.last_avail_idx = vr.last_used_idx = data[3] & 0x7f;
	if (vhost_vring_map(&vr, &mem))
		goto out;
	if (data[3] & 0x80)
		vhost_vring_resync(&vr);

	for (size_t i = 0; i < nops; i++) {
		switch (ops[i] & 7) {
		case 0:
		case 1:
			vhost_vring_dequeue(&vr, &mem, buf, sizeof buf, &len);
			break;
		case 2:
		{
			struct virtio_net_hdr vh;

			/* With the header wanted (a guest with offloads). */
			if (!vhost_vring_dequeue_ref(&vr, &mem, buf,
						     sizeof buf, &len, &ref,
						     &head, &vh) && ref)
				vhost_vring_complete(&vr, head);
			break;
		}
		case 3:
		{
			/* Every other one with an offload header (a guest
			 * with GUEST_CSUM/GUEST_TSO*). */
			struct virtio_net_hdr vh = {
				.flags = 1, .gso_type = 1, .hdr_len = 54,
				.gso_size = 1448, .csum_start = 34,
				.csum_offset = 16, .num_buffers = 0xffff,
			};

			len = (uint32_t)(ops[i] >> 4) * 600;
			vhost_vring_enqueue_hdr(&vr, &mem, frame,
						len ? len : 60,
						ops[i] & 8 ? &vh : NULL);
			break;
		}
		case 4:
			vhost_vring_publish(&vr);
			break;
		case 5:
			vhost_vring_should_notify(&vr);
			break;
		case 6:
			vhost_vring_set_kick_wanted(&vr, ops[i] & 8);
			break;
		default:
			vhost_vring_avail_count(&vr);
			break;
		}
	}
	vhost_vring_publish(&vr);
out:
	free(reg_a);
	free(reg_b);
	return 0;
}
