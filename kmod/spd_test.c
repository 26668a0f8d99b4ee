// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: SPD lookups against a deliberately naive reference (every policy in an array,
 * prefixes compared bit by bit, the best chosen by a linear scan), under random inserts,
 * removals and lookups over a small address pool so that selectors overlap and tie.
 */

#include <kunit/test.h>
#include <linux/in.h>
#include <linux/prandom.h>
#include <linux/socket.h>

#include "spd.h"

#define STEPS 3000
#define MAX_POLICIES STEPS

struct naive {
	unsigned int count;
	struct nfsec_policy *pol[MAX_POLICIES];	/* oldest first */
};

static bool addr_bit(const union nfsec_addr *a, unsigned int i)
{
	const u8 *b = (const u8 *)a;

	return b[i / 8] & (0x80 >> (i % 8));
}

static bool naive_prefix_match(const union nfsec_addr *net, const union nfsec_addr *a,
			       unsigned int prefix)
{
	unsigned int i;

	for (i = 0; i < prefix; i++)
		if (addr_bit(net, i) != addr_bit(a, i))
			return false;
	return true;
}

static bool naive_match(const struct nfsec_selector *s, const struct nfsec_flow *fl)
{
	if (s->family != fl->family)
		return false;
	if (!naive_prefix_match(&s->saddr, &fl->saddr, s->sprefix) ||
	    !naive_prefix_match(&s->daddr, &fl->daddr, s->dprefix))
		return false;
	if (s->proto && s->proto != fl->proto)
		return false;
	if (fl->sport < s->sport_lo || fl->sport > s->sport_hi)
		return false;
	return fl->dport >= s->dport_lo && fl->dport <= s->dport_hi;
}

static struct nfsec_policy *naive_lookup(const struct naive *n, const struct nfsec_flow *fl)
{
	struct nfsec_policy *best = NULL;
	unsigned int i;

	for (i = 0; i < n->count; i++)
		if (naive_match(&n->pol[i]->sel, fl) &&
		    (!best || n->pol[i]->priority < best->priority))
			best = n->pol[i];
	return best;
}

static u32 rnd(struct rnd_state *r, u32 n)
{
	return prandom_u32_state(r) % n;
}

/* 10.0.{0..3}.{0..3} or fd00::{0..3}:{0..3}: few enough that selectors overlap. */
static void rand_addr(struct rnd_state *r, u8 family, union nfsec_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (family == AF_INET) {
		a->a4 = htonl(0x0a000000 | rnd(r, 4) << 8 | rnd(r, 4));
		return;
	}
	a->a6.s6_addr[0] = 0xfd;
	a->a6.s6_addr[13] = rnd(r, 4);
	a->a6.s6_addr[15] = rnd(r, 4);
}

static u8 rand_prefix(struct rnd_state *r, u8 family)
{
	static const u8 v4[] = { 0, 8, 16, 22, 23, 24, 29, 30, 31, 32 };
	static const u8 v6[] = { 0, 64, 104, 110, 111, 112, 125, 126, 127, 128 };

	return family == AF_INET ? v4[rnd(r, ARRAY_SIZE(v4))] : v6[rnd(r, ARRAY_SIZE(v6))];
}

static void rand_ports(struct rnd_state *r, u16 *lo, u16 *hi)
{
	if (rnd(r, 2)) {
		*lo = 0;
		*hi = 65535;
		return;
	}
	*lo = 1000 + rnd(r, 4);
	*hi = *lo + rnd(r, 3);
}

static u8 rand_family(struct rnd_state *r, u8 families)
{
	if (families == 2)
		return rnd(r, 2) ? AF_INET : AF_INET6;
	return families == 4 ? AF_INET : AF_INET6;
}

static void rand_selector(struct rnd_state *r, u8 families, struct nfsec_selector *s)
{
	static const u8 protos[] = { 0, IPPROTO_TCP, IPPROTO_UDP };

	memset(s, 0, sizeof(*s));
	s->family = rand_family(r, families);
	rand_addr(r, s->family, &s->saddr);
	rand_addr(r, s->family, &s->daddr);
	s->sprefix = rand_prefix(r, s->family);
	s->dprefix = rand_prefix(r, s->family);
	s->proto = protos[rnd(r, ARRAY_SIZE(protos))];
	rand_ports(r, &s->sport_lo, &s->sport_hi);
	rand_ports(r, &s->dport_lo, &s->dport_hi);
}

