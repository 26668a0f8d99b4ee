// SPDX-License-Identifier: GPL-2.0
/*
 * The configuration file: lines gathered into tunnels (continued lines, comments, quotes)
 * by tunnel_words_split(), each tunnel through tunnel_parse(), the settings lines read
 * here; and the pre-shared key files. Every buffer a line or a secret passed through is
 * wiped.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "conf.h"
#include "encoding.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char blanks[] = TUNNEL_BLANKS;

struct conf {
	FILE *f;
	unsigned long line;		/* of the last line read */
	unsigned long start;		/* the first line of the tunnel in s */
	unsigned long err_line;		/* what a message names */
	char *buf;
	size_t cap;
	struct tunnel_words s;
};

/* The words of the next tunnel into c->s: 1, 0 at the end, or a negative errno. */
static int conf_next(struct conf *c, struct errmsg *err)
{
	c->s.n = 0;
	c->s.used = 0;
	for (;;) {
		ssize_t n = getline(&c->buf, &c->cap, c->f);
		const char *first;
		bool continued;
		int ret;

		if (n < 0) {
			if (!ferror(c->f))
				return c->s.n > 0;	/* a backslash may end the file */
			c->err_line = c->line + 1;
			errmsg_set(err, "%s", strerror(errno ? errno : EIO));
			return -EIO;
		}
		c->line++;
		c->err_line = c->line;
		if ((size_t)n != strlen(c->buf)) {
			errmsg_set(err, "a NUL byte in the line");
			return -EINVAL;
		}
		if (n > 0 && c->buf[n - 1] == '\n')
			c->buf[--n] = '\0';
		if (n > 0 && c->buf[n - 1] == '\r')
			c->buf[--n] = '\0';
		if (n > TUNNEL_LINE_MAX) {
			errmsg_set(err, "a line longer than %d bytes", TUNNEL_LINE_MAX);
			return -EINVAL;
		}
		first = c->buf + strspn(c->buf, blanks);
		if (*first == '#')
			continue;
		if (!*first) {
			if (c->s.n > 0)
				return 1;
			continue;
		}
		if (c->s.n == 0)
			c->start = c->line;
		ret = tunnel_words_split(&c->s, c->buf, &continued, err);
		if (ret < 0)
			return ret;
		if (!continued && c->s.n > 0)
			return 1;
	}
}

static int conf_tunnel(struct conf *c, struct tunnel *out, int max, int *count,
		       unsigned long *starts, struct errmsg *err)
{
	struct tunnel *t = &out[*count];

	c->err_line = c->start;
	if (strcmp(c->s.words[0], "tunnel")) {
		errmsg_set(err, "a line starts with \"tunnel NAME\", not \"%s\"", c->s.words[0]);
		return -EINVAL;
	}
	if (*count >= max) {
		errmsg_set(err, "more than %d tunnels", max);
		return -ENOSPC;
	}
	if (tunnel_parse(c->s.words + 1, c->s.n - 1, t, err->text, sizeof(err->text)) < 0)
		return -EINVAL;
	for (int i = 0; i < *count; i++) {
		if (!strcmp(out[i].name, t->name)) {
			errmsg_set(err, "tunnel \"%s\" is defined already, on line %lu", t->name,
				   starts[i]);
			tunnel_wipe(t);
			return -EINVAL;
		}
	}
	starts[(*count)++] = c->start;
	return 0;
}

void iked_settings_default(struct iked_settings *s)
{
	s->half_open_max = IKED_HALF_OPEN_MAX_DEFAULT;
	s->half_open_per_peer = IKED_HALF_OPEN_PER_PEER_DEFAULT;
}

