// SPDX-License-Identifier: GPL-2.0
/*
 * common/utils.c, common/encoding.c and the keyword parser of common/words.c:
 * abbreviations, numbers and hex keys as the commands will parse them, hex written back,
 * and the keyword parser every subcommand's words go through, each kind of keyword.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "encoding.h"
#include "utils.h"
#include "words.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

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

/* parse_hex_text() of text (NUL-terminated), KEY_MAX bytes at most: its message, or "". */
static const char *hex_text(const char *text, uint8_t *buf, size_t *len)
{
	static struct errmsg e;

	e.text[0] = '\0';
	parse_hex_text("key", "hexfile:k", text, strlen(text), buf, KEY_MAX, len, &e);
	return e.text;
}

static void test_parse_hex_text(void **state)
{
	uint8_t buf[KEY_MAX];
	size_t len = 99;

	(void)state;
	assert_string_equal(hex_text("\t0X01 02\r\n0a\n", buf, &len), "");
	assert_int_equal(len, 3);
	assert_memory_equal(buf, ((const uint8_t[]){ 1, 2, 10 }), 3);
	/* the first fault a reader meets: too many digits, then a stray character, then odd */
	assert_string_equal(hex_text("0102030405 g", buf, &len),
			    "invalid key \"hexfile:k\": more than 4 bytes");
	assert_string_equal(hex_text("01020304 g 05", buf, &len),
			    "invalid key \"hexfile:k\": character 10 is not a hex digit");
	assert_string_equal(hex_text("0x0y", buf, &len),
			    "invalid key \"hexfile:k\": character 4 is not a hex digit");
	assert_string_equal(hex_text("010", buf, &len),
			    "invalid key \"hexfile:k\": odd number of hex digits (3)");
	assert_int_equal(len, 3);
}

static void test_hex_encode(void **state)
{
	static const uint8_t data[] = { 0x00, 0x1f, 0xa0, 0xff };
	char buf[16], small[6];
	struct strbuf o;

	(void)state;
	assert_int_equal(hex_encode(buf, sizeof(buf), data, sizeof(data)), 8);
	assert_string_equal(buf, "001fa0ff");
	/* whole bytes only: two of them and the NUL */
	assert_int_equal(hex_encode(small, sizeof(small), data, sizeof(data)), 4);
	assert_string_equal(small, "001f");
	assert_int_equal(hex_encode(small, 0, data, sizeof(data)), 0);

	keyid_format(buf, sizeof(buf), data, 3);
	assert_string_equal(buf, "keyid:001fa0");
	keyid_format(buf, 11, data, 3);
	assert_string_equal(buf, "keyid:001f");
	keyid_format(buf, 4, data, 3);
	assert_string_equal(buf, "key");

	o = STRBUF(buf, sizeof(buf));
	strbuf_put(&o, "psk 0x");
	strbuf_put_hex(&o, data, sizeof(data));
	assert_int_equal(strbuf_end(&o), 14);
	assert_string_equal(buf, "psk 0x001fa0ff");
	o = STRBUF(small, sizeof(small));
	strbuf_put_hex(&o, data, 3);
	assert_int_equal(strbuf_end(&o), -ENOSPC);
}

static uint64_t u64_ok(const char *word, uint64_t min, uint64_t max)
{
	struct errmsg e = { "" };
	uint64_t out = 0xdeadbeef;

	assert_int_equal(parse_u64("bytes", word, min, max, &out, &e), 0);
	return out;
}

static void u64_fails(const char *word, uint64_t min, uint64_t max, int err, const char *msg)
{
	struct errmsg e = { "" };
	uint64_t out = 0xdeadbeef;

	assert_int_equal(parse_u64("bytes", word, min, max, &out, &e), err);
	assert_string_equal(e.text, msg);
	assert_int_equal(out, 0xdeadbeef);
}

static void test_parse_u64(void **state)
{
	(void)state;
	assert_int_equal(u64_ok("0", 0, UINT64_MAX), 0);
	assert_int_equal(u64_ok("4294967296", 0, UINT64_MAX), 4294967296ULL);
	assert_int_equal(u64_ok("18446744073709551615", 0, UINT64_MAX), UINT64_MAX);
	assert_int_equal(u64_ok("0xffffffffffffffff", 0, UINT64_MAX), UINT64_MAX);
	assert_int_equal(u64_ok("0x00000000000000000001", 0, UINT64_MAX), 1);
	assert_int_equal(u64_ok("010", 0, UINT64_MAX), 10);
	u64_fails("18446744073709551616", 0, UINT64_MAX, -ERANGE,
		  "invalid bytes \"18446744073709551616\": out of range 0..18446744073709551615");
	u64_fails("0x10000000000000000", 0, UINT64_MAX, -ERANGE,
		  "invalid bytes \"0x10000000000000000\": out of range 0..18446744073709551615");
	u64_fails("99999999999999999999999x", 0, UINT64_MAX, -EINVAL,
		  "invalid bytes \"99999999999999999999999x\": not a decimal or 0x-prefixed hex "
		  "number");
	u64_fails("", 0, UINT64_MAX, -EINVAL,
		  "invalid bytes \"\": not a decimal or 0x-prefixed hex number");
	u64_fails("5", 6, 7, -ERANGE, "invalid bytes \"5\": out of range 6..7");
}

