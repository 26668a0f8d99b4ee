/* SPDX-License-Identifier: GPL-2.0 */
/* Runs "nfsec ARGS..." through cli_run() with its output captured, for the CLI tests. */
#ifndef NFSEC_TEST_CAPTURE_H
#define NFSEC_TEST_CAPTURE_H

#define ARGV(...) ((char *[]){ __VA_ARGS__, NULL })
#define ARGC(...) ((int)(sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *)))
#define RUN(...) run_captured(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__))

struct run {
	int status;
	char *out;	/* all of stdout, malloc'd */
	char *err;	/* all of stderr, malloc'd */
};

struct run run_captured(int argc, char **argv);
void run_free(struct run *r);

#endif /* NFSEC_TEST_CAPTURE_H */
