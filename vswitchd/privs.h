/*
 * privs.h - vswitchd's least privilege after start-up (docs/security.md).
 *
 * Once the stored configuration is loaded and the control sockets listen,
 * vswitchd keeps only the capabilities its run time needs and drops every
 * other from its effective, permitted, inheritable and bounding sets, and
 * sets no_new_privs.  Which it keeps is --caps:
 *
 *   netns  CAP_NET_ADMIN (TAPs: TUNSETIFF, rtnetlink link
 *          changes; SO_RCVBUFFORCE), CAP_NET_RAW (netdev ports' packet
 *          sockets, VXLAN's raw sender), CAP_NET_BROADCAST (the link
 *          watcher's NETLINK_LISTEN_ALL_NSID) and CAP_SYS_ADMIN, which
 *          setns() needs to follow a TAP moved into another namespace
 *   net    the same without CAP_SYS_ADMIN: a TAP moved to another
 *          namespace can no longer be followed there
 *   all    (the default) keep what it was started with: no drop
 *
 * A vswitchd started without capabilities (a non-root user, over TAPs
 * pre-created with 'ip tuntap add ... user U') has nothing to drop.
 */
#ifndef VSWITCHD_PRIVS_H
#define VSWITCHD_PRIVS_H

enum privs_caps {
	PRIVS_CAPS_NETNS,
	PRIVS_CAPS_NET,
	PRIVS_CAPS_ALL,
};

/* Parses "netns", "net" or "all".  Returns 0 or -EINVAL. */
int privs_parse_caps(const char *s, enum privs_caps *out);

/* Drops to 'which' as above.  Returns 0 or -errno after logging why. */
int privs_drop(enum privs_caps which);

#endif
