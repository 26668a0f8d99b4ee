// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket's replies, built by the daemon and read by the nfsec command:
 * control_proto.h draws the protocol.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control_proto.h"

static const char reply_ok[] = "ok\n";
static const char reply_error[] = "error ";

int control_reply_ok(const char *body, size_t len, char **reply, size_t *reply_len)
{
	size_t n = sizeof(reply_ok) - 1;
	char *r = malloc(n + len);

	if (!r)
		return -ENOMEM;
	memcpy(r, reply_ok, n);
	memcpy(r + n, body, len);
	*reply = r;
	*reply_len = n + len;
	return 0;
}

/* Control characters would end the reply's one line early or garble a terminal. */
static void one_line(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

int control_reply_error(char *msg, char **reply, size_t *reply_len)
{
	size_t n = sizeof(reply_error) - 1 + strlen(msg) + 1;
	char *r = malloc(n + 1);

	if (!r)
		return -ENOMEM;
	one_line(msg);
	snprintf(r, n + 1, "%s%s\n", reply_error, msg);
	*reply = r;
	*reply_len = n;
	return 0;
}

int control_reply_parse(const char *path, char *reply, size_t *len, struct errmsg *err)
{
	size_t ok = sizeof(reply_ok) - 1, error = sizeof(reply_error) - 1;
	char *nl;

	if (*len >= ok && !memcmp(reply, reply_ok, ok)) {
		memmove(reply, reply + ok, *len - ok + 1);
		*len -= ok;
		return 0;
	}
	if (!strncmp(reply, reply_error, error) && (nl = strchr(reply, '\n'))) {
		*nl = '\0';
		errmsg_set(err, "%s", reply + error);
		return -1;
	}
	errmsg_set(err, "nfsec-iked at %s gave no reply, or one that is neither \"ok\" nor "
		   "\"error\"", path);
	return -1;
}
