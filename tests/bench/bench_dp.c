/*
 * bench_dp - pipeline throughput: 64-byte frames between two in-memory
 * ports of one bridge, in frames per second, next to a baseline in the same
 * run (copying the same frames into and out of packets with no forwarding
 * decision), so the figure that matters is the ratio.
 *
 * Three cases: known unicast (FDB hit), known unicast with VLAN filtering
 * (tag pop on ingress, push on egress), and broadcast flooded to 3 ports.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bridge.h"
#include "daemon.h"
#include "dp.h"
#include "fdb.h"
#include "log.h"
#include "pkt.h"
#include "port-provider.h"
#include "util.h"

#define FRAME_LEN 64

struct mem_port {
	struct port up;
	uint8_t frame[FRAME_LEN];
	uint64_t rx_left;
	uint64_t tx_count;
	uint64_t tx_sum;	/* keeps the copy-out from being optimised away */
};

static int
mem_rx(struct port *port, struct pkt_pool *pool, struct pkt **pkts, int max)
{
	struct mem_port *m = container_of(port, struct mem_port, up);
	int n = 0;

	while (n < max && m->rx_left) {
		struct pkt *p = pkt_alloc(pool);

		if (!p)
			break;
		memcpy(p->data, m->frame, FRAME_LEN);
		p->len = FRAME_LEN;
		pkts[n++] = p;
		m->rx_left--;
	}
	return n;
}

static int
mem_tx(struct port *port, struct pkt **pkts, int n)
{
	struct mem_port *m = container_of(port, struct mem_port, up);
	uint8_t buf[128];

	for (int i = 0; i < n; i++) {
		memcpy(buf, pkts[i]->data, pkts[i]->len);
		m->tx_sum += buf[pkts[i]->len - 1];
	}
	m->tx_count += (uint64_t)n;
	return n;
}

static void
mem_close(struct port *port)
{
	free(container_of(port, struct mem_port, up));
}

static const struct port_class mem_class = {
	.type = "mem",
	.close = mem_close,
	.rx_burst = mem_rx,
	.tx_burst = mem_tx,
};

static struct mem_port *
mem_port_create(const char *name, uint8_t id)
{
	struct mem_port *m = xcalloc(1, sizeof *m);

	port_init(&m->up, &mem_class, name);
	m->up.mac = (struct eth_addr){ { 0x02, 0, 0, 0, 1, id } };
	return m;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
make_frame(uint8_t *f, const uint8_t *dst, uint8_t src_id, int vid)
{
	memset(f, 0, FRAME_LEN);
	memcpy(f, dst, 6);
	f[6] = 0x02;
	f[11] = src_id;
	if (vid >= 0) {
		f[12] = 0x81;
		f[14] = (uint8_t)(vid >> 8);
		f[15] = (uint8_t)vid;
		f[16] = 0x88;
		f[17] = 0xb5;
	} else {
		f[12] = 0x88;
		f[13] = 0xb5;
	}
}

/* Copies frames into packets and out again: the least any switch does. */
static double
baseline(uint64_t n)
{
	struct pkt_pool *pool = pkt_pool_create(DP_POOL_SIZE);
	struct mem_port *a = mem_port_create("a", 1), *b = mem_port_create("b", 2);
	struct pkt *pkts[PKT_BURST];
	double t0;

	make_frame(a->frame, (const uint8_t[]){ 2, 0, 0, 0, 0, 2 }, 1, -1);
	a->rx_left = n;
	t0 = now_s();
	for (;;) {
		int k = mem_rx(&a->up, pool, pkts, PKT_BURST);

		if (k <= 0)
			break;
		mem_tx(&b->up, pkts, k);
		for (int i = 0; i < k; i++)
			pkt_free(pool, pkts[i]);
	}
	t0 = now_s() - t0;
	if (b->tx_count != n)
		die("baseline lost frames");
	mem_close(&a->up);
	mem_close(&b->up);
	pkt_pool_destroy(pool);
	return (double)n / t0;
}

/* Runs 'n' frames from p1 through a 4-port bridge. */
static double
run_case(const char *label, uint64_t n, bool vlan, bool bcast, double base)
{
	struct bridge *br;
	struct mem_port *m[4];
	uint8_t dst[6] = { 2, 0, 0, 0, 0, 2 };
	uint64_t out = 0;
	double t0, fps;

	if (bridge_create("bench0", NULL, NULL, &br))
		die("bridge_create");
	for (int i = 0; i < 4; i++) {
		char name[8];

		snprintf(name, sizeof name, "m%d", i + 1);
		m[i] = mem_port_create(name, (uint8_t)(i + 1));
		if (bridge_port_add(br, &m[i]->up))
			die("bridge_port_add");
	}
	if (vlan) {
		bridge_set_vlan_filtering(br, true);
		for (int i = 0; i < 2; i++)
			bridge_vlan_add(br, &m[i]->up, 10, false, false);
	}
	if (bcast)
		memset(dst, 0xff, 6);
	/* The destination host lives behind m2. */
	fdb_add(br->fdb, &(struct eth_addr){ { 2, 0, 0, 0, 0, 2 } },
		vlan ? 10 : 0, m[1]->up.port_no, FDB_F_STATIC, 0);
	make_frame(m[0]->frame, dst, 1, vlan ? 10 : -1);
	m[0]->rx_left = n;
	t0 = now_s();
	while (bridge_port_input(br, &m[0]->up) > 0)
		continue;
	t0 = now_s() - t0;
	for (int i = 0; i < 4; i++)
		out += m[i]->tx_count;
	fps = (double)n / t0;
	printf("dp %-28s %6.2f Mframes/s  (%llu frames in, %llu out; "
	       "baseline copy-only %6.2f Mframes/s, ratio %.2f)\n", label,
	       fps / 1e6, (unsigned long long)n, (unsigned long long)out,
	       base / 1e6, fps / base);
	if (out != (bcast ? 3 * n : n))
		die("%s: expected %llu frames out, got %llu", label,
		    (unsigned long long)(bcast ? 3 * n : n),
		    (unsigned long long)out);
	bridge_destroy(br);
	return fps;
}

int
main(int argc, char **argv)
{
	uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 0) : 4000000;
	double base;

	log_set_level(NULL, LOG_LVL_WARN);
	daemon_init(NULL);
	base = baseline(n);
	run_case("64B known unicast", n, false, false, base);
	run_case("64B known unicast, VLAN 10", n, true, false, base);
	run_case("64B broadcast to 3 ports", n, false, true, base);
	bridge_destroy_all();
	daemon_uninit();
	return 0;
}
