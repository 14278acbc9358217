/*
 * check_vxlan.c - unit tests for VXLAN: the header codec and flow hash
 * (vxlan-wire.c), the remote table on a virtual clock (vxlan-fdb.c), the
 * shared receive socket's header checks and VNI demultiplexing
 * (vxlan-sock.c, over loopback), the class's argument checks, and the
 * encapsulation a vxlan port writes (port-vxlan.c, over loopback).
 *
 * Expected bytes come from RFC 7348 §5's header layout, not from what the
 * code happens to write.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/udp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <ev.h>
#include <json-c/json.h>

#include "pkt.h"
#include "util.h"
#include "port-provider.h"
#include "vxlan-fdb.h"
#include "vxlan-sock.h"
#include "vxlan-wire.h"

static struct vxlan_addr
addr(const char *s)
{
	struct vxlan_addr a;

	ck_assert_msg(vxlan_addr_parse(s, &a), "parse %s", s);
	return a;
}

static struct eth_addr
mac(const char *s)
{
	struct eth_addr m;

	ck_assert_int_eq(eth_addr_parse(s, &m), 0);
	return m;
}

/* --- the header ------------------------------------------------------- */

START_TEST(test_hdr_encode)
{
	/* RFC 7348 §5: flags 0x08, 24 reserved bits, VNI, 8 reserved. */
	static const uint8_t want[8] = { 0x08, 0, 0, 0, 0x12, 0x34, 0x56, 0 };
	uint8_t hdr[8];

	memset(hdr, 0xee, sizeof hdr);
	vxlan_hdr_encode(hdr, 0x123456);
	ck_assert_mem_eq(hdr, want, 8);
	vxlan_hdr_encode(hdr, VXLAN_VNI_MAX);
	ck_assert_int_eq(hdr[4] & hdr[5] & hdr[6], 0xff);
	ck_assert_int_eq(hdr[7], 0);
}
END_TEST

START_TEST(test_hdr_decode)
{
	uint8_t h[8] = { 0x08, 0, 0, 0, 0, 0, 42, 0 };
	uint32_t vni = 0;

	ck_assert_int_eq(vxlan_hdr_decode(h, 8, &vni), VXLAN_HDR_OK);
	ck_assert_uint_eq(vni, 42);
	/* Every reserved bit set: ignored (RFC 7348 §5). */
	memset(h, 0xff, sizeof h);
	ck_assert_int_eq(vxlan_hdr_decode(h, 8, &vni), VXLAN_HDR_OK);
	ck_assert_uint_eq(vni, VXLAN_VNI_MAX);
	/* The I flag alone decides. */
	h[0] = 0xf7;
	ck_assert_int_eq(vxlan_hdr_decode(h, 8, &vni), VXLAN_HDR_NO_I_FLAG);
	h[0] = 0;
	ck_assert_int_eq(vxlan_hdr_decode(h, 8, &vni), VXLAN_HDR_NO_I_FLAG);
	for (size_t len = 0; len < 8; len++)
		ck_assert_int_eq(vxlan_hdr_decode(h, len, &vni),
				 VXLAN_HDR_SHORT);
	/* Round trip. */
	vxlan_hdr_encode(h, 7777);
	ck_assert_int_eq(vxlan_hdr_decode(h, 8, &vni), VXLAN_HDR_OK);
	ck_assert_uint_eq(vni, 7777);
}
END_TEST

/* An IPv4/UDP frame from 10.0.0.1:sport to 10.0.0.2:dport, optionally
 * tagged, into 'f' (at least 64 bytes); returns its length. */
static size_t
udp_frame(uint8_t *f, uint16_t sport, uint16_t dport, bool tagged)
{
	uint8_t *ip;

	memset(f, 0, 64);
	memcpy(f, "\x02\0\0\0\0\x02\x02\0\0\0\0\x01", 12);
	ip = f + 14;
	if (tagged) {
		memcpy(f + 12, "\x81\x00\x00\x0a", 4);
		ip += 4;
	}
	eth_put_be16(ip - 2, ETH_TYPE_IPV4);
	ip[0] = 0x45;
	ip[9] = 17;
	memcpy(ip + 12, "\x0a\0\0\x01\x0a\0\0\x02", 8);
	eth_put_be16(ip + 20, sport);
	eth_put_be16(ip + 22, dport);
	return (size_t)(ip + 28 - f);
}

