// SPDX-License-Identifier: GPL-2.0
/*
 * The security policy database of one direction: a tuple space of groups, one per
 * (family, source prefix, destination prefix), each an rhltable keyed on the masked
 * address pair. See struct nfsec_spd for the locking rules.
 */

#include <linux/err.h>
#include <linux/inet.h>
#include <linux/rculist.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <net/ipv6.h>
#include <linux/inetdevice.h>

#include "nfsec.h"
#include "spd.h"
#include "spd_cache.h"

struct nfsec_spd_group {
	struct list_head node;		/* in nfsec_spd.groups, RCU */
	struct list_head dead;		/* unlinked, waiting for a grace period */
	struct rhltable table;
	u8 family, sprefix, dprefix;
	u32 min_priority;		/* no member has a lower one (READ_ONCE) */
	unsigned int count;
};

static const struct rhashtable_params group_params = {
	.key_len = sizeof(struct nfsec_spd_key),
	.key_offset = offsetof(struct nfsec_policy, key),
	.head_offset = offsetof(struct nfsec_policy, node),
	.automatic_shrinking = true,
};

static unsigned int max_prefix(u8 family)
{
	return family == AF_INET ? 32 : 128;
}

static void addr_mask(union nfsec_addr *out, const union nfsec_addr *in, u8 family,
		      u8 prefix)
{
	memset(out, 0, sizeof(*out));
	if (family == AF_INET)
		out->a4 = in->a4 & inet_make_mask(prefix);
	else
		ipv6_addr_prefix(&out->a6, &in->a6, prefix);
}

