/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Argument helpers shared by every nfsec command. Parsers never print: they return a
 * negative errno and leave a message naming the bad word in a struct errmsg.
 */
#ifndef NFSEC_CLI_UTILS_H
#define NFSEC_CLI_UTILS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct errmsg {
	char text[256];
};

void errmsg_set(struct errmsg *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* iproute2-style abbreviation: word is a non-empty prefix of name ("ver" of "version"). */
bool matches(const char *word, const char *name);

/*
 * Decimal, or hexadecimal with a 0x prefix; no sign, no spaces, no octal (leading zeros
 * are decimal). -EINVAL if word is not such a number, -ERANGE if outside min..max. what
 * names the value in the message ("spi").
 */
int parse_u32(const char *what, const char *word, uint32_t min, uint32_t max,
	      uint32_t *out, struct errmsg *err);

/*
 * Hex digits (optional 0x prefix) into buf, two per byte, at most max bytes; *len is set to
 * the byte count. Odd length, a non-hex character, nothing at all or more than max bytes is
 * -EINVAL; buf is untouched then.
 */
int parse_hex(const char *what, const char *word, uint8_t *buf, size_t max, size_t *len,
	      struct errmsg *err);

#endif /* NFSEC_CLI_UTILS_H */
