/*
 * vmm.h - the VMM as a whole: configuration, the machine object that ties
 * KVM, memory, buses and devices together, and the exit statuses.
 *
 * Threads: the main thread runs the event loop (terminal input, device
 * kicks, signals); each vCPU has its own thread running KVM_RUN and the
 * port-I/O/MMIO handlers.  A stop request (guest reset or power-off, a
 * signal, a fatal vCPU exit) records the exit status once and stops the
 * loop; main then kicks and joins the vCPUs and unwinds the start-up steps
 * in reverse.
 */
#ifndef VMM_VMM_H
#define VMM_VMM_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "io.h"
#include "kvm.h"
#include "mem.h"
#include "x86/boot.h"

struct loop;
struct pci_bus;
struct serial;
struct vcpu;
struct virtio_pci;

/* Exit statuses of 'vmm run'. */
enum vmm_exit {
	VMM_EXIT_GUEST_OFF = 0,     /* guest reset or powered off */
	VMM_EXIT_ERROR = 1,         /* start-up or VMM failure */
	VMM_EXIT_USAGE = 2,         /* bad command line */
	VMM_EXIT_GUEST_CRASH = 3,   /* triple fault or KVM internal error */
	VMM_EXIT_SIGNAL = 128,      /* + signal number (SIGTERM: 143) */
};

#define VMM_MAX_CPUS 64

enum vmm_net_kind {
	VMM_NET_NONE,               /* no NIC */
	VMM_NET_NULL,               /* virtio-net without a back-end */
	VMM_NET_VHOST,              /* vhost-user back-end on a socket */
	VMM_NET_BRIDGE,             /* a new vhost-user port of a vswitchd bridge */
};

struct vmm_config {
	const char *kernel;
	const char *initrd;
	const char *cmdline;
	uint64_t mem_size;
	unsigned cpus;
	const char *serial;         /* "stdio" or a file name */
	enum vmm_net_kind net;
	const char *net_path;       /* VMM_NET_VHOST: the socket */
	bool net_server;            /* VMM_NET_VHOST: listen there */
	const char *bridge;         /* VMM_NET_BRIDGE */
	const char *name;           /* VM name (the switch port's name) */
	const char *ctl_socket;     /* vswitchd's control socket, or NULL */
	uint8_t mac[6];
	bool mac_given;             /* --mac or null,mac=: else derived */
	bool hugepages;
	bool ksm;
	bool timing;                /* print start-up timing on exit */
	const char *kvm_dev;        /* /dev/kvm unless overridden */
	const char *user;           /* --user: run as this user, or NULL */
	bool no_seccomp;            /* --no-seccomp: no system call filter */
	bool debug_forbidden;       /* --debug-forbidden-syscall (tests) */
};

struct vmm {
	struct vmm_config cfg;
	struct kvm kvm;
	struct guest_mem mem;
	struct boot_info boot;
	uint8_t *kernel_image;
	size_t kernel_size;
	uint8_t *initrd_image;
	size_t initrd_size;
	struct io_bus pio;
	struct io_bus mmio;
	struct loop *loop;
	int signal_fd;
	int serial_out_fd;
	bool term_raw;
	struct serial *serial;
	struct pci_bus *pci;
	struct virtio_pci *net_dev;
	char port_name[16];         /* --net BRIDGE: the port we added */
	char port_path[108];        /* ... and its vhost-user socket */
	bool port_added;
	struct vcpu *vcpus;
	unsigned n_vcpus_started;

	atomic_int exit_status;     /* -1 until a stop is requested */
	atomic_bool stopping;
	uint64_t t0_ns;             /* origin of the timing figures */
	_Atomic uint64_t first_exit_ns;
	struct vcpu_exit_stats *exit_stats;	/* --timing: all vCPUs' */
};

/* Asks the VMM to stop with 'status' (the first request wins), giving
 * 'why' in the log.  Safe from any thread. */
void vmm_request_stop(struct vmm *vmm, int status, const char *why);

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t vmm_now_ns(void);

#endif /* VMM_VMM_H */
