// SPDX-License-Identifier: GPL-2.0
/*
 * ACQUIRE: an outbound packet selected by a protect policy with no SA to serve it is held
 * a short time while userspace (the IKE daemon) is asked, once per policy and flow, to make
 * one. See struct nfsec_acquire.
 */

#include <linux/jiffies.h>
#include <linux/netfilter.h>
#include <linux/slab.h>
#include <net/dst.h>

#include "output.h"
#include "netlink.h"
#include "nfsec.h"

struct nfsec_held {
	struct list_head list;
	struct sk_buff *skb;
	unsigned long deadline;		/* jiffies */
};

/* An ACQUIRE raised: for a policy and the two hosts, whatever the ports (a port scan). */
struct nfsec_acquire_rec {
	struct list_head list;
	u32 index;			/* the policy's */
	u8 family;
	union nfsec_addr saddr, daddr;
	unsigned long sent;		/* jiffies */
};

static void held_free(struct nfsec_net *nn, struct nfsec_held *h, int stat)
{
	nfsec_stat_inc(nn, stat);
	kfree_skb(h->skb);
	kfree(h);
}

/* Drops the held packets whose time is up. */
static void hold_timer(struct timer_list *t)
{
	struct nfsec_acquire *acq = from_timer(acq, t, timer);
	struct nfsec_net *nn = container_of(acq, struct nfsec_net, acquire);
	struct nfsec_held *h, *tmp;
	LIST_HEAD(expired);

	spin_lock_bh(&acq->lock);
	list_for_each_entry_safe(h, tmp, &acq->held, list) {
		if (time_before(jiffies, h->deadline)) {
			mod_timer(&acq->timer, h->deadline);
			break;
		}
		list_move_tail(&h->list, &expired);
		acq->nheld--;
	}
	spin_unlock_bh(&acq->lock);
	list_for_each_entry_safe(h, tmp, &expired, list)
		held_free(nn, h, NFSEC_STAT_A_OUT_NO_SA);
}

/* Gives the held packets another chance: an outbound SA was added. */
static void hold_work(struct work_struct *work)
{
	struct nfsec_acquire *acq = container_of(work, struct nfsec_acquire, work);
	struct nfsec_net *nn = container_of(acq, struct nfsec_net, acquire);
	struct nfsec_held *h, *tmp;
	LIST_HEAD(list);

	spin_lock_bh(&acq->lock);
	list_splice_init(&acq->held, &list);
	acq->nheld = 0;
	spin_unlock_bh(&acq->lock);

	list_for_each_entry_safe(h, tmp, &list, list) {
		unsigned int verdict;

		local_bh_disable();
		rcu_read_lock();
		verdict = nfsec_output(nn, h->skb, h->deadline);
		rcu_read_unlock();
		local_bh_enable();
		/* The policy may have gone meanwhile: what it would let out, we drop. */
		if (verdict == NF_STOLEN)
			kfree(h);
		else
			held_free(nn, h, NFSEC_STAT_A_OUT_NO_SA);
	}
}

void nfsec_acquire_init(struct nfsec_net *nn)
{
	struct nfsec_acquire *acq = &nn->acquire;

	spin_lock_init(&acq->lock);
	INIT_LIST_HEAD(&acq->held);
	INIT_LIST_HEAD(&acq->records);
	acq->nheld = 0;
	acq->nrecords = 0;
	acq->dying = false;
	timer_setup(&acq->timer, hold_timer, 0);
	INIT_WORK(&acq->work, hold_work);
}

/* After the hooks are gone: nothing can be held any more. */
void nfsec_acquire_destroy(struct nfsec_net *nn)
{
	struct nfsec_acquire *acq = &nn->acquire;
	struct nfsec_acquire_rec *r, *rtmp;
	struct nfsec_held *h, *tmp;

	spin_lock_bh(&acq->lock);
	acq->dying = true;
	spin_unlock_bh(&acq->lock);
	cancel_work_sync(&acq->work);
	del_timer_sync(&acq->timer);
	list_for_each_entry_safe(h, tmp, &acq->held, list)
		held_free(nn, h, NFSEC_STAT_A_OUT_NO_SA);
	list_for_each_entry_safe(r, rtmp, &acq->records, list)
		kfree(r);
}

/*
 * Whether an ACQUIRE for (@index, @fl) is due now; records it if so. Forgets the records
 * older than the retry time, and the oldest when there are too many.
 */
