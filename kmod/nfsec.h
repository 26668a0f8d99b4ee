/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NFSEC_H
#define _NFSEC_H

#include <linux/mutex.h>
#include <linux/wait_bit.h>
#include <linux/xarray.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "acquire.h"
#include "sad.h"
#include "spd.h"

#define NFSEC_DIR_COUNT (NFSEC_POLICY_DIR_MAX + 1)

/* The namespace's counters, per CPU, indexed by enum nfsec_stat_attr. */
struct nfsec_stats {
	u64 v[NFSEC_STAT_A_MAX + 1];
};

/*
 * Per network namespace state: every SA, policy and counter lives in one of these, found
 * from a struct net with nfsec_net().
 * Locking: readers use RCU; writers hold @lock.
 */
struct nfsec_net {
	struct net *net;
	struct mutex lock;	/* writers of this namespace's databases */
	struct nfsec_sad sad;
	struct nfsec_spd spd[NFSEC_DIR_COUNT];	/* by enum nfsec_policy_dir */
	struct xarray policies;		/* every policy by index; writers hold @lock */
	u32 next_policy_index;
	unsigned int policy_gen;	/* moves on every policy change (dumps); under @lock */
	struct nfsec_acquire acquire;	/* packets waiting for an SA; has its own lock */
	struct nfsec_stats __percpu *stats;
	atomic_t in_crypto;	/* packets whose crypto may complete asynchronously */
};

static inline void nfsec_stat_add(struct nfsec_net *nn, int stat, u64 n)
{
	this_cpu_add(nn->stats->v[stat], n);
}

static inline void nfsec_stat_inc(struct nfsec_net *nn, int stat)
{
	nfsec_stat_add(nn, stat, 1);
}

/* A packet @sa dropped: counted as @stat in the namespace and by the SA itself. */
static inline void nfsec_sa_drop(struct nfsec_net *nn, struct nfsec_sa *sa, int stat)
{
	nfsec_stat_inc(nn, stat);
	nfsec_sa_count_drop(sa, stat);
}

/*
 * A packet in crypto may complete in a crypto thread (cryptd), after the hook that sent it
 * there has returned: the namespace's state must stay until it has. nfsec_crypto_begin()
 * comes before the request, nfsec_crypto_end() last in its completion;
 * nfsec_hooks_drain() waits for the count to fall to zero.
 */
static inline void nfsec_crypto_begin(struct nfsec_net *nn)
{
	atomic_inc(&nn->in_crypto);
}

static inline void nfsec_crypto_end(struct nfsec_net *nn)
{
	if (atomic_dec_and_test(&nn->in_crypto))
		wake_up_var(&nn->in_crypto);
}

extern unsigned int nfsec_net_id;
extern struct workqueue_struct *nfsec_wq;

static inline struct nfsec_net *nfsec_net(const struct net *net)
{
	return net_generic(net, nfsec_net_id);
}

/*
 * Symbols the KUnit suites (nfsec_kunit.ko) reach into; exported only to them, and only
 * on kernels built with KUnit.
 */
#if IS_ENABLED(CONFIG_KUNIT)
#define EXPORT_SYMBOL_IF_NFSEC_KUNIT(sym) EXPORT_SYMBOL_NS_GPL(sym, NFSEC_KUNIT)
#else
#define EXPORT_SYMBOL_IF_NFSEC_KUNIT(sym)
#endif

#endif /* _NFSEC_H */
