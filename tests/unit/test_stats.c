// SPDX-License-Identifier: GPL-2.0
/*
 * nfsec stats without a kernel: the counters' names, libnfsec's strict parse of the reply
 * (every counter required, padding skipped, newer counters ignored), the text and JSON
 * printers, and the command's refusals.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "capture.h"
#include "commands.h"
#include "internal.h"
#include "nlwalk.h"
#include "prometheus.h"
#include "samples.h"
#include "stats.h"

enum { FAMILY = TEST_FAMILY, COUNT = NFSEC_STAT_A_MAX + 1, FIRST = NFSEC_STAT_A_PAD + 1 };

/* In enum order, as the UAPI header comments them. */
static const char *const names[] = {
	"out-packets", "out-bytes", "in-packets", "in-bytes", "out-no-sa", "out-hold-full",
	"out-discard", "out-seq-overflow", "out-expired", "out-no-route", "out-too-big",
	"out-error", "in-no-sa", "in-malformed", "in-replay", "in-auth-fail", "in-selector",
	"in-not-protected", "in-discard", "in-expired", "in-error", "acquires", "out-hdr-error",
	"in-hdr-error", "in-dummy", "in-keepalive",
};

static void test_names(void **state)
{
	(void)state;
	assert_int_equal(sizeof(names) / sizeof(names[0]), COUNT - FIRST);
	assert_null(nfsec_stat_name(NFSEC_STAT_A_UNSPEC));
	assert_null(nfsec_stat_name(NFSEC_STAT_A_PAD));
	assert_null(nfsec_stat_name(NFSEC_STAT_A_MAX + 1));
	assert_null(nfsec_stat_name(-1));
	for (int attr = FIRST; attr < COUNT; attr++)
		assert_string_equal(nfsec_stat_name(attr), names[attr - FIRST]);
	assert_string_equal(nfsec_stat_name(NFSEC_STAT_A_OUT_NO_SA), "out-no-sa");
	assert_string_equal(nfsec_stat_name(NFSEC_STAT_A_ACQUIRES), "acquires");
}

/* How to spoil a reply. */
struct spoil {
	int drop;		/* an NFSEC_STAT_A_* to leave out */
	bool pad;		/* a zero-length NFSEC_STAT_A_PAD before each counter */
	bool newer;		/* a counter from a newer module */
	uint8_t cmd;		/* 0: NFSEC_CMD_STATS_GET */
	bool no_stats;		/* leave NFSEC_A_STATS out */
};

/* Counter attr is 1000 * attr + 1, so every one is told apart. */
static struct nl_msg *reply_build(struct spoil s)
{
	struct nl_msg *msg = reply_new(s.cmd ? s.cmd : NFSEC_CMD_STATS_GET);
	struct nlattr *nest;

	if (s.no_stats)
		return msg;
	nest = nla_nest_start(msg, NFSEC_A_STATS | NLA_F_NESTED);
	assert_non_null(nest);
	for (int attr = FIRST; attr <= NFSEC_STAT_A_MAX + (s.newer ? 1 : 0); attr++) {
		if (attr == s.drop)
			continue;
		if (s.pad)
			assert_int_equal(nla_put(msg, NFSEC_STAT_A_PAD, 0, NULL), 0);
		assert_int_equal(nla_put_u64(msg, attr, 1000 * (uint64_t)attr + 1), 0);
	}
	assert_int_equal(nla_nest_end(msg, nest), 0);
	return msg;
}

/* Parses msg (freed) into out[]; returns the result. */
static int parse(struct nfsec_handle *h, struct nl_msg *msg, uint64_t *out,
		 unsigned int *count)
{
	struct nfsec_stats_reply reply = { .out = out };
	int ret;

	for (int attr = 0; attr < COUNT; attr++)
		out[attr] = 0xa5a5a5a5a5a5a5a5;
	ret = nfsec_stats_parse(h, nlmsg_hdr(msg), &reply);
	*count = reply.count;
	nlmsg_free(msg);
	return ret;
}

static void reply_ok(struct spoil s)
{
	struct nfsec_handle h = { .family = FAMILY };
	uint64_t out[COUNT];
	unsigned int count;

	assert_int_equal(parse(&h, reply_build(s), out, &count), 0);
	assert_int_equal(count, 1);
	assert_int_equal(out[NFSEC_STAT_A_UNSPEC], 0);
	assert_int_equal(out[NFSEC_STAT_A_PAD], 0);
	for (int attr = FIRST; attr < COUNT; attr++)
		assert_int_equal(out[attr], 1000 * (uint64_t)attr + 1);
}

