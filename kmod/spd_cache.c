// SPDX-License-Identifier: GPL-2.0
/*
 * The flow cache of an SPD: what nfsec_spd_lookup() decided for a flow, kept per CPU, so
 * a flow's packets after its first cost one hash and one compare however many policies
 * (and tuple-space groups) there are. XFRM gets the same from the route cached in a
 * connected socket (its bundle); this serves forwarded and unconnected traffic too.
 *
 * Each CPU has a direct-mapped table of NFSEC_SPD_CACHE_SIZE entries, indexed by a hash
 * of the flow keyed with a secret, so no sender can choose which flows collide. An entry
 * holds the flow, the decision (a policy or NULL) and the SPD's generation when the
 * decision was made. Every change to the SPD moves the generation on after the change is
 * visible (spd.c: smp_store_release()), and the generation is read before the slow lookup
 * (smp_load_acquire()), so an entry is only ever used for the SPD it was made from:
 *  - an entry with an older generation is a miss;
 *  - the policy of a hit is valid: entries are only read under RCU, and a policy is freed
 *    a grace period after its removal, which moved the generation on before it.
 * Softirqs on the same CPU are held off while an entry is read or written (both paths
 * look up from process context too), so no entry is seen half written.
 */

#include <linux/bottom_half.h>
#include <linux/jhash.h>
#include <linux/percpu.h>
#include <linux/random.h>

#include "spd.h"
#include "spd_cache.h"

enum { NFSEC_SPD_CACHE_SIZE = 64 };	/* per CPU and direction; a power of 2 */

struct nfsec_spd_cache_entry {
	struct nfsec_flow fl;
	unsigned long gen;		/* 0: empty (an SPD's generation starts at 1) */
	struct nfsec_policy *pol;
};

struct nfsec_spd_cache {
	struct nfsec_spd_cache_entry e[NFSEC_SPD_CACHE_SIZE];
};

static u32 cache_seed __read_mostly;

struct nfsec_spd_cache __percpu *nfsec_spd_cache_alloc(void)
{
	/* Zeroed: every entry empty. A seed that changes later only turns entries to misses. */
	if (!READ_ONCE(cache_seed))
		WRITE_ONCE(cache_seed, get_random_u32() | 1);
	return alloc_percpu(struct nfsec_spd_cache);
}

void nfsec_spd_cache_free(struct nfsec_spd_cache __percpu *cache)
{
	free_percpu(cache);
}

static unsigned int flow_hash(const struct nfsec_flow *fl)
{
	u32 a = jhash(&fl->saddr, sizeof(fl->saddr), READ_ONCE(cache_seed));
	u32 b = jhash(&fl->daddr, sizeof(fl->daddr), a);

	return jhash_3words(b, (u32)fl->family << 8 | fl->proto,
			    (u32)fl->sport << 16 | fl->dport, a) & (NFSEC_SPD_CACHE_SIZE - 1);
}

static bool flow_equal(const struct nfsec_flow *a, const struct nfsec_flow *b)
{
	return a->family == b->family && a->proto == b->proto && a->sport == b->sport &&
	       a->dport == b->dport && !memcmp(&a->saddr, &b->saddr, sizeof(a->saddr)) &&
	       !memcmp(&a->daddr, &b->daddr, sizeof(a->daddr));
}

/*
 * The decision for @fl made at generation @gen, into *@pol: false when there is none.
 * *@slot: @fl's entry (the same on every CPU), for nfsec_spd_cache_put() after a miss.
 */
bool nfsec_spd_cache_get(struct nfsec_spd_cache __percpu *cache, unsigned long gen,
			 const struct nfsec_flow *fl, struct nfsec_policy **pol,
			 unsigned int *slot)
{
	struct nfsec_spd_cache_entry *e;
	bool hit;

	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "outside RCU");
	*slot = flow_hash(fl);
	local_bh_disable();
	e = &this_cpu_ptr(cache)->e[*slot];
	hit = e->gen == gen && flow_equal(&e->fl, fl);
	if (hit)
		*pol = e->pol;
	local_bh_enable();
	return hit;
}

/*
 * Keeps @pol as the decision for @fl at generation @gen (read before it was made), in
 * @fl's @slot (nfsec_spd_cache_get()'s: the flow is hashed once).
 */
void nfsec_spd_cache_put(struct nfsec_spd_cache __percpu *cache, unsigned int slot,
			 unsigned long gen, const struct nfsec_flow *fl,
			 struct nfsec_policy *pol)
{
	struct nfsec_spd_cache_entry *e;

	if (WARN_ON_ONCE(slot >= NFSEC_SPD_CACHE_SIZE))
		return;
	local_bh_disable();
	e = &this_cpu_ptr(cache)->e[slot];
	e->fl = *fl;
	e->gen = gen;
	e->pol = pol;
	local_bh_enable();
}
