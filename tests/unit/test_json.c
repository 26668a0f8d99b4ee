// SPDX-License-Identifier: GPL-2.0
/* common/json.c: exact output for structure and escaping, and misuse refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "json.h"

struct capture {
	char *buf;
	size_t len;
	FILE *f;
	struct json j;
};

static int setup(void **state)
{
	struct capture *c = calloc(1, sizeof(*c));

	if (!c)
		return -1;
	c->f = open_memstream(&c->buf, &c->len);
	if (!c->f) {
		free(c);
		return -1;
	}
	json_init(&c->j, c->f);
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct capture *c = *state;

	fclose(c->f);
	free(c->buf);
	free(c);
	return 0;
}

/* Finishes the document and compares everything written with want. */
static void finish_equals(struct capture *c, const char *want)
{
	assert_int_equal(json_finish(&c->j), 0);
	assert_int_equal(fflush(c->f), 0);
	assert_string_equal(c->buf, want);
}

static void finish_fails(struct capture *c)
{
	assert_int_equal(json_finish(&c->j), -1);
}

static void test_empty_object(void **state)
{
	struct capture *c = *state;

	json_object_begin(&c->j, NULL);
	json_object_end(&c->j);
	finish_equals(c, "{}\n");
}

static void test_version_object(void **state)
{
	struct capture *c = *state;

	json_object_begin(&c->j, NULL);
	json_string(&c->j, "tool", "0.1.0");
	json_string(&c->j, "module", "0.1.0");
	json_u64(&c->j, "family_version", 1);
	json_u64(&c->j, "netns_cookie", 4096);
	json_object_end(&c->j);
	finish_equals(c, "{\"tool\":\"0.1.0\",\"module\":\"0.1.0\",\"family_version\":1,"
			 "\"netns_cookie\":4096}\n");
}

static void test_nesting(void **state)
{
	struct capture *c = *state;

	json_object_begin(&c->j, NULL);
	json_array_begin(&c->j, "a");
	json_u64(&c->j, NULL, 1);
	json_bool(&c->j, NULL, true);
	json_bool(&c->j, NULL, false);
	json_string(&c->j, NULL, "x");
	json_object_begin(&c->j, NULL);
	json_object_end(&c->j);
	json_array_begin(&c->j, NULL);
	json_array_end(&c->j);
	json_array_end(&c->j);
	json_object_begin(&c->j, "b");
	json_string(&c->j, "c", NULL);
	json_object_end(&c->j);
	json_object_end(&c->j);
	finish_equals(c, "{\"a\":[1,true,false,\"x\",{},[]],\"b\":{\"c\":null}}\n");
}

static void test_u64_limits(void **state)
{
	struct capture *c = *state;

	json_array_begin(&c->j, NULL);
	json_u64(&c->j, NULL, 0);
	json_u64(&c->j, NULL, UINT64_MAX);
	json_array_end(&c->j);
	finish_equals(c, "[0,18446744073709551615]\n");
}

static void test_escaping(void **state)
{
	struct capture *c = *state;

	json_string(&c->j, NULL, "q\"b\\s/n\nt\tr\rb\bf\f\x01\x1f\x7f \xc3\xa9");
	finish_equals(c, "\"q\\\"b\\\\s/n\\nt\\tr\\rb\\bf\\f\\u0001\\u001f\\u007f \xc3\xa9\"\n");
}

/*
 * Bytes that are not UTF-8 (a stray continuation, 0xff, an overlong '/', a surrogate, past
 * U+10FFFF, a sequence cut short) become U+FFFD; UTF-8 of 2, 3 and 4 bytes stays.
 */
static void test_not_utf8(void **state)
{
	struct capture *c = *state;

	json_string(&c->j, NULL, "a\x80" "b\xff\xfe\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80\xe2\x82"
		    "|\xc3\xa9\xe2\x82\xac\xf0\x9f\x94\x92");
	finish_equals(c, "\"a\\ufffdb\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd"
		      "\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd|\xc3\xa9\xe2\x82\xac"
		      "\xf0\x9f\x94\x92\"\n");
}

static void test_key_escaping(void **state)
{
	struct capture *c = *state;

	json_object_begin(&c->j, NULL);
	json_bool(&c->j, "a\"b\n", true);
	json_object_end(&c->j);
	finish_equals(c, "{\"a\\\"b\\n\":true}\n");
}

static void test_misuse_key_in_array(void **state)
{
	struct capture *c = *state;

	json_array_begin(&c->j, NULL);
	json_u64(&c->j, "k", 1);
	json_array_end(&c->j);
	finish_fails(c);
}

static void test_misuse_no_key_in_object(void **state)
{
	struct capture *c = *state;

	json_object_begin(&c->j, NULL);
	json_u64(&c->j, NULL, 1);
	json_object_end(&c->j);
	finish_fails(c);
}

static void test_misuse_unclosed(void **state)
{
	struct capture *c = *state;

	json_object_begin(&c->j, NULL);
	finish_fails(c);
}

static void test_misuse_wrong_end(void **state)
{
	struct capture *c = *state;

	json_object_begin(&c->j, NULL);
	json_array_end(&c->j);
	finish_fails(c);
}

static void test_misuse_two_documents(void **state)
{
	struct capture *c = *state;

	json_object_begin(&c->j, NULL);
	json_object_end(&c->j);
	json_object_begin(&c->j, NULL);
	json_object_end(&c->j);
	finish_fails(c);
}

static void test_misuse_too_deep(void **state)
{
	struct capture *c = *state;

	for (int i = 0; i <= JSON_MAX_DEPTH; i++)
		json_array_begin(&c->j, NULL);
	for (int i = 0; i <= JSON_MAX_DEPTH; i++)
		json_array_end(&c->j);
	finish_fails(c);
}

static void test_max_depth_ok(void **state)
{
	struct capture *c = *state;

	for (int i = 0; i < JSON_MAX_DEPTH; i++)
		json_array_begin(&c->j, NULL);
	for (int i = 0; i < JSON_MAX_DEPTH; i++)
		json_array_end(&c->j);
	assert_int_equal(json_finish(&c->j), 0);
}

static void test_nothing_written(void **state)
{
	struct capture *c = *state;

	finish_fails(c);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_empty_object),
		T(test_version_object),
		T(test_nesting),
		T(test_u64_limits),
		T(test_escaping),
		T(test_not_utf8),
		T(test_key_escaping),
		T(test_misuse_key_in_array),
		T(test_misuse_no_key_in_object),
		T(test_misuse_unclosed),
		T(test_misuse_wrong_end),
		T(test_misuse_two_documents),
		T(test_misuse_too_deep),
		T(test_max_depth_ok),
		T(test_nothing_written),
	};

	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
