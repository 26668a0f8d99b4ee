// SPDX-License-Identifier: GPL-2.0
/* A cmocka test that fails on purpose: the harness must count it as a failure. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

static void passes(void **state)
{
	(void)state;
	assert_int_equal(1, 1);
}

static void fails(void **state)
{
	(void)state;
	assert_int_equal(1, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(passes),
		cmocka_unit_test(fails),
	};

	return cmocka_run_group_tests_name("harness", tests, NULL, NULL);
}
