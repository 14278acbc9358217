/*
 * ctl-devices.c - the standalone devices (see ctl-devices.h).
 */
#include "ctl-devices.h"

#include <string.h>

#include <json-c/json.h>

static struct json_object *devices;

struct json_object *
ctl_devices(void)
{
	if (!devices)
		devices = json_object_new_array();
	return devices;
}

static const char *
name_of(struct json_object *dev)
{
	struct json_object *n;

	return json_object_object_get_ex(dev, "name", &n)
	       ? json_object_get_string(n) : "";
}

struct json_object *
ctl_device_find(const char *name)
{
	struct json_object *list = ctl_devices();

	for (size_t i = 0; i < json_object_array_length(list); i++) {
		struct json_object *d = json_object_array_get_idx(list, i);

		if (!strcmp(name_of(d), name))
			return d;
	}
	return NULL;
}

void
ctl_device_add(struct json_object *dev)
{
	json_object_array_add(ctl_devices(), dev);
}

bool
ctl_device_del(const char *name)
{
	struct json_object *list = ctl_devices();

	for (size_t i = 0; i < json_object_array_length(list); i++)
		if (!strcmp(name_of(json_object_array_get_idx(list, i)),
			    name)) {
			json_object_array_del_idx(list, i, 1);
			return true;
		}
	return false;
}

struct json_object *
ctl_devices_doc(void)
{
	static const char *const keys[] = { "name", "type", "args", "up" };
	struct json_object *list = ctl_devices();
	struct json_object *out = json_object_new_array();

	for (size_t i = 0; i < json_object_array_length(list); i++) {
		struct json_object *d = json_object_array_get_idx(list, i);
		struct json_object *o = json_object_new_object(), *v;

		for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
			if (json_object_object_get_ex(d, keys[k], &v))
				json_object_object_add(o, keys[k],
						       json_object_get(v));
		json_object_array_add(out, o);
	}
	return out;
}

void
ctl_devices_reset(struct json_object *list)
{
	struct json_object *copy = NULL;

	json_object_put(devices);
	devices = NULL;
	if (list && json_object_is_type(list, json_type_array) &&
	    !json_object_deep_copy(list, &copy, NULL))
		devices = copy;
}
