/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The server of the control socket, through which "nfsec tunnel ..." drives the daemon:
 * common/control_proto.h has the protocol, which both ends share.
 */
#ifndef NFSEC_IKED_CONTROL_H
#define NFSEC_IKED_CONTROL_H

#include <stddef.h>

#include "control_proto.h"

enum {
	CONTROL_CLIENTS_MAX = 16,	/* at once; more are told "busy" */
};

/*
 * Listens at path (the directory made 0700 if missing, which must then be the daemon's
 * and writable by it alone; the socket 0600; a stale socket left by a dead daemon
 * replaced, a live one's refused) from the loop, acting on the registry. 0, or a negative
 * errno with err set.
 */
int control_init(const char *path, char *err, size_t errlen);

/*
 * What "reload" runs (reload.c's conf_reload() on the daemon's file): 0 with *r filled
 * in, or a negative errno with err set. Until one is set, "reload" is refused.
 */
struct conf_reload_result;
typedef int (*control_reload_fn)(struct conf_reload_result *r, char *err, size_t errlen);
void control_set_reload(control_reload_fn fn);

/* Every client dropped, the socket closed and its file removed (if it is still ours). */
void control_fini(void);

#endif /* NFSEC_IKED_CONTROL_H */
