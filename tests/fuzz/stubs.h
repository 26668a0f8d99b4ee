/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fakes of what surrounds the daemon (iked/daemon.c), for a fuzz target that runs it in
 * one process, as test_daemon.c does with its own fakes: the kernel facade
 * (iked/kernel.c), whose SAs, SPIs and policies are kept and checked (SAs with the KEYMAT
 * their proposal needs, no SA added twice, nothing released twice); the UDP sockets
 * (iked/net.c), whose datagrams are queued for the target to read; and the event loop
 * (iked/loop.c), on a clock of its own that moves only when the target says, so that
 * retransmissions, the outbound switch, retired SAs and expiries fire on demand.
 */
#ifndef NFSEC_FUZZ_STUBS_H
#define NFSEC_FUZZ_STUBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "isakmp.h"
#include "net.h"

enum {
	STUB_SENT_MAX = 64,	/* datagrams kept, the oldest overwritten */
	STUB_SAS_MAX = 64,
	STUB_SPIS_MAX = 64,
	STUB_EVENTS_MAX = 8,
};

struct stub_dgram {
	struct sockaddr_storage from, to;
	size_t len;
	uint8_t buf[ISAKMP_MSG_MAX];
};

/* The daemon's receive callback, once it called net_init(). */
extern net_recv_fn stub_recv;

/* Datagrams sent so far; the nth (from 0) while it is among the last STUB_SENT_MAX. */
extern unsigned long stub_nsent;
const struct stub_dgram *stub_sent(unsigned long nth);

/* SAs, SPIs and policies the daemon holds in the fake kernel. */
unsigned int stub_sas(void);
unsigned int stub_spis(void);
unsigned int stub_policies(void);

/*
 * Kernel events, for the daemon's next kernel_events_read() (the loop sees its descriptor
 * readable): an ACQUIRE for a pair's request id; an EXPIRE, soft or hard, of the nth SA
 * the daemon holds (false if it holds fewer).
 */
void stub_acquire(uint32_t reqid);
bool stub_expire(unsigned int nth, bool hard);

/*
 * The loop's clock: the earliest timer due by loop_now_ms() + ms fires (the clock moved
 * to its time): true; or none is, and the clock moves on by ms: false. Call it until
 * false, doing what must come between timers.
 */
bool stub_timer_next(uint64_t ms);
/* Timers armed (once the daemon gave everything back: none, or one outlived its owner). */
unsigned int stub_timers(void);

/* Forgets everything (between inputs, once the daemon gave everything back). */
void stub_reset(void);

#endif /* NFSEC_FUZZ_STUBS_H */