START_TEST(test_src_port)
{
	uint8_t f[64];
	size_t len = udp_frame(f, 1000, 53, false);
	uint16_t p = vxlan_src_port(f, len), q;
	unsigned distinct = 0;

	ck_assert_uint_ge(p, VXLAN_SPORT_MIN);
	ck_assert_uint_le(p, VXLAN_SPORT_MAX);
	/* One flow, one port; the MACs do not matter for IP. */
	ck_assert_uint_eq(vxlan_src_port(f, len), p);
	f[0] = 0x0e;
	ck_assert_uint_eq(vxlan_src_port(f, len), p);
	/* Other L4 ports spread over the range. */
	for (uint16_t s = 1000; s < 1064; s++) {
		len = udp_frame(f, s, 53, false);
		q = vxlan_src_port(f, len);
		ck_assert_uint_ge(q, VXLAN_SPORT_MIN);
		ck_assert_uint_le(q, VXLAN_SPORT_MAX);
		distinct += q != p;
	}
	ck_assert_uint_ge(distinct, 60);
	/* A tagged frame is parsed behind its tag (ports still count). */
	len = udp_frame(f, 1000, 53, true);
	p = vxlan_src_port(f, len);
	len = udp_frame(f, 1001, 53, true);
	ck_assert_uint_ne(vxlan_src_port(f, len), p);
	/* Truncated and tiny frames stay within what they are given. */
	for (size_t l = 0; l < len; l++) {
		q = vxlan_src_port(f, l);
		ck_assert_uint_ge(q, VXLAN_SPORT_MIN);
		ck_assert_uint_le(q, VXLAN_SPORT_MAX);
	}
}
END_TEST

START_TEST(test_addr)
{
	struct vxlan_addr a, b;
	struct sockaddr_storage ss;
	char buf[VXLAN_ADDR_STRLEN];

	a = addr("10.0.0.2");
	ck_assert_int_eq(a.family, AF_INET);
	vxlan_addr_format(&a, buf, sizeof buf);
	ck_assert_str_eq(buf, "10.0.0.2");
	a = addr("fd00:10::2");
	ck_assert_int_eq(a.family, AF_INET6);
	vxlan_addr_format(&a, buf, sizeof buf);
	ck_assert_str_eq(buf, "fd00:10::2");
	ck_assert(!vxlan_addr_parse("10.0.0.300", &b));
	ck_assert(!vxlan_addr_parse("", &b));
	ck_assert(vxlan_addr_is_any(&(struct vxlan_addr){ 0 }));
	b = addr("0.0.0.0");
	ck_assert(vxlan_addr_is_any(&b));
	b = addr("::");
	ck_assert(vxlan_addr_is_any(&b));
	b = addr("239.1.1.1");
	ck_assert(vxlan_addr_is_multicast(&b));
	b = addr("ff02::1");
	ck_assert(vxlan_addr_is_multicast(&b));
	ck_assert(!vxlan_addr_equal(&a, &b));
	/* A v4-mapped source is the IPv4 VTEP it is. */
	b = addr("::ffff:10.0.0.9");
	vxlan_addr_to_sockaddr(&b, 4789, &ss);
	ck_assert(vxlan_addr_from_sockaddr((struct sockaddr *)&ss, &a));
	b = addr("10.0.0.9");
	ck_assert(vxlan_addr_equal(&a, &b));
}
END_TEST

/* --- the remote table --------------------------------------------------- */

static const struct eth_addr zero_mac;

START_TEST(test_fdb_learn_age)
{
	struct vxlan_fdb *fdb = vxlan_fdb_create(8, 1, 300000);
	struct eth_addr m = mac("02:00:00:00:00:01");
	struct vxlan_addr v2 = addr("10.0.0.2"), v3 = addr("10.0.0.3");
	const struct vxlan_fdb_entry *e;

	ck_assert_int_eq(vxlan_fdb_learn(fdb, &m, &v2, 1000), VXLAN_LEARN_NEW);
	ck_assert_int_eq(vxlan_fdb_learn(fdb, &m, &v2, 2000),
			 VXLAN_LEARN_REFRESHED);
	e = vxlan_fdb_lookup(fdb, &m, 2000);
	ck_assert_ptr_nonnull(e);
	ck_assert(!e->is_static);
	ck_assert_uint_eq(e->n_dst, 1);
	ck_assert(vxlan_addr_equal(&e->dst[0], &v2));
	/* The MAC moves behind another VTEP. */
	ck_assert_int_eq(vxlan_fdb_learn(fdb, &m, &v3, 3000),
			 VXLAN_LEARN_MOVED);
	e = vxlan_fdb_lookup(fdb, &m, 3000);
	ck_assert(vxlan_addr_equal(&e->dst[0], &v3));
	/* Ageing: alive until 300 s after the last learn, gone at it. */
	ck_assert_ptr_nonnull(vxlan_fdb_lookup(fdb, &m, 302999));
	ck_assert_ptr_null(vxlan_fdb_lookup(fdb, &m, 303000));
	ck_assert_uint_eq(vxlan_fdb_age(fdb, 302999), 0);
	ck_assert_uint_eq(vxlan_fdb_age(fdb, 303000), 1);
	ck_assert_uint_eq(vxlan_fdb_count(fdb), 0);
	/* Group and zero sources are never learned. */
	m = mac("01:00:5e:00:00:01");
	ck_assert_int_eq(vxlan_fdb_learn(fdb, &m, &v2, 1),
			 VXLAN_LEARN_INVALID);
	ck_assert_int_eq(vxlan_fdb_learn(fdb, &zero_mac, &v2, 1),
			 VXLAN_LEARN_INVALID);
	vxlan_fdb_destroy(fdb);
}
END_TEST

