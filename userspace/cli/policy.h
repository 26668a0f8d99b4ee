/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The policy command's parsers and printers, apart from policy_main() so the unit tests
 * can drive them without netlink. Parsers take the words after the subcommand and fill a
 * plain model; they never print, and name the bad word in err. Keywords are exact words
 * ("d" could be dir, dst or dport) and may come in any order, each at most once.
 */
#ifndef NFSEC_CLI_POLICY_H
#define NFSEC_CLI_POLICY_H

#include <stdint.h>
#include <stdio.h>

#include <nfsec.h>

#include "json.h"
#include "utils.h"

/*
 * "dir DIR [action ACTION] [priority N] [family FAMILY] [src PREFIX] [dst PREFIX]
 * [proto PROTO] [sport PORT[-PORT]] [dport PORT[-PORT]] [mode MODE] [tmpl-src ADDR]
 * [tmpl-dst ADDR] [reqid N]", in any order, into *out with every field set (addresses
 * masked to their prefixes; has_tmpl when any of the last four was given, which only a
 * protect policy may). 0, or -EINVAL (-ERANGE for a number out of range) with *out
 * untouched.
 */
int policy_parse_add(int argc, char **argv, struct nfsec_policy *out, struct errmsg *err);

/* "index N", as "policy delete" and "policy get" (named by cmd in messages) take it. */
int policy_parse_index(const char *cmd, int argc, char **argv, uint32_t *index,
		       struct errmsg *err);

/* "[dir DIR]", as "policy show" and "policy flush" take it: *dir, or -1 without one. */
int policy_parse_dir(const char *cmd, int argc, char **argv, int *dir, struct errmsg *err);

/*
 * One line: "index 3 dir out priority 10 action bypass src 10.0.0.0/24 ...", ending for a
 * policy with a template in "mode tunnel tmpl-src A tmpl-dst B reqid N".
 */
void policy_print(FILE *out, const struct nfsec_policy *p);

/* One JSON object: the value of key in an object, or with a NULL key any other value. */
void policy_json(struct json *j, const char *key, const struct nfsec_policy *p);

#endif /* NFSEC_CLI_POLICY_H */
