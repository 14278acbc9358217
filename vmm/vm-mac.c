/*
 * vm-mac.c - MACs derived from a VM's name, or random (see vm-mac.h).
 */
#include "vm-mac.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#define FNV64_OFFSET 0xcbf29ce484222325ULL
#define FNV64_PRIME  0x00000100000001b3ULL

/* Sets the locally administered bit and clears the group bit. */
static void
make_local_unicast(uint8_t mac[6])
{
	mac[0] = (uint8_t)((mac[0] & ~0x01u) | 0x02u);
}

void
vm_mac_from_seed(const char *seed, uint8_t mac[6])
{
	uint64_t h = FNV64_OFFSET;

	for (const unsigned char *p = (const unsigned char *)seed; *p; p++) {
		h ^= *p;
		h *= FNV64_PRIME;
	}
	/* FNV-1a's last steps barely reach the high bits for short seeds
	 * that differ in their last character; a finalising mix (as in
	 * MurmurHash3's fmix64) spreads every input bit over all 48. */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)(h >> (8 * (5 - i)));
	make_local_unicast(mac);
}

int
vm_mac_random(uint8_t mac[6])
{
	if (getrandom(mac, 6, 0) != 6)
		return errno ? -errno : -EIO;
	make_local_unicast(mac);
	return 0;
}

bool
vm_mac_is_local_unicast(const uint8_t mac[6])
{
	return (mac[0] & 0x03) == 0x02;
}
