// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>

#include <nfsec.h>

#include "commands.h"
#include "json.h"

#ifndef NFSEC_VERSION
#error "NFSEC_VERSION must be defined by the build (from the top-level VERSION file)"
#endif

const char version_usage[] =
	"Usage: nfsec [-j] version\n"
	"\n"
	"Print the release of this tool and ask the nfsec module of the current network\n"
	"namespace for its release, the version of the generic netlink family it speaks, and\n"
	"the cookie of the namespace that answered (the value SO_NETNS_COOKIE gives):\n"
	"\n"
	"    nfsec tool " NFSEC_VERSION ", module 0.1.0 (family version 1)\n"
	"    netns cookie 4096\n"
	"\n"
	"With -j, one JSON object:\n"
	"\n"
	"    {\"tool\":\"" NFSEC_VERSION "\",\"module\":\"0.1.0\",\"family_version\":1,"
	"\"netns_cookie\":4096}\n"
	"\n"
	"If the module cannot be asked (most often: it is not loaded), only the tool's\n"
	"release is printed ({\"tool\":\"" NFSEC_VERSION "\"} with -j), and the reason goes to\n"
	"standard error. \"nfsec -V\" is the same as \"nfsec version\".\n"
	"\n"
	"Exit status: 0 if the module answered, 1 otherwise.\n";

struct version_model {
	const char *tool;
	bool have_module;
	struct nfsec_version module;
};

/* Write errors on stdout are caught once, in main(). */
static void print_text(const struct version_model *m)
{
	if (!m->have_module) {
		printf("nfsec tool %s\n", m->tool);
		return;
	}
	printf("nfsec tool %s, module %s (family version %u)\n", m->tool,
	       m->module.module_version, m->module.family_version);
	printf("netns cookie %" PRIu64 "\n", m->module.netns_cookie);
}

static int print_json(const struct version_model *m)
{
	struct json j;

	json_init(&j, stdout);
	json_object_begin(&j, NULL);
	json_string(&j, "tool", m->tool);
	if (m->have_module) {
		json_string(&j, "module", m->module.module_version);
		json_u64(&j, "family_version", m->module.family_version);
		json_u64(&j, "netns_cookie", m->module.netns_cookie);
	}
	json_object_end(&j);
	return json_finish(&j);
}

int version_main(const struct cli_opts *opts, int argc, char **argv)
{
	struct version_model m = { .tool = NFSEC_VERSION };
	struct nfsec_handle *h;
	int status;

	status = command_no_arguments("version", version_usage, argc, argv);
	if (status >= 0)
		return status;

	/* the tool's version is printed whatever happens; then why the module's is not */
	m.have_module = !nfsec_open(&h) && !nfsec_get_version(h, &m.module);
	status = m.have_module ? 0 : 1;
	if (!opts->json)
		print_text(&m);
	else if (print_json(&m) < 0)
		status = 1;
	if (!m.have_module) {
		fflush(stdout);
		fprintf(stderr, "nfsec: %s\n", nfsec_error(h));
	}
	nfsec_close(h);
	return status;
}
