/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The sa command's parsers and printers, apart from sa_main() so the unit tests can drive
 * them without netlink. Parsers take the words after the subcommand and fill a plain
 * model; they never print, and name the bad word in err. Keywords are exact words and may
 * come in any order, each at most once. Printers never show a key.
 */
#ifndef NFSEC_CLI_SA_H
#define NFSEC_CLI_SA_H

#include <stdint.h>
#include <stdio.h>

#include <nfsec.h>

#include "json.h"
#include "utils.h"

/*
 * The words of "sa add" (see sa_usage) into *out, every field set: the algorithms' short
 * names replaced by the crypto API's, the keys read (from files too), the family taken
 * from src and dst. 0, or -EINVAL (-ERANGE for a number out of range) with *out untouched.
 * Every copy of a key this makes is wiped but *out's, which the caller wipes after use.
 */
int sa_parse_add(int argc, char **argv, struct nfsec_sa *out, struct errmsg *err);

/* What names one SA: "spi SPI dst ADDR [proto esp]", as "sa delete" and "sa get" take it. */
struct sa_id {
	uint32_t spi;
	uint16_t family;
	uint8_t dst[16];
	uint8_t proto;
};

/* cmd ("sa delete") names the command in messages. */
int sa_parse_id(const char *cmd, int argc, char **argv, struct sa_id *out,
		struct errmsg *err);

/*
 * "spi SPI dst ADDR [proto esp] encap udp sport PORT dport PORT" ("sa set") into out's
 * spi, family, dst, proto and encap fields; the rest of *out is zero.
 */
int sa_parse_set(int argc, char **argv, struct nfsec_sa *out, struct errmsg *err);

/*
 * A KEY word into key[0..NFSEC_KEY_MAX-1] and *len: hex ("0x..." or plain), "file:PATH"
 * (the file's bytes), "hexfile:PATH" (hex text, whitespace allowed, an optional 0x), or ""
 * and "0x" for no key at all (ecb(cipher_null)). what names it in messages ("aead key").
 * On error key and *len are untouched; a file's contents are never quoted.
 */
int sa_key_parse(const char *what, const char *word, uint8_t *key, uint32_t *len,
		 struct errmsg *err);

/*
 * One line: "spi 0x1000 dir out src 10.0.0.1 dst 10.0.0.2 proto esp mode tunnel reqid 1
 * aead rfc4106(gcm(aes)) icv 128 replay-window 64 seq 12 bytes 3400 packets 12 age 5s",
 * with esn, the selector and the lifetimes before seq when the SA has them.
 */
void sa_print(FILE *out, const struct nfsec_sa *sa);

/* "spi 0x1000 dst 10.0.0.2", what names an SA in a line about it (no newline). */
void sa_id_print(FILE *out, const struct nfsec_sa *sa);

/* One JSON object, with the same fields: the value of key, or with a NULL key any other. */
void sa_json(struct json *j, const char *key, const struct nfsec_sa *sa);

/* Every SA of a dump, in a growing array; free v after use. */
struct sa_list {
	struct nfsec_sa *v;
	size_t n, cap;
};

struct nfsec_handle;

/*
 * Dumps the SAs into *l (emptied first), again up to three times while SAs come or go as
 * it reads (-EAGAIN): 0 or the dump's negative errno.
 */
int sa_list_read(struct nfsec_handle *h, struct sa_list *l);

#endif /* NFSEC_CLI_SA_H */