static void rand_flow(struct rnd_state *r, u8 families, struct nfsec_flow *fl)
{
	static const u8 protos[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP };

	memset(fl, 0, sizeof(*fl));
	fl->family = rand_family(r, families);
	rand_addr(r, fl->family, &fl->saddr);
	rand_addr(r, fl->family, &fl->daddr);
	fl->proto = protos[rnd(r, ARRAY_SIZE(protos))];
	if (fl->proto != IPPROTO_ICMP) {
		fl->sport = 999 + rnd(r, 7);
		fl->dport = 999 + rnd(r, 7);
	}
}

struct spd_param {
	const char *name;
	u8 families;		/* 4, 6, or 2 for both */
	u32 priorities;		/* drawn from 0..priorities-1: few means many ties */
	u64 seed;
};

static const struct spd_param spd_params[] = {
	{ "ipv4", 4, 8, 1 },
	{ "ipv6", 6, 8, 2 },
	{ "mixed", 2, 8, 3 },
	{ "ipv4-all-ties", 4, 1, 4 },
	{ "mixed-spread", 2, 1000, 5 },
};

static void spd_param_desc(const struct spd_param *p, char *desc)
{
	strscpy(desc, p->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(spd, spd_params, spd_param_desc);

struct spd_fixture {
	struct mutex lock;	/* stands in for the namespace's writer lock */
	struct nfsec_spd spd;
};

static struct spd_fixture *fixture_new(struct kunit *test)
{
	struct spd_fixture *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, f);
	mutex_init(&f->lock);
	KUNIT_ASSERT_EQ(test, nfsec_spd_init(&f->spd, &f->lock), 0);
	return f;
}

static void fixture_free(struct spd_fixture *f)
{
	mutex_lock(&f->lock);
	nfsec_spd_flush(&f->spd);
	mutex_unlock(&f->lock);
	nfsec_spd_destroy(&f->spd);
	mutex_destroy(&f->lock);
}

static struct nfsec_policy *lookup(struct spd_fixture *f, const struct nfsec_flow *fl)
{
	struct nfsec_policy *pol;

	rcu_read_lock();
	pol = nfsec_spd_lookup(&f->spd, fl);
	rcu_read_unlock();
	return pol;
}

static void spd_matches_naive(struct kunit *test)
{
	const struct spd_param *p = test->param_value;
	struct spd_fixture *f = fixture_new(test);
	struct naive *n = kunit_kzalloc(test, sizeof(*n), GFP_KERNEL);
	unsigned int step, lookups = 0, hits = 0, pooled = 0;
	/* Flows looked up again, so cached decisions meet the changes in between. */
	struct nfsec_flow pool[8];
	struct rnd_state r;

	KUNIT_ASSERT_NOT_NULL(test, n);
	prandom_seed_state(&r, p->seed);
	for (step = 0; step < STEPS; step++) {
		u32 pick = rnd(&r, 100);

		if (pick < 40) {
			struct nfsec_selector sel;
			struct nfsec_policy *pol;

			rand_selector(&r, p->families, &sel);
			pol = nfsec_policy_new(&sel, rnd(&r, p->priorities),
					       NFSEC_POLICY_BYPASS, GFP_KERNEL);
			KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pol);
			mutex_lock(&f->lock);
			KUNIT_ASSERT_EQ(test, nfsec_policy_insert(&f->spd, pol), 0);
			mutex_unlock(&f->lock);
			n->pol[n->count++] = pol;
		} else if (pick < 50 && n->count) {
			unsigned int i = rnd(&r, n->count);

			mutex_lock(&f->lock);
			nfsec_policy_remove(&f->spd, n->pol[i]);
			mutex_unlock(&f->lock);
			memmove(&n->pol[i], &n->pol[i + 1],
				(n->count - i - 1) * sizeof(n->pol[0]));
			n->count--;
		} else {
			struct nfsec_policy *want, *got;
			struct nfsec_flow fl;

			if (pooled && rnd(&r, 2)) {
				fl = pool[rnd(&r, min_t(unsigned int, pooled, ARRAY_SIZE(pool)))];
			} else {
				rand_flow(&r, p->families, &fl);
				pool[pooled++ % ARRAY_SIZE(pool)] = fl;
			}
			want = naive_lookup(n, &fl);
			got = lookup(f, &fl);
			KUNIT_ASSERT_PTR_EQ_MSG(test, got, want, "step %u, %u policies",
						step, n->count);
			lookups++;
			hits += !!want;
		}
	}
	KUNIT_EXPECT_EQ(test, f->spd.count, n->count);
	/* The stream exercised both outcomes. */
	KUNIT_EXPECT_GT(test, hits, lookups / 10);
	KUNIT_EXPECT_LT(test, hits, lookups);
	fixture_free(f);
	KUNIT_EXPECT_EQ(test, f->spd.count, 0U);
	KUNIT_EXPECT_TRUE(test, list_empty(&f->spd.groups));
}

