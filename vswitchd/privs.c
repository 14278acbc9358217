/*
 * privs.c - dropping capabilities after start-up (privs.h), with
 * libcap-ng.
 */
#include "privs.h"

#include <cap-ng.h>
#include <errno.h>
#include <string.h>
#include <sys/prctl.h>

#include "log.h"

#define MOD "main"

int
privs_parse_caps(const char *s, enum privs_caps *out)
{
	if (!strcmp(s, "netns"))
		*out = PRIVS_CAPS_NETNS;
	else if (!strcmp(s, "net"))
		*out = PRIVS_CAPS_NET;
	else if (!strcmp(s, "all"))
		*out = PRIVS_CAPS_ALL;
	else
		return -EINVAL;
	return 0;
}

int
privs_drop(enum privs_caps which)
{
	/* CAP_NET_BROADCAST: the link watcher's NETLINK_LISTEN_ALL_NSID,
	 * which sees TAPs moved to other namespaces. */
	static const unsigned kept[] = {
		CAP_NET_ADMIN, CAP_NET_RAW, CAP_NET_BROADCAST, CAP_SYS_ADMIN,
	};
	size_t n_kept = which == PRIVS_CAPS_NETNS ? 4 : 3;
	int rc;

	if (which == PRIVS_CAPS_ALL) {
		log_info(MOD, "--caps all: keeping every capability");
		return 0;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		rc = -errno;
		log_err(MOD, "no_new_privs: %s", strerror(-rc));
		return rc;
	}
	capng_get_caps_process();
	if (capng_have_capabilities(CAPNG_SELECT_CAPS) == CAPNG_NONE) {
		log_info(MOD, "started without capabilities: none to drop");
		return 0;
	}
	capng_clear(CAPNG_SELECT_BOTH);
	for (size_t i = 0; i < n_kept; i++)
		if (capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED |
				 CAPNG_BOUNDING_SET, kept[i])) {
			log_err(MOD, "capng_update failed");
			return -EINVAL;
		}
	rc = capng_apply(CAPNG_SELECT_BOTH);
	if (rc) {
		log_err(MOD, "cannot drop capabilities (capng_apply: %d)", rc);
		return -EPERM;
	}
	log_info(MOD, "capabilities dropped: keeping %s",
		 which == PRIVS_CAPS_NETNS
		 ? "CAP_NET_ADMIN, CAP_NET_RAW, CAP_NET_BROADCAST, "
		   "CAP_SYS_ADMIN"
		 : "CAP_NET_ADMIN, CAP_NET_RAW, CAP_NET_BROADCAST");
	return 0;
}
