/*
 * config-apply.h - makes the running bridges match a configuration
 * document (the format of config-store.c), through the control methods.
 *
 * The config store uses it at start-up to build every bridge from the
 * file, so a stored configuration is checked exactly like requests.
 */
#ifndef VSWITCHD_CONFIG_APPLY_H
#define VSWITCHD_CONFIG_APPLY_H

struct json_object;

/* Builds every bridge, port, VLAN and user FDB entry of 'doc' (borrowed)
 * on a switch without bridges.  Returns 0, or -EINVAL with why in '*why'
 * (xmalloc'd) at the first refusal; what was built stays (the caller
 * destroys it). */
int config_apply_restore(struct json_object *doc, char **why);

#endif /* VSWITCHD_CONFIG_APPLY_H */
