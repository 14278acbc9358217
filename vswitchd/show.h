/*
 * show.h - human-readable summaries of a bridge (used by --dump and the
 * demo): ports with counters, and the FDB in `brctl showmacs` form plus one
 * machine-readable "fdb" line per entry.
 */
#ifndef VSWITCHD_SHOW_H
#define VSWITCHD_SHOW_H

#include <stdio.h>

struct bridge;

void show_bridge_summary(FILE *f, const struct bridge *br);

#endif /* VSWITCHD_SHOW_H */
