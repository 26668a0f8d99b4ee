// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>

#include "json.h"

void json_init(struct json *j, FILE *out)
{
	*j = (struct json){ .out = out };
}

/*
 * The length of the UTF-8 sequence s starts with (RFC 3629: no overlong form, no
 * surrogate, nothing past U+10FFFF), or 0 if it starts none.
 */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, i;
	uint32_t cp;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)	/* the NUL at the end included */
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* s as a JSON string: a byte that is not UTF-8 becomes U+FFFD, so the output always is. */
static void put_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		size_t n;

		if (c >= 0x80) {
			n = utf8_len((const unsigned char *)s);
			if (n)
				fwrite(s, 1, n, out);
			else
				fputs("\\ufffd", out);
			s += n ? n - 1 : 0;
			continue;
		}

		switch (c) {
		case '"':  fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\b': fputs("\\b", out); break;
		case '\f': fputs("\\f", out); break;
		case '\n': fputs("\\n", out); break;
		case '\r': fputs("\\r", out); break;
		case '\t': fputs("\\t", out); break;
		default:
			/* other controls, and DEL so nothing odd reaches a terminal */
			if (c < 0x20 || c == 0x7f)
				fprintf(out, "\\u%04x", c);
			else
				fputc(c, out);
		}
	}
	fputc('"', out);
}

/* Checks key against where we are and writes the separator and key before a value. */
static bool value_begin(struct json *j, const char *key)
{
	bool in_object = j->depth > 0 && j->open[j->depth - 1] == '{';

	if (j->misuse || j->done || (key != NULL) != in_object) {
		j->misuse = true;
		return false;
	}
	if (j->depth > 0) {
		if (!j->empty[j->depth - 1])
			fputc(',', j->out);
		j->empty[j->depth - 1] = false;
	}
	if (key) {
		put_string(j->out, key);
		fputc(':', j->out);
	}
	return true;
}

static void value_end(struct json *j)
{
	if (j->depth == 0)
		j->done = true;
}

static void open_level(struct json *j, const char *key, char kind)
{
	if (j->depth == JSON_MAX_DEPTH || !value_begin(j, key)) {
		j->misuse = true;
		return;
	}
	fputc(kind, j->out);
	j->open[j->depth] = kind;
	j->empty[j->depth] = true;
	j->depth++;
}

static void close_level(struct json *j, char kind)
{
	if (j->misuse || j->depth == 0 || j->open[j->depth - 1] != kind) {
		j->misuse = true;
		return;
	}
	j->depth--;
	fputc(kind == '{' ? '}' : ']', j->out);
	value_end(j);
}

void json_object_begin(struct json *j, const char *key)
{
	open_level(j, key, '{');
}

void json_object_end(struct json *j)
{
	close_level(j, '{');
}

void json_array_begin(struct json *j, const char *key)
{
	open_level(j, key, '[');
}

void json_array_end(struct json *j)
{
	close_level(j, '[');
}

void json_string(struct json *j, const char *key, const char *value)
{
	if (!value_begin(j, key))
		return;
	if (value)
		put_string(j->out, value);
	else
		fputs("null", j->out);
	value_end(j);
}

void json_key(char *key, size_t size, const char *word)
{
	snprintf(key, size, "%s", word);
	for (char *c = key; *c; c++)
		if (*c == '-')
			*c = '_';
}

void json_u64(struct json *j, const char *key, uint64_t value)
{
	if (!value_begin(j, key))
		return;
	fprintf(j->out, "%" PRIu64, value);
	value_end(j);
}

void json_bool(struct json *j, const char *key, bool value)
{
	if (!value_begin(j, key))
		return;
	fputs(value ? "true" : "false", j->out);
	value_end(j);
}

int json_finish(struct json *j)
{
	if (j->misuse || !j->done)
		return -1;
	fputc('\n', j->out);
	return ferror(j->out) ? -1 : 0;
}
