// SPDX-License-Identifier: GPL-2.0
/*
 * cli/commands.c and cli/batch.c: command lookup, global options, dispatch and -batch, run
 * without netlink (no case here needs the kernel; the one that runs "version" passes with
 * or without the module).
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* What the last call of record() was given. */
static struct {
	int argc;
	const char *argv0, *argv1;
	bool json;
} recorded;

static int record(const struct cli_opts *opts, int argc, char **argv)
{
	recorded.argc = argc;
	recorded.argv0 = argv[0];
	recorded.argv1 = argc > 1 ? argv[1] : NULL;
	recorded.json = opts->json;
	return 7;
}

static const struct command fake_subcommands[] = {
	{ "show", record, "", "" },
	{ "add", record, "", "" },
	{ "flush", record, "", "" },
	{ NULL, NULL, NULL, NULL },
};

/* The subcommand's argv starts at its own word; the default gets its name alone. */
static void test_subcommand_run(void **state)
{
	struct cli_opts opts = { .json = true };

	(void)state;
	memset(&recorded, 0, sizeof(recorded));
	assert_int_equal(subcommand_run("obj", fake_subcommands, "show", &opts, 1,
					ARGV("obj")), 7);
	assert_int_equal(recorded.argc, 1);
	assert_string_equal(recorded.argv0, "show");
	assert_null(recorded.argv1);
	assert_true(recorded.json);

	assert_int_equal(subcommand_run("obj", fake_subcommands, "show", &opts, 3,
					ARGV("obj", "a", "x")), 7);
	assert_int_equal(recorded.argc, 2);
	assert_string_equal(recorded.argv0, "a");
	assert_string_equal(recorded.argv1, "x");

	assert_int_equal(subcommand_run("obj", fake_subcommands, "flush", &opts, 1,
					ARGV("obj")), 7);
	assert_string_equal(recorded.argv0, "flush");
}

struct parsed {
	int index;
	bool json;
	const char *batch;
	const char *implied;
	struct errmsg err;
};

static struct parsed parse(int argc, char **argv)
{
	struct parsed p = { .err = { "" } };
	struct cli_opts opts = { false };

	p.index = cli_parse_options(argc, argv, &opts, &p.implied, &p.err);
	p.json = opts.json;
	p.batch = opts.batch;
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

	p = PARSE("nfsec", "-batch");
	assert_int_equal(p.index, -1);
	assert_string_equal(p.err.text, "option \"-batch\" needs a FILE");

	p = PARSE("nfsec", "-b", "a", "-batch", "b");
	assert_int_equal(p.index, -1);
	assert_string_equal(p.err.text, "option \"-batch\" given twice");
}

static void test_options_batch(void **state)
{
	struct parsed p;

	(void)state;
	p = PARSE("nfsec", "-batch", "cmds");
	assert_int_equal(p.index, 3);
	assert_string_equal(p.batch, "cmds");
	assert_false(p.json);

	/* abbreviated, and with other options on either side */
	p = PARSE("nfsec", "-j", "-b", "-", "-j");
	assert_int_equal(p.index, 5);
	assert_string_equal(p.batch, "-");
	assert_true(p.json);

	p = PARSE("nfsec", "--batch", "-j");
	assert_int_equal(p.index, 3);
	assert_string_equal(p.batch, "-j");
	assert_false(p.json);

	/* what follows is the caller's to refuse */
	p = PARSE("nfsec", "-ba", "cmds", "policy");
	assert_int_equal(p.index, 3);
	assert_string_equal(p.batch, "cmds");

	p = PARSE("nfsec", "pol");
	assert_null(p.batch);
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

/* --- -batch ------------------------------------------------------------------------- */

/* A file holding len bytes of text, its name in path (unlinked by the caller). */
static void file_make(char *path, const char *text, size_t len)
{
	int fd;

	strcpy(path, "/tmp/nfsec-test-batch-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
}

/* "nfsec [OPTION] -batch FILE" with FILE holding text; option may be NULL. */
static struct run batch(const char *option, const char *text, char *path)
{
	struct run r;

	file_make(path, text, strlen(text));
	if (option)
		r = RUN("nfsec", (char *)option, "-batch", path);
	else
		r = RUN("nfsec", "-batch", path);
	unlink(path);
	return r;
}

/* "nfsec: PATH:LINE: rest" */
static void err_is(const struct run *r, const char *path, int line, const char *rest)
{
	char want[512];

	snprintf(want, sizeof(want), "nfsec: %s:%d: %s", path, line, rest);
	assert_string_equal(r->err, want);
}

/* Comments, blank lines, blanks of every kind and CRLF; the last line has no newline. */
static void test_batch_ok(void **state)
{
	char path[64], want[16384];
	struct run r;

	(void)state;
	r = batch(NULL, "# a comment\n"
			"\n"
			"   \t \n"
			"help version\n"
			"\t  # an indented comment, \"with a quote\n"
			"  sa\t help  \n"
			"help policy\r\n"
			"-h stats\n"
			"#\n"
			"pol h", path);
	snprintf(want, sizeof(want), "%s%s%s%s%s", version_usage, sa_usage, policy_usage,
		 stats_usage, policy_usage);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.err, "");
	assert_string_equal(r.out, want);
	run_free(&r);

	r = batch(NULL, "", path);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "");
	assert_string_equal(r.err, "");
	run_free(&r);

	r = batch(NULL, "# only\n\n", path);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.err, "");
	run_free(&r);
}