START_TEST(test_fdb_static_default)
{
	struct vxlan_fdb *fdb = vxlan_fdb_create(8, 2, 1000);
	struct eth_addr m = mac("02:00:00:00:00:01");
	struct vxlan_addr v2 = addr("10.0.0.2"), v3 = addr("10.0.0.3");
	struct vxlan_addr any = addr("0.0.0.0"), grp = addr("239.1.1.1");
	const struct vxlan_fdb_entry *e;

	/* The default entry: several destinations, in order, each once. */
	ck_assert_int_eq(vxlan_fdb_append(fdb, &zero_mac, &v2), 0);
	ck_assert_int_eq(vxlan_fdb_append(fdb, &zero_mac, &v3), 0);
	ck_assert_int_eq(vxlan_fdb_append(fdb, &zero_mac, &v3), -EEXIST);
	ck_assert_int_eq(vxlan_fdb_append(fdb, &zero_mac, &any), -EINVAL);
	/* A group is a destination too (multicast underlay). */
	ck_assert_int_eq(vxlan_fdb_append(fdb, &zero_mac, &grp), 0);
	ck_assert_int_eq(vxlan_fdb_del(fdb, &zero_mac, &grp), 0);
	e = vxlan_fdb_lookup(fdb, &zero_mac, 999999);
	ck_assert_ptr_nonnull(e);
	ck_assert(e->is_static);
	ck_assert_uint_eq(e->n_dst, 2);
	ck_assert(vxlan_addr_equal(&e->dst[0], &v2));
	ck_assert(vxlan_addr_equal(&e->dst[1], &v3));
	/* A learned entry becomes static; static ones never move or age. */
	ck_assert_int_eq(vxlan_fdb_learn(fdb, &m, &v2, 0), VXLAN_LEARN_NEW);
	ck_assert_int_eq(vxlan_fdb_append(fdb, &m, &v3), 0);
	ck_assert_int_eq(vxlan_fdb_learn(fdb, &m, &v2, 10),
			 VXLAN_LEARN_STATIC);
	e = vxlan_fdb_lookup(fdb, &m, 99999999);
	ck_assert_uint_eq(e->n_dst, 1);
	ck_assert(vxlan_addr_equal(&e->dst[0], &v3));
	ck_assert_uint_eq(vxlan_fdb_age(fdb, 99999999), 0);
	ck_assert_uint_eq(vxlan_fdb_flush_learned(fdb), 0);
	/* Deleting one destination, then the last. */
	ck_assert_int_eq(vxlan_fdb_del(fdb, &zero_mac, &v2), 0);
	ck_assert_int_eq(vxlan_fdb_del(fdb, &zero_mac, &v2), -ENOENT);
	e = vxlan_fdb_lookup(fdb, &zero_mac, 0);
	ck_assert_uint_eq(e->n_dst, 1);
	ck_assert_int_eq(vxlan_fdb_del(fdb, &zero_mac, &v3), 0);
	ck_assert_ptr_null(vxlan_fdb_lookup(fdb, &zero_mac, 0));
	ck_assert_int_eq(vxlan_fdb_del(fdb, &m, NULL), 0);
	ck_assert_uint_eq(vxlan_fdb_count(fdb), 0);
	vxlan_fdb_destroy(fdb);
}
END_TEST

static void
count_entry(const struct vxlan_fdb_entry *e, void *aux)
{
	(void)e;
	(*(unsigned *)aux)++;
}

