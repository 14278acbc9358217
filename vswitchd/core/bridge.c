/*
 * bridge.c - bridges and their ports: the control-path glue between the
 * configuration and the datapath.
 *
 * Rules follow the Linux bridge (shared/reference/linux-bridge.md): lowest
 * free port number, local FDB entries for every port MAC at VID 0 and at each
 * VLAN of the port, bridge MAC = lowest port MAC unless pinned, VLAN
 * default_pvid PVID untagged on new ports, group_fwd_mask refusing bits 0-2,
 * hello time and max age ranges always enforced, the forward delay range
 * only while STP is on.
 */
#include "bridge.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "bridge-event.h"
#include "clock.h"
#include "dp.h"
#include "fdb.h"
#include "log.h"
#include "pkt.h"
#include "port-provider.h"
#include "stp-glue.h"
#include "util.h"

#define MOD "bridge"

static struct bridge *all_bridges;	/* sorted by name */

static void bridge_update_mac(struct bridge *br);
static void port_fdb_local_add(struct bridge *br, struct port *port,
			       uint16_t vid);
static int port_attach(struct bridge *br, struct port *port, unsigned port_no,
		       bool announce);

void
bridge_options_default(struct bridge_options *opt)
{
	memset(opt, 0, sizeof *opt);
#define DEFAULT(id, name, alias, type, min, max, refuse, def, unit,	\
		member, help)						\
	opt->member = def;
	BRIDGE_OPTIONS(DEFAULT)
#undef DEFAULT
	opt->fdb_max_entries = FDB_DEFAULT_MAX_ENTRIES;
}

bool
bridge_name_is_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= IFNAMSIZ || !strcmp(name, ".") ||
	    !strcmp(name, ".."))
		return false;
	for (size_t i = 0; i < n; i++)
		if (name[i] == '/' || name[i] == ':' ||
		    isspace((unsigned char)name[i]) ||
		    !isprint((unsigned char)name[i]))
			return false;
	return true;
}

/* Reads 'len' bytes of /dev/urandom into 'buf', for a kernel or sandbox
 * without getrandom(2).  Returns 0 or -errno. */
static int
read_urandom(void *buf, size_t len)
{
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	ssize_t n;
	int err = 0;

	if (fd < 0)
		return -errno;
	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		err = -errno;
	else if ((size_t)n != len)
		err = -EIO;
	close(fd);
	return err;
}

/* Draws the secret seed of a new FDB's hash (fdb.h).  It must be random:
 * a seed derived from something a guest knows, such as the bridge name,
 * lets it choose source MACs that all land in one bucket and turn every
 * lookup into a chain walk.  Blocks only while the kernel's random pool is
 * not yet initialised (early boot), saying so.  Returns 0 or -errno. */
static int
bridge_fdb_seed(const char *name, uint64_t *seed)
{
	ssize_t n = getrandom(seed, sizeof *seed, GRND_NONBLOCK);
	int err;

	if (n < 0 && errno == EAGAIN) {
		log_warn(MOD, "%s: waiting for the kernel's random pool to "
			 "seed the FDB hash", name);
		do
			n = getrandom(seed, sizeof *seed, 0);
		while (n < 0 && errno == EINTR);
	}
	if (n == (ssize_t)sizeof *seed)
		return 0;
	err = n < 0 ? -errno : -EIO;
	/* Seccomp filters and old kernels answer ENOSYS or EPERM. */
	if ((err == -ENOSYS || err == -EPERM) &&
	    !read_urandom(seed, sizeof *seed))
		return 0;
	log_err(MOD, "%s: cannot draw a random seed for the FDB hash: %s",
		name, strerror(-err));
	return err;
}

int
bridge_create(const char *name, const struct bridge_options *opt,
	      struct ev_loop *loop, struct bridge **brp)
{
	struct bridge *br, **pp;
	uint64_t seed;
	int err;

	if (!bridge_name_is_valid(name))
		return -EINVAL;
	if (bridge_lookup(name) || bridge_find_port(name, NULL))
		return -EEXIST;

	err = bridge_fdb_seed(name, &seed);
	if (err)
		return err;

	br = xcalloc(1, sizeof *br);
	util_strlcpy(br->name, name, sizeof br->name);
	if (opt)
		br->opt = *opt;
	else
		bridge_options_default(&br->opt);
	br->fdb = fdb_create(br->opt.fdb_max_entries, seed);
	fdb_set_ageing_ms(br->fdb, (uint64_t)br->opt.ageing_time_cs * 10);
	fdb_set_max_learned(br->fdb, br->opt.fdb_max_learned);
	br->dp = dp_create(DP_POOL_SIZE);
	br->pool = dp_pool(br->dp);
	br->loop = loop;
	br->now_ms = clock_now_ms();
	br->admin_up = true;
	br->events = bridge_event_ring_create(br->name, br->ports,
					      BRIDGE_MAX_PORTS, br->fdb);
	bridge_event_port(br->events, BRIDGE_EV_DEV, 0, BRIDGE_EV_DEV_ADD);
	vlan_port_init(&br->self_vlans);
	if (br->opt.default_pvid)
		vlan_port_add(&br->self_vlans, br->opt.default_pvid, true, true);
	stp_glue_bridge_create(br);

	for (pp = &all_bridges; *pp && strcmp((*pp)->name, name) < 0;
	     pp = &(*pp)->next)
		continue;
	br->next = *pp;
	*pp = br;
	log_info(MOD, "%s: created", name);
	*brp = br;
	return 0;
}

