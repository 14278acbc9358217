/*
 * main.c - 'vmm run': command line, start-up steps, event loop, shutdown.
 *
 * Start-up is the explicit table vmm_steps[] of {name, init, exit}: steps
 * run in order; if one fails, the exits of those already done run in
 * reverse and the VMM ends with a message naming the step.  After the
 * vCPUs start nothing calls die(): failures become stop requests with an
 * exit status (vmm.h) or a device marking itself NEEDS_RESET.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <libgen.h>

#include "ctl-socket.h"
#include "eth.h"
#include "i8042.h"
#include "rtc.h"
#include "log.h"
#include "loop.h"
#include "pci.h"
#include "rpc-client.h"
#include "sandbox.h"
#include "serial.h"
#include "util.h"
#include "vcpu.h"
#include "vhost-front.h"
#include "virtio-net-dev.h"
#include "virtio-pci.h"
#include "vmm.h"
#include "x86/mptable.h"

#define VMM_DEFAULT_MEM     (256ULL << 20)
#define VMM_MAX_FILE_SIZE   (1ULL << 30)

static struct termios vmm_saved_termios;
static struct i8042 vmm_i8042;
static struct rtc vmm_rtc;

uint64_t
vmm_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void
vmm_request_stop(struct vmm *vmm, int status, const char *why)
{
	int none = -1;

	if (atomic_compare_exchange_strong(&vmm->exit_status, &none, status)) {
		if (status == VMM_EXIT_GUEST_CRASH || status == VMM_EXIT_ERROR)
			log_warn("vmm", "stopping: %s (exit status %d)", why,
				 status);
		else
			log_info("vmm", "stopping: %s (exit status %d)", why,
				 status);
	}
	atomic_store(&vmm->stopping, true);
	if (vmm->loop)
		loop_stop(vmm->loop);
}

static void
vmm_on_reset(void *arg)
{
	vmm_request_stop(arg, VMM_EXIT_GUEST_OFF,
			 "guest reset through the i8042");
}

static void
vmm_on_quit(void *arg)
{
	vmm_request_stop(arg, VMM_EXIT_SIGNAL + SIGINT, "Ctrl-A x");
}

static void
vmm_on_signal(void *arg, int fd, uint32_t events)
{
	struct signalfd_siginfo si;
	char why[64];

	(void)events;
	if (read(fd, &si, sizeof si) != sizeof si)
		return;
	snprintf(why, sizeof why, "signal %s", strsignal((int)si.ssi_signo));
	vmm_request_stop(arg, VMM_EXIT_SIGNAL + (int)si.ssi_signo, why);
}

/* Reads a whole regular file (kernel or initrd). */
static int
vmm_read_file(const char *what, const char *path, uint8_t **out,
	      size_t *size)
{
	struct stat st;
	uint8_t *buf;
	size_t done = 0;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		log_err("vmm", "%s %s: %s", what, path, strerror(-err));
		return err;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size > VMM_MAX_FILE_SIZE || st.st_size == 0) {
		log_err("vmm", "%s %s: not a regular file of 1 byte to 1 GiB",
			what, path);
		close(fd);
		return -EINVAL;
	}
	buf = xmalloc((size_t)st.st_size);
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + done, (size_t)st.st_size - done);

		if (n <= 0) {
			err = n < 0 ? -errno : -EIO;
			log_err("vmm", "%s %s: read: %s", what, path,
				strerror(-err));
			free(buf);
			close(fd);
			return err;
		}
		done += (size_t)n;
	}
	close(fd);
	*out = buf;
	*size = done;
	return 0;
}

/* ---- start-up steps ---------------------------------------------------- */

static int
step_files_init(struct vmm *vmm)
{
	int err = vmm_read_file("kernel", vmm->cfg.kernel, &vmm->kernel_image,
				&vmm->kernel_size);

	if (err)
		return err;
	if (boot_identify(vmm->kernel_image, vmm->kernel_size) < 0) {
		log_err("vmm", "kernel %s: neither a bzImage nor an ELF file",
			vmm->cfg.kernel);
		return -ENOEXEC;
	}
	if (vmm->cfg.initrd)
		return vmm_read_file("initrd", vmm->cfg.initrd,
				     &vmm->initrd_image, &vmm->initrd_size);
	return 0;
}

static void
step_files_exit(struct vmm *vmm)
{
	free(vmm->kernel_image);
	free(vmm->initrd_image);
	vmm->kernel_image = vmm->initrd_image = NULL;
}

static int
step_kvm_init(struct vmm *vmm)
{
	int err = kvm_open(&vmm->kvm, vmm->cfg.kvm_dev);

	if (err) {
		log_err("vmm", "%s: %s%s", vmm->cfg.kvm_dev, strerror(-err),
			err == -ENOENT ? " (no KVM on this machine: load "
			"kvm-intel or kvm-amd, or enable virtualization)" : "");
		return err;
	}
	err = kvm_create_vm(&vmm->kvm);
	if (err) {
		log_err("vmm", "creating the VM: %s", strerror(-err));
		kvm_close(&vmm->kvm);
	}
	return err;
}