START_TEST(test_fdb_full)
{
	struct vxlan_fdb *fdb = vxlan_fdb_create(4, 3, 0);
	struct vxlan_addr v2 = addr("10.0.0.2");
	struct eth_addr m = mac("02:00:00:00:00:00");
	unsigned n = 0;

	for (int i = 1; i <= 4; i++) {
		m.ea[5] = (uint8_t)i;
		ck_assert_int_eq(vxlan_fdb_learn(fdb, &m, &v2, 0),
				 VXLAN_LEARN_NEW);
	}
	/* Full: nothing evicted, the newcomer not learned. */
	m.ea[5] = 5;
	ck_assert_int_eq(vxlan_fdb_learn(fdb, &m, &v2, 0), VXLAN_LEARN_FULL);
	ck_assert_int_eq(vxlan_fdb_append(fdb, &zero_mac, &v2), -ENOSPC);
	m.ea[5] = 1;
	ck_assert_ptr_nonnull(vxlan_fdb_lookup(fdb, &m, UINT64_MAX / 2));
	vxlan_fdb_foreach(fdb, 0, count_entry, &n);
	ck_assert_uint_eq(n, 4);
	/* Ageing 0: never aged.  A flush frees room. */
	ck_assert_uint_eq(vxlan_fdb_age(fdb, UINT64_MAX / 2), 0);
	ck_assert_uint_eq(vxlan_fdb_flush_learned(fdb), 4);
	ck_assert_int_eq(vxlan_fdb_append(fdb, &zero_mac, &v2), 0);
	vxlan_fdb_destroy(fdb);
}
END_TEST

/* --- the shared socket over loopback ----------------------------------- */

struct got {
	struct vxlan_member m;
	int calls, frames;
	size_t last_len;
	uint8_t last[64];
};

static void
on_input(struct vxlan_member *m, const struct vxlan_dgram *const *d, int n)
{
	struct got *g = container_of(m, struct got, m);

	g->calls++;
	g->frames += n;
	g->last_len = d[n - 1]->len;
	memcpy(g->last, d[n - 1]->frame,
	       d[n - 1]->len < sizeof g->last ? d[n - 1]->len : sizeof g->last);
}

/* Sends 'len' bytes to 127.0.0.1:'port' from a plain UDP socket. */
static void
send_to(uint16_t port, const void *buf, size_t len)
{
	struct vxlan_addr lo = addr("127.0.0.1");
	struct sockaddr_storage ss;
	socklen_t sl = vxlan_addr_to_sockaddr(&lo, port, &ss);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(sendto(fd, buf, len, 0, (struct sockaddr *)&ss, sl),
			 (ssize_t)len);
	close(fd);
}

START_TEST(test_sock_demux)
{
	struct ev_loop *loop = ev_loop_new(0);
	struct got a = { .m = { .vni = 42, .input = on_input } };
	struct got b = { .m = { .vni = 43, .input = on_input } };
	struct got c = { .m = { .vni = 42, .input = on_input } };
	uint8_t dg[8 + 20];
	uint16_t port = 47000 + (uint16_t)(getpid() % 1000);
	char *msg = NULL;
	const struct vxlan_sock_stats *st;

	ck_assert_int_eq(vxlan_sock_join(&a.m, AF_INET, port, &msg), 0);
	ck_assert_int_eq(vxlan_sock_join(&b.m, AF_INET, port, &msg), 0);
	ck_assert_int_eq(vxlan_sock_fd(&a.m), vxlan_sock_fd(&b.m));
	/* One VNI per socket. */
	ck_assert_int_eq(vxlan_sock_join(&c.m, AF_INET, port, &msg), -EEXIST);
	ck_assert_ptr_nonnull(msg);
	free(msg);
	vxlan_sock_watch(&a.m, loop);
	vxlan_sock_watch(&b.m, loop);

	memset(dg, 0xab, sizeof dg);
	vxlan_hdr_encode(dg, 42);
	send_to(port, dg, sizeof dg);			/* to a */
	vxlan_hdr_encode(dg, 43);
	send_to(port, dg, sizeof dg);			/* to b */
	vxlan_hdr_encode(dg, 44);
	send_to(port, dg, sizeof dg);			/* unknown VNI */
	send_to(port, dg, 7);				/* short */
	dg[0] = 0;
	send_to(port, dg, sizeof dg);			/* no I flag */
	for (int i = 0; i < 10; i++)
		ev_run(loop, EVRUN_NOWAIT);

	ck_assert_int_eq(a.frames, 1);
	ck_assert_int_eq(b.frames, 1);
	ck_assert_uint_eq(a.last_len, 20);
	ck_assert_int_eq(a.last[0], 0xab);
	st = vxlan_sock_stats(&a.m);
	ck_assert_uint_eq(st->rx_datagrams, 5);
	ck_assert_uint_eq(st->rx_unknown_vni, 1);
	ck_assert_uint_eq(st->rx_short, 1);
	ck_assert_uint_eq(st->rx_bad_flags, 1);

	/* The last member closes the socket; the port is free again. */
	vxlan_sock_leave(&a.m);
	vxlan_sock_leave(&b.m);
	ck_assert_int_eq(vxlan_sock_join(&c.m, AF_INET, port, &msg), 0);
	vxlan_sock_leave(&c.m);
	ev_loop_destroy(loop);
}
END_TEST

/* Sends the 'len' bytes at 'buf' to 127.0.0.1:'port' as one UDP GSO run
 * of 'seg'-byte datagrams (the last shorter).  Returns false if the
 * kernel has no UDP GSO. */
