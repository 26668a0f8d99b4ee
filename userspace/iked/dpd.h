/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Dead peer detection (RFC 3706) for one phase 1, as a state machine of its own: the
 * daemon feeds it the time, the packets its tunnel's SAs carried and the peer's answers,
 * and does what it says (send an R-U-THERE, declare the peer dead). No I/O here.
 *
 * Proof of life is anything the peer sends that it alone can: an authenticated IKE
 * message (an R-U-THERE-ACK among them) or ESP into our inbound SAs. Every dpd seconds
 * without such proof, an R-U-THERE goes, periodic, or on demand (the Cisco default) only
 * while we sent ESP over that time: a quiet tunnel costs nothing. Unanswered, it goes
 * again every DPD_RETRY_MS (at most every dpd seconds), each with the next sequence
 * number; the peer is dead when none is answered within dpd-timeout of the first.
 */
#ifndef NFSEC_IKED_DPD_H
#define NFSEC_IKED_DPD_H

#include <stdbool.h>
#include <stdint.h>

#include "tunnel.h"

enum {
	DPD_RETRY_MS = 2000,
};

struct dpd {
	uint32_t delay_ms, timeout_ms;	/* the tunnel's dpd and dpd-timeout */
	bool periodic;
	uint64_t heard_ms;		/* the last proof of life */
	uint64_t asked_ms;		/* the first R-U-THERE still unanswered; 0: none */
	uint32_t seq;			/* the last R-U-THERE's number */
	uint32_t first;			/* the first unanswered one's */
	uint64_t in, out;		/* the SAs' packets at the last tick */
};

enum dpd_verdict {
	DPD_WAIT,			/* nothing to do now */
	DPD_ASK,			/* send an R-U-THERE numbered d->seq */
	DPD_DEAD,			/* no answer within dpd-timeout */
};

/*
 * Starts with phase 1 up at now_ms (proof of life) with the tunnel's settings; seq is
 * where its numbers start (RFC 3706 5.5: a random one is best), in and out the packets
 * its SAs have carried so far.
 */
void dpd_start(struct dpd *d, const struct tunnel *conf, uint64_t now_ms, uint32_t seq,
	       uint64_t in, uint64_t out);

/* The peer showed life (an authenticated IKE message of its own). */
void dpd_heard(struct dpd *d, uint64_t now_ms);

/* An R-U-THERE-ACK numbered seq: true when it answers one of ours still unanswered. */
bool dpd_ack(struct dpd *d, uint32_t seq, uint64_t now_ms);

/*
 * The check, at the time dpd_next_ms() said: in and out are the packets the tunnel's SAs
 * have carried so far (in: the peer's ESP, proof of life; out: ours, the demand).
 */
enum dpd_verdict dpd_tick(struct dpd *d, uint64_t now_ms, uint64_t in, uint64_t out);

/* Milliseconds until the next dpd_tick(). */
uint64_t dpd_next_ms(const struct dpd *d);

/* How long the peer has been silent while asked, in seconds (for the log). */
uint32_t dpd_silent_s(const struct dpd *d, uint64_t now_ms);

#endif /* NFSEC_IKED_DPD_H */
