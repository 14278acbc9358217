/*
 * lab-run.c - "bridgectl lab": up, down, status, exec, link, capture,
 * graph, check.
 *
 * A lab runs on the vswitchd the socket names (--socket, $VSWITCHD_SOCKET):
 * its switches are bridges of that daemon, made and queried with the same
 * RPC methods as every other command (docs/rpc.md); the wires between
 * switches are patch ports, the wires to hosts TAP ports whose devices the
 * daemon makes inside the host's network namespace (made with ip(8); its
 * addresses and routes: lab-net.c).  "lab up" keeps a copy of the
 * lab file in the state directory (LABDIR: $VSWITCHD_LAB_DIR, else "labs"
 * beside the socket) before creating anything, so every later command, and
 * "lab down" after a failure or a kill -9 of vswitchd, knows every name.
 */
#include "lab.h"
#include "../ctl.h"

#include <dirent.h>
#include <signal.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "util.h"

static void
lab_usage(FILE *f)
{
	fprintf(f,
"Usage: bridgectl lab COMMAND ...\n"
"  up FILE [--dry-run] [--no-wait]  create the lab (all or nothing)\n"
"  down [NAME|FILE]         remove it (idempotent, also after a crash)\n"
"  status [NAME]            nodes, links, carrier, counters, STP (-j: JSON)\n"
"  exec NODE CMD...         run CMD in host NODE's namespace\n"
"  link A B down|up [--no-wait]  pull / plug the cable between A and B;\n"
"                           with STP, waits and prints the re-convergence\n"
"  capture A[:PORT] [-w FILE|-] [-c N]  frames on that link, as pcap\n"
"  graph [NAME] [--format dot|svg]  the topology, ports by STP state\n"
"  check [FILE|NAME]        run the lab's checks: one PASS/FAIL line each\n"
"  validate FILE            check the file only\n"
"  list                     the labs that are up\n"
"  watch [NAME]             live STP states, FDB changes, topology changes\n"
"See docs/labs.md and bridgectl(8).\n");
}

/* ---- small helpers ---------------------------------------------------- */

/* Runs the shell command made from 'fmt' (names in it are validated lab
 * names, so no quoting is needed), output discarded unless 'show'.
 * Returns its exit status (or -1). */
