// SPDX-License-Identifier: GPL-2.0
/*
 * nfsec-iked: the IKEv1 daemon. Loads the tunnels of its config file, listens on UDP 500
 * (and 4500, NAT traversal's port, IPv4) and on its control socket (for "nfsec tunnel ..."), and keys the nfsec module.
 *
 *   nfsec-iked [-f] [-d] [-c FILE] [-S SOCKET] [--flush-on-exit]
 *   nfsec-iked -n -c FILE
 */

#include <errno.h>
#include <getopt.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "control.h"
#include "daemon.h"
#include "log.h"
#include "loop.h"
#include "reload.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: nfsec-iked [-f] [-d] [-c FILE] [-S SOCKET] [--flush-on-exit]\n"
		"       nfsec-iked -n -c FILE\n"
		"  -f         log to stderr, with the time and level, not to syslog\n"
		"  -d         log debug messages too\n"
		"  -c FILE    load the tunnels of FILE (one \"tunnel NAME WORDS...\" per line;\n"
		"             also \"half-open-max N\" (default %d) and \"half-open-per-peer N\"\n"
		"             (default %d): responder phase 1s waiting for the peer and first\n"
		"             messages refused in the last 30 s, of remote %%any tunnels in all,\n"
		"             and per address); read again on SIGHUP and \"nfsec tunnel reload\"\n"
		"  -S SOCKET  the control socket (default " CONTROL_SOCKET_DEFAULT ")\n"
		"  --flush-on-exit\n"
		"             remove the tunnels' policies (remote %%any: each peer's) when\n"
		"             stopping. Without it they stay: the SAs are deleted, and the\n"
		"             tunnels' traffic waits or is dropped until the daemon is back,\n"
		"             never sent in clear\n"
		"  -n         check FILE and exit: its tunnels and settings, and the PSK,\n"
		"             certificate and key files they name, read as a start reads\n"
		"             them, without the module or any socket; 0 when it would load\n",
		IKED_HALF_OPEN_MAX_DEFAULT, IKED_HALF_OPEN_PER_PEER_DEFAULT);
}

/*
 * Before any secret is read: no core dump, and no ptrace or /proc/PID/mem by an
 * unprivileged process, for a process holding pre-shared keys, SKEYIDs and an RSA key.
 */
static int harden(void)
{
	struct rlimit none = { 0, 0 };

	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)) {
		log_err("prctl(PR_SET_DUMPABLE): %m");
		return -errno;
	}
	if (setrlimit(RLIMIT_CORE, &none)) {
		log_err("setrlimit(RLIMIT_CORE): %m");
		return -errno;
	}
	return 0;
}

/*
 * Once its sockets are bound (UDP 500, the control socket), the daemon needs one
 * capability: CAP_NET_ADMIN, for the module's netlink commands (SAs, policies, the IKE
 * socket exemption), which need it to read as to change. Every other goes, from the
 * bounding set too (so nothing the daemon could be made to run gets one back), and no new
 * privileges on exec. Files read later (a tunnel added over the control socket, a reload
 * of the configuration file) are read as their owner reads them: without CAP_DAC_OVERRIDE,
 * another user's 0600 file is refused (auth.c and conf.c refuse one others could read).
 */
static int drop_capabilities(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	const unsigned int i = CAP_TO_INDEX(CAP_NET_ADMIN);
	const __u32 keep = CAP_TO_MASK(CAP_NET_ADMIN);
	bool setpcap;
	int cap;

	if (syscall(SYS_capget, &hdr, data)) {
		log_err("capget: %m");
		return -errno;
	}
	setpcap = data[CAP_TO_INDEX(CAP_SETPCAP)].effective & CAP_TO_MASK(CAP_SETPCAP);
	/* Started with fewer (say by a service manager): the bounding set is its business. */
	for (cap = 0; setpcap && prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
		if (cap != CAP_NET_ADMIN && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)) {
			log_err("dropping capability %d from the bounding set: %m", cap);
			return -errno;
		}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) && errno != EINVAL) {
		log_err("clearing ambient capabilities: %m");
		return -errno;
	}
	data[i].permitted &= keep;
	data[i].effective = data[i].permitted;
	data[i].inheritable = 0;
	data[1 - i] = (struct __user_cap_data_struct){ 0 };
	if (syscall(SYS_capset, &hdr, data)) {
		log_err("capset: %m");
		return -errno;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		log_err("prctl(PR_SET_NO_NEW_PRIVS): %m");
		return -errno;
	}
	if (!data[i].permitted)
		log_warn("no CAP_NET_ADMIN: the module will refuse every request");
	return 0;
}

enum { OPT_FLUSH_ON_EXIT = 256 };

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "flush-on-exit", no_argument, NULL, OPT_FLUSH_ON_EXIT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *conf = NULL, *sock = CONTROL_SOCKET_DEFAULT;
	bool foreground = false, flush = false, check = false;
	struct iked_settings settings;
	int level = LOG_INFO, c, ret;
	struct kernel *k;
	char err[512];

	while ((c = getopt_long(argc, argv, "fdc:S:nh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_FLUSH_ON_EXIT: flush = true; break;
		case 'f': foreground = true; break;
		case 'd': level = LOG_DEBUG; break;
		case 'c': conf = optarg; break;
		case 'S': sock = optarg; break;
		case 'n': check = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || (check && !conf)) {
		usage(stderr);
		return 2;
	}
	if (check) {
		/* the problems, not every tunnel added and removed (unless -d) */
		log_init("nfsec-iked", level == LOG_DEBUG ? level : LOG_WARNING, true);
		return conf_check(conf) ? 1 : 0;
	}
	log_init("nfsec-iked", level, foreground);
	if (harden())
		return 1;
	k = kernel_open(err, sizeof(err));
	if (!k) {
		log_err("%s", err);
		return 1;
	}
	ret = loop_init();
	if (!ret)
		ret = conf_reload_init(conf);	/* SIGHUP and "nfsec tunnel reload" */
	if (ret) {
		log_err("event loop: %s", strerror(-ret));
		return 1;
	}
	if (daemon_init(k, err, sizeof(err)) || control_init(sock, err, sizeof(err))) {
		log_err("%s", err);
		return 1;
	}
	if (drop_capabilities())
		return 1;
	if (conf) {
		ret = conf_load(conf, &settings);
		if (ret < 0)
			return 1;
		daemon_settings_set(&settings);
		log_info("%s: %d tunnel(s) loaded", conf, ret);
	}
	log_info("nfsec-iked running");
	ret = loop_run();
	log_info("nfsec-iked stopping");
	daemon_fini(flush);
	control_fini();
	kernel_close(k);
	loop_fini();
	return ret ? 1 : 0;
}
