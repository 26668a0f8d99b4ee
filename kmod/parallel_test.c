// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: one SA's crypto on the CPUs' workers (parallel.c). Packets of different sizes
 * (so that the workers finish them out of order) must leave in the order they came:
 * outbound with their sequence numbers ascending, even with two senders at once;
 * inbound in the order they arrived, a forged one failing in its place, and one whose
 * number those before it decide looking again once they have left. Packets in flight
 * leave from their SA's home CPU, hold their SA past its last other reference (the
 * harness's kmemleak then sees that nothing stayed), a full queue's next packet is done
 * by its sender (first taking the oldest job no busy worker has started), a queue at
 * its hard limit or a spent sequence space refuses at once, and an idle SA's home moves
 * to the CPU its packet came on.
 */

#include <asm/unaligned.h>
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/sched.h>
#include <linux/skbuff.h>
#include <linux/workqueue.h>
#include <net/esp.h>

#include "esp.h"
#include "parallel.h"

#define OUTER 20		/* a stand-in outer IPv4 header in front of ESP */
#define N 400			/* packets per test */

static const u8 key[20] = "0123456789abcdef0123";

/* What left the queue, in the order it left. */
static struct {
	spinlock_t lock;	/* done functions may run on any CPU */
	struct sk_buff **skb;	/* [N] */
	int *err;
	unsigned int n, want;
	unsigned int elsewhere;	/* left from another CPU than their SA's home */
	atomic_t inside;	/* done functions running at once: never more than one */
	bool overlapped;
	struct completion all;
} left;

static void left_reset(struct kunit *test, unsigned int want)
{
	left.skb = kunit_kcalloc(test, N, sizeof(*left.skb), GFP_KERNEL);
	left.err = kunit_kcalloc(test, N, sizeof(*left.err), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, left.skb);
	KUNIT_ASSERT_NOT_NULL(test, left.err);
	spin_lock_init(&left.lock);
	left.n = 0;
	left.want = want;
	atomic_set(&left.inside, 0);
	left.overlapped = false;
	left.elsewhere = 0;
	init_completion(&left.all);
}

/* The done function: records the packet; the test's put of the SA comes last. */
static void left_done(struct sk_buff *skb, int err)
{
	bool all;

	if (atomic_inc_return(&left.inside) != 1)
		left.overlapped = true;
	spin_lock(&left.lock);
	left.skb[left.n] = skb;
	left.err[left.n] = err;
	if (raw_smp_processor_id() != READ_ONCE(NFSEC_SKB_CB(skb)->sa->par.home))
		left.elsewhere++;
	all = ++left.n == left.want;
	spin_unlock(&left.lock);
	nfsec_sa_put(NFSEC_SKB_CB(skb)->sa);
	atomic_dec(&left.inside);
	if (all)
		complete(&left.all);
}

static void left_wait(struct kunit *test)
{
	KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&left.all, 30 * HZ), 0UL);
	KUNIT_EXPECT_FALSE(test, left.overlapped);
}

static void left_free(void)
{
	unsigned int i;

	for (i = 0; i < left.n; i++)
		kfree_skb(left.skb[i]);
}

/* Serial crypto in the test, for building and reading packets (cryptd may answer). */
static DECLARE_COMPLETION(crypted);
static int crypt_err;

static void crypt_done(struct sk_buff *skb, int err)
{
	crypt_err = err;
	complete(&crypted);
}

static int crypt_wait(int ret)
{
	if (ret != -EINPROGRESS)
		return ret;
	wait_for_completion(&crypted);
	return crypt_err;
}

static struct nfsec_sa *test_sa(struct kunit *test, u8 dir)
{
	struct nfsec_sa_config cfg = {
		.id = { .spi = htonl(0x4242), .family = AF_INET, .proto = IPPROTO_ESP },
		.dir = dir, .mode = NFSEC_MODE_TUNNEL, .replay_window = 64,
	};
	struct nfsec_sa_alg alg = {
		.aead = "rfc4106(gcm(aes))", .key = key, .key_len = 20, .icv_len = 16,
	};
	struct nfsec_sa *sa = nfsec_sa_new(&cfg, &alg, NULL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sa);
	return sa;
}

/* Packet @i: a payload of a size that varies with @i, its first bytes @i. */
static unsigned int payload_len(unsigned int i)
{
	return 16 + (i * 577) % 1400;
}

