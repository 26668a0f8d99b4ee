// SPDX-License-Identifier: GPL-2.0
/*
 * One SA's crypto spread over the CPUs, its packets kept in order, as padata does for
 * pcrypt but on any kernel (neither is built in every one) and per SA:
 *
 *  1. A packet becomes a job at the tail of its SA's queue; outbound, it takes its
 *     sequence number under the same lock, so the queue's order and the sequence
 *     numbers' are one; inbound, the replay window's first look is taken there, in the
 *     same order (the caller's look function). An ESN packet whose number the packets
 *     queued before it decide (behind the window they may leave) waits at its place
 *     for them to leave, and looks again: its number is then the one the serial path
 *     would infer, and the one it is authenticated with.
 *  2. The job goes to the next online CPU in turn, onto that CPU's list; the CPU's
 *     worker (a bound workqueue) encrypts or decrypts it there, synchronously or not.
 *     The turn of the CPU the packet came on is taken there and then (job_cpu()). A
 *     packet that finds the queue full is done by the CPU it came on, which first takes
 *     the oldest job no worker has started (job_steal()): a worker whose CPU is busy
 *     elsewhere holds back no one.
 *  3. Done, the job is marked so; whoever marked it then takes every done job from the
 *     head of the queue and sends each on (the caller's done function: sending, or
 *     delivery after the replay window's second look), one sender at a time, so packets
 *     leave as they came, and all from the SA's home CPU (elsewhere, the home's send
 *     work does it). A job not yet done holds back those behind it.
 *
 * Lifetimes: each packet holds its SA, where the queue is, and counts in its namespace's
 * in_crypto (the caller's nfsec_crypto_begin()), so SA deletion and namespace exit wait
 * for none of this. The sender runs under RCU: the last packet it sends may drop the
 * SA's last reference, and the SA's memory (its lock) stays for a grace period; the
 * module's exit waits for that grace period and then for the workers; a send work
 * holds its SA. The home CPU moves only while the SA is idle (job_cpu()).
 */

#include <linux/bitops.h>
#include <linux/llist.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/refcount.h>
#include <linux/skbuff.h>
#include <linux/workqueue.h>

#include "esp.h"
#include "nfsec.h"
#include "parallel.h"

/*
 * On by default: one flow goes at what all the CPUs encrypt, not one. The price is delay
 * for the other packets of a busy SA, which wait behind its queue (a ping beside one TCP
 * flow: 2.8 to 4.5 ms against XFRM's 1.2 in the benchmark's TCG guest); a host that
 * wants the delay rather than the throughput sets it off.
 */
bool nfsec_parallel __read_mostly = true;
EXPORT_SYMBOL_IF_NFSEC_KUNIT(nfsec_parallel);
module_param_named(parallel, nfsec_parallel, bool, 0644);
MODULE_PARM_DESC(parallel, "spread each SA's crypto over the online CPUs (default: yes)");

/*
 * A job on a CPU's list is held twice: by its SA's queue, until it is sent on, and by the
 * list, until the worker has passed it, whoever did its crypto; the one of the worker and
 * a thief (job_steal()) that claims it first does the crypto.
 */
struct job {
	struct list_head node;		/* in the SA's queue, under its lock */
	struct llist_node cpu_node;	/* on a CPU's list */
	struct sk_buff *skb;
	nfsec_parallel_done_t done;
	int err;
	refcount_t refs;
	nfsec_parallel_look_t look;	/* inbound */
	unsigned long claimed;		/* bit 0: someone does its crypto */
	bool finished;			/* crypto is over: @err says how */
	bool late;			/* waits for those before it to leave, then looks */
	bool encrypt;
	u8 nexthdr;
	unsigned int off, headroom;
};

struct cpu_queue {
	struct llist_head jobs;
	struct work_struct work;
	struct llist_head sends;	/* SAs whose done jobs this CPU, their home, sends */
	struct work_struct send_work;
};

static DEFINE_PER_CPU(struct cpu_queue, cpu_queues);
static struct workqueue_struct *parallel_wq;

/*
 * A job is a fragment of this CPU's page fragment cache, as the crypto's scratch is
 * (esp.c): an offset moved on a page, no slab call, and freed from whichever CPU sends
 * it. Not the skb's headroom: decryption may move the skb's head (skb_cow_data()) while
 * the job is linked in its SA's queue.
 */
