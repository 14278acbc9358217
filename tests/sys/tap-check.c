/*
 * tap-check.c - the tap port class and nl.c against real TAP devices and a
 * network namespace (needs root: CAP_NET_ADMIN and CAP_SYS_ADMIN).
 *
 * It links port-tap.c, nl.c and port.c alone, with the three bridge
 * functions a tap port calls replaced by recorders below, so it runs
 * without the rest of the daemon.  The far end of each TAP is driven from
 * the test through an AF_PACKET socket bound to the netdev: what the test
 * sends there arrives on the port's fd (rx_burst), what the port writes
 * the test receives.  Every device and namespace is named "vstt*"; each
 * test removes what it made, and a leftover namespace is removed at start.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ev.h>

#include "bridge.h"
#include "nl.h"
#include "pkt.h"
#include "port-provider.h"
#include "port-tap.h"
#include "util.h"

#define TAP0 "vstt0"
#define NS0  "vsttns0"
#define NS1  "lsttns1"		/* the netns argument's test */

/* --- recorders standing in for bridge.c ------------------------------- */

static struct pkt_pool *pool;
static struct bridge test_br;
static int n_input_calls, n_input_frames, n_update_calls, n_admin_calls;
static uint8_t last_frame[2048];
static uint32_t last_len;

int
bridge_port_input(struct bridge *br, struct port *port)
{
	struct pkt *pkts[PKT_BURST];
	int n = port_rx_burst(port, pool, pkts, PKT_BURST);

	(void)br;
	n_input_calls++;
	for (int i = 0; i < n; i++) {
		n_input_frames++;
		last_len = MIN(pkts[i]->len, sizeof last_frame);
		memcpy(last_frame, pkts[i]->data, last_len);
		pkt_free(pool, pkts[i]);
	}
	return n;
}

void
bridge_port_update_link(struct bridge *br, struct port *port)
{
	(void)br; (void)port;
	n_update_calls++;
}

int
bridge_set_admin_up(struct bridge *br, bool up)
{
	br->admin_up = up;
	n_admin_calls++;
	return 0;
}

/* The registry, as far as this program has classes: the tap class. */
extern const struct port_class port_tap_class;

const struct port_class *
port_class_lookup(const char *type)
{
	return strcmp(type, "tap") ? NULL : &port_tap_class;
}

/* port_tap_attach_host() hands the host port to the bridge; the tests
 * here open host ports with port_tap_open_host() and never attach one. */
int
bridge_set_host_port(struct bridge *br, struct port *host)
{
	(void)br; (void)host;
	return -EOPNOTSUPP;
}

/* --- helpers ------------------------------------------------------------ */

static void
run_cmd(const char *cmd)
{
	int rc = system(cmd);

	ck_assert_msg(rc == 0, "'%s' failed (%d)", cmd, rc);
}

static void
setup(void)
{
	n_input_calls = n_input_frames = n_update_calls = n_admin_calls = 0;
	pool = pkt_pool_create(8);
	memset(&test_br, 0, sizeof test_br);
	test_br.admin_up = true;
	(void)system("ip netns del " NS0 " 2>/dev/null; "
		     "ip netns del " NS1 " 2>/dev/null; "
		     "ip link del " TAP0 " 2>/dev/null");
}

static void
teardown(void)
{
	(void)system("ip netns del " NS0 " 2>/dev/null; "
		     "ip netns del " NS1 " 2>/dev/null; "
		     "ip link del " TAP0 " 2>/dev/null");
	pkt_pool_destroy(pool);
}

static struct port *
open_tap(const char *name)
{
	struct port *port;
	int err = port_tap_open(name, NULL, &port);

	ck_assert_msg(err == 0, "port_tap_open(%s): %s", name, strerror(-err));
	return port;
}

/* A raw socket on netdev 'ifname': the far end of the TAP. */
static int
far_end_open(const char *ifname)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_protocol = htons(ETH_P_ALL) };
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, htons(ETH_P_ALL));

	ck_assert_int_ge(fd, 0);
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	ck_assert_int_gt(sll.sll_ifindex, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sll, sizeof sll), 0);
	return fd;
}

static void
far_end_send(int fd, const void *frame, size_t len)
{
	ck_assert_int_eq(send(fd, frame, len, 0), (ssize_t)len);
}

/* Receives one frame the far end got (not one it sent), waiting up to
 * 'ms'.  Returns its length or -1. */
