/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every text encoding of numbers and bytes the programs read or write: numbers in decimal
 * or 0x hex, bytes in hex (strict, or as the text of a file), and the formatter of each
 * identity type that prints bytes. One decoder and one encoder of hex serve them all, so
 * two places never disagree on a prefix or a case. Parsers never print: they name the
 * bad word in err and leave their output untouched.
 */
#ifndef NFSEC_COMMON_ENCODING_H
#define NFSEC_COMMON_ENCODING_H

#include <stddef.h>
#include <stdint.h>

#include "utils.h"

/*
 * Decimal, or hexadecimal with a 0x prefix; no sign, no spaces, no octal (leading zeros
 * are decimal). -EINVAL if word is not such a number, -ERANGE if outside min..max. what
 * names the value in the message ("spi").
 */
int parse_u32(const char *what, const char *word, uint32_t min, uint32_t max,
	      uint32_t *out, struct errmsg *err);

/* parse_u32() for 64-bit values. */
int parse_u64(const char *what, const char *word, uint64_t min, uint64_t max,
	      uint64_t *out, struct errmsg *err);

/*
 * Hex digits (optional 0x prefix) into buf, two per byte, at most max bytes; *len is set to
 * the byte count. Odd length, a non-hex character, nothing at all or more than max bytes is
 * -EINVAL; buf is untouched then.
 */
int parse_hex(const char *what, const char *word, uint8_t *buf, size_t max, size_t *len,
	      struct errmsg *err);

/*
 * Hex text, text[0..n-1] (text[n] a NUL), as a file holds it: blanks and line breaks
 * anywhere, an optional 0x after the leading ones; into buf, at most max bytes, *len of
 * them. -EINVAL with err naming word (what the text came from) and the fault by its
 * position, never quoting the text; buf untouched then.
 */
int parse_hex_text(const char *what, const char *word, const char *text, size_t n,
		   uint8_t *buf, size_t max, size_t *len, struct errmsg *err);

/*
 * data[0..n-1] as lowercase hex digits into buf (len bytes, NUL-terminated): as many
 * whole bytes as fit. The number of digits written.
 */
size_t hex_encode(char *buf, size_t len, const uint8_t *data, size_t n);

/* hex_encode() at the end of o: all of data, or nothing and o full. */
void strbuf_put_hex(struct strbuf *o, const uint8_t *data, size_t n);

/*
 * A key id as the tunnel words write it, "keyid:" and its bytes in hex (no 0x), into buf
 * (len bytes): as many whole bytes as fit.
 */
void keyid_format(char *buf, size_t len, const uint8_t *data, size_t n);

#endif /* NFSEC_COMMON_ENCODING_H */
