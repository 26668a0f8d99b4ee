// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the hold queue, on init_net's state (no policy there, so a packet the queue
 * retries is let go and counted). The timer follows the earliest deadline whatever order
 * packets come in; a packet whose SA lookup began before an SA was added is retried at
 * once, not at its deadline.
 */

#include <kunit/test.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <net/route.h>

#include "acquire.h"
#include "nfsec.h"

/* A UDP datagram 127.0.0.1 -> 127.0.0.1 with its route, as the output hook gets it. */
static struct sk_buff *held_skb(struct kunit *test)
{
	struct flowi4 fl4 = { .daddr = htonl(INADDR_LOOPBACK) };
	struct sk_buff *skb = alloc_skb(128, GFP_KERNEL);
	struct rtable *rt;
	struct iphdr *iph;
	struct udphdr *uh;

	KUNIT_ASSERT_NOT_NULL(test, skb);
	rt = ip_route_output_key(&init_net, &fl4);
	KUNIT_ASSERT_FALSE(test, IS_ERR(rt));
	skb_dst_set(skb, &rt->dst);
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
	skb->protocol = htons(ETH_P_IP);
	return skb;
}

static void hold(struct kunit *test, struct nfsec_net *nn, unsigned long deadline,
		 unsigned int gen)
{
	struct nfsec_policy pol = {
		.index = 0x7ffffff0, .dir = NFSEC_POLICY_DIR_OUT, .action = NFSEC_POLICY_PROTECT,
		.sel = { .family = AF_INET },
		.tmpl = { .mode = NFSEC_MODE_TUNNEL, .family = AF_INET, .reqid = 9 },
	};
	struct nfsec_flow fl = {
		.saddr.a4 = htonl(INADDR_LOOPBACK), .daddr.a4 = htonl(INADDR_LOOPBACK),
		.family = AF_INET, .proto = IPPROTO_UDP, .sport = 4000, .dport = 4001,
	};
	struct sk_buff *skb = held_skb(test);

	rcu_read_lock();
	local_bh_disable();
	nfsec_acquire_hold(nn, skb, &pol, &fl, deadline, gen);
	local_bh_enable();
	rcu_read_unlock();
}

static void acquire_hold_order_and_race(struct kunit *test)
{
	struct nfsec_net *nn = nfsec_net(&init_net);
	struct nfsec_acquire *acq = &nn->acquire;
	unsigned long far = jiffies + 60 * HZ, near = jiffies + 30 * HZ;
	unsigned int gen = nfsec_acquire_gen(nn);

	KUNIT_ASSERT_EQ(test, acq->nheld, 0);
	hold(test, nn, far, gen);
	KUNIT_EXPECT_EQ(test, acq->nheld, 1);
	KUNIT_EXPECT_EQ(test, acq->timer.expires, far);
	/* An earlier deadline held later: the timer moves to it. */
	hold(test, nn, near, gen);
	KUNIT_EXPECT_EQ(test, acq->nheld, 2);
	KUNIT_EXPECT_EQ(test, acq->timer.expires, near);
	flush_work(&acq->work);
	KUNIT_EXPECT_EQ(test, acq->nheld, 2);
	/* An SA added: both are tried again (no policy here: let go). */
	nfsec_acquire_sa_added(nn);
	flush_work(&acq->work);
	KUNIT_EXPECT_EQ(test, acq->nheld, 0);
	/*
	 * An SA added between a packet's lookup and its hold, when nothing was held yet: the
	 * packet is tried again at once, not when its 5 s are up.
	 */
	gen = nfsec_acquire_gen(nn);
	nfsec_acquire_sa_added(nn);
	hold(test, nn, 0, gen);
	flush_work(&acq->work);
	KUNIT_EXPECT_EQ(test, acq->nheld, 0);
	del_timer_sync(&acq->timer);
}

static struct kunit_case acquire_cases[] = {
	KUNIT_CASE(acquire_hold_order_and_race),
	{}
};

static struct kunit_suite acquire_suite = {
	.name = "nfsec_acquire",
	.test_cases = acquire_cases,
};

kunit_test_suite(acquire_suite);
