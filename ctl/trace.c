/*
 * trace.c - "bridgectl trace": explain what the bridge does with a frame
 * (the bridge.trace method, docs/rpc.md; bridgectl(8) TRACE).
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "ctl.h"
#include "trace-text.h"
#include "util.h"

static const char usage[] =
"usage: bridgectl [-j] trace [--learn] [BRIDGE] PORT FRAME\n"
"  FRAME: src MAC dst MAC [vlan VID [pcp N]]... [svlan VID [pcp N]]...\n"
"         [type ETHERTYPE] [len BYTES]\n"
"       | hex HEXDIGITS | pcap FILE [N]   (frame N of FILE, default 1)\n"
"  PORT may be a bridge's name: the frame is sent by the bridge device.\n"
"  A dry run: nothing is learned, sent or counted; --learn applies the\n"
"  learning the frame causes (still nothing sent).\n";

static bool
is_frame_word(const char *w)
{
	static const char *const words[] = { "src", "dst", "vlan", "svlan",
					     "type", "len", "hex", "pcap",
					     NULL };

	for (int i = 0; words[i]; i++)
		if (!strcmp(w, words[i]))
			return true;
	return false;
}

/* Reads frame 'n' (1-based) of pcap 'path' into 'buf'.  Length or -1. */
static int
pcap_frame(const char *path, unsigned long n, uint8_t *buf)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	pcap_t *pc = pcap_open_offline(path, errbuf);
	int len = -1;

	if (!pc) {
		fprintf(stderr, "bridgectl: trace: %s\n", errbuf);
		return -1;
	}
	if (pcap_datalink(pc) != DLT_EN10MB) {
		fprintf(stderr, "bridgectl: trace: %s: not Ethernet\n", path);
	} else {
		for (unsigned long i = 1; pcap_next_ex(pc, &h, &d) == 1; i++) {
			if (i < n)
				continue;
			len = (int)MIN(h->caplen, (uint32_t)TRACE_FRAME_MAX);
			memcpy(buf, d, (size_t)len);
			break;
		}
		if (len < 0)
			fprintf(stderr, "bridgectl: trace: %s has no frame "
				"%lu\n", path, n);
	}
	pcap_close(pc);
	return len;
}

int
own_trace(int argc, char **argv)
{
	struct json_object *params, *res = NULL;
	const char *brname = NULL, *port;
	struct rpc_error err;
	bool learn = false;
	uint8_t *frame;
	char *hex, *why = NULL;
	int i = 0, len;

	if (ctl_wants_help(argc, argv)) {
		fputs(usage, stdout);
		return 0;
	}
	if (i < argc && !strcmp(argv[i], "--learn")) {
		learn = true;
		i++;
	}
	if (argc - i >= 2 && !is_frame_word(argv[i + 1]))
		brname = argv[i++];
	if (argc - i < 2) {
		fputs(usage, stderr);
		return CTL_EXIT_USAGE;
	}
	port = argv[i++];
	frame = xmalloc(TRACE_FRAME_MAX);
	if (!strcmp(argv[i], "pcap")) {
		uint64_t n = 1;

		if (argc - i < 2 || argc - i > 3 ||
		    (argc - i == 3 && (ctl_parse_u64(argv[i + 2], 1u << 30, &n)
				       || !n))) {
			free(frame);
			return ctl_usage_error("trace", "pcap FILE [N]: N "
					       "counts frames from 1");
		}
		len = pcap_frame(argv[i + 1], n, frame);
		if (len < 0) {
			free(frame);
			return CTL_EXIT_FAIL;
		}
	} else {
		len = trace_frame_build(argc - i, argv + i, frame, &why);
		if (len < 0) {
			int rc = ctl_usage_error("trace", "%s", why);

			free(why);
			free(frame);
			return rc;
		}
	}
	hex = xmalloc((size_t)len * 2 + 1);
	for (int k = 0; k < len; k++)
		sprintf(hex + 2 * k, "%02x", frame[k]);
	hex[2 * len] = '\0';
	free(frame);
	params = ctl_params("s", "port", port, "s", "frame", hex,
			    "b", "learn", (int)learn, NULL);
	free(hex);
	if (brname)
		json_object_object_add(params, "bridge",
				       json_object_new_string(brname));
	if (rpc_call("bridge.trace", params, &res, &err))
		return ctl_fail(&err);
	if (ctl_opts.json)
		ctl_print_json(res);
	else
		trace_text_print(stdout, res);
	json_object_put(res);
	return 0;
}