static bool
send_run(uint16_t port, const void *buf, size_t len, uint16_t seg)
{
	struct vxlan_addr lo = addr("127.0.0.1");
	struct sockaddr_storage ss;
	socklen_t sl = vxlan_addr_to_sockaddr(&lo, port, &ss);
	int fd = socket(AF_INET, SOCK_DGRAM, 0), s = seg;
	ssize_t r;

	ck_assert_int_ge(fd, 0);
	if (setsockopt(fd, SOL_UDP, UDP_SEGMENT, &s, sizeof s)) {
		close(fd);
		return false;
	}
	r = sendto(fd, buf, len, 0, (struct sockaddr *)&ss, sl);
	ck_assert_int_eq(r, (ssize_t)len);
	close(fd);
	return true;
}

/* A run the kernel hands over whole (UDP_GRO) is split into its
 * datagrams, each checked on its own: the last one short, one of another
 * VNI, one without the I flag. */
START_TEST(test_sock_gro_split)
{
	struct ev_loop *loop = ev_loop_new(0);
	struct got a = { .m = { .vni = 42, .input = on_input } };
	struct got b = { .m = { .vni = 43, .input = on_input } };
	uint8_t run[5 * 28 + 12];
	uint16_t port = 46000 + (uint16_t)(getpid() % 1000);
	char *msg = NULL;
	const struct vxlan_sock_stats *st;

	ck_assert_int_eq(vxlan_sock_join(&a.m, AF_INET, port, &msg), 0);
	ck_assert_int_eq(vxlan_sock_join(&b.m, AF_INET, port, &msg), 0);
	vxlan_sock_watch(&a.m, loop);
	vxlan_sock_watch(&b.m, loop);
	st = vxlan_sock_stats(&a.m);
	ck_assert_msg(st->gro, "UDP_GRO not taken by this kernel (>= 5.0 "
		      "has it)");

	/* 28-byte datagrams: 42, 43, 42, no I flag, 42; then 12 bytes of
	 * 42 (a 4-byte inner frame: the member's runt to count). */
	for (int i = 0; i < 6; i++) {
		uint8_t *d = run + i * 28;

		memset(d, 0x10 + i, i < 5 ? 28 : 12);
		vxlan_hdr_encode(d, i == 1 ? 43 : 42);
		if (i == 3)
			d[0] = 0;
	}
	ck_assert_msg(send_run(port, run, sizeof run, 28),
		      "no UDP GSO (UDP_SEGMENT) in this kernel");
	for (int i = 0; i < 10; i++)
		ev_run(loop, EVRUN_NOWAIT);

	ck_assert_uint_eq(st->rx_datagrams, 6);
	ck_assert_uint_eq(st->rx_gro_runs, 1);
	ck_assert_uint_eq(st->rx_gro_segs, 6);
	ck_assert_uint_eq(st->rx_bad_flags, 1);
	ck_assert_int_eq(a.frames, 4);
	ck_assert_int_eq(b.frames, 1);
	ck_assert_uint_eq(a.last_len, 4);		/* the short one */
	ck_assert_int_eq(a.last[0], 0x15);
	ck_assert_uint_eq(b.last_len, 20);
	ck_assert_int_eq(b.last[0], 0x11);

	vxlan_sock_leave(&a.m);
	vxlan_sock_leave(&b.m);
	ev_loop_destroy(loop);
}
END_TEST

/* --- the class: arguments and encapsulation ----------------------------- */

static char *
check(const char *json)
{
	struct json_object *args = json_tokener_parse(json);
	char *msg = NULL;

	ck_assert_ptr_nonnull(args);
	port_class_check_args(port_class_lookup("vxlan"), args, &msg);
	json_object_put(args);
	return msg;
}