static struct job *job_alloc(void)
{
	return netdev_alloc_frag_align(sizeof(struct job), __alignof__(struct job));
}

static void job_put(struct job *job)
{
	if (refcount_dec_and_test(&job->refs))
		skb_free_frag(job);
}

/* Whether the caller is the one to do @job's crypto. */
static bool job_claim(struct job *job)
{
	return !test_and_set_bit(0, &job->claimed);
}

static struct nfsec_parallel *skb_parallel(struct sk_buff *skb)
{
	return &NFSEC_SKB_CB(skb)->sa->par;
}

static struct nfsec_sa *par_sa(struct nfsec_parallel *par)
{
	return container_of(par, struct nfsec_sa, par);
}

/*
 * The head of @par's queue is done, but this is not the SA's home CPU: its send work
 * there sends on. The work holds the SA until it has run.
 */
static void send_elsewhere(struct nfsec_parallel *par)
{
	struct cpu_queue *q = per_cpu_ptr(&cpu_queues, par->home);

	lockdep_assert_held(&par->lock);
	if (par->send_queued)
		return;
	par->send_queued = true;
	nfsec_sa_hold(par_sa(par));
	llist_add(&par->send_node, &q->sends);
	queue_work_on(par->home, parallel_wq, &q->send_work);
}

static void job_crypt(struct job *job);

/*
 * The head of @par's queue waited for the packets before it to leave, which they have:
 * it looks again, its number now what the window infers, and its crypto is done here.
 */
static void late_start(struct nfsec_parallel *par, struct job *job)
{
	u64 none = 0;
	int err;

	lockdep_assert_held(&par->lock);
	job->late = false;
	if (WARN_ON_ONCE(!job_claim(job)))	/* on no CPU's list */
		return;
	err = job->look(job->skb, &none);
	if (err) {
		job->err = err;
		job->finished = true;
		return;
	}
	spin_unlock(&par->lock);
	job_crypt(job);
	spin_lock(&par->lock);
}

/*
 * Step 3: sends on every done job from the head, unless another is at it; on the SA's
 * home CPU only (or @anywhere), so that all of them leave from one CPU: sent from two,
 * they would pass through two CPUs' backlogs (a veth's, a NIC's queues, our GRO cells)
 * and could be overtaken there, after all this care.
 */
static void send_done(struct nfsec_parallel *par, bool anywhere)
{
	struct job *job, *next;
	LIST_HEAD(ready);

	lockdep_assert_held(&par->lock);
	if (par->sending)
		return;
	job = list_first_entry_or_null(&par->jobs, struct job, node);
	if (!job || !job->finished)
		return;
	if (!anywhere && smp_processor_id() != par->home) {
		send_elsewhere(par);
		return;
	}
	par->sending = true;
	for (;;) {
		while ((job = list_first_entry_or_null(&par->jobs, struct job, node)) &&
		       job->finished) {
			list_move_tail(&job->node, &ready);
			par->count--;
		}
		if (list_empty(&ready)) {
			if (!job || !job->late)
				break;
			late_start(par, job);
			continue;
		}
		spin_unlock(&par->lock);
		list_for_each_entry_safe(job, next, &ready, node) {
			struct sk_buff *skb = job->skb;
			nfsec_parallel_done_t done = job->done;
			int err = job->err;

			list_del(&job->node);
			job_put(job);
			done(skb, err);
		}
		spin_lock(&par->lock);
	}
	par->sending = false;
}

/* The job's crypto is over, @err saying how; from any context. */
static void job_finish(struct nfsec_parallel *par, struct job *job, int err)
{
	rcu_read_lock();
	spin_lock_bh(&par->lock);
	job->err = err;
	job->finished = true;
	send_done(par, false);
	spin_unlock_bh(&par->lock);
	rcu_read_unlock();
}

/*
 * Asynchronous crypto's completion: only the skb comes back, and the job is found in its
 * SA's queue (rare: the workers run in process context, where the SIMD ciphers are
 * synchronous).
 */
static void async_done(struct sk_buff *skb, int err)
{
	struct nfsec_parallel *par = skb_parallel(skb);
	struct job *job;
	bool found = false;

	spin_lock_bh(&par->lock);
	list_for_each_entry(job, &par->jobs, node) {
		if (job->skb == skb) {
			found = true;
			break;
		}
	}
	spin_unlock_bh(&par->lock);
	if (!WARN_ON_ONCE(!found))
		job_finish(par, job, err);
}

