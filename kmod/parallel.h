/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NFSEC_PARALLEL_H
#define _NFSEC_PARALLEL_H

#include <linux/cpumask.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/skbuff.h>
#include <linux/spinlock.h>

/*
 * Up to this many of one SA's packets per online CPU go to the workers; a packet that
 * finds more queued joins the queue all the same, but the CPU it came on does its crypto
 * at once, as the serial path would: a full queue slows its sender instead of dropping.
 * A few per CPU keep every worker busy; more would only be a standing queue that every
 * packet of the SA waits behind. A ping beside one TCP flow, nfsec to nfsec in the
 * benchmark's 2-CPU guest (p50; the flow's Mbit/s): with 1000 a CPU, as padata allows,
 * 44 ms; 16: 12.9 ms (62); 4: 5.3 to 6.5 ms (66 to 69); 2: 4.1 ms (68); 1: 2.4 ms (57);
 * XFRM 1.0 ms (21 to 25).
 *
 * Past NFSEC_PARALLEL_HARD_JOBS packets (done ones waiting behind one still in crypto, on
 * a CPU busy elsewhere) the next is dropped: memory. As many as a CPU's backlog holds
 * (netdev_max_backlog's default) and padata allows. It was 8 times the share, 32 on 2
 * CPUs: the likeliest cause of the 27 in-error drops a TCP transfer once counted on the
 * debug kernel with other tests beside it (60-esp-xfrm).
 */
enum {
	NFSEC_PARALLEL_JOBS_PER_CPU = 2,
	NFSEC_PARALLEL_HARD_JOBS = 1000,
};

static inline unsigned int nfsec_parallel_max_jobs(void)
{
	return NFSEC_PARALLEL_JOBS_PER_CPU * num_online_cpus();
}

/*
 * One SA's packets in crypto on the CPUs' workers (parallel.c), in the order they came.
 * Locking: @lock, taken with BH off.
 */
struct nfsec_parallel {
	spinlock_t lock;		/* guards all of this */
	struct list_head jobs;		/* in order; the head leaves first */
	unsigned int count;		/* jobs queued */
	int cpu;			/* the CPU whose turn was last */
	int home;			/* the CPU all its packets leave from */
	unsigned long last;		/* jiffies when the last job came */
	u64 ahead;			/* inbound: the highest number a queued one may have */
	bool sending;			/* someone is sending the done jobs on */
	bool send_queued;		/* on its home's list of SAs to send on */
	struct llist_node send_node;
};

/* Called when the packet leaves the queue, in order; as nfsec_esp_done_t. */
typedef void (*nfsec_parallel_done_t)(struct sk_buff *skb, int err);

/*
 * An inbound packet's first look at its SA's replay window, in the queue's order, under
 * its lock: 0, or an error to refuse the packet with; -EAGAIN when the packets queued
 * before it, their numbers at most *@ahead, decide its number (it raises *@ahead to its
 * own highest): it is asked again, with 0, once they have left.
 */
typedef int (*nfsec_parallel_look_t)(struct sk_buff *skb, u64 *ahead);

extern bool nfsec_parallel;

static inline void nfsec_parallel_sa_init(struct nfsec_parallel *par)
{
	spin_lock_init(&par->lock);
	INIT_LIST_HEAD(&par->jobs);
	par->count = 0;
	par->cpu = -1;
	par->home = 0;		/* until its first packet, which finds it idle */
	par->last = jiffies - 2;
	par->ahead = 0;
	par->send_queued = false;
	par->sending = false;
}

/*
 * Whether @par's packets go to the workers: when asked for and more than one CPU is
 * online, and whatever is asked for while some are still queued (a packet done here
 * would overtake them).
 */
static inline bool nfsec_parallel_active(const struct nfsec_parallel *par)
{
	return (READ_ONCE(nfsec_parallel) && num_online_cpus() > 1) ||
	       READ_ONCE(par->count);
}

int nfsec_parallel_encrypt(struct sk_buff *skb, unsigned int off, u8 nexthdr,
			   unsigned int headroom, nfsec_parallel_done_t done);
int nfsec_parallel_decrypt(struct sk_buff *skb, unsigned int off, nfsec_parallel_look_t look,
			   nfsec_parallel_done_t done);
int nfsec_parallel_init(void);
void nfsec_parallel_exit(void);

#endif /* _NFSEC_PARALLEL_H */