static struct sk_buff *test_skb(struct kunit *test, struct nfsec_sa *sa, unsigned int i)
{
	unsigned int len = payload_len(i);
	struct sk_buff *skb = alloc_skb(128 + OUTER + len + 64, GFP_KERNEL);
	u8 *p;

	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, 128);
	skb_put_zero(skb, OUTER);
	p = skb_put(skb, len);
	memset(p, i, len);
	put_unaligned_be32(i, p);
	nfsec_sa_hold(sa);
	NFSEC_SKB_CB(skb)->sa = sa;
	return skb;
}

/*
 * Into the queue, waiting while it is full (the test makes packets faster than the
 * workers take them); the skb is still ours after -ENOBUFS, its sequence number untaken.
 */
static atomic_t full;

static int encrypt(struct sk_buff *skb)
{
	int err;

	while ((err = nfsec_parallel_encrypt(skb, OUTER, IPPROTO_IPIP, 0, left_done)) ==
	       -ENOBUFS) {
		atomic_inc(&full);
		usleep_range(20, 50);
	}
	return err;
}

/*
 * The tests' replay look: each packet's number is the one it was sealed with. With
 * look.every, a packet whose number is a multiple waits when any are ahead of it, and
 * looking again refuses a multiple of look.refuse as a replay.
 */
static struct {
	unsigned int every, refuse;
	unsigned int late, again;
	unsigned int early;	/* looked again with packets before it not yet gone */
} look;

static int test_look(struct sk_buff *skb, u64 *ahead)
{
	u64 seq = NFSEC_SKB_CB(skb)->seq;
	bool waits = look.every && seq % look.every == 0;

	if (!waits || *ahead) {
		*ahead = max(*ahead, seq);
		look.late += waits;
		return waits ? -EAGAIN : 0;
	}
	look.again++;
	if (READ_ONCE(left.n) != seq - 1)
		look.early++;
	return seq % look.refuse ? 0 : -EALREADY;
}

static int decrypt(struct sk_buff *skb)
{
	int err;

	while ((err = nfsec_parallel_decrypt(skb, OUTER, test_look, left_done)) == -ENOBUFS) {
		atomic_inc(&full);
		usleep_range(20, 50);
	}
	return err;
}

static u32 esp_seq(const struct sk_buff *skb)
{
	return ntohl(((const struct ip_esp_hdr *)(skb->data + OUTER))->seq_no);
}

/* One sender: every packet leaves encrypted, with sequence numbers 1, 2, 3, ... */
static void encrypt_in_order(struct kunit *test)
{
	struct nfsec_sa *sa = test_sa(test, NFSEC_SA_DIR_OUT);
	struct sk_buff **sent = kunit_kcalloc(test, N, sizeof(*sent), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, sent);
	left_reset(test, N);
	for (i = 0; i < N; i++) {
		sent[i] = test_skb(test, sa, i);
		KUNIT_ASSERT_EQ(test, encrypt(sent[i]), -EINPROGRESS);
	}
	left_wait(test);
	for (i = 0; i < N; i++) {
		KUNIT_EXPECT_PTR_EQ(test, left.skb[i], sent[i]);
		KUNIT_EXPECT_EQ(test, left.err[i], 0);
		KUNIT_EXPECT_EQ(test, NFSEC_SKB_CB(left.skb[i])->seq, i + 1ULL);
		KUNIT_EXPECT_EQ(test, esp_seq(left.skb[i]), i + 1);
		KUNIT_EXPECT_EQ(test, left.skb[i]->len, OUTER + nfsec_esp_len(sa, payload_len(i)));
	}
	KUNIT_EXPECT_EQ(test, sa->par.count, 0U);
	/* all from one CPU, the SA's home: two would let a veth or a NIC reorder them */
	KUNIT_EXPECT_EQ(test, left.elsewhere, 0U);
	kunit_info(test, "%u packets over %u CPUs, the queue full %d times", N,
		   num_online_cpus(), atomic_read(&full));
	left_free();
	nfsec_sa_put(sa);
}

struct sender {
	struct work_struct work;
	struct kunit *test;
	struct nfsec_sa *sa;
	unsigned int first;	/* sends first, first + 2, first + 4, ... */
	int errs;
};

static void sender_run(struct sender *s)
{
	unsigned int i;

	for (i = s->first; i < N; i += 2)
		if (encrypt(test_skb(s->test, s->sa, i)) != -EINPROGRESS)
			s->errs++;
}

