/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Argument helpers shared by the nfsec command and nfsec-iked. Parsers never print: they
 * return a negative errno and leave a message naming the bad word in a struct errmsg.
 */
#ifndef NFSEC_COMMON_UTILS_H
#define NFSEC_COMMON_UTILS_H

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
 * Text appended to a caller's buffer: once something does not fit, full is set and
 * nothing more is written (the text stays NUL-terminated). strbuf_end() gives the length,
 * or -ENOSPC when it did not fit.
 */
struct strbuf {
	char *buf;
	size_t len, pos;
	bool full;
};

#define STRBUF(b, l) ((struct strbuf){ (b), (l), 0, (l) == 0 })

void strbuf_put(struct strbuf *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int strbuf_end(const struct strbuf *o);

/*
 * Keywords of a subcommand ("dir out", "aead NAME KEY ICV_BITS", "esn"): exact words, in
 * any order, each at most once. A table lists them, at most 32; KW(id) is the bit of
 * table[id] in the masks below.
 */
#define KW(id) (1u << (id))

struct keyword {
	const char *name;
	const char *needs;	/* what its values must be, for messages: "a number" */
	unsigned int values;	/* how many words follow it */
	/* and one more when the next word is there and is no keyword of the table */
	bool optional;
	/* args[0..count-1] into the caller's model; a negative errno with err set */
	int (*parse)(const struct keyword *kw, char **args, int count, void *model,
		     struct errmsg *err);
};

/*
 * Parses argv[0..argc-1] as keywords of table[0..n-1] whose bits are in allowed, each one's
 * values handed to its parse function with model. The bit of each keyword given is added
 * to *seen. Stops at the first error: an unknown (or not allowed) word, "unknown word
 * \"W\" in CMD"; a keyword again, "\"K\" given twice"; too few values, "\"K\" needs
 * NEEDS"; or what a parse function said.
 */
int keywords_parse(const char *cmd, const struct keyword *table, unsigned int n,
		   unsigned int allowed, int argc, char **argv, void *model, unsigned int *seen,
		   struct errmsg *err);

#endif /* NFSEC_COMMON_UTILS_H */
