// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the hooks' packet paths on init_net, entered as netfilter enters them.
 *
 * nfsec_hooks: asynchronous crypto completes after the hook has returned, so what the
 * packet still needs then must be held: the route of an outbound packet (a socket's may be
 * borrowed, valid only under RCU) and the device an inbound one came in on (it is
 * delivered on it again). The SAs' AES-GCM is AES-NI's, which hands a request to a cryptd
 * worker of this CPU when the FPU is taken: the hook is called with the FPU taken (and so
 * preemption off), and the test looks at the references while the packet waits.
 *
 * nfsec_fault_input: allocation failures on the inbound path. A genuine ESP packet for an
 * inbound SA is handed to nfsec_input() with the task's fail-nth set to n (failslab: the
 * nth allocation from then on fails), for n = 1, 2, ... until a packet makes fewer than n
 * allocations. The packet comes linear, with its ciphertext in a page, and as a
 * reassembled datagram's frag_list (each layout allocates in other places: pulling the
 * ESP header and IV, skb_cow_data() for a frag_list, the trailer's trim). Each time the
 * packet must be decrypted and delivered or dropped, and counted exactly once either way;
 * the harness then checks the log for splats and kmemleak for leaks. Softirq context is
 * out of fail-nth's reach (it counts only in task context), hence the hook function called
 * from the test's task with bottom halves off.
 *
 * Both suites take the serial path (crypto on the CPU the packet came on, parallel.c
 * off): they are about what that CPU's cryptd and the test's task do; parallel_test.c
 * covers the workers.
 */

#include <asm/fpu/api.h>
#include <crypto/aead.h>
#include <kunit/test.h>
#include <linux/icmp.h>
#include <linux/ip.h>
#include <linux/netfilter.h>
#include <linux/skbuff.h>
#include <linux/udp.h>
#include <net/esp.h>
#include <net/ip.h>
#include <net/route.h>

#include "esp.h"
#include "input.h"
#include "nfsec.h"
#include "output.h"
#include "parallel.h"
#include "secpath.h"

#define SPI 0x4e465331
#define INNER_LEN 64		/* an ICMP echo reply 127.0.0.1 -> 127.0.0.1, nobody's */

static const u8 key[20] = "0123456789abcdefsalt";
static const struct nfsec_sa_alg gcm = {
	.aead = "rfc4106(gcm(aes))", .key = key, .key_len = sizeof(key), .icv_len = 16,
};

static DECLARE_COMPLETION(encap_done);
static int encap_err;

static void encap_complete(struct sk_buff *skb, int err)
{
	encap_err = err;
	complete(&encap_done);
}

/* An SA 127.0.0.2 -> 127.0.0.1 (tunnel) or 127.0.0.1 -> 127.0.0.1 (transport), not added. */
static struct nfsec_sa *sa_make(struct kunit *test, u8 dir, u8 mode)
{
	struct nfsec_sa_config cfg = {
		.id = { .spi = htonl(SPI), .family = AF_INET, .proto = IPPROTO_ESP,
			.daddr.a4 = htonl(INADDR_LOOPBACK) },
		.saddr.a4 = htonl(INADDR_LOOPBACK + (mode == NFSEC_MODE_TUNNEL)),
		.reqid = 7, .dir = dir, .mode = mode, .replay_window = 64,
	};
	struct nfsec_sa *sa = nfsec_sa_new(&cfg, &gcm, NULL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sa);
	return sa;
}

/* @sa into init_net's SAD, as "nfsec sa add" puts it there; false (and put) on failure. */
static bool sa_add(struct kunit *test, struct nfsec_net *nn, struct nfsec_sa *sa)
{
	int ret;

	mutex_lock(&nn->lock);
	ret = nfsec_sa_add(nn, sa);
	mutex_unlock(&nn->lock);
	if (ret) {
		nfsec_sa_put(sa);
		KUNIT_FAIL(test, "SA add: %d", ret);
		return false;
	}
	return true;
}

/*
 * A tunnel's two SAs: @in added to @nn's SAD, @out kept aside to make its packets; false
 * (neither left) when the add failed.
 */
static bool tunnel_pair(struct kunit *test, struct nfsec_net *nn, struct nfsec_sa **out,
			struct nfsec_sa **in)
{
	*out = sa_make(test, NFSEC_SA_DIR_OUT, NFSEC_MODE_TUNNEL);
	*in = sa_make(test, NFSEC_SA_DIR_IN, NFSEC_MODE_TUNNEL);
	if (sa_add(test, nn, *in))
		return true;
	nfsec_sa_put(*out);
	return false;
}