static int
step_irqchip_init(struct vmm *vmm)
{
	int err = kvm_create_irqchip(&vmm->kvm);

	if (err)
		log_err("vmm", "in-kernel irqchip and PIT: %s", strerror(-err));
	return err;
}

static void
step_kvm_exit(struct vmm *vmm)
{
	kvm_close(&vmm->kvm);
}

static int
step_mem_init(struct vmm *vmm)
{
	struct mem_opts opts = {
		.hugepages = vmm->cfg.hugepages, .ksm = vmm->cfg.ksm,
	};
	int err = guest_mem_create(&vmm->mem, vmm->cfg.mem_size, &opts);

	if (err) {
		log_err("vmm", "guest RAM of %llu MiB: %s%s",
			(unsigned long long)(vmm->cfg.mem_size >> 20),
			strerror(-err), vmm->cfg.hugepages ?
			" (are huge pages reserved? see vm.nr_hugepages)" : "");
		return err;
	}
	return 0;
}

static void
step_mem_exit(struct vmm *vmm)
{
	guest_mem_destroy(&vmm->mem);
}

/* Guest RAM was made and loaded before KVM was opened (so that every
 * mistake in what the user gave is reported on machines without KVM
 * too); now the VM gets it. */
static int
step_kvm_mem_init(struct vmm *vmm)
{
	int err = kvm_add_memory(&vmm->kvm, &vmm->mem);

	if (err)
		log_err("vmm", "KVM_SET_USER_MEMORY_REGION: %s", strerror(-err));
	return err;
}

static int
step_load_init(struct vmm *vmm)
{
	char err_msg[256];
	int err;

	err = boot_load(&vmm->mem, vmm->kernel_image, vmm->kernel_size,
			vmm->initrd_image, vmm->initrd_size, vmm->cfg.cmdline,
			&vmm->boot, err_msg, sizeof err_msg);
	if (err) {
		log_err("vmm", "kernel %s: %s", vmm->cfg.kernel, err_msg);
		return err;
	}
	err = mptable_write(&vmm->mem, vmm->cfg.cpus);
	if (err)
		log_err("vmm", "MP table: %s", strerror(-err));
	/* The images are in guest RAM now. */
	step_files_exit(vmm);
	return err;
}

static int
step_loop_init(struct vmm *vmm)
{
	sigset_t set;
	int err;

	vmm->loop = loop_create();
	if (!vmm->loop)
		return -errno;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	vmm->signal_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (vmm->signal_fd < 0) {
		err = -errno;
		goto out_destroy_loop;
	}
	err = loop_add(vmm->loop, vmm->signal_fd, vmm_on_signal, vmm);
	if (err)
		goto out_close_signal_fd;
	return 0;

out_close_signal_fd:
	close(vmm->signal_fd);
out_destroy_loop:
	loop_destroy(vmm->loop);
	vmm->loop = NULL;
	return err;
}

static void
step_loop_exit(struct vmm *vmm)
{
	close(vmm->signal_fd);
	loop_destroy(vmm->loop);
	vmm->loop = NULL;
}

static int
step_serial_init(struct vmm *vmm)
{
	bool is_stdio = !strcmp(vmm->cfg.serial, "stdio");
	int in_fd = -1;
	int err;

	if (is_stdio) {
		vmm->serial_out_fd = dup(STDOUT_FILENO);
		in_fd = STDIN_FILENO;
	} else {
		vmm->serial_out_fd = open(vmm->cfg.serial, O_WRONLY | O_CREAT |
					  O_TRUNC | O_CLOEXEC, 0644);
	}
	if (vmm->serial_out_fd < 0) {
		err = -errno;
		log_err("vmm", "serial output %s: %s", vmm->cfg.serial,
			strerror(-err));
		return err;
	}
	if (is_stdio && isatty(in_fd) &&
	    tcgetattr(in_fd, &vmm_saved_termios) == 0) {
		struct termios raw = vmm_saved_termios;

		cfmakeraw(&raw);
		if (tcsetattr(in_fd, TCSANOW, &raw) == 0)
			vmm->term_raw = true;
	}
	vmm->serial = serial_create(&vmm->kvm, SERIAL_COM1_IRQ, in_fd,
				    vmm->serial_out_fd, vmm->term_raw,
				    vmm_on_quit, vmm);
	serial_set_loop(vmm->serial, vmm->loop);
	err = io_bus_add(&vmm->pio, SERIAL_COM1_BASE, SERIAL_NR_REGS,
			 serial_io, vmm->serial);
	if (!err && in_fd >= 0 && loop_add(vmm->loop, in_fd, serial_on_input,
					   vmm->serial) < 0)
		log_info("vmm", "serial: stdin cannot be polled (a file?); "
			 "no input");
	if (!err) {
		i8042_init(&vmm_i8042, &vmm->kvm, vmm_on_reset, vmm);
		rtc_init(&vmm_rtc);
		err = io_bus_add(&vmm->pio, RTC_PORT_BASE, RTC_NR_PORTS,
				 rtc_io, &vmm_rtc);
	}
	if (!err) {
		err = io_bus_add(&vmm->pio, I8042_DATA_PORT, 1, i8042_data_io,
				 &vmm_i8042);
		if (!err)
			err = io_bus_add(&vmm->pio, I8042_CMD_PORT, 1,
					 i8042_cmd_io, &vmm_i8042);
	}
	return err;
}

