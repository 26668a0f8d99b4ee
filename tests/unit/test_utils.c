// SPDX-License-Identifier: GPL-2.0
/* cli/utils.c: abbreviations, numbers and hex keys as the commands will parse them. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "utils.h"

static void test_matches(void **state)
{
	(void)state;
	assert_true(matches("v", "version"));
	assert_true(matches("ver", "version"));
	assert_true(matches("version", "version"));
	assert_false(matches("versions", "version"));
	assert_false(matches("", "version"));
	assert_false(matches("x", "version"));
	assert_false(matches("Ver", "version"));
	assert_false(matches("vex", "version"));
}

/* Expects word to fail with err and the exact message, leaving the output alone. */
static void u32_fails(const char *word, uint32_t min, uint32_t max, int err, const char *msg)
{
	struct errmsg e = { "" };
	uint32_t out = 0xdeadbeef;

	assert_int_equal(parse_u32("spi", word, min, max, &out, &e), err);
	assert_string_equal(e.text, msg);
	assert_int_equal(out, 0xdeadbeef);
}

static uint32_t u32_ok(const char *word, uint32_t min, uint32_t max)
{
	struct errmsg e = { "" };
	uint32_t out = 0xdeadbeef;

	assert_int_equal(parse_u32("spi", word, min, max, &out, &e), 0);
	return out;
}

static void test_parse_u32_values(void **state)
{
	(void)state;
	assert_int_equal(u32_ok("0", 0, UINT32_MAX), 0);
	assert_int_equal(u32_ok("42", 0, UINT32_MAX), 42);
	assert_int_equal(u32_ok("4294967295", 0, UINT32_MAX), UINT32_MAX);
	assert_int_equal(u32_ok("0xffffffff", 0, UINT32_MAX), UINT32_MAX);
	assert_int_equal(u32_ok("0XfF", 0, UINT32_MAX), 255);
	assert_int_equal(u32_ok("0x0000000000000010", 0, UINT32_MAX), 16);
	/* leading zeros are decimal, never octal */
	assert_int_equal(u32_ok("010", 0, UINT32_MAX), 10);
}

static void test_parse_u32_not_a_number(void **state)
{
	(void)state;
	u32_fails("", 0, UINT32_MAX, -EINVAL,
		  "invalid spi \"\": not a decimal or 0x-prefixed hex number");
	u32_fails("0x", 0, UINT32_MAX, -EINVAL,
		  "invalid spi \"0x\": not a decimal or 0x-prefixed hex number");
	u32_fails("12x", 0, UINT32_MAX, -EINVAL,
		  "invalid spi \"12x\": not a decimal or 0x-prefixed hex number");
	u32_fails("1 ", 0, UINT32_MAX, -EINVAL,
		  "invalid spi \"1 \": not a decimal or 0x-prefixed hex number");
	u32_fails(" 1", 0, UINT32_MAX, -EINVAL,
		  "invalid spi \" 1\": not a decimal or 0x-prefixed hex number");
	u32_fails("-1", 0, UINT32_MAX, -EINVAL,
		  "invalid spi \"-1\": not a decimal or 0x-prefixed hex number");
	u32_fails("+1", 0, UINT32_MAX, -EINVAL,
		  "invalid spi \"+1\": not a decimal or 0x-prefixed hex number");
	u32_fails("ff", 0, UINT32_MAX, -EINVAL,
		  "invalid spi \"ff\": not a decimal or 0x-prefixed hex number");
	u32_fails("0x1g", 0, UINT32_MAX, -EINVAL,
		  "invalid spi \"0x1g\": not a decimal or 0x-prefixed hex number");
	/* junk is reported as junk even after the digits overflowed */
	u32_fails("99999999999x", 0, UINT32_MAX, -EINVAL,
		  "invalid spi \"99999999999x\": not a decimal or 0x-prefixed hex number");
}

static void test_parse_u32_overflow(void **state)
{
	(void)state;
	u32_fails("4294967296", 0, UINT32_MAX, -ERANGE,
		  "invalid spi \"4294967296\": out of range 0..4294967295");
	u32_fails("0x100000000", 0, UINT32_MAX, -ERANGE,
		  "invalid spi \"0x100000000\": out of range 0..4294967295");
	/* far past 64 bits: must not wrap around to a small value */
	u32_fails("18446744073709551617", 0, UINT32_MAX, -ERANGE,
		  "invalid spi \"18446744073709551617\": out of range 0..4294967295");
}

