/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nfsec-iked's configuration file, and the files a tunnel names: the tunnels (in the
 * words of common/tunnel.h, one "tunnel NAME WORDS..." a line) and the daemon-wide
 * settings among them; the pre-shared key of "psk file:PATH".
 */
#ifndef NFSEC_IKED_CONF_H
#define NFSEC_IKED_CONF_H

#include <stddef.h>
#include <stdio.h>

#include "tunnel.h"

/*
 * Daemon-wide settings a configuration file may give, one a line, anywhere among the
 * tunnels: "half-open-max N" (responder phase 1s of remote %any tunnels waiting for the
 * peer's second message, in all) and "half-open-per-peer N" (of them, and of each named
 * tunnel's, from one address), each 1..65535; a first message refused holds a place as
 * one for DAEMON_HALF_OPEN_MS (daemon.c, half_open_fits()).
 */
struct iked_settings {
	unsigned int half_open_max;
	unsigned int half_open_per_peer;
};

enum {
	IKED_HALF_OPEN_MAX_DEFAULT = 256,
	IKED_HALF_OPEN_PER_PEER_DEFAULT = 4,
};

void iked_settings_default(struct iked_settings *s);

/*
 * The tunnels of a configuration file into out[0..max-1], how many in *count. A line
 * "tunnel NAME WORDS..." is one tunnel; a backslash ending a line continues it on the
 * next (a blank line ends it all the same); a word starting with '#' starts a comment
 * to the end of the line, and lines of nothing but a comment are skipped, in a continued
 * line too; double quotes keep blanks in a word ("C=CH, CN=moon") and are dropped. path
 * names the file in messages: 0, or a negative errno with "PATH:LINE: message" in err,
 * LINE the first of the tunnel (for a quote left open or a line too long, the very one),
 * out wiped and *count 0.
 */
int tunnel_conf_parse(FILE *f, const char *path, struct tunnel *out, int max, int *count,
		      char *err, size_t errlen);

/*
 * As tunnel_conf_parse(), with the settings lines taken into *settings (defaults first),
 * and when lines is not NULL, the first line of out[i] into lines[i] (max of them).
 */
int tunnel_conf_parse_settings(FILE *f, const char *path, struct tunnel *out, int max,
			       int *count, struct iked_settings *settings, unsigned long *lines,
			       char *err, size_t errlen);

/*
 * auth psk with psk file:PATH: the secret read into t->psk (a line end at its end
 * dropped). Refused, with err naming the file: a file group or others can read, an
 * empty one, one longer than TUNNEL_PSK_MAX bytes (never cut short). 0 or -errno; 0 too
 * when the secret is not in a file.
 */
int tunnel_psk_load(struct tunnel *t, char *err, size_t errlen);

#endif /* NFSEC_IKED_CONF_H */