/* A settings line ("half-open-max N"): 1 if it was one, 0 if not, or a negative errno. */
static int conf_setting(struct conf *c, struct iked_settings *settings, struct errmsg *err)
{
	static const char *const names[] = { "half-open-max", "half-open-per-peer" };
	unsigned int *fields[] = { &settings->half_open_max, &settings->half_open_per_peer };
	uint32_t value;

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		if (strcmp(c->s.words[0], names[i]))
			continue;
		c->err_line = c->start;
		if (c->s.n != 2) {
			errmsg_set(err, "\"%s\" needs one number", names[i]);
			return -EINVAL;
		}
		if (parse_u32(names[i], c->s.words[1], 1, UINT16_MAX, &value, err) < 0)
			return -EINVAL;
		*fields[i] = value;
		return 1;
	}
	return 0;
}

int tunnel_conf_parse(FILE *f, const char *path, struct tunnel *out, int max, int *count,
		      char *err, size_t errlen)
{
	return tunnel_conf_parse_settings(f, path, out, max, count, NULL, NULL, err, errlen);
}

int tunnel_conf_parse_settings(FILE *f, const char *path, struct tunnel *out, int max,
			       int *count, struct iked_settings *settings, unsigned long *lines,
			       char *err, size_t errlen)
{
	struct conf *c = calloc(1, sizeof(*c));
	unsigned long *starts = lines ? lines : calloc(max > 0 ? (size_t)max : 1,
						       sizeof(*starts));
	struct errmsg e = { "" };
	int ret = -ENOMEM;

	*count = 0;
	if (!c || !starts) {
		errmsg_set(&e, "out of memory");
		goto out;
	}
	c->f = f;
	if (settings)
		iked_settings_default(settings);
	while ((ret = conf_next(c, &e)) > 0) {
		ret = settings ? conf_setting(c, settings, &e) : 0;
		if (!ret)
			ret = conf_tunnel(c, out, max, count, starts, &e);
		if (ret < 0)
			break;
	}
out:
	if (ret < 0) {
		snprintf(err, errlen, "%s:%lu: %s", path, c ? c->err_line : 0, e.text);
		for (int i = 0; i < *count; i++)
			tunnel_wipe(&out[i]);
		*count = 0;
	}
	if (c) {
		if (c->buf)
			explicit_bzero(c->buf, c->cap);
		free(c->buf);
		explicit_bzero(c, sizeof(*c));
	}
	free(c);
	if (starts != lines)
		free(starts);
	return ret < 0 ? ret : 0;
}

int tunnel_psk_load(struct tunnel *t, char *err, size_t errlen)
{
	uint8_t buf[TUNNEL_PSK_MAX + 3];	/* room to see one too long, and "\r\n" */
	struct stat st;
	ssize_t n;
	int fd, ret = 0;

	if (!t->psk_file[0])
		return 0;
	fd = open(t->psk_file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "psk file %s: %s", t->psk_file, strerror(errno));
		return ret;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "psk file %s: not a regular file", t->psk_file);
		ret = -EINVAL;
	} else if (st.st_mode & (S_IRGRP | S_IROTH)) {
		snprintf(err, errlen, "psk file %s: readable by group or others (mode %04o): "
			 "chmod 600 it", t->psk_file, (unsigned int)(st.st_mode & 07777));
		ret = -EACCES;
	}
	n = ret ? 0 : read(fd, buf, sizeof(buf));
	if (n < 0) {
		ret = -errno;
		snprintf(err, errlen, "psk file %s: %s", t->psk_file, strerror(errno));
	}
	close(fd);
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	if (!ret && n > TUNNEL_PSK_MAX) {
		snprintf(err, errlen, "psk file %s: longer than %d bytes", t->psk_file,
			 TUNNEL_PSK_MAX);
		ret = -EINVAL;
	} else if (!ret && n <= 0) {
		snprintf(err, errlen, "psk file %s is empty", t->psk_file);
		ret = -EINVAL;
	}
	if (!ret) {
		memcpy(t->psk, buf, (size_t)n);
		t->psk_len = (uint16_t)n;
	}
	explicit_bzero(buf, sizeof(buf));
	return ret;
}
