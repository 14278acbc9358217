/*
 * devtype.c - which port type a device name asks for (ctl.h), for brctl
 * addif and link set master alike.  Apart from the commands that use it
 * so that neither front-end depends on the other.
 */
#include <string.h>
#include <stdio.h>
#include <sys/stat.h>

#include "ctl.h"

const char *
ctl_port_type_for_dev(const char *dev)
{
	char path[64];
	struct stat st;

	/* A name that is no device name cannot be looked up as a path;
	 * the daemon explains what is wrong with it. */
	if (!*dev || strlen(dev) >= 16 || strchr(dev, '/') ||
	    !strcmp(dev, ".") || !strcmp(dev, ".."))
		return "tap";
	snprintf(path, sizeof path, "/sys/class/net/%s", dev);
	if (stat(path, &st))
		return "tap";
	/* Only the tun driver gives a device this attribute. */
	snprintf(path, sizeof path, "/sys/class/net/%s/tun_flags", dev);
	return stat(path, &st) ? "netdev" : "tap";
}