START_TEST(test_args)
{
	static const struct {
		const char *json, *want;
	} cases[] = {
		{ "{\"vni\": \"42\"}", NULL },
		{ "{\"vni\": 42, \"dstport\": 4790}", NULL },
		{ "{\"vni\": \"16777215\", \"remote\": \"10.0.0.2,fd00::2\"}",
		  NULL },
		{ "{}", "vni: missing" },
		{ "{\"vni\": \"16777216\"}",
		  "vni: '16777216' is not a number from 0 to 16777215" },
		{ "{\"vni\": -1}", "vni: -1 is not a number from 0 to 16777215" },
		{ "{\"vni\": \"042x\"}",
		  "vni: '042x' is not a number from 0 to 16777215" },
		{ "{\"vni\": \"1\", \"local\": \"10.0.0\"}",
		  "local: '10.0.0' is not an IP address" },
		{ "{\"vni\": \"1\", \"remote\": \"10.0.0.2,\"}",
		  "remote: '10.0.0.2,' is not a list of IP addresses (A,B,...)" },
		{ "{\"vni\": \"1\", \"ttl\": \"256\"}",
		  "ttl: '256' is not a number from 1 to 255" },
		{ "{\"vni\": \"1\", \"learning\": \"yes\"}",
		  "learning: 'yes' is not on or off" },
		{ "{\"vni\": \"1\", \"srcport\": \"1\"}",
		  "srcport: unknown parameter" },
		{ "{\"vni\": \"1\", \"group\": \"239.1.1.1\"}", NULL },
		{ "{\"vni\": \"1\", \"group\": \"239.1.1\"}",
		  "group: '239.1.1' is not an IP address" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *msg = check(cases[i].json);

		if (!cases[i].want)
			ck_assert_msg(!msg, "%s: refused: %s", cases[i].json,
				      msg);
		else
			ck_assert_msg(msg && !strcmp(msg, cases[i].want),
				      "%s: got '%s', want '%s'", cases[i].json,
				      msg ? msg : "(accepted)", cases[i].want);
		free(msg);
	}
}
END_TEST

/* Reads, from raw socket 'raw', the next UDP datagram to 127.0.0.2:'port'
 * into 'buf'; returns its UDP payload length and the source port. */
static ssize_t
raw_next(int raw, uint16_t port, uint8_t *buf, size_t size, uint16_t *sport)
{
	uint8_t pkt[2048];

	for (int tries = 0; tries < 100; tries++) {
		ssize_t r = recv(raw, pkt, sizeof pkt, 0);
		size_t ihl;

		if (r < 28)
			continue;
		ihl = (size_t)(pkt[0] & 0x0f) * 4;
		if (memcmp(pkt + 16, "\x7f\0\0\x02", 4) ||
		    eth_get_be16(pkt + ihl + 2) != port)
			continue;
		*sport = eth_get_be16(pkt + ihl);
		r -= (ssize_t)(ihl + 8);
		memcpy(buf, pkt + ihl + 8, (size_t)r < size ? (size_t)r : size);
		return r;
	}
	return -1;
}

/* A port on 127.0.0.1 whose default destination is 127.0.0.2 (the same
 * UDP port number, which the port's own wildcard socket holds): what it
 * sends is read off loopback with a raw socket (root; the test says so
 * loudly and fails without). */
/* A raw UDP socket that sees what the ports send, reads time out. */
static int
raw_udp_socket(const char *test)
{
	struct timeval tv = { 2, 0 };
	int raw = socket(AF_INET, SOCK_RAW, IPPROTO_UDP);

	ck_assert_msg(raw >= 0, "NOT RUN: %s needs CAP_NET_RAW", test);
	setsockopt(raw, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	return raw;
}

/* Opens vxlan port 'name' with VNI 'vni', local 127.0.0.1 and UDP port
 * 'port', plus what 'args' holds already. */
static struct port *
open_loopback_port(const struct port_class *cls, const char *name,
		   const char *vni, uint16_t port, struct json_object *args)
{
	struct port *p = NULL;
	char *msg = NULL, ps[8];

	snprintf(ps, sizeof ps, "%u", port);
	json_object_object_add(args, "vni", json_object_new_string(vni));
	json_object_object_add(args, "local",
			       json_object_new_string("127.0.0.1"));
	json_object_object_add(args, "dstport", json_object_new_string(ps));
	ck_assert_msg(!port_class_open(cls, name, args, NULL, &p, &msg),
		      "open: %s", msg ? msg : "?");
	return p;
}

START_TEST(test_encap)
{
	const struct port_class *cls = port_class_lookup("vxlan");
	uint16_t port = 48000 + (uint16_t)(getpid() % 1000), sport = 0;
	struct pkt_pool *pool = pkt_pool_create(4);
	struct json_object *args = json_object_new_object();
	struct port *p = NULL;
	struct pkt *pk[2];
	uint8_t buf[2048], frame[64];
	uint32_t vni;
	ssize_t r;
	int raw;

	raw = raw_udp_socket("test_encap");
	json_object_object_add(args, "remote",
			       json_object_new_string("127.0.0.2"));
	p = open_loopback_port(cls, "vxt0", "4242", port, args);
	ck_assert_uint_eq(p->mtu, 1450);

	/* A tagged frame of 64 bytes and an oversize one. */
	udp_frame(frame, 1234, 80, true);
	pk[0] = pkt_alloc(pool);
	memcpy(pk[0]->data, frame, sizeof frame);
	pk[0]->len = sizeof frame;
	pk[1] = pkt_alloc(pool);
	memset(pk[1]->data, 0, 1469);
	pk[1]->len = 1469;
	/* The oversize one first: the sent one must end up in front. */
	{
		struct pkt *order[2] = { pk[1], pk[0] };

		ck_assert_int_eq(cls->tx_burst(p, order, 2), 1);
		ck_assert_ptr_eq(order[0], pk[0]);
	}
	r = raw_next(raw, port, buf, sizeof buf, &sport);
	ck_assert_int_eq(r, 8 + (ssize_t)sizeof frame);
	ck_assert_int_eq(vxlan_hdr_decode(buf, (size_t)r, &vni), VXLAN_HDR_OK);
	ck_assert_uint_eq(vni, 4242);
	ck_assert_int_eq(buf[0], VXLAN_FLAG_I);
	ck_assert_int_eq(buf[1] | buf[2] | buf[3] | buf[7], 0);
	/* The inner frame, its VLAN tag included, travels untouched. */
	ck_assert_mem_eq(buf + 8, frame, sizeof frame);
	/* The source port is the flow's. */
	ck_assert_uint_eq(sport, vxlan_src_port(frame, sizeof frame));
	{
		struct json_object *st = cls->get_stats(p), *v;

		ck_assert(json_object_object_get_ex(st, "tx_oversize", &v));
		ck_assert_int_eq(json_object_get_int64(v), 1);
		ck_assert(json_object_object_get_ex(st,
				"vtep 127.0.0.2 tx_packets", &v));
		ck_assert_int_eq(json_object_get_int64(v), 1);
		json_object_put(st);
	}
	{
		/* The default entry, as fdb.show lists it. */
		struct json_object *l = cls->fdb_show(p), *e, *v;

		ck_assert_int_eq(json_object_array_length(l), 1);
		e = json_object_array_get_idx(l, 0);
		ck_assert(json_object_object_get_ex(e, "mac", &v));
		ck_assert_str_eq(json_object_get_string(v),
				 "00:00:00:00:00:00");
		ck_assert(json_object_object_get_ex(e, "dst", &v));
		ck_assert_str_eq(json_object_get_string(v), "127.0.0.2");
		ck_assert(json_object_object_get_ex(e, "state", &v));
		ck_assert_str_eq(json_object_get_string(v), "permanent");
		json_object_put(l);
	}
	pkt_free(pool, pk[0]);
	pkt_free(pool, pk[1]);
	port_close(p);
	json_object_put(args);
	pkt_pool_destroy(pool);
	close(raw);
}
END_TEST

/* The lines of fdb_show, "MAC DST" each, in its order. */
static char *
self_lines(const struct port_class *cls, const struct port *p)
{
	struct json_object *l = cls->fdb_show(p);
	char *out = xstrdup("");

	for (size_t i = 0; i < json_object_array_length(l); i++) {
		struct json_object *e = json_object_array_get_idx(l, i), *m, *d;
		char *old = out;

		json_object_object_get_ex(e, "mac", &m);
		json_object_object_get_ex(e, "dst", &d);
		out = xasprintf("%s%s %s;", old, json_object_get_string(m),
				json_object_get_string(d));
		free(old);
	}
	json_object_put(l);
	return out;
}

/* Runtime changes of the remote table (fdb_self_add/del), and a
 * broadcast replicated to two appended VTEPs in one batch. */
START_TEST(test_fdb_self)
{
	const struct port_class *cls = port_class_lookup("vxlan");
	uint16_t port = 47000 + (uint16_t)(getpid() % 1000), sport = 0;
	struct pkt_pool *pool = pkt_pool_create(4);
	struct json_object *args = json_object_new_object();
	struct eth_addr zero = { { 0 } }, uni = { { 2, 0, 0, 0, 0, 0xaa } };
	struct eth_addr mc = { { 1, 0, 0x5e, 0, 0, 1 } };
	struct port *p = NULL;
	struct pkt *pk;
	uint8_t buf[2048];
	char *msg = NULL, *lines;
	int raw, got2 = 0, got3 = 0;

	raw = raw_udp_socket("test_fdb_self");
	p = open_loopback_port(cls, "vxt1", "7", port, args);

#define SELF_ADD(op, mac, dst, want) do {				\
		int err_ = cls->fdb_self_add(p, op, mac, dst, &msg);	\
		ck_assert_msg(err_ == (want), "%s %s: %d (%s)", #op,	\
			      dst ? dst : "-", err_, msg ? msg : "");	\
		free(msg);						\
		msg = NULL;						\
	} while (0)
	SELF_ADD(PORT_FDB_APPEND, &zero, "127.0.0.2", 0);
	SELF_ADD(PORT_FDB_APPEND, &zero, "127.0.0.3", 0);
	SELF_ADD(PORT_FDB_APPEND, &zero, "127.0.0.3", -EEXIST);
	SELF_ADD(PORT_FDB_ADD, &zero, "127.0.0.4", -EEXIST);
	SELF_ADD(PORT_FDB_REPLACE, &zero, "127.0.0.4", -EOPNOTSUPP);
	SELF_ADD(PORT_FDB_ADD, &uni, "127.0.0.5", 0);
	SELF_ADD(PORT_FDB_APPEND, &uni, "127.0.0.6", -EOPNOTSUPP);
	SELF_ADD(PORT_FDB_REPLACE, &uni, "127.0.0.6", 0);
	SELF_ADD(PORT_FDB_APPEND, &mc, "127.0.0.7", 0);
	SELF_ADD(PORT_FDB_APPEND, &mc, "127.0.0.8", 0);
	SELF_ADD(PORT_FDB_ADD, &uni, NULL, -EINVAL);
	SELF_ADD(PORT_FDB_ADD, &uni, "::1", -EINVAL);
	SELF_ADD(PORT_FDB_ADD, &uni, "224.0.0.1", -EINVAL);
	SELF_ADD(PORT_FDB_ADD, &uni, "0.0.0.0", -EINVAL);
	SELF_ADD(PORT_FDB_ADD, &uni, "127.0.0", -EINVAL);
	lines = self_lines(cls, p);
	ck_assert_str_eq(lines, "00:00:00:00:00:00 127.0.0.2;"
			 "00:00:00:00:00:00 127.0.0.3;"
			 "01:00:5e:00:00:01 127.0.0.7;"
			 "01:00:5e:00:00:01 127.0.0.8;"
			 "02:00:00:00:00:aa 127.0.0.6;");
	free(lines);
	ck_assert_int_eq(cls->fdb_self_del(p, &mc, "127.0.0.7", &msg), 0);
	ck_assert_int_eq(cls->fdb_self_del(p, &mc, "127.0.0.7", &msg),
			 -ENOENT);
	ck_assert_ptr_nonnull(strstr(msg, "not found"));
	free(msg);
	msg = NULL;
	ck_assert_int_eq(cls->fdb_self_del(p, &mc, NULL, &msg), 0);
	ck_assert_int_eq(cls->fdb_self_del(p, &uni, NULL, &msg), 0);
	lines = self_lines(cls, p);
	ck_assert_str_eq(lines, "00:00:00:00:00:00 127.0.0.2;"
			 "00:00:00:00:00:00 127.0.0.3;");
	free(lines);

	/* A broadcast: one copy to each default destination. */
	pk = pkt_alloc(pool);
	memset(pk->data, 0xff, 6);
	memset(pk->data + 6, 0x02, 6);
	memset(pk->data + 12, 0, 48);
	pk->len = 60;
	ck_assert_int_eq(cls->tx_burst(p, &pk, 1), 1);
	for (int i = 0; i < 2; i++) {
		struct sockaddr_in from;
		socklen_t fl = sizeof from;
		ssize_t r;

		do {
			r = recvfrom(raw, buf, sizeof buf, 0,
				     (struct sockaddr *)&from, &fl);
			ck_assert_int_gt(r, 28);
		} while (((buf[(buf[0] & 15) * 4 + 2] << 8) |
			  buf[(buf[0] & 15) * 4 + 3]) != port);
		/* The destination address of the IP header. */
		got2 += buf[19] == 2;
		got3 += buf[19] == 3;
	}
	ck_assert_int_eq(got2, 1);
	ck_assert_int_eq(got3, 1);
	{
		struct json_object *st = cls->get_stats(p), *v;

		ck_assert(json_object_object_get_ex(st, "tx_datagrams", &v));
		ck_assert_int_eq(json_object_get_int64(v), 2);
		json_object_put(st);
	}
	(void)sport;
	pkt_free(pool, pk);
	port_close(p);
	json_object_put(args);
	pkt_pool_destroy(pool);
	close(raw);
}
END_TEST

static Suite *
vxlan_suite(void)
{
	Suite *s = suite_create("vxlan");
	TCase *tc;

	tc = tcase_create("wire");
	tcase_add_test(tc, test_hdr_encode);
	tcase_add_test(tc, test_hdr_decode);
	tcase_add_test(tc, test_src_port);
	tcase_add_test(tc, test_addr);
	suite_add_tcase(s, tc);

	tc = tcase_create("fdb");
	tcase_add_test(tc, test_fdb_learn_age);
	tcase_add_test(tc, test_fdb_static_default);
	tcase_add_test(tc, test_fdb_full);
	suite_add_tcase(s, tc);

	tc = tcase_create("sock");
	tcase_add_test(tc, test_sock_demux);
	tcase_add_test(tc, test_sock_gro_split);
	suite_add_tcase(s, tc);

	tc = tcase_create("class");
	tcase_add_test(tc, test_args);
	tcase_add_test(tc, test_encap);
	tcase_add_test(tc, test_fdb_self);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(vxlan_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