static void sa_del(struct nfsec_net *nn, struct nfsec_sa *sa)
{
	mutex_lock(&nn->lock);
	nfsec_sa_remove(&nn->sad, sa);
	mutex_unlock(&nn->lock);
}

/* IPv4 127.0.0.2 -> 127.0.0.1 carrying ESP of an ICMP echo reply, linear. */
static struct sk_buff *esp_packet(struct kunit *test, struct nfsec_sa *out)
{
	struct sk_buff *skb = alloc_skb(256, GFP_KERNEL);
	struct icmphdr *icmp;
	struct iphdr *iph;
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, 32);
	skb_reset_network_header(skb);
	skb_put_zero(skb, sizeof(*iph));
	/* The inner packet. */
	iph = skb_put_zero(skb, sizeof(*iph));
	iph->version = 4;
	iph->ihl = 5;
	iph->ttl = 64;
	iph->protocol = IPPROTO_ICMP;
	iph->saddr = htonl(INADDR_LOOPBACK);
	iph->daddr = htonl(INADDR_LOOPBACK);
	iph->tot_len = htons(INNER_LEN);
	ip_send_check(iph);
	icmp = skb_put_zero(skb, INNER_LEN - sizeof(*iph));
	icmp->type = ICMP_ECHOREPLY;

	NFSEC_SKB_CB(skb)->sa = out;
	KUNIT_ASSERT_EQ(test, nfsec_esp_seq_take(skb), 0);
	ret = nfsec_esp_encap(skb, sizeof(*iph), IPPROTO_IPIP, 0, encap_complete);
	if (ret == -EINPROGRESS) {
		wait_for_completion(&encap_done);
		ret = encap_err;
	}
	KUNIT_ASSERT_EQ(test, ret, 0);
	skb_reset_network_header(skb);

	/* The outer header, as it arrives. */
	iph = ip_hdr(skb);
	iph->version = 4;
	iph->ihl = 5;
	iph->ttl = 64;
	iph->protocol = IPPROTO_ESP;
	iph->saddr = htonl(INADDR_LOOPBACK + 1);
	iph->daddr = htonl(INADDR_LOOPBACK);
	iph->tot_len = htons(skb->len);
	ip_send_check(iph);
	skb->protocol = htons(ETH_P_IP);
	return skb;
}

/* The counters a packet given to the input path may move. */
static const int in_outcomes[] = {
	NFSEC_STAT_A_IN_PACKETS, NFSEC_STAT_A_IN_ERROR, NFSEC_STAT_A_IN_MALFORMED,
	NFSEC_STAT_A_IN_AUTH_FAIL, NFSEC_STAT_A_IN_REPLAY, NFSEC_STAT_A_IN_NO_SA,
	NFSEC_STAT_A_IN_SELECTOR, NFSEC_STAT_A_IN_EXPIRED, NFSEC_STAT_A_IN_DUMMY,
};

static u64 stat_sum(struct nfsec_net *nn, int stat)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu_ptr(nn->stats, cpu)->v[stat];
	return sum;
}

static void crypto_drained(struct nfsec_net *nn)
{
	wait_var_event(&nn->in_crypto, !atomic_read(&nn->in_crypto));
}

/* An inbound packet in crypto holds the device it came in on. */
static void input_holds_device(struct kunit *test)
{
	struct nfsec_net *nn = nfsec_net(&init_net);
	struct net_device *dev = init_net.loopback_dev;
	struct nfsec_sa *out, *in;
	struct sk_buff *skb;
	u64 delivered;
	int refs;

	if (!tunnel_pair(test, nn, &out, &in))
		return;
	skb = esp_packet(test, out);
	skb->dev = dev;
	delivered = stat_sum(nn, NFSEC_STAT_A_IN_PACKETS);

	refs = netdev_refcnt_read(dev);
	local_bh_disable();
	rcu_read_lock();
	kernel_fpu_begin();
	KUNIT_EXPECT_EQ(test, nfsec_input(nn, skb, sizeof(struct iphdr)), NF_STOLEN);
	KUNIT_EXPECT_EQ(test, atomic_read(&nn->in_crypto), 1);
	KUNIT_EXPECT_EQ(test, netdev_refcnt_read(dev), refs + 1);
	kernel_fpu_end();
	rcu_read_unlock();
	local_bh_enable();
	crypto_drained(nn);
	KUNIT_EXPECT_EQ(test, netdev_refcnt_read(dev), refs);
	KUNIT_EXPECT_EQ(test, stat_sum(nn, NFSEC_STAT_A_IN_PACKETS), delivered + 1);
	sa_del(nn, in);
	nfsec_sa_put(out);
}

