/*
 * ctl-vlan.c - the VLAN methods of the control protocol (docs/rpc.md
 * vlan.add, vlan.del, vlan.show): parameters in, bridge API calls
 * (bridge_vlan_add/del) out.
 *
 * Key names follow iproute2's JSON output (bridge -j vlan show) so that
 * scripts written for it carry over.
 */
#include "ctl-methods.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "bridge.h"
#include "ctl-query.h"
#include "ctl-server.h"

struct vlan_req {
	struct bridge *br;
	struct port *port;	/* NULL: the bridge device */
	uint16_t vid, vid_end;
	bool pvid, untagged;
};

static int
parse_vlan_req(struct json_object *params, bool add, struct vlan_req *q,
	       struct ctl_reply *r)
{
	static const char *const known_add[] = { "dev", "vid", "vid_end",
		"pvid", "untagged", "self", "master", NULL };
	static const char *const known_del[] = { "dev", "vid", "vid_end",
		"self", "master", NULL };
	uint64_t vid, vid_end = 0;
	bool self = false, master = false;
	const char *dev;
	int has_end;

	memset(q, 0, sizeof *q);
	if (ctl_params_check_known(params, add ? known_add : known_del, r) ||
	    ctl_param_string(params, "dev", true, &dev, r) < 0 ||
	    ctl_param_uint(params, "vid", true, VLAN_VID_MIN, VLAN_VID_MAX,
			   &vid, r) < 0 ||
	    (has_end = ctl_param_uint(params, "vid_end", false, VLAN_VID_MIN,
				      VLAN_VID_MAX, &vid_end, r)) < 0 ||
	    ctl_param_bool(params, "self", false, &self, r) < 0 ||
	    ctl_param_bool(params, "master", false, &master, r) < 0)
		return r->code;
	if (add && (ctl_param_bool(params, "pvid", false, &q->pvid, r) < 0 ||
		    ctl_param_bool(params, "untagged", false, &q->untagged,
				   r) < 0))
		return r->code;
	if (has_end && vid_end < vid)
		return ctl_reply_error(r, CTL_ERR_INVALID_PARAMS, 0,
				       "params.vid_end: %llu is below vid %llu",
				       (unsigned long long)vid_end,
				       (unsigned long long)vid);
	if (has_end && vid_end != vid && q->pvid)
		return ctl_reply_error(r, CTL_ERR_INVALID_PARAMS, 0,
				       "params.pvid: not allowed with a range");
	q->vid = (uint16_t)vid;
	q->vid_end = has_end ? (uint16_t)vid_end : (uint16_t)vid;
	if (ctl_lookup_dev(dev, &q->br, &q->port, r))
		return r->code;
	if (q->port && self)
		return ctl_reply_error(r, CTL_ERR_APP, EOPNOTSUPP,
				       "device %s: 'self' VLANs exist only on "
				       "the bridge device", dev);
	if (!q->port && master && !self)
		return ctl_reply_error(r, CTL_ERR_APP, EOPNOTSUPP,
				       "device %s is a bridge: use self", dev);
	return 0;
}

int
ctl_m_vlan_add(struct json_object *params, struct ctl_reply *r)
{
	struct vlan_req q;

	if (parse_vlan_req(params, true, &q, r))
		return r->code;
	/* Cannot fail: every VID is in range (checked above). */
	for (unsigned v = q.vid; v <= q.vid_end; v++)
		bridge_vlan_add(q.br, q.port, (uint16_t)v, q.pvid, q.untagged);
	return 0;
}

int
ctl_m_vlan_del(struct json_object *params, struct ctl_reply *r)
{
	const struct vlan_port *vp;
	struct vlan_req q;

	if (parse_vlan_req(params, false, &q, r))
		return r->code;
	vp = q.port ? &q.port->vlans : &q.br->self_vlans;
	for (unsigned v = q.vid; v <= q.vid_end; v++)
		if (!vlan_port_has(vp, (uint16_t)v))
			return ctl_reply_error(r, CTL_ERR_APP, ENOENT,
					       "device %s: vlan %u not "
					       "configured",
					       q.port ? q.port->name :
					       q.br->name, v);
	for (unsigned v = q.vid; v <= q.vid_end; v++)
		bridge_vlan_del(q.br, q.port, (uint16_t)v);
	return 0;
}

/* Appends {ifname, vlans:[...]} for 'vp' to 'list' unless it is empty or
 * the 'vid' filter (0: none) leaves nothing. */
static void
vlan_show_one(struct json_object *list, const char *ifname,
	      const struct vlan_port *vp, uint16_t vid)
{
	struct json_object *vlans = json_object_new_array();
	struct json_object *o;

	for (uint16_t v = vlan_port_next(vp, 0); v; v = vlan_port_next(vp, v)) {
		struct json_object *e, *flags;

		if (vid && v != vid)
			continue;
		e = json_object_new_object();
		flags = json_object_new_array();
		json_object_object_add(e, "vlan", json_object_new_int(v));
		if (vp->pvid == v)
			json_object_array_add(flags,
					      json_object_new_string("PVID"));
		if (vlan_port_is_untagged(vp, v))
			json_object_array_add(flags, json_object_new_string(
						      "Egress Untagged"));
		json_object_object_add(e, "flags", flags);
		json_object_array_add(vlans, e);
	}
	if (!json_object_array_length(vlans)) {
		json_object_put(vlans);
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "ifname", json_object_new_string(ifname));
	json_object_object_add(o, "vlans", vlans);
	json_object_array_add(list, o);
}

int
ctl_m_vlan_show(struct json_object *params, struct ctl_reply *r)
{
	static const char *const known[] = { "dev", "vid", "br", NULL };
	const char *dev = NULL, *brname = NULL;
	struct bridge *fbr = NULL;
	struct port *fport = NULL;
	struct json_object *list;
	uint64_t vid = 0;

	if (ctl_params_check_known(params, known, r) ||
	    ctl_param_string(params, "dev", false, &dev, r) < 0 ||
	    ctl_param_string(params, "br", false, &brname, r) < 0 ||
	    ctl_param_uint(params, "vid", false, VLAN_VID_MIN, VLAN_VID_MAX,
			   &vid, r) < 0)
		return r->code;
	if (dev && ctl_lookup_dev(dev, &fbr, &fport, r))
		return r->code;
	if (brname) {
		struct bridge *b = bridge_lookup(brname);

		if (!b)
			return ctl_reply_error(r, CTL_ERR_APP, ENODEV,
					       "bridge %s does not exist",
					       brname);
		if (fbr && fbr != b)
			return ctl_reply_error(r, CTL_ERR_APP, EINVAL,
					       "device %s is not a port of %s",
					       dev, brname);
		fbr = b;
	}
	list = json_object_new_array();
	for (struct bridge *br = bridge_first(); br; br = br->next) {
		if (fbr && br != fbr)
			continue;
		if (!dev || !fport)
			vlan_show_one(list, br->name, &br->self_vlans,
				      (uint16_t)vid);
		for (unsigned i = 1; i < BRIDGE_MAX_PORTS; i++) {
			struct port *p = br->ports[i];

			if (p && (!dev || p == fport))
				vlan_show_one(list, p->name, &p->vlans,
					      (uint16_t)vid);
		}
	}
	r->result = list;
	return 0;
}