static void sender_work(struct work_struct *work)
{
	sender_run(container_of(work, struct sender, work));
}

/*
 * Two senders at once, on different CPUs when there are two: the sequence numbers still
 * leave ascending, and each sender's packets in its own order.
 */
static void encrypt_two_senders(struct kunit *test)
{
	struct nfsec_sa *sa = test_sa(test, NFSEC_SA_DIR_OUT);
	struct sender a = { .test = test, .sa = sa, .first = 0 };
	struct sender b = { .test = test, .sa = sa, .first = 1 };
	int last[2] = { -1, -1 };
	struct nfsec_sa *in;
	unsigned int i;

	left_reset(test, N);
	INIT_WORK_ONSTACK(&b.work, sender_work);
	queue_work(system_unbound_wq, &b.work);
	sender_run(&a);
	flush_work(&b.work);
	destroy_work_on_stack(&b.work);
	KUNIT_ASSERT_EQ(test, a.errs + b.errs, 0);
	left_wait(test);
	for (i = 0; i < N; i++) {
		KUNIT_EXPECT_EQ(test, left.err[i], 0);
		KUNIT_EXPECT_EQ(test, esp_seq(left.skb[i]), i + 1);
		KUNIT_EXPECT_EQ(test, NFSEC_SKB_CB(left.skb[i])->seq, i + 1ULL);
	}
	/* Decrypted one by one, each tells which packet it was: each sender's in order. */
	in = test_sa(test, NFSEC_SA_DIR_IN);
	for (i = 0; i < N; i++) {
		struct sk_buff *skb = left.skb[i];
		int ret;
		u32 idx;

		NFSEC_SKB_CB(skb)->sa = in;
		ret = crypt_wait(nfsec_esp_decrypt(skb, OUTER, crypt_done));
		KUNIT_EXPECT_EQ(test, ret, 0);
		if (ret)
			continue;
		idx = get_unaligned_be32(skb->data + OUTER + sizeof(struct ip_esp_hdr) +
					 sa->iv_len);
		KUNIT_ASSERT_LT(test, idx, (u32)N);
		KUNIT_EXPECT_GT(test, (int)idx, last[idx % 2]);
		last[idx % 2] = idx;
	}
	left_free();
	nfsec_sa_put(in);
	nfsec_sa_put(sa);
}

/* @n packets sealed for @in by @out, numbered 1 to @n, packet i's payload i. */
static struct sk_buff **sealed(struct kunit *test, struct nfsec_sa *out, struct nfsec_sa *in,
			       unsigned int n)
{
	struct sk_buff **enc = kunit_kcalloc(test, n, sizeof(*enc), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, enc);
	for (i = 0; i < n; i++) {
		enc[i] = test_skb(test, out, i);
		KUNIT_ASSERT_EQ(test, nfsec_esp_seq_take(enc[i]), 0);
		KUNIT_ASSERT_EQ(test, crypt_wait(nfsec_esp_encap(enc[i], OUTER, IPPROTO_IPIP, 0,
								 crypt_done)), 0);
		nfsec_sa_put(out);
		NFSEC_SKB_CB(enc[i])->sa = in;
		nfsec_sa_hold(in);
	}
	return enc;
}

/*
 * Inbound: packets arrive in a scrambled sequence order and leave in arrival order,
 * decrypted; every tenth is forged and fails in its place.
 */
static void decrypt_in_order(struct kunit *test)
{
	struct nfsec_sa *out = test_sa(test, NFSEC_SA_DIR_OUT);
	struct nfsec_sa *in = test_sa(test, NFSEC_SA_DIR_IN);
	struct sk_buff **enc = sealed(test, out, in, N);
	struct sk_buff **arrived = kunit_kcalloc(test, N, sizeof(*arrived), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, arrived);
	for (i = 5; i < N; i += 10)
		enc[i]->data[enc[i]->len - 20] ^= 1;
	/* Arrival order: pairs swapped, then each run of 8 reversed. */
	for (i = 0; i < N; i++)
		arrived[i] = enc[(i ^ 1) ^ (i & 8 ? 7 : 0)];
	left_reset(test, N);
	for (i = 0; i < N; i++)
		KUNIT_ASSERT_EQ(test, decrypt(arrived[i]), -EINPROGRESS);
	left_wait(test);
	KUNIT_EXPECT_EQ(test, left.elsewhere, 0U);
	for (i = 0; i < N; i++) {
		struct sk_buff *skb = left.skb[i];
		u32 idx = NFSEC_SKB_CB(skb)->seq - 1;
		u8 nexthdr;

		KUNIT_EXPECT_PTR_EQ(test, skb, arrived[i]);
		if (idx % 10 == 5) {
			KUNIT_EXPECT_EQ(test, left.err[i], -EBADMSG);
			continue;
		}
		KUNIT_EXPECT_EQ(test, left.err[i], 0);
		NFSEC_SKB_CB(skb)->sa = in;
		KUNIT_ASSERT_EQ(test, nfsec_esp_strip(skb, OUTER, &nexthdr), 0);
		KUNIT_EXPECT_EQ(test, skb->len, OUTER + payload_len(idx));
		KUNIT_EXPECT_EQ(test, get_unaligned_be32(skb->data + OUTER), idx);
	}
	left_free();
	nfsec_sa_put(in);
	nfsec_sa_put(out);
}