int nfsec_selector_check(const struct nfsec_selector *sel)
{
	if (sel->family != AF_INET && sel->family != AF_INET6)
		return -EAFNOSUPPORT;
	if (sel->sprefix > max_prefix(sel->family) || sel->dprefix > max_prefix(sel->family))
		return -EINVAL;
	if (sel->sport_lo > sel->sport_hi || sel->dport_lo > sel->dport_hi)
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_IF_NFSEC_KUNIT(nfsec_selector_check);

/* A policy for @sel (addresses masked to their prefixes here), not yet in any SPD. */
struct nfsec_policy *nfsec_policy_new(const struct nfsec_selector *sel, u32 priority,
				      u8 action, gfp_t gfp)
{
	struct nfsec_policy *pol;
	int ret;

	ret = nfsec_selector_check(sel);
	if (ret)
		return ERR_PTR(ret);
	pol = kzalloc(sizeof(*pol), gfp);
	if (!pol)
		return ERR_PTR(-ENOMEM);
	pol->sel = *sel;
	addr_mask(&pol->sel.saddr, &sel->saddr, sel->family, sel->sprefix);
	addr_mask(&pol->sel.daddr, &sel->daddr, sel->family, sel->dprefix);
	pol->key.saddr = pol->sel.saddr;
	pol->key.daddr = pol->sel.daddr;
	pol->priority = priority;
	pol->action = action;
	return pol;
}
EXPORT_SYMBOL_IF_NFSEC_KUNIT(nfsec_policy_new);

int nfsec_spd_init(struct nfsec_spd *spd, struct mutex *lock)
{
	INIT_LIST_HEAD(&spd->groups);
	xa_init(&spd->group_index);
	INIT_LIST_HEAD(&spd->all);
	spd->lock = lock;
	spd->next_seq = 0;
	spd->count = 0;
	spd->gen = 1;
	spd->cache = nfsec_spd_cache_alloc();
	return spd->cache ? 0 : -ENOMEM;
}
EXPORT_SYMBOL_IF_NFSEC_KUNIT(nfsec_spd_init);

/* An SPD emptied (nfsec_spd_flush()) goes; no lookup may come after. */
void nfsec_spd_destroy(struct nfsec_spd *spd)
{
	WARN_ON_ONCE(!list_empty(&spd->groups));
	xa_destroy(&spd->group_index);
	nfsec_spd_cache_free(spd->cache);
	spd->cache = NULL;
}
EXPORT_SYMBOL_IF_NFSEC_KUNIT(nfsec_spd_destroy);

/* A change to @spd is visible: decisions cached before it are no longer used. */
static void spd_changed(struct nfsec_spd *spd)
{
	lockdep_assert_held(spd->lock);
	/* Pairs with nfsec_spd_lookup()'s acquire: whoever sees the new one sees the change. */
	smp_store_release(&spd->gen, spd->gen + 1);
}

/*
 * The index of the group of @sel's family and prefix lengths: found at once, not by a
 * walk of every group (an inexact set of 100 000 policies makes thousands, and each
 * insert looked through them all).
 */
static unsigned long group_key(u8 family, u8 sprefix, u8 dprefix)
{
	return (family == AF_INET6) << 16 | sprefix << 8 | dprefix;
}

static struct nfsec_spd_group *group_find(struct nfsec_spd *spd,
					  const struct nfsec_selector *sel)
{
	lockdep_assert_held(spd->lock);
	return xa_load(&spd->group_index, group_key(sel->family, sel->sprefix, sel->dprefix));
}

static struct nfsec_spd_group *group_get(struct nfsec_spd *spd,
					 const struct nfsec_selector *sel)
{
	struct nfsec_spd_group *g = group_find(spd, sel);
	int ret;

	if (g)
		return g;
	g = kzalloc(sizeof(*g), GFP_KERNEL);
	if (!g)
		return ERR_PTR(-ENOMEM);
	ret = rhltable_init(&g->table, &group_params);
	if (ret)
		goto err_free;
	ret = xa_err(xa_store(&spd->group_index,
			      group_key(sel->family, sel->sprefix, sel->dprefix), g, GFP_KERNEL));
	if (ret)
		goto err_table;
	g->family = sel->family;
	g->sprefix = sel->sprefix;
	g->dprefix = sel->dprefix;
	g->min_priority = U32_MAX;
	list_add_tail_rcu(&g->node, &spd->groups);
	return g;

err_table:
	rhltable_destroy(&g->table);
err_free:
	kfree(g);
	return ERR_PTR(ret);
}

/* @g, empty, out of @spd's list and index, onto @dead for groups_reap(). */
static void group_unlink(struct nfsec_spd *spd, struct nfsec_spd_group *g,
			 struct list_head *dead)
{
	lockdep_assert_held(spd->lock);
	list_del_rcu(&g->node);
	xa_erase(&spd->group_index, group_key(g->family, g->sprefix, g->dprefix));
	list_add(&g->dead, dead);
}

/*
 * Frees the groups that emptied, once no lookup can still be walking them:
 * 1. they were unlinked from spd->groups with list_del_rcu(), under the lock;
 * 2. synchronize_rcu() waits out every lookup that might have seen them;
 * 3. their (empty) tables go.
 */
static void groups_reap(struct nfsec_spd *spd, struct list_head *dead)
{
	struct nfsec_spd_group *g, *tmp;

	lockdep_assert_held(spd->lock);
	if (list_empty(dead))
		return;
	synchronize_rcu();
	list_for_each_entry_safe(g, tmp, dead, dead) {
		list_del(&g->dead);
		rhltable_destroy(&g->table);
		kfree(g);
	}
}

/* Unlinks @pol; its group, once empty, goes on @dead; @pol is freed after a grace period. */
static void policy_unlink(struct nfsec_spd *spd, struct nfsec_policy *pol,
			  struct list_head *dead)
{
	struct nfsec_spd_group *g = pol->group;

	WARN_ON_ONCE(rhltable_remove(&g->table, &pol->node, group_params));
	list_del(&pol->list);
	spd->count--;
	if (!--g->count)
		group_unlink(spd, g, dead);
	spd_changed(spd);
	kfree_rcu(pol, rcu);
}

/* Takes @pol into @spd; on error, @pol is still the caller's. */
int nfsec_policy_insert(struct nfsec_spd *spd, struct nfsec_policy *pol)
{
	struct nfsec_spd_group *g;
	LIST_HEAD(dead);
	int ret;

	lockdep_assert_held(spd->lock);
	g = group_get(spd, &pol->sel);
	if (IS_ERR(g))
		return PTR_ERR(g);
	pol->seq = spd->next_seq++;
	/* Lowered before the policy is visible, so no lookup skips the group wrongly. */
	if (pol->priority < g->min_priority)
		WRITE_ONCE(g->min_priority, pol->priority);
	ret = rhltable_insert(&g->table, &pol->node, group_params);
	if (ret) {
		if (!g->count) {
			group_unlink(spd, g, &dead);
			groups_reap(spd, &dead);
		}
		return ret;
	}
	pol->group = g;
	list_add_tail(&pol->list, &spd->all);
	g->count++;
	spd->count++;
	spd_changed(spd);
	return 0;
}
EXPORT_SYMBOL_IF_NFSEC_KUNIT(nfsec_policy_insert);

/* Removes @pol from @spd and frees it after a grace period. */
void nfsec_policy_remove(struct nfsec_spd *spd, struct nfsec_policy *pol)
{
	LIST_HEAD(dead);

	lockdep_assert_held(spd->lock);
	policy_unlink(spd, pol, &dead);
	groups_reap(spd, &dead);
}
EXPORT_SYMBOL_IF_NFSEC_KUNIT(nfsec_policy_remove);

void nfsec_spd_flush(struct nfsec_spd *spd)
{
	struct nfsec_policy *pol, *tmp;
	LIST_HEAD(dead);

	lockdep_assert_held(spd->lock);
	list_for_each_entry_safe(pol, tmp, &spd->all, list)
		policy_unlink(spd, pol, &dead);
	groups_reap(spd, &dead);
}
EXPORT_SYMBOL_IF_NFSEC_KUNIT(nfsec_spd_flush);

static bool rest_match(const struct nfsec_selector *sel, const struct nfsec_flow *fl)
{
	return (!sel->proto || sel->proto == fl->proto) &&
	       fl->sport >= sel->sport_lo && fl->sport <= sel->sport_hi &&
	       fl->dport >= sel->dport_lo && fl->dport <= sel->dport_hi;
}

/* Whether @fl falls inside @sel (which has its addresses masked). */
bool nfsec_selector_match(const struct nfsec_selector *sel, const struct nfsec_flow *fl)
{
	union nfsec_addr s, d;

	if (sel->family != fl->family)
		return false;
	addr_mask(&s, &fl->saddr, sel->family, sel->sprefix);
	addr_mask(&d, &fl->daddr, sel->family, sel->dprefix);
	return !memcmp(&s, &sel->saddr, sizeof(s)) && !memcmp(&d, &sel->daddr, sizeof(d)) &&
	       rest_match(sel, fl);
}
EXPORT_SYMBOL_IF_NFSEC_KUNIT(nfsec_selector_match);

static bool better(const struct nfsec_policy *a, const struct nfsec_policy *b)
{
	return !b || a->priority < b->priority ||
	       (a->priority == b->priority && a->seq < b->seq);
}

/* Every group's table that may hold a better match than the best so far. */
static struct nfsec_policy *spd_search(struct nfsec_spd *spd, const struct nfsec_flow *fl)
{
	struct nfsec_policy *best = NULL, *pol;
	struct nfsec_spd_group *g;
	struct rhlist_head *list, *pos;
	struct nfsec_spd_key key;

	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "outside RCU");
	list_for_each_entry_rcu(g, &spd->groups, node) {
		if (g->family != fl->family)
			continue;
		if (best && READ_ONCE(g->min_priority) > best->priority)
			continue;
		addr_mask(&key.saddr, &fl->saddr, g->family, g->sprefix);
		addr_mask(&key.daddr, &fl->daddr, g->family, g->dprefix);
		list = rhltable_lookup(&g->table, &key, group_params);
		rhl_for_each_entry_rcu(pol, pos, list, node)
			if (rest_match(&pol->sel, fl) && better(pol, best))
				best = pol;
	}
	return best;
}

