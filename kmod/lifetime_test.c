// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: lifetime accounting on the data path. A hard limit lets the packet that reaches
 * it pass and kills the SA, refusing every later one; a soft limit is noted once; bytes and
 * packets count independently.
 */

#include <kunit/test.h>
#include <linux/in.h>
#include <linux/socket.h>

#include "lifetime.h"
#include "sad.h"

static const u8 key[20];

/* An SA outside any SAD, marked removed so its expire work only drops its reference. */
static struct nfsec_sa *lt_sa(struct kunit *test, const struct nfsec_lifetime *lt)
{
	struct nfsec_sa_config cfg = {
		.id = { .spi = htonl(0x4242), .family = AF_INET, .proto = IPPROTO_ESP },
		.dir = NFSEC_SA_DIR_OUT, .mode = NFSEC_MODE_TUNNEL, .lt = *lt,
	};
	struct nfsec_sa_alg alg = {
		.aead = "rfc4106(gcm(aes))", .key = key, .key_len = 20, .icv_len = 16,
	};
	struct nfsec_sa *sa = nfsec_sa_new(&cfg, &alg, NULL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sa);
	set_bit(NFSEC_SA_REMOVED, &sa->flags);
	return sa;
}

static void lifetime_hard_packets(struct kunit *test)
{
	struct nfsec_lifetime lt = { .soft_packets = 3, .hard_packets = 5 };
	struct nfsec_sa *sa = lt_sa(test, &lt);
	int i;

	for (i = 1; i <= 5; i++) {
		KUNIT_EXPECT_TRUE(test, nfsec_lifetime_account(sa, 100));
		KUNIT_EXPECT_EQ(test, test_bit(NFSEC_SA_SOFT_DUE, &sa->flags), i >= 3);
		KUNIT_EXPECT_EQ(test, test_bit(NFSEC_SA_DEAD, &sa->flags), i == 5);
	}
	KUNIT_EXPECT_FALSE(test, nfsec_lifetime_account(sa, 100));
	KUNIT_EXPECT_EQ(test, atomic64_read(&sa->packets), 5);
	nfsec_sa_put(sa);
}

static void lifetime_hard_bytes(struct kunit *test)
{
	struct nfsec_lifetime lt = { .soft_bytes = 500, .hard_bytes = 1000 };
	struct nfsec_sa *sa = lt_sa(test, &lt);

	KUNIT_EXPECT_TRUE(test, nfsec_lifetime_account(sa, 400));	/* 400 */
	KUNIT_EXPECT_FALSE(test, test_bit(NFSEC_SA_SOFT_DUE, &sa->flags));
	KUNIT_EXPECT_TRUE(test, nfsec_lifetime_account(sa, 400));	/* 800: soft */
	KUNIT_EXPECT_TRUE(test, test_bit(NFSEC_SA_SOFT_DUE, &sa->flags));
	KUNIT_EXPECT_FALSE(test, test_bit(NFSEC_SA_DEAD, &sa->flags));
	/* Starts below the limit, ends above it: passes, and the SA dies with it. */
	KUNIT_EXPECT_TRUE(test, nfsec_lifetime_account(sa, 400));	/* 1200 */
	KUNIT_EXPECT_TRUE(test, test_bit(NFSEC_SA_DEAD, &sa->flags));
	KUNIT_EXPECT_FALSE(test, nfsec_lifetime_account(sa, 1));
	nfsec_sa_put(sa);
}

static void lifetime_none(struct kunit *test)
{
	struct nfsec_lifetime lt = {};
	struct nfsec_sa *sa = lt_sa(test, &lt);
	int i;

	for (i = 0; i < 1000; i++)
		KUNIT_ASSERT_TRUE(test, nfsec_lifetime_account(sa, 65535));
	KUNIT_EXPECT_EQ(test, sa->flags, BIT(NFSEC_SA_REMOVED));
	KUNIT_EXPECT_EQ(test, atomic64_read(&sa->bytes), 1000LL * 65535);
	nfsec_sa_put(sa);
}