static struct nfsec_policy *insert_v4(struct kunit *test, struct spd_fixture *f,
				      __be32 src, u8 sprefix, __be32 dst, u8 dprefix,
				      u32 priority)
{
	struct nfsec_selector sel = {
		.family = AF_INET, .saddr.a4 = src, .sprefix = sprefix,
		.daddr.a4 = dst, .dprefix = dprefix,
		.sport_hi = 65535, .dport_hi = 65535,
	};
	struct nfsec_policy *pol = nfsec_policy_new(&sel, priority, NFSEC_POLICY_PROTECT,
						    GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pol);
	mutex_lock(&f->lock);
	KUNIT_ASSERT_EQ(test, nfsec_policy_insert(&f->spd, pol), 0);
	mutex_unlock(&f->lock);
	return pol;
}

static void spd_priority_then_age(struct kunit *test)
{
	struct spd_fixture *f = fixture_new(test);
	struct nfsec_flow fl = {
		.family = AF_INET, .saddr.a4 = htonl(0x0a000001), .daddr.a4 = htonl(0x0a000102),
		.proto = IPPROTO_UDP, .sport = 500, .dport = 500,
	};
	struct nfsec_policy *any, *older, *newer, *best;

	any = insert_v4(test, f, 0, 0, 0, 0, 10);
	KUNIT_EXPECT_PTR_EQ(test, lookup(f, &fl), any);
	/* More specific but a higher priority number: loses. */
	insert_v4(test, f, fl.saddr.a4, 32, fl.daddr.a4, 32, 11);
	KUNIT_EXPECT_PTR_EQ(test, lookup(f, &fl), any);
	/* Same priority: the older wins. */
	older = insert_v4(test, f, htonl(0x0a000000), 8, 0, 0, 5);
	newer = insert_v4(test, f, 0, 0, htonl(0x0a000100), 24, 5);
	KUNIT_EXPECT_PTR_EQ(test, lookup(f, &fl), older);
	best = insert_v4(test, f, 0, 0, 0, 0, 0);
	KUNIT_EXPECT_PTR_EQ(test, lookup(f, &fl), best);
	mutex_lock(&f->lock);
	nfsec_policy_remove(&f->spd, best);
	nfsec_policy_remove(&f->spd, older);
	mutex_unlock(&f->lock);
	KUNIT_EXPECT_PTR_EQ(test, lookup(f, &fl), newer);
	fixture_free(f);
}

/*
 * A flow's cached decision follows every change: a policy added that wins, one removed,
 * a flush; and a decision of NULL is cached as well as one of a policy.
 */
