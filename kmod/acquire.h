/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NFSEC_ACQUIRE_H
#define _NFSEC_ACQUIRE_H

#include <linux/list.h>
#include <linux/skbuff.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/workqueue.h>

#include "spd.h"

/* Packets a namespace holds while it waits for SAs, and ACQUIREs it remembers. */
#define NFSEC_HOLD_MAX		64
#define NFSEC_ACQUIRE_RECORDS	256
/* How long a packet waits for an SA; how often one ACQUIRE for a pair of hosts repeats. */
#define NFSEC_ACQUIRE_HOLD_MS		5000
#define NFSEC_ACQUIRE_RETRY_SECONDS	10

/*
 * Outbound packets a protect policy selected while no SA served it: held up to
 * NFSEC_ACQUIRE_HOLD_MS, sent when an outbound SA arrives, dropped (and counted) after.
 * An ACQUIRE event goes out once per (policy, source, destination) every
 * NFSEC_ACQUIRE_RETRY_SECONDS, whatever the ports (a port scan raises one).
 *
 * Locking: @lock (taken with BH off) guards the lists and counts; @timer drops packets
 * whose time is up, @work re-sends the held packets after an SA is added.
 */
struct nfsec_acquire {
	spinlock_t lock;		/* the rest, but @timer and @work */
	struct list_head held;		/* struct nfsec_held, oldest first */
	unsigned int nheld;
	struct list_head records;	/* struct nfsec_acquire_rec, newest first */
	unsigned int nrecords;
	bool dying;
	unsigned int sa_gen;		/* outbound SAs added so far: nfsec_acquire_gen() */
	struct timer_list timer;
	struct work_struct work;
};

struct nfsec_net;
struct nfsec_policy;

void nfsec_acquire_init(struct nfsec_net *nn);
void nfsec_acquire_destroy(struct nfsec_net *nn);
unsigned int nfsec_acquire_gen(struct nfsec_net *nn);
void nfsec_acquire_hold(struct nfsec_net *nn, struct sk_buff *skb,
			const struct nfsec_policy *pol, const struct nfsec_flow *fl,
			unsigned long deadline, unsigned int gen);
void nfsec_acquire_sa_added(struct nfsec_net *nn);

#endif /* _NFSEC_ACQUIRE_H */
