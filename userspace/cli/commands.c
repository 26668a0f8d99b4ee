// SPDX-License-Identifier: GPL-2.0
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <nfsec.h>

#include "commands.h"

const struct command nfsec_commands[] = {
	{ "version", version_main,
	  "show the versions of this tool and of the loaded module", version_usage },
	{ "policy", policy_main, "add, delete, show and flush security policies", policy_usage },
	{ "sa", sa_main, "add, delete, show and flush security associations", sa_usage },
	{ "stats", stats_main, "show how many packets were protected, accepted and dropped",
	  stats_usage },
	{ "monitor", monitor_main, "print policy and SA changes, acquires and expires as they come",
	  monitor_usage },
	{ "tunnel", tunnel_main, "add, delete, bring up and down, and show nfsec-iked's tunnels",
	  tunnel_usage },
	{ "help", help_main, "show this text, or how to use one command", help_usage },
	{ NULL, NULL, NULL, NULL },
};

const char help_usage[] =
	"Usage: nfsec help [COMMAND]\n"
	"\n"
	"Without COMMAND, print the synopsis of nfsec, its global options and the list of\n"
	"commands. With COMMAND (which may be abbreviated), print how to use that command.\n"
	"\"nfsec -h\" is the same as \"nfsec help\".\n"
	"\n"
	"Exit status: 0, or 1 if COMMAND is unknown or ambiguous.\n";

static void ambiguous(const struct command *table, const char *word, struct errmsg *err)
{
	size_t len = sizeof(err->text);
	const char *sep = "";
	int off;

	off = snprintf(err->text, len, "ambiguous command \"%s\" (could be ", word);
	for (const struct command *c = table; c->name && off >= 0 && (size_t)off < len; c++) {
		if (!matches(word, c->name))
			continue;
		off += snprintf(err->text + off, len - off, "%s%s", sep, c->name);
		sep = ", ";
	}
	if (off >= 0 && (size_t)off < len)
		snprintf(err->text + off, len - off, ")");
}

const struct command *command_find(const struct command *table, const char *word,
				   struct errmsg *err)
{
	const struct command *found = NULL;
	unsigned int n = 0;

	for (const struct command *c = table; c->name; c++) {
		if (word_is(word, c->name))
			return c;
		if (matches(word, c->name)) {
			found = c;
			n++;
		}
	}
	if (n == 1)
		return found;
	if (n == 0)
		errmsg_set(err, "unknown command \"%s\"", word);
	else
		ambiguous(table, word, err);
	return NULL;
}

int cli_parse_options(int argc, char **argv, struct cli_opts *opts, const char **implied,
		      struct errmsg *err)
{
	int i;

	*implied = NULL;
	for (i = 1; i < argc; i++) {
		const char *opt = argv[i];

		if (opt[0] != '-' || opt[1] == '\0')
			break;
		if (!strcmp(opt, "--"))
			return i + 1;
		/* iproute2 style: one dash and a word, which may be abbreviated; -- works too */
		opt += opt[1] == '-' ? 2 : 1;
		if (matches(opt, "json")) {
			opts->json = true;
		} else if (matches(opt, "Version")) {
			*implied = "version";
			return i;
		} else if (matches(opt, "help")) {
			*implied = "help";
			return i;
		} else if (matches(opt, "batch")) {
			if (opts->batch) {
				errmsg_set(err, "option \"%s\" given twice", argv[i]);
				return -1;
			}
			if (i + 1 == argc) {
				errmsg_set(err, "option \"%s\" needs a FILE", argv[i]);
				return -1;
			}
			opts->batch = argv[++i];
		} else {
			errmsg_set(err, "unknown option \"%s\"", argv[i]);
			return -1;
		}
	}
	return i;
}