/* Step 2, on the job's CPU. */
static void job_crypt(struct job *job)
{
	struct sk_buff *skb = job->skb;
	int err;

	if (job->encrypt)
		err = nfsec_esp_encap(skb, job->off, job->nexthdr, job->headroom, async_done);
	else
		err = nfsec_esp_decrypt(skb, job->off, async_done);
	if (err != -EINPROGRESS)
		job_finish(skb_parallel(skb), job, err);
}

/* Step 3 on the home CPU, for the SAs whose done jobs wait there. */
static void send_work(struct work_struct *work)
{
	struct cpu_queue *q = container_of(work, struct cpu_queue, send_work);
	struct llist_node *list = llist_del_all(&q->sends);
	struct nfsec_parallel *par, *next;

	llist_for_each_entry_safe(par, next, list, send_node) {
		struct nfsec_sa *sa = par_sa(par);

		rcu_read_lock();
		spin_lock_bh(&par->lock);
		par->send_queued = false;
		/* anywhere: with the home CPU gone offline, the work runs on another */
		send_done(par, true);
		spin_unlock_bh(&par->lock);
		rcu_read_unlock();
		nfsec_sa_put(sa);
	}
}

static void cpu_work(struct work_struct *work)
{
	struct cpu_queue *q = container_of(work, struct cpu_queue, work);
	struct llist_node *list = llist_reverse_order(llist_del_all(&q->jobs));
	struct job *job, *next;

	llist_for_each_entry_safe(job, next, list, cpu_node) {
		if (job_claim(job))
			job_crypt(job);
		job_put(job);
		cond_resched();
	}
}

/*
 * Step 2's choice for a job joining @par's queue: the CPU whose worker takes it, or -1
 * for the CPU at hand, now, in the caller's context. The CPUs take turns, this one among
 * them: its turn costs no handoff and no wakeup. A job that finds its SA idle (nothing
 * queued, none for a jiffy or more: a ping, a lone request) is done here too, as the
 * serial path would, so that sparse traffic waits for no worker.
 */
static int job_cpu(struct nfsec_parallel *par)
{
	unsigned long now = jiffies;
	/* the job just queued alone, and none before it for a jiffy */
	bool idle = par->count == 1 && time_after(now, par->last + 1);
	int cpu;

	lockdep_assert_held(&par->lock);
	par->last = now;
	if (idle) {
		/* none of its packets in flight: the SA's home may move here */
		par->home = smp_processor_id();
		return -1;
	}
	cpu = cpumask_next(par->cpu, cpu_online_mask);
	if (cpu >= nr_cpu_ids)
		cpu = cpumask_first(cpu_online_mask);
	par->cpu = cpu;
	return cpu == smp_processor_id() ? -1 : cpu;
}

/*
 * The oldest of @par's jobs that no worker has started, now the caller's to do: a worker
 * can wait long for a CPU that runs a softirq or a busy process, and every packet behind
 * its job waits with it (a ping beside one TCP flow: 9.8 ms instead of XFRM's 1.0). The
 * caller is a sender that found the queue full, so it has crypto to do anyway; it does
 * this one first. NULL when all are started, or the few first to look at are.
 */
static struct job *job_steal(struct nfsec_parallel *par)
{
	unsigned int budget = 2 * nfsec_parallel_max_jobs();
	struct job *job;

	lockdep_assert_held(&par->lock);
	list_for_each_entry(job, &par->jobs, node) {
		if (!budget--)
			break;
		/* a late one is on no CPU's list, its sender's to start */
		if (!job->finished && !job->late && !test_bit(0, &job->claimed) &&
		    job_claim(job))
			return job;
	}
	return NULL;
}

/*
 * Step 1: queues @job for @skb, and steps 2 and 3 at once when its turn is this CPU's
 * or the queue is full (the sender pays for its packet, as on the serial path, and for
 * the oldest one no worker has started); -ENOBUFS past the hard limit, -EOVERFLOW, or the
 * look's error.
 */
