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
	return *word && !word[common_prefix(word, name)];
}

bool has_prefix(const char *word, const char *prefix)
{
	return !strncmp(word, prefix, strlen(prefix));
}