static void
step_serial_exit(struct vmm *vmm)
{
	if (vmm->term_raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &vmm_saved_termios);
	vmm->term_raw = false;
	serial_destroy(vmm->serial);
	vmm->serial = NULL;
	close(vmm->serial_out_fd);
}

static int
step_pci_init(struct vmm *vmm)
{
	int err;

	vmm->pci = pci_bus_create();
	err = io_bus_add(&vmm->pio, PCI_CONFIG_ADDR_PORT, 8, pci_config_io,
			 vmm->pci);
	/* Half of every configuration access is the address write: let it
	 * complete in the kernel (a guest's PCI scan makes tens of
	 * thousands of them). */
	if (!err && kvm_coalesce_pio(&vmm->kvm, PCI_CONFIG_ADDR_PORT, 4))
		log_debug("vmm", "no coalesced port I/O: PCI address writes "
			  "exit");
	if (!err)
		err = io_bus_add(&vmm->mmio, PCI_MMIO_BASE, PCI_MMIO_SIZE,
				 pci_mmio_io, vmm->pci);
	if (err) {
		pci_bus_destroy(vmm->pci);
		vmm->pci = NULL;
	}
	return err;
}

static void
step_pci_exit(struct vmm *vmm)
{
	pci_bus_destroy(vmm->pci);
	vmm->pci = NULL;
}

/* How long the first connection to a vhost-user back-end may take: a
 * client retries connect() meanwhile; a server waits for the back-end. */
#define VMM_VHOST_CONNECT_MS    10000
#define VMM_VHOST_ACCEPT_MS     60000

/* How long connecting to vswitchd, and then one request, may take. */
#define VMM_CTL_TIMEOUT_MS      10000

/* vswitchd's control socket: --ctl-socket, else $VSWITCHD_SOCKET, else
 * the default path. */
static const char *
vmm_ctl_socket(const struct vmm *vmm)
{
	return vmm->cfg.ctl_socket ? vmm->cfg.ctl_socket
				   : vswitchd_socket_default();
}

/* Calls 'method' with 'params' (not consumed) on vswitchd at 'sock'
 * (lib/rpc-client.c).  Returns 0, or -errno with the reason in 'err':
 * -EREMOTEIO with vswitchd's message when it refused, -EPROTO for a reply
 * that cannot be read. */
static int
vmm_ctl_call(const char *sock, const char *method,
	     struct json_object *params, char *err, size_t err_size)
{
	struct rpc_client_error e;
	int rc = rpc_client_call_once(sock, VMM_CTL_TIMEOUT_MS, method,
				      params, NULL, &e);

	switch (e.kind) {
	case RPC_CLIENT_ERR_NONE:
		break;
	case RPC_CLIENT_ERR_CONNECT:
		if (e.errnum == ENAMETOOLONG)
			snprintf(err, err_size, "%s: path too long", sock);
		else {
			char hint[256];

			snprintf(err, err_size, "cannot reach vswitchd at %s: "
				 "%s (%s)", sock, strerror(e.errnum),
				 vswitchd_unreachable_hint(hint, sizeof hint,
							   sock, e.errnum));
		}
		break;
	case RPC_CLIENT_ERR_SEND:
		snprintf(err, err_size, "sending to vswitchd: %s",
			 strerror(e.errnum));
		break;
	case RPC_CLIENT_ERR_RECV:
		snprintf(err, err_size, "no reply from vswitchd: %s",
			 strerror(e.errnum));
		break;
	case RPC_CLIENT_ERR_MALFORMED:
		snprintf(err, err_size, "%s", e.errnum == EPROTO
			 ? "vswitchd's reply has no result"
			 : "vswitchd replied with bad JSON");
		rc = -EPROTO;
		break;
	case RPC_CLIENT_ERR_REMOTE:
		util_strlcpy(err, e.message, err_size);	/* cut if long */
		break;
	}
	return rc;
}

/* --net BRIDGE: asks vswitchd for vhost-user port 'port_name' on the
 * bridge, vswitchd listening on a socket beside its control socket. */