static void reply_fails(struct spoil s, const char *want)
{
	struct nfsec_handle h = { .family = FAMILY };
	uint64_t out[COUNT];
	unsigned int count;

	assert_int_equal(parse(&h, reply_build(s), out, &count), -EBADMSG);
	assert_int_equal(count, 0);
	assert_int_equal(out[FIRST], 0xa5a5a5a5a5a5a5a5);
	assert_string_equal(nfsec_error(&h), want);
}

static void test_reply(void **state)
{
	(void)state;
	reply_ok((struct spoil){ 0 });
	/* nla_put_u64_64bit() pads where the platform needs it: as often as it likes */
	reply_ok((struct spoil){ .pad = true });
	reply_ok((struct spoil){ .newer = true, .pad = true });
}

static void test_reply_bad(void **state)
{
	char want[128];

	(void)state;
	for (int attr = FIRST; attr < COUNT; attr++) {
		snprintf(want, sizeof(want), "get stats: reply lacks the counter %s (%d)",
			 names[attr - FIRST], attr);
		reply_fails((struct spoil){ .drop = attr }, want);
	}
	reply_fails((struct spoil){ .no_stats = true }, "get stats: reply lacks NFSEC_A_STATS");
	reply_fails((struct spoil){ .cmd = NFSEC_CMD_SA_GET },
		    "get stats: reply to command 8, expected 10");
}

static void test_reply_malformed(void **state)
{
	struct nfsec_handle h = { .family = FAMILY };
	uint64_t out[COUNT];
	unsigned int count;
	struct nl_msg *msg;
	struct nlattr *nest;

	(void)state;
	/* a u32 counter */
	msg = reply_new(NFSEC_CMD_STATS_GET);
	nest = nla_nest_start(msg, NFSEC_A_STATS | NLA_F_NESTED);
	assert_int_equal(nla_put_u32(msg, NFSEC_STAT_A_IN_REPLAY, 1), 0);
	assert_int_equal(nla_nest_end(msg, nest), 0);
	assert_int_equal(parse(&h, msg, out, &count), -EBADMSG);
	assert_string_equal(nfsec_error(&h), "get stats: malformed reply: attribute 16 in "
					     "NFSEC_A_STATS: Input data out of range");
	/* a counter twice */
	msg = reply_new(NFSEC_CMD_STATS_GET);
	nest = nla_nest_start(msg, NFSEC_A_STATS | NLA_F_NESTED);
	for (int attr = FIRST; attr < COUNT; attr++)
		assert_int_equal(nla_put_u64(msg, attr, 1), 0);
	assert_int_equal(nla_put_u64(msg, NFSEC_STAT_A_ACQUIRES, 1), 0);
	assert_int_equal(nla_nest_end(msg, nest), 0);
	assert_int_equal(parse(&h, msg, out, &count), -EBADMSG);
	assert_string_equal(nfsec_error(&h), "get stats: malformed reply: attribute 23 in "
					     "NFSEC_A_STATS appears twice");
	/* the nest twice */
	msg = reply_build((struct spoil){ 0 });
	nest = nla_nest_start(msg, NFSEC_A_STATS | NLA_F_NESTED);
	assert_int_equal(nla_put_u64(msg, NFSEC_STAT_A_ACQUIRES, 1), 0);
	assert_int_equal(nla_nest_end(msg, nest), 0);
	assert_int_equal(parse(&h, msg, out, &count), -EBADMSG);
	assert_string_equal(nfsec_error(&h), "get stats: malformed reply: attribute 8 appears "
					     "twice");
}

static void test_handle_not_open(void **state)
{
	struct nfsec_handle h = { .family = 0 };
	uint64_t out[COUNT];

	(void)state;
	assert_int_equal(nfsec_stats_get(&h, out), -ENOTCONN);
	assert_string_equal(nfsec_error(&h), "get stats: the handle is not open");
}

