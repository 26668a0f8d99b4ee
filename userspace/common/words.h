/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The words and the printing that policies, SAs and tunnels share: the keyword parser
 * their words go through, addresses, prefixes, protocols, port ranges, whole selectors,
 * modes. For the policy, sa and monitor commands and the tunnel words (tunnel.c). Parsers
 * never print: they name the bad word in err.
 */
#ifndef NFSEC_COMMON_WORDS_H
#define NFSEC_COMMON_WORDS_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <nfsec.h>

#include "encoding.h"
#include "json.h"
#include "utils.h"

/*
 * Keywords of a subcommand ("dir out", "aead NAME KEY ICV_BITS", "esn"): exact words, in
 * any order, each at most once. A table lists them, at most 32; KW(id) is the bit of
 * table[id] in the masks below.
 *
 * Most keywords say what their value is and where in the caller's model it goes, and
 * keywords_parse() reads it (the kinds below, each message as its parser says it); the
 * others read their values with a parse function of their own.
 */
#define KW(id) (1u << (id))

enum keyword_kind {
	KEYWORD_CUSTOM,		/* parse() reads the values */
	KEYWORD_FLAG,		/* no value: the bool at offset set */
	KEYWORD_U32,		/* parse_u32(), min..max, into the uint32_t at offset */
	KEYWORD_U64,		/* parse_u64(), min..max, into the uint64_t at offset */
	KEYWORD_NAME,		/* one of names[] (NULL ones skipped): its index, a uint8_t */
	KEYWORD_BOOL,		/* names[0] (false) or names[1] (true) into the bool */
	KEYWORD_PROTO,		/* proto_parse() into the uint8_t */
	KEYWORD_PREFIX,		/* prefix_parse() into the struct prefix */
	KEYWORD_ENDPOINT,	/* endpoint_parse() into the struct endpoint */
	KEYWORD_PORTS,		/* a range into the uint16_t[2]; aux: the first one's name */
	KEYWORD_WORD,		/* the word itself into the const char *, read later */
};

struct keyword {
	const char *name;
	const char *needs;	/* what its values must be, for messages: "a number" */
	unsigned int values;	/* how many words follow it */
	/* and one more when the next word is there and is no keyword of the table */
	bool optional;
	enum keyword_kind kind;
	size_t offset;		/* of the field in the model its value goes into */
	size_t aux;		/* KEYWORD_PORTS: of the const char * of the first */
	uint64_t min, max;	/* KEYWORD_U32, KEYWORD_U64 (and a parse() that wants them) */
	const char *const *names;	/* KEYWORD_NAME, KEYWORD_BOOL */
	size_t n_names;
	/* KEYWORD_CUSTOM: args[0..count-1] into the model; a negative errno with err set */
	int (*parse)(const struct keyword *kw, char **args, int count, void *model,
		     struct errmsg *err);
};

/*
 * The field f, of type type, of the model T (struct words) that a keyword's value goes
 * into; a field of another type does not compile. The INTO_* initializers name a kind
 * and its field: { "spi", "a number", 1, INTO_U32(struct words, sa.spi, 256, UINT32_MAX) }.
 */