static bool acquire_due(struct nfsec_acquire *acq, u32 index, const struct nfsec_flow *fl)
{
	unsigned long retry = NFSEC_ACQUIRE_RETRY_SECONDS * HZ;
	struct nfsec_acquire_rec *r, *tmp, *found = NULL;

	lockdep_assert_held(&acq->lock);
	list_for_each_entry_safe(r, tmp, &acq->records, list) {
		if (time_after(jiffies, r->sent + retry)) {
			list_del(&r->list);
			acq->nrecords--;
			kfree(r);
		} else if (r->index == index && r->family == fl->family &&
			   !memcmp(&r->saddr, &fl->saddr, sizeof(r->saddr)) &&
			   !memcmp(&r->daddr, &fl->daddr, sizeof(r->daddr))) {
			found = r;
		}
	}
	if (found)
		return false;
	if (acq->nrecords >= NFSEC_ACQUIRE_RECORDS) {
		r = list_last_entry(&acq->records, struct nfsec_acquire_rec, list);
		list_del(&r->list);
	} else {
		r = kmalloc(sizeof(*r), GFP_ATOMIC);
		if (!r)
			return true;
		acq->nrecords++;
	}
	r->index = index;
	r->family = fl->family;
	r->saddr = fl->saddr;
	r->daddr = fl->daddr;
	r->sent = jiffies;
	list_add(&r->list, &acq->records);
	return true;
}

/*
 * Where the SA lookup of a packet to hold began: see nfsec_acquire_hold(). Pairs with the
 * barrier in nfsec_acquire_sa_added(): a lookup that begins after an SA's count went up
 * finds that SA.
 */
unsigned int nfsec_acquire_gen(struct nfsec_net *nn)
{
	unsigned int gen = READ_ONCE(nn->acquire.sa_gen);

	smp_rmb();	/* the count before the lookup's reads: nfsec_acquire_sa_added() */
	return gen;
}
EXPORT_SYMBOL_IF_NFSEC_KUNIT(nfsec_acquire_gen);

/*
 * Holds @skb (taken from the caller) for @pol, which found no SA for @fl, and raises an
 * ACQUIRE when one is due. @deadline: when the packet was first held, or 0 for now. @gen:
 * nfsec_acquire_gen() from before the SA lookup; an SA added since (its retry found no
 * packet to send yet) sends this one at once rather than at its deadline. The held list
 * stays in deadline order (a packet held again keeps its first deadline). Under RCU (for
 * @pol).
 */
void nfsec_acquire_hold(struct nfsec_net *nn, struct sk_buff *skb,
			const struct nfsec_policy *pol, const struct nfsec_flow *fl,
			unsigned long deadline, unsigned int gen)
{
	struct nfsec_acquire *acq = &nn->acquire;
	struct nfsec_held *h, *pos;
	bool due;

	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "outside RCU");
	spin_lock_bh(&acq->lock);
	due = !acq->dying && acquire_due(acq, pol->index, fl);
	spin_unlock_bh(&acq->lock);
	if (due) {
		nfsec_stat_inc(nn, NFSEC_STAT_A_ACQUIRES);
		nfsec_acquire_event(nn, pol, fl);
	}

	skb_dst_force(skb);
	h = kmalloc(sizeof(*h), GFP_ATOMIC);
	if (!h || !skb_dst(skb)) {
		kfree(h);
		nfsec_stat_inc(nn, NFSEC_STAT_A_OUT_ERROR);
		kfree_skb(skb);
		return;
	}
	h->skb = skb;
	h->deadline = deadline ?: jiffies + msecs_to_jiffies(NFSEC_ACQUIRE_HOLD_MS);

	spin_lock_bh(&acq->lock);
	if (acq->dying || acq->nheld >= NFSEC_HOLD_MAX ||
	    time_after_eq(jiffies, h->deadline)) {
		int stat = time_after_eq(jiffies, h->deadline) ? NFSEC_STAT_A_OUT_NO_SA :
			   NFSEC_STAT_A_OUT_HOLD_FULL;

		spin_unlock_bh(&acq->lock);
		held_free(nn, h, stat);
		return;
	}
	list_for_each_entry_reverse(pos, &acq->held, list)
		if (!time_after(pos->deadline, h->deadline))
			break;
	list_add(&h->list, &pos->list);
	acq->nheld++;
	pos = list_first_entry(&acq->held, struct nfsec_held, list);
	if (!timer_pending(&acq->timer) || time_before(pos->deadline, acq->timer.expires))
		mod_timer(&acq->timer, pos->deadline);
	if (gen != acq->sa_gen)
		queue_work(nfsec_wq, &acq->work);
	spin_unlock_bh(&acq->lock);
}
EXPORT_SYMBOL_IF_NFSEC_KUNIT(nfsec_acquire_hold);

/* An outbound SA was added (and is visible to lookups): try the held packets again. */
void nfsec_acquire_sa_added(struct nfsec_net *nn)
{
	struct nfsec_acquire *acq = &nn->acquire;

	smp_mb();	/* the SA before the count: see nfsec_acquire_gen() */
	spin_lock_bh(&acq->lock);
	acq->sa_gen++;
	if (!acq->dying && acq->nheld)
		queue_work(nfsec_wq, &acq->work);
	spin_unlock_bh(&acq->lock);
}
EXPORT_SYMBOL_IF_NFSEC_KUNIT(nfsec_acquire_sa_added);