static ssize_t
far_end_recv(int fd, uint8_t *buf, size_t size, int ms)
{
	for (int waited = 0; waited <= ms; waited += 10) {
		struct sockaddr_ll from;
		socklen_t fl = sizeof from;
		ssize_t r = recvfrom(fd, buf, size, 0,
				     (struct sockaddr *)&from, &fl);

		if (r >= 0 && from.sll_pkttype != PACKET_OUTGOING)
			return r;
		if (r < 0)
			usleep(10000);
	}
	return -1;
}

static void
make_frame(uint8_t *f, size_t len, uint8_t tag)
{
	static const uint8_t dst[6] = { 0x02, 0, 0, 0, 0, 0x02 };
	static const uint8_t src[6] = { 0x02, 0, 0, 0, 0, 0x01 };

	memset(f, tag, len);
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x88;		/* local experimental EtherType 88b5 */
	f[13] = 0xb5;
}

/* Runs 'loop' until '*counter' reaches 'want' or 'ms' pass. */
static void
run_until(struct ev_loop *loop, const int *counter, int want, int ms)
{
	for (int waited = 0; *counter < want && waited < ms; waited += 5) {
		ev_run(loop, EVRUN_NOWAIT);
		usleep(5000);
	}
	ev_run(loop, EVRUN_NOWAIT);
}

/* --- tests ---------------------------------------------------------------- */

START_TEST(test_open_reads_netdev)
{
	struct nl_link_info info;
	struct port *port = open_tap(TAP0);

	ck_assert_str_eq(port->class->type, "tap");
	ck_assert(port_is_tap(port));
	ck_assert_int_eq(nl_link_get(TAP0, &info), 0);
	ck_assert_uint_eq(port->mtu, info.mtu);
	ck_assert(info.flags & IFF_UP);
	/* The netdev's MAC is the far end's, not the port's. */
	ck_assert(memcmp(&port->mac, &info.mac, sizeof info.mac) != 0);
	ck_assert(!eth_addr_is_multicast(&port->mac));
	ck_assert(port->mac.ea[0] & 0x02);
	ck_assert(port_has_carrier(port));
	ck_assert_uint_eq(port->path_cost,
			  nl_path_cost_for_speed(nl_link_speed_mbps(TAP0)));
	ck_assert(access("/proc/sys/net/ipv6/conf/" TAP0 "/disable_ipv6",
			 F_OK) != 0 ||
		  system("grep -qx 1 /proc/sys/net/ipv6/conf/" TAP0
			 "/disable_ipv6") == 0);
	port_close(port);
	/* Persistent: it outlives the port (a daemon restart), marked with
	 * the alias a later open finds it by; only a destroy removes it. */
	ck_assert_uint_ne(if_nametoindex(TAP0), 0);
	ck_assert_int_eq(system("ip -d link show " TAP0
				" | grep -q 'alias vswitchd:" TAP0 "$'"), 0);
	port = open_tap(TAP0);
	port->destroy_device = true;
	port_close(port);
	ck_assert_uint_eq(if_nametoindex(TAP0), 0);
}
END_TEST

START_TEST(test_bad_names_and_attach_only)
{
	struct port_tap_args args = { .attach_only = true };
	struct port *port = NULL;

	ck_assert_int_eq(port_tap_open("", NULL, &port), -EINVAL);
	ck_assert_int_eq(port_tap_open("vstt-name-far-too-long", NULL, &port),
			 -EINVAL);
	ck_assert_int_eq(port_tap_open("vs/t", NULL, &port), -EINVAL);
	ck_assert_int_eq(port_tap_open(TAP0, &args, &port), -ENODEV);
	ck_assert_ptr_null(port);
	/* Not a TAP. */
	ck_assert_int_ne(port_tap_open("lo", NULL, &port), 0);
}
END_TEST

START_TEST(test_attach_persistent_keeps_it)
{
	struct port_tap_args args = { .attach_only = true };
	struct port *port;

	run_cmd("ip tuntap add dev " TAP0 " mode tap");
	ck_assert_int_eq(port_tap_open(TAP0, &args, &port), 0);
	ck_assert(port_has_carrier(port));
	port_close(port);
	ck_assert_uint_ne(if_nametoindex(TAP0), 0);
}
END_TEST