void cli_usage(FILE *out)
{
	fputs("Usage: nfsec [OPTIONS] COMMAND [ARGUMENTS]\n"
	      "       nfsec [OPTIONS] -batch FILE\n"
	      "\n"
	      "Configure and inspect nfsec, IPsec as a Linux kernel module, through its generic\n"
	      "netlink family \"nfsec\". Everything applies to the network namespace nfsec runs in.\n"
	      "\n"
	      "Options, before COMMAND:\n"
	      "  -j, -json      print JSON instead of text\n"
	      "  -V, -Version   the same as \"nfsec version\"\n"
	      "  -h, -help      the same as \"nfsec help\"\n"
	      "  -b, -batch FILE\n"
	      "                 run the commands in FILE (\"-\": standard input), one a line\n"
	      "\n"
	      "Commands:\n", out);
	for (const struct command *c = nfsec_commands; c->name; c++)
		fprintf(out, "  %-14s %s\n", c->name, c->help);
	fputs("\n"
	      "Commands and options may be abbreviated to any unique prefix, as in \"nfsec ver\".\n"
	      "\"nfsec help COMMAND\" describes one command.\n"
	      "\n"
	      "-batch runs each line of FILE in turn as \"nfsec [OPTIONS] LINE\" would, with the\n"
	      "options given before -batch; the first line that fails ends it, exit status 1.\n"
	      "A line's words are split at blanks; within double quotes blanks are kept, and \"\"\n"
	      "is an empty word. Blank lines and lines whose first non-blank is # are skipped.\n"
	      "A line longer than 4096 bytes, or with a quote left open, is an error. A failed\n"
	      "line's error message says where it came from: \"nfsec: FILE:LINE: \" in place of\n"
	      "its own \"nfsec: \" (the rest of its standard error follows as it is).\n"
	      "\n"
	      "Exit status: 0 on success, 1 on any error; the reason goes to standard error.\n",
	      out);
}

/*
 * In a batch, one handle serves every line (opened by the first that needs it, so that a
 * batch of "help" needs no module), and the policy adds of the lines batch.c marks are
 * queued on it under their line number (queue_tag, 0 when not queueing).
 */
static struct {
	bool on;
	struct nfsec_handle *h;
	unsigned long queue_tag;
} shared;

struct nfsec_handle *cli_handle_open_own(void)
{
	struct nfsec_handle *h;

	if (nfsec_open(&h) == 0)
		return h;
	fprintf(stderr, "nfsec: %s\n", nfsec_error(h));
	nfsec_close(h);
	return NULL;
}

struct nfsec_handle *cli_handle_open(void)
{
	if (!shared.on)
		return cli_handle_open_own();
	if (!shared.h)
		shared.h = cli_handle_open_own();
	else
		nfsec_error_clear(shared.h);
	return shared.h;
}

int cli_handle_done(struct nfsec_handle *h, int ret)
{
	if (ret < 0) {
		fflush(stdout);
		fprintf(stderr, "nfsec: %s\n", nfsec_error(h));
	}
	if (h != shared.h)
		nfsec_close(h);
	return ret < 0 ? 1 : 0;
}

void cli_handle_share(bool on)
{
	if (!on) {
		nfsec_close(shared.h);
		shared.h = NULL;
	}
	shared.on = on;
	shared.queue_tag = 0;
}

struct nfsec_handle *cli_handle_shared(void)
{
	return shared.h;
}

void cli_policy_queue_as(unsigned long tag)
{
	shared.queue_tag = shared.on ? tag : 0;
}

int cli_policy_add(struct nfsec_handle *h, const struct nfsec_policy *p)
{
	if (shared.queue_tag && h == shared.h)
		return nfsec_policy_queue(h, p, shared.queue_tag);
	return nfsec_policy_add(h, p);
}

static int try_help(const char *what)
{
	fprintf(stderr, "nfsec: %s, try \"nfsec help\"\n", what);
	return 1;
}