static void spd_cache_follows_changes(struct kunit *test)
{
	struct spd_fixture *f = fixture_new(test);
	struct nfsec_flow fl = {
		.family = AF_INET, .saddr.a4 = htonl(0x0a000001), .daddr.a4 = htonl(0x0a000102),
		.proto = IPPROTO_TCP, .sport = 40000, .dport = 443,
	};
	struct nfsec_flow other = fl;
	struct nfsec_policy *wide, *narrow;
	unsigned long gen;

	other.dport = 80;
	KUNIT_EXPECT_NULL(test, lookup(f, &fl));
	KUNIT_EXPECT_NULL(test, lookup(f, &fl));
	gen = f->spd.gen;
	wide = insert_v4(test, f, 0, 0, 0, 0, 10);
	KUNIT_EXPECT_GT(test, f->spd.gen, gen);
	KUNIT_EXPECT_PTR_EQ(test, lookup(f, &fl), wide);
	KUNIT_EXPECT_PTR_EQ(test, lookup(f, &fl), wide);
	KUNIT_EXPECT_PTR_EQ(test, lookup(f, &other), wide);
	narrow = insert_v4(test, f, fl.saddr.a4, 32, fl.daddr.a4, 32, 1);
	KUNIT_EXPECT_PTR_EQ(test, lookup(f, &fl), narrow);
	KUNIT_EXPECT_PTR_EQ(test, lookup(f, &other), narrow);
	mutex_lock(&f->lock);
	nfsec_policy_remove(&f->spd, narrow);
	mutex_unlock(&f->lock);
	KUNIT_EXPECT_PTR_EQ(test, lookup(f, &fl), wide);
	mutex_lock(&f->lock);
	nfsec_spd_flush(&f->spd);
	mutex_unlock(&f->lock);
	KUNIT_EXPECT_NULL(test, lookup(f, &fl));
	KUNIT_EXPECT_NULL(test, lookup(f, &other));
	fixture_free(f);
}

/* Many host-to-host policies share one group: its table grows and each is found. */
static void spd_many_hosts(struct kunit *test)
{
	const unsigned int count = 20000;
	struct spd_fixture *f = fixture_new(test);
	struct nfsec_policy **pols;
	struct nfsec_flow fl = { .family = AF_INET, .proto = IPPROTO_TCP };
	unsigned int i;

	pols = kunit_kcalloc(test, count, sizeof(*pols), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pols);
	for (i = 0; i < count; i++)
		pols[i] = insert_v4(test, f, htonl(0x0a000000 + i), 32,
				    htonl(0x0b000000 + i), 32, i % 7);
	for (i = 0; i < count; i++) {
		fl.saddr.a4 = htonl(0x0a000000 + i);
		fl.daddr.a4 = htonl(0x0b000000 + i);
		KUNIT_ASSERT_PTR_EQ(test, lookup(f, &fl), pols[i]);
	}
	fl.daddr.a4 = htonl(0x0b000000);
	KUNIT_EXPECT_NULL(test, lookup(f, &fl));
	KUNIT_EXPECT_EQ(test, f->spd.count, count);
	fixture_free(f);
}

static void spd_selector_refused(struct kunit *test)
{
	struct nfsec_selector sel = { .family = AF_INET, .sport_hi = 65535, .dport_hi = 65535 };

	KUNIT_EXPECT_EQ(test, nfsec_selector_check(&sel), 0);
	sel.sprefix = 33;
	KUNIT_EXPECT_EQ(test, nfsec_selector_check(&sel), -EINVAL);
	sel.family = AF_INET6;
	KUNIT_EXPECT_EQ(test, nfsec_selector_check(&sel), 0);
	sel.dprefix = 129;
	KUNIT_EXPECT_EQ(test, nfsec_selector_check(&sel), -EINVAL);
	sel.dprefix = 0;
	sel.sport_lo = 2;
	sel.sport_hi = 1;
	KUNIT_EXPECT_EQ(test, nfsec_selector_check(&sel), -EINVAL);
	sel.family = AF_UNIX;
	KUNIT_EXPECT_EQ(test, nfsec_selector_check(&sel), -EAFNOSUPPORT);
	KUNIT_EXPECT_TRUE(test, IS_ERR(nfsec_policy_new(&sel, 0, 0, GFP_KERNEL)));
}

static struct kunit_case spd_cases[] = {
	KUNIT_CASE(spd_selector_refused),
	KUNIT_CASE(spd_priority_then_age),
	KUNIT_CASE(spd_cache_follows_changes),
	KUNIT_CASE(spd_many_hosts),
	KUNIT_CASE_PARAM(spd_matches_naive, spd_gen_params),
	{}
};

static struct kunit_suite spd_suite = {
	.name = "nfsec_spd",
	.test_cases = spd_cases,
};

kunit_test_suite(spd_suite);
