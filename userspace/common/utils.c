// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "utils.h"

void errmsg_set(struct errmsg *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->text, sizeof(err->text), fmt, ap);
	va_end(ap);
}

void strbuf_put(struct strbuf *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->pos, o->len - o->pos, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->len - o->pos) {
		o->full = true;
		return;
	}
	o->pos += (size_t)n;
}

int strbuf_end(const struct strbuf *o)
{
	return o->full ? -ENOSPC : (int)o->pos;
}

bool matches(const char *word, const char *name)
{
	size_t len = strlen(word);

	return len > 0 && strncmp(word, name, len) == 0;
}

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
	size_t n = strlen(digits);

	if (n == 0) {
		errmsg_set(err, "invalid %s \"%s\": no hex digits", what, word);
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		if (hex_digit(digits[i]) < 0) {
			errmsg_set(err, "invalid %s \"%s\": character %zu is not a hex digit",
				   what, word, (size_t)(digits - word) + i + 1);
			return -EINVAL;
		}
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

	for (size_t i = 0; i < n / 2; i++)
		buf[i] = (uint8_t)(hex_digit(digits[2 * i]) << 4 | hex_digit(digits[2 * i + 1]));
	*len = n / 2;
	return 0;
}

static const struct keyword *keyword_find(const struct keyword *table, unsigned int n,
					  const char *word)
{
	for (unsigned int id = 0; id < n; id++)
		if (!strcmp(word, table[id].name))
			return &table[id];
	return NULL;
}

/* How many values kw takes at argv[i + 1..]: its own, and an optional one if it is there. */
static int keyword_values(const struct keyword *kw, const struct keyword *table,
			  unsigned int n, int i, int argc, char **argv, struct errmsg *err)
{
	int count = (int)kw->values;

	if (argc - i - 1 < count) {
		errmsg_set(err, "\"%s\" needs %s", kw->name, kw->needs);
		return -EINVAL;
	}
	if (kw->optional && i + 1 + count < argc && !keyword_find(table, n, argv[i + 1 + count]))
		count++;
	return count;
}

int keywords_parse(const char *cmd, const struct keyword *table, unsigned int n,
		   unsigned int allowed, int argc, char **argv, void *model, unsigned int *seen,
		   struct errmsg *err)
{
	for (int i = 0; i < argc;) {
		const struct keyword *kw = keyword_find(table, n, argv[i]);
		unsigned int bit;
		int count, ret;

		if (!kw || !(allowed & KW(kw - table))) {
			errmsg_set(err, "unknown word \"%s\" in %s", argv[i], cmd);
			return -EINVAL;
		}
		bit = KW(kw - table);
		if (*seen & bit) {
			errmsg_set(err, "\"%s\" given twice", kw->name);
			return -EINVAL;
		}
		count = keyword_values(kw, table, n, i, argc, argv, err);
		if (count < 0)
			return count;
		ret = kw->parse(kw, argv + i + 1, count, model, err);
		if (ret < 0)
			return ret;
		*seen |= bit;
		i += 1 + count;
	}
	return 0;
}
