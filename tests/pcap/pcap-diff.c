/*
 * pcap-diff - compares the frames of two pcap files (bytes and order; time
 * stamps ignored) and prints a readable difference.
 *
 * Usage: pcap-diff EXPECTED ACTUAL
 *        pcap-diff --hex FILE     (prints "TIMESTAMP_NS HEX" per frame)
 * A path that does not exist counts as a capture with no frames (so a
 * missing expected-PORT.pcap means "this port sends nothing").  Reads
 * classic pcap and pcapng.  Exit status: 0 same, 1 different, 2 error.
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct frame {
	unsigned char *data;
	unsigned len;
	unsigned long long ts_ns;
};

struct capture {
	struct frame *f;
	size_t n;
};

static int
load(const char *path, struct capture *c)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const unsigned char *d;
	pcap_t *p;
	int rc;

	c->f = NULL;
	c->n = 0;
	if (access(path, F_OK))
		return 0;
	p = pcap_open_offline_with_tstamp_precision(
		path, PCAP_TSTAMP_PRECISION_NANO, err);
	if (!p) {
		fprintf(stderr, "pcap-diff: %s: %s\n", path, err);
		return -1;
	}
	while ((rc = pcap_next_ex(p, &h, &d)) == 1) {
		c->f = realloc(c->f, (c->n + 1) * sizeof *c->f);
		if (!c->f)
			abort();
		c->f[c->n].data = malloc(h->caplen ? h->caplen : 1);
		if (!c->f[c->n].data)
			abort();
		memcpy(c->f[c->n].data, d, h->caplen);
		c->f[c->n].len = h->caplen;
		c->f[c->n].ts_ns = (unsigned long long)h->ts.tv_sec * 1000000000ull +
				   (unsigned long long)h->ts.tv_usec;
		c->n++;
	}
	if (rc == PCAP_ERROR) {
		fprintf(stderr, "pcap-diff: %s: %s\n", path, pcap_geterr(p));
		pcap_close(p);
		return -1;
	}
	pcap_close(p);
	return 0;
}

static void
release(struct capture *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->f[i].data);
	free(c->f);
}

static void
summary(const char *tag, size_t i, const struct frame *f)
{
	const unsigned char *d = f->data;

	printf("    %s frame %zu: %u bytes", tag, i + 1, f->len);
	if (f->len >= 14)
		printf("  %02x:%02x:%02x:%02x:%02x:%02x <- "
		       "%02x:%02x:%02x:%02x:%02x:%02x type %02x%02x",
		       d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8],
		       d[9], d[10], d[11], d[12], d[13]);
	if (f->len >= 18 && ((d[12] == 0x81 && d[13] == 0) ||
			     (d[12] == 0x88 && d[13] == 0xa8)))
		printf(" vid %u pcp %u", (d[14] & 0xf) << 8 | d[15], d[14] >> 5);
	putchar('\n');
}

static void
hexline(const char *tag, const struct frame *f, unsigned off)
{
	printf("      %s %04x:", tag, off);
	for (unsigned i = off; i < off + 16 && i < f->len; i++)
		printf(" %02x", f->data[i]);
	putchar('\n');
}

int
main(int argc, char **argv)
{
	struct capture e, a;
	size_t i, n;
	int diff = 0;

	if (argc == 3 && !strcmp(argv[1], "--hex")) {
		if (load(argv[2], &e))
			return 2;
		for (i = 0; i < e.n; i++) {
			printf("%llu ", e.f[i].ts_ns);
			for (unsigned k = 0; k < e.f[i].len; k++)
				printf("%02x", e.f[i].data[k]);
			putchar('\n');
		}
		release(&e);
		return 0;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: pcap-diff EXPECTED ACTUAL\n");
		return 2;
	}
	if (load(argv[1], &e) || load(argv[2], &a))
		return 2;
	n = e.n > a.n ? e.n : a.n;
	for (i = 0; i < n; i++) {
		if (i >= a.n) {
			printf("  missing: expected frame %zu not sent\n", i + 1);
			summary("expected", i, &e.f[i]);
			diff = 1;
			continue;
		}
		if (i >= e.n) {
			printf("  extra: frame %zu sent but not expected\n", i + 1);
			summary("actual  ", i, &a.f[i]);
			diff = 1;
			continue;
		}
		if (e.f[i].len == a.f[i].len &&
		    !memcmp(e.f[i].data, a.f[i].data, e.f[i].len))
			continue;
		diff = 1;
		printf("  frame %zu differs:\n", i + 1);
		summary("expected", i, &e.f[i]);
		summary("actual  ", i, &a.f[i]);
		for (unsigned off = 0; off < e.f[i].len || off < a.f[i].len;
		     off++) {
			if (off >= e.f[i].len || off >= a.f[i].len ||
			    e.f[i].data[off] != a.f[i].data[off]) {
				unsigned row = off & ~15u;

				printf("      first difference at byte %u\n", off);
				hexline("expected", &e.f[i], row);
				hexline("actual  ", &a.f[i], row);
				break;
			}
		}
	}
	release(&e);
	release(&a);
	return diff;
}