static char *print(bool json, const uint64_t *stats)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(stats_print(f, json, stats), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void starts_with(const char *got, const char *want)
{
	if (strncmp(got, want, strlen(want)))
		fail_msg("\"%s\" does not start with \"%s\"", got, want);
}

static void test_print(void **state)
{
	uint64_t stats[COUNT] = { 0 };
	char want[2048], *got;
	size_t off = 0;

	(void)state;
	for (int attr = FIRST; attr < COUNT; attr++)
		stats[attr] = attr == NFSEC_STAT_A_IN_BYTES ? UINT64_MAX : (uint64_t)attr * 3;
	for (int attr = FIRST; attr < COUNT; attr++)
		off += (size_t)snprintf(want + off, sizeof(want) - off, "%s %llu\n",
					names[attr - FIRST],
					(unsigned long long)stats[attr]);
	got = print(false, stats);
	assert_string_equal(got, want);
	free(got);
	starts_with(want, "out-packets 6\nout-bytes 9\nin-packets 12\n"
			    "in-bytes 18446744073709551615\nout-no-sa 18\n");

	got = print(true, stats);
	starts_with(got, "{\"out_packets\":6,\"out_bytes\":9,\"in_packets\":12,"
			    "\"in_bytes\":18446744073709551615,\"out_no_sa\":18,"
			    "\"out_hold_full\":21,");
	assert_non_null(strstr(got, ",\"in_not_protected\":57,"));
	assert_non_null(strstr(got, ",\"acquires\":69,\"out_hdr_error\":72,\"in_hdr_error\":75,"
				    "\"in_dummy\":78,\"in_keepalive\":81}\n"));
	assert_null(strchr(got, '-'));
	free(got);
}

static char *prometheus(const uint64_t *stats, const struct nfsec_sa *sas, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(prometheus_print(f, stats, sas, n), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void has_line(const char *text, const char *line)
{
	char want[512];

	snprintf(want, sizeof(want), "\n%s\n", line);
	if (!strstr(text, want))
		fail_msg("no line \"%s\" in:\n%s", line, text);
}

/*
 * Each family's HELP and TYPE once, its samples right after them and named for it, every
 * line a comment or "name[{labels}] value": what a scraper takes. The families in order.
 */
static void families_are(const char *text, const char *const *want, size_t count)
{
	char *copy = strdup(text), *save = NULL, family[128] = "";
	size_t seen = 0;

	assert_non_null(copy);
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[128], type[16];

		if (sscanf(line, "# TYPE %127s %15s", name, type) == 2) {
			assert_true(seen < count);
			assert_string_equal(name, want[seen]);
			assert_true(!strcmp(type, "counter") || !strcmp(type, "gauge"));
			snprintf(family, sizeof(family), "%s", name);
			seen++;
			continue;
		}
		if (!strncmp(line, "# HELP ", 7)) {
			assert_true(seen < count);
			assert_int_equal(strncmp(line + 7, want[seen], strlen(want[seen])), 0);
			continue;
		}
		assert_int_equal(strncmp(line, family, strlen(family)), 0);
		assert_true(line[strlen(family)] == '{' || line[strlen(family)] == ' ');
		assert_non_null(strrchr(line, ' '));
		assert_true(strspn(strrchr(line, ' ') + 1, "0123456789") ==
			    strlen(strrchr(line, ' ') + 1));
	}
	assert_int_equal(seen, count);
	free(copy);
}

static void test_prometheus(void **state)
{
	static const char *const families[] = {
		"nfsec_packets_total", "nfsec_bytes_total", "nfsec_drops_total",
		"nfsec_acquires_total", "nfsec_sa_packets_total", "nfsec_sa_bytes_total",
		"nfsec_sa_drops_total", "nfsec_sa_age_seconds", "nfsec_sa_seconds_left",
		"nfsec_sa_bytes_left",
	};
	struct nfsec_sa sas[2] = { sample_sa_out(), sample_sa_in() };
	uint64_t stats[COUNT] = { 0 };
	char *got;

	(void)state;
	for (int attr = FIRST; attr < COUNT; attr++)
		stats[attr] = (uint64_t)attr * 3;
	stats[NFSEC_STAT_A_IN_BYTES] = UINT64_MAX;
	got = prometheus(stats, sas, 2);
	families_are(got, families, sizeof(families) / sizeof(families[0]));
	has_line(got, "# TYPE nfsec_packets_total counter");
	has_line(got, "nfsec_packets_total{dir=\"out\"} 6");
	has_line(got, "nfsec_packets_total{dir=\"in\"} 12");
	has_line(got, "nfsec_bytes_total{dir=\"in\"} 18446744073709551615");
	has_line(got, "nfsec_drops_total{reason=\"out-no-sa\"} 18");
	has_line(got, "nfsec_drops_total{reason=\"in-replay\"} 48");
	has_line(got, "nfsec_drops_total{reason=\"in-dummy\"} 78");
	has_line(got, "nfsec_acquires_total 69");
	/* every drop counter as a reason, and not the packets, bytes or acquires */
	for (int attr = FIRST; attr < COUNT; attr++) {
		char line[128];
		bool traffic = attr == NFSEC_STAT_A_OUT_PACKETS || attr == NFSEC_STAT_A_OUT_BYTES ||
			       attr == NFSEC_STAT_A_IN_PACKETS || attr == NFSEC_STAT_A_IN_BYTES ||
			       attr == NFSEC_STAT_A_ACQUIRES;

		snprintf(line, sizeof(line), "nfsec_drops_total{reason=\"%s\"}",
			 nfsec_stat_name(attr));
		assert_int_equal(strstr(got, line) != NULL, !traffic);
	}
	has_line(got, "nfsec_sa_packets_total{spi=\"0x00001000\",dir=\"out\",src=\"10.0.0.1\","
		      "dst=\"10.0.0.2\",reqid=\"1\"} 12");
	has_line(got, "nfsec_sa_bytes_total{spi=\"0xfffffffe\",dir=\"in\",src=\"2001:db8::1\","
		      "dst=\"2001:db8::2\",reqid=\"4294967295\"} 18446744073709551615");
	has_line(got, "nfsec_sa_drops_total{spi=\"0x00001000\",dir=\"out\",src=\"10.0.0.1\","
		      "dst=\"10.0.0.2\",reqid=\"1\",reason=\"replay\"} 3");
	has_line(got, "nfsec_sa_drops_total{spi=\"0x00001000\",dir=\"out\",src=\"10.0.0.1\","
		      "dst=\"10.0.0.2\",reqid=\"1\",reason=\"auth-fail\"} 1");
	has_line(got, "nfsec_sa_drops_total{spi=\"0xfffffffe\",dir=\"in\",src=\"2001:db8::1\","
		      "dst=\"2001:db8::2\",reqid=\"4294967295\",reason=\"error\"} "
		      "18446744073709551615");
	has_line(got, "nfsec_sa_age_seconds{spi=\"0x00001000\",dir=\"out\",src=\"10.0.0.1\","
		      "dst=\"10.0.0.2\",reqid=\"1\"} 5");
	/* the limits only of the SA that has them: the inbound one, its bytes used up */
	has_line(got, "nfsec_sa_seconds_left{spi=\"0xfffffffe\",dir=\"in\",src=\"2001:db8::1\","
		      "dst=\"2001:db8::2\",reqid=\"4294967295\"} 18446744073709551615");
	has_line(got, "nfsec_sa_bytes_left{spi=\"0xfffffffe\",dir=\"in\",src=\"2001:db8::1\","
		      "dst=\"2001:db8::2\",reqid=\"4294967295\"} 0");
	assert_null(strstr(got, "nfsec_sa_seconds_left{spi=\"0x00001000\""));
	assert_null(strstr(got, "nfsec_sa_bytes_left{spi=\"0x00001000\""));
	free(got);

	/* no SA: the families still there, without samples */
	got = prometheus(stats, NULL, 0);
	families_are(got, families, sizeof(families) / sizeof(families[0]));
	assert_null(strstr(got, "nfsec_sa_packets_total{"));
	free(got);
}

static void test_label_escape(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(f);
	prometheus_label_value(f, "a\\b\"c\nd");
	prometheus_label_value(f, "");
	assert_int_equal(fclose(f), 0);
	assert_string_equal(buf, "\"a\\\\b\\\"c\\nd\"\"\"");
	free(buf);
}

static void test_run(void **state)
{
	struct run a = RUN("nfsec", "stats", "all");
	struct run b = RUN("nfsec", "help", "stats");
	struct run c = RUN("nfsec", "stats", "help");
	struct errmsg err = { "" };

	(void)state;
	assert_int_equal(a.status, 1);
	assert_string_equal(a.out, "");
	assert_string_equal(a.err, "nfsec: stats takes no arguments (got \"all\"), "
				   "try \"nfsec help stats\"\n");
	assert_int_equal(b.status, 0);
	assert_string_equal(b.out, stats_usage);
	assert_int_equal(c.status, 0);
	assert_string_equal(c.out, stats_usage);
	/* the usage explains every counter */
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		assert_non_null(strstr(stats_usage, names[i]));
	/* "s" is sa or stats now; "st" is stats */
	assert_null(command_find(nfsec_commands, "s", &err));
	assert_string_equal(err.text, "ambiguous command \"s\" (could be sa, stats)");
	assert_string_equal(command_find(nfsec_commands, "st", &err)->name, "stats");
	run_free(&a);
	run_free(&b);
	run_free(&c);
	/* prometheus has its own format: -j with it is refused */
	a = RUN("nfsec", "-j", "stats", "prometheus");
	assert_int_equal(a.status, 1);
	assert_string_equal(a.out, "");
	assert_string_equal(a.err, "nfsec: stats prometheus has a format of its own: no -j\n");
	run_free(&a);
	a = RUN("nfsec", "stats", "prometheus", "now");
	assert_int_equal(a.status, 1);
	assert_string_equal(a.err, "nfsec: stats takes no arguments (got \"prometheus\"), "
				   "try \"nfsec help stats\"\n");
	run_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_reply),
		cmocka_unit_test(test_reply_bad),
		cmocka_unit_test(test_reply_malformed),
		cmocka_unit_test(test_handle_not_open),
		cmocka_unit_test(test_print),
		cmocka_unit_test(test_prometheus),
		cmocka_unit_test(test_label_escape),
		cmocka_unit_test(test_run),
	};

	return cmocka_run_group_tests_name("stats", tests, NULL, NULL);
}