/* The first failure ends the batch; the lines before it have run. */
static void test_batch_stops(void **state)
{
	char path[64];
	struct run r;

	(void)state;
	r = batch(NULL, "help version\n# two\n\nfrob\nhelp version\n", path);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, version_usage);
	err_is(&r, path, 4, "unknown command \"frob\", try \"nfsec help\"\n");
	run_free(&r);

	r = batch(NULL, "sa help\nsa frob\n", path);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, sa_usage);
	err_is(&r, path, 2, "sa: unknown command \"frob\", try \"nfsec help sa\"\n");
	run_free(&r);

	r = batch(NULL, "policy add dir out src 10.0.0.0/33\n", path);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "");
	err_is(&r, path, 1, "invalid prefix \"10.0.0.0/33\"\n");
	run_free(&r);

	r = batch(NULL, "stats now\n", path);
	assert_int_equal(r.status, 1);
	err_is(&r, path, 1, "stats takes no arguments (got \"now\"), try \"nfsec help stats\"\n");
	run_free(&r);

	/* a line of options alone is "nfsec -j": the usage, behind the location */
	r = batch(NULL, "-j\n", path);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "");
	{
		char want[128];

		snprintf(want, sizeof(want), "nfsec: %s:1: Usage: nfsec [OPTIONS] COMMAND", path);
		assert_true(strncmp(r.err, want, strlen(want)) == 0);
	}
	run_free(&r);
}

static void test_batch_quotes(void **state)
{
	char path[64], want[16384];
	struct run r;

	(void)state;
	/* the quotes go, what they hold stays in the word they are part of */
	r = batch(NULL, "\"help\" \"version\"\nhelp \"ver\"sion\nhelp \"\"sa\n", path);
	snprintf(want, sizeof(want), "%s%s%s", version_usage, version_usage, sa_usage);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.err, "");
	assert_string_equal(r.out, want);
	run_free(&r);

	/* "" is an empty word, as an empty key would be */
	r = batch(NULL, "help \"\"\n", path);
	assert_int_equal(r.status, 1);
	err_is(&r, path, 1, "unknown command \"\", try \"nfsec help\"\n");
	run_free(&r);

	r = batch(NULL, "policy add dir \"\"\n", path);
	assert_int_equal(r.status, 1);
	err_is(&r, path, 1, "\"dir\" needs one of out, in, fwd, not \"\"\n");
	run_free(&r);

	/* blanks in quotes stay in the word */
	r = batch(NULL, "\"help version\"\n", path);
	assert_int_equal(r.status, 1);
	err_is(&r, path, 1, "unknown command \"help version\", try \"nfsec help\"\n");
	run_free(&r);

	r = batch(NULL, "help version\nhelp \"ver sion\n", path);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, version_usage);
	err_is(&r, path, 2, "a double quote left open\n");
	run_free(&r);

	/* # counts only as a line's first non-blank */
	r = batch(NULL, "\"#\"\n", path);
	assert_int_equal(r.status, 1);
	err_is(&r, path, 1, "unknown command \"#\", try \"nfsec help\"\n");
	run_free(&r);
}

