/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NFSEC_REPLAY_H
#define _NFSEC_REPLAY_H

#include <linux/types.h>

/* Largest anti-replay window, in packets. */
#define NFSEC_REPLAY_MAX 4096

/*
 * The anti-replay window of one inbound SA (RFC 4303 section 3.4.3 and appendix A), for
 * 32-bit and extended (64-bit) sequence numbers.
 *
 * Locking: none inside. The input path checks a packet before decrypting it and checks
 * again, then advances, after authenticating it, both under the SA's lock: two packets
 * may pass the first check at once and only one may be accepted. With packets still in
 * crypto, an ESN packet's number is inferred as they will leave the window
 * (nfsec_replay_infer_ahead()).
 */
struct nfsec_replay {
	u64 top;		/* highest sequence number accepted, 0 before any */
	u32 size;		/* window in packets, 1..NFSEC_REPLAY_MAX */
	u32 mask;		/* bits in @bits minus one (a power of two >= @size) */
	bool esn;
	unsigned long bits[];	/* bit (seq & mask) set: seq was accepted */
};

enum nfsec_replay_verdict {
	NFSEC_REPLAY_OK,	/* new: not seen, inside or ahead of the window */
	NFSEC_REPLAY_OLD,	/* behind the window (or seq 0, never valid) */
	NFSEC_REPLAY_DUP,	/* inside the window and seen already */
};

struct nfsec_replay *nfsec_replay_new(u32 size, bool esn, gfp_t gfp);
void nfsec_replay_free(struct nfsec_replay *r);
u64 nfsec_replay_infer(const struct nfsec_replay *r, u32 seq_lo);
bool nfsec_replay_infer_ahead(const struct nfsec_replay *r, u32 seq_lo, u64 *ahead, u64 *seq);
enum nfsec_replay_verdict nfsec_replay_check(const struct nfsec_replay *r, u64 seq);
void nfsec_replay_advance(struct nfsec_replay *r, u64 seq);

#endif /* _NFSEC_REPLAY_H */
