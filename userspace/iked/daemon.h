/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon: tunnels (registry.c) brought up by ACQUIRE, by "nfsec tunnel up" or at
 * load, through phase 1 (ike.c) and quick mode (quick.c), with what they derive installed
 * through the kernel facade (kernel.c); messages through net.c, timers through loop.c.
 *
 * Per tunnel: its policies (one pair of traffic selectors per phase-2 SA, each with its
 * own request id), at most one phase 1 in use, and per pair the phase-2 SAs installed
 * (the newest carries the traffic; the one it replaced is deleted a few seconds later so
 * packets already on their way still arrive).
 *
 * A tunnel to remote %any holds none of that itself: each peer whose phase 1 comes up
 * gets an instance of the tunnel (registry.h) with the peer's address as remote and a
 * request id of its own, whose SAs are keyed to that address and whose pairs put in
 * their own policies with their first SA and take them out with their last. The peer
 * ends with its last phase 1 (daemon.c, "Peers").
 */
#ifndef NFSEC_IKED_DAEMON_H
#define NFSEC_IKED_DAEMON_H

#include <stdbool.h>

#include "conf.h"
#include "kernel.h"
#include "registry.h"

struct auth_creds;

enum {
	DAEMON_RETRANSMIT_MS = 2000,	/* first retransmission; doubled each time */
	DAEMON_RETRANSMIT_TRIES = 5,
	DAEMON_OLD_SA_DELAY_MS = 5000,	/* a replaced SA lives this long after rekeying */
	DAEMON_OUT_SWITCH_MS = 500,	/* initiator: message 3 sent -> new outbound SA used */
	/* initiator: a finished quick mode answers a repeated message 2 (its message 3 was
	 * lost) for as long as the responder retransmits */
	DAEMON_QM_LINGER_MS = DAEMON_RETRANSMIT_MS << DAEMON_RETRANSMIT_TRIES,
	/*
	 * A responder's half-open phase 1 (message 1 answered, nothing back yet) is not
	 * retransmitted: the source is unproven, and the initiator resends message 1 if our
	 * answer was lost, which gets the same answer. It is forgotten after this long.
	 */
	DAEMON_HALF_OPEN_MS = 30000,
	DAEMON_DROP_LOG_MS = 10000,	/* a drop line per tunnel, at most, this often */
	/* dpd-action restart: a failed phase 1 is tried again this much later */
	DAEMON_RESTART_MS = 3000,
};

/* Sets up the daemon on an open kernel; the registry's ops are ours from here on. */
int daemon_init(struct kernel *k, char *err, size_t errlen);

/* The caps on half-open responder phase 1s (iked_settings_default() until called). */
void daemon_settings_set(const struct iked_settings *s);

/* auth cert: the certificates tunnel t was added with (reload.c compares them); else NULL. */
const struct auth_creds *daemon_tunnel_creds(const struct iked_tunnel *t);

/*
 * Every tunnel removed: its SAs deleted (and the peer told). Its protect policies (remote
 * %any: each peer's) stay in the kernel, so traffic waits (ACQUIRE) or is dropped rather
 * than sent in clear while the daemon is away, unless flush_policies (nfsec-iked
 * --flush-on-exit). The next run replaces a peer's it finds in its way (kernel.h).
 */
void daemon_fini(bool flush_policies);

#endif /* NFSEC_IKED_DAEMON_H */