static int
vmm_bridge_port_add(struct vmm *vmm)
{
	const char *sock = vmm_ctl_socket(vmm);
	struct json_object *params, *args;
	char *dir_copy = xstrdup(sock);
	char err[1024];
	int n, rc;

	if (vmm->cfg.name)
		snprintf(vmm->port_name, sizeof vmm->port_name, "%s",
			 vmm->cfg.name);
	else
		snprintf(vmm->port_name, sizeof vmm->port_name, "vm-%d",
			 (int)getpid());
	n = snprintf(vmm->port_path, sizeof vmm->port_path, "%s/%s.vhost",
		     dirname(dir_copy), vmm->port_name);
	free(dir_copy);
	if (n < 0 || (size_t)n >= sizeof vmm->port_path) {
		log_err("vmm", "--net %s: socket path too long",
			vmm->cfg.bridge);
		return -ENAMETOOLONG;
	}
	params = json_object_new_object();
	args = json_object_new_object();
	json_object_object_add(params, "bridge",
			       json_object_new_string(vmm->cfg.bridge));
	json_object_object_add(params, "name",
			       json_object_new_string(vmm->port_name));
	json_object_object_add(params, "type",
			       json_object_new_string("vhost-user"));
	json_object_object_add(args, "socket",
			       json_object_new_string(vmm->port_path));
	json_object_object_add(args, "mode", json_object_new_string("server"));
	json_object_object_add(params, "args", args);
	rc = vmm_ctl_call(sock, "port.add", params, err, sizeof err);
	json_object_put(params);
	if (rc) {
		log_err("vmm", "--net %s: port.add %s: %s", vmm->cfg.bridge,
			vmm->port_name, err);
		return rc;
	}
	vmm->port_added = true;
	log_info("vmm", "port %s added to bridge %s (%s)", vmm->port_name,
		 vmm->cfg.bridge, vmm->port_path);
	return 0;
}

static void
vmm_bridge_port_del(struct vmm *vmm)
{
	const char *sock = vmm_ctl_socket(vmm);
	struct json_object *params;
	char err[1024];

	if (!vmm->port_added)
		return;
	params = json_object_new_object();
	json_object_object_add(params, "name",
			       json_object_new_string(vmm->port_name));
	json_object_object_add(params, "bridge",
			       json_object_new_string(vmm->cfg.bridge));
	if (vmm_ctl_call(sock, "port.del", params, err, sizeof err))
		log_warn("vmm", "port.del %s: %s", vmm->port_name, err);
	json_object_put(params);
	vmm->port_added = false;
}

static int
step_net_init(struct vmm *vmm)
{
	const char *path = vmm->cfg.net_path;
	bool server = vmm->cfg.net_server;
	void *be;
	int err;

	switch (vmm->cfg.net) {
	case VMM_NET_NONE:
		return 0;
	case VMM_NET_NULL:
		vmm->net_dev = virtio_net_create(vmm, vmm->cfg.mac,
						 &net_null_ops,
						 net_null_create());
		return vmm->net_dev ? 0 : -EIO;
	case VMM_NET_BRIDGE:
		err = vmm_bridge_port_add(vmm);
		if (err)
			return err;
		path = vmm->port_path;
		server = false;
		break;
	case VMM_NET_VHOST:
		break;
	}
	be = vhost_front_create(path, server, &vmm->mem, vmm->loop,
				server ? VMM_VHOST_ACCEPT_MS
				       : VMM_VHOST_CONNECT_MS, vmm->signal_fd);
	if (be)
		vmm->net_dev = virtio_net_create(vmm, vmm->cfg.mac,
						 &vhost_front_ops, be);
	if (!vmm->net_dev) {
		vmm_bridge_port_del(vmm);
		return -EIO;
	}
	return 0;
}

static void
step_net_exit(struct vmm *vmm)
{
	virtio_pci_destroy(vmm->net_dev);
	vmm->net_dev = NULL;
	vmm_bridge_port_del(vmm);
}

static int
step_vcpus_init(struct vmm *vmm)
{
	int err = 0;

	vmm->vcpus = xcalloc(vmm->cfg.cpus, sizeof *vmm->vcpus);
	for (unsigned i = 0; i < vmm->cfg.cpus; i++) {
		err = vcpu_create(vmm, &vmm->vcpus[i], i);
		if (err) {
			log_err("vmm", "vCPU %u: %s", i, strerror(-err));
			while (i--)
				vcpu_destroy(&vmm->vcpus[i], NULL);
			free(vmm->vcpus);
			vmm->vcpus = NULL;
			return err;
		}
	}
	return 0;
}

static void
step_vcpus_exit(struct vmm *vmm)
{
	if (vmm->cfg.timing && !vmm->exit_stats)
		vmm->exit_stats = xcalloc(1, sizeof *vmm->exit_stats);
	for (unsigned i = 0; i < vmm->cfg.cpus; i++)
		vcpu_destroy(&vmm->vcpus[i], vmm->exit_stats);
	free(vmm->vcpus);
	vmm->vcpus = NULL;
}

static void
step_run_exit(struct vmm *vmm)
{
	atomic_store(&vmm->stopping, true);
	for (unsigned i = 0; i < vmm->n_vcpus_started; i++)
		vcpu_stop(&vmm->vcpus[i]);
	vmm->n_vcpus_started = 0;
}

