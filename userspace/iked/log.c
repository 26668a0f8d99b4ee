// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's log. One process, one thread: the state is file-local and needs no lock.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static struct {
	int level;
	bool to_stderr;
	bool syslog_open;
	log_sink_fn sink;
	void *sink_arg;
} logger = {
	.level = LOG_INFO,
	.to_stderr = true,
};

static const char *const level_names[] = {
	[LOG_EMERG] = "emerg",
	[LOG_ALERT] = "alert",
	[LOG_CRIT] = "crit",
	[LOG_ERR] = "err",
	[LOG_WARNING] = "warning",
	[LOG_NOTICE] = "notice",
	[LOG_INFO] = "info",
	[LOG_DEBUG] = "debug",
};

void log_init(const char *ident, int level, bool to_stderr)
{
	log_set_level(level);
	logger.to_stderr = to_stderr;
	if (!to_stderr && !logger.syslog_open) {
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
		logger.syslog_open = true;
	}
}

void log_set_level(int level)
{
	if (level < LOG_EMERG)
		level = LOG_EMERG;
	if (level > LOG_DEBUG)
		level = LOG_DEBUG;
	logger.level = level;
}

int log_level(void)
{
	return logger.level;
}

void log_close(void)
{
	if (logger.syslog_open)
		closelog();
	logger.syslog_open = false;
	logger.to_stderr = true;
}

const char *log_level_name(int level)
{
	if (level < 0 || (size_t)level >= ARRAY_SIZE(level_names))
		return "unknown";
	return level_names[level];
}

int log_level_parse(const char *word)
{
	for (size_t i = 0; i < ARRAY_SIZE(level_names); i++)
		if (!strcmp(word, level_names[i]))
			return (int)i;
	return -1;
}

void log_set_sink(log_sink_fn sink, void *arg)
{
	logger.sink = sink;
	logger.sink_arg = arg;
}

/* Control characters, a newline among them, would let a peer's bytes forge a line. */
static void sanitize(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

static void emit(int level, const char *line)
{
	struct timespec ts;
	struct tm tm;
	char stamp[32];

	if (logger.sink) {
		logger.sink(level, line, logger.sink_arg);
		return;
	}
	if (!logger.to_stderr) {
		syslog(level, "%s", line);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(stderr, "%s.%03ld %s: %s\n", stamp, ts.tv_nsec / 1000000, log_level_name(level),
		line);
}

static void vlog(int level, const char *ctx, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX + 1];
	int saved = errno;
	int n = 0;

	if (level > logger.level)
		return;
	if (ctx)
		n = snprintf(line, sizeof(line), "%s: ", ctx);
	if (n < 0)
		n = 0;
	if ((size_t)n < sizeof(line))
		vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	sanitize(line);
	emit(level, line);
	errno = saved;
}

void log_msg(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(level, NULL, fmt, ap);
	va_end(ap);
}

void log_ctx_msg(int level, const char *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(level, ctx, fmt, ap);
	va_end(ap);
}

#define LOG_FN(name, level)						\
	void name(const char *fmt, ...)					\
	{								\
		va_list ap;						\
									\
		va_start(ap, fmt);					\
		vlog(level, NULL, fmt, ap);				\
		va_end(ap);						\
	}

#define LOG_CTX_FN(name, level)						\
	void name(const char *ctx, const char *fmt, ...)		\
	{								\
		va_list ap;						\
									\
		va_start(ap, fmt);					\
		vlog(level, ctx, fmt, ap);				\
		va_end(ap);						\
	}

LOG_FN(log_err, LOG_ERR)
LOG_FN(log_warn, LOG_WARNING)
LOG_FN(log_info, LOG_INFO)
LOG_FN(log_debug, LOG_DEBUG)
LOG_CTX_FN(log_ctx_err, LOG_ERR)
LOG_CTX_FN(log_ctx_warn, LOG_WARNING)
LOG_CTX_FN(log_ctx_info, LOG_INFO)
LOG_CTX_FN(log_ctx_debug, LOG_DEBUG)
