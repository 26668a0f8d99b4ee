/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control socket, through which "nfsec tunnel ..." drives nfsec-iked: a unix stream
 * socket, one request per connection. The client sends one line; the daemon answers and
 * closes:
 *
 *   add TUNNEL        TUNNEL as tunnel_serialize() writes it (the secret in hex)
 *   del NAME
 *   up NAME
 *   down NAME
 *   show [NAME]       every tunnel, or one, as text
 *   show-json [NAME]  the same as a JSON array
 *
 *   reply:  "ok\n" BODY      (BODY empty but for show)
 *      or:  "error MESSAGE\n"
 *
 * A request is at most CONTROL_REQUEST_MAX bytes, its newline included. add, del, up and
 * down need the client to run as root or as the daemon's user; show is for anyone who
 * can connect. This header is the protocol for both ends: the nfsec command includes it
 * too, for the constants alone.
 */
#ifndef NFSEC_IKED_CONTROL_H
#define NFSEC_IKED_CONTROL_H

#include <stddef.h>

#include "tunnel.h"

#define CONTROL_SOCKET_DEFAULT "/run/nfsec/iked.sock"
#define CONTROL_SOCKET_ENV "NFSEC_IKED_SOCKET"	/* the nfsec command's override */

enum {
	CONTROL_REQUEST_MAX = TUNNEL_TEXT_MAX + 64,
	CONTROL_REPLY_MAX = 16 << 20,
	CONTROL_CLIENTS_MAX = 16,	/* at once; more are told "busy" */
	CONTROL_TIMEOUT_MS = 10000,	/* for a client to send its request and take the reply */
};

/*
 * Listens at path (the directory made 0700 if missing, which must then be the daemon's
 * and writable by it alone; the socket 0600; a stale socket left by a dead daemon
 * replaced, a live one's refused) from the loop, acting on the registry. 0, or a negative
 * errno with err set.
 */
int control_init(const char *path, char *err, size_t errlen);

/* Every client dropped, the socket closed and its file removed (if it is still ours). */
void control_fini(void);

#endif /* NFSEC_IKED_CONTROL_H */
