/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nfsec-iked's log: to standard error with a timestamp and the level in the foreground,
 * else to syslog (LOG_DAEMON). Levels are syslog's priorities: LOG_ERR, LOG_WARNING,
 * LOG_INFO, LOG_DEBUG; a message above the level set is dropped before it is formatted.
 *
 * A context prefixes a message with what it is about, as IKE logs do:
 *
 *   log_ctx_info(t->conf.name, "phase 1 %s -> %s", "MM_I1", "MM_I2");
 *   => "moon-sun: phase 1 MM_I1 -> MM_I2"
 *
 * Control characters in a line (a peer's id, a client's word) become '?', so nothing a
 * peer sends can forge a line of its own. Lines are cut at LOG_LINE_MAX bytes. There is
 * no helper for keys or secrets, on purpose: nothing logs them.
 *
 * Every function keeps errno as it was.
 */
#ifndef NFSEC_IKED_LOG_H
#define NFSEC_IKED_LOG_H

#include <stdbool.h>
#include <syslog.h>

enum {
	LOG_LINE_MAX = 1024,	/* bytes of one message, context included, without the NUL */
};

#define LOG_FORMAT(fmt_arg) __attribute__((format(printf, fmt_arg, fmt_arg + 1)))

/*
 * ident names the program in syslog; level the highest priority that gets through;
 * to_stderr: standard error instead of syslog. May be called again to change them.
 */
void log_init(const char *ident, int level, bool to_stderr);
void log_set_level(int level);
int log_level(void);
/* closelog() if syslog was opened. */
void log_close(void);

/* The name of a level ("err", "warning", "info", "debug"); log_level_parse() back: -1. */
const char *log_level_name(int level);
int log_level_parse(const char *word);

void log_msg(int level, const char *fmt, ...) LOG_FORMAT(2);
void log_err(const char *fmt, ...) LOG_FORMAT(1);
void log_warn(const char *fmt, ...) LOG_FORMAT(1);
void log_info(const char *fmt, ...) LOG_FORMAT(1);
void log_debug(const char *fmt, ...) LOG_FORMAT(1);

/* "CTX: message"; a NULL ctx is no prefix. */
void log_ctx_msg(int level, const char *ctx, const char *fmt, ...) LOG_FORMAT(3);
void log_ctx_err(const char *ctx, const char *fmt, ...) LOG_FORMAT(2);
void log_ctx_warn(const char *ctx, const char *fmt, ...) LOG_FORMAT(2);
void log_ctx_info(const char *ctx, const char *fmt, ...) LOG_FORMAT(2);
void log_ctx_debug(const char *ctx, const char *fmt, ...) LOG_FORMAT(2);

/*
 * For tests: every line that passes the level goes to sink instead of standard error or
 * syslog, as the message alone (no timestamp, no level). NULL restores the normal output.
 */
typedef void (*log_sink_fn)(int level, const char *line, void *arg);
void log_set_sink(log_sink_fn sink, void *arg);

#endif /* NFSEC_IKED_LOG_H */