void
bridge_destroy(struct bridge *br)
{
	struct bridge **pp;

	if (!br)
		return;
	/* Monitors see the bridge go, not each of its ports and entries. */
	bridge_event_port(br->events, BRIDGE_EV_DEV, 0, BRIDGE_EV_DEV_DEL);
	bridge_event_ring_close(br->events);
	for (unsigned i = 1; i < BRIDGE_MAX_PORTS; i++)
		if (br->ports[i])
			bridge_port_del(br, br->ports[i]);
	if (br->host) {
		port_close(br->host);
		br->host = NULL;
	}
	for (pp = &all_bridges; *pp; pp = &(*pp)->next) {
		if (*pp == br) {
			*pp = br->next;
			break;
		}
	}
	log_info(MOD, "%s: destroyed", br->name);
	stp_glue_bridge_destroy(br);
	bridge_event_ring_destroy(br->events);
	fdb_destroy(br->fdb);
	dp_destroy(br->dp);
	free(br);
}

struct bridge *
bridge_lookup(const char *name)
{
	for (struct bridge *br = all_bridges; br; br = br->next)
		if (!strcmp(br->name, name))
			return br;
	return NULL;
}

struct bridge *
bridge_first(void)
{
	return all_bridges;
}

void
bridge_destroy_all(void)
{
	while (all_bridges)
		bridge_destroy(all_bridges);
}

struct port *
bridge_port_lookup(const struct bridge *br, const char *name)
{
	for (unsigned i = 1; i < BRIDGE_MAX_PORTS; i++)
		if (br->ports[i] && !strcmp(br->ports[i]->name, name))
			return br->ports[i];
	return NULL;
}

struct port *
bridge_find_port(const char *name, struct bridge **brp)
{
	for (struct bridge *br = all_bridges; br; br = br->next) {
		struct port *port = bridge_port_lookup(br, name);

		if (port) {
			if (brp)
				*brp = br;
			return port;
		}
	}
	return NULL;
}

/* The bridge device is up exactly while the bridge is ("ip link set br0
 * up" is the bridge's admin state).  A device that refuses is logged: the
 * bridge's state stands. */
static void
host_set_admin_up(struct bridge *br)
{
	struct port *host = br->host;
	int err;

	if (!host || !host->class->set_admin_up)
		return;
	err = host->class->set_admin_up(host, br->admin_up);
	if (err)
		log_warn(MOD, "%s: cannot set the bridge device %s: %s",
			 br->name, br->admin_up ? "up" : "down",
			 strerror(-err));
	else
		host->admin_up = br->admin_up;
}

int
bridge_set_host_port(struct bridge *br, struct port *host)
{
	if (br->host)
		return -EBUSY;
	host->br = br;
	host->port_no = 0;
	host->is_host = true;
	host->state = PORT_FORWARDING;
	br->host = host;
	if (!br->mac_set && eth_addr_is_zero(&br->mac))
		bridge_update_mac(br);
	host_set_admin_up(br);
	if (host->class->watch)
		host->class->watch(host, br->loop);
	return 0;
}

/* Local FDB entry for the port's MAC in 'vid'.  An identical local entry
 * owned by someone else is left alone (the first owner keeps it). */
static void
port_fdb_local_add(struct bridge *br, struct port *port, uint16_t vid)
{
	struct fdb_entry *e = fdb_lookup(br->fdb, &port->mac, vid);

	if (eth_addr_is_zero(&port->mac) || eth_addr_is_multicast(&port->mac))
		return;
	if (e && (e->flags & FDB_F_LOCAL))
		return;
	fdb_add(br->fdb, &port->mac, vid, port->port_no,
		FDB_F_LOCAL | FDB_F_STATIC, br->now_ms);
}

static void
port_fdb_local_add_all(struct bridge *br, struct port *port)
{
	port_fdb_local_add(br, port, 0);
	for (uint16_t vid = vlan_port_next(&port->vlans, 0); vid;
	     vid = vlan_port_next(&port->vlans, vid))
		port_fdb_local_add(br, port, vid);
}

/* Gives the bridge device (host port) the bridge MAC. */
static void
host_set_mac(struct bridge *br)
{
	struct port *host = br->host;
	int err;

	if (!host || eth_addr_equals(&host->mac, &br->mac))
		return;
	if (host->class->set_mac) {
		err = host->class->set_mac(host, &br->mac);
		if (err)
			log_warn(MOD, "%s: cannot set the bridge device MAC: %s",
				 br->name, strerror(-err));
	} else {
		host->mac = br->mac;
	}
}

/* Recomputes the bridge MAC as the lowest port MAC unless the user pinned
 * it (Linux br_stp_recalculate_bridge_id). */
static void
bridge_update_mac(struct bridge *br)
{
	struct eth_addr lowest = { { 0 } };
	bool found = false;

	if (br->mac_set)
		return;
	for (unsigned i = 1; i < BRIDGE_MAX_PORTS; i++) {
		struct port *p = br->ports[i];

		if (p && !eth_addr_is_zero(&p->mac) &&
		    (!found || eth_addr_compare(&p->mac, &lowest) < 0)) {
			lowest = p->mac;
			found = true;
		}
	}
	br->mac = lowest;
	stp_glue_bridge_config(br);
	if (found)
		host_set_mac(br);
}

