// SPDX-License-Identifier: GPL-2.0
#include <sys/socket.h>

#include "samples.h"

struct nfsec_policy sample_v4(void)
{
	struct nfsec_policy p = {
		.index = 3, .dir = NFSEC_POLICY_DIR_OUT, .action = NFSEC_POLICY_BYPASS,
		.priority = 10,
		.sel = { .family = AF_INET, .src = { 10, 0, 0, 0 }, .src_prefix = 24,
			 .proto = 6, .sport_min = 0, .sport_max = 65535,
			 .dport_min = 443, .dport_max = 443 },
	};

	return p;
}

struct nfsec_policy sample_v6(void)
{
	struct nfsec_policy p = {
		.index = 4294967295u, .dir = NFSEC_POLICY_DIR_FWD,
		.action = NFSEC_POLICY_DISCARD, .priority = 0,
		.sel = { .family = AF_INET6, .src_prefix = 0, .dst_prefix = 32,
			 .dst = { 0x20, 0x01, 0x0d, 0xb8 }, .proto = 0,
			 .sport_min = 0, .sport_max = 65535, .dport_min = 0, .dport_max = 65535 },
	};

	return p;
}