/*
 * A packet whose number the ones before it decide (an ESN number behind the window they
 * may leave: nfsec_replay_infer_ahead()) waits in its place without crypto, looks again
 * once every one before it has left, and leaves in its place: decrypted, or refused by
 * that look. The test holds the queue's sender until all but the last are queued, so
 * that each finds others before it; the last one's crypto then sends them all.
 */
static void late_look_waits(struct kunit *test)
{
	struct nfsec_sa *out = test_sa(test, NFSEC_SA_DIR_OUT);
	struct nfsec_sa *in = test_sa(test, NFSEC_SA_DIR_IN);
	unsigned int n = 40, i, waits = 0;	/* all held at once: under the hard limit */
	struct sk_buff **enc = sealed(test, out, in, n);

	look = (typeof(look)){ .every = 3, .refuse = 2 };
	left_reset(test, n);
	spin_lock_bh(&in->par.lock);
	in->par.sending = true;		/* stands for a sender busy elsewhere */
	spin_unlock_bh(&in->par.lock);
	for (i = 0; i < n - 1; i++)
		KUNIT_ASSERT_EQ(test, decrypt(enc[i]), -EINPROGRESS);
	KUNIT_EXPECT_EQ(test, READ_ONCE(left.n), 0U);
	KUNIT_EXPECT_EQ(test, look.again, 0U);
	spin_lock_bh(&in->par.lock);
	in->par.sending = false;
	spin_unlock_bh(&in->par.lock);
	KUNIT_ASSERT_EQ(test, decrypt(enc[n - 1]), -EINPROGRESS);
	left_wait(test);

	for (i = 1; i <= n; i++)
		waits += i % look.every == 0;
	KUNIT_EXPECT_EQ(test, look.late, waits);
	KUNIT_EXPECT_EQ(test, look.again, waits);
	KUNIT_EXPECT_EQ(test, look.early, 0U);
	for (i = 0; i < n; i++) {
		struct sk_buff *skb = left.skb[i];
		u8 nexthdr;

		KUNIT_EXPECT_PTR_EQ(test, skb, enc[i]);
		if ((i + 1) % look.every == 0 && (i + 1) % look.refuse == 0) {
			KUNIT_EXPECT_EQ(test, left.err[i], -EALREADY);
			continue;
		}
		KUNIT_EXPECT_EQ(test, left.err[i], 0);
		NFSEC_SKB_CB(skb)->sa = in;
		KUNIT_ASSERT_EQ(test, nfsec_esp_strip(skb, OUTER, &nexthdr), 0);
		KUNIT_EXPECT_EQ(test, get_unaligned_be32(skb->data + OUTER), i);
	}
	KUNIT_EXPECT_EQ(test, in->par.count, 0U);
	look = (typeof(look)){};
	left_free();
	nfsec_sa_put(in);
	nfsec_sa_put(out);
}

/*
 * The SA's last other reference goes while its packets are in flight (deletion): they
 * still all leave, and the last one frees it.
 */
static void sa_put_in_flight(struct kunit *test)
{
	struct nfsec_sa *sa = test_sa(test, NFSEC_SA_DIR_OUT);
	unsigned int i;

	left_reset(test, N);
	for (i = 0; i < N; i++)
		KUNIT_ASSERT_EQ(test, encrypt(test_skb(test, sa, i)), -EINPROGRESS);
	nfsec_sa_put(sa);
	left_wait(test);
	for (i = 0; i < N; i++)
		KUNIT_EXPECT_EQ(test, left.err[i], 0);
	left_free();
	/* The SA's memory goes after a grace period, on nfsec's workqueue: kmemleak's. */
}

