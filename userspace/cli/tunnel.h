/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nfsec tunnel: the IKE tunnels of nfsec-iked, driven over its control socket (see
 * iked/control.h for the protocol). "add" parses the words here with tunnel_parse() first,
 * so a bad word is reported before anything is sent.
 *
 * This header includes iked/tunnel.h: a file built with -Icli -Iiked that includes
 * "tunnel.h" finds this one first, and gets the model with it all the same.
 */
#ifndef NFSEC_CLI_TUNNEL_H
#define NFSEC_CLI_TUNNEL_H

#include <stddef.h>

#include "../iked/tunnel.h"
#include "utils.h"

struct cli_opts;

int tunnel_main(const struct cli_opts *opts, int argc, char **argv);
extern const char tunnel_usage[];

/* The control socket: $NFSEC_IKED_SOCKET if set and not empty, else the default. */
const char *tunnel_socket_path(void);

/*
 * Sends request (one line, its newline included) to nfsec-iked at path and reads the
 * reply to the end. 0 with the body after "ok\n" in *body (malloc'd, NUL-terminated,
 * *len bytes), or -1 with err set: the daemon's "error" message as it is, or why it could
 * not be asked ("cannot reach nfsec-iked at PATH: ... (is nfsec-iked running?)").
 */
int tunnel_request(const char *path, const char *request, size_t request_len, char **body,
		   size_t *len, struct errmsg *err);

#endif /* NFSEC_CLI_TUNNEL_H */