static int __attribute__((format(printf, 2, 3)))
sh(bool show, const char *fmt, ...)
{
	char *cmd, *full;
	va_list ap;
	int st;

	va_start(ap, fmt);
	if (vasprintf(&cmd, fmt, ap) < 0)
		abort();
	va_end(ap);
	full = show ? xstrdup(cmd) : xasprintf("(%s) >/dev/null 2>&1", cmd);
	fflush(stdout);
	st = system(full);
	free(full);
	free(cmd);
	return st == -1 ? -1 : WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Runs 'cmd' with sh -c in namespace 'ns' (no quoting of 'cmd' needed);
 * its exit status or -1. */
static int
ns_shell(const char *ns, const char *cmd)
{
	pid_t pid;
	int st;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		execlp("ip", "ip", "netns", "exec", ns, "sh", "-c", cmd,
		       (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Runs ip(8) in batch mode (one process for many commands) on 'script',
 * one command a line.  0 or ip's exit status (it stops at the first
 * failing command and says which). */
static int
ip_batch(const char *script)
{
	FILE *p;
	int st;

	if (!*script)
		return 0;
	fflush(stdout);
	p = popen("ip -b -", "w");
	if (!p)
		return -1;
	fputs(script, p);
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Appends a printf-formatted line to '*buf'. */
static void __attribute__((format(printf, 2, 3)))
append(char **buf, const char *fmt, ...)
{
	char *line, *n;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&line, fmt, ap) < 0)
		abort();
	va_end(ap);
	n = xasprintf("%s%s\n", *buf ? *buf : "", line);
	free(line);
	free(*buf);
	*buf = n;
}

/* SIGKILLs every process whose network namespace is the one pinned at
 * 'path' (what "ip netns pids" lists). */
static void
kill_netns_procs(const char *path)
{
	struct stat ns, st;
	struct dirent *de;
	DIR *d;

	if (stat(path, &ns) || !(d = opendir("/proc")))
		return;
	while ((de = readdir(d))) {
		char p[64];
		int pid = atoi(de->d_name);

		if (pid <= 1 || pid == getpid())
			continue;
		snprintf(p, sizeof p, "/proc/%d/ns/net", pid);
		if (!stat(p, &st) && st.st_ino == ns.st_ino &&
		    st.st_dev == ns.st_dev)
			kill(pid, SIGKILL);
	}
	closedir(d);
}

/* The first line of the output of a shell command into 'out'. */
static int __attribute__((format(printf, 3, 4)))
sh_read(char *out, size_t size, const char *fmt, ...)
{
	char *cmd;
	va_list ap;
	FILE *p;
	int st;

	va_start(ap, fmt);
	if (vasprintf(&cmd, fmt, ap) < 0)
		abort();
	va_end(ap);
	out[0] = 0;
	p = popen(cmd, "r");
	free(cmd);
	if (!p)
		return -1;
	if (fgets(out, (int)size, p))
		out[strcspn(out, "\n")] = 0;
	while (fgetc(p) != EOF)
		;
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static const char *
lab_dir(void)
{
	static char dir[PATH_MAX];
	const char *env = getenv("VSWITCHD_LAB_DIR");
	const char *slash;

	if (env && *env)
		return env;
	slash = strrchr(ctl_opts.socket_path, '/');
	if (!slash)
		return "labs";
	snprintf(dir, sizeof dir, "%.*s/labs",
		 (int)(slash - ctl_opts.socket_path), ctl_opts.socket_path);
	return dir;
}

static char *
state_path(const char *name)
{
	return xasprintf("%s/%s.yml", lab_dir(), name);
}

static int
mkdir_p(const char *dir)
{
	char buf[PATH_MAX];

	snprintf(buf, sizeof buf, "%s", dir);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, 0755) && errno != EEXIST ? -1 : 0;
}

static int
copy_file(const char *from, const char *to)
{
	char buf[8192];
	FILE *in = fopen(from, "r"), *out;
	size_t n;
	int r = 0;

	if (!in)
		return -1;
	out = fopen(to, "w");
	if (!out) {
		fclose(in);
		return -1;
	}
	while ((n = fread(buf, 1, sizeof buf, in)))
		if (fwrite(buf, 1, n, out) != n)
			r = -1;
	fclose(in);
	if (fclose(out))
		r = -1;
	return r;
}

/* The names of the labs that are up (state files), NULL-terminated. */
static char **
list_labs(size_t *n)
{
	DIR *d = opendir(lab_dir());
	struct dirent *de;
	char **v = xcalloc(1, sizeof *v);

	*n = 0;
	if (!d)
		return v;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (len < 5 || strcmp(de->d_name + len - 4, ".yml"))
			continue;
		v = realloc(v, (*n + 2) * sizeof *v);
		if (!v)
			abort();
		v[*n] = xasprintf("%.*s", (int)(len - 4), de->d_name);
		v[++*n] = NULL;
	}
	closedir(d);
	return v;
}

static void
free_list(char **v)
{
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

static bool
is_file_arg(const char *s)
{
	return strchr(s, '/') || strstr(s, ".yml") || strstr(s, ".yaml");
}

/* The lab a command names: a file, a lab name (its state copy), or, with
 * 'arg' NULL, the one lab that is up.  Prints the error and returns NULL. */
static struct lab *
open_lab(const char *arg)
{
	char err[LAB_ERR_MAX];
	struct lab *lab;
	char *path;

	if (!arg) {
		size_t n;
		char **names = list_labs(&n);

		if (n != 1) {
			fprintf(stderr, "bridgectl: lab: %s; name one\n",
				n ? "several labs are up" : "no lab is up");
			free_list(names);
			return NULL;
		}
		path = state_path(names[0]);
		free_list(names);
	} else if (is_file_arg(arg)) {
		path = xstrdup(arg);
	} else {
		path = state_path(arg);
		if (access(path, R_OK)) {
			fprintf(stderr, "bridgectl: lab: no lab '%s' is up "
				"(no %s)\n", arg, path);
			free(path);
			return NULL;
		}
	}
	lab = lab_load(path, err);
	if (!lab)
		fprintf(stderr, "bridgectl: %s\n", err);
	free(path);
	return lab;
}

static int
call(const char *method, struct json_object *params, struct json_object **res,
     const char *what)
{
	struct rpc_error err;

	if (!rpc_call(method, params, res, &err))
		return 0;
	fprintf(stderr, "bridgectl: lab: %s: %s\n", what, err.message);
	return -1;
}

/* ---- down ------------------------------------------------------------- */

static int stop_vm(const struct lab *lab, const char *vm);

/* Removes every object of 'lab' that exists, by name: the bridges (via
 * vswitchd when it answers), the namespaces, leftover devices.  Quiet;
 * returns how many objects it removed. */
static int
teardown(const struct lab *lab)
{
	char a[LAB_IFNAMSIZ], ns[64], path[128];
	struct rpc_error err;
	int n = 0;

	char *batch = NULL;
	bool alive;

	for (size_t i = 0; i < lab->n_vms; i++)
		n += stop_vm(lab, lab->vms[i].name);
	/* The bridges go with their ports.  The TAPs of host links stay
	 * (persistent) in their hosts' namespaces, and go with those below:
	 * the kernel removes a namespace's devices together, in the
	 * background, where destroying each at once would cost an RCU
	 * barrier (some 20 ms) apiece. */
	alive = !rpc_call("daemon.info", NULL, NULL, &err);
	for (size_t i = 0; alive && i < lab->n_switches; i++) {
		lab_bridge_name(lab, lab->switches[i].name, a);
		if (!rpc_call("bridge.del", ctl_params("s", "name", a, NULL),
			      NULL, &err))
			n++;
	}
	for (size_t i = 0; i < lab->n_hosts; i++) {
		lab_netns_name(lab, lab->hosts[i].name, ns);
		snprintf(path, sizeof path, "/run/netns/%s", ns);
		if (access(path, F_OK))
			continue;
		/* Processes a startup command left running in it. */
		kill_netns_procs(path);
		/* A TAP someone made persistent while vswitchd was gone. */
		for (size_t l = 0; !alive && l < lab->n_links; l++)
			for (int e = 0; e < 2; e++)
				if (lab->links[l].end[e].kind == LAB_HOST &&
				    lab->links[l].end[e].idx == i)
					sh(false, "ip -n %s link del %s", ns,
					   lab->links[l].end[e].port);
		append(&batch, "netns del %s", ns);
		n++;
	}
	if (batch) {
		ip_batch(batch);
		free(batch);
	}
	/* Devices left in this namespace: TAPs a lab up of an older
	 * bridgectl had not moved yet, the bridges' own devices of a
	 * vswitchd that died. */
	for (size_t l = 0; l < lab->n_links; l++)
		for (int e = 0; e < 2; e++) {
			const struct lab_end *end = &lab->links[l].end[e];

			if (end->kind != LAB_SWITCH)
				continue;
			lab_port_name(lab, end->node, end->port, a);
			snprintf(path, sizeof path, "/sys/class/net/%s", a);
			if (!access(path, F_OK) && !sh(false, "ip link del %s", a))
				n++;
		}
	for (size_t i = 0; i < lab->n_switches; i++) {
		lab_bridge_name(lab, lab->switches[i].name, a);
		snprintf(path, sizeof path, "/sys/class/net/%s", a);
		if (!access(path, F_OK) && !sh(false, "ip link del %s", a))
			n++;
	}
	return n;
}

static void
forget(const struct lab *lab)
{
	char *p = state_path(lab->name);

	unlink(p);
	free(p);
}

static int
lab_down(int argc, char **argv)
{
	struct lab *lab;
	int n;

	if (argc > 1)
		return ctl_usage_error("lab", "lab down takes one NAME or FILE");
	lab = open_lab(argc ? argv[0] : NULL);
	if (!lab)
		return argc ? CTL_EXIT_FAIL : 0;
	n = teardown(lab);
	forget(lab);
	printf("lab %s: down (%d objects removed)\n", lab->name, n);
	lab_destroy(lab);
	return 0;
}

/* ---- up --------------------------------------------------------------- */

static void
opt_int(struct json_object *o, const char *key, bool has, long long v)
{
	if (has)
		json_object_object_add(o, key, json_object_new_int64(v));
}

static int
add_switch(const struct lab *lab, const struct lab_switch *sw)
{
	struct json_object *o = json_object_new_object();
	char name[LAB_IFNAMSIZ], what[64];

	lab_bridge_name(lab, sw->name, name);
	opt_int(o, "stp_state", true, sw->stp);
	opt_int(o, "priority", sw->has_priority, sw->priority);
	opt_int(o, "hello_time", sw->has_hello, sw->hello_cs);
	opt_int(o, "max_age", sw->has_maxage, sw->maxage_cs);
	opt_int(o, "forward_delay", sw->has_fwd, sw->fwd_cs);
	opt_int(o, "ageing_time", sw->has_ageing, sw->ageing_cs);
	opt_int(o, "vlan_filtering", sw->vlan_filtering, 1);
	opt_int(o, "group_fwd_mask", sw->has_gfm, sw->group_fwd_mask);
	if (sw->hub)
		json_object_object_add(o, "hub", json_object_new_int(1));
	if (sw->transparent)
		json_object_object_add(o, "transparent",
				       json_object_new_int(1));
	json_object_object_add(o, "up", json_object_new_boolean(1));
	snprintf(what, sizeof what, "switch %s", sw->name);
	return call("bridge.add", ctl_params("s", "name", name, "o", "options",
					     o, NULL), NULL, what);
}

static int
vlan_call(const char *method, const char *dev, unsigned vid, bool pvid,
	  const char *what)
{
	struct json_object *p = ctl_params("s", "dev", dev, "i", "vid",
					   (int64_t)vid, NULL);

	if (pvid) {
		json_object_object_add(p, "pvid", json_object_new_boolean(1));
		json_object_object_add(p, "untagged", json_object_new_boolean(1));
	}
	return call(method, p, NULL, what);
}

/* The switch end's VLANs: the port joined with VLAN 1 PVID untagged (the
 * default PVID); access N moves it to N alone, a trunk carries its list
 * tagged and its pvid (native VLAN) untagged. */
static int
set_end_vlans(const struct lab_end *e, const char *port, const char *what)
{
	bool keep1 = false;

	if (e->has_access) {
		if (e->access == 1)
			return 0;
		return vlan_call("vlan.add", port, e->access, true, what) ||
		       vlan_call("vlan.del", port, 1, false, what);
	}
	if (!e->has_trunk)
		return 0;
	for (unsigned v = 1; v < 4095; v++) {
		if (!(e->trunk[v / 8] & (1u << (v % 8))))
			continue;
		if (v == 1)
			keep1 = true;
		if (vlan_call("vlan.add", port, v,
			      e->has_pvid && e->pvid == v, what))
			return -1;
	}
	if (e->has_pvid && !(e->trunk[e->pvid / 8] & (1u << (e->pvid % 8)))) {
		if (vlan_call("vlan.add", port, e->pvid, true, what))
			return -1;
		keep1 = keep1 || e->pvid == 1;
	}
	if (!keep1)
		return vlan_call("vlan.del", port, 1, false, what);
	return 0;
}

/* A program beside bridgectl ('rel' from its directory), or $ENV. */
static char *
beside_me(const char *env, const char *rel)
{
	char exe[PATH_MAX];
	ssize_t n;
	char *slash;

	if (getenv(env) && *getenv(env))
		return xstrdup(getenv(env));
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n < 0)
		return xstrdup(rel);
	exe[n] = 0;
	slash = strrchr(exe, '/');
	if (slash)
		*slash = 0;
	return xasprintf("%s/%s", exe, rel);
}

static char *
vm_pidfile(const struct lab *lab, const char *vm)
{
	return xasprintf("%s/%s.%s.pid", lab_dir(), lab->name, vm);
}

/* Starts VM 'v' on bridge 'br' as port 'port' (vmm run --net BRIDGE
 * --name PORT), its pid in its pidfile; waits until the port exists. */
static int
start_vm(const struct lab *lab, const struct lab_vm *v, const char *br,
	 const char *port)
{
	char *vmm = beside_me("VMM", "vmm");
	char *guest = v->kernel ? xstrdup(v->kernel)
		      : beside_me("GUEST", "../tests/guest/guest.elf");
	char *pidf = vm_pidfile(lab, v->name);
	char *out = xasprintf("%s/%s.%s.serial", lab_dir(), lab->name, v->name);
	char *log = xasprintf("%s/%s.%s.log", lab_dir(), lab->name, v->name);
	char mem[32];
	const char *argv[24];
	int n = 0, status = -1;
	pid_t pid;
	FILE *f;

	snprintf(mem, sizeof mem, "%uM", v->mem_mib);
	argv[n++] = vmm;
	argv[n++] = "run";
	argv[n++] = "--kernel";
	argv[n++] = guest;
	if (v->initrd) {
		argv[n++] = "--initrd";
		argv[n++] = v->initrd;
	}
	if (v->cmdline) {
		argv[n++] = "--cmdline";
		argv[n++] = v->cmdline;
	}
	argv[n++] = "--mem";
	argv[n++] = mem;
	argv[n++] = "--name";
	argv[n++] = port;
	argv[n++] = "--net";
	argv[n++] = br;
	argv[n++] = "--ctl-socket";
	argv[n++] = ctl_opts.socket_path;
	argv[n++] = "--serial";
	argv[n++] = out;
	argv[n] = NULL;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		FILE *lf = freopen(log, "w", stdout);

		if (!lf || dup2(fileno(stdout), 2) < 0)
			_exit(127);
		setsid();
		execv(vmm, (char *const *)argv);
		fprintf(stderr, "cannot run %s: %s\n", vmm, strerror(errno));
		_exit(127);
	}
	if (pid < 0) {
		fprintf(stderr, "bridgectl: lab: vm %s: fork: %s\n", v->name,
			strerror(errno));
		goto out;
	}
	f = fopen(pidf, "w");
	if (f) {
		fprintf(f, "%d\n", (int)pid);
		fclose(f);
	}
	for (int i = 0; i < 300; i++) {
		struct json_object *res;
		struct rpc_error err;
		int st;

		if (waitpid(pid, &st, WNOHANG) == pid) {
			fprintf(stderr, "bridgectl: lab: vm %s: vmm exited "
				"(see %s)\n", v->name, log);
			goto out;
		}
		if (!rpc_call("port.show", ctl_params("s", "name", port, NULL),
			      &res, &err)) {
			json_object_put(res);
			status = 0;
			goto out;
		}
		usleep(50000);
	}
	fprintf(stderr, "bridgectl: lab: vm %s: no port %s after 15 s (see "
		"%s)\n", v->name, port, log);
out:
	free(vmm);
	free(guest);
	free(pidf);
	free(out);
	free(log);
	return status;
}