static int job_queue(struct sk_buff *skb, struct job *job)
{
	struct nfsec_parallel *par = skb_parallel(skb);
	struct job *stolen = NULL;
	bool full, late = false;
	int cpu = -1, err = 0;

	/* The CPU at hand stays so until its turn is done (and sent, at home). */
	preempt_disable();
	spin_lock_bh(&par->lock);
	if (par->count >= NFSEC_PARALLEL_HARD_JOBS) {
		err = -ENOBUFS;
		goto out;
	}
	full = par->count >= nfsec_parallel_max_jobs();
	if (job->encrypt) {
		err = nfsec_esp_seq_take(skb);
	} else {
		if (!par->count && !par->sending)
			par->ahead = 0;
		err = job->look(skb, &par->ahead);
		late = err == -EAGAIN;
		if (late)
			err = 0;
	}
	if (err)
		goto out;
	job->late = late;
	list_add_tail(&job->node, &par->jobs);
	par->count++;
	/* late: behind others queued or being sent, whose sender starts it (send_done()) */
	if (late)
		goto out;
	if (!full)
		cpu = job_cpu(par);
	if (cpu >= 0) {
		refcount_inc(&job->refs);	/* the CPU list's */
		llist_add(&job->cpu_node, &per_cpu(cpu_queues, cpu).jobs);
	} else {
		set_bit(0, &job->claimed);	/* this sender's, below */
		if (full)
			stolen = job_steal(par);
	}
out:
	spin_unlock_bh(&par->lock);
	if (stolen)	/* held by the queue until it is sent, after this crypto */
		job_crypt(stolen);
	/* a late job may be started, done and gone already */
	if (!err && !late) {
		if (cpu < 0)
			job_crypt(job);
		else	/* a CPU going offline meanwhile: its work runs on another */
			queue_work_on(cpu, parallel_wq, &per_cpu(cpu_queues, cpu).work);
	}
	preempt_enable();
	return err ?: -EINPROGRESS;
}

static int submit(struct sk_buff *skb, struct job *job)
{
	int err;

	job->skb = skb;
	job->finished = false;
	job->claimed = 0;
	refcount_set(&job->refs, 1);	/* the queue's */
	err = job_queue(skb, job);
	if (err != -EINPROGRESS)
		job_put(job);
	return err;
}

/*
 * nfsec_esp_encap() on a worker, the sequence number taken here. Returns -EINPROGRESS,
 * and @done is called once the packets queued before this one have been (with 0 when it
 * was encrypted, or the error), or an error at once (the skb is still the caller's).
 */
int nfsec_parallel_encrypt(struct sk_buff *skb, unsigned int off, u8 nexthdr,
			   unsigned int headroom, nfsec_parallel_done_t done)
{
	struct job *job = job_alloc();

	if (!job)
		return -ENOMEM;
	job->done = done;
	job->encrypt = true;
	job->off = off;
	job->nexthdr = nexthdr;
	job->headroom = headroom;
	return submit(skb, job);
}
EXPORT_SYMBOL_IF_NFSEC_KUNIT(nfsec_parallel_encrypt);

/*
 * nfsec_esp_decrypt() on a worker, after @look; returns as nfsec_parallel_encrypt() (an
 * error at once may be @look's).
 */
int nfsec_parallel_decrypt(struct sk_buff *skb, unsigned int off, nfsec_parallel_look_t look,
			   nfsec_parallel_done_t done)
{
	struct job *job = job_alloc();

	if (!job)
		return -ENOMEM;
	job->done = done;
	job->look = look;
	job->encrypt = false;
	job->off = off;
	return submit(skb, job);
}
EXPORT_SYMBOL_IF_NFSEC_KUNIT(nfsec_parallel_decrypt);

int nfsec_parallel_init(void)
{
	int cpu;

	/* Bound: a job runs on the CPU it was given; CPU_INTENSIVE: crypto takes its time. */
	parallel_wq = alloc_workqueue("nfsec_crypto", WQ_MEM_RECLAIM | WQ_CPU_INTENSIVE, 0);
	if (!parallel_wq)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		struct cpu_queue *q = per_cpu_ptr(&cpu_queues, cpu);

		init_llist_head(&q->jobs);
		INIT_WORK(&q->work, cpu_work);
		init_llist_head(&q->sends);
		INIT_WORK(&q->send_work, send_work);
	}
	return 0;
}

/*
 * Every namespace is gone, so no job is left; the workers finish returning, and the
 * send works still queued run, putting their SAs (the caller's rcu_barrier() then sees
 * those frees queued).
 */
void nfsec_parallel_exit(void)
{
	destroy_workqueue(parallel_wq);
}