static void test_batch_missing_file(void **state)
{
	struct run r = RUN("nfsec", "-batch", "/nonexistent/nfsec-batch");

	(void)state;
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "");
	assert_string_equal(r.err, "nfsec: /nonexistent/nfsec-batch: No such file or directory\n");
	run_free(&r);
}

/* 4096 bytes without the newline pass; one more does not, with or without a newline. */
static void test_batch_long_line(void **state)
{
	char path[64], *text = malloc(3 * 4100);
	size_t n = 0;
	struct run r;

	(void)state;
	assert_non_null(text);
	memcpy(text, "help", 4);
	memset(text + 4, ' ', 4092);
	n = 4096;
	text[n++] = '\n';
	memcpy(text + n, "help", 4);
	memset(text + n + 4, 'x', 4093);
	n += 4097;
	text[n++] = '\n';
	text[n] = '\0';

	r = batch(NULL, text, path);
	assert_int_equal(r.status, 1);
	assert_true(strncmp(r.out, "Usage: nfsec [OPTIONS] COMMAND", 30) == 0);
	err_is(&r, path, 2, "line longer than 4096 bytes\n");
	run_free(&r);

	/* the last line, without a newline */
	text[n - 1] = '\0';
	r = batch(NULL, text, path);
	assert_int_equal(r.status, 1);
	err_is(&r, path, 2, "line longer than 4096 bytes\n");
	run_free(&r);

	/* 4096 bytes of a last line without a newline are a line */
	text[4096] = '\0';
	r = batch(NULL, text, path);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.err, "");
	run_free(&r);
	free(text);
}

static void test_batch_nul(void **state)
{
	char path[64];
	struct run r;

	(void)state;
	file_make(path, "help\nhelp\0version\n", 18);
	r = RUN("nfsec", "-b", path);
	unlink(path);
	assert_int_equal(r.status, 1);
	err_is(&r, path, 2, "a NUL byte in the line\n");
	run_free(&r);
}

static void test_batch_stdin(void **state)
{
	int saved = dup(STDIN_FILENO), fd;
	char path[64];
	struct run r;

	(void)state;
	file_make(path, "help version\nfoo\n", 17);
	fd = open(path, O_RDONLY);
	assert_true(saved >= 0 && fd >= 0);
	dup2(fd, STDIN_FILENO);
	close(fd);
	unlink(path);

	r = RUN("nfsec", "-b", "-");

	dup2(saved, STDIN_FILENO);
	close(saved);
	clearerr(stdin);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, version_usage);
	assert_string_equal(r.err, "nfsec: -:2: unknown command \"foo\", try \"nfsec help\"\n");
	run_free(&r);
}

static void test_batch_refused(void **state)
{
	char path[64];
	struct run r;

	(void)state;
	r = RUN("nfsec", "-batch");
	assert_int_equal(r.status, 1);
	assert_string_equal(r.err, "nfsec: option \"-batch\" needs a FILE, try \"nfsec help\"\n");
	run_free(&r);

	r = RUN("nfsec", "-b", "x", "policy", "show");
	assert_int_equal(r.status, 1);
	assert_string_equal(r.err, "nfsec: -batch takes no command after FILE (got \"policy\"), "
				   "try \"nfsec help\"\n");
	run_free(&r);

	r = RUN("nfsec", "-b", "x", "-V");
	assert_int_equal(r.status, 1);
	assert_string_equal(r.err, "nfsec: -batch takes no command after FILE (got \"-V\"), "
				   "try \"nfsec help\"\n");
	run_free(&r);

	/* no batch within a batch */
	r = batch(NULL, "help version\n-b /dev/null\n", path);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, version_usage);
	err_is(&r, path, 2, "-batch may not be given in a batch\n");
	run_free(&r);

	r = batch(NULL, "-x help\n", path);
	assert_int_equal(r.status, 1);
	err_is(&r, path, 1, "unknown option \"-x\", try \"nfsec help\"\n");
	run_free(&r);
}

static bool adds_policy(const struct cli_opts *global, int argc, char **argv)
{
	struct cli_line line;

	cli_line_parse(global, argc, argv, &line);
	return line.adds_policy;
}