int
bridge_port_add(struct bridge *br, struct port *port)
{
	return bridge_port_add_at(br, port, 0);
}

int
bridge_port_add_at(struct bridge *br, struct port *port, unsigned port_no)
{
	return port_attach(br, port, port_no, true);
}

/* bridge_port_add_at(), recording the link "add" event if 'announce'
 * (not when a port moves between bridges). */
static int
port_attach(struct bridge *br, struct port *port, unsigned port_no,
	    bool announce)
{
	unsigned no = port_no;

	if (port->br)
		return -EBUSY;
	if (port_no >= BRIDGE_MAX_PORTS)
		return -ERANGE;
	if (bridge_lookup(port->name) || bridge_find_port(port->name, NULL))
		return -EEXIST;
	if (!no) {
		for (no = 1; no < BRIDGE_MAX_PORTS && br->ports[no]; no++)
			continue;
		if (no == BRIDGE_MAX_PORTS)
			return -EXFULL;
	} else if (br->ports[no]) {
		return -EBUSY;
	}

	port->br = br;
	port->port_no = (uint16_t)no;
	port->state = PORT_DISABLED;
	br->ports[no] = port;
	br->n_ports++;
	/* Before what enabling the port records (its link, its STP state). */
	if (announce)
		bridge_event_port(br->events, BRIDGE_EV_DEV, port->port_no,
				  BRIDGE_EV_DEV_ADD);
	if (no > br->max_port_no)
		br->max_port_no = (uint16_t)no;
	if (br->opt.default_pvid)
		vlan_port_add(&port->vlans, br->opt.default_pvid, true, true);
	port_fdb_local_add_all(br, port);
	port->link_enabled = false;
	stp_glue_port_add(br, port);
	bridge_update_mac(br);
	bridge_port_update_link(br, port);
	if (port->class->watch)
		port->class->watch(port, br->loop);
	log_info(MOD, "%s: %s: added as port %u (%s)", br->name, port->name,
		 no, port->class->type);
	return 0;
}

/* Takes 'port' out of 'br' without closing it: STP forgets it, its FDB
 * entries go, its number is free again. */
static void
port_detach(struct bridge *br, struct port *port)
{
	ASSERT(port->br == br && br->ports[port->port_no] == port);
	log_info(MOD, "%s: %s: removed (port %u)", br->name, port->name,
		 port->port_no);
	stp_glue_port_del(br, port);
	bridge_event_fdb_flush(br->events, &(struct fdb_flush_filter){
		.port_no = port->port_no, .vid = FDB_VID_ANY });
	br->ports[port->port_no] = NULL;
	br->n_ports--;
	while (br->max_port_no && !br->ports[br->max_port_no])
		br->max_port_no--;
	port->br = NULL;
	port->port_no = 0;
	bridge_update_mac(br);
}

void
bridge_port_del(struct bridge *br, struct port *port)
{
	bridge_event_port(br->events, BRIDGE_EV_DEV, port->port_no,
			  BRIDGE_EV_DEV_DEL);
	port_detach(br, port);
	port_close(port);
}

/* Gives 'port' the settings of a new bridge port (the device's own MAC,
 * MTU and admin state stay). */
static void
port_reset_brport(struct port *port)
{
	port->state = PORT_DISABLED;
	port->flags = PORT_F_DEFAULT;
	port->group_fwd_mask = 0;
	port->stp_priority = 32;
	port->path_cost = 100;
	port->path_cost_set = false;
	port->link_enabled = false;
	port->storm.pps = 0;
	vlan_port_init(&port->vlans);
}

int
bridge_port_move(struct bridge *to, struct port *port, unsigned port_no)
{
	struct bridge *from = port->br;
	int err;

	if (!from || port->is_host)
		return -EINVAL;
	if (from == to)
		return 0;
	if (port->class->watch)
		port->class->watch(port, NULL);
	port_detach(from, port);
	port_reset_brport(port);
	err = port_attach(to, port, port_no, false);
	if (err) {
		port_reset_brport(port);
		ASSERT(!port_attach(from, port, 0, false));
	}
	return err;
}

void
bridge_settings_changed(struct bridge *br, struct port *port)
{
	bridge_event_port(br->events, BRIDGE_EV_DEV, port ? port->port_no : 0,
			  BRIDGE_EV_DEV_SET);
}

void
bridge_port_update_link(struct bridge *br, struct port *port)
{
	bool enabled = port_is_enabled(port);

	/* STP owns port states (with STP off it forwards enabled ports at
	 * once, §3.3) and asks for the dynamic entries of a disabled port to
	 * be flushed.  The bridge device's own state reaches STP through
	 * bridge_set_admin_up(). */
	if (enabled == port->link_enabled)
		return;
	port->link_enabled = enabled;
	bridge_event_port(br->events, BRIDGE_EV_LINK, port->port_no, enabled);
	stp_glue_port_link(br, port, enabled);
}

/* --- bridge options --------------------------------------------------- */

int
bridge_set_ageing_time_cs(struct bridge *br, uint32_t cs)
{
	br->opt.ageing_time_cs = cs;
	fdb_set_ageing_ms(br->fdb, (uint64_t)cs * 10);
	bridge_event_fdb_age(br->events, br->now_ms);
	return 0;
}

int
bridge_set_vlan_filtering(struct bridge *br, bool on)
{
	br->opt.vlan_filtering = on;
	return 0;
}

