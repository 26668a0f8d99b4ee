// SPDX-License-Identifier: GPL-2.0
/*
 * SA lifetimes: soft and hard limits in bytes, packets and seconds. Byte and packet
 * limits are counted on the data path; reaching one schedules the SA's expire work at
 * once. Time limits are the same work, scheduled for the next deadline. The work runs in
 * process context under the namespace's lock: it sends the soft EXPIRE, or the hard one
 * and removes the SA.
 *
 * The work holds a reference on the SA while it is pending or running: whoever makes it
 * pending from idle hands it one (schedule_now(), schedule_at()); removal cancels a
 * pending work and drops that reference (nfsec_lifetime_stop()).
 */

#include <linux/ktime.h>

#include "lifetime.h"
#include "netlink.h"
#include "nfsec.h"

static void schedule_now(struct nfsec_sa *sa)
{
	nfsec_sa_hold(sa);
	if (mod_delayed_work(nfsec_wq, &sa->expire_work, 0))
		nfsec_sa_put(sa);	/* it was pending and had a reference */
}

/*
 * The longest a time limit's work sleeps: a later deadline is looked at again then. Keeps
 * seconds * HZ far from overflowing whatever the limit.
 */
#define NFSEC_LIFETIME_MAX_SLEEP (24 * 60 * 60)

/* The work's delay for a deadline @left seconds away (past ones: now). */
unsigned long nfsec_lifetime_delay(time64_t left)
{
	if (left <= 0)
		return 0;
	return min_t(time64_t, left, NFSEC_LIFETIME_MAX_SLEEP) * HZ;
}
EXPORT_SYMBOL_IF_NFSEC_KUNIT(nfsec_lifetime_delay);

/* Never delays a run already pending sooner. */
static void schedule_at(struct nfsec_sa *sa, time64_t when)
{
	nfsec_sa_hold(sa);
	if (!queue_delayed_work(nfsec_wq, &sa->expire_work,
				nfsec_lifetime_delay(when - ktime_get_seconds())))
		nfsec_sa_put(sa);
}

/* @seconds after the SA came, or 0 when that is past any time a clock will show. */
static time64_t deadline(const struct nfsec_sa *sa, u64 seconds)
{
	if (!seconds || seconds >= (u64)(TIME64_MAX - sa->add_time))
		return 0;
	return sa->add_time + seconds;
}

/* The next time limit not yet acted on, or 0. */
time64_t nfsec_lifetime_next(const struct nfsec_sa *sa)
{
	const struct nfsec_lifetime *lt = &sa->cfg.lt;
	time64_t next = 0, hard = deadline(sa, lt->hard_seconds);

	if (!test_bit(NFSEC_SA_SOFT_SENT, &sa->flags))
		next = deadline(sa, lt->soft_seconds);
	if (hard && (!next || hard < next))
		next = hard;
	return next;
}
EXPORT_SYMBOL_IF_NFSEC_KUNIT(nfsec_lifetime_next);

/* After insertion, under the namespace's lock: arms the time limits. */
void nfsec_lifetime_start(struct nfsec_sa *sa)
{
	time64_t next = nfsec_lifetime_next(sa);

	lockdep_assert_held(&sa->nn->lock);
	if (next)
		schedule_at(sa, next);
}

/* A hard limit was reached (or sequence numbers ran out): no more packets, removal soon. */
void nfsec_lifetime_kill(struct nfsec_sa *sa)
{
	if (!test_and_set_bit(NFSEC_SA_DEAD, &sa->flags))
		schedule_now(sa);
}

static bool over(u64 limit, u64 value)
{
	return limit && value >= limit;
}

/*
 * An outbound SA without ESN has 2^32 - 1 sequence numbers and must not cycle them (RFC
 * 4303 3.3.3): its soft EXPIRE comes NFSEC_SEQ_SOFT_MARGIN packets before they run out,
 * whatever its limits say, so the daemon rekeys in time; running out kills it.
 */
