/*
 * vm-mac.h - the MAC address of a VM's NIC when the user gave none.
 *
 * Two VMs on one bridge must never share a MAC, and a VM should keep its
 * MAC across restarts so the switch's FDB, neighbours' ARP caches and
 * DHCP leases stay right.  So the MAC is derived from something that names
 * the VM (its --name, else its vhost-user socket or its bridge and port):
 * a 64-bit FNV-1a hash of that seed text, mixed, of which 46 bits are
 * kept; the first octet gets the locally administered bit (bit 1) set and
 * the group bit (bit 0) cleared, so the result is a unicast address that
 * no vendor owns (IEEE 802 §8.2).  Without any seed the MAC is random,
 * with the same two bits.
 *
 * Pure: no I/O except vm_mac_random()'s getrandom(2).
 */
#ifndef VMM_VM_MAC_H
#define VMM_VM_MAC_H

#include <stdbool.h>
#include <stdint.h>

/* Writes to 'mac' the locally administered unicast MAC derived from
 * 'seed' (any text, not empty).  The same seed always gives the same MAC;
 * two seeds give two MACs except with probability about 2^-46. */
void vm_mac_from_seed(const char *seed, uint8_t mac[6]);

/* Writes a random locally administered unicast MAC to 'mac'.  Returns 0,
 * or -errno when the kernel gave no random bytes. */
int vm_mac_random(uint8_t mac[6]);

/* True when 'mac' is unicast (bit 0 of the first octet clear) and locally
 * administered (bit 1 set). */
bool vm_mac_is_local_unicast(const uint8_t mac[6]);

#endif /* VMM_VM_MAC_H */
