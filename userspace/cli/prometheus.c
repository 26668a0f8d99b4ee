// SPDX-License-Identifier: GPL-2.0
/* The Prometheus text format of nfsec's counters: see prometheus.h. */
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "prometheus.h"
#include "words.h"

void prometheus_label_value(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", out);
		else if (*s == '"')
			fputs("\\\"", out);
		else if (*s == '\n')
			fputs("\\n", out);
		else
			fputc(*s, out);
	}
	fputc('"', out);
}

static void family(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* name{key="value"} value */
static void sample1(FILE *out, const char *name, const char *key, const char *value,
		    uint64_t v)
{
	fprintf(out, "%s{%s=", name, key);
	prometheus_label_value(out, value);
	fprintf(out, "} %" PRIu64 "\n", v);
}

/* The labels that name an SA, without the closing brace: {spi="0x1000",...,reqid="1" */
static void sa_labels(FILE *out, const char *name, const struct nfsec_sa *sa)
{
	char src[ADDR_TEXT_LEN], dst[ADDR_TEXT_LEN];

	addr_format(src, sa->family, sa->src);
	addr_format(dst, sa->family, sa->dst);
	fprintf(out, "%s{spi=\"0x%08" PRIx32 "\",dir=\"%s\",src=", name, sa->spi,
		sa->dir == NFSEC_SA_DIR_IN ? "in" : "out");
	prometheus_label_value(out, src);
	fputs(",dst=", out);
	prometheus_label_value(out, dst);
	fprintf(out, ",reqid=\"%" PRIu32 "\"", sa->reqid);
}

static void sa_sample(FILE *out, const char *name, const struct nfsec_sa *sa, uint64_t v)
{
	sa_labels(out, name, sa);
	fprintf(out, "} %" PRIu64 "\n", v);
}

static bool is_traffic(int attr)
{
	return attr == NFSEC_STAT_A_OUT_PACKETS || attr == NFSEC_STAT_A_OUT_BYTES ||
	       attr == NFSEC_STAT_A_IN_PACKETS || attr == NFSEC_STAT_A_IN_BYTES ||
	       attr == NFSEC_STAT_A_ACQUIRES;
}

static void namespace_print(FILE *out, const uint64_t *stats)
{
	family(out, "nfsec_packets_total", "counter",
	       "Packets nfsec protected and sent (out) or accepted (in).");
	sample1(out, "nfsec_packets_total", "dir", "out", stats[NFSEC_STAT_A_OUT_PACKETS]);
	sample1(out, "nfsec_packets_total", "dir", "in", stats[NFSEC_STAT_A_IN_PACKETS]);
	family(out, "nfsec_bytes_total", "counter",
	       "Inner bytes of the packets nfsec protected (out) or accepted (in).");
	sample1(out, "nfsec_bytes_total", "dir", "out", stats[NFSEC_STAT_A_OUT_BYTES]);
	sample1(out, "nfsec_bytes_total", "dir", "in", stats[NFSEC_STAT_A_IN_BYTES]);
	family(out, "nfsec_drops_total", "counter",
	       "Packets nfsec dropped, by reason (the names of nfsec stats).");
	for (int attr = 0; attr <= NFSEC_STAT_A_MAX; attr++)
		if (nfsec_stat_name(attr) && !is_traffic(attr))
			sample1(out, "nfsec_drops_total", "reason", nfsec_stat_name(attr),
				stats[attr]);
	family(out, "nfsec_acquires_total", "counter",
	       "ACQUIRE events raised: packets that needed an SA there was none of.");
	fprintf(out, "nfsec_acquires_total %" PRIu64 "\n", stats[NFSEC_STAT_A_ACQUIRES]);
}

static void sas_print(FILE *out, const struct nfsec_sa *sas, size_t n)
{
	uint64_t left;

	family(out, "nfsec_sa_packets_total", "counter",
	       "Packets the SA protected (out) or accepted (in).");
	for (size_t i = 0; i < n; i++)
		sa_sample(out, "nfsec_sa_packets_total", &sas[i], sas[i].packets);
	family(out, "nfsec_sa_bytes_total", "counter", "Inner bytes of the SA's packets.");
	for (size_t i = 0; i < n; i++)
		sa_sample(out, "nfsec_sa_bytes_total", &sas[i], sas[i].bytes);
	family(out, "nfsec_sa_drops_total", "counter",
	       "Packets dropped once their SA was known, by reason.");
	for (size_t i = 0; i < n; i++) {
		for (int attr = 0; attr <= NFSEC_SA_DROP_A_MAX; attr++) {
			if (!nfsec_sa_drop_name(attr))
				continue;
			sa_labels(out, "nfsec_sa_drops_total", &sas[i]);
			fputs(",reason=", out);
			prometheus_label_value(out, nfsec_sa_drop_name(attr));
			fprintf(out, "} %" PRIu64 "\n", sas[i].drops[attr]);
		}
	}
	family(out, "nfsec_sa_age_seconds", "gauge", "Seconds since the SA was added.");
	for (size_t i = 0; i < n; i++)
		sa_sample(out, "nfsec_sa_age_seconds", &sas[i], sas[i].age_seconds);
	family(out, "nfsec_sa_seconds_left", "gauge",
	       "Seconds until the SA's hard lifetime (SAs with one).");
	for (size_t i = 0; i < n; i++)
		if (nfsec_sa_seconds_left(&sas[i], &left))
			sa_sample(out, "nfsec_sa_seconds_left", &sas[i], left);
	family(out, "nfsec_sa_bytes_left", "gauge",
	       "Bytes until the SA's hard byte lifetime (SAs with one).");
	for (size_t i = 0; i < n; i++) {
		const struct nfsec_sa *sa = &sas[i];

		if (sa->lifetime.hard_bytes)
			sa_sample(out, "nfsec_sa_bytes_left", sa, sa->bytes < sa->lifetime.hard_bytes ?
				  sa->lifetime.hard_bytes - sa->bytes : 0);
	}
}

int prometheus_print(FILE *out, const uint64_t *stats, const struct nfsec_sa *sas, size_t n)
{
	namespace_print(out, stats);
	sas_print(out, sas, n);
	return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}
