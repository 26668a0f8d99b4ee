/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Text helpers shared by the nfsec command and nfsec-iked: messages, text into a caller's
 * buffer, abbreviations. Parsers never print: they return a negative errno and leave a
 * message naming the bad word in a struct errmsg.
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

/* How many bytes word and name have in common from their start. */
static inline size_t common_prefix(const char *word, const char *name)
{
	size_t n = 0;

	while (word[n] && word[n] == name[n])
		n++;
	return n;
}

/* iproute2-style abbreviation: word is a non-empty prefix of name ("ver" of "version"). */
bool matches(const char *word, const char *name);

/*
 * Whether word is name, compared here rather than with strcmp(): words are looked up in
 * tables of short names, most of which differ from the word in their first byte, and a
 * batch of policies looks up some ten a line.
 */
static inline bool word_is(const char *word, const char *name)
{
	size_t n = common_prefix(word, name);

	return word[n] == name[n];
}

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

/* word starts with prefix ("file:" of "file:/etc/key"). */
bool has_prefix(const char *word, const char *prefix);

#endif /* NFSEC_COMMON_UTILS_H */