/* Ends the VMM of VM 'vm' (its pidfile; only if that pid is a vmm). */
static int
stop_vm(const struct lab *lab, const char *vm)
{
	char *pidf = vm_pidfile(lab, vm), comm[64] = "";
	FILE *f = fopen(pidf, "r");
	int pid = 0, n = 0;

	if (f) {
		if (fscanf(f, "%d", &pid) != 1)
			pid = 0;
		fclose(f);
	}
	if (pid > 0) {
		char *cf = xasprintf("/proc/%d/comm", pid);
		FILE *c = fopen(cf, "r");

		if (c) {
			if (!fgets(comm, sizeof comm, c))
				comm[0] = 0;
			fclose(c);
		}
		free(cf);
		if (!strncmp(comm, "vmm", 3)) {
			kill(pid, SIGTERM);
			for (int i = 0; i < 30 && !kill(pid, 0); i++) {
				waitpid(pid, NULL, WNOHANG);
				usleep(100000);
			}
			if (!kill(pid, 0))
				kill(pid, SIGKILL);
			n = 1;
		}
	}
	unlink(pidf);
	free(pidf);
	for (int i = 0; i < 2; i++) {
		char *f2 = xasprintf("%s/%s.%s.%s", lab_dir(), lab->name, vm,
				     i ? "serial" : "log");

		unlink(f2);
		free(f2);
	}
	return n;
}

static int
add_end(const struct lab *lab, const struct lab_link *l, int e)
{
	const struct lab_end *end = &l->end[e], *o = &l->end[!e];
	const struct lab_switch *sw = &lab->switches[end->idx];
	char br[LAB_IFNAMSIZ], port[LAB_IFNAMSIZ], what[96];
	struct json_object *args = json_object_new_object(), *p;

	lab_bridge_name(lab, end->node, br);
	lab_port_name(lab, end->node, end->port, port);
	snprintf(what, sizeof what, "link %s:%s - %s:%s", l->end[0].node,
		 l->end[0].port, l->end[1].node, l->end[1].port);
	if (o->kind == LAB_SWITCH) {
		char peer[LAB_IFNAMSIZ];

		lab_port_name(lab, o->node, o->port, peer);
		json_object_object_add(args, "peer", json_object_new_string(peer));
		p = ctl_params("s", "bridge", br, "s", "name", port, "s", "type",
			       "patch", "o", "args", args, NULL);
	} else if (o->kind == LAB_HOST) {
		char ns[64];

		/* The TAP is made in the host's namespace under the host's
		 * name for it: moving a device between namespaces costs the
		 * kernel an RCU barrier (some 20 ms) each. */
		lab_netns_name(lab, o->node, ns);
		json_object_object_add(args, "netns", json_object_new_string(ns));
		json_object_object_add(args, "ifname",
				       json_object_new_string(o->port));
		p = ctl_params("s", "bridge", br, "s", "name", port, "s", "type",
			       "tap", "o", "args", args, NULL);
	} else {
		json_object_put(args);
		p = NULL;
		if (start_vm(lab, &lab->vms[o->idx], br, port))
			return -1;
	}
	if (p && call("port.add", p, NULL, what))
		return -1;
	p = ctl_params("s", "name", port, NULL);
	opt_int(p, "storm_limit", sw->has_storm, sw->storm_limit);
	if (o->kind == LAB_SWITCH) {
		opt_int(p, "delay", l->has_delay, l->delay_ms);
		opt_int(p, "rate", l->has_rate, l->rate_kbit);
		opt_int(p, "seed", l->has_seed, (long long)l->seed);
		if (l->has_loss)
			json_object_object_add(p, "loss",
					       json_object_new_double(l->loss_pct));
	}
	if (json_object_object_length(p) > 1) {
		if (call("port.set", p, NULL, what))
			return -1;
	} else {
		json_object_put(p);
	}
	if (set_end_vlans(end, port, what))
		return -1;
	return 0;
}