/*
 * A queue at its hard limit, or a spent sequence space, refuses at once: the skb stays
 * the caller's.
 */
static void refused_at_once(struct kunit *test)
{
	struct nfsec_sa *sa = test_sa(test, NFSEC_SA_DIR_OUT);
	struct sk_buff *skb = test_skb(test, sa, 1);

	spin_lock_bh(&sa->par.lock);
	sa->par.count = NFSEC_PARALLEL_HARD_JOBS;
	spin_unlock_bh(&sa->par.lock);
	KUNIT_EXPECT_EQ(test, nfsec_parallel_encrypt(skb, OUTER, IPPROTO_IPIP, 0, left_done),
			-ENOBUFS);
	KUNIT_EXPECT_EQ(test, nfsec_parallel_decrypt(skb, OUTER, test_look, left_done),
			-ENOBUFS);
	KUNIT_EXPECT_EQ(test, atomic64_read(&sa->seq_out), 0LL);
	/* A queue with packets in it takes the next ones, whatever the switch says. */
	KUNIT_EXPECT_TRUE(test, nfsec_parallel_active(&sa->par));
	spin_lock_bh(&sa->par.lock);
	sa->par.count = 0;
	spin_unlock_bh(&sa->par.lock);

	/* the replay window's first look refuses it, with nothing queued */
	look = (typeof(look)){ .every = 1, .refuse = 1 };
	NFSEC_SKB_CB(skb)->seq = 7;
	KUNIT_EXPECT_EQ(test, nfsec_parallel_decrypt(skb, OUTER, test_look, left_done),
			-EALREADY);
	KUNIT_EXPECT_EQ(test, look.again, 1U);
	look = (typeof(look)){};
	KUNIT_EXPECT_EQ(test, sa->par.count, 0U);

	atomic64_set(&sa->seq_out, U32_MAX);
	KUNIT_EXPECT_EQ(test, nfsec_parallel_encrypt(skb, OUTER, IPPROTO_IPIP, 0, left_done),
			-EOVERFLOW);
	KUNIT_EXPECT_TRUE(test, list_empty(&sa->par.jobs));
	KUNIT_EXPECT_EQ(test, sa->par.count, 0U);
	kfree_skb(skb);
	nfsec_sa_put(sa);	/* the packet's */
	nfsec_sa_put(sa);
}

/*
 * A packet that finds its SA idle (nothing queued, none for a jiffy) is done on the CPU
 * it came on, which becomes the SA's home: sent from there, it can overtake nothing, and
 * a ping waits for no handoff. The test goes to each CPU in turn.
 */
static void idle_sa_moves_home(struct kunit *test)
{
	struct nfsec_sa *sa = test_sa(test, NFSEC_SA_DIR_OUT);
	unsigned int i = 0;
	int cpu;

	left_reset(test, min(num_online_cpus(), 4U));
	for_each_online_cpu(cpu) {
		if (i == left.want)
			break;
		KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current, cpumask_of(cpu)), 0);
		msleep(2 * jiffies_to_msecs(1) + 1);	/* the SA idle again */
		KUNIT_EXPECT_EQ(test, encrypt(test_skb(test, sa, i)), -EINPROGRESS);
		KUNIT_EXPECT_EQ(test, READ_ONCE(sa->par.home), cpu);
		i++;
	}
	set_cpus_allowed_ptr(current, cpu_possible_mask);
	left_wait(test);
	for (i = 0; i < left.want; i++) {
		KUNIT_EXPECT_EQ(test, left.err[i], 0);
		KUNIT_EXPECT_EQ(test, esp_seq(left.skb[i]), i + 1);
	}
	KUNIT_EXPECT_EQ(test, left.elsewhere, 0U);
	left_free();
	nfsec_sa_put(sa);
}

/*
 * A packet that finds its SA's queue full is not dropped: it joins the queue and the CPU
 * it came on does its crypto at once (and, at home, sends it when its turn comes), so a
 * full queue slows the sender as the serial path would.
 */
