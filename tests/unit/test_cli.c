// SPDX-License-Identifier: GPL-2.0
/*
 * cli/commands.c: command lookup, global options and dispatch, run without netlink (no
 * case here reaches a command that talks to the kernel).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "capture.h"
#include "commands.h"

static int dummy(const struct cli_opts *opts, int argc, char **argv)
{
	(void)opts;
	(void)argc;
	(void)argv;
	return 0;
}

static const struct command fake_table[] = {
	{ "sa", dummy, "", "" },
	{ "sad", dummy, "", "" },
	{ "set", dummy, "", "" },
	{ "show", dummy, "", "" },
	{ "policy", dummy, "", "" },
	{ NULL, NULL, NULL, NULL },
};

/* want is the name word resolves to, or the message of the failed lookup. */
static void finds(const struct command *table, const char *word, const char *want)
{
	struct errmsg err = { "" };
	const struct command *c = command_find(table, word, &err);

	assert_string_equal(c ? c->name : err.text, want);
}

static void test_find_real_table(void **state)
{
	(void)state;
	finds(nfsec_commands, "version", "version");
	finds(nfsec_commands, "ver", "version");
	finds(nfsec_commands, "v", "version");
	finds(nfsec_commands, "help", "help");
	finds(nfsec_commands, "h", "help");
	finds(nfsec_commands, "pol", "policy");
	finds(nfsec_commands, "p", "policy");
	finds(nfsec_commands, "sa", "sa");
	finds(nfsec_commands, "st", "stats");
	finds(nfsec_commands, "s", "ambiguous command \"s\" (could be sa, stats)");
	finds(nfsec_commands, "m", "monitor");
	finds(nfsec_commands, "foo", "unknown command \"foo\"");
	finds(nfsec_commands, "versionx", "unknown command \"versionx\"");
	finds(nfsec_commands, "", "unknown command \"\"");
	finds(nfsec_commands, "Version", "unknown command \"Version\"");
}

static void test_find_ambiguous(void **state)
{
	(void)state;
	finds(fake_table, "s", "ambiguous command \"s\" (could be sa, sad, set, show)");
	finds(fake_table, "sa", "sa");	/* exact beats prefix of sad */
	finds(fake_table, "sad", "sad");
	finds(fake_table, "se", "set");
	finds(fake_table, "sh", "show");
	finds(fake_table, "p", "policy");
	finds(fake_table, "sadx", "unknown command \"sadx\"");
}

/* Every command resolves to itself and can be described by "nfsec help NAME". */
static void test_table_complete(void **state)
{
	(void)state;
	for (const struct command *c = nfsec_commands; c->name; c++) {
		assert_non_null(c->handler);
		assert_non_null(c->help);
		assert_true(strlen(c->help) > 0);
		assert_non_null(c->usage);
		assert_true(strncmp(c->usage, "Usage: nfsec ", 13) == 0);
		finds(nfsec_commands, c->name, c->name);
	}
}

struct parsed {
	int index;
	bool json;
	const char *implied;
	struct errmsg err;
};

static struct parsed parse(int argc, char **argv)
{
	struct parsed p = { .err = { "" } };
	struct cli_opts opts = { false };

	p.index = cli_parse_options(argc, argv, &opts, &p.implied, &p.err);
	p.json = opts.json;
	return p;
}

#define PARSE(...) parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__))

static void test_options(void **state)
{
	struct parsed p;

	(void)state;
	p = PARSE("nfsec", "version");
	assert_int_equal(p.index, 1);
	assert_false(p.json);
	assert_null(p.implied);

	p = PARSE("nfsec", "-j", "version");
	assert_int_equal(p.index, 2);
	assert_true(p.json);

	p = PARSE("nfsec", "-json", "ver");
	assert_int_equal(p.index, 2);
	assert_true(p.json);

	p = PARSE("nfsec", "--json", "ver");
	assert_int_equal(p.index, 2);
	assert_true(p.json);

	p = PARSE("nfsec");
	assert_int_equal(p.index, 1);

	p = PARSE("nfsec", "-j");
	assert_int_equal(p.index, 2);
	assert_true(p.json);

	p = PARSE("nfsec", "--", "-j");
	assert_int_equal(p.index, 2);
	assert_false(p.json);
}