static int
setup_host(const struct lab *lab, const struct lab_host *h)
{
	char ns[64];

	/* Its links' TAPs are there already, named and up (add_end()). */
	lab_netns_name(lab, h->name, ns);
	if (lab_net_setup_host(ns, h))
		return -1;
	for (size_t j = 0; j < h->n_exec; j++) {
		if (ns_shell(ns, h->exec[j])) {
			fprintf(stderr, "bridgectl: lab: host %s: exec '%s' "
				"failed\n", h->name, h->exec[j]);
			return -1;
		}
	}
	return 0;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Ports of switch 'sw' still listening or learning (STP on). */
static int
unsettled_ports(const struct lab *lab, const struct lab_switch *sw)
{
	struct json_object *res, *br, *ports;
	char name[LAB_IFNAMSIZ];
	struct rpc_error err;
	int n = 0;

	lab_bridge_name(lab, sw->name, name);
	if (rpc_call("bridge.list", ctl_params("s", "name", name, NULL), &res,
		     &err))
		return -1;
	br = json_object_array_length(res) ? json_object_array_get_idx(res, 0)
					   : NULL;
	if (br && json_object_object_get_ex(br, "ports", &ports))
		for (size_t i = 0; i < json_object_array_length(ports); i++) {
			const char *st = ctl_jstr(json_object_array_get_idx(ports, i),
						  "state");

			n += !strcmp(st, "listening") || !strcmp(st, "learning");
		}
	json_object_put(res);
	return n;
}

/* Waits until no STP port is listening or learning; returns seconds. */
static double
wait_stp(const struct lab *lab, double timeout)
{
	double t0 = now_s();
	bool any = false;

	for (size_t i = 0; i < lab->n_switches; i++)
		any = any || lab->switches[i].stp;
	if (!any)
		return 0;
	while (now_s() - t0 < timeout) {
		int left = 0;

		for (size_t i = 0; i < lab->n_switches; i++)
			if (lab->switches[i].stp)
				left += unsettled_ports(lab, &lab->switches[i]) != 0;
		if (!left)
			return now_s() - t0;
		usleep(100000);
	}
	return -1;
}

/* Every port state of the lab's STP switches, as one string, but the
 * switch ends of link 'skip' (-1: none). */
static char *
stp_snapshot(const struct lab *lab, int skip)
{
	char *snap = xstrdup("");
	char sk[2][LAB_IFNAMSIZ] = { "", "" };

	for (int e = 0; skip >= 0 && e < 2; e++)
		if (lab->links[skip].end[e].kind == LAB_SWITCH)
			lab_port_name(lab, lab->links[skip].end[e].node,
				      lab->links[skip].end[e].port, sk[e]);

	for (size_t i = 0; i < lab->n_switches; i++) {
		struct json_object *res, *ports;
		char name[LAB_IFNAMSIZ];
		struct rpc_error err;

		if (!lab->switches[i].stp)
			continue;
		lab_bridge_name(lab, lab->switches[i].name, name);
		if (rpc_call("bridge.list", ctl_params("s", "name", name, NULL),
			     &res, &err))
			continue;
		if (json_object_array_length(res) &&
		    json_object_object_get_ex(json_object_array_get_idx(res, 0),
					      "ports", &ports))
			for (size_t k = 0; k < json_object_array_length(ports);
			     k++) {
				struct json_object *p =
					json_object_array_get_idx(ports, k);
				char *n;

				if (!strcmp(ctl_jstr(p, "name"), sk[0]) ||
				    !strcmp(ctl_jstr(p, "name"), sk[1]))
					continue;
				n = xasprintf("%s%s=%s ", snap,
						    ctl_jstr(p, "name"),
						    ctl_jstr(p, "state"));

				free(snap);
				snap = n;
			}
		json_object_put(res);
	}
	return snap;
}

static double stp_timeout(const struct lab *lab);

/* After a change of the topology: waits until some STP port changes state
 * and then no port is listening or learning; the seconds that took, or -1
 * if nothing changed within the STP timers. */
static double
wait_reconverge(const struct lab *lab, int skip, const char *before)
{
	double t0 = now_s(), timeout = stp_timeout(lab), left;

	for (;;) {
		char *now = stp_snapshot(lab, skip);
		bool changed = strcmp(now, before);

		free(now);
		if (changed)
			break;
		if (now_s() - t0 > timeout)
			return -1;
		usleep(100000);
	}
	left = timeout - (now_s() - t0);
	if (wait_stp(lab, left > 1 ? left : 1) < 0)
		return -1;
	return now_s() - t0;
}

static double
stp_timeout(const struct lab *lab)
{
	double t = 0;

	for (size_t i = 0; i < lab->n_switches; i++) {
		const struct lab_switch *sw = &lab->switches[i];
		double fwd = sw->has_fwd ? sw->fwd_cs / 100.0 : 15;
		double age = sw->has_maxage ? sw->maxage_cs / 100.0 : 20;

		if (sw->stp && 2 * fwd + age + 5 > t)
			t = 2 * fwd + age + 5;
	}
	return t;
}

static bool
exists_netns(const char *ns)
{
	char path[128];

	snprintf(path, sizeof path, "/run/netns/%s", ns);
	return !access(path, F_OK);
}

static int
lab_up(int argc, char **argv)
{
	const char *file = NULL;
	bool dry = false, nowait = false;
	char err[LAB_ERR_MAX], name[LAB_IFNAMSIZ], ns[64];
	struct json_object *res;
	struct lab *lab;
	struct rpc_error rerr;
	double t0 = now_s(), conv;
	char *state, *batch = NULL;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--dry-run"))
			dry = true;
		else if (!strcmp(argv[i], "--no-wait"))
			nowait = true;
		else if (argv[i][0] == '-' || file)
			return ctl_usage_error("lab", "lab up: unexpected '%s'",
					       argv[i]);
		else
			file = argv[i];
	}
	if (!file)
		return ctl_usage_error("lab", "lab up needs a FILE");
	lab = lab_load(file, err);
	if (!lab) {
		fprintf(stderr, "bridgectl: %s\n", err);
		return CTL_EXIT_FAIL;
	}
	if (dry) {
		lab_plan_print(lab, stdout);
		lab_destroy(lab);
		return 0;
	}
	/* Refuse to touch what exists: another lab, a leftover. */
	state = state_path(lab->name);
	if (!access(state, F_OK)) {
		fprintf(stderr, "bridgectl: lab: lab %s is already up "
			"(bridgectl lab down %s)\n", lab->name, lab->name);
		goto out_keep;
	}
	if (rpc_call("daemon.info", NULL, &res, &rerr)) {
		ctl_print_error(&rerr);
		goto out_keep;
	}
	json_object_put(res);
	for (size_t i = 0; i < lab->n_switches; i++) {
		lab_bridge_name(lab, lab->switches[i].name, name);
		if (!rpc_call("bridge.list", ctl_params("s", "name", name, NULL),
			      &res, &rerr)) {
			size_t n = json_object_array_length(res);

			json_object_put(res);
			if (n) {
				fprintf(stderr, "bridgectl: lab: bridge %s "
					"exists already (a leftover? "
					"bridgectl lab down %s)\n", name, file);
				goto out_keep;
			}
		}
	}
	for (size_t i = 0; i < lab->n_hosts; i++) {
		lab_netns_name(lab, lab->hosts[i].name, ns);
		if (exists_netns(ns)) {
			fprintf(stderr, "bridgectl: lab: namespace %s exists "
				"already (a leftover? bridgectl lab down %s)\n",
				ns, file);
			goto out_keep;
		}
	}
	if (mkdir_p(lab_dir()) || copy_file(file, state)) {
		fprintf(stderr, "bridgectl: lab: cannot write %s: %s\n", state,
			strerror(errno));
		goto out_keep;
	}
	for (size_t i = 0; i < lab->n_switches; i++)
		if (add_switch(lab, &lab->switches[i]))
			goto undo;
	for (size_t i = 0; i < lab->n_hosts; i++) {
		lab_netns_name(lab, lab->hosts[i].name, ns);
		append(&batch, "netns add %s", ns);
	}
	if (batch && ip_batch(batch))
		goto undo;
	for (size_t i = 0; i < lab->n_links; i++)
		for (int e = 0; e < 2; e++)
			if (lab->links[i].end[e].kind == LAB_SWITCH &&
			    add_end(lab, &lab->links[i], e))
				goto undo;
	for (size_t i = 0; i < lab->n_hosts; i++)
		if (setup_host(lab, &lab->hosts[i]))
			goto undo;
	printf("lab %s: up in %.2f s (%zu switches, %zu hosts, %zu vms, %zu "
	       "links)\n", lab->name, now_s() - t0, lab->n_switches,
	       lab->n_hosts, lab->n_vms, lab->n_links);
	if (!nowait && (conv = wait_stp(lab, stp_timeout(lab))) != 0) {
		if (conv < 0)
			printf("lab %s: spanning tree did not settle\n",
			       lab->name);
		else
			printf("lab %s: spanning tree settled in %.2f s\n",
			       lab->name, conv);
	}
	free(state);
	free(batch);
	lab_destroy(lab);
	return 0;
undo:
	free(batch);
	fprintf(stderr, "bridgectl: lab: %s not created; removing what was\n",
		lab->name);
	teardown(lab);
	unlink(state);
out_keep:
	free(state);
	lab_destroy(lab);
	return CTL_EXIT_FAIL;
}