static int
step_run_init(struct vmm *vmm)
{
	for (unsigned i = 0; i < vmm->cfg.cpus; i++) {
		int err = vcpu_start(&vmm->vcpus[i]);

		if (err) {
			log_err("vmm", "vCPU %u thread: %s", i, strerror(-err));
			step_run_exit(vmm);
			return err;
		}
		vmm->n_vcpus_started++;
	}
	return 0;
}

/* Least privilege (sandbox.h): everything is open; the vCPU threads,
 * started next, inherit the filter. */
static int
step_sandbox_init(struct vmm *vmm)
{
	struct sandbox_user u = { .name = NULL };
	int err;

	if (vmm->cfg.user) {
		err = sandbox_user_lookup(vmm->cfg.user, &u);
		if (!err)
			err = sandbox_drop_user(&u);
		if (err)
			return err;
	}
	err = sandbox_no_new_privs();
	if (err)
		return err;
	if (vmm->cfg.no_seccomp) {
		log_info("vmm", "--no-seccomp: no system call filter");
		return 0;
	}
#ifdef __SANITIZE_ADDRESS__
	/* LeakSanitizer's exit check hangs under the filter (its tracer
	 * dies, the VMM spins): off in SANITIZE=1 builds, except for the
	 * test hook, which never reaches exit. */
	if (!vmm->cfg.debug_forbidden) {
		log_info("vmm", "sanitizer build: no system call filter");
		return 0;
	}
#endif
	err = sandbox_seccomp();
	if (err)
		return err;
	if (vmm->cfg.debug_forbidden) {
		/* Test hook: a call the filter refuses; never returns. */
		static char prog[] = "/bin/true";
		char *const args[] = { prog, NULL };

		log_warn("vmm", "--debug-forbidden-syscall: calling execve");
		execve(prog, args, NULL);
		log_err("vmm", "execve came back: %s", strerror(errno));
		return -EPERM;
	}
	return 0;
}

struct vmm_step {
	const char *name;
	int (*init)(struct vmm *);
	void (*exit)(struct vmm *);
};

static const struct vmm_step vmm_steps[] = {
	/* Everything the user gave is checked before KVM is touched. */
	{ "files", step_files_init, step_files_exit },
	{ "memory", step_mem_init, step_mem_exit },
	{ "load", step_load_init, NULL },
	{ "kvm", step_kvm_init, step_kvm_exit },
	{ "kvm-memory", step_kvm_mem_init, NULL },
	{ "irqchip", step_irqchip_init, NULL },
	{ "loop", step_loop_init, step_loop_exit },
	{ "serial", step_serial_init, step_serial_exit },
	{ "pci", step_pci_init, step_pci_exit },
	{ "net", step_net_init, step_net_exit },
	{ "vcpus", step_vcpus_init, step_vcpus_exit },
	{ "sandbox", step_sandbox_init, NULL },
	{ "run", step_run_init, step_run_exit },
};

static void
vmm_unwind(struct vmm *vmm, size_t n_done)
{
	while (n_done--)
		if (vmm_steps[n_done].exit)
			vmm_steps[n_done].exit(vmm);
}

/* ---- command line -------------------------------------------------------- */

static void
vmm_usage(FILE *f)
{
	fprintf(f,
"usage: vmm run --kernel FILE [options]\n"
"       vmm --help | --version\n"
"\n"
"Runs a KVM virtual machine that boots FILE (a bzImage or an ELF kernel)\n"
"with an 8250 serial console on 0x3f8, an i8042 reset line, a PCI host\n"
"bridge and optional virtio-pci devices.\n"
"\n"
"options:\n"
"  --kernel FILE      kernel to boot: bzImage (64-bit boot protocol) or ELF\n"
"  --initrd FILE      initial ramdisk\n"
"  --cmdline STR      kernel command line\n"
"  --mem SIZE         guest RAM: N with K, M, G suffix, plain N is MiB\n"
"                     (default 256M, at least 16M, a multiple of 1M)\n"
"  --cpus N           number of vCPUs, 1-%d (default 1)\n"
"  --serial stdio|FILE  where the serial port goes (default stdio; on a\n"
"                     terminal, type Ctrl-A x to quit)\n"
"  --net BRIDGE       a virtio-net NIC on vswitchd bridge BRIDGE: asks\n"
"                     vswitchd for a vhost-user port named after the VM\n"
"                     (removed again on exit)\n"
"  --net vhost-user:PATH[,server]  a virtio-net NIC whose rings a\n"
"                     vhost-user back-end listening on PATH serves (with\n"
"                     ',server' the VMM listens and the back-end connects)\n"
"  --net null[,mac=MAC]  a virtio-net NIC with no back-end (link down,\n"
"                     transmitted frames dropped and counted)\n"
"  --mac MAC          the NIC's MAC (default: derived from --name, else\n"
"                     from the vhost-user socket or the bridge and port,\n"
"                     else random; always locally administered)\n"
"  --name NAME        the VM's name, used for its switch port (default\n"
"                     vm-PID; at most 15 characters)\n"
"  --ctl-socket PATH  vswitchd's control socket (default $VSWITCHD_SOCKET,\n"
"                     else " VSWITCHD_DEFAULT_SOCKET ")\n"
"  --hugepages        back guest RAM with 2 MiB huge pages\n"
"  --ksm              let KSM merge guest pages (MADV_MERGEABLE)\n"
"  --timing           print start-up timing on exit\n"
"  --kvm-dev PATH     KVM device (default /dev/kvm)\n"
"  --user USER        once /dev/kvm, guest RAM and the sockets are open,\n"
"                     run as USER (name or uid) and USER's groups\n"
"  --no-seccomp       no system call filter (by default one is installed\n"
"                     before the vCPUs start: any call outside the\n"
"                     allow-list kills the VMM with SIGSYS)\n"
"  --debug-forbidden-syscall  test hook: call execve once the filter\n"
"                     is on (the VMM dies with SIGSYS)\n"
"  -v, --verbose      more log output (repeat for debug)\n"
"\n"
"exit status: 0 guest reset or powered off, 1 error, 2 usage,\n"
"3 guest crashed (triple fault, KVM internal error), 128+N signal N\n"
"(143 for SIGTERM).\n", VMM_MAX_CPUS);
}