static void test_options_implied(void **state)
{
	struct parsed p;

	(void)state;
	p = PARSE("nfsec", "-V");
	assert_int_equal(p.index, 1);
	assert_string_equal(p.implied, "version");

	p = PARSE("nfsec", "-j", "-Version");
	assert_int_equal(p.index, 2);
	assert_true(p.json);
	assert_string_equal(p.implied, "version");

	/* options after -h belong to help, as if "help" stood there */
	p = PARSE("nfsec", "-h", "-j");
	assert_int_equal(p.index, 1);
	assert_false(p.json);
	assert_string_equal(p.implied, "help");
}

static void test_options_bad(void **state)
{
	struct parsed p;

	(void)state;
	p = PARSE("nfsec", "-x", "version");
	assert_int_equal(p.index, -1);
	assert_string_equal(p.err.text, "unknown option \"-x\"");

	p = PARSE("nfsec", "-jsonx");
	assert_int_equal(p.index, -1);
	assert_string_equal(p.err.text, "unknown option \"-jsonx\"");

	/* option names are case sensitive: -v is not -V */
	p = PARSE("nfsec", "-v");
	assert_int_equal(p.index, -1);
}

static void test_run_unknown(void **state)
{
	struct run r = RUN("nfsec", "foo");

	(void)state;
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "");
	assert_string_equal(r.err, "nfsec: unknown command \"foo\", try \"nfsec help\"\n");
	run_free(&r);
}

static void test_run_bad_option(void **state)
{
	struct run r = RUN("nfsec", "-x", "version");

	(void)state;
	assert_int_equal(r.status, 1);
	assert_string_equal(r.err, "nfsec: unknown option \"-x\", try \"nfsec help\"\n");
	run_free(&r);
}

static void test_run_no_command(void **state)
{
	struct run r = RUN("nfsec");

	(void)state;
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "");
	assert_non_null(strstr(r.err, "Usage: nfsec [OPTIONS] COMMAND"));
	run_free(&r);
}

static void test_run_help(void **state)
{
	struct run r = RUN("nfsec", "help");

	(void)state;
	assert_int_equal(r.status, 0);
	assert_string_equal(r.err, "");
	assert_true(strncmp(r.out, "Usage: nfsec [OPTIONS] COMMAND", 30) == 0);
	/* the list names every command with its one-line help */
	for (const struct command *c = nfsec_commands; c->name; c++) {
		char line[128];

		snprintf(line, sizeof(line), "  %-14s %s\n", c->name, c->help);
		assert_non_null(strstr(r.out, line));
	}
	run_free(&r);
}

static void test_run_help_abbreviated(void **state)
{
	struct run a = RUN("nfsec", "h", "ver");
	struct run b = RUN("nfsec", "-h", "version");
	struct run c = RUN("nfsec", "version", "help");

	(void)state;
	assert_int_equal(a.status, 0);
	assert_string_equal(a.out, version_usage);
	assert_int_equal(b.status, 0);
	assert_string_equal(b.out, version_usage);
	assert_int_equal(c.status, 0);
	assert_string_equal(c.out, version_usage);
	run_free(&a);
	run_free(&b);
	run_free(&c);
}

static void test_run_help_errors(void **state)
{
	struct run a = RUN("nfsec", "help", "foo");
	struct run b = RUN("nfsec", "help", "version", "extra");

	(void)state;
	assert_int_equal(a.status, 1);
	assert_string_equal(a.out, "");
	assert_string_equal(a.err, "nfsec: unknown command \"foo\", try \"nfsec help\"\n");
	assert_int_equal(b.status, 1);
	assert_string_equal(b.err, "nfsec: help takes one command at most, try \"nfsec help\"\n");
	run_free(&a);
	run_free(&b);
}

/* Refused before any netlink is opened. */
static void test_run_version_extra_argument(void **state)
{
	struct run r = RUN("nfsec", "ver", "now");

	(void)state;
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "");
	assert_string_equal(r.err, "nfsec: version takes no arguments (got \"now\"), "
				   "try \"nfsec help version\"\n");
	run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find_real_table),
		cmocka_unit_test(test_find_ambiguous),
		cmocka_unit_test(test_table_complete),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_options_implied),
		cmocka_unit_test(test_options_bad),
		cmocka_unit_test(test_run_unknown),
		cmocka_unit_test(test_run_bad_option),
		cmocka_unit_test(test_run_no_command),
		cmocka_unit_test(test_run_help),
		cmocka_unit_test(test_run_help_abbreviated),
		cmocka_unit_test(test_run_help_errors),
		cmocka_unit_test(test_run_version_extra_argument),
	};

	return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