/* ---- status ------------------------------------------------------------ */

/* The port object of bridge.list for port 'port' of switch 'sw' (a new
 * reference) or NULL. */
static struct json_object *
port_info(const struct lab *lab, const char *sw, const char *port)
{
	char name[LAB_IFNAMSIZ];
	struct json_object *res, *out = NULL;
	struct rpc_error err;

	lab_port_name(lab, sw, port, name);
	if (rpc_call("port.show", ctl_params("s", "name", name, NULL), &res,
		     &err))
		return NULL;
	if (json_object_is_type(res, json_type_array) &&
	    json_object_array_length(res))
		out = json_object_get(json_object_array_get_idx(res, 0));
	json_object_put(res);
	return out;
}

static struct json_object *
stp_info(const struct lab *lab, const char *sw)
{
	char name[LAB_IFNAMSIZ];
	struct json_object *res;
	struct rpc_error err;

	lab_bridge_name(lab, sw, name);
	if (rpc_call("stp.show", ctl_params("s", "bridge", name, NULL), &res,
		     &err))
		return NULL;
	return res;
}

/* STP role of port 'port' in stp.show result 'stp'. */
static const char *
stp_role(struct json_object *stp, const char *port, const char *state)
{
	struct json_object *ports, *p;

	if (!stp || !ctl_jint(stp, "stp_state"))
		return "-";
	if (!strcmp(state, "disabled"))
		return "disabled";
	if (!json_object_object_get_ex(stp, "ports", &ports))
		return "?";
	for (size_t i = 0; i < json_object_array_length(ports); i++) {
		p = json_object_array_get_idx(ports, i);
		if (strcmp(ctl_jstr(p, "name"), port))
			continue;
		if (ctl_jint(p, "port_no") == ctl_jint(stp, "root_port"))
			return "root";
		if (!strcmp(ctl_jstr(p, "designated_bridge"),
			    ctl_jstr(stp, "bridge_id")) &&
		    !strcmp(ctl_jstr(p, "designated_port"), ctl_jstr(p, "port_id")))
			return "designated";
		return "alternate";
	}
	return "?";
}

static void
port_counters(const char *br, const char *port, long long *rx, long long *tx,
	      long long *drops)
{
	struct json_object *res, *ports;
	struct rpc_error err;

	*rx = *tx = *drops = 0;
	if (rpc_call("stats.get", ctl_params("s", "bridge", br, NULL), &res,
		     &err))
		return;
	if (json_object_array_length(res) &&
	    json_object_object_get_ex(json_object_array_get_idx(res, 0), "ports",
				      &ports))
		for (size_t i = 0; i < json_object_array_length(ports); i++) {
			struct json_object *p = json_object_array_get_idx(ports, i);

			if (strcmp(ctl_jstr(p, "name"), port))
				continue;
			*rx = ctl_jint(p, "rx_packets");
			*tx = ctl_jint(p, "tx_packets");
			*drops = ctl_jint(p, "dropped");
		}
	json_object_put(res);
}

/* "up", "NO-CARRIER" or "missing" for interface 'ifname' in namespace. */
static const char *
host_carrier(const char *ns, const char *ifname)
{
	char line[512];

	if (sh_read(line, sizeof line, "ip -n %s -o link show dev %s 2>/dev/null",
		    ns, ifname) || !line[0])
		return "missing";
	if (strstr(line, "NO-CARRIER"))
		return "no-carrier";
	if (strstr(line, "LOWER_UP"))
		return "up";
	return "down";
}

static int
lab_status(int argc, char **argv)
{
	struct json_object *out = json_object_new_object();
	struct json_object *jsw = json_object_new_array();
	struct json_object *jl = json_object_new_array();
	struct json_object *jh = json_object_new_array();
	struct lab *lab = open_lab(argc ? argv[0] : NULL);

	if (!lab) {
		json_object_put(out);
		json_object_put(jsw);
		json_object_put(jl);
		json_object_put(jh);
		return CTL_EXIT_FAIL;
	}
	json_object_object_add(out, "name", json_object_new_string(lab->name));
	json_object_object_add(out, "prefix", json_object_new_string(lab->prefix));
	if (!ctl_opts.json)
		printf("lab %s (prefix %s)\n", lab->name, lab->prefix);
	for (size_t i = 0; i < lab->n_switches; i++) {
		const struct lab_switch *sw = &lab->switches[i];
		struct json_object *stp = stp_info(lab, sw->name), *o;
		char br[LAB_IFNAMSIZ];
		bool root;

		lab_bridge_name(lab, sw->name, br);
		root = stp && !strcmp(ctl_jstr(stp, "designated_root"),
				      ctl_jstr(stp, "bridge_id"));
		o = json_object_new_object();
		json_object_object_add(o, "name", json_object_new_string(sw->name));
		json_object_object_add(o, "bridge", json_object_new_string(br));
		json_object_object_add(o, "present", json_object_new_boolean(!!stp));
		json_object_object_add(o, "stp", json_object_new_boolean(sw->stp));
		if (stp) {
			json_object_object_add(o, "bridge_id",
				json_object_new_string(ctl_jstr(stp, "bridge_id")));
			json_object_object_add(o, "root",
					       json_object_new_boolean(root));
		}
		json_object_array_add(jsw, o);
		if (!ctl_opts.json)
			printf("switch %s: bridge %s%s%s%s\n", sw->name, br,
			       !stp ? " MISSING" : "",
			       stp && sw->stp ? ", id " : "",
			       stp && sw->stp ? ctl_jstr(stp, "bridge_id") : "");
		if (!ctl_opts.json && stp && sw->stp)
			printf("  %s\n", root ? "root bridge" : "not root");
		json_object_put(stp);
	}
	if (!ctl_opts.json)
		printf("links:\n");
	for (size_t l = 0; l < lab->n_links; l++) {
		const struct lab_link *lk = &lab->links[l];
		struct json_object *o = json_object_new_object();
		struct json_object *ends = json_object_new_array();

		if (!ctl_opts.json)
			printf("  %s:%s -- %s:%s\n", lk->end[0].node,
			       lk->end[0].port, lk->end[1].node, lk->end[1].port);
		for (int e = 0; e < 2; e++) {
			const struct lab_end *end = &lk->end[e];
			struct json_object *je = json_object_new_object();
			char ep[40];

			snprintf(ep, sizeof ep, "%s:%s", end->node, end->port);
			json_object_object_add(je, "end", json_object_new_string(ep));
			if (end->kind == LAB_SWITCH) {
				char br[LAB_IFNAMSIZ], pn[LAB_IFNAMSIZ];
				struct json_object *pi, *stp;
				const char *state, *role;
				long long rx, tx, drops;
				bool carrier;

				lab_bridge_name(lab, end->node, br);
				lab_port_name(lab, end->node, end->port, pn);
				pi = port_info(lab, end->node, end->port);
				stp = stp_info(lab, end->node);
				state = pi ? ctl_jstr(pi, "state") : "missing";
				carrier = pi && ctl_jint(pi, "carrier");
				role = stp_role(stp, pn, state);
				port_counters(br, pn, &rx, &tx, &drops);
				json_object_object_add(je, "port",
					json_object_new_string(pn));
				json_object_object_add(je, "state",
					json_object_new_string(state));
				json_object_object_add(je, "role",
					json_object_new_string(role));
				json_object_object_add(je, "carrier",
					json_object_new_boolean(carrier));
				json_object_object_add(je, "rx_packets",
					json_object_new_int64(rx));
				json_object_object_add(je, "tx_packets",
					json_object_new_int64(tx));
				json_object_object_add(je, "dropped",
					json_object_new_int64(drops));
				if (!ctl_opts.json)
					printf("    %-12s port %-14s %-10s "
					       "role %-10s carrier %-3s rx %lld "
					       "tx %lld dropped %lld\n", ep, pn,
					       state, role, carrier ? "on" : "off",
					       rx, tx, drops);
				json_object_put(pi);
				json_object_put(stp);
			} else if (end->kind == LAB_VM) {
				if (!ctl_opts.json)
					printf("    %-12s vm (its NIC is the "
					       "switch port)\n", ep);
			} else {
				char ns[64];
				const char *c;

				lab_netns_name(lab, end->node, ns);
				c = host_carrier(ns, end->port);
				json_object_object_add(je, "netns",
					json_object_new_string(ns));
				json_object_object_add(je, "link",
					json_object_new_string(c));
				if (!ctl_opts.json)
					printf("    %-12s netns %-13s %s\n", ep,
					       ns, c);
			}
			json_object_array_add(ends, je);
		}
		json_object_object_add(o, "ends", ends);
		json_object_array_add(jl, o);
	}
	for (size_t i = 0; i < lab->n_hosts; i++) {
		const struct lab_host *h = &lab->hosts[i];
		struct json_object *o = json_object_new_object();
		struct json_object *addrs = json_object_new_array();
		char ns[64];

		lab_netns_name(lab, h->name, ns);
		json_object_object_add(o, "name", json_object_new_string(h->name));
		json_object_object_add(o, "netns", json_object_new_string(ns));
		json_object_object_add(o, "present",
				       json_object_new_boolean(exists_netns(ns)));
		for (size_t j = 0; j < h->n_addrs; j++)
			json_object_array_add(addrs,
				json_object_new_string(h->addrs[j].cidr));
		json_object_object_add(o, "addresses", addrs);
		json_object_array_add(jh, o);
		if (!ctl_opts.json) {
			printf("host %s: netns %s%s", h->name, ns,
			       exists_netns(ns) ? "" : " MISSING");
			for (size_t j = 0; j < h->n_addrs; j++)
				printf(" %s:%s", h->addrs[j].ifname,
				       h->addrs[j].cidr);
			putchar('\n');
		}
	}
	json_object_object_add(out, "switches", jsw);
	json_object_object_add(out, "links", jl);
	json_object_object_add(out, "hosts", jh);
	if (ctl_opts.json)
		ctl_print_json(out);
	json_object_put(out);
	lab_destroy(lab);
	return 0;
}