/* Parses "128M", "1G", "65536K", "512" (MiB). */
static int
vmm_parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	uint64_t mult = 1ULL << 20;

	errno = 0;
	if (!*s || *s == '-')
		return -EINVAL;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	if (*end) {
		switch (*end) {
		case 'k': case 'K': mult = 1ULL << 10; break;
		case 'm': case 'M': mult = 1ULL << 20; break;
		case 'g': case 'G': mult = 1ULL << 30; break;
		case 't': case 'T': mult = 1ULL << 40; break;
		default: return -EINVAL;
		}
		if (end[1] && strcmp(end + 1, "iB") && strcmp(end + 1, "B"))
			return -EINVAL;
	}
	if (v > UINT64_MAX / mult)
		return -ERANGE;
	*out = v * mult;
	return 0;
}

/* Parses a unicast MAC "xx:xx:xx:xx:xx:xx". */
static int
vmm_parse_mac(const char *s, uint8_t mac[6])
{
	unsigned m[6];
	char end;

	if (strlen(s) != 17 ||
	    sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &m[0], &m[1], &m[2], &m[3],
		   &m[4], &m[5], &end) != 6 || (m[0] & 1))
		return -EINVAL;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)m[i];
	return 0;
}

/* An interface name as vswitchd takes it: 1-15 of [A-Za-z0-9_.-]. */
static bool
vmm_name_is_valid(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > 15)
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		      "0123456789_.-") == n;
}

static int
vmm_parse_net(const char *s, struct vmm_config *cfg)
{
	static const char vu[] = "vhost-user:";

	if (!strcmp(s, "null")) {
		cfg->net = VMM_NET_NULL;
		return 0;
	}
	if (!strncmp(s, "null,mac=", 9)) {
		if (vmm_parse_mac(s + 9, cfg->mac))
			return -EINVAL;
		cfg->mac_given = true;
		cfg->net = VMM_NET_NULL;
		return 0;
	}
	if (!strncmp(s, vu, sizeof vu - 1)) {
		const char *path = s + sizeof vu - 1;
		size_t n = strlen(path);

		cfg->net_server = n > 7 && !strcmp(path + n - 7, ",server");
		if (cfg->net_server)
			n -= 7;
		if (!n || n >= 108 || memchr(path, ',', n))
			return -EINVAL;
		cfg->net_path = strndup(path, n);
		cfg->net = VMM_NET_VHOST;
		return 0;
	}
	if (vmm_name_is_valid(s)) {
		cfg->bridge = s;
		cfg->net = VMM_NET_BRIDGE;
		return 0;
	}
	return -EINVAL;
}

/* The NIC's MAC when none was given: derived (eth_addr_from_seed()) from
 * the VM's name, else from its vhost-user socket, else from its bridge
 * and the port name it will ask for (vm-PID), else random.  Two VMs on
 * one bridge must not share a MAC, and a VM should keep its own across
 * restarts (FDB, neighbours' ARP caches, DHCP leases).  Returns 0 or
 * -errno. */
