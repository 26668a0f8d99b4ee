// SPDX-License-Identifier: GPL-2.0
/*
 * Numbers and bytes to and from text. Hex is read in two passes, hex_scan() (where the
 * first fault is, how many digits came before it) then hex_unpack(), so a parser says
 * what is wrong before it writes a byte, and never needs a copy of a secret to do so.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "encoding.h"

/* What parse_hex_text() skips between digits. */
static const char hex_blanks[] = " \t\r\n";

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool hex_blank(char c)
{
	return c && strchr(hex_blanks, c);
}

/*
 * The index of the first character of text[0..n-1] that is no hex digit (nor a blank,
 * when blanks are allowed), n if there is none; *digits the hex digits before it.
 */
static size_t hex_scan(const char *text, size_t n, bool blanks, size_t *digits)
{
	*digits = 0;
	for (size_t i = 0; i < n; i++) {
		if (blanks && hex_blank(text[i]))
			continue;
		if (hex_digit(text[i]) < 0)
			return i;
		(*digits)++;
	}
	return n;
}

/* The hex digits of text[0..n-1], which hex_scan() passed, two a byte into buf. */
static void hex_unpack(const char *text, size_t n, uint8_t *buf)
{
	size_t digits = 0;
	int high = 0;

	for (size_t i = 0; i < n; i++) {
		int v = hex_digit(text[i]);

		if (v < 0)
			continue;
		if (digits % 2)
			buf[digits / 2] = (uint8_t)(high << 4 | v);
		high = v;
		digits++;
	}
}

static const char *skip_0x(const char *word)
{
	if (word[0] == '0' && (word[1] == 'x' || word[1] == 'X'))
		return word + 2;
	return word;
}

/* parse_u32() up to 64 bits: the digits of word into *out, or -EINVAL/-ERANGE unset. */
static int parse_number(const char *word, uint64_t *out)
{
	const char *digits = skip_0x(word);
	int base = digits == word ? 10 : 16;
	bool overflow = false;
	uint64_t value = 0;

	if (!*digits)
		return -EINVAL;
	for (const char *p = digits; *p; p++) {
		int d = hex_digit(*p);

		if (d < 0 || d >= base)
			return -EINVAL;
		/* keep scanning: "99999999999x" is junk first, too big second */
		if (value > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			overflow = true;
		value = value * base + d;
	}
	if (overflow)
		return -ERANGE;
	*out = value;
	return 0;
}

int parse_u64(const char *what, const char *word, uint64_t min, uint64_t max,
	      uint64_t *out, struct errmsg *err)
{
	uint64_t value;
	int ret = parse_number(word, &value);

	if (ret == -EINVAL) {
		errmsg_set(err, "invalid %s \"%s\": not a decimal or 0x-prefixed hex number", what,
			   word);
		return ret;
	}
	if (ret == -ERANGE || value < min || value > max) {
		errmsg_set(err, "invalid %s \"%s\": out of range %" PRIu64 "..%" PRIu64, what,
			   word, min, max);
		return -ERANGE;
	}
	*out = value;
	return 0;
}

int parse_u32(const char *what, const char *word, uint32_t min, uint32_t max,
	      uint32_t *out, struct errmsg *err)
{
	uint64_t value;
	int ret = parse_u64(what, word, min, max, &value, err);

	if (ret == 0)
		*out = (uint32_t)value;
	return ret;
}

int parse_hex(const char *what, const char *word, uint8_t *buf, size_t max, size_t *len,
	      struct errmsg *err)
{
	const char *digits = skip_0x(word);
	size_t n = strlen(digits), count, bad;

	if (n == 0) {
		errmsg_set(err, "invalid %s \"%s\": no hex digits", what, word);
		return -EINVAL;
	}
	bad = hex_scan(digits, n, false, &count);
	if (bad < n) {
		errmsg_set(err, "invalid %s \"%s\": character %zu is not a hex digit", what, word,
			   (size_t)(digits - word) + bad + 1);
		return -EINVAL;
	}
	if (n % 2) {
		errmsg_set(err, "invalid %s \"%s\": odd number of hex digits (%zu)", what, word, n);
		return -EINVAL;
	}
	if (n / 2 > max) {
		errmsg_set(err, "invalid %s \"%s\": %zu bytes, at most %zu allowed", what, word,
			   n / 2, max);
		return -EINVAL;
	}
	hex_unpack(digits, n, buf);
	*len = n / 2;
	return 0;
}

/*
 * The faults in the order a reader meets them: more digits than max bytes hold before any
 * other fault, then a character that is no hex digit, then an odd count.
 */
int parse_hex_text(const char *what, const char *word, const char *text, size_t n,
		   uint8_t *buf, size_t max, size_t *len, struct errmsg *err)
{
	size_t start = strspn(text, hex_blanks), digits, bad;

	if (start + 1 < n && text[start] == '0' && tolower((unsigned char)text[start + 1]) == 'x')
		start += 2;
	bad = start + hex_scan(text + start, n - start, true, &digits);
	if (digits > 2 * max) {
		errmsg_set(err, "invalid %s \"%s\": more than %zu bytes", what, word, max);
		return -EINVAL;
	}
	if (bad < n) {
		errmsg_set(err, "invalid %s \"%s\": character %zu is not a hex digit", what, word,
			   bad + 1);
		return -EINVAL;
	}
	if (digits % 2) {
		errmsg_set(err, "invalid %s \"%s\": odd number of hex digits (%zu)", what, word,
			   digits);
		return -EINVAL;
	}
	hex_unpack(text + start, n - start, buf);
	*len = digits / 2;
	return 0;
}

size_t hex_encode(char *buf, size_t len, const uint8_t *data, size_t n)
{
	static const char digit[] = "0123456789abcdef";
	size_t i;

	if (len == 0)
		return 0;
	for (i = 0; i < n && 2 * i + 2 < len; i++) {
		buf[2 * i] = digit[data[i] >> 4];
		buf[2 * i + 1] = digit[data[i] & 0xf];
	}
	buf[2 * i] = '\0';
	return 2 * i;
}

void strbuf_put_hex(struct strbuf *o, const uint8_t *data, size_t n)
{
	if (o->full)
		return;
	if (2 * n >= o->len - o->pos) {
		o->full = true;
		return;
	}
	o->pos += hex_encode(o->buf + o->pos, o->len - o->pos, data, n);
}

void keyid_format(char *buf, size_t len, const uint8_t *data, size_t n)
{
	int prefix = snprintf(buf, len, "keyid:");

	if (prefix >= 0 && (size_t)prefix < len)
		hex_encode(buf + prefix, len - (size_t)prefix, data, n);
}
