// SPDX-License-Identifier: GPL-2.0
/*
 * nfsec -batch FILE: one command a line, each run in this process as "nfsec [OPTIONS] WORDS"
 * would run it, up to the first that fails. cli_usage() says what a line may hold.
 *
 * A failed line's message names it, "nfsec: FILE:LINE: " in place of the "nfsec: " that
 * the command's own message starts with, though no command knows it runs in a batch:
 *  1. for the whole batch, fd 2 is a memfd, which holds what the running command writes
 *     to standard error;
 *  2. when the command ends, what was held goes on to the real fd 2: as it is if the
 *     command succeeded; if it failed, behind the location, and the batch stops;
 *  3. the real fd 2 is back before batch_run() returns.
 * A line that succeeds and says nothing on standard error costs one lseek(); a run of
 * queued policy adds (below), which say nothing when they succeed, one for the run.
 *
 * Every line's command uses one libnfsec handle (cli_handle_share()), and a run of
 * "policy add" lines goes to the kernel as one request for up to NFSEC_POLICIES_MAX of them
 * (nfsec_policy_queue()), which the kernel applies in order up to the first it refuses:
 *  1. a policy add line queues its policy under its line number and succeeds;
 *  2. the queue is sent before any other line runs (its output or effect may depend on
 *     the policies), when it is full, when a line fails and at the end of the batch;
 *  3. when the kernel refuses a queued policy, the batch stops there, with the message the
 *     line would have had alone, under that line's number: the lines before it are
 *     applied, it and those after it are not, as if each had run alone.
 */
#define _GNU_SOURCE	/* memfd_create() */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <unistd.h>

#include <nfsec.h>

#include "commands.h"

enum {
	BATCH_LINE_MAX = 4096,	/* bytes, without the newline */
	/* "nfsec", one-character words with a blank between them, NULL */
	BATCH_ARGV_MAX = 1 + (BATCH_LINE_MAX + 1) / 2 + 1,
	BATCH_READ = 65536,	/* bytes a read() asks for */
};

struct batch {
	const char *name;	/* FILE as given, "-" for standard input */
	int in;			/* its descriptor */
	size_t pos, len;	/* of what read() gave, in chunk: read into lines, and in all */
	unsigned long line;	/* the number of the line in buf */
	int held;		/* the memfd that is fd 2 while the batch runs */
	int saved;		/* the real fd 2 meanwhile */
	bool unreleased;	/* queued policy adds succeeded, fd 2 not looked at since */
	char buf[BATCH_LINE_MAX + 1];
	char *argv[BATCH_ARGV_MAX];
	char chunk[BATCH_READ];
};

/* "nfsec: FILE:LINE: " on the real standard error, then what fmt says; stdout first. */
static void say_at(const struct batch *b, unsigned long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say_at(const struct batch *b, unsigned long line, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	dprintf(b->saved, "nfsec: %s:%lu: ", b->name, line);
	va_start(ap, fmt);
	vdprintf(b->saved, fmt, ap);
	va_end(ap);
}

#define say(b, ...) say_at(b, (b)->line, __VA_ARGS__)

static void write_all(int fd, const char *text, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, text, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		text += n;
		len -= (size_t)n;
	}
}

static int hold_begin(struct batch *b)
{
	fflush(stderr);
	b->held = memfd_create("nfsec-batch-stderr", MFD_CLOEXEC);
	if (b->held < 0)
		goto err;
	b->saved = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	if (b->saved < 0)
		goto err_close_held;
	if (dup2(b->held, STDERR_FILENO) < 0)
		goto err_close_saved;
	return 0;

err_close_saved:
	close(b->saved);
err_close_held:
	close(b->held);
err:
	fprintf(stderr, "nfsec: -batch: cannot hold standard error: %s\n", strerror(errno));
	return -1;
}

static void hold_end(struct batch *b)
{
	fflush(stderr);
	dup2(b->saved, STDERR_FILENO);
	close(b->saved);
	close(b->held);
}