#define KEYWORD_FIELD(T, f, type)						\
	.offset = offsetof(T, f) + 0 * sizeof(struct {				\
		_Static_assert(__builtin_types_compatible_p(__typeof__(((T *)0)->f), type), \
			       "the field of a keyword is no " #type);		\
		char c;								\
	})

#define KEYWORD_NAMES(table) .names = (table), .n_names = sizeof(table) / sizeof((table)[0])

#define INTO_FLAG(T, f)		.kind = KEYWORD_FLAG, KEYWORD_FIELD(T, f, bool)
#define INTO_U32(T, f, lo, hi)	.kind = KEYWORD_U32, KEYWORD_FIELD(T, f, uint32_t), \
				.min = (lo), .max = (hi)
#define INTO_U64(T, f, lo, hi)	.kind = KEYWORD_U64, KEYWORD_FIELD(T, f, uint64_t), \
				.min = (lo), .max = (hi)
#define INTO_NAME(T, f, table)	.kind = KEYWORD_NAME, KEYWORD_FIELD(T, f, uint8_t), \
				KEYWORD_NAMES(table)
#define INTO_BOOL(T, f, table)	.kind = KEYWORD_BOOL, KEYWORD_FIELD(T, f, bool), \
				KEYWORD_NAMES(table)
#define INTO_PROTO(T, f)	.kind = KEYWORD_PROTO, KEYWORD_FIELD(T, f, uint8_t)
#define INTO_PREFIX(T, f)	.kind = KEYWORD_PREFIX, KEYWORD_FIELD(T, f, struct prefix)
#define INTO_ENDPOINT(T, f)	.kind = KEYWORD_ENDPOINT, KEYWORD_FIELD(T, f, struct endpoint)
#define INTO_PORTS(T, f, first)	.kind = KEYWORD_PORTS, KEYWORD_FIELD(T, f, uint16_t[2]), \
				.aux = offsetof(T, first)
#define INTO_WORD(T, f)		.kind = KEYWORD_WORD, KEYWORD_FIELD(T, f, const char *)

/* The field of a keyword's value in model, for a parse function. */
static inline void *keyword_field(const struct keyword *kw, void *model)
{
	return (char *)model + kw->offset;
}

/*
 * Parses argv[0..argc-1] as keywords of table[0..n-1] whose bits are in allowed, each one's
 * values read as its kind says, with model. The bit of each keyword given is added to
 * *seen. Stops at the first error: an unknown (or not allowed) word, "unknown word \"W\" in
 * CMD"; a keyword again, "\"K\" given twice"; too few values, "\"K\" needs NEEDS"; a value
 * its kind refuses; or what a parse function said.
 */
int keywords_parse(const char *cmd, const struct keyword *table, unsigned int n,
		   unsigned int allowed, int argc, char **argv, void *model, unsigned int *seen,
		   struct errmsg *err);

/* "\"K\" needs NEEDS, not \"W\"", for a value kw does not take: -EINVAL. */
int keyword_bad_value(const struct keyword *kw, const char *word, struct errmsg *err);

/* The index of word in names[0..n-1] (NULL ones skipped), or -1. */
int name_lookup(const char *const *names, size_t n, const char *word);

/* names[value], or "unknown" beyond names[n - 1]. */
const char *name_of(const char *const *names, size_t n, unsigned int value);

/* A policy's direction as the words and the printers have it: "out", "in", "fwd". */
extern const char *const policy_dir_names[NFSEC_POLICY_DIR_MAX + 1];
/* policy_dir_names[dir]; "unknown" beyond those. */
const char *policy_dir_name(unsigned int dir);

/* An address with an optional prefix length, or "any". */
struct prefix {
	const char *word;	/* as given, for messages; NULL when not given */
	uint16_t family;	/* AF_INET, AF_INET6, or 0 for "any" */
	uint8_t addr[16];	/* masked to len */
	uint8_t len;
};

/* "ADDR[/LEN]" or "any" into *p, bits beyond LEN cleared; "invalid prefix \"W\"" else. */
int prefix_parse(const char *word, struct prefix *p, struct errmsg *err);

/*
 * A whole IPv4 or IPv6 address, no prefix, into *family and addr (16 bytes, zero beyond an
 * IPv4 one); what names it in the message: "invalid dst \"W\": not an IPv4 or IPv6 address".
 */
int addr_parse(const char *what, const char *word, uint16_t *family, uint8_t *addr,
	       struct errmsg *err);

/* A whole address given by a keyword, and the word as given, for later messages. */
struct endpoint {
	const char *word;
	uint16_t family;
	uint8_t addr[16];
};

/* addr_parse() into *e, named by what; keeps word in e->word. */
int endpoint_parse(const char *what, const char *word, struct endpoint *e,
		   struct errmsg *err);

struct proto {
	const char *name;
	uint8_t number;
	bool ports;		/* its packets have ports a selector can match */
};

/* What proto_parse() takes, for messages; and a prefix, a port range and an address. */
extern const char proto_needs[], prefix_needs[], ports_needs[], addr_needs[];

/* A protocol's name, or a number 0..255, into *number: 0, or -EINVAL and no message. */
int proto_parse(const char *word, uint8_t *number);

/* The named protocol of that number, NULL for one without a name here. */
const struct proto *proto_find(uint8_t number);

/* "IPv4" or "IPv6", and "inet" or "inet6", for AF_INET and AF_INET6. */
const char *family_version(uint16_t family);
const char *family_name(uint16_t family);

enum {
	ADDR_TEXT_LEN = INET6_ADDRSTRLEN,
	PREFIX_TEXT_LEN = INET6_ADDRSTRLEN + sizeof("/128"),
};

/* addr as text into buf (ADDR_TEXT_LEN), and with "/len" (PREFIX_TEXT_LEN). */
void addr_format(char *buf, uint16_t family, const uint8_t *addr);
void prefix_format(char *buf, uint16_t family, const uint8_t *addr, uint8_t len);

/*
 * " src PREFIX dst PREFIX [proto P] [sport P[-P]] [dport P[-P]]", every word behind pfx
 * ("sel-"): proto and the ports only when they do not match everything.
 */
void selector_print(FILE *out, const char *pfx, const struct nfsec_selector *sel);

/* The members "family", "src", "dst", "proto", "sport", "dport" of an open object. */
void selector_json_members(struct json *j, const struct nfsec_selector *sel);

/* The modes (enum nfsec_mode), and what a mode keyword needs, for messages. */
extern const char *const mode_names[NFSEC_MODE_MAX + 1];
extern const char mode_needs[];

/* "transport" or "tunnel", "unknown" beyond. */
const char *mode_name(unsigned int mode);

#endif /* NFSEC_COMMON_WORDS_H */
