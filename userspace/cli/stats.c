// SPDX-License-Identifier: GPL-2.0
/* nfsec stats: the namespace's counters, each with the name libnfsec gives it. */
#include <inttypes.h>
#include <stdio.h>

#include <nfsec.h>

#include "commands.h"
#include "json.h"
#include "stats.h"

const char stats_usage[] =
	"Usage: nfsec [-j] stats\n"
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
	"\n"
	"With -j, one JSON object, the names with underscores:\n"
	"\n"
	"    {\"out_packets\":12,\"out_bytes\":3400,...,\"acquires\":0}\n"
	"\n"
	"Exit status: 0 on success, 1 on any error; the reason goes to standard error.\n";

/* name with its dashes as underscores, into key (at least as long). */
static void json_key(char *key, size_t size, const char *name)
{
	snprintf(key, size, "%s", name);
	for (char *c = key; *c; c++)
		if (*c == '-')
			*c = '_';
}

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

int stats_main(const struct cli_opts *opts, int argc, char **argv)
{
	uint64_t stats[NFSEC_STAT_A_MAX + 1];
	struct nfsec_handle *h;
	int ret, status;

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
