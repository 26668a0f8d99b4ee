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
 */
#ifndef NFSEC_IKED_DAEMON_H
#define NFSEC_IKED_DAEMON_H

#include "kernel.h"
#include "registry.h"

enum {
	DAEMON_RETRANSMIT_MS = 2000,	/* first retransmission; doubled each time */
	DAEMON_RETRANSMIT_TRIES = 5,
	DAEMON_OLD_SA_DELAY_MS = 5000,	/* a replaced SA lives this long after rekeying */
	DAEMON_OUT_SWITCH_MS = 500,	/* initiator: message 3 sent -> new outbound SA used */
	/* initiator: a finished quick mode answers a repeated message 2 (its message 3 was
	 * lost) for as long as the responder retransmits */
	DAEMON_QM_LINGER_MS = DAEMON_RETRANSMIT_MS << DAEMON_RETRANSMIT_TRIES,
};

/* Sets up the daemon on an open kernel; the registry's ops are ours from here on. */
int daemon_init(struct kernel *k, char *err, size_t errlen);
void daemon_fini(void);

#endif /* NFSEC_IKED_DAEMON_H */