/* A model for the keywords below: what each one was handed. */
struct model {
	char got[4][3][16];
	int count[4];
};

static int record(const struct keyword *kw, char **args, int count, void *arg,
		  struct errmsg *err)
{
	struct model *m = arg;
	int id = kw->name[0] - 'a';

	if (count > 0 && !strcmp(args[0], "bad")) {
		errmsg_set(err, "bad value for %s", kw->name);
		return -ERANGE;
	}
	m->count[id] = count;
	for (int i = 0; i < count; i++)
		snprintf(m->got[id][i], sizeof(m->got[id][i]), "%s", args[i]);
	return 0;
}

static const struct keyword table[] = {
	{ "a", "X", 1, .parse = record },
	{ "b", "nothing", 0, .parse = record },
	{ "c", "X Y [Z]", 2, true, .parse = record },
	{ "d", "X", 1, .parse = record },
};

static int parse_words(unsigned int allowed, int argc, char **argv, struct model *m,
		       unsigned int *seen, struct errmsg *err)
{
	memset(m, 0, sizeof(*m));
	*seen = 0;
	return keywords_parse("cmd", table, 4, allowed, argc, argv, m, seen, err);
}

#define WORDS(...) (int)(sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *)), \
	(char *[]){ __VA_ARGS__ }

static void test_keywords(void **state)
{
	struct errmsg err = { "" };
	unsigned int seen;
	struct model m;

	(void)state;
	assert_int_equal(parse_words(0xf, WORDS("c", "1", "2", "3", "b", "a", "x"), &m, &seen,
				     &err), 0);
	assert_int_equal(seen, 0x7);
	assert_int_equal(m.count[2], 3);
	assert_string_equal(m.got[2][2], "3");
	assert_int_equal(m.count[1], 0);
	assert_string_equal(m.got[0][0], "x");

	/* the optional value is not taken when a keyword or nothing follows */
	assert_int_equal(parse_words(0xf, WORDS("c", "1", "2", "b"), &m, &seen, &err), 0);
	assert_int_equal(m.count[2], 2);
	assert_int_equal(seen, 0x6);
	assert_int_equal(parse_words(0xf, WORDS("c", "1", "2"), &m, &seen, &err), 0);
	assert_int_equal(m.count[2], 2);
	/* a keyword not allowed here still ends the values */
	assert_int_equal(parse_words(0x7, WORDS("c", "1", "2", "d", "4"), &m, &seen, &err),
			 -EINVAL);
	assert_string_equal(err.text, "unknown word \"d\" in cmd");
	/* but is a value where one is due */
	assert_int_equal(parse_words(0xf, WORDS("c", "d", "a"), &m, &seen, &err), 0);
	assert_string_equal(m.got[2][0], "d");
	assert_string_equal(m.got[2][1], "a");

	assert_int_equal(parse_words(0xf, WORDS("c", "1"), &m, &seen, &err), -EINVAL);
	assert_string_equal(err.text, "\"c\" needs X Y [Z]");
	assert_int_equal(parse_words(0xf, WORDS("a"), &m, &seen, &err), -EINVAL);
	assert_string_equal(err.text, "\"a\" needs X");
	assert_int_equal(parse_words(0xf, WORDS("b", "b"), &m, &seen, &err), -EINVAL);
	assert_string_equal(err.text, "\"b\" given twice");
	assert_int_equal(parse_words(0xf, WORDS("e"), &m, &seen, &err), -EINVAL);
	assert_string_equal(err.text, "unknown word \"e\" in cmd");
	assert_int_equal(parse_words(0xf, WORDS("A", "x"), &m, &seen, &err), -EINVAL);
	assert_string_equal(err.text, "unknown word \"A\" in cmd");
	/* the parse function's error, as it said it; nothing marked seen after it */
	assert_int_equal(parse_words(0xf, WORDS("b", "a", "bad", "d", "1"), &m, &seen, &err),
			 -ERANGE);
	assert_string_equal(err.text, "bad value for a");
	assert_int_equal(seen, 0x2);
	assert_int_equal(parse_words(0xf, 0, NULL, &m, &seen, &err), 0);
	assert_int_equal(seen, 0);
}

/* A model with a field of every kind, and a table that reads each. */
struct kinds {
	bool flag, yes;
	uint32_t u32;
	uint64_t u64;
	uint8_t name, proto;
	struct prefix prefix;
	struct endpoint endpoint;
	uint16_t sport[2], dport[2];
	const char *first_port, *word;
};

static const char *const colors[] = { [1] = "red", [2] = "green" };
static const char *const no_yes[] = { "no", "yes" };

