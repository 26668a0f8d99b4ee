// SPDX-License-Identifier: GPL-2.0
/*
 * nfsec-iked: the IKEv1 daemon. Loads the tunnels of its config file, listens on UDP 500
 * and on its control socket (for "nfsec tunnel ..."), and keys the nfsec module.
 *
 *   nfsec-iked [-f] [-d] [-c FILE] [-S SOCKET]
 */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "daemon.h"
#include "log.h"
#include "loop.h"

enum { CONF_TUNNELS_MAX = 256 };

static void usage(FILE *f)
{
	fprintf(f, "Usage: nfsec-iked [-f] [-d] [-c FILE] [-S SOCKET]\n"
		"  -f         stay in the foreground and log to stderr\n"
		"  -d         log debug messages too\n"
		"  -c FILE    load the tunnels of FILE (one \"tunnel NAME WORDS...\" per line)\n"
		"  -S SOCKET  the control socket (default " CONTROL_SOCKET_DEFAULT ")\n");
}

static int conf_load(const char *path)
{
	struct tunnel *tunnels = calloc(CONF_TUNNELS_MAX, sizeof(*tunnels));
	char err[512];
	int count = 0, i, ret = 0;
	FILE *f;

	if (!tunnels)
		return -ENOMEM;
	f = fopen(path, "re");
	if (!f) {
		log_err("%s: %m", path);
		free(tunnels);
		return -errno;
	}
	if (tunnel_conf_parse(f, path, tunnels, CONF_TUNNELS_MAX, &count, err, sizeof(err))) {
		log_err("%s", err);
		ret = -EINVAL;
	}
	fclose(f);
	for (i = 0; !ret && i < count; i++)
		if (registry_add(&tunnels[i], NULL, err, sizeof(err))) {
			log_err("%s: tunnel %s: %s", path, tunnels[i].name, err);
			ret = -EINVAL;
		}
	for (i = 0; i < count; i++)
		tunnel_wipe(&tunnels[i]);
	free(tunnels);
	if (!ret)
		log_info("%s: %d tunnel(s) loaded", path, count);
	return ret;
}

int main(int argc, char **argv)
{
	const char *conf = NULL, *sock = CONTROL_SOCKET_DEFAULT;
	bool foreground = false;
	int level = LOG_INFO, c, ret;
	struct kernel *k;
	char err[512];

	while ((c = getopt(argc, argv, "fdc:S:h")) != -1) {
		switch (c) {
		case 'f': foreground = true; break;
		case 'd': level = LOG_DEBUG; break;
		case 'c': conf = optarg; break;
		case 'S': sock = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	log_init("nfsec-iked", level, foreground);
	k = kernel_open(err, sizeof(err));
	if (!k) {
		log_err("%s", err);
		return 1;
	}
	ret = loop_init();
	if (!ret)
		ret = loop_signals(NULL, NULL);
	if (ret) {
		log_err("event loop: %s", strerror(-ret));
		return 1;
	}
	if (daemon_init(k, err, sizeof(err)) || control_init(sock, err, sizeof(err))) {
		log_err("%s", err);
		return 1;
	}
	if (conf && conf_load(conf))
		return 1;
	log_info("nfsec-iked running");
	ret = loop_run();
	log_info("nfsec-iked stopping");
	daemon_fini();
	control_fini();
	kernel_close(k);
	loop_fini();
	return ret ? 1 : 0;
}