int
bridge_set_vlan_protocol(struct bridge *br, uint16_t tpid)
{
	if (tpid != ETH_TYPE_VLAN && tpid != ETH_TYPE_QINQ)
		return -EINVAL;
	br->opt.vlan_protocol = tpid;
	return 0;
}

/* Moves the default VLAN of 'port' (NULL: the bridge device) if it still
 * holds the unmodified old default (old PVID, untagged), as the kernel
 * does.  Through bridge_vlan_del/add, so the device's FDB entries follow
 * (none stays behind in a VLAN the device no longer has). */
static void
move_default_pvid(struct bridge *br, struct port *port, uint16_t old,
		  uint16_t new)
{
	const struct vlan_port *vp = port ? &port->vlans : &br->self_vlans;

	if (old && !(vp->pvid == old && vlan_port_is_untagged(vp, old)))
		return;
	if (old)
		bridge_vlan_del(br, port, old);
	if (new)
		bridge_vlan_add(br, port, new, true, true);
}

int
bridge_set_default_pvid(struct bridge *br, uint16_t pvid)
{
	uint16_t old = br->opt.default_pvid;

	if (pvid > VLAN_VID_MAX)
		return -EINVAL;
	if (br->opt.vlan_filtering)
		return -EPERM;
	if (pvid == old)
		return 0;
	for (unsigned i = 1; i < BRIDGE_MAX_PORTS; i++)
		if (br->ports[i])
			move_default_pvid(br, br->ports[i], old, pvid);
	move_default_pvid(br, NULL, old, pvid);
	br->opt.default_pvid = pvid;
	return 0;
}

int
bridge_set_group_fwd_mask(struct bridge *br, uint16_t mask)
{
	if (mask & 0x0007)	/* STP, PAUSE, LACP: BR_GROUPFWD_RESTRICTED */
		return -EINVAL;
	br->opt.group_fwd_mask = mask;
	return 0;
}

int
bridge_set_no_linklocal_learn(struct bridge *br, bool on)
{
	br->opt.no_linklocal_learn = on;
	return 0;
}

int
bridge_set_fdb_max_learned(struct bridge *br, uint32_t n)
{
	br->opt.fdb_max_learned = n;
	fdb_set_max_learned(br->fdb, n);
	return 0;
}

static bool
fd_in_stp_range(uint32_t cs)
{
	return cs >= 200 && cs <= 3000;
}

int
bridge_set_stp_state(struct bridge *br, uint8_t state)
{
	if (state > 1)
		return -EINVAL;
	if (state && br->opt.transparent)
		return -EBUSY;
	if (state && !fd_in_stp_range(br->opt.forward_delay_cs))
		br->opt.forward_delay_cs = br->opt.forward_delay_cs < 200 ? 200
									  : 3000;
	br->opt.stp_state = state;
	stp_glue_bridge_config(br);
	return 0;
}

int
bridge_set_transparent(struct bridge *br, bool on)
{
	/* A bridge running STP consumes BPDUs; one forwarding them would
	 * hide itself from the tree it takes part in. */
	if (on && br->opt.stp_state)
		return -EBUSY;
	br->opt.transparent = on;
	return 0;
}

int
bridge_set_hub(struct bridge *br, bool on)
{
	br->opt.hub = on;
	return 0;
}

int
bridge_set_priority(struct bridge *br, uint16_t prio)
{
	br->opt.priority = prio;
	stp_glue_bridge_config(br);
	return 0;
}

int
bridge_set_hello_time_cs(struct bridge *br, uint32_t cs)
{
	if (cs < 100 || cs > 1000)
		return -ERANGE;
	br->opt.hello_time_cs = cs;
	stp_glue_bridge_config(br);
	return 0;
}

int
bridge_set_max_age_cs(struct bridge *br, uint32_t cs)
{
	if (cs < 600 || cs > 4000)
		return -ERANGE;
	br->opt.max_age_cs = cs;
	stp_glue_bridge_config(br);
	return 0;
}

int
bridge_set_forward_delay_cs(struct bridge *br, uint32_t cs)
{
	if (br->opt.stp_state && !fd_in_stp_range(cs))
		return -ERANGE;
	br->opt.forward_delay_cs = cs;
	stp_glue_bridge_config(br);
	return 0;
}

int
bridge_set_mac(struct bridge *br, const struct eth_addr *mac)
{
	if (eth_addr_is_multicast(mac) || eth_addr_is_zero(mac))
		return -EINVAL;
	if (br->mac_set) {
		fdb_del(br->fdb, &br->mac, 0, FDB_PORT_BRIDGE);
		for (uint16_t vid = vlan_port_next(&br->self_vlans, 0); vid;
		     vid = vlan_port_next(&br->self_vlans, vid))
			fdb_del(br->fdb, &br->mac, vid, FDB_PORT_BRIDGE);
	}
	br->mac = *mac;
	br->mac_set = true;
	host_set_mac(br);
	stp_glue_bridge_config(br);	/* the bridge id changes at once */
	if (!fdb_lookup(br->fdb, mac, 0))
		fdb_add(br->fdb, mac, 0, FDB_PORT_BRIDGE,
			FDB_F_LOCAL | FDB_F_STATIC, br->now_ms);
	for (uint16_t vid = vlan_port_next(&br->self_vlans, 0); vid;
	     vid = vlan_port_next(&br->self_vlans, vid))
		if (!fdb_lookup(br->fdb, mac, vid))
			fdb_add(br->fdb, mac, vid, FDB_PORT_BRIDGE,
				FDB_F_LOCAL | FDB_F_STATIC, br->now_ms);
	return 0;
}

