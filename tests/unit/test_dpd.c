// SPDX-License-Identifier: GPL-2.0
/*
 * Dead peer detection's state machine (iked/dpd.c) on a clock of its own: when an
 * R-U-THERE goes (periodic, on demand), what proves life (ESP in, an ACK, any
 * authenticated message), retries and their numbers, and when the peer is dead.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "dpd.h"

static struct dpd start(uint32_t delay, uint32_t timeout, bool periodic, uint32_t seq)
{
	struct tunnel conf = { .dpd = delay, .dpd_timeout = timeout,
			       .dpd_periodic = periodic };
	struct dpd d;

	dpd_start(&d, &conf, 1000, seq, 0, 0);
	return d;
}

/* Periodic: an R-U-THERE every delay without proof, none while the peer sends ESP. */
static void test_periodic(void **state)
{
	struct dpd d = start(10, 30, true, 100);

	(void)state;
	assert_int_equal(dpd_next_ms(&d), 10000);
	assert_int_equal(dpd_tick(&d, 6000, 0, 0), DPD_WAIT);	/* 5 s: too soon */
	assert_int_equal(dpd_tick(&d, 11000, 0, 0), DPD_ASK);
	assert_int_equal(d.seq, 101);
	assert_int_equal(dpd_next_ms(&d), DPD_RETRY_MS);
	/* answered: quiet again for a delay */
	assert_true(dpd_ack(&d, 101, 11500));
	assert_int_equal(dpd_next_ms(&d), 10000);
	assert_int_equal(dpd_tick(&d, 20000, 0, 0), DPD_WAIT);
	assert_int_equal(dpd_tick(&d, 21500, 0, 0), DPD_ASK);
	assert_int_equal(d.seq, 102);
	/* ESP from the peer is proof too: the question is void */
	assert_int_equal(dpd_tick(&d, 23500, 5, 0), DPD_WAIT);
	assert_int_equal(dpd_tick(&d, 30000, 9, 0), DPD_WAIT);
	assert_int_equal(dpd_tick(&d, 39999, 9, 0), DPD_WAIT);	/* 9.999 s since */
	assert_int_equal(dpd_tick(&d, 40000, 9, 0), DPD_ASK);
}

/* On demand: only while we send and hear nothing. */
static void test_on_demand(void **state)
{
	struct dpd d = start(5, 20, false, 0);

	(void)state;
	assert_int_equal(dpd_tick(&d, 7000, 0, 0), DPD_WAIT);	/* idle both ways */
	assert_int_equal(dpd_tick(&d, 60000, 0, 0), DPD_WAIT);
	assert_int_equal(dpd_tick(&d, 65000, 0, 40), DPD_ASK);	/* we send, it is silent */
	assert_int_equal(d.seq, 1);
	/* and the peer both ways: proof, no question */
	d = start(5, 20, false, 0);
	assert_int_equal(dpd_tick(&d, 7000, 3, 40), DPD_WAIT);
	assert_int_equal(dpd_tick(&d, 13000, 6, 80), DPD_WAIT);
	/* an authenticated message of the peer's is proof as well */
	dpd_heard(&d, 17000);
	assert_int_equal(dpd_tick(&d, 19000, 6, 120), DPD_WAIT);
	assert_int_equal(dpd_tick(&d, 22000, 6, 160), DPD_ASK);
}

/* Unanswered: retries each with the next number, dead at dpd-timeout after the first. */
static void test_dead(void **state)
{
	struct dpd d = start(10, 6, true, 7);

	(void)state;
	assert_int_equal(dpd_tick(&d, 11000, 0, 0), DPD_ASK);
	assert_int_equal(d.seq, 8);
	assert_int_equal(dpd_tick(&d, 13000, 0, 0), DPD_ASK);
	assert_int_equal(d.seq, 9);
	assert_int_equal(dpd_tick(&d, 15000, 0, 0), DPD_ASK);
	assert_int_equal(dpd_silent_s(&d, 15000), 4);
	assert_int_equal(dpd_tick(&d, 17000, 0, 0), DPD_DEAD);
	assert_int_equal(dpd_silent_s(&d, 17000), 6);
	/* an authenticated message does not void the question before its answer comes */
	d = start(10, 6, true, 7);
	assert_int_equal(dpd_tick(&d, 11000, 0, 0), DPD_ASK);
	dpd_heard(&d, 11001);
	assert_true(dpd_ack(&d, 8, 11002));
	/* nor does it leave one open past the next tick: alive since asked */
	assert_int_equal(dpd_tick(&d, 21002, 0, 0), DPD_ASK);
	dpd_heard(&d, 21500);
	assert_int_equal(dpd_tick(&d, 23500, 0, 0), DPD_WAIT);
	assert_int_equal(d.asked_ms, 0);
	/* an answer to the first question counts, as one to the last */
	d = start(10, 6, true, 7);
	assert_int_equal(dpd_tick(&d, 11000, 0, 0), DPD_ASK);
	assert_int_equal(dpd_tick(&d, 13000, 0, 0), DPD_ASK);
	assert_true(dpd_ack(&d, 8, 13100));
	assert_int_equal(dpd_tick(&d, 17000, 0, 0), DPD_WAIT);
}

/* An ACK proves nothing unless it answers a question of ours still open. */
static void test_ack_checked(void **state)
{
	struct dpd d = start(10, 30, true, UINT32_MAX - 1);

	(void)state;
	assert_false(dpd_ack(&d, UINT32_MAX - 1, 2000));	/* none asked */
	assert_int_equal(dpd_tick(&d, 11000, 0, 0), DPD_ASK);
	assert_int_equal(d.seq, UINT32_MAX);
	assert_int_equal(dpd_tick(&d, 13000, 0, 0), DPD_ASK);
	assert_int_equal(d.seq, 0);				/* wrapped */
	assert_false(dpd_ack(&d, UINT32_MAX - 1, 13100));	/* before the first */
	assert_false(dpd_ack(&d, 1, 13100));			/* never sent */
	assert_int_equal(d.asked_ms, 11000);
	assert_true(dpd_ack(&d, 0, 13200));			/* the latest, past the wrap */
	assert_int_equal(d.asked_ms, 0);
	assert_false(dpd_ack(&d, 0, 13300));			/* answered already */
	/* a short delay retries at its own pace */
	d = start(1, 5, true, 0);
	assert_int_equal(dpd_next_ms(&d), 1000);
	assert_int_equal(dpd_tick(&d, 2000, 0, 0), DPD_ASK);
	assert_int_equal(dpd_next_ms(&d), 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_periodic),
		cmocka_unit_test(test_on_demand),
		cmocka_unit_test(test_dead),
		cmocka_unit_test(test_ack_checked),
	};

	return cmocka_run_group_tests_name("dpd", tests, NULL, NULL);
}