/* @skb through the input hook as from the loopback device; dropped at once, or taken. */
static void input_one(struct kunit *test, struct nfsec_net *nn, struct sk_buff *skb)
{
	unsigned int verdict;

	skb->dev = init_net.loopback_dev;
	local_bh_disable();
	rcu_read_lock();
	verdict = nfsec_input(nn, skb, sizeof(struct iphdr));
	rcu_read_unlock();
	local_bh_enable();
	if (verdict == NF_DROP)
		kfree_skb(skb);
	else
		KUNIT_EXPECT_EQ(test, verdict, NF_STOLEN);
	crypto_drained(nn);
}

/* A drop an SA causes is counted by the namespace and by the SA, which get shows. */
static void input_drops_counted_by_sa(struct kunit *test)
{
	struct nfsec_net *nn = nfsec_net(&init_net);
	struct sk_buff *skb, *again, *bad;
	struct nfsec_sa *out, *in;
	u64 replay, auth;
	int drop;

	if (!tunnel_pair(test, nn, &out, &in))
		return;
	replay = stat_sum(nn, NFSEC_STAT_A_IN_REPLAY);
	auth = stat_sum(nn, NFSEC_STAT_A_IN_AUTH_FAIL);
	skb = esp_packet(test, out);
	again = skb_copy(skb, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, again);
	bad = esp_packet(test, out);
	bad->data[bad->len - 1] ^= 1;		/* the ICV's last byte */

	input_one(test, nn, skb);
	input_one(test, nn, again);
	input_one(test, nn, bad);
	KUNIT_EXPECT_EQ(test, stat_sum(nn, NFSEC_STAT_A_IN_REPLAY) - replay, 1ULL);
	KUNIT_EXPECT_EQ(test, stat_sum(nn, NFSEC_STAT_A_IN_AUTH_FAIL) - auth, 1ULL);
	for (drop = 0; drop <= NFSEC_SA_DROP_A_MAX; drop++)
		KUNIT_EXPECT_EQ_MSG(test, atomic64_read(&in->drops[drop]),
				    drop == NFSEC_SA_DROP_A_REPLAY ||
				    drop == NFSEC_SA_DROP_A_AUTH_FAIL ? 1LL : 0LL,
				    "drop reason %d", drop);
	KUNIT_EXPECT_EQ(test, atomic64_read(&in->packets), 1LL);
	sa_del(nn, in);
	nfsec_sa_put(out);
}

/*
 * An outbound packet in crypto holds its route, though the socket lent it (noref). UDP
 * 127.0.0.1:4000 -> 127.0.0.1:4001 through a transport-mode protect policy.
 */