int help_main(const struct cli_opts *opts, int argc, char **argv)
{
	const struct command *cmd;
	struct errmsg err;

	(void)opts;
	if (argc == 1) {
		cli_usage(stdout);
		return 0;
	}
	if (argc > 2)
		return try_help("help takes one command at most");
	cmd = command_find(nfsec_commands, argv[1], &err);
	if (!cmd)
		return try_help(err.text);
	fputs(cmd->usage, stdout);
	return 0;
}

int subcommand_run(const char *object, const struct command *table, const char *dflt,
		   const struct cli_opts *opts, int argc, char **argv)
{
	char *alone[] = { (char *)dflt, NULL };
	const struct command *sub;
	struct errmsg err;

	sub = command_find(table, argc < 2 ? dflt : argv[1], &err);
	if (!sub) {
		fprintf(stderr, "nfsec: %s: %s, try \"nfsec help %s\"\n", object, err.text, object);
		return 1;
	}
	if (!sub->handler) {
		fputs(sub->usage, stdout);
		return 0;
	}
	if (argc < 2)
		return sub->handler(opts, 1, alone);
	return sub->handler(opts, argc - 1, argv + 1);
}

int command_no_arguments(const char *name, const char *usage, int argc, char **argv)
{
	if (argc == 2 && matches(argv[1], "help")) {
		fputs(usage, stdout);
		return 0;
	}
	if (argc > 1) {
		fprintf(stderr, "nfsec: %s takes no arguments (got \"%s\"), "
			"try \"nfsec help %s\"\n", name, argv[1], name);
		return 1;
	}
	return -1;
}

/*
 * The command of argv[first..], or the one an option implied, after the options; NULL when
 * there are no words (err untouched) or no such command (err says why).
 */
static const struct command *command_of(const char *implied, int first, int argc,
					char **argv, struct errmsg *err)
{
	if (first >= argc)
		return NULL;
	return command_find(nfsec_commands, implied ? implied : argv[first], err);
}

/*
 * The command at argv[first] (cmd, from command_of(), or NULL: err says why) run with its
 * words; the usage when there are none.
 */
static int command_run(const struct cli_opts *opts, const struct command *cmd,
		       const struct errmsg *err, int first, int argc, char **argv)
{
	if (first == argc) {
		cli_usage(stderr);
		return 1;
	}
	if (!cmd)
		return try_help(err->text);
	return cmd->handler(opts, argc - first, argv + first);
}

int cli_run(int argc, char **argv)
{
	struct cli_opts opts = { 0 };
	const struct command *cmd;
	const char *implied;
	struct errmsg err;
	int first;

	first = cli_parse_options(argc, argv, &opts, &implied, &err);
	if (first < 0)
		return try_help(err.text);
	if (!opts.batch) {
		cmd = command_of(implied, first, argc, argv, &err);
		return command_run(&opts, cmd, &err, first, argc, argv);
	}
	if (first < argc) {
		errmsg_set(&err, "-batch takes no command after FILE (got \"%s\")", argv[first]);
		return try_help(err.text);
	}
	return batch_run(&opts);
}

void cli_line_parse(const struct cli_opts *global, int argc, char **argv,
		    struct cli_line *line)
{
	*line = (struct cli_line){ .opts = *global, .argc = argc, .argv = argv };
	line->opts.batch = NULL;
	line->first = cli_parse_options(argc, argv, &line->opts, &line->implied, &line->err);
	if (line->first < 0 || line->opts.batch)
		return;
	line->cmd = command_of(line->implied, line->first, argc, argv, &line->err);
	line->adds_policy = line->cmd && !line->implied && line->cmd->handler == policy_main &&
			    line->first + 1 < argc && policy_word_is_add(argv[line->first + 1]);
}

int cli_line_run(const struct cli_line *line)
{
	if (line->first < 0)
		return try_help(line->err.text);
	if (line->opts.batch) {
		fprintf(stderr, "nfsec: -batch may not be given in a batch\n");
		return 1;
	}
	return command_run(&line->opts, line->cmd, &line->err, line->first, line->argc,
			   line->argv);
}
