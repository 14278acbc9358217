/*
 * ctl-trace.c - the bridge.trace method (docs/rpc.md): runs a frame
 * through the real pipeline with a trace context (core/dp-trace.h).
 */
#include <errno.h>
#include <stdlib.h>

#include <json-c/json.h>

#include "ctl-methods.h"
#include "ctl-server.h"
#include "ctl-trace.h"
#include "dp-trace-run.h"
#include "trace-text.h"
#include "util.h"

int
ctl_m_bridge_trace(struct json_object *params, struct ctl_reply *r)
{
	static const char *const known[] = { "bridge", "port", "frame",
					     "learn", NULL };
	const char *brname = NULL, *port = NULL, *hex = NULL;
	char *words[2], *err = NULL;
	struct json_object *res = NULL;
	bool learn = false;
	struct port *in;
	uint8_t *frame;
	int len;

	if (ctl_params_check_known(params, known, r) ||
	    ctl_param_string(params, "bridge", false, &brname, r) < 0 ||
	    ctl_param_string(params, "port", true, &port, r) < 0 ||
	    ctl_param_string(params, "frame", true, &hex, r) < 0 ||
	    ctl_param_bool(params, "learn", false, &learn, r) < 0 || r->code)
		return r->code;
	frame = xmalloc(TRACE_FRAME_MAX);
	words[0] = (char *)"hex";
	words[1] = (char *)hex;
	len = trace_frame_build(2, words, frame, &err);
	if (len < 0) {
		ctl_reply_error(r, CTL_ERR_INVALID_PARAMS, 0, "params.frame: %s",
				err);
	} else if (!(in = dp_trace_find_port(brname, port, &err))) {
		ctl_reply_error(r, CTL_ERR_APP, ENODEV, "%s", err);
	} else if (!(res = dp_trace_frame(in, frame, (uint32_t)len, learn,
					  &err))) {
		ctl_reply_error(r, CTL_ERR_INVALID_PARAMS, 0, "params.frame: %s",
				err);
	} else {
		r->result = res;
	}
	free(err);
	free(frame);
	return r->code;
}