static void output_holds_route(struct kunit *test)
{
	struct nfsec_net *nn = nfsec_net(&init_net);
	struct nfsec_selector sel = {
		.saddr.a4 = htonl(INADDR_LOOPBACK), .daddr.a4 = htonl(INADDR_LOOPBACK),
		.family = AF_INET, .sprefix = 32, .dprefix = 32, .proto = IPPROTO_UDP,
		.sport_lo = 4000, .sport_hi = 4000, .dport_lo = 4001, .dport_hi = 4001,
	};
	struct flowi4 fl4 = { .daddr = htonl(INADDR_LOOPBACK) };
	struct nfsec_policy *pol;
	struct sk_buff *skb;
	struct nfsec_sa *sa;
	struct rtable *rt;
	struct iphdr *iph;
	struct udphdr *uh;
	u64 sent;
	int refs, ret;

	pol = nfsec_policy_new(&sel, 1, NFSEC_POLICY_PROTECT, GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pol);
	pol->dir = NFSEC_POLICY_DIR_OUT;
	pol->tmpl.mode = NFSEC_MODE_TRANSPORT;
	pol->tmpl.reqid = 7;
	mutex_lock(&nn->lock);
	ret = nfsec_policy_add(nn, pol);
	mutex_unlock(&nn->lock);
	if (ret) {
		kfree(pol);
		KUNIT_FAIL(test, "policy add: %d", ret);
		return;
	}
	sa = sa_make(test, NFSEC_SA_DIR_OUT, NFSEC_MODE_TRANSPORT);
	if (!sa_add(test, nn, sa))
		goto out_pol;

	skb = alloc_skb(128, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	rt = ip_route_output_key(&init_net, &fl4);
	KUNIT_ASSERT_FALSE(test, IS_ERR(rt));
	skb_reserve(skb, 64);
	skb_reset_network_header(skb);
	iph = skb_put_zero(skb, sizeof(*iph));
	iph->version = 4;
	iph->ihl = 5;
	iph->ttl = 64;
	iph->protocol = IPPROTO_UDP;
	iph->saddr = htonl(INADDR_LOOPBACK);
	iph->daddr = htonl(INADDR_LOOPBACK);
	skb_set_transport_header(skb, sizeof(*iph));
	uh = skb_put_zero(skb, sizeof(*uh));
	uh->source = htons(4000);
	uh->dest = htons(4001);
	uh->len = htons(sizeof(*uh));
	iph->tot_len = htons(skb->len);
	ip_send_check(iph);
	skb->protocol = htons(ETH_P_IP);
	sent = stat_sum(nn, NFSEC_STAT_A_OUT_PACKETS);

	local_bh_disable();
	rcu_read_lock();
	skb_dst_set_noref(skb, &rt->dst);
	refs = atomic_read(&rt->dst.__refcnt);
	kernel_fpu_begin();
	KUNIT_EXPECT_EQ(test, nfsec_output(nn, skb, 0), NF_STOLEN);
	KUNIT_EXPECT_EQ(test, atomic_read(&nn->in_crypto), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&rt->dst.__refcnt), refs + 1);
	kernel_fpu_end();
	rcu_read_unlock();
	local_bh_enable();
	crypto_drained(nn);
	KUNIT_EXPECT_EQ(test, stat_sum(nn, NFSEC_STAT_A_OUT_PACKETS), sent + 1);
	ip_rt_put(rt);
	sa_del(nn, sa);
out_pol:
	mutex_lock(&nn->lock);
	nfsec_policy_del(nn, pol);
	mutex_unlock(&nn->lock);
}

/* The suites below run with parallel.c's workers off; the switch is put back after. */
static bool parallel_was;

static int serial_init(struct kunit_suite *suite)
{
	parallel_was = READ_ONCE(nfsec_parallel);
	WRITE_ONCE(nfsec_parallel, false);
	return 0;
}

static void serial_exit(struct kunit_suite *suite)
{
	WRITE_ONCE(nfsec_parallel, parallel_was);
}

static struct kunit_case hooks_cases[] = {
	KUNIT_CASE(input_holds_device),
	KUNIT_CASE(output_holds_route),
	KUNIT_CASE(input_drops_counted_by_sa),
	{}
};

static struct kunit_suite hooks_suite = {
	.name = "nfsec_hooks",
	.suite_init = serial_init,
	.suite_exit = serial_exit,
	.test_cases = hooks_cases,
};

kunit_test_suite(hooks_suite);

#if IS_ENABLED(CONFIG_FAULT_INJECTION)
enum layout { LINEAR, PAGED, FRAG_LIST };

struct input_case {
	const char *name;
	enum layout layout;
};

static const struct input_case input_cases[] = {
	{ "linear", LINEAR },
	{ "paged", PAGED },
	{ "frag_list", FRAG_LIST },
};

