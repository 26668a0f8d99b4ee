/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control socket's protocol, through which "nfsec tunnel ..." drives nfsec-iked: a
 * unix stream socket, one request per connection. The client sends one line; the daemon
 * answers and closes:
 *
 *   add TUNNEL        TUNNEL as tunnel_serialize() writes it (the secret in hex)
 *   del NAME
 *   up NAME
 *   down NAME
 *   show [NAME]       every tunnel, or one, as text
 *   show-stats [NAME] the same with each phase-2 SA's counters (nfsec tunnel show -s)
 *   show-json [NAME]  the same as a JSON array, the counters in
 *   reload            the daemon's configuration file read again (iked/reload.h):
 *                     "reloaded: A added, C changed, R removed, U unchanged\n"
 *   reload-json       the same as {"added":A,"changed":C,"removed":R,"unchanged":U}
 *
 *   reply:  "ok\n" BODY      (BODY empty but for show and reload)
 *      or:  "error MESSAGE\n"
 *
 * A request is at most CONTROL_REQUEST_MAX bytes, its newline included. add, del, up,
 * down and reload need the client to run as root or as the daemon's user; show is for anyone who
 * can connect. Both ends build on this header: the daemon's server is iked/control.c, the
 * client cli/tunnel.c.
 */
#ifndef NFSEC_COMMON_CONTROL_PROTO_H
#define NFSEC_COMMON_CONTROL_PROTO_H

#include <stddef.h>

#include "tunnel.h"
#include "utils.h"

#define CONTROL_SOCKET_DEFAULT "/run/nfsec/iked.sock"
#define CONTROL_SOCKET_ENV "NFSEC_IKED_SOCKET"	/* the nfsec command's override */

enum {
	CONTROL_REQUEST_MAX = TUNNEL_TEXT_MAX + 64,
	CONTROL_REPLY_MAX = 16 << 20,
	CONTROL_TIMEOUT_MS = 10000,	/* for a client to send its request and take the reply */
};

/* "ok\n" and the body, len bytes, into *reply (malloc'd), *reply_len bytes: 0 or -ENOMEM. */
int control_reply_ok(const char *body, size_t len, char **reply, size_t *reply_len);

/*
 * "error MESSAGE\n" into *reply (malloc'd), *reply_len bytes, every control character of
 * msg made a '?' first (in msg itself): the reply is one line. 0 or -ENOMEM.
 */
int control_reply_error(char *msg, char **reply, size_t *reply_len);

/*
 * A whole reply, *len bytes and NUL-terminated: for "ok", the body moved to the front of
 * reply and *len its length, 0; for "error", the message in err; anything else is said
 * with path, the socket asked. -1 for both.
 */
int control_reply_parse(const char *path, char *reply, size_t *len, struct errmsg *err);

#endif /* NFSEC_COMMON_CONTROL_PROTO_H */
