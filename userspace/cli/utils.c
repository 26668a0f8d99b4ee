// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
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

int parse_u32(const char *what, const char *word, uint32_t min, uint32_t max,
	      uint32_t *out, struct errmsg *err)
{
	const char *digits = skip_0x(word);
	int base = digits == word ? 10 : 16;
	bool overflow = false;
	uint64_t value = 0;

	if (!*digits)
		goto err_not_number;
	for (const char *p = digits; *p; p++) {
		int d = hex_digit(*p);

		if (d < 0 || d >= base)
			goto err_not_number;
		value = value * base + d;
		/* keep scanning: "99999999999x" is junk first, too big second */
		if (value > UINT32_MAX) {
			overflow = true;
			value = UINT32_MAX + 1ULL;
		}
	}
	if (overflow || value < min || value > max) {
		errmsg_set(err, "invalid %s \"%s\": out of range %u..%u", what, word, min, max);
		return -ERANGE;
	}
	*out = (uint32_t)value;
	return 0;

err_not_number:
	errmsg_set(err, "invalid %s \"%s\": not a decimal or 0x-prefixed hex number", what, word);
	return -EINVAL;
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
