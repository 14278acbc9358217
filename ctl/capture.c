/*
 * capture.c - "bridgectl capture": frames a port receives and sends, as
 * vswitchd's datapath sees them (capture.start, docs/rpc.md), written as a
 * classic pcap file (libpcap's pcap_dump; tcpdump and Wireshark read it)
 * or printed one line per frame.
 *
 * The file is flushed after every frame, so it is complete up to the last
 * one even if bridgectl is killed; SIGINT/SIGTERM end the capture and close
 * it cleanly.
 */
#include "ctl.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <pcap/pcap.h>

#include "util.h"

#define CAPTURE_SNAPLEN 65536

static void
capture_usage(FILE *f)
{
	fprintf(f,
"Usage: bridgectl capture [BRIDGE] DEV [-w FILE|-] [-c COUNT]\n"
"Captures the frames DEV (a port, or the bridge device) receives and\n"
"sends, as the switch sees them (after the egress VLAN edit: the bytes\n"
"on the wire).\n"
"  -w FILE   write a pcap file (- for stdout); without -w, one line per\n"
"            frame\n"
"  -c COUNT  stop after COUNT frames\n"
"Ends on Ctrl-C or SIGTERM, closing the file cleanly.\n");
}

static void
on_signal(int sig)
{
	(void)sig;
	ctl_interrupted = 1;
}

