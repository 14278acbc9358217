/*
 * replay.h - run bridges of pcap ports to completion on a virtual clock.
 *
 * The clock is frozen and driven by the pcap timestamps: every input frame
 * of every pcap port is merged in time order (ties: lower port number
 * first), deferred 'at' commands run when their time comes, and bridges are
 * aged/ticked to each new time before the frames of that time are
 * processed.  Deterministic: the same inputs always give the same outputs.
 */
#ifndef VSWITCHD_REPLAY_H
#define VSWITCHD_REPLAY_H

#include <stdbool.h>

struct replay_opts {
	const char *script;	/* setup commands */
	const char *in_dir;	/* default folder of in-PORT.pcap */
	const char *out_dir;	/* default folder of out-PORT.pcap */
	/* Before each input frame runs, trace it (a dry run) and print the
	 * trace's egress set next to what the frame then really did; a
	 * mismatch fails the replay (-EPROTO). */
	bool trace_check;
};

/* Runs the script, then the replay.  Returns 0 or -errno (message already
 * printed). */
int replay_run(const struct replay_opts *opts);

/* Takes every bridge down once the replay (and any dump of its state) is
 * over, before the bridges are destroyed: removing the ports of an up
 * bridge may make it root and send TC BPDUs, as 'ip link del' does, and
 * those must not be recorded in the output captures. */
void replay_finish(void);

#endif /* VSWITCHD_REPLAY_H */
