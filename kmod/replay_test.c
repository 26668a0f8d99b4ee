// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the anti-replay window against a deliberately naive reference (every accepted
 * number kept in a list, searched linearly) on random streams of in-order, reordered,
 * duplicated, old and far-ahead packets; with ESN, across the 2^32 boundary.
 */

#include <kunit/test.h>
#include <linux/prandom.h>

#include "replay.h"

#define STEPS 4000

struct naive {
	u64 top;
	u32 size;
	unsigned int count;
	u64 accepted[STEPS + 1];
};

static enum nfsec_replay_verdict naive_check(const struct naive *n, u64 seq)
{
	unsigned int i;

	if (!seq)
		return NFSEC_REPLAY_OLD;
	if (seq > n->top)
		return NFSEC_REPLAY_OK;
	if (n->top - seq >= n->size)
		return NFSEC_REPLAY_OLD;
	for (i = 0; i < n->count; i++)
		if (n->accepted[i] == seq)
			return NFSEC_REPLAY_DUP;
	return NFSEC_REPLAY_OK;
}

static void naive_accept(struct naive *n, u64 seq)
{
	n->accepted[n->count++] = seq;
	n->top = max(n->top, seq);
}

struct replay_param {
	const char *name;
	u32 size;
	bool esn;
	u64 start;	/* highest number accepted before the stream */
	u64 seed;
};

static const struct replay_param replay_params[] = {
	{ "w1", 1, false, 0, 1 },
	{ "w32", 32, false, 0, 2 },
	{ "w64", 64, false, 100, 3 },
	{ "w1000", 1000, false, 5000, 4 },
	{ "w4096", 4096, false, 0, 5 },
	{ "esn-w64-wrap", 64, true, (1ULL << 32) - 300, 6 },
	{ "esn-w1000-wrap", 1000, true, (1ULL << 32) - 3000, 7 },
	{ "esn-w4096-wrap", 4096, true, (1ULL << 32) - 9000, 8 },
	{ "esn-w100-wrap2", 100, true, (2ULL << 32) - 500, 9 },
	{ "esn-w1-wrap", 1, true, (1ULL << 32) - 10, 10 },
};