START_TEST(test_rx_tx)
{
	struct port *port = open_tap(TAP0);
	int far = far_end_open(TAP0);
	uint8_t f[1514], got[2048];
	struct pkt *pkts[PKT_BURST];
	int n;

	make_frame(f, 100, 0xa1);
	far_end_send(far, f, 100);
	make_frame(f, 1514, 0xa2);
	far_end_send(far, f, 1514);
	usleep(20000);
	n = port_rx_burst(port, pool, pkts, PKT_BURST);
	ck_assert_int_eq(n, 2);
	ck_assert_uint_eq(pkts[0]->len, 100);
	ck_assert_uint_eq(pkts[0]->data[50], 0xa1);
	ck_assert_uint_eq(pkts[1]->len, 1514);
	ck_assert_int_eq(memcmp(pkts[1]->data, f, 1514), 0);
	/* Nothing pending: 0, not an error. */
	ck_assert_int_eq(port_rx_burst(port, pool, pkts + 2, 1), 0);

	ck_assert_int_eq(port_tx_burst(port, pkts, 2), 2);
	ck_assert_int_eq(far_end_recv(far, got, sizeof got, 500), 100);
	ck_assert_uint_eq(got[50], 0xa1);
	ck_assert_int_eq(far_end_recv(far, got, sizeof got, 500), 1514);
	ck_assert_int_eq(memcmp(got, f, 1514), 0);
	pkt_free(pool, pkts[0]);
	pkt_free(pool, pkts[1]);
	close(far);
	port_close(port);
}
END_TEST

START_TEST(test_rx_drops)
{
	struct port *port = open_tap(TAP0);
	int far = far_end_open(TAP0);
	struct pkt *pkts[PKT_BURST], *held[8];
	uint8_t f[64];
	int n;

	/* The pool has 8 packets: take them all. */
	for (int i = 0; i < 8; i++)
		ck_assert_ptr_nonnull(held[i] = pkt_alloc(pool));
	make_frame(f, 64, 0xb1);
	far_end_send(far, f, 64);
	usleep(20000);
	ck_assert_int_eq(port_rx_burst(port, pool, pkts, PKT_BURST), 0);
	ck_assert_uint_eq(port->stats.drops[PORT_DROP_NO_BUFFER], 1);
	for (int i = 0; i < 8; i++)
		pkt_free(pool, held[i]);

	/* A 14-byte frame passes, the max burst is honoured. */
	for (int i = 0; i < 5; i++)
		far_end_send(far, f, 14);
	usleep(20000);
	n = port_rx_burst(port, pool, pkts, 3);
	ck_assert_int_eq(n, 3);
	for (int i = 0; i < n; i++)
		pkt_free(pool, pkts[i]);
	n = port_rx_burst(port, pool, pkts, PKT_BURST);
	ck_assert_int_eq(n, 2);
	for (int i = 0; i < n; i++)
		pkt_free(pool, pkts[i]);
	ck_assert_uint_eq(port->stats.drops[PORT_DROP_RUNT], 0);
	ck_assert_uint_eq(pkt_pool_avail(pool), 8);
	close(far);
	port_close(port);
}
END_TEST

START_TEST(test_tx_to_down_netdev)
{
	struct port *port = open_tap(TAP0);
	struct pkt *p = pkt_alloc(pool);

	make_frame(p->data, 60, 0xc1);
	p->len = 60;
	ck_assert_int_eq(nl_link_set_up(TAP0, false), 0);
	/* The kernel refuses it (EIO): not sent, no crash, no block. */
	ck_assert_int_eq(port_tx_burst(port, &p, 1), 0);
	pkt_free(pool, p);
	port_close(port);
}
END_TEST

START_TEST(test_watch_input)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct port *port = open_tap(TAP0);
	int far = far_end_open(TAP0);
	uint8_t f[60];

	port->br = &test_br;
	port->class->watch(port, loop);
	make_frame(f, 60, 0xd1);
	far_end_send(far, f, 60);
	run_until(loop, &n_input_frames, 1, 1000);
	ck_assert_int_eq(n_input_frames, 1);
	ck_assert_uint_eq(last_len, 60);
	ck_assert_uint_eq(last_frame[40], 0xd1);
	port->class->watch(port, NULL);
	port->br = NULL;
	close(far);
	port_close(port);
	ev_loop_destroy(loop);
}
END_TEST

START_TEST(test_carrier_changes)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct port *port = open_tap(TAP0);
	int before;

	port->br = &test_br;
	port->class->watch(port, loop);
	ck_assert(port_has_carrier(port));
	before = n_update_calls;
	run_cmd("ip link set dev " TAP0 " down");
	run_until(loop, &n_update_calls, before + 1, 2000);
	ck_assert_int_eq(n_update_calls, before + 1);
	ck_assert(!port_has_carrier(port));
	run_cmd("ip link set dev " TAP0 " up");
	run_until(loop, &n_update_calls, before + 2, 2000);
	ck_assert_int_eq(n_update_calls, before + 2);
	ck_assert(port_has_carrier(port));
	/* A change that is not up/down (MTU) is not a link change. */
	ck_assert_int_eq(port->class->set_mtu(port, 1400), 0);
	ck_assert_uint_eq(port->mtu, 1400);
	run_until(loop, &n_update_calls, before + 3, 300);
	ck_assert_int_eq(n_update_calls, before + 2);
	/* set_admin_up acts on the netdev. */
	ck_assert_int_eq(port->class->set_admin_up(port, false), 0);
	ck_assert(!port_has_carrier(port));
	ck_assert_int_eq(port->class->set_admin_up(port, true), 0);
	ck_assert(port_has_carrier(port));
	port->class->watch(port, NULL);
	port->br = NULL;
	port_close(port);
	ev_loop_destroy(loop);
}
END_TEST