static void input_case_desc(const struct input_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(input_case, input_cases, input_case_desc);

/* @skb's bytes from @off on moved into a page of a new skb holding @off linear bytes. */
static struct sk_buff *to_paged(struct kunit *test, struct sk_buff *skb, unsigned int off)
{
	unsigned int rest = skb->len - off;
	struct sk_buff *p = alloc_skb(off, GFP_KERNEL);
	struct page *page = alloc_page(GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_NOT_NULL(test, page);
	skb_put_data(p, skb->data, off);
	memcpy(page_address(page), skb->data + off, rest);
	skb_fill_page_desc(p, 0, page, 0, rest);
	p->len += rest;
	p->data_len = rest;
	p->truesize += PAGE_SIZE;
	p->protocol = skb->protocol;
	skb_reset_network_header(p);
	kfree_skb(skb);
	return p;
}

/* As a reassembled datagram: @off bytes in the head, the rest in a frag_list skb. */
static struct sk_buff *to_frag_list(struct kunit *test, struct sk_buff *skb, unsigned int off)
{
	unsigned int rest = skb->len - off;
	struct sk_buff *head = alloc_skb(off, GFP_KERNEL);
	struct sk_buff *frag = alloc_skb(rest, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, head);
	KUNIT_ASSERT_NOT_NULL(test, frag);
	skb_put_data(head, skb->data, off);
	skb_put_data(frag, skb->data + off, rest);
	skb_shinfo(head)->frag_list = frag;
	head->len += rest;
	head->data_len = rest;
	head->truesize += frag->truesize;
	head->protocol = skb->protocol;
	skb_reset_network_header(head);
	kfree_skb(skb);
	return head;
}

static void input_every_allocation(struct kunit *test)
{
	const struct input_case *c = test->param_value;
	struct nfsec_net *nn = nfsec_net(&init_net);
	u64 before[ARRAY_SIZE(in_outcomes)];
	unsigned int nth, dropped = 0, async = 0, i;
	struct nfsec_sa *out, *in;

	if (!tunnel_pair(test, nn, &out, &in))
		return;
	for (nth = 1; nth < 1000; nth++) {
		struct sk_buff *skb = esp_packet(test, out);
		unsigned int verdict;
		u64 moved = 0;
		bool reached;

		/* The outer header and the 8-byte ESP header in the head, no IV. */
		if (c->layout == PAGED)
			skb = to_paged(test, skb, sizeof(struct iphdr) + 8);
		else if (c->layout == FRAG_LIST)
			skb = to_frag_list(test, skb, sizeof(struct iphdr) + 8);
		skb->dev = init_net.loopback_dev;
		for (i = 0; i < ARRAY_SIZE(in_outcomes); i++)
			before[i] = stat_sum(nn, in_outcomes[i]);

		WRITE_ONCE(current->fail_nth, nth);
		local_bh_disable();
		rcu_read_lock();
		verdict = nfsec_input(nn, skb, sizeof(struct iphdr));
		rcu_read_unlock();
		local_bh_enable();
		reached = !READ_ONCE(current->fail_nth);
		WRITE_ONCE(current->fail_nth, 0);
		/* still in crypto: cryptd finishes it, its allocations out of fail-nth's reach */
		if (atomic_read(&nn->in_crypto))
			async++;
		if (verdict == NF_DROP)
			kfree_skb(skb);
		else
			KUNIT_EXPECT_EQ(test, verdict, NF_STOLEN);
		crypto_drained(nn);

		for (i = 0; i < ARRAY_SIZE(in_outcomes); i++)
			moved += stat_sum(nn, in_outcomes[i]) - before[i];
		KUNIT_EXPECT_EQ_MSG(test, moved, 1ULL, "allocation %u: %llu counts", nth, moved);
		if (!reached) {
			/* every allocation has failed once: this packet went through */
			KUNIT_EXPECT_EQ(test, stat_sum(nn, NFSEC_STAT_A_IN_PACKETS) - before[0],
					1ULL);
			break;
		}
		if (stat_sum(nn, NFSEC_STAT_A_IN_PACKETS) == before[0])
			dropped++;
	}
	KUNIT_EXPECT_LT(test, nth, 1000U);
	/*
	 * The secpath at least is an allocation the packet cannot do without (the crypto
	 * scratch is a page fragment, out of failslab's reach, when the cache has a page).
	 * It is made when the crypto completes: in this task only when that was at once,
	 * not when simd handed the request to cryptd (its queue busy), whose worker
	 * fail-nth does not count in.
	 */
	if (!async)
		KUNIT_EXPECT_GT(test, dropped, 0U);
	kunit_info(test, "%u allocations, %u dropped and counted, %u completed by cryptd",
		   nth - 1, dropped, async);
	sa_del(nn, in);
	nfsec_sa_put(out);
}

static struct kunit_case input_fault_cases[] = {
	KUNIT_CASE_PARAM(input_every_allocation, input_case_gen_params),
	{}
};

static struct kunit_suite input_fault_suite = {
	.name = "nfsec_fault_input",
	.suite_init = serial_init,
	.suite_exit = serial_exit,
	.test_cases = input_fault_cases,
};

kunit_test_suite(input_fault_suite);
#endif
