/*
 * config-apply.h - makes the running bridges match a configuration
 * document (the format of config-doc.h), through the control methods.
 *
 * The config store uses it twice: at start-up to build every bridge from
 * the file, so a stored configuration is checked exactly like requests;
 * and when a change cannot be saved, to bring the running state back to
 * the checkpoint taken before the change (config_store_commit()), so the
 * switch never runs what the next start would not load.
 */
#ifndef VSWITCHD_CONFIG_APPLY_H
#define VSWITCHD_CONFIG_APPLY_H

struct json_object;

/* Builds every bridge, port, VLAN and user FDB entry of 'doc' (borrowed)
 * on a switch without bridges.  Returns 0, or -EINVAL with why in '*why'
 * (xmalloc'd) at the first refusal; what was built stays (the caller
 * destroys it). */
int config_apply_restore(struct json_object *doc, char **why);

/* Brings the running state back to 'doc' (borrowed), a checkpoint of the
 * configuration with runtime extras (config_store_checkpoint()), changing
 * only what differs: bridges and ports not in 'doc' are deleted, ports
 * moved to another bridge go home at their number, then options, port
 * settings and states, path costs, VLANs and user FDB entries are set
 * where they differ (in that order: each VLAN change flushes FDB entries).
 * Ports are reopened only if one in 'doc' is missing (deletions save
 * first, so only when that went wrong).  Ports are deleted directly, not
 * through port.del, so the change observer does not hear of it: the
 * caller forgets what it kept about ports that no longer exist.  Goes on
 * past errors; returns 0, or -EIO with the first reason in '*why'
 * (xmalloc'd; NULL on entry). */
int config_apply_revert(struct json_object *doc, char **why);

#endif /* VSWITCHD_CONFIG_APPLY_H */