/*
 * Time limits as far as a u64 goes are no deadline (they used to wrap into the past and
 * requeue the work at once, forever); long ones are slept towards a day at a time.
 */
static void lifetime_far_seconds(struct kunit *test)
{
	struct nfsec_lifetime lt = { .soft_seconds = U64_MAX - 1, .hard_seconds = U64_MAX };
	struct nfsec_sa *sa = lt_sa(test, &lt);

	sa->add_time = ktime_get_seconds();
	KUNIT_EXPECT_EQ(test, nfsec_lifetime_next(sa), 0);
	sa->cfg.lt.hard_seconds = 1ULL << 40;
	KUNIT_EXPECT_EQ(test, nfsec_lifetime_next(sa), sa->add_time + (1LL << 40));
	sa->cfg.lt.soft_seconds = 10;
	KUNIT_EXPECT_EQ(test, nfsec_lifetime_next(sa), sa->add_time + 10);
	set_bit(NFSEC_SA_SOFT_SENT, &sa->flags);
	KUNIT_EXPECT_EQ(test, nfsec_lifetime_next(sa), sa->add_time + (1LL << 40));
	KUNIT_EXPECT_EQ(test, nfsec_lifetime_delay(-5), 0);
	KUNIT_EXPECT_EQ(test, nfsec_lifetime_delay(3), 3 * HZ);
	KUNIT_EXPECT_EQ(test, nfsec_lifetime_delay(1LL << 40), 24 * 60 * 60 * HZ);
	KUNIT_EXPECT_EQ(test, nfsec_lifetime_delay(TIME64_MAX), 24 * 60 * 60 * HZ);
	nfsec_sa_put(sa);
}

/*
 * An outbound SA without ESN gets its soft EXPIRE NFSEC_SEQ_SOFT_MARGIN packets before its
 * sequence numbers run out, whatever its limits; with ESN, or inbound, not.
 */
static void lifetime_seq_running_out(struct kunit *test)
{
	struct nfsec_lifetime lt = {};
	struct nfsec_sa *sa = lt_sa(test, &lt);
	u64 mark = U32_MAX - NFSEC_SEQ_SOFT_MARGIN;

	atomic64_set(&sa->packets, mark - 2);
	KUNIT_EXPECT_TRUE(test, nfsec_lifetime_account(sa, 100));
	KUNIT_EXPECT_FALSE(test, test_bit(NFSEC_SA_SOFT_DUE, &sa->flags));
	KUNIT_EXPECT_TRUE(test, nfsec_lifetime_account(sa, 100));
	KUNIT_EXPECT_TRUE(test, test_bit(NFSEC_SA_SOFT_DUE, &sa->flags));
	KUNIT_EXPECT_FALSE(test, test_bit(NFSEC_SA_DEAD, &sa->flags));
	nfsec_sa_put(sa);

	sa = lt_sa(test, &lt);
	sa->cfg.esn = true;
	atomic64_set(&sa->packets, mark);
	KUNIT_EXPECT_TRUE(test, nfsec_lifetime_account(sa, 100));
	KUNIT_EXPECT_FALSE(test, test_bit(NFSEC_SA_SOFT_DUE, &sa->flags));
	sa->cfg.esn = false;
	sa->cfg.dir = NFSEC_SA_DIR_IN;
	KUNIT_EXPECT_TRUE(test, nfsec_lifetime_account(sa, 100));
	KUNIT_EXPECT_FALSE(test, test_bit(NFSEC_SA_SOFT_DUE, &sa->flags));
	nfsec_sa_put(sa);
}

static struct kunit_case lifetime_cases[] = {
	KUNIT_CASE(lifetime_hard_packets),
	KUNIT_CASE(lifetime_hard_bytes),
	KUNIT_CASE(lifetime_none),
	KUNIT_CASE(lifetime_far_seconds),
	KUNIT_CASE(lifetime_seq_running_out),
	{}
};

static struct kunit_suite lifetime_suite = {
	.name = "nfsec_lifetime",
	.test_cases = lifetime_cases,
};

kunit_test_suite(lifetime_suite);
