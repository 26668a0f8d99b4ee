// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: a decrypted packet passes a protect policy only when the SA that decrypted it is
 * the one the policy's template names (request id, mode, tunnel endpoints); a packet with
 * no secpath, or one XFRM decrypted, passes none.
 */

#include <kunit/test.h>
#include <linux/in.h>
#include <linux/skbuff.h>
#include <linux/socket.h>
#include <net/xfrm.h>

#include "sad.h"
#include "secpath.h"

static const u8 key[20];

/* An inbound tunnel-mode SA 192.0.2.2 -> 192.0.2.1, request id 7, with its stand-in. */
static struct nfsec_sa *bound_sa(struct kunit *test, u8 mode)
{
	struct nfsec_sa_config cfg = {
		.id = { .spi = htonl(0x1234), .family = AF_INET, .proto = IPPROTO_ESP,
			.daddr.a4 = htonl(0xc0000201) },
		.saddr.a4 = htonl(0xc0000202),
		.dir = NFSEC_SA_DIR_IN, .mode = mode, .reqid = 7,
	};
	struct nfsec_sa_alg alg = {
		.aead = "rfc4106(gcm(aes))", .key = key, .key_len = 20, .icv_len = 16,
	};
	struct nfsec_sa *sa = nfsec_sa_new(&cfg, &alg, NULL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sa);
	set_bit(NFSEC_SA_REMOVED, &sa->flags);
	KUNIT_ASSERT_EQ(test, nfsec_secpath_state_new(sa, &init_net), 0);
	return sa;
}

static void secpath_binding(struct kunit *test)
{
	struct nfsec_tmpl tmpl = {
		.saddr.a4 = htonl(0xc0000202), .daddr.a4 = htonl(0xc0000201),
		.reqid = 7, .mode = NFSEC_MODE_TUNNEL, .family = AF_INET,
	};
	struct nfsec_sa *sa = bound_sa(test, NFSEC_MODE_TUNNEL);
	struct sk_buff *skb = alloc_skb(64, GFP_KERNEL);
	struct nfsec_tmpl t;

	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_EXPECT_FALSE(test, nfsec_secpath_fits(skb, &tmpl));	/* cleartext */
	KUNIT_ASSERT_TRUE(test, nfsec_secpath_set(skb, sa));
	KUNIT_EXPECT_TRUE(test, nfsec_secpath_fits(skb, &tmpl));
	t = tmpl;
	t.reqid = 8;
	KUNIT_EXPECT_FALSE(test, nfsec_secpath_fits(skb, &t));
	t = tmpl;
	t.mode = NFSEC_MODE_TRANSPORT;
	KUNIT_EXPECT_FALSE(test, nfsec_secpath_fits(skb, &t));
	t = tmpl;
	t.saddr.a4 = htonl(0xc0000203);		/* another peer */
	KUNIT_EXPECT_FALSE(test, nfsec_secpath_fits(skb, &t));
	t = tmpl;
	t.daddr.a4 = htonl(0xc0000209);
	KUNIT_EXPECT_FALSE(test, nfsec_secpath_fits(skb, &t));
	t = tmpl;
	t.family = AF_INET6;
	KUNIT_EXPECT_FALSE(test, nfsec_secpath_fits(skb, &t));
	/* XFRM's would never be satisfied by the stand-in: it names no protocol XFRM uses. */
	KUNIT_EXPECT_EQ(test, sa->xs->id.proto, 0);
	KUNIT_EXPECT_EQ(test, sa->xs->props.mode, XFRM_MODE_TRANSPORT);
	kfree_skb(skb);
	nfsec_sa_put(sa);
}

/* Transport mode: the endpoints are the packet's own; request id and mode still count. */
static void secpath_binding_transport(struct kunit *test)
{
	struct nfsec_tmpl tmpl = { .reqid = 7, .mode = NFSEC_MODE_TRANSPORT };
	struct nfsec_sa *sa = bound_sa(test, NFSEC_MODE_TRANSPORT);
	struct sk_buff *skb = alloc_skb(64, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_ASSERT_TRUE(test, nfsec_secpath_set(skb, sa));
	KUNIT_EXPECT_TRUE(test, nfsec_secpath_fits(skb, &tmpl));
	tmpl.mode = NFSEC_MODE_TUNNEL;
	KUNIT_EXPECT_FALSE(test, nfsec_secpath_fits(skb, &tmpl));
	kfree_skb(skb);
	nfsec_sa_put(sa);
}

/* The last state of the secpath counts: one of XFRM's on top is not ours. */
static void secpath_foreign_state(struct kunit *test)
{
	struct nfsec_tmpl tmpl = { .reqid = 7, .mode = NFSEC_MODE_TRANSPORT };
	struct nfsec_sa *sa = bound_sa(test, NFSEC_MODE_TRANSPORT);
	struct sk_buff *skb = alloc_skb(64, GFP_KERNEL);
	struct xfrm_state *x = xfrm_state_alloc(&init_net);
	struct sec_path *sp;

	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_ASSERT_NOT_NULL(test, x);
	KUNIT_ASSERT_TRUE(test, nfsec_secpath_set(skb, sa));
	x->id.proto = IPPROTO_ESP;
	x->props.reqid = 7;
	x->km.state = XFRM_STATE_DEAD;	/* its last put destroys it */
	sp = skb_sec_path(skb);
	sp->xvec[sp->len++] = x;
	KUNIT_EXPECT_FALSE(test, nfsec_secpath_fits(skb, &tmpl));
	kfree_skb(skb);		/* puts both states */
	nfsec_sa_put(sa);
}

static struct kunit_case secpath_cases[] = {
	KUNIT_CASE(secpath_binding),
	KUNIT_CASE(secpath_binding_transport),
	KUNIT_CASE(secpath_foreign_state),
	{}
};

static struct kunit_suite secpath_suite = {
	.name = "nfsec_secpath",
	.test_cases = secpath_cases,
};

kunit_test_suite(secpath_suite);
