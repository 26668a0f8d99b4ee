/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The configuration file (nfsec-iked -c FILE) into the registry: at start, checked
 * without the module (-n), and read again in place (SIGHUP, "nfsec tunnel reload").
 *
 * Every one of them reads the whole file first, and every PSK, certificate and key file
 * its tunnels name, as a start reads them; an error names FILE:LINE. A reload then
 * changes nothing on any error; else, as strongSwan's "swanctl --load-all" does:
 *
 *   - a tunnel of the file gone from it is removed as "nfsec tunnel del" removes it (its
 *     SAs deleted and the peer told, its policies out);
 *   - one whose definition is the same is left alone, phase 1 and SAs too;
 *   - one whose definition changed is removed so, and added again;
 *   - a new one is added; both as at start (auto start negotiates, trap installs);
 *   - the settings (half-open-max, half-open-per-peer) are replaced.
 *
 * A definition is the tunnel's words as tunnel_serialize() writes them, with what its
 * files hold: the secret of "psk file:PATH", and for auth cert our certificate, the ca
 * file and our ID (auth_creds_same()). A key or certificate renewed under the same path
 * is a change.
 *
 * Tunnels added over the control socket are not the file's (iked_tunnel.from_conf is
 * unset) and a reload never touches them: a tunnel of the file with the name, or the
 * explicit reqid, of one of them is an error.
 */
#ifndef NFSEC_IKED_RELOAD_H
#define NFSEC_IKED_RELOAD_H

#include <stddef.h>

#include "conf.h"

enum {
	CONF_TUNNELS_MAX = 256,		/* of one file */
};

/* What a reload did, by tunnel of the file. */
struct conf_reload_result {
	unsigned int added, changed, removed, unchanged;
};

/*
 * At start: the tunnels of path added to the registry (the daemon's ops load their
 * secrets and put their policies in), marked as the file's; *settings the file's.
 * How many, or a negative errno, logged.
 */
int conf_load(const char *path, struct iked_settings *settings);

/*
 * nfsec-iked -n: what a start would read, read and let go (into the registry without
 * ops, and out again); "PATH: N tunnel(s), settings ...: OK" on stdout. 0 or a negative
 * errno, logged.
 */
int conf_check(const char *path);

/*
 * The file read again and applied (see the top): 0 with *r filled in, or a negative
 * errno with err set ("PATH:LINE: ..."), and then nothing changed, unless the kernel
 * refused a tunnel added: that one is missing, the rest done, and err names it. Logged
 * either way.
 */
int conf_reload(const char *path, struct conf_reload_result *r, char *err, size_t errlen);

/*
 * Both triggers of conf_reload() on path (NULL: the daemon has no file, and a reload says
 * so): SIGHUP through the loop (loop_signals(), which this calls), and the control
 * socket's "reload". 0 or a negative errno.
 */
int conf_reload_init(const char *path);

#endif /* NFSEC_IKED_RELOAD_H */