static int
b64_value(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Decodes padded base64 'in' into 'out' (room for 'max' bytes).  Returns
 * the length, or -1 if 'in' is not base64 or does not fit. */
static long
base64_decode(const char *in, uint8_t *out, size_t max)
{
	size_t n = strlen(in), len = 0;

	if (n % 4)
		return -1;
	for (size_t i = 0; i < n; i += 4) {
		int v[4];
		int pad = 0;

		for (int k = 0; k < 4; k++) {
			if (in[i + k] == '=' && i + 4 == n && k >= 2) {
				v[k] = 0;
				pad++;
			} else if ((v[k] = b64_value(in[i + k])) < 0 || pad) {
				return -1;
			}
		}
		uint32_t w = (uint32_t)v[0] << 18 | v[1] << 12 | v[2] << 6 | v[3];

		if (len + 3 - (size_t)pad > max)
			return -1;
		out[len++] = (uint8_t)(w >> 16);
		if (pad < 2)
			out[len++] = (uint8_t)(w >> 8);
		if (pad < 1)
			out[len++] = (uint8_t)w;
	}
	return (long)len;
}

/* One line per frame: time, direction, addresses, EtherType, length. */
static void
print_frame(const char *dev, uint64_t ts_ns, const char *dir,
	    const uint8_t *d, long caplen, long len)
{
	time_t sec = (time_t)(ts_ns / 1000000000u);
	struct tm tm;

	localtime_r(&sec, &tm);
	printf("%02d:%02d:%02d.%06u %s %s ", tm.tm_hour, tm.tm_min, tm.tm_sec,
	       (unsigned)(ts_ns % 1000000000u / 1000), dev, dir);
	if (caplen >= 14) {
		printf("%02x:%02x:%02x:%02x:%02x:%02x > "
		       "%02x:%02x:%02x:%02x:%02x:%02x, ethertype 0x%04x, ",
		       d[6], d[7], d[8], d[9], d[10], d[11],
		       d[0], d[1], d[2], d[3], d[4], d[5], d[12] << 8 | d[13]);
	}
	printf("length %ld\n", len);
}

int
own_capture(int argc, char **argv)
{
	const char *file = NULL, *dev = NULL, *bridge = NULL;
	uint64_t count = 0, seen = 0;
	struct json_object *res, *ev;
	struct sigaction sa;
	struct rpc_error err;
	pcap_dumper_t *dumper = NULL;
	pcap_t *dead = NULL;
	uint8_t *frame;
	int status = 0;

	for (int i = 0; i < argc; i++) {
		if (ctl_is_help(argv[i])) {
			capture_usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "-w")) {
			if (++i == argc)
				return ctl_usage_error("capture", "-w needs a "
						       "FILE (or -)");
			file = argv[i];
		} else if (!strcmp(argv[i], "-c")) {
			if (++i == argc ||
			    ctl_parse_u64(argv[i], UINT32_MAX, &count) ||
			    !count)
				return ctl_usage_error("capture", "-c needs a "
						       "COUNT of at least 1");
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return ctl_usage_error("capture", "unknown option '%s'",
					       argv[i]);
		} else if (!dev) {
			dev = argv[i];
		} else if (!bridge) {
			bridge = dev;
			dev = argv[i];
		} else {
			return ctl_usage_error("capture", "unexpected argument "
					       "'%s'", argv[i]);
		}
	}
	if (!dev)
		return ctl_usage_error("capture", "expected a DEV to capture "
				       "on");
	if (rpc_call("capture.start",
		     bridge ? ctl_params("s", "dev", dev, "s", "bridge", bridge,
					 NULL)
			    : ctl_params("s", "dev", dev, NULL), &res, &err))
		return ctl_fail(&err);
	json_object_put(res);

	if (file) {
		dead = pcap_open_dead(DLT_EN10MB, CAPTURE_SNAPLEN);
		dumper = dead ? pcap_dump_open(dead, file) : NULL;
		if (!dumper) {
			fprintf(stderr, "bridgectl: cannot write %s: %s\n", file,
				dead ? pcap_geterr(dead) : strerror(ENOMEM));
			if (dead)
				pcap_close(dead);
			return CTL_EXIT_FAIL;
		}
	} else {
		setvbuf(stdout, NULL, _IOLBF, 0);
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;	/* no SA_RESTART: read() returns */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (file && strcmp(file, "-"))
		fprintf(stderr, "bridgectl: capturing on %s to %s\n", dev, file);

	frame = xmalloc(CAPTURE_SNAPLEN);
	while (!ctl_interrupted && (!count || seen < count) &&
	       (ev = rpc_next_notification())) {
		struct json_object *params = NULL;
		const char *method = ctl_jstr(ev, "method");
		long len;

		json_object_object_get_ex(ev, "params", &params);
		if (!strcmp(method, "capture.end")) {
			fprintf(stderr, "bridgectl: capture ended: %s\n",
				ctl_jstr(params, "reason"));
			json_object_put(ev);
			break;
		}
		if (strcmp(method, "capture.frame")) {
			json_object_put(ev);
			continue;
		}
		len = base64_decode(ctl_jstr(params, "data_b64"), frame,
				    CAPTURE_SNAPLEN);
		if (len < 0) {
			fprintf(stderr, "bridgectl: vswitchd sent a malformed "
				"frame\n");
			json_object_put(ev);
			status = CTL_EXIT_FAIL;
			break;
		}
		if (ctl_jint(params, "dropped"))
			fprintf(stderr, "bridgectl: %lld frames dropped so far "
				"(capture too slow)\n", ctl_jint(params, "dropped"));
		if (dumper) {
			uint64_t ts = (uint64_t)ctl_jint(params, "ts_ns");
			struct pcap_pkthdr h = {
				.ts = { .tv_sec = (time_t)(ts / 1000000000u),
					.tv_usec = (suseconds_t)(ts % 1000000000u /
								 1000) },
				.caplen = (bpf_u_int32)len,
				.len = (bpf_u_int32)ctl_jint(params, "len"),
			};

			pcap_dump((u_char *)dumper, &h, frame);
			pcap_dump_flush(dumper);
		} else {
			print_frame(dev, (uint64_t)ctl_jint(params, "ts_ns"),
				    ctl_jstr(params, "dir"), frame, len,
				    (long)ctl_jint(params, "len"));
		}
		seen++;
		json_object_put(ev);
	}
	free(frame);
	if (dumper) {
		pcap_dump_close(dumper);
		pcap_close(dead);
	}
	if (file && strcmp(file, "-"))
		fprintf(stderr, "bridgectl: %llu frames captured\n",
			(unsigned long long)seen);
	return status;
}