/* ---- exec, link, capture ----------------------------------------------- */

static int
lab_exec(int argc, char **argv)
{
	struct lab *lab;
	char ns[64];
	char **args;
	int h;

	if (argc < 2)
		return ctl_usage_error("lab", "lab exec needs NODE CMD...");
	lab = open_lab(NULL);
	if (!lab)
		return CTL_EXIT_FAIL;
	h = lab_find_host(lab, argv[0]);
	if (h < 0) {
		fprintf(stderr, "bridgectl: lab %s: no host '%s'%s\n", lab->name,
			argv[0], lab_find_switch(lab, argv[0]) >= 0 ?
			" (it is a switch: use bridgectl stp/fdb/stats on "
			"its bridge)" : "");
		lab_destroy(lab);
		return CTL_EXIT_FAIL;
	}
	lab_netns_name(lab, argv[0], ns);
	lab_destroy(lab);
	args = xcalloc((size_t)argc + 4, sizeof *args);
	args[0] = (char *)"ip";
	args[1] = (char *)"netns";
	args[2] = (char *)"exec";
	args[3] = ns;
	for (int i = 1; i < argc; i++)
		args[i + 3] = argv[i];
	rpc_close();
	fflush(stdout);
	execvp("ip", args);
	fprintf(stderr, "bridgectl: lab exec: ip: %s\n", strerror(errno));
	free(args);
	return CTL_EXIT_FAIL;
}

/* "A" or "A:PORT" into node and port ('port' empty when not given). */
static void
split_end(const char *s, char node[LAB_NAME_MAX + 1], char port[LAB_NAME_MAX + 1])
{
	const char *c = strchr(s, ':');

	snprintf(node, LAB_NAME_MAX + 1, "%.*s", c ? (int)(c - s) : LAB_NAME_MAX, s);
	snprintf(port, LAB_NAME_MAX + 1, "%s", c ? c + 1 : "");
}

/* The link between A[:P] and B[:Q]; -1 after an error message. */
static int
find_link_between(const struct lab *lab, const char *a, const char *b)
{
	char na[LAB_NAME_MAX + 1], pa[LAB_NAME_MAX + 1];
	char nb[LAB_NAME_MAX + 1], pb[LAB_NAME_MAX + 1];
	int found = -1, n = 0;

	split_end(a, na, pa);
	split_end(b, nb, pb);
	for (size_t i = 0; i < lab->n_links; i++)
		for (int e = 0; e < 2; e++) {
			const struct lab_end *x = &lab->links[i].end[e];
			const struct lab_end *y = &lab->links[i].end[!e];

			if (!strcmp(x->node, na) && (!*pa || !strcmp(x->port, pa)) &&
			    !strcmp(y->node, nb) && (!*pb || !strcmp(y->port, pb))) {
				found = (int)i;
				n++;
			}
		}
	if (n == 1)
		return found;
	fprintf(stderr, "bridgectl: lab %s: %s between %s and %s%s\n",
		lab->name, n ? "several links" : "no link", a, b,
		n ? " (name the ports: A:PORT B:PORT)" : "");
	return -1;
}

static int
lab_link(int argc, char **argv)
{
	struct lab *lab;
	bool up, nowait = argc == 4 && !strcmp(argv[3], "--no-wait");
	int l, status = 0;
	char *before;

	if ((argc != 3 && !nowait) ||
	    (strcmp(argv[2], "up") && strcmp(argv[2], "down")))
		return ctl_usage_error("lab", "lab link A B down|up "
				       "[--no-wait]");
	up = !strcmp(argv[2], "up");
	lab = open_lab(NULL);
	if (!lab)
		return CTL_EXIT_FAIL;
	l = find_link_between(lab, argv[0], argv[1]);
	if (l < 0) {
		lab_destroy(lab);
		return CTL_EXIT_FAIL;
	}
	before = stp_snapshot(lab, l);
	for (int e = 0; e < 2; e++) {
		const struct lab_end *end = &lab->links[l].end[e];
		char pn[LAB_IFNAMSIZ], what[64];

		if (end->kind != LAB_SWITCH)
			continue;
		lab_port_name(lab, end->node, end->port, pn);
		snprintf(what, sizeof what, "carrier of %s", pn);
		if (call("port.set", ctl_params("s", "name", pn, "b", "carrier",
						(int)up, NULL), NULL, what))
			status = CTL_EXIT_FAIL;
	}
	if (!status)
		printf("lab %s: link %s:%s -- %s:%s %s\n", lab->name,
		       lab->links[l].end[0].node, lab->links[l].end[0].port,
		       lab->links[l].end[1].node, lab->links[l].end[1].port,
		       up ? "up" : "down");
	if (!status && !nowait && *before) {
		double t = wait_reconverge(lab, l, before);

		if (t < 0)
			printf("lab %s: no port changed its STP state\n",
			       lab->name);
		else
			printf("lab %s: spanning tree re-converged in %.2f s\n",
			       lab->name, t);
	}
	free(before);
	lab_destroy(lab);
	return status;
}

static int
lab_capture(int argc, char **argv)
{
	char node[LAB_NAME_MAX + 1], port[LAB_NAME_MAX + 1], pn[LAB_IFNAMSIZ];
	struct lab *lab;
	const struct lab_end *end;
	char **args;
	int l, e, status;

	if (argc < 1 || argv[0][0] == '-')
		return ctl_usage_error("lab", "lab capture A[:PORT] [-w FILE|-] "
				       "[-c N]");
	lab = open_lab(NULL);
	if (!lab)
		return CTL_EXIT_FAIL;
	split_end(argv[0], node, port);
	l = lab_find_link(lab, node, *port ? port : NULL, &e);
	if (l < 0 || (!*port && lab_find_switch(lab, node) >= 0)) {
		fprintf(stderr, "bridgectl: lab %s: %s names no link end%s\n",
			lab->name, argv[0], lab_find_switch(lab, node) >= 0 ?
			" (a switch needs :PORT)" : "");
		lab_destroy(lab);
		return CTL_EXIT_FAIL;
	}
	/* The switch side of that link carries its frames. */
	end = &lab->links[l].end[e];
	if (end->kind != LAB_SWITCH)
		end = &lab->links[l].end[!e];
	lab_port_name(lab, end->node, end->port, pn);
	lab_destroy(lab);
	args = xcalloc((size_t)argc + 1, sizeof *args);
	args[0] = pn;
	for (int i = 1; i < argc; i++)
		args[i] = argv[i];
	status = own_capture(argc, args);
	free(args);
	return status;
}