/* The TAP moves into a namespace (its fd keeps working) and is set up and
 * down there: the watcher still notices. */
START_TEST(test_carrier_in_other_netns)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct port *port = open_tap(TAP0);
	struct pkt *p;

	port->br = &test_br;
	port->class->watch(port, loop);
	run_cmd("ip netns add " NS0);
	run_cmd("ip link set dev " TAP0 " netns " NS0);
	ev_run(loop, EVRUN_NOWAIT);
	usleep(50000);
	ev_run(loop, EVRUN_NOWAIT);
	/* Moving brings the netdev down. */
	ck_assert(!port_has_carrier(port));
	run_cmd("ip -n " NS0 " link set dev " TAP0 " up");
	run_until(loop, &n_update_calls, 99, 500);
	ck_assert(port_has_carrier(port));
	run_cmd("ip -n " NS0 " link set dev " TAP0 " down");
	run_until(loop, &n_update_calls, 99, 500);
	ck_assert(!port_has_carrier(port));
	/* Setters follow it there too. */
	ck_assert_int_eq(port->class->set_admin_up(port, true), 0);
	ck_assert(port_has_carrier(port));
	ck_assert_int_eq(system("ip -n " NS0 " link show dev " TAP0
				" | grep -q 'UP,LOWER_UP'"), 0);
	ck_assert_int_eq(port->class->set_mtu(port, 1280), 0);
	ck_assert_int_eq(system("ip -n " NS0 " link show dev " TAP0
				" | grep -q 'mtu 1280'"), 0);
	/* And the fd still carries frames. */
	p = pkt_alloc(pool);
	make_frame(p->data, 60, 0xe1);
	p->len = 60;
	ck_assert_int_eq(port_tx_burst(port, &p, 1), 1);
	pkt_free(pool, p);
	port->class->watch(port, NULL);
	port->br = NULL;
	port_close(port);
	ev_loop_destroy(loop);
}
END_TEST

/* args->netns + ifname: the netdev is born in the namespace under its
 * name there, nothing in ours, its link changes there are heard; a second
 * open finds it there (by alias),
 * destroy removes it; a missing namespace is -ENOENT. */
START_TEST(test_open_in_netns)
{
	struct port_tap_args args = { .netns = NS1, .ifname = "eth0" };
	struct port_tap_args none = { .netns = "lsttns-none" };
	struct port_tap_args bad = { .netns = "../x" };
	struct ev_loop *loop;
	struct port *port;
	int err;

	run_cmd("ip netns add " NS1);
	err = port_tap_open(TAP0, &args, &port);
	ck_assert_msg(err == 0, "open in netns: %s", strerror(-err));
	ck_assert_uint_eq(if_nametoindex(TAP0), 0);
	ck_assert_int_eq(system("ip -n " NS1 " -d link show eth0 | grep -q "
				"'alias vswitchd:" TAP0 "$'"), 0);
	/* Up and with carrier while we hold it; IPv6 left to its stack. */
	ck_assert(port_has_carrier(port));
	ck_assert_int_eq(system("ip netns exec " NS1 " sh -c 'test \"$(cat "
				"/proc/sys/net/ipv6/conf/eth0/disable_ipv6)\" "
				"= 0'"), 0);
	/* The watcher hears it set down there (the namespace got an id). */
	loop = ev_loop_new(EVFLAG_AUTO);
	port->br = &test_br;
	port->class->watch(port, loop);
	run_cmd("ip -n " NS1 " link set eth0 down");
	run_until(loop, &n_update_calls, 1, 1000);
	ck_assert(!port_has_carrier(port));
	port->class->watch(port, NULL);
	port->br = NULL;
	ev_loop_destroy(loop);
	port_close(port);
	/* Kept; found again there (renamed meanwhile: by its alias). */
	run_cmd("ip -n " NS1 " link set eth0 name eth9");
	args.attach_only = true;
	err = port_tap_open(TAP0, &args, &port);
	ck_assert_msg(err == 0, "open again: %s", strerror(-err));
	ck_assert_int_eq(system("ip -n " NS1 " -o link show type tun | wc -l "
				"| grep -qx 1"), 0);
	port->destroy_device = true;
	port_close(port);
	ck_assert_int_ne(system("ip -n " NS1 " link show eth9 2>/dev/null"),
			 0);
	ck_assert_int_eq(port_tap_open(TAP0, &args, &port), -ENODEV);
	ck_assert_int_eq(port_tap_open(TAP0, &none, &port), -ENOENT);
	ck_assert_int_eq(port_tap_open(TAP0, &bad, &port), -EINVAL);
	ck_assert_uint_eq(if_nametoindex(TAP0), 0);
}
END_TEST