/*
 * The policy that decides @fl: the matching one with the lowest priority, the oldest on a
 * tie; NULL when none matches. Under RCU; no reference is taken. A flow's decision is
 * cached per CPU until the SPD changes (spd_cache.c).
 */
struct nfsec_policy *nfsec_spd_lookup(struct nfsec_spd *spd, const struct nfsec_flow *fl)
{
	/* Pairs with spd_changed(): read before the search, kept with its result. */
	unsigned long gen = smp_load_acquire(&spd->gen);
	struct nfsec_policy *pol;
	unsigned int slot;

	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "outside RCU");
	if (nfsec_spd_cache_get(spd->cache, gen, fl, &pol, &slot))
		return pol;
	pol = spd_search(spd, fl);
	nfsec_spd_cache_put(spd->cache, slot, gen, fl, pol);
	return pol;
}
EXPORT_SYMBOL_IF_NFSEC_KUNIT(nfsec_spd_lookup);

/* The policy of @spd with @pol's selector and priority, if there is one. */
struct nfsec_policy *nfsec_spd_find_exact(struct nfsec_spd *spd, const struct nfsec_policy *pol)
{
	struct nfsec_spd_group *g = group_find(spd, &pol->sel);
	struct rhlist_head *list, *pos;
	struct nfsec_policy *it;