/* ---- graph ------------------------------------------------------------- */

static const char *
state_colour(const char *state)
{
	if (!strcmp(state, "forwarding"))
		return "darkgreen";
	if (!strcmp(state, "blocking"))
		return "red";
	if (!strcmp(state, "listening") || !strcmp(state, "learning"))
		return "orange";
	return "grey";
}

static void
graph_dot(const struct lab *lab, FILE *f)
{
	fprintf(f, "graph \"%s\" {\n  layout=neato; overlap=false; "
		"splines=true;\n  node [fontname=Helvetica];\n"
		"  edge [fontname=Helvetica, fontsize=10];\n", lab->name);
	for (size_t i = 0; i < lab->n_switches; i++) {
		struct json_object *stp = stp_info(lab, lab->switches[i].name);
		bool root = stp && lab->switches[i].stp &&
			    !strcmp(ctl_jstr(stp, "designated_root"),
				    ctl_jstr(stp, "bridge_id"));

		fprintf(f, "  \"%s\" [shape=box, style=filled, fillcolor=%s, "
			"label=\"%s%s%s\"];\n", lab->switches[i].name,
			root ? "gold" : "lightblue", lab->switches[i].name,
			lab->switches[i].hub ? "\\n(hub)" : "",
			root ? "\\n(root)" : "");
		json_object_put(stp);
	}
	for (size_t i = 0; i < lab->n_hosts; i++)
		fprintf(f, "  \"%s\" [shape=ellipse, label=\"%s\\n%s\"];\n",
			lab->hosts[i].name, lab->hosts[i].name,
			lab->hosts[i].n_addrs ? lab->hosts[i].addrs[0].cidr : "");
	for (size_t i = 0; i < lab->n_vms; i++)
		fprintf(f, "  \"%s\" [shape=box3d, label=\"%s\\n(vm)\"];\n",
			lab->vms[i].name, lab->vms[i].name);
	for (size_t i = 0; i < lab->n_links; i++) {
		const struct lab_link *l = &lab->links[i];
		const char *st[2] = { "", "" };
		bool blocked = false;
		struct json_object *pi[2] = { NULL, NULL };

		for (int e = 0; e < 2; e++) {
			if (l->end[e].kind != LAB_SWITCH)
				continue;
			pi[e] = port_info(lab, l->end[e].node, l->end[e].port);
			st[e] = pi[e] ? ctl_jstr(pi[e], "state") : "missing";
			blocked = blocked || !strcmp(st[e], "blocking") ||
				  !strcmp(st[e], "disabled");
		}
		fprintf(f, "  \"%s\" -- \"%s\" [taillabel=\"%s\", "
			"headlabel=\"%s\", style=%s, color=\"%s:%s\"];\n",
			l->end[0].node, l->end[1].node, l->end[0].port,
			l->end[1].port, blocked ? "dashed" : "solid",
			*st[0] ? state_colour(st[0]) : "black",
			*st[1] ? state_colour(st[1]) : "black");
		json_object_put(pi[0]);
		json_object_put(pi[1]);
	}
	fprintf(f, "}\n");
}

static int
lab_graph(int argc, char **argv)
{
	const char *fmt = "dot", *name = NULL;
	struct lab *lab;
	int status = 0;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--format") && i + 1 < argc)
			fmt = argv[++i];
		else if (!strncmp(argv[i], "--format=", 9))
			fmt = argv[i] + 9;
		else if (argv[i][0] != '-' && !name)
			name = argv[i];
		else
			return ctl_usage_error("lab", "lab graph [NAME] "
					       "[--format dot|svg]");
	}
	if (strcmp(fmt, "dot") && strcmp(fmt, "svg"))
		return ctl_usage_error("lab", "--format is dot or svg");
	if (!strcmp(fmt, "svg") && sh(false, "command -v dot")) {
		fprintf(stderr, "bridgectl: lab graph: --format svg needs "
			"graphviz's dot (apt-get install graphviz); "
			"--format dot prints the text\n");
		return CTL_EXIT_FAIL;
	}
	lab = open_lab(name);
	if (!lab)
		return CTL_EXIT_FAIL;
	if (!strcmp(fmt, "dot")) {
		graph_dot(lab, stdout);
	} else {
		FILE *p;

		fflush(stdout);
		p = popen("dot -Tsvg", "w");
		if (!p)
			status = CTL_EXIT_FAIL;
		else {
			graph_dot(lab, p);
			if (pclose(p))
				status = CTL_EXIT_FAIL;
		}
	}
	lab_destroy(lab);
	return status;
}

/* ---- check ------------------------------------------------------------- */

static const char *
target_ip(const struct lab *lab, const char *t, char buf[64])
{
	int h = lab_find_host(lab, t);

	return h < 0 ? t : lab_host_ip(&lab->hosts[h], buf);
}

static bool
pings(const struct lab *lab, const char *from, const char *ip, int count)
{
	char ns[64];

	lab_netns_name(lab, from, ns);
	return !sh(false, "ip netns exec %s ping -n -c %d -i 0.2 -W 1 %s", ns,
		   count, ip);
}

/* The MAC of the interface of host 'host' on its first link. */
static int
host_mac(const struct lab *lab, const char *host, char mac[32])
{
	char ns[64], line[512], *p;
	int e, l = lab_find_link(lab, host, NULL, &e);

	if (l < 0)
		return -1;
	lab_netns_name(lab, host, ns);
	if (sh_read(line, sizeof line, "ip -n %s -o link show dev %s", ns,
		    lab->links[l].end[e].port) ||
	    !(p = strstr(line, "link/ether ")))
		return -1;
	snprintf(mac, 32, "%.17s", p + 11);
	return 0;
}

/* 1 if switch c->a learned host c->c's MAC on port c->b, 0 if not, -1 if
 * that cannot be told (with 'why'). */
static int
learned(const struct lab *lab, const struct lab_check *c, char *why, size_t n)
{
	char br[LAB_IFNAMSIZ], pn[LAB_IFNAMSIZ], mac[32];
	struct json_object *res;
	struct rpc_error err;
	bool ok = false;

	if (host_mac(lab, c->c, mac)) {
		snprintf(why, n, "cannot read the MAC of %s", c->c);
		return -1;
	}
	lab_bridge_name(lab, c->a, br);
	lab_port_name(lab, c->a, c->b, pn);
	if (rpc_call("fdb.show", ctl_params("s", "br", br, NULL), &res, &err)) {
		snprintf(why, n, "%.200s", err.message);
		return -1;
	}
	snprintf(why, n, "%s (%s) not in the FDB of %s", mac, c->c, c->a);
	for (size_t i = 0; i < json_object_array_length(res); i++) {
		struct json_object *o = json_object_array_get_idx(res, i);

		if (strcasecmp(ctl_jstr(o, "mac"), mac))
			continue;
		if (!strcmp(ctl_jstr(o, "ifname"), pn)) {
			ok = true;
			snprintf(why, n, "%s (%s) on %s", mac, c->c, c->b);
		} else {
			snprintf(why, n, "%s (%s) learned on %s, not %s", mac,
				 c->c, ctl_jstr(o, "ifname"), pn);
		}
	}
	json_object_put(res);
	return ok;
}


/* The drop counter 'reason' of port 'port' of switch 'sw' (port "": the
 * sum over its ports; sw "*": over every switch of the lab), or -1. */