static void test_parse_u32_range(void **state)
{
	(void)state;
	assert_int_equal(u32_ok("256", 256, 4095), 256);
	assert_int_equal(u32_ok("4095", 256, 4095), 4095);
	assert_int_equal(u32_ok("0x100", 256, 4095), 256);
	u32_fails("255", 256, 4095, -ERANGE, "invalid spi \"255\": out of range 256..4095");
	u32_fails("4096", 256, 4095, -ERANGE, "invalid spi \"4096\": out of range 256..4095");
	u32_fails("0", 256, 4095, -ERANGE, "invalid spi \"0\": out of range 256..4095");
}

enum { KEY_MAX = 4, SENTINEL = 0xa5 };

static void hex_fails(const char *word, const char *msg)
{
	uint8_t buf[KEY_MAX + 1];
	struct errmsg e = { "" };
	size_t len = 99;

	memset(buf, SENTINEL, sizeof(buf));
	assert_int_equal(parse_hex("key", word, buf, KEY_MAX, &len, &e), -EINVAL);
	assert_string_equal(e.text, msg);
	assert_int_equal(len, 99);
	for (size_t i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], SENTINEL);
}

static void hex_ok(const char *word, const uint8_t *want, size_t want_len)
{
	uint8_t buf[KEY_MAX + 1];
	struct errmsg e = { "" };
	size_t len = 99;

	memset(buf, SENTINEL, sizeof(buf));
	assert_int_equal(parse_hex("key", word, buf, KEY_MAX, &len, &e), 0);
	assert_int_equal(len, want_len);
	assert_memory_equal(buf, want, want_len);
	/* nothing written past the key */
	for (size_t i = want_len; i < sizeof(buf); i++)
		assert_int_equal(buf[i], SENTINEL);
}

static void test_parse_hex_ok(void **state)
{
	(void)state;
	hex_ok("0x0011aAfF", (const uint8_t[]){ 0x00, 0x11, 0xaa, 0xff }, 4);
	hex_ok("deadbeef", (const uint8_t[]){ 0xde, 0xad, 0xbe, 0xef }, 4);
	hex_ok("0XAB", (const uint8_t[]){ 0xab }, 1);
	hex_ok("01", (const uint8_t[]){ 0x01 }, 1);
}

static void test_parse_hex_bad(void **state)
{
	(void)state;
	hex_fails("", "invalid key \"\": no hex digits");
	hex_fails("0x", "invalid key \"0x\": no hex digits");
	hex_fails("abc", "invalid key \"abc\": odd number of hex digits (3)");
	hex_fails("0xabc", "invalid key \"0xabc\": odd number of hex digits (3)");
	hex_fails("0xzz", "invalid key \"0xzz\": character 3 is not a hex digit");
	hex_fails("12 34", "invalid key \"12 34\": character 3 is not a hex digit");
	hex_fails("0x0x12", "invalid key \"0x0x12\": character 4 is not a hex digit");
	hex_fails("abcg", "invalid key \"abcg\": character 4 is not a hex digit");
}

static void test_parse_hex_length(void **state)
{
	(void)state;
	hex_ok("0x00112233", (const uint8_t[]){ 0x00, 0x11, 0x22, 0x33 }, KEY_MAX);
	hex_fails("0x0011223344", "invalid key \"0x0011223344\": 5 bytes, at most 4 allowed");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matches),
		cmocka_unit_test(test_parse_u32_values),
		cmocka_unit_test(test_parse_u32_not_a_number),
		cmocka_unit_test(test_parse_u32_overflow),
		cmocka_unit_test(test_parse_u32_range),
		cmocka_unit_test(test_parse_hex_ok),
		cmocka_unit_test(test_parse_hex_bad),
		cmocka_unit_test(test_parse_hex_length),
	};

	return cmocka_run_group_tests_name("utils", tests, NULL, NULL);
}