START_TEST(test_host_port)
{
	static const struct eth_addr mac = { { 0x02, 0x11, 0x22, 0x33, 0x44,
					       0x55 } };
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct nl_link_info info;
	struct port *host;

	ck_assert_int_eq(port_tap_open_host(TAP0, &host), 0);
	ck_assert(host->is_host);
	ck_assert_int_eq(nl_link_get(TAP0, &info), 0);
	ck_assert_int_eq(memcmp(&host->mac, &info.mac, sizeof info.mac), 0);
	ck_assert_int_eq(port_tap_set_host_mac(host, &mac), 0);
	ck_assert_int_eq(nl_link_get(TAP0, &info), 0);
	ck_assert_int_eq(memcmp(&info.mac, &mac, sizeof mac), 0);
	ck_assert_int_eq(memcmp(&host->mac, &mac, sizeof mac), 0);

	/* ip link set BRIDGE down/up is the bridge's admin state. */
	host->br = &test_br;
	host->class->watch(host, loop);
	run_cmd("ip link set dev " TAP0 " down");
	run_until(loop, &n_admin_calls, 1, 2000);
	ck_assert_int_eq(n_admin_calls, 1);
	ck_assert(!test_br.admin_up);
	ck_assert_int_eq(n_update_calls, 0);
	run_cmd("ip link set dev " TAP0 " up");
	run_until(loop, &n_admin_calls, 2, 2000);
	ck_assert(test_br.admin_up);
	host->class->watch(host, NULL);
	host->br = NULL;
	port_close(host);
	ev_loop_destroy(loop);
}
END_TEST

START_TEST(test_path_cost_table)
{
	ck_assert_uint_eq(nl_path_cost_for_speed(10000), 2);
	ck_assert_uint_eq(nl_path_cost_for_speed(1000), 4);
	ck_assert_uint_eq(nl_path_cost_for_speed(100), 19);
	ck_assert_uint_eq(nl_path_cost_for_speed(10), 100);
	ck_assert_uint_eq(nl_path_cost_for_speed(25000), 100);
	ck_assert_uint_eq(nl_path_cost_for_speed(0), 100);
	ck_assert_uint_eq(nl_default_path_cost("vstt-no-such-dev"), 100);
}
END_TEST

START_TEST(test_nl_errors)
{
	struct nl_link_info info;

	ck_assert_int_eq(nl_link_get("vstt-nodev", &info), -ENODEV);
	ck_assert_int_eq(nl_link_set_up("vstt-nodev", true), -ENODEV);
	ck_assert_int_eq(nl_link_set_mtu("lo", 10), -EINVAL);
	ck_assert_int_eq(nl_link_disable_ipv6("../x"), -EINVAL);
}
END_TEST

static Suite *
tap_suite(void)
{
	Suite *s = suite_create("port_tap");
	struct {
		const char *name;
		const TTest *test;
	} cases[] = {
		{ "open", test_open_reads_netdev },
		{ "bad_input", test_bad_names_and_attach_only },
		{ "persistent", test_attach_persistent_keeps_it },
		{ "rx_tx", test_rx_tx },
		{ "rx_drops", test_rx_drops },
		{ "tx_down", test_tx_to_down_netdev },
		{ "watch_input", test_watch_input },
		{ "carrier", test_carrier_changes },
		{ "carrier_netns", test_carrier_in_other_netns },
		{ "open_in_netns", test_open_in_netns },
		{ "host_port", test_host_port },
		{ "path_cost", test_path_cost_table },
		{ "nl_errors", test_nl_errors },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		TCase *tc = tcase_create(cases[i].name);

		tcase_add_checked_fixture(tc, setup, teardown);
		tcase_set_timeout(tc, 20);
		tcase_add_test(tc, cases[i].test);
		suite_add_tcase(s, tc);
	}
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	if (geteuid() != 0) {
		fprintf(stderr, "tap-check: FAILED: must run as root (TAPs, "
			"network namespaces); this test did not run\n");
		return 1;
	}
	sr = srunner_create(tap_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
