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