static void replay_param_desc(const struct replay_param *p, char *desc)
{
	strscpy(desc, p->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(replay, replay_params, replay_param_desc);

/* The next number a peer, the network or an attacker might deliver. */
static u64 next_seq(struct rnd_state *rnd, const struct naive *n)
{
	u32 w = n->size, pick = prandom_u32_state(rnd) % 100;
	u64 back;

	if (pick < 50)				/* in order, sometimes skipping a few */
		return n->top + 1 + prandom_u32_state(rnd) % 3;
	if (pick < 55)				/* a jump ahead, past the window */
		return n->top + w + prandom_u32_state(rnd) % (2 * w + 1);
	if (pick < 70 && n->count)		/* a replay of something accepted */
		return n->accepted[n->count - 1 - prandom_u32_state(rnd) %
				   min_t(u32, n->count, 2 * w)];
	back = prandom_u32_state(rnd) % (2 * w + 2);	/* reordered, or too old */
	return n->top > back ? n->top - back : 1;
}

static void replay_matches_naive(struct kunit *test)
{
	const struct replay_param *p = test->param_value;
	struct nfsec_replay *r = nfsec_replay_new(p->size, p->esn, GFP_KERNEL);
	struct naive *n = kunit_kzalloc(test, sizeof(*n), GFP_KERNEL);
	unsigned int step, accepted = 0, refused = 0;
	struct rnd_state rnd;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, r);
	KUNIT_ASSERT_NOT_NULL(test, n);
	prandom_seed_state(&rnd, p->seed);
	n->size = p->size;
	if (p->start) {
		nfsec_replay_advance(r, p->start);
		naive_accept(n, p->start);
	}

	for (step = 0; step < STEPS; step++) {
		u64 seq = next_seq(&rnd, n), got_seq = seq;
		enum nfsec_replay_verdict want = naive_check(n, seq);

		if (p->esn) {
			got_seq = nfsec_replay_infer(r, lower_32_bits(seq));
			if (want == NFSEC_REPLAY_OLD) {
				/* Behind the window: read as the next space, fails the ICV. */
				KUNIT_EXPECT_TRUE_MSG(test, got_seq != seq,
						      "step %u: old %llu inferred as itself",
						      step, seq);
				refused++;
				continue;
			}
			KUNIT_ASSERT_EQ_MSG(test, got_seq, seq, "step %u: top %llu", step,
					    n->top);
		}
		KUNIT_ASSERT_EQ_MSG(test, nfsec_replay_check(r, got_seq), want,
				    "step %u: seq %llu top %llu", step, seq, n->top);
		if (want == NFSEC_REPLAY_OK) {
			nfsec_replay_advance(r, got_seq);
			naive_accept(n, seq);
			accepted++;
		} else {
			refused++;
		}
	}
	KUNIT_EXPECT_EQ(test, r->top, n->top);
	/* The stream really exercised both outcomes. */
	KUNIT_EXPECT_GT(test, accepted, STEPS / 4);
	KUNIT_EXPECT_GT(test, refused, STEPS / 10);
	if (p->esn)
		KUNIT_EXPECT_GT(test, upper_32_bits(r->top), upper_32_bits(p->start));
	nfsec_replay_free(r);
}

static void replay_basics(struct kunit *test)
{
	struct nfsec_replay *r = nfsec_replay_new(64, false, GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, r);
	KUNIT_EXPECT_EQ(test, nfsec_replay_check(r, 0), NFSEC_REPLAY_OLD);
	KUNIT_EXPECT_EQ(test, nfsec_replay_check(r, 1), NFSEC_REPLAY_OK);
	nfsec_replay_advance(r, 1);
	KUNIT_EXPECT_EQ(test, nfsec_replay_check(r, 1), NFSEC_REPLAY_DUP);
	nfsec_replay_advance(r, 100);
	KUNIT_EXPECT_EQ(test, nfsec_replay_check(r, 36), NFSEC_REPLAY_OLD);
	KUNIT_EXPECT_EQ(test, nfsec_replay_check(r, 37), NFSEC_REPLAY_OK);
	KUNIT_EXPECT_EQ(test, nfsec_replay_check(r, 100), NFSEC_REPLAY_DUP);
	/* A jump larger than the ring leaves no stale bit behind. */
	nfsec_replay_advance(r, 100 + 64 * 5);
	KUNIT_EXPECT_EQ(test, nfsec_replay_check(r, 100 + 64 * 5 - 63), NFSEC_REPLAY_OK);
	nfsec_replay_free(r);

	KUNIT_EXPECT_EQ(test, PTR_ERR(nfsec_replay_new(0, false, GFP_KERNEL)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(nfsec_replay_new(NFSEC_REPLAY_MAX + 1, true,
						       GFP_KERNEL)), -EINVAL);
}

static void replay_esn_infer(struct kunit *test)
{
	struct nfsec_replay *r = nfsec_replay_new(32, true, GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, r);
	/* Case A, top well inside space 1: 0x1_0000_0100. */
	nfsec_replay_advance(r, 0x100000100ULL);
	KUNIT_EXPECT_EQ(test, nfsec_replay_infer(r, 0x100), 0x100000100ULL);
	KUNIT_EXPECT_EQ(test, nfsec_replay_infer(r, 0xe1), 0x1000000e1ULL);
	KUNIT_EXPECT_EQ(test, nfsec_replay_infer(r, 0xe0), 0x2000000e0ULL);
	KUNIT_EXPECT_EQ(test, nfsec_replay_infer(r, 0xffffffff), 0x1ffffffffULL);
	/* Case B, the window straddles spaces 1 and 2: top 0x2_0000_0004. */
	nfsec_replay_advance(r, 0x200000004ULL);
	KUNIT_EXPECT_EQ(test, nfsec_replay_infer(r, 0xffffffe5), 0x1ffffffe5ULL);
	KUNIT_EXPECT_EQ(test, nfsec_replay_infer(r, 0xffffffe4), 0x2ffffffe4ULL);
	KUNIT_EXPECT_EQ(test, nfsec_replay_infer(r, 2), 0x200000002ULL);
	KUNIT_EXPECT_EQ(test, nfsec_replay_infer(r, 5), 0x200000005ULL);
	nfsec_replay_free(r);
}

/*
 * Packets still in crypto may move the top up to "ahead": a number they cannot change
 * is known now; one behind the window they may leave (the next block's, or its own) is
 * not. Either way "ahead" rises to the highest the packet can be. The ESN window is
 * 0x1_0000_0025 .. _0064 (64 packets).
 */
static void replay_esn_infer_ahead(struct kunit *test)
{
	static const struct {
		bool esn, known;
		u32 seq_lo;
		u64 ahead, seq, ahead_after;
	} cases[] = {
		/* nothing in flight: as nfsec_replay_infer() */
		{ true, true, 0x32, 0, 0x100000032ULL, 0x100000032ULL },
		/* in flight up to _0070: the bottom moves to _0031, 0x32 stays in space 1 */
		{ true, true, 0x32, 0x100000070ULL, 0x100000032ULL, 0x100000070ULL },
		/* ahead of both windows: known, and it raises "ahead" */
		{ true, true, 0x90, 0x100000070ULL, 0x100000090ULL, 0x100000090ULL },
		/* in flight up to _00c8: 0x32 infers as space 2 there, 1 now: not known */
		{ true, false, 0x32, 0x1000000c8ULL, 0x100000032ULL, 0x200000032ULL },
		/* in flight into space 2: a number past them is space 2's either way */
		{ true, true, 5, 0x200000004ULL, 0x200000005ULL, 0x200000005ULL },
		/* without ESN the number is the one carried, whatever is in flight */
		{ false, true, 0x32, 0xffffffffULL, 0x32ULL, 0xffffffffULL },
	};
	struct nfsec_replay *r = nfsec_replay_new(64, true, GFP_KERNEL);
	struct nfsec_replay *plain = nfsec_replay_new(64, false, GFP_KERNEL);
	const struct nfsec_replay *window[] = { plain, r };	/* by esn */
	unsigned int i;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, r);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, plain);
	nfsec_replay_advance(r, 0x100000064ULL);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		u64 ahead = cases[i].ahead, seq;
		bool known = nfsec_replay_infer_ahead(window[cases[i].esn], cases[i].seq_lo,
						      &ahead, &seq);

		KUNIT_EXPECT_EQ_MSG(test, known, cases[i].known, "case %u", i);
		KUNIT_EXPECT_EQ_MSG(test, seq, cases[i].seq, "case %u", i);
		KUNIT_EXPECT_EQ_MSG(test, ahead, cases[i].ahead_after, "case %u", i);
	}
	nfsec_replay_free(plain);
	nfsec_replay_free(r);
}

static struct kunit_case replay_cases[] = {
	KUNIT_CASE(replay_basics),
	KUNIT_CASE(replay_esn_infer),
	KUNIT_CASE(replay_esn_infer_ahead),
	KUNIT_CASE_PARAM(replay_matches_naive, replay_gen_params),
	{}
};

static struct kunit_suite replay_suite = {
	.name = "nfsec_replay",
	.test_cases = replay_cases,
};

kunit_test_suite(replay_suite);