void
bridge_unpin_mac(struct bridge *br)
{
	if (!br->mac_set)
		return;
	fdb_del(br->fdb, &br->mac, 0, FDB_PORT_BRIDGE);
	for (uint16_t vid = vlan_port_next(&br->self_vlans, 0); vid;
	     vid = vlan_port_next(&br->self_vlans, vid))
		fdb_del(br->fdb, &br->mac, vid, FDB_PORT_BRIDGE);
	br->mac_set = false;
	bridge_update_mac(br);
}

int
bridge_set_admin_up(struct bridge *br, bool up)
{
	if (br->admin_up == up)
		return 0;
	br->admin_up = up;
	host_set_admin_up(br);
	/* Down disables every port, which flushes their dynamic entries
	 * (T25); up enables the ports whose link is up. */
	stp_glue_bridge_up(br, up);
	return 0;
}

/* --- bridge options (the table) --------------------------------------- */

/* lib/ cannot see the VLAN module; its numbers must agree. */
_Static_assert(VLAN_VID_MAX == 4094, "BRIDGE_OPT_VID limit");
_Static_assert(VLAN_DEFAULT_PVID == 1 && ETH_TYPE_VLAN == 0x8100,
	       "BRIDGE_OPTIONS defaults");

int
bridge_check_option(enum bridge_opt opt, uint32_t value)
{
	const struct bridge_opt_info *info;

	if ((unsigned)opt >= BRIDGE_OPT_N)
		return -EINVAL;
	info = &bridge_opt_info[opt];
	if (value < info->min || value > info->max)
		return -ERANGE;
	if (bridge_opt_refused_bit(opt, value) >= 0)
		return -EINVAL;
	return 0;
}

int
bridge_set_option(struct bridge *br, enum bridge_opt opt, uint32_t value)
{
	int err = bridge_check_option(opt, value);

	if (err)
		return err;
	switch (opt) {
#define SET(id, name, alias, type, min, max, refuse, def, unit, member,	\
	    help)							\
	case BRIDGE_OPT_##id:						\
		return bridge_set_##member(br, value);
	BRIDGE_OPTIONS(SET)
#undef SET
	case BRIDGE_OPT_N:
		break;
	}
	return -EINVAL;
}

uint32_t
bridge_get_option(const struct bridge *br, enum bridge_opt opt)
{
	ASSERT((unsigned)opt < BRIDGE_OPT_N);
	switch (opt) {
#define GET(id, name, alias, type, min, max, refuse, def, unit, member,	\
	    help)							\
	case BRIDGE_OPT_##id:						\
		return br->opt.member;
	BRIDGE_OPTIONS(GET)
#undef GET
	case BRIDGE_OPT_N:
		break;
	}
	return 0;
}

void
bridge_restore_option(struct bridge *br, enum bridge_opt opt, uint32_t value)
{
	int err = bridge_set_option(br, opt, value);

	if (err)
		log_warn(MOD, "%s: cannot restore %s %u: %s", br->name,
			 bridge_opt_info[opt].name, value, strerror(-err));
}

void
bridge_save(const struct bridge *br, struct bridge_saved *s)
{
	for (int opt = 0; opt < BRIDGE_OPT_N; opt++)
		s->val[opt] = bridge_get_option(br, opt);
	s->mac = br->mac;
	s->mac_set = br->mac_set;
	s->admin_up = br->admin_up;
}

void
bridge_restore(struct bridge *br, const struct bridge_saved *s)
{
	for (int opt = BRIDGE_OPT_N - 1; opt >= 0; opt--)
		if (bridge_get_option(br, opt) != s->val[opt])
			bridge_restore_option(br, opt, s->val[opt]);
	if (!s->mac_set)
		bridge_unpin_mac(br);
	else if (!br->mac_set || !eth_addr_equals(&br->mac, &s->mac))
		bridge_set_mac(br, &s->mac);
	bridge_set_admin_up(br, s->admin_up);
}

int
bridge_change_apply(struct bridge *br, const struct bridge_change *c,
		    int *failed)
{
	struct bridge_saved saved;
	int opt, err = 0;

	for (opt = 0; opt < BRIDGE_OPT_N; opt++)
		if (c->given[opt] &&
		    (err = bridge_check_option(opt, c->val[opt])))
			goto refused;
	bridge_save(br, &saved);
	for (opt = 0; opt < BRIDGE_OPT_N; opt++)
		if (c->given[opt] &&
		    (err = bridge_set_option(br, opt, c->val[opt])))
			goto undo;
	opt = BRIDGE_CHANGE_MAC;
	if (c->has_mac && (err = bridge_set_mac(br, &c->mac)))
		goto undo;
	if (c->has_up)
		bridge_set_admin_up(br, c->up);
	return 0;

undo:
	bridge_restore(br, &saved);
refused:
	*failed = opt;
	return err;
}

/* --- port options ----------------------------------------------------- */

int
bridge_port_set_option(struct bridge *br, struct port *port,
		       enum port_opt opt, uint32_t value)
{
	const struct port_opt_info *info;

