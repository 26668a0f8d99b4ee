/* SPDX-License-Identifier: GPL-2.0 */
/* The stats command's printer, apart from stats_main() so the unit tests can drive it. */
#ifndef NFSEC_CLI_STATS_H
#define NFSEC_CLI_STATS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <nfsec.h>

/*
 * Every counter of stats (indexed by enum nfsec_stat_attr) in enum order: "name value"
 * lines, or with json one object whose keys are the names with underscores for dashes.
 * 0, or -1 when the JSON writer failed.
 */
int stats_print(FILE *out, bool json, const uint64_t *stats);

#endif /* NFSEC_CLI_STATS_H */
