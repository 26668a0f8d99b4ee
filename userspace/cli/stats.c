// SPDX-License-Identifier: GPL-2.0
/* nfsec stats: the namespace's counters, each with the name libnfsec gives it. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nfsec.h>

#include "commands.h"
#include "json.h"
#include "prometheus.h"
#include "sa.h"
#include "stats.h"

const char stats_usage[] =
	"Usage: nfsec [-j] stats [prometheus]\n"
	"\n"
	"Print the counters of nfsec in the network namespace, one \"name value\" line each:\n"
	"the packets and bytes it protected and accepted, and each reason it dropped one.\n"
	"\n"
	"    out-packets 12\n"
	"    out-bytes 3400\n"
	"    ...\n"
	"    in-replay 0\n"
	"    ...\n"
	"\n"
	"  out-packets, out-bytes   protected and sent (the inner bytes)\n"
	"  in-packets, in-bytes     accepted and passed on\n"
	"  out-no-sa                a protect policy found no SA in time\n"
	"  out-hold-full            no SA, and no room left to wait for one\n"
	"  out-discard              a discard policy\n"
	"  out-seq-overflow         the SA's sequence numbers were used up\n"
	"  out-expired, in-expired  the SA's hard lifetime was reached\n"
	"  out-no-route             no route to the tunnel's endpoint\n"
	"  out-too-big              above the path MTU (an ICMP error was sent)\n"
	"  out-error, in-error      out of memory, GSO or crypto failure\n"
	"  in-no-sa                 ESP with an unknown SPI\n"
	"  in-malformed             too short, bad padding or next header\n"
	"  in-replay                replayed, or behind the replay window\n"
	"  in-auth-fail             the ICV did not check out\n"
	"  in-selector              decrypted, but outside the SA's selector\n"
	"  in-not-protected         cleartext that an in or fwd protect policy refuses\n"
	"  in-discard               an in or fwd discard policy\n"
	"  acquires                 ACQUIRE events raised (see nfsec monitor)\n"
	"  out-hdr-error, in-hdr-error  headers that cannot be read (a truncated IPv6\n"
	"                           extension chain, \"no next header\") while policies\n"
	"                           exist: dropped, as a policy might cover the packet\n"
	"  in-dummy                 dummy packets (RFC 4303 2.6, next header 59) the SA\n"
	"                           authenticated: discarded, as the RFC says\n"
	"  in-keepalive             NAT keepalives (RFC 3948 2.3, one byte 0xff) to the\n"
	"                           IKE daemon's NAT-T socket: discarded\n"
	"\n"
	"With -j, one JSON object, the names with underscores:\n"
	"\n"
	"    {\"out_packets\":12,\"out_bytes\":3400,...,\"acquires\":0}\n"
	"\n"
	"With prometheus (or --prometheus), the same counters and every SA's in the text\n"
	"format Prometheus scrapes (for node_exporter's textfile collector, or served as\n"
	"it is), one family after another with its HELP and TYPE lines:\n"
	"\n"
	"    nfsec_packets_total{dir=\"out\"} 12\n"
	"    nfsec_drops_total{reason=\"in-replay\"} 0\n"
	"    nfsec_acquires_total 0\n"
	"    nfsec_sa_packets_total{spi=\"0x00001000\",dir=\"out\",src=\"10.0.0.1\",\n"
	"      dst=\"10.0.0.2\",reqid=\"1\"} 12\n"
	"    nfsec_sa_drops_total{spi=...,reason=\"replay\"} 0\n"
	"\n"
	"nfsec_packets_total and nfsec_bytes_total by dir, nfsec_drops_total by reason (the\n"
	"names above), nfsec_acquires_total; per SA nfsec_sa_packets_total,\n"
	"nfsec_sa_bytes_total, nfsec_sa_drops_total by reason (those of nfsec sa show:\n"
	"replay, auth-fail, malformed, selector, dummy, expired, seq-overflow, no-route,\n"
	"too-big, error), and the gauges nfsec_sa_age_seconds, nfsec_sa_seconds_left and\n"
	"nfsec_sa_bytes_left (the last two for SAs with such a hard lifetime).\n"
	"\n"
	"Exit status: 0 on success, 1 on any error; the reason goes to standard error.\n";

int stats_print(FILE *out, bool json, const uint64_t *stats)
{
	struct json j;
	char key[64];

	if (!json) {
		for (int attr = 0; attr <= NFSEC_STAT_A_MAX; attr++) {
			const char *name = nfsec_stat_name(attr);

			if (name)
				fprintf(out, "%s %" PRIu64 "\n", name, stats[attr]);
		}
		return 0;
	}
	json_init(&j, out);
	json_object_begin(&j, NULL);
	for (int attr = 0; attr <= NFSEC_STAT_A_MAX; attr++) {
		if (!nfsec_stat_name(attr))
			continue;
		json_key(key, sizeof(key), nfsec_stat_name(attr));
		json_u64(&j, key, stats[attr]);
	}
	json_object_end(&j);
	return json_finish(&j);
}

/* The counters and every SA's, for Prometheus. */
static int prometheus_main(void)
{
	uint64_t stats[NFSEC_STAT_A_MAX + 1];
	struct sa_list l = { 0 };
	struct nfsec_handle *h;
	int ret, status;

	h = cli_handle_open();
	if (!h)
		return 1;
	ret = nfsec_stats_get(h, stats);
	if (!ret)
		ret = sa_list_read(h, &l);
	if (ret < 0) {
		free(l.v);
		return cli_handle_done(h, ret);
	}
	nfsec_close(h);
	status = prometheus_print(stdout, stats, l.v, l.n) < 0 ? 1 : 0;
	free(l.v);
	return status;
}

int stats_main(const struct cli_opts *opts, int argc, char **argv)
{
	uint64_t stats[NFSEC_STAT_A_MAX + 1];
	struct nfsec_handle *h;
	int ret, status;

	if (argc == 2 && (!strcmp(argv[1], "prometheus") || !strcmp(argv[1], "--prometheus"))) {
		if (opts->json) {
			fprintf(stderr, "nfsec: stats prometheus has a format of its own: no -j\n");
			return 1;
		}
		return prometheus_main();
	}
	status = command_no_arguments("stats", stats_usage, argc, argv);
	if (status >= 0)
		return status;
	h = cli_handle_open();
	if (!h)
		return 1;
	ret = nfsec_stats_get(h, stats);
	if (ret < 0)
		return cli_handle_done(h, ret);
	nfsec_close(h);
	return stats_print(stdout, opts->json, stats) < 0 ? 1 : 0;
}