static int
vmm_choose_mac(struct vmm_config *cfg)
{
	char seed[PATH_MAX + 32], text[ETH_ADDR_STRLEN];
	struct eth_addr mac;
	const char *from;

	if (cfg->net == VMM_NET_NONE)
		return 0;	/* no NIC, no MAC */
	if (cfg->name) {
		snprintf(seed, sizeof seed, "name:%s", cfg->name);
		from = "--name";
	} else if (cfg->net == VMM_NET_VHOST) {
		snprintf(seed, sizeof seed, "vhost-user:%s", cfg->net_path);
		from = "the vhost-user socket";
	} else if (cfg->net == VMM_NET_BRIDGE) {
		snprintf(seed, sizeof seed, "bridge:%s/vm-%d", cfg->bridge,
			 (int)getpid());
		from = "the bridge and port";
	} else {
		int err = eth_addr_random(&mac);

		memcpy(cfg->mac, mac.ea, sizeof cfg->mac);
		if (!err)
			log_info("vmm", "mac %s (random)",
				 eth_addr_format(&mac, text));
		return err;
	}
	eth_addr_from_seed(seed, &mac);
	memcpy(cfg->mac, mac.ea, sizeof cfg->mac);
	log_info("vmm", "mac %s (from %s)",
		 eth_addr_format(&mac, text), from);
	return 0;
}

/* Returns 0, or VMM_EXIT_USAGE after printing why. */
static int
vmm_parse_args(int argc, char **argv, struct vmm_config *cfg)
{
	enum { OPT_KERNEL = 256, OPT_INITRD, OPT_CMDLINE, OPT_MEM, OPT_CPUS,
	       OPT_SERIAL, OPT_NET, OPT_HUGE, OPT_KSM, OPT_TIMING, OPT_KVM,
	       OPT_MAC, OPT_NAME, OPT_CTL, OPT_USER, OPT_NO_SECCOMP,
	       OPT_DEBUG_FORBIDDEN };
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, OPT_KERNEL },
		{ "initrd", required_argument, NULL, OPT_INITRD },
		{ "cmdline", required_argument, NULL, OPT_CMDLINE },
		{ "mem", required_argument, NULL, OPT_MEM },
		{ "cpus", required_argument, NULL, OPT_CPUS },
		{ "serial", required_argument, NULL, OPT_SERIAL },
		{ "net", required_argument, NULL, OPT_NET },
		{ "hugepages", no_argument, NULL, OPT_HUGE },
		{ "ksm", no_argument, NULL, OPT_KSM },
		{ "timing", no_argument, NULL, OPT_TIMING },
		{ "kvm-dev", required_argument, NULL, OPT_KVM },
		{ "mac", required_argument, NULL, OPT_MAC },
		{ "name", required_argument, NULL, OPT_NAME },
		{ "ctl-socket", required_argument, NULL, OPT_CTL },
		{ "user", required_argument, NULL, OPT_USER },
		{ "no-seccomp", no_argument, NULL, OPT_NO_SECCOMP },
		{ "debug-forbidden-syscall", no_argument, NULL,
		  OPT_DEBUG_FORBIDDEN },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int verbose = 0, c;
	long cpus;

	cfg->mem_size = VMM_DEFAULT_MEM;
	cfg->cpus = 1;
	cfg->serial = "stdio";
	cfg->kvm_dev = "/dev/kvm";
	optind = 2;
	while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
		switch (c) {
		case OPT_KERNEL: cfg->kernel = optarg; break;
		case OPT_INITRD: cfg->initrd = optarg; break;
		case OPT_CMDLINE: cfg->cmdline = optarg; break;
		case OPT_SERIAL: cfg->serial = optarg; break;
		case OPT_HUGE: cfg->hugepages = true; break;
		case OPT_KSM: cfg->ksm = true; break;
		case OPT_TIMING: cfg->timing = true; break;
		case OPT_KVM: cfg->kvm_dev = optarg; break;
		case 'v': verbose++; break;
		case 'h': vmm_usage(stdout); exit(0);
		case OPT_MEM:
			if (vmm_parse_size(optarg, &cfg->mem_size) ||
			    cfg->mem_size < MEM_MIN_SIZE ||
			    cfg->mem_size > MEM_MAX_SIZE ||
			    cfg->mem_size % (1 << 20)) {
				fprintf(stderr, "vmm: --mem %s: need a size "
					"from 16M to 1T in whole MiB (e.g. "
					"256M, 1G)\n", optarg);
				return VMM_EXIT_USAGE;
			}
			break;
		case OPT_CPUS:
			if (util_parse_long(optarg, 1, VMM_MAX_CPUS, &cpus)) {
				fprintf(stderr, "vmm: --cpus %s: need a number "
					"from 1 to %d\n", optarg,
					VMM_MAX_CPUS);
				return VMM_EXIT_USAGE;
			}
			cfg->cpus = (unsigned)cpus;
			break;
		case OPT_NET:
			if (vmm_parse_net(optarg, cfg)) {
				fprintf(stderr, "vmm: --net %s: need BRIDGE, "
					"vhost-user:PATH[,server], 'null' or "
					"'null,mac=MAC'\n", optarg);
				return VMM_EXIT_USAGE;
			}
			break;
		case OPT_MAC:
			if (vmm_parse_mac(optarg, cfg->mac)) {
				fprintf(stderr, "vmm: --mac %s: need a unicast "
					"MAC like 52:54:00:12:34:56\n",
					optarg);
				return VMM_EXIT_USAGE;
			}
			cfg->mac_given = true;
			break;
		case OPT_NAME:
			if (!vmm_name_is_valid(optarg)) {
				fprintf(stderr, "vmm: --name %s: need 1-15 "
					"of A-Z a-z 0-9 _ . -\n", optarg);
				return VMM_EXIT_USAGE;
			}
			cfg->name = optarg;
			break;
		case OPT_CTL: cfg->ctl_socket = optarg; break;
		case OPT_USER: cfg->user = optarg; break;
		case OPT_NO_SECCOMP: cfg->no_seccomp = true; break;
		case OPT_DEBUG_FORBIDDEN: cfg->debug_forbidden = true; break;
		default:
			fprintf(stderr, "Try 'vmm --help'.\n");
			return VMM_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vmm: unexpected argument '%s'\n", argv[optind]);
		return VMM_EXIT_USAGE;
	}
	if (!cfg->kernel) {
		fprintf(stderr, "vmm: run needs --kernel FILE\n");
		return VMM_EXIT_USAGE;
	}
	if (cfg->debug_forbidden && cfg->no_seccomp) {
		fprintf(stderr, "vmm: --debug-forbidden-syscall needs the "
			"filter: not with --no-seccomp\n");
		return VMM_EXIT_USAGE;
	}
	log_set_level(NULL, verbose >= 2 ? LOG_LVL_DEBUG :
			    verbose ? LOG_LVL_INFO : LOG_LVL_WARN);
	if (!cfg->mac_given && vmm_choose_mac(cfg)) {
		fprintf(stderr, "vmm: no random bytes for a MAC: give --mac "
			"or --name\n");
		return VMM_EXIT_USAGE;
	}
	return 0;
}

