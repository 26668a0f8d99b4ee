// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for nfsec-iked's configuration file (iked/conf.c): the input is the
 * file, read through fmemopen() by tunnel_conf_parse_settings() as the daemon reads it
 * (tunnel lines, continued lines, comments, quotes, settings lines).
 *
 * Beyond the sanitizers: a refusal names the file and leaves no tunnel; the settings stay
 * in 1..65535; every tunnel taken is within its bounds, formats for "nfsec tunnel show"
 * without its secret, and survives the control socket's round trip: serialized, parsed
 * back (tunnel_deserialize(), as "add" does), it is the same tunnel and serializes to the
 * same text.
 *
 * fuzz-sources: userspace/iked/conf.c
 * fuzz-sources: userspace/common/proposal.c userspace/common/tunnel.c userspace/common/words.c
 * fuzz-sources: userspace/common/encoding.c userspace/common/utils.c userspace/common/json.c
 * fuzz-flags: -dict=tests/fuzz/tunnel.dict
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "tunnel.h"

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: check failed: %s\n",	\
				__FILE__, __LINE__, #cond);		\
			abort();					\
		}							\
	} while (0)

enum { TUNNELS_MAX = 8 };

static struct tunnel out[TUNNELS_MAX], again;
static char text[TUNNEL_TEXT_MAX], text2[TUNNEL_TEXT_MAX];

static bool terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

static void check_tunnel(const struct tunnel *t)
{
	char err[256] = "";
	int n;

	CHECK(terminated(t->name, sizeof(t->name)) && t->name[0]);
	CHECK(t->local_ts_count <= TUNNEL_TS_MAX && t->remote_ts_count <= TUNNEL_TS_MAX);
	CHECK(t->ike.count >= 1 && t->ike.count <= PROPOSALS_MAX);
	CHECK(t->esp.count >= 1 && t->esp.count <= PROPOSALS_MAX);
	CHECK(t->auth == TUNNEL_AUTH_PSK || t->auth == TUNNEL_AUTH_CERT);
	CHECK(t->psk_len <= TUNNEL_PSK_MAX && t->local_id.len <= TUNNEL_ID_MAX &&
	      t->remote_id.len <= TUNNEL_ID_MAX);
	CHECK(terminated(t->psk_file, sizeof(t->psk_file)) &&
	      terminated(t->cert, sizeof(t->cert)) && terminated(t->key, sizeof(t->key)) &&
	      terminated(t->ca, sizeof(t->ca)));

	/* "nfsec tunnel show": one line, the secret hidden */
	n = tunnel_format(t, text, sizeof(text));
	CHECK(n >= 0 && (size_t)n < sizeof(text) && !strchr(text, '\n'));
	if (t->auth == TUNNEL_AUTH_PSK && !t->psk_file[0])
		CHECK(strstr(text, " psk <hidden>"));

	/* the control socket's "add": the same tunnel back, the same text again */
	n = tunnel_serialize(t, text, sizeof(text));
	CHECK(n >= 0 && (size_t)n < sizeof(text));
	if (tunnel_deserialize(text, &again, err, sizeof(err))) {
		fprintf(stderr, "serialized \"%s\" does not parse back: %s\n", text, err);
		CHECK(!"a serialized tunnel parses back");
	}
	CHECK(tunnel_serialize(&again, text2, sizeof(text2)) == n);
	CHECK(!strcmp(text, text2));
	CHECK(!memcmp(t, &again, sizeof(again)));
	tunnel_wipe(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct iked_settings settings;
	char err[512];
	int count = -1, ret, i;
	FILE *f;

	if (!size)
		return 0;
	f = fmemopen((void *)data, size, "r");
	if (!f)
		return 0;
	memset(err, 0x55, sizeof(err));
	ret = tunnel_conf_parse_settings(f, "fuzz.conf", out, TUNNELS_MAX, &count, &settings,
					 NULL, err, sizeof(err));
	fclose(f);
	CHECK(ret == 0 || ret == -EINVAL || ret == -ENOSPC || ret == -EIO);
	CHECK(count >= 0 && count <= TUNNELS_MAX);
	CHECK(settings.half_open_max >= 1 && settings.half_open_max <= 65535);
	CHECK(settings.half_open_per_peer >= 1 && settings.half_open_per_peer <= 65535);
	if (ret) {
		CHECK(count == 0 && terminated(err, sizeof(err)));
		CHECK(!strncmp(err, "fuzz.conf:", 10) && !strchr(err, '\n'));
		return 0;
	}
	for (i = 0; i < count; i++)
		check_tunnel(&out[i]);
	for (i = 0; i < count; i++)
		tunnel_wipe(&out[i]);
	return 0;
}