	if (!g)
		return NULL;
	/* The table wants RCU; the lock keeps what we find alive after it. */
	rcu_read_lock();
	list = rhltable_lookup(&g->table, &pol->key, group_params);
	rhl_for_each_entry_rcu(it, pos, list, node) {
		if (it->priority == pol->priority &&
		    !memcmp(&it->sel, &pol->sel, sizeof(it->sel))) {
			rcu_read_unlock();
			return it;
		}
	}
	rcu_read_unlock();
	return NULL;
}

/*
 * The namespace's view: policies of every direction, each also found by its index.
 * Callers hold nn->lock.
 */
int nfsec_policy_add(struct nfsec_net *nn, struct nfsec_policy *pol)
{
	struct nfsec_spd *spd = &nn->spd[pol->dir];
	int ret;

	lockdep_assert_held(&nn->lock);
	if (nfsec_spd_find_exact(spd, pol))
		return -EEXIST;
	ret = xa_alloc_cyclic(&nn->policies, &pol->index, pol, xa_limit_31b,
			      &nn->next_policy_index, GFP_KERNEL);
	if (ret < 0)
		return ret;
	ret = nfsec_policy_insert(spd, pol);
	if (ret)
		xa_erase(&nn->policies, pol->index);
	else
		nn->policy_gen++;
	return ret;
}
EXPORT_SYMBOL_IF_NFSEC_KUNIT(nfsec_policy_add);

void nfsec_policy_del(struct nfsec_net *nn, struct nfsec_policy *pol)
{
	lockdep_assert_held(&nn->lock);
	xa_erase(&nn->policies, pol->index);
	nfsec_policy_remove(&nn->spd[pol->dir], pol);
	nn->policy_gen++;
}
EXPORT_SYMBOL_IF_NFSEC_KUNIT(nfsec_policy_del);

/* Every policy of direction @dir, or of all directions when @dir < 0. */
void nfsec_policies_flush(struct nfsec_net *nn, int dir)
{
	int d;

	lockdep_assert_held(&nn->lock);
	for (d = 0; d < NFSEC_DIR_COUNT; d++) {
		struct nfsec_policy *pol;

		if (dir >= 0 && d != dir)
			continue;
		list_for_each_entry(pol, &nn->spd[d].all, list)
			xa_erase(&nn->policies, pol->index);
		nfsec_spd_flush(&nn->spd[d]);
	}
	nn->policy_gen++;
}
EXPORT_SYMBOL_IF_NFSEC_KUNIT(nfsec_policies_flush);