static uint64_t vmm_step_ns[ARRAY_SIZE(vmm_steps)];

static void
vmm_print_timing(const struct vmm *vmm)
{
	uint64_t first = atomic_load(&vmm->first_exit_ns);

	fprintf(stderr, "vmm: timing: steps");
	for (size_t i = 0; i < ARRAY_SIZE(vmm_steps); i++)
		fprintf(stderr, " %s %.3f", vmm_steps[i].name,
			(double)vmm_step_ns[i] / 1e6);
	fprintf(stderr, " ms\n");
	if (first)
		fprintf(stderr, "vmm: timing: first guest exit %.3f ms after "
			"start\n", (double)(first - vmm->t0_ns) / 1e6);
	if (vmm->exit_stats)
		vcpu_print_exit_stats(stderr, vmm->exit_stats);
}

int
main(int argc, char **argv)
{
	static struct vmm vmm;
	const char *t0_env = getenv("VMM_T0_NS");
	size_t n_done = 0;
	sigset_t set;
	int status;

	vmm.t0_ns = vmm_now_ns();
	if (t0_env)
		vmm.t0_ns = strtoull(t0_env, NULL, 10);
	log_init("vmm", LOG_DEST_STDERR);
	if (argc >= 2 && (!strcmp(argv[1], "--help") ||
			  !strcmp(argv[1], "-h"))) {
		vmm_usage(stdout);
		return 0;
	}
	if (argc >= 2 && !strcmp(argv[1], "--version")) {
		printf("vmm 0.1\n");
		return 0;
	}
	if (argc < 2 || strcmp(argv[1], "run")) {
		vmm_usage(stderr);
		return VMM_EXIT_USAGE;
	}
	status = vmm_parse_args(argc, argv, &vmm.cfg);
	if (status)
		return status;

	/* Signals are taken by the loop's signalfd; the vCPU threads
	 * inherit this mask and unblock only their kick signal. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	/* A closed serial pipe must not kill the VM; writes just fail. */
	signal(SIGPIPE, SIG_IGN);
	vcpu_init_signals();
	atomic_init(&vmm.exit_status, -1);
	vmm.kvm.sys_fd = vmm.kvm.vm_fd = -1;
	vmm.pio.name = "pio";
	vmm.mmio.name = "mmio";

	for (n_done = 0; n_done < ARRAY_SIZE(vmm_steps); n_done++) {
		uint64_t t = vmm_now_ns();
		int err = vmm_steps[n_done].init(&vmm);

		vmm_step_ns[n_done] = vmm_now_ns() - t;
		if (err) {
			log_err("vmm", "start-up failed at step '%s': %s",
				vmm_steps[n_done].name, strerror(-err));
			vmm_request_stop(&vmm, VMM_EXIT_ERROR, "start-up");
			vmm_unwind(&vmm, n_done);
			return VMM_EXIT_ERROR;
		}
		if (atomic_load(&vmm.stopping))
			break;
	}
	if (n_done == ARRAY_SIZE(vmm_steps))
		loop_run(vmm.loop);
	else
		n_done++;
	vmm_unwind(&vmm, n_done);
	if (vmm.cfg.timing)
		vmm_print_timing(&vmm);
	free(vmm.exit_stats);
	status = atomic_load(&vmm.exit_status);
	return status < 0 ? VMM_EXIT_ERROR : status;
}