/*
 * Which batch lines queue their policy add: a "policy add" however abbreviated, behind the
 * options of the line, with those given before -batch (which the line does not repeat).
 */
static void test_batch_line_adds_policy(void **state)
{
	const struct cli_opts global = { .json = false, .batch = "FILE" };

	(void)state;
#define ADDS(...) adds_policy(&global, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__))
	assert_true(ADDS("nfsec", "policy", "add", "dir", "out"));
	assert_true(ADDS("nfsec", "pol", "a", "dir", "out"));
	assert_true(ADDS("nfsec", "-j", "policy", "add"));
	assert_false(ADDS("nfsec", "policy", "show"));
	assert_false(ADDS("nfsec", "policy", "delete", "index", "1"));
	assert_false(ADDS("nfsec", "policy"));
	assert_false(ADDS("nfsec", "sa", "add"));
	assert_false(ADDS("nfsec", "-h", "policy", "add"));
	assert_false(ADDS("nfsec", "-batch", "x", "policy", "add"));
	assert_false(ADDS("nfsec", "-x", "policy", "add"));
#undef ADDS
}

/* What a batch line is told comes from its one parse: the option, the command. */
static void test_batch_line_parse(void **state)
{
	const struct cli_opts global = { .json = true, .batch = "FILE" };
	struct cli_line line;

	(void)state;
#define LINE(...) cli_line_parse(&global, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), &line)
	LINE("nfsec", "pol", "a", "dir", "out");
	assert_int_equal(line.first, 1);
	assert_ptr_equal(line.cmd->handler, policy_main);
	assert_true(line.opts.json);
	assert_null(line.opts.batch);
	LINE("nfsec", "-x", "help");
	assert_int_equal(line.first, -1);
	assert_string_equal(line.err.text, "unknown option \"-x\"");
	LINE("nfsec", "frob");
	assert_null(line.cmd);
	assert_string_equal(line.err.text, "unknown command \"frob\"");
	LINE("nfsec", "-V");
	assert_string_equal(line.cmd->name, "version");
	LINE("nfsec", "-j");
	assert_int_equal(line.first, 2);
	assert_null(line.cmd);
#undef LINE
}

/*
 * -j before -batch holds for every line: "version" prints the tool's release as JSON with
 * or without the module (and fails without it, which ends the batch).
 */
static void test_batch_global_options(void **state)
{
	char path[64], where[128];
	struct run r;

	(void)state;
	r = batch("-j", "version\nhelp version\n", path);
	assert_true(strncmp(r.out, "{\"tool\":\"", 9) == 0);
	if (r.status == 0) {
		assert_non_null(strstr(r.out, "\"module\""));
		assert_non_null(strstr(r.out, version_usage));
		assert_string_equal(r.err, "");
	} else {
		assert_null(strstr(r.out, version_usage));
		snprintf(where, sizeof(where), "nfsec: %s:1: ", path);
		assert_true(strncmp(r.err, where, strlen(where)) == 0);
		assert_null(strstr(r.err + strlen(where), "nfsec: "));
	}
	run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find_real_table),
		cmocka_unit_test(test_find_ambiguous),
		cmocka_unit_test(test_table_complete),
		cmocka_unit_test(test_subcommand_run),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_options_implied),
		cmocka_unit_test(test_options_bad),
		cmocka_unit_test(test_options_batch),
		cmocka_unit_test(test_run_unknown),
		cmocka_unit_test(test_run_bad_option),
		cmocka_unit_test(test_run_no_command),
		cmocka_unit_test(test_run_help),
		cmocka_unit_test(test_run_help_abbreviated),
		cmocka_unit_test(test_run_help_errors),
		cmocka_unit_test(test_run_version_extra_argument),
		cmocka_unit_test(test_batch_ok),
		cmocka_unit_test(test_batch_stops),
		cmocka_unit_test(test_batch_quotes),
		cmocka_unit_test(test_batch_missing_file),
		cmocka_unit_test(test_batch_long_line),
		cmocka_unit_test(test_batch_nul),
		cmocka_unit_test(test_batch_stdin),
		cmocka_unit_test(test_batch_refused),
		cmocka_unit_test(test_batch_global_options),
		cmocka_unit_test(test_batch_line_adds_policy),
		cmocka_unit_test(test_batch_line_parse),
	};

	return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
