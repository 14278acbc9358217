/*
 * ctl-devices.h - standalone devices: what `ip link add vx0 type vxlan
 * ...` makes before `ip link set vx0 master br0`.  A vxlan port of
 * vswitchd lives on a bridge, so a standalone one is its definition only
 * (name, type, creation arguments, admin state), checked by a trial open
 * when made (link.add) and opened for real when it joins a bridge
 * (port.add without a type, e.g. from `link set vx0 master br0`), which
 * takes it off this list.  Data only: the methods (ctl-methods.c) change
 * it, the configuration document (config-doc.c) saves it as "devices".
 */
#ifndef VSWITCHD_CTL_DEVICES_H
#define VSWITCHD_CTL_DEVICES_H

#include <stdbool.h>

struct json_object;

/* The list, an array of {"name", "type", "args", "up", "mtu", "info"}
 * ("info": the class's describe() of the trial open), borrowed. */
struct json_object *ctl_devices(void);

/* The device 'name' (borrowed), or NULL. */
struct json_object *ctl_device_find(const char *name);

/* Adds 'dev' (ownership taken), or removes 'name' (true if it was
 * there). */
void ctl_device_add(struct json_object *dev);
bool ctl_device_del(const char *name);

/* The list as the configuration document holds it: {"name", "type",
 * "args", "up"} each.  A new array the caller owns. */
struct json_object *ctl_devices_doc(void);

/* Makes the list a deep copy of 'list' (NULL or not an array: empty);
 * a checkpoint's list is put back so. */
void ctl_devices_reset(struct json_object *list);

#endif /* VSWITCHD_CTL_DEVICES_H */