static bool seq_running_out(const struct nfsec_sa *sa, u64 packets)
{
	return sa->cfg.dir == NFSEC_SA_DIR_OUT && !sa->cfg.esn &&
	       packets >= U32_MAX - NFSEC_SEQ_SOFT_MARGIN;
}

/*
 * Counts a packet of @bytes on @sa; false when the SA may carry no more (the packet must
 * be dropped). The packet that reaches a hard limit still passes; the SA dies with it.
 */
bool nfsec_lifetime_account(struct nfsec_sa *sa, unsigned int bytes)
{
	const struct nfsec_lifetime *lt = &sa->cfg.lt;
	u64 packets, total;

	if (test_bit(NFSEC_SA_DEAD, &sa->flags))
		return false;
	packets = atomic64_inc_return(&sa->packets);
	total = atomic64_add_return(bytes, &sa->bytes);
	if ((lt->hard_packets && packets > lt->hard_packets) ||
	    (lt->hard_bytes && total - bytes >= lt->hard_bytes)) {
		nfsec_lifetime_kill(sa);
		return false;
	}
	if (over(lt->hard_packets, packets) || over(lt->hard_bytes, total)) {
		nfsec_lifetime_kill(sa);
		return true;
	}
	if ((over(lt->soft_packets, packets) || over(lt->soft_bytes, total) ||
	     seq_running_out(sa, packets)) &&
	    !test_and_set_bit(NFSEC_SA_SOFT_DUE, &sa->flags))
		schedule_now(sa);
	return true;
}
EXPORT_SYMBOL_IF_NFSEC_KUNIT(nfsec_lifetime_account);

static void expire_locked(struct nfsec_net *nn, struct nfsec_sa *sa)
{
	const struct nfsec_lifetime *lt = &sa->cfg.lt;
	time64_t age = ktime_get_seconds() - sa->add_time, next;

	if (lt->hard_seconds && age >= lt->hard_seconds)
		set_bit(NFSEC_SA_DEAD, &sa->flags);
	/*
	 * A soft limit passed is told before the hard one, even when this work ran late,
	 * past both (a loaded host: a 1 s soft and 2 s hard lifetime once had only the hard).
	 */
	if (lt->soft_seconds && age >= lt->soft_seconds)
		set_bit(NFSEC_SA_SOFT_DUE, &sa->flags);
	if (test_bit(NFSEC_SA_SOFT_DUE, &sa->flags) &&
	    !test_and_set_bit(NFSEC_SA_SOFT_SENT, &sa->flags))
		nfsec_expire_event(nn, sa, false);
	if (test_bit(NFSEC_SA_DEAD, &sa->flags)) {
		nfsec_expire_event(nn, sa, true);
		nfsec_sa_remove(&nn->sad, sa);
		return;
	}
	next = nfsec_lifetime_next(sa);
	if (next)
		schedule_at(sa, next);
}

static void expire_work(struct work_struct *work)
{
	struct nfsec_sa *sa = container_of(to_delayed_work(work), struct nfsec_sa,
					   expire_work);
	struct nfsec_net *nn = sa->nn;

	/* Removed: the namespace may be going away; touch nothing of it. */
	if (!test_bit(NFSEC_SA_REMOVED, &sa->flags)) {
		mutex_lock(&nn->lock);
		if (!test_bit(NFSEC_SA_REMOVED, &sa->flags))
			expire_locked(nn, sa);
		mutex_unlock(&nn->lock);
	}
	nfsec_sa_put(sa);
}

/* The SA's expire work, before it can be scheduled. */
void nfsec_lifetime_init(struct nfsec_sa *sa)
{
	INIT_DELAYED_WORK(&sa->expire_work, expire_work);
}

/* At removal (nfsec_sa_remove()): a pending run will not come; its reference goes. */
void nfsec_lifetime_stop(struct nfsec_sa *sa)
{
	if (cancel_delayed_work(&sa->expire_work))
		nfsec_sa_put(sa);
}
