/* SPDX-License-Identifier: GPL-2.0 */
/*
 * "nfsec stats prometheus": the namespace's counters and every SA's, in the text format
 * Prometheus scrapes (version 0.0.4), for node_exporter's textfile collector or any
 * scraper; apart from stats_main() so the unit tests can drive it.
 */
#ifndef NFSEC_CLI_PROMETHEUS_H
#define NFSEC_CLI_PROMETHEUS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <nfsec.h>

/*
 * The metric families, each with its HELP and TYPE lines and its samples together:
 *
 *   nfsec_packets_total{dir}, nfsec_bytes_total{dir}   protected (out), accepted (in)
 *   nfsec_drops_total{reason}                            each drop counter of "nfsec stats"
 *   nfsec_acquires_total
 *   nfsec_sa_packets_total, nfsec_sa_bytes_total         per SA (labels spi, dir, src, dst,
 *   nfsec_sa_drops_total{..., reason}                    reqid), each reason of the SA's
 *   nfsec_sa_age_seconds, nfsec_sa_seconds_left,         gauges; the last two only for SAs
 *   nfsec_sa_bytes_left                                  with such a hard limit
 *
 * stats is indexed by enum nfsec_stat_attr. 0, or -1 when writing failed.
 */
int prometheus_print(FILE *out, const uint64_t *stats, const struct nfsec_sa *sas, size_t n);

/* s as a label value between double quotes: backslash, quote and newline escaped. */
void prometheus_label_value(FILE *out, const char *s);

#endif /* NFSEC_CLI_PROMETHEUS_H */