static void full_queue_done_here(struct kunit *test)
{
	struct nfsec_sa *sa = test_sa(test, NFSEC_SA_DIR_OUT);
	unsigned int full = nfsec_parallel_max_jobs();

	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current, cpumask_of(sa->par.home)), 0);
	left_reset(test, 1);
	spin_lock_bh(&sa->par.lock);
	sa->par.count = full;		/* stands for packets no worker has taken yet */
	spin_unlock_bh(&sa->par.lock);
	KUNIT_EXPECT_EQ(test, nfsec_parallel_encrypt(test_skb(test, sa, 0), OUTER,
						     IPPROTO_IPIP, 0, left_done), -EINPROGRESS);
	/* done in the call: nothing went to a worker, nothing was dropped */
	KUNIT_EXPECT_EQ(test, left.n, 1U);
	spin_lock_bh(&sa->par.lock);
	KUNIT_EXPECT_EQ(test, sa->par.count, full);
	sa->par.count = 0;
	spin_unlock_bh(&sa->par.lock);
	set_cpus_allowed_ptr(current, cpu_possible_mask);
	left_wait(test);
	KUNIT_EXPECT_EQ(test, left.err[0], 0);
	KUNIT_EXPECT_EQ(test, esp_seq(left.skb[0]), 1U);
	left_free();
	nfsec_sa_put(sa);
}

/* Every online CPU but the test's, held busy with preemption off: their workers wait. */
static struct {
	atomic_t spinning;
	bool release;
} hold;

static void hold_cpu(struct work_struct *work)
{
	preempt_disable();
	atomic_inc(&hold.spinning);
	while (!READ_ONCE(hold.release))
		cpu_relax();
	preempt_enable();
}

/*
 * A worker whose CPU is busy elsewhere (a softirq, a process) holds back no one: a sender
 * that finds the queue full first does the oldest job no worker has started. The test
 * holds every other CPU while it sends from its own, so the jobs whose turn was theirs
 * wait on their lists: all but the few sent after the last full queue leave all the
 * same, in order; the rest once the CPUs are free, and the workers then pass over the
 * jobs taken from their lists (kmemleak and KASAN watch those).
 */
static void busy_worker_stolen(struct kunit *test)
{
	unsigned int n = 40, i, cpus = num_online_cpus(), before;
	int me = cpumask_first(cpu_online_mask), cpu;
	struct work_struct *works;
	struct nfsec_sa *sa;

	if (cpus < 2)
		kunit_skip(test, "one CPU online: no worker to wait for");
	works = kunit_kcalloc(test, nr_cpu_ids, sizeof(*works), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, works);
	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current, cpumask_of(me)), 0);
	sa = test_sa(test, NFSEC_SA_DIR_OUT);
	left_reset(test, n);
	atomic_set(&hold.spinning, 0);
	WRITE_ONCE(hold.release, false);
	for_each_online_cpu(cpu) {
		if (cpu == me)
			continue;
		INIT_WORK(&works[cpu], hold_cpu);
		queue_work_on(cpu, system_highpri_wq, &works[cpu]);
	}
	while (atomic_read(&hold.spinning) < cpus - 1)
		cpu_relax();
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ(test, encrypt(test_skb(test, sa, i)), -EINPROGRESS);
	before = READ_ONCE(left.n);
	WRITE_ONCE(hold.release, true);
	for_each_online_cpu(cpu)
		if (cpu != me)
			flush_work(&works[cpu]);
	set_cpus_allowed_ptr(current, cpu_possible_mask);
	left_wait(test);

	kunit_info(test, "%u of %u left while the workers' CPUs were busy", before, n);
	KUNIT_EXPECT_GE(test, before, n - nfsec_parallel_max_jobs());
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_EQ(test, left.err[i], 0);
		KUNIT_EXPECT_EQ(test, esp_seq(left.skb[i]), i + 1);
	}
	KUNIT_EXPECT_EQ(test, sa->par.count, 0U);
	KUNIT_EXPECT_EQ(test, left.elsewhere, 0U);
	left_free();
	nfsec_sa_put(sa);
}

static struct kunit_case parallel_cases[] = {
	KUNIT_CASE(encrypt_in_order),
	KUNIT_CASE(encrypt_two_senders),
	KUNIT_CASE(decrypt_in_order),
	KUNIT_CASE(late_look_waits),
	KUNIT_CASE(sa_put_in_flight),
	KUNIT_CASE(refused_at_once),
	KUNIT_CASE(idle_sa_moves_home),
	KUNIT_CASE(full_queue_done_here),
	KUNIT_CASE(busy_worker_stolen),
	{}
};

static struct kunit_suite parallel_suite = {
	.name = "nfsec_parallel",
	.test_cases = parallel_cases,
};

kunit_test_suite(parallel_suite);