	if ((unsigned)opt >= PORT_OPT_N)
		return -EINVAL;
	info = &port_opt_info[opt];
	if (value < info->min || value > info->max)
		return -ERANGE;
	if (port_opt_refused_bit(opt, value) >= 0)
		return -EINVAL;
	switch (opt) {
#define SET_FLAG(id, name, bit, def, help)				\
	case PORT_OPT_##id:						\
		return bridge_port_set_flag(br, port, PORT_F_##bit, value);
#define SET_NUM(id, name, member, setter, ...)				\
	case PORT_OPT_##id:						\
		return bridge_port_set_##setter(br, port, value);
	PORT_OPTIONS(SET_FLAG, SET_NUM)
#undef SET_FLAG
#undef SET_NUM
	case PORT_OPT_N:
		break;
	}
	return -EINVAL;
}

/* Whether a user set 'opt', for the options whose default is PORT_OPT_AUTO:
 * each keeps its own marker, set by its setter. */
static bool
option_is_set(const struct port *port, enum port_opt opt)
{
	switch (opt) {
	case PORT_OPT_COST:
		return port->path_cost_set;
	default:
		/* A PORT_OPT_AUTO default needs a marker above. */
		ASSERT(port_opt_info[opt].def != PORT_OPT_AUTO);
		return true;
	}
}

static void
option_mark_set(struct port *port, enum port_opt opt, bool set)
{
	switch (opt) {
	case PORT_OPT_COST:
		port->path_cost_set = set;
		break;
	default:
		break;
	}
}

bool
bridge_port_get_option(const struct port *port, enum port_opt opt,
		       uint32_t *value)
{
	ASSERT((unsigned)opt < PORT_OPT_N);
	switch (opt) {
#define GET_FLAG(id, name, bit, def, help)				\
	case PORT_OPT_##id:						\
		*value = !!(port->flags & PORT_F_##bit);		\
		break;
#define GET_NUM(id, name, member, ...)					\
	case PORT_OPT_##id:						\
		*value = port->member;					\
		break;
	PORT_OPTIONS(GET_FLAG, GET_NUM)
#undef GET_FLAG
#undef GET_NUM
	case PORT_OPT_N:
		break;
	}
	return option_is_set(port, opt);
}

void
bridge_port_restore_option(struct bridge *br, struct port *port,
			   enum port_opt opt, uint32_t value, bool was_set)
{
	int err = bridge_port_set_option(br, port, opt, value);

	if (err)
		log_warn(MOD, "%s: cannot restore %s %u: %s", port->name,
			 port_opt_info[opt].name, value, strerror(-err));
	option_mark_set(port, opt, was_set);
}

void
bridge_port_save(const struct port *port, struct bridge_port_saved *s)
{
	for (int opt = 0; opt < PORT_OPT_N; opt++)
		s->set[opt] = bridge_port_get_option(port, opt, &s->val[opt]);
	s->admin_up = port->admin_up;
	s->state = port->state;
}

void
bridge_port_restore(struct bridge *br, struct port *port,
		    const struct bridge_port_saved *s)
{
	int err;

	for (int opt = PORT_OPT_N - 1; opt >= 0; opt--) {
		uint32_t v;
		bool set = bridge_port_get_option(port, opt, &v);

		if (v != s->val[opt] || set != s->set[opt])
			bridge_port_restore_option(br, port, opt, s->val[opt],
						   s->set[opt]);
	}
	if (port->admin_up != s->admin_up &&
	    (err = bridge_port_set_admin_up(br, port, s->admin_up)))
		log_warn(MOD, "%s: cannot restore %s: %s", port->name,
			 s->admin_up ? "up" : "down", strerror(-err));
	if (port->state != s->state && !br->opt.stp_state &&
	    (err = bridge_port_set_state(br, port, s->state)))
		log_warn(MOD, "%s: cannot restore state %s: %s", port->name,
			 port_state_name(s->state), strerror(-err));
}

int
bridge_port_change_apply(struct bridge *br, struct port *port,
			 const struct bridge_port_change *c, int *failed)
{
	const struct port_opt_info *info;
	struct bridge_port_saved saved;
	int opt, err = -ERANGE;

	for (opt = 0; opt < PORT_OPT_N; opt++) {
		if (!c->given[opt])
			continue;
		info = &port_opt_info[opt];
		if (c->val[opt] < info->min || c->val[opt] > info->max)
			goto refused;
		err = -EINVAL;
		if (port_opt_refused_bit(opt, c->val[opt]) >= 0)
			goto refused;
	}
	opt = BRIDGE_PORT_CHANGE_STATE;
	if (c->has_state &&
	    (err = bridge_port_check_state(br, port, c->state,
					   c->has_up ? c->up
						     : port->admin_up)))
		goto refused;

	bridge_port_save(port, &saved);
	for (opt = 0; opt < PORT_OPT_N; opt++)
		if (c->given[opt] &&
		    (err = bridge_port_set_option(br, port, opt, c->val[opt])))
			goto undo;
	opt = BRIDGE_PORT_CHANGE_UP;
	if (c->has_up && (err = bridge_port_set_admin_up(br, port, c->up)))
		goto undo;
	opt = BRIDGE_PORT_CHANGE_STATE;
	if (c->has_state && (err = bridge_port_set_state(br, port, c->state)))
		goto undo;
	/* Last: the only step the undo does not put back. */
	opt = BRIDGE_PORT_CHANGE_CARRIER;
	if (c->has_carrier &&
	    (err = bridge_port_set_carrier(br, port, c->carrier)))
		goto undo;
	return 0;

undo:
	bridge_port_restore(br, port, &saved);
refused:
	*failed = opt;
	return err;
}

int
bridge_port_check_state(const struct bridge *br, const struct port *port,
			enum port_state state, bool admin_up)
{
	if ((unsigned)state > PORT_BLOCKING)
		return -EINVAL;
	if (br->opt.stp_state)
		return -EBUSY;
	if (!admin_up || !port_has_carrier(port) || !br->admin_up)
		return state == PORT_DISABLED ? 0 : -ENETDOWN;
	return 0;
}

int
bridge_port_set_flag(struct bridge *br, struct port *port, uint32_t flag,
		     bool on)
{
	(void)br;
	if (!flag || (flag & (flag - 1)) || !(flag & PORT_F_ALL))
		return -EINVAL;
	if (on)
		port->flags |= flag;
	else
		port->flags &= ~flag;
	if (flag & (PORT_F_ROOT_BLOCK | PORT_F_BPDU_GUARD))
		return stp_glue_port_config(br, port);
	return 0;
}

int
bridge_port_set_group_fwd_mask(struct bridge *br, struct port *port,
			       uint16_t mask)
{
	(void)br;
	if (mask & 0x0002)	/* PAUSE can never be forwarded */
		return -EINVAL;
	port->group_fwd_mask = mask;
	return 0;
}

int
bridge_port_set_mtu(struct bridge *br, struct port *port, uint32_t mtu)
{
	int err = 0;

	(void)br;
	if (mtu < 68 || mtu > PKT_DATA_MAX - ETH_HDR_LEN - ETH_VLAN_HDR_LEN)
		return -EINVAL;
	if (port->class->set_mtu)
		err = port->class->set_mtu(port, mtu);
	if (!err)
		port->mtu = mtu;
	return err;
}

int
bridge_port_set_admin_up(struct bridge *br, struct port *port, bool up)
{
	int err = 0;

	if (port->class->set_admin_up)
		err = port->class->set_admin_up(port, up);
	if (err)
		return err;
	port->admin_up = up;
	bridge_port_update_link(br, port);
	return 0;
}

int
bridge_port_set_state(struct bridge *br, struct port *port,
		      enum port_state state)
{
	int err = bridge_port_check_state(br, port, state, port->admin_up);

	if (err || !port_is_enabled(port) || !br->admin_up)
		return err;
	/* With STP off the kernel re-runs state selection at once, so
	 * blocking bounces back to forwarding; the others stick (§3.3). */
	port->state = state == PORT_BLOCKING ? PORT_FORWARDING : state;
	if (state == PORT_DISABLED)
		bridge_event_fdb_flush(br->events, &(struct fdb_flush_filter){
			.port_no = port->port_no, .vid = FDB_VID_ANY,
			.flags_mask = FDB_F_LOCAL | FDB_F_STATIC });
	return 0;
}

int
bridge_port_set_path_cost(struct bridge *br, struct port *port,
			  uint32_t cost)
{
	if (cost < 1 || cost > 65535)
		return -ERANGE;
	port->path_cost = cost;
	port->path_cost_set = true;
	return stp_glue_port_config(br, port);
}

int
bridge_port_set_auto_path_cost(struct bridge *br, struct port *port,
			       uint32_t cost)
{
	if (cost < 1 || cost > 65535)
		return -ERANGE;
	port->path_cost = cost;
	port->path_cost_set = false;
	return stp_glue_port_config(br, port);
}

int
bridge_port_set_priority(struct bridge *br, struct port *port, uint32_t prio)
{
	if (prio > 63)
		return -ERANGE;
	port->stp_priority = (uint8_t)prio;
	return stp_glue_port_config(br, port);
}

int
bridge_port_set_storm_limit(struct bridge *br, struct port *port,
			    uint32_t pps)
{
	(void)br;
	tbucket_reset(&port->storm.tb, pps, clock_now_ms());
	port->storm.pps = pps;
	return 0;
}

static int
impair_check(const struct port *port, uint32_t value)
{
	return value && !port->class->impair_ok ? -EOPNOTSUPP : 0;
}

int
bridge_port_set_impair_delay(struct bridge *br, struct port *port,
			     uint32_t ms)
{
	int err = impair_check(port, ms);

	(void)br;
	if (!err)
		port->impair.delay_ms = ms;
	return err;
}

int
bridge_port_set_impair_loss(struct bridge *br, struct port *port,
			    uint32_t mpct)
{
	int err = impair_check(port, mpct);

	(void)br;
	if (!err) {
		port->impair.loss_mpct = mpct;
		port->impair.draws = 0;
	}
	return err;
}

int
bridge_port_set_impair_rate(struct bridge *br, struct port *port,
			    uint32_t kbit)
{
	int err = impair_check(port, kbit);

	(void)br;
	if (!err)
		port->impair.rate_kbit = kbit;
	return err;
}

int
bridge_port_set_impair_seed(struct bridge *br, struct port *port,
			    uint32_t seed)
{
	int err = impair_check(port, seed);

	(void)br;
	if (!err) {
		port->impair.seed = seed;
		port->impair.draws = 0;
	}
	return err;
}

int
bridge_port_set_carrier(struct bridge *br, struct port *port, bool on)
{
	bool was_off = port->carrier_off;
	int err = 0;

	port->carrier_off = !on;
	if (was_off != !on && port->class->set_carrier &&
	    (err = port->class->set_carrier(port, on))) {
		port->carrier_off = was_off;
		return err;
	}
	if (was_off != !on)
		log_info(MOD, "%s: carrier %s (set by the user)", port->name,
			 on ? "on" : "off");
	bridge_port_update_link(br, port);
	return 0;
}

/* --- VLANs and user FDB entries --------------------------------------- */

int
bridge_vlan_add(struct bridge *br, struct port *port, uint16_t vid,
		bool pvid, bool untagged)
{
	struct vlan_port *vp = port ? &port->vlans : &br->self_vlans;
	int err = vlan_port_add(vp, vid, pvid, untagged);

	if (err)
		return err;
	if (port) {
		port_fdb_local_add(br, port, vid);
	} else if (br->mac_set && !fdb_lookup(br->fdb, &br->mac, vid)) {
		fdb_add(br->fdb, &br->mac, vid, FDB_PORT_BRIDGE,
			FDB_F_LOCAL | FDB_F_STATIC, br->now_ms);
	}
	return 0;
}

int
bridge_vlan_del(struct bridge *br, struct port *port, uint16_t vid)
{
	struct vlan_port *vp = port ? &port->vlans : &br->self_vlans;
	struct fdb_flush_filter f = {
		.port_no = port ? port->port_no : FDB_PORT_BRIDGE,
		.vid = vid,
	};
	int err = vlan_port_del(vp, vid);

	if (err)
		return err;
	/* Every entry of the device in 'vid' goes.  The kernel flushes the
	 * dynamic ones and the device's own local entry but keeps static and
	 * user permanent ones, which it would then refuse to add back
	 * ("RTM_NEWNEIGH with unconfigured vlan"): such an entry can never
	 * be used (no frame of 'vid' reaches or leaves the device, and with
	 * filtering off the FDB uses VID 0), and a configuration holding it
	 * could not be loaded again. */
	bridge_event_fdb_flush(br->events, &f);
	return 0;
}

int
bridge_fdb_add(struct bridge *br, struct port *port,
	       const struct eth_addr *mac, uint16_t vid, uint8_t flags)
{
	uint16_t port_no = port ? port->port_no : FDB_PORT_BRIDGE;
	const struct vlan_port *vp = port ? &port->vlans : &br->self_vlans;
	int err;

	if (eth_addr_is_multicast(mac) || eth_addr_is_zero(mac))
		return -EINVAL;
	if ((flags & FDB_F_LOCAL) && (flags & FDB_F_STICKY))
		return -EINVAL;
	if (!port && !(flags & FDB_F_LOCAL))
		return -EINVAL;
	if (port && !(flags & (FDB_F_LOCAL | FDB_F_STATIC)) &&
	    port->state != PORT_LEARNING && port->state != PORT_FORWARDING)
		return -EPERM;
	if (flags & FDB_F_LOCAL)
		flags |= FDB_F_STATIC;
	flags |= FDB_F_USER;
	if (vid != FDB_VID_ANY) {
		if (vid > VLAN_VID_MAX || (vid && !vlan_port_has(vp, vid)))
			return -EINVAL;
		err = fdb_add(br->fdb, mac, vid, port_no, flags, br->now_ms);
	} else {
		err = fdb_add(br->fdb, mac, 0, port_no, flags, br->now_ms);
		for (uint16_t v = vlan_port_next(vp, 0); v && !err;
		     v = vlan_port_next(vp, v))
			err = fdb_add(br->fdb, mac, v, port_no, flags,
				      br->now_ms);
	}
	if (!err)
		bridge_event_fdb(br->events, BRIDGE_EV_FDB_USER_ADD, mac, vid,
				 port_no, flags);
	return err;
}

int
bridge_fdb_del(struct bridge *br, struct port *port,
	       const struct eth_addr *mac, uint16_t vid)
{
	uint16_t port_no = port ? port->port_no : FDB_PORT_BRIDGE;
	const struct vlan_port *vp = port ? &port->vlans : &br->self_vlans;
	int err;

	if (vid != FDB_VID_ANY) {
		err = fdb_del(br->fdb, mac, vid, port_no);
	} else {
		err = fdb_del(br->fdb, mac, 0, port_no);
		for (uint16_t v = vlan_port_next(vp, 0); v;
		     v = vlan_port_next(vp, v))
			if (!fdb_del(br->fdb, mac, v, port_no))
				err = 0;
	}
	if (!err)
		bridge_event_fdb(br->events, BRIDGE_EV_FDB_USER_DEL, mac, vid,
				 port_no, 0);
	return err;
}

size_t
bridge_fdb_flush(struct bridge *br, const struct fdb_flush_filter *filter)
{
	return bridge_event_fdb_flush(br->events, filter);
}

/* --- running ------------------------------------------------------------ */

void
bridge_run(struct bridge *br, uint64_t now_ms)
{
	br->now_ms = now_ms;
	stp_glue_run(br, now_ms);
	bridge_event_fdb_age(br->events, now_ms);
}

int
bridge_port_input(struct bridge *br, struct port *port)
{
	struct pkt *pkts[PKT_BURST];
	int n = port_rx_burst(port, br->pool, pkts, PKT_BURST);

	if (n <= 0)
		return n;
	if (port->is_host)
		dp_host_input(br, pkts, n);
	else
		dp_input(br, port, pkts, n);
	return n;
}
