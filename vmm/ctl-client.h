/*
 * ctl-client.h - the VMM's client of vswitchd's control socket (JSON-RPC
 * 2.0, one JSON text per line; see docs/rpc.md), for '--net BRIDGE':
 * port.add of a vhost-user port named after the VM at start-up, port.del
 * at exit.  Control path only, blocking, with a timeout.
 */
#ifndef VMM_CTL_CLIENT_H
#define VMM_CTL_CLIENT_H

#include <stddef.h>

struct json_object;

/* The control socket: 'opt' if given, else $VSWITCHD_SOCKET, else
 * /run/vswitchd/vswitchd.sock. */
const char *ctl_client_socket_path(const char *opt);

/* Calls 'method' with 'params' (not consumed) on the daemon at 'sock'.
 * Returns 0, or -errno with a message in 'err' (the daemon's error
 * message for a JSON-RPC error, which gives -EREMOTEIO). */
int ctl_client_call(const char *sock, const char *method,
		    struct json_object *params, char *err, size_t err_size);

#endif /* VMM_CTL_CLIENT_H */