static const struct keyword kinds_table[] = {
	{ "flag", "nothing", 0, INTO_FLAG(struct kinds, flag) },
	{ "u32", "a number 2..9", 1, INTO_U32(struct kinds, u32, 2, 9) },
	{ "u64", "a number", 1, INTO_U64(struct kinds, u64, 0, UINT64_MAX) },
	{ "color", "red or green", 1, INTO_NAME(struct kinds, name, colors) },
	{ "yes", "yes or no", 1, INTO_BOOL(struct kinds, yes, no_yes) },
	{ "proto", "a protocol", 1, INTO_PROTO(struct kinds, proto) },
	{ "prefix", "a prefix", 1, INTO_PREFIX(struct kinds, prefix) },
	{ "addr", "an address", 1, INTO_ENDPOINT(struct kinds, endpoint) },
	{ "sport", "a port", 1, INTO_PORTS(struct kinds, sport, first_port) },
	{ "dport", "a port", 1, INTO_PORTS(struct kinds, dport, first_port) },
	{ "word", "a word", 1, INTO_WORD(struct kinds, word) },
};

static int kinds_parse(int argc, char **argv, struct kinds *k, struct errmsg *err)
{
	unsigned int seen = 0;

	memset(k, 0, sizeof(*k));
	return keywords_parse("cmd", kinds_table, ARRAY_SIZE(kinds_table), ~0u, argc, argv, k,
			      &seen, err);
}

static void test_keyword_kinds(void **state)
{
	struct errmsg err = { "" };
	struct kinds k;

	(void)state;
	assert_int_equal(kinds_parse(WORDS("flag", "u32", "0x9", "u64", "18446744073709551615",
					   "color", "green", "yes", "yes", "proto", "udp",
					   "prefix", "10.1.2.3/8", "addr", "2001:db8::1",
					   "dport", "80-90", "sport", "7", "word", "any thing"),
				     &k, &err), 0);
	assert_true(k.flag);
	assert_int_equal(k.u32, 9);
	assert_int_equal(k.u64, UINT64_MAX);
	assert_int_equal(k.name, 2);
	assert_true(k.yes);
	assert_int_equal(k.proto, 17);
	assert_int_equal(k.prefix.family, AF_INET);
	assert_int_equal(k.prefix.len, 8);
	assert_int_equal(k.prefix.addr[0], 10);
	assert_int_equal(k.prefix.addr[1], 0);
	assert_int_equal(k.endpoint.family, AF_INET6);
	assert_string_equal(k.endpoint.word, "2001:db8::1");
	assert_int_equal(k.dport[0], 80);
	assert_int_equal(k.dport[1], 90);
	assert_int_equal(k.sport[0], 7);
	assert_int_equal(k.sport[1], 7);
	assert_string_equal(k.first_port, "dport");
	assert_string_equal(k.word, "any thing");
	assert_int_equal(kinds_parse(WORDS("yes", "no"), &k, &err), 0);
	assert_false(k.yes);

	/* each refusal as the kind's parser words it */
	assert_int_equal(kinds_parse(WORDS("u32", "1"), &k, &err), -ERANGE);
	assert_string_equal(err.text, "invalid u32 \"1\": out of range 2..9");
	assert_int_equal(kinds_parse(WORDS("color", "blue"), &k, &err), -EINVAL);
	assert_string_equal(err.text, "\"color\" needs red or green, not \"blue\"");
	assert_int_equal(kinds_parse(WORDS("yes", "maybe"), &k, &err), -EINVAL);
	assert_string_equal(err.text, "\"yes\" needs yes or no, not \"maybe\"");
	assert_int_equal(kinds_parse(WORDS("proto", "256"), &k, &err), -EINVAL);
	assert_string_equal(err.text, "\"proto\" needs a protocol, not \"256\"");
	assert_int_equal(kinds_parse(WORDS("prefix", "10.0.0.0/33"), &k, &err), -EINVAL);
	assert_string_equal(err.text, "invalid prefix \"10.0.0.0/33\"");
	assert_int_equal(kinds_parse(WORDS("addr", "10.0.0.0/8"), &k, &err), -EINVAL);
	assert_string_equal(err.text,
			    "invalid addr \"10.0.0.0/8\": not an IPv4 or IPv6 address");
	assert_int_equal(kinds_parse(WORDS("sport", "9-8"), &k, &err), -EINVAL);
	assert_string_equal(err.text, "invalid sport \"9-8\": 9 is above 8");
	assert_null(k.first_port);
}

static void test_names(void **state)
{
	(void)state;
	assert_int_equal(name_lookup(colors, ARRAY_SIZE(colors), "red"), 1);
	assert_int_equal(name_lookup(colors, ARRAY_SIZE(colors), "blue"), -1);
	assert_string_equal(name_of(no_yes, ARRAY_SIZE(no_yes), 1), "yes");
	assert_string_equal(name_of(no_yes, ARRAY_SIZE(no_yes), 2), "unknown");
	assert_string_equal(mode_name(NFSEC_MODE_TUNNEL), "tunnel");
	assert_string_equal(mode_name(7), "unknown");
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
		cmocka_unit_test(test_parse_hex_text),
		cmocka_unit_test(test_hex_encode),
		cmocka_unit_test(test_parse_u64),
		cmocka_unit_test(test_keywords),
		cmocka_unit_test(test_keyword_kinds),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests_name("utils", tests, NULL, NULL);
}
