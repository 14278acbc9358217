/*
 * trace-text.h - the two ends of a frame trace that front-ends share
 * (bridgectl trace, the replay's 'trace' command): building the traced
 * frame from words, and printing the trace result (vswitchd's
 * dp-trace.h, docs/rpc.md bridge.trace) as text.
 */
#ifndef LIB_TRACE_TEXT_H
#define LIB_TRACE_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct json_object;

/* Largest frame a spec may describe. */
#define TRACE_FRAME_MAX 65536

/* Builds a frame in 'buf' (TRACE_FRAME_MAX bytes) from the words
 *   src MAC dst MAC [vlan VID [pcp N]]... [svlan VID [pcp N]]...
 *   [type ETHERTYPE] [len BYTES]
 * (tags outermost first: vlan = 802.1Q 0x8100, svlan = 802.1ad 0x88a8;
 * type defaults to 0x88b5, len to 60, the payload is zeros) or
 *   hex HEXDIGITS
 * (the whole frame; ':' and '.' between digits are ignored).  Returns the
 * frame length, or -1 with '*errp' (xmalloc'd) naming the bad word. */
int trace_frame_build(int argc, char **argv, uint8_t *buf, char **errp);

/* Prints trace result 'res' as text, a format stable enough for tests to
 * compare literally:
 *   hop N: bridge BR, in PORT
 *     frame: SRC > DST[, TAGS], type 0xTTTT, LEN bytes
 *     STEP[ PORT]: VERDICT[ - DETAIL]
 *     ...
 *     => out: PORTS | => out: nothing
 *   result: leaves at BR/PORT... | result: dropped (leaves nowhere)
 * followed by a line saying whether it was a dry run. */
void trace_text_print(FILE *f, struct json_object *res);

#endif /* LIB_TRACE_TEXT_H */