/* size bytes of what fd 2 held, malloc'd; fewer in *len if they cannot all be read. */
static char *held_read(const struct batch *b, size_t size, size_t *len)
{
	char *text = malloc(size);

	*len = 0;
	while (text && *len < size) {
		ssize_t n = pread(b->held, text + *len, size - *len, (off_t)*len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		*len += (size_t)n;
	}
	return text;
}

/*
 * Passes on what the line's command wrote to standard error, standard output first as
 * when the command runs alone; after the location if status says it failed. 0, or 1 when
 * the batch must stop.
 */
static int held_release(struct batch *b, int status)
{
	const size_t pfx = strlen("nfsec: ");
	char *text = NULL;
	size_t len = 0;
	off_t size;

	fflush(stderr);
	size = lseek(b->held, 0, SEEK_CUR);
	if (size <= 0 && !status)
		return 0;
	fflush(stdout);	/* as a command alone has it: its output, then its error */
	if (size > 0)
		text = held_read(b, (size_t)size, &len);
	if (!status) {
		write_all(b->saved, text, len);
	} else if (len >= pfx && !memcmp(text, "nfsec: ", pfx)) {
		say(b, "%.*s", (int)(len - pfx), text + pfx);
	} else if (len > 0) {
		say(b, "%.*s", (int)len, text);
	} else {
		say(b, "failed\n");
	}
	free(text);
	if (status)
		return 1;
	if (ftruncate(b->held, 0) < 0 || lseek(b->held, 0, SEEK_SET) < 0) {
		say(b, "cannot empty the held standard error: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}

/* More of the file into chunk: how many bytes, 0 at its end, -1 said why. */
static ssize_t chunk_read(struct batch *b)
{
	ssize_t n;

	do {
		n = read(b->in, b->chunk, sizeof(b->chunk));
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		say(b, "%s\n", strerror(errno));
		return -1;
	}
	b->pos = 0;
	b->len = (size_t)n;
	return n;
}

/* len bytes of the line at text, after the *n in buf already: 0, or -1 said why. */
static int line_append(struct batch *b, size_t *n, const char *text, size_t len)
{
	size_t room = BATCH_LINE_MAX - *n;

	/* as the bytes come: a NUL within the limit, else the limit */
	if (memchr(text, '\0', len < room ? len : room)) {
		say(b, "a NUL byte in the line\n");
		return -1;
	}
	if (len > room) {
		say(b, "line longer than %d bytes\n", BATCH_LINE_MAX);
		return -1;
	}
	memcpy(b->buf + *n, text, len);
	*n += len;
	return 0;
}

/*
 * The next line into buf, without its newline: 1, 0 at the end of the file, -1 said why.
 * The file is read a chunk at a time, each line found in it with memchr().
 */
static int line_read(struct batch *b)
{
	size_t n = 0;

	b->line++;
	for (;;) {
		const char *text = b->chunk + b->pos, *nl;
		size_t len = b->len - b->pos;
		ssize_t got;

		if (len == 0) {
			got = chunk_read(b);
			if (got < 0)
				return -1;
			if (got == 0)
				break;
			continue;
		}
		nl = memchr(text, '\n', len);
		if (nl)
			len = (size_t)(nl - text);
		if (line_append(b, &n, text, len) < 0)
			return -1;
		b->pos += len;
		if (nl) {
			b->pos++;
			b->buf[n] = '\0';
			return 1;
		}
	}
	b->buf[n] = '\0';
	return n > 0;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static char *blanks_skip(char *s)
{
	while (is_blank(*s))
		s++;
	return s;
}

/* What ends the plain stretch of a word, which is left where it is: a blank, a quote, NUL. */
static const bool word_stop[256] = {
	['\0'] = true, [' '] = true, ['\t'] = true, ['\r'] = true, ['"'] = true,
};

/*
 * The rest of a word from in, a double quote: the quotes dropped, what they held kept
 * with its blanks, the bytes moved up over the quotes. Where the word ends in the line
 * (its blank or NUL), *end where its NUL goes; NULL for a quote left open.
 */
static char *word_unquote(char *in, char **end)
{
	bool quoted = false;
	char *out = in;

	for (; *in && (quoted || !is_blank(*in)); in++) {
		if (*in == '"')
			quoted = !quoted;
		else
			*out++ = *in;
	}
	if (quoted)
		return NULL;
	*end = out;
	return in;
}

/*
 * The words of line, in place, into words[]: how many (0 for a comment), or -1 for a quote
 * left open. A double quote opens or closes a stretch in which blanks belong to the word;
 * the quotes themselves are dropped, so "" is an empty word.
 */
static int line_split(char *line, char **words)
{
	char *in = blanks_skip(line), *end;
	int n = 0;

	if (*in == '#')
		return 0;
	while (*in) {
		words[n++] = in;
		while (!word_stop[(unsigned char)*in])
			in++;
		end = in;
		if (*in == '"') {
			in = word_unquote(in, &end);
			if (!in)
				return -1;
		}
		/* past the blank before its place (end) may take the NUL */
		if (*in)
			in++;
		*end = '\0';
		in = blanks_skip(in);
	}
	return n;
}

/*
 * Sends the queued policy adds, if any: 0, or 1 after saying which line's policy the
 * kernel refused and why, as that line alone would have said it.
 */
static int queue_send(const struct batch *b)
{
	struct nfsec_handle *h = cli_handle_shared();
	unsigned long failed = 0;

	if (!h || !nfsec_policy_queued(h))
		return 0;
	nfsec_error_clear(h);
	if (nfsec_policy_queue_send(h, &failed) == 0)
		return 0;
	say_at(b, failed, "%s\n", nfsec_error(h));
	return 1;
}

/* What the line that failed wrote, unless a queued policy before it failed first. */
static int line_failed(struct batch *b, int status)
{
	if (queue_send(b))
		return 1;
	return held_release(b, status);
}

static int line_run(struct batch *b, const struct cli_opts *opts, int argc)
{
	struct nfsec_handle *h = cli_handle_shared();
	struct cli_line line;
	bool queue;
	int status;

	cli_line_parse(opts, argc, b->argv, &line);
	queue = line.adds_policy;

	if ((!queue || (h && nfsec_policy_queue_full(h))) && queue_send(b))
		return 1;
	if (!queue && b->unreleased) {
		b->unreleased = false;
		if (held_release(b, 0))
			return 1;
	}
	cli_policy_queue_as(queue ? b->line : 0);
	status = cli_line_run(&line);
	cli_policy_queue_as(0);
	if (status)
		return line_failed(b, status);
	/*
	 * A queued add that succeeded wrote nothing (policy add speaks only of errors): what
	 * fd 2 holds is looked at once for a run of them, not with an lseek() a line, which
	 * was the most of what a batch of adds cost in system calls.
	 */
	if (queue) {
		b->unreleased = true;
		return 0;
	}
	return held_release(b, status);
}

static int lines_run(struct batch *b, const struct cli_opts *opts)
{
	int ret, n;

	while ((ret = line_read(b)) > 0) {
		n = line_split(b->buf, b->argv + 1);
		if (n < 0) {
			if (queue_send(b) == 0)
				say(b, "a double quote left open\n");
			return 1;
		}
		if (n == 0)
			continue;
		b->argv[0] = "nfsec";
		b->argv[n + 1] = NULL;
		if (line_run(b, opts, n + 1))
			return 1;
	}
	/* a line that cannot be read was said before the queued ones were sent */
	if (queue_send(b))
		return 1;
	if (b->unreleased && held_release(b, 0))
		return 1;
	return ret < 0 ? 1 : 0;
}

int batch_run(const struct cli_opts *opts)
{
	struct batch *b = calloc(1, sizeof(*b));
	int status;

	if (!b) {
		fprintf(stderr, "nfsec: -batch: out of memory\n");
		return 1;
	}
	b->name = opts->batch;
	b->in = strcmp(b->name, "-") ? open(b->name, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
	if (b->in < 0) {
		fprintf(stderr, "nfsec: %s: %s\n", b->name, strerror(errno));
		free(b);
		return 1;
	}
	status = 1;
	if (hold_begin(b) == 0) {
		cli_handle_share(true);
		status = lines_run(b, opts);
		cli_handle_share(false);
		hold_end(b);
	}
	if (b->in != STDIN_FILENO)
		close(b->in);
	free(b);
	return status;
}
