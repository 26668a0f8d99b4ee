/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The nfsec command table and its dispatch, kept apart from main() so the unit tests can
 * drive them. Each command's file (version.c, policy.c, sa.c, stats.c, monitor.c, tunnel.c)
 * exports <command>_main and <command>_usage; batch.c runs the lines of -batch FILE.
 */
#ifndef NFSEC_CLI_COMMANDS_H
#define NFSEC_CLI_COMMANDS_H

#include <stdbool.h>
#include <stdio.h>

#include "utils.h"

/* Global options, given before the command. */
struct cli_opts {
	bool json;
	const char *batch;	/* -batch FILE, else NULL */
};

/* argv[0] is the word that named the command; returns the exit status. */
typedef int (*command_fn)(const struct cli_opts *opts, int argc, char **argv);

struct command {
	const char *name;
	command_fn handler;	/* in a subcommand table, NULL prints usage ("help") */
	const char *help;	/* one line, for the list in "nfsec help" */
	const char *usage;	/* the whole of "nfsec help NAME" */
};

/* Ends with an entry whose name is NULL. */
extern const struct command nfsec_commands[];

/*
 * The entry word names: an exact name, else the only name word abbreviates. NULL, with
 * the reason in err, when no name or more than one matches.
 */
const struct command *command_find(const struct command *table, const char *word,
				   struct errmsg *err);

/*
 * "nfsec OBJECT [SUBCOMMAND [ARGUMENTS]]" (argv[0] is OBJECT): the entry of table that
 * argv[1] names, run with argv[1..], or with dflt alone when argv[1] is not there; an entry
 * without a handler prints its usage. Unknown or ambiguous: "nfsec: OBJECT: unknown command
 * \"W\", try \"nfsec help OBJECT\"" and 1. Returns the exit status.
 */
int subcommand_run(const char *object, const struct command *table, const char *dflt,
		   const struct cli_opts *opts, int argc, char **argv);

/*
 * For a command that takes no arguments (argv[0] names it) but "help" and its
 * abbreviations: -1 when there are none, so the command goes on; else its exit status,
 * after printing usage or "nfsec: NAME takes no arguments (got \"W\"), try \"nfsec help
 * NAME\"".
 */
int command_no_arguments(const char *name, const char *usage, int argc, char **argv);

/*
 * Reads the global options in argv[1..] into *opts and returns the index of the command
 * word, or -1 with err set. -V and -h stand for a command themselves: *implied is then
 * "version" or "help" and the returned index is the option's, so the command's argv[0] is
 * "-V". -batch FILE (or -b FILE) sets opts->batch, once at most; options may follow it,
 * a command may not, which the caller checks. Returns argc when no command follows.
 */
int cli_parse_options(int argc, char **argv, struct cli_opts *opts, const char **implied,
		      struct errmsg *err);

struct nfsec_handle;

struct nfsec_policy;

/*
 * A libnfsec handle for one command, or NULL after saying why there is none. In a batch
 * (cli_handle_share()), the batch's one handle, its last error forgotten.
 */
struct nfsec_handle *cli_handle_open(void);

/* A handle of the command's own, batch or not: for one that changes the handle (monitor). */
struct nfsec_handle *cli_handle_open_own(void);

/*
 * Ends a command on h: prints the reason of ret if it failed, closes h unless it is the
 * batch's; the exit status.
 */
int cli_handle_done(struct nfsec_handle *h, int ret);

/* A batch begins (on) or ends (closing its handle). */
void cli_handle_share(bool on);

/* The batch's handle, NULL until a line opened it. */
struct nfsec_handle *cli_handle_shared(void);

/*
 * Whether the policy adds of the next line queue on the batch's handle under tag (its line
 * number), or (0) go to the kernel at once. batch.c sends the queue.
 */
void cli_policy_queue_as(unsigned long tag);

/* nfsec_policy_add(), or nfsec_policy_queue() as cli_policy_queue_as() said. */
int cli_policy_add(struct nfsec_handle *h, const struct nfsec_policy *p);

/* Whether word names the "add" subcommand of "policy", abbreviated or not. */
bool policy_word_is_add(const char *word);

/* "nfsec ARGS...": options, lookup, the handler's exit status; or the whole -batch. */
int cli_run(int argc, char **argv);

/*
 * One line of a batch, argv[0] "nfsec" and the line's words after it, parsed once: its
 * options, with those of *global (the ones before -batch) given first, and its command.
 * What is wrong with it (a bad option, -batch, which a line may not hold, an unknown
 * command) is said when it runs, as cli_run() would say it.
 */
struct cli_line {
	struct cli_opts opts;
	const char *implied;		/* as cli_parse_options() sets it */
	int first;			/* the command word's index, or -1: err says why */
	const struct command *cmd;	/* the command, or NULL: err says why (first < argc) */
	bool adds_policy;		/* a "policy add", however abbreviated */
	struct errmsg err;
	int argc;
	char **argv;
};

void cli_line_parse(const struct cli_opts *global, int argc, char **argv,
		    struct cli_line *line);

/* The line run as cli_run() would run it: the exit status. */
int cli_line_run(const struct cli_line *line);

/*
 * -batch FILE: every line of opts->batch ("-" for standard input) through cli_line_run(),
 * up to the first that fails. 0 when all succeeded, else 1 after saying where: see batch.c.
 */
int batch_run(const struct cli_opts *opts);

void cli_usage(FILE *out);

int help_main(const struct cli_opts *opts, int argc, char **argv);
extern const char help_usage[];

int version_main(const struct cli_opts *opts, int argc, char **argv);
extern const char version_usage[];

int policy_main(const struct cli_opts *opts, int argc, char **argv);
extern const char policy_usage[];

int sa_main(const struct cli_opts *opts, int argc, char **argv);
extern const char sa_usage[];

int stats_main(const struct cli_opts *opts, int argc, char **argv);
extern const char stats_usage[];

int monitor_main(const struct cli_opts *opts, int argc, char **argv);
extern const char monitor_usage[];

int tunnel_main(const struct cli_opts *opts, int argc, char **argv);
extern const char tunnel_usage[];

#endif /* NFSEC_CLI_COMMANDS_H */