static long long
drop_count(const struct lab *lab, const char *sw, const char *port,
	   const char *reason)
{
	char br[LAB_IFNAMSIZ], pn[LAB_IFNAMSIZ];
	struct json_object *res, *ports, *drops, *v;
	struct rpc_error err;
	long long n = -1;

	if (!strcmp(sw, "*")) {
		for (size_t i = 0; i < lab->n_switches; i++) {
			long long k = drop_count(lab, lab->switches[i].name, "",
						 reason);

			if (k >= 0)
				n = (n < 0 ? 0 : n) + k;
		}
		return n;
	}
	lab_bridge_name(lab, sw, br);
	lab_port_name(lab, sw, port, pn);
	if (rpc_call("stats.get", ctl_params("s", "bridge", br, NULL), &res,
		     &err))
		return -1;
	if (json_object_array_length(res) &&
	    json_object_object_get_ex(json_object_array_get_idx(res, 0), "ports",
				      &ports))
		for (size_t i = 0; i < json_object_array_length(ports); i++) {
			struct json_object *p = json_object_array_get_idx(ports, i);

			if ((*port && strcmp(ctl_jstr(p, "name"), pn)) ||
			    !json_object_object_get_ex(p, "drops", &drops))
				continue;
			if (json_object_object_get_ex(drops, reason, &v))
				n = (n < 0 ? 0 : n) + json_object_get_int64(v);
		}
	json_object_put(res);
	return n;
}

static bool
run_check(const struct lab *lab, const struct lab_check *c, char *desc,
	  size_t dn, char *why, size_t wn)
{
	char ip[64], ns[64], line[256];
	const char *t;
	struct json_object *stp, *pi;
	bool ok;

	why[0] = 0;
	switch (c->kind) {
	case LAB_CHECK_PING:
	case LAB_CHECK_NO_PING:
		t = target_ip(lab, c->b, ip);
		snprintf(desc, dn, "%s %s %s (%s)", c->a,
			 c->kind == LAB_CHECK_PING ? "reaches" : "does not reach",
			 c->b, t);
		ok = pings(lab, c->a, t, c->kind == LAB_CHECK_PING ? 3 : 2);
		return c->kind == LAB_CHECK_PING ? ok : !ok;
	case LAB_CHECK_ISOLATED: {
		char ipa[64];
		const char *a = lab_host_ip(&lab->hosts[lab_find_host(lab, c->a)],
					    ipa);

		t = target_ip(lab, c->b, ip);
		snprintf(desc, dn, "%s is isolated from %s (no reply, and %s "
			 "never heard %s's ARP)", c->a, c->b, c->b, c->a);
		if (pings(lab, c->a, t, 2)) {
			snprintf(why, wn, "%s answered", c->b);
			return false;
		}
		lab_netns_name(lab, c->b, ns);
		sh_read(line, sizeof line, "ip -n %s neigh show %s", ns, a);
		if (line[0]) {
			snprintf(why, wn, "%s knows %s: %s", c->b, a, line);
			return false;
		}
		return true;
	}
	case LAB_CHECK_ROOT:
		snprintf(desc, dn, "%s is the root bridge", c->a);
		stp = stp_info(lab, c->a);
		if (!stp) {
			snprintf(why, wn, "switch %s is not up", c->a);
			return false;
		}
		ok = !strcmp(ctl_jstr(stp, "designated_root"),
			     ctl_jstr(stp, "bridge_id"));
		if (!ok)
			snprintf(why, wn, "the root is %s",
				 ctl_jstr(stp, "designated_root"));
		json_object_put(stp);
		return ok;
	case LAB_CHECK_STATE:
		snprintf(desc, dn, "port %s of %s is %s", c->b, c->a, c->c);
		pi = port_info(lab, c->a, c->b);
		if (!pi) {
			snprintf(why, wn, "no such port is up");
			return false;
		}
		ok = !strcmp(ctl_jstr(pi, "state"), c->c);
		if (!ok)
			snprintf(why, wn, "it is %s", ctl_jstr(pi, "state"));
		json_object_put(pi);
		return ok;
	case LAB_CHECK_LEARNED:
		snprintf(desc, dn, "%s learned %s's MAC on %s", c->a, c->c,
			 c->b);
		return learned(lab, c, why, wn) == 1;
	case LAB_CHECK_DROPPED: {
		long long n = drop_count(lab, c->a, c->b, c->c);

		if (!strcmp(c->a, "*"))
			snprintf(desc, dn, "the lab's switches counted %s drops",
				 c->c);
		else if (!c->b[0])
			snprintf(desc, dn, "%s counted %s drops", c->a, c->c);
		else
			snprintf(desc, dn, "port %s of %s counted %s drops",
				 c->b, c->a, c->c);
		if (n < 0)
			snprintf(why, wn, "no counter %s", c->c);
		else
			snprintf(why, wn, "%lld", n);
		if (n > 0)
			snprintf(desc + strlen(desc), dn - strlen(desc), " (%lld)",
				 n);
		return n > 0;
	}
	case LAB_CHECK_NOT_LEARNED:
		snprintf(desc, dn, "%s did not learn %s's MAC on %s", c->a,
			 c->c, c->b);
		return learned(lab, c, why, wn) == 0;
	}
	return false;
}

static int
lab_check(int argc, char **argv)
{
	struct lab *lab;
	size_t fails = 0;

	if (argc > 1)
		return ctl_usage_error("lab", "lab check [FILE|NAME]");
	lab = open_lab(argc ? argv[0] : NULL);
	if (!lab)
		return CTL_EXIT_FAIL;
	if (!lab->n_checks)
		printf("lab %s: no checks\n", lab->name);
	for (size_t i = 0; i < lab->n_checks; i++) {
		char desc[512], why[512];
		bool ok = run_check(lab, &lab->checks[i], desc, sizeof desc, why,
				    sizeof why);

		printf("%s  %s%s%s\n", ok ? "PASS" : "FAIL", desc,
		       why[0] && !ok ? ": " : "", ok ? "" : why);
		fails += !ok;
	}
	if (lab->n_checks)
		printf("lab %s: %zu of %zu checks passed\n", lab->name,
		       lab->n_checks - fails, lab->n_checks);
	lab_destroy(lab);
	return fails ? CTL_EXIT_FAIL : 0;
}

static int
lab_validate(int argc, char **argv)
{
	char err[LAB_ERR_MAX];
	struct lab *lab;

	if (argc != 1)
		return ctl_usage_error("lab", "lab validate FILE");
	lab = lab_load(argv[0], err);
	if (!lab) {
		fprintf(stderr, "bridgectl: %s\n", err);
		return CTL_EXIT_FAIL;
	}
	printf("%s: lab %s: %zu switches, %zu hosts, %zu vms, %zu links, "
	       "%zu checks\n", argv[0], lab->name, lab->n_switches,
	       lab->n_hosts, lab->n_vms, lab->n_links, lab->n_checks);
	lab_destroy(lab);
	return 0;
}

static int
lab_list(int argc, char **argv)
{
	size_t n;
	char **names = list_labs(&n);

	(void)argc;
	(void)argv;
	for (size_t i = 0; i < n; i++)
		printf("%s\n", names[i]);
	free_list(names);
	return 0;
}

/* ---- for lab-watch.c (lab.h) ------------------------------------------ */

struct lab *
lab_open(const char *arg)
{
	return open_lab(arg);
}

const char *
lab_stp_role(struct json_object *stp, const char *port, const char *state)
{
	return stp_role(stp, port, state);
}

int
lab_host_mac(const struct lab *lab, const char *host, char mac[32])
{
	return host_mac(lab, host, mac);
}

int
lab_main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {
		{ "up", lab_up }, { "down", lab_down }, { "status", lab_status },
		{ "exec", lab_exec }, { "link", lab_link },
		{ "capture", lab_capture }, { "graph", lab_graph },
		{ "check", lab_check }, { "validate", lab_validate },
		{ "list", lab_list }, { "watch", lab_watch },
	};

	lab_set_prefix(getenv("BRIDGECTL_LAB_PREFIX"));
	if (!argc) {
		lab_usage(stderr);
		return CTL_EXIT_USAGE;
	}
	if (ctl_is_help(argv[0])) {
		lab_usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		if (!strcmp(argv[0], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	return ctl_usage_error("lab", "unknown lab command '%s'", argv[0]);
}
