// SPDX-License-Identifier: GPL-2.0
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <cmocka.h>

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

/* Fails the running cmocka test unless every field of @got equals @want's. */
void expect_policy(const struct nfsec_policy *got, const struct nfsec_policy *want)
{
	assert_int_equal(got->index, want->index);
	assert_int_equal(got->dir, want->dir);
	assert_int_equal(got->action, want->action);
	assert_int_equal(got->priority, want->priority);
	assert_int_equal(got->sel.family, want->sel.family);
	assert_memory_equal(got->sel.src, want->sel.src, sizeof(got->sel.src));
	assert_memory_equal(got->sel.dst, want->sel.dst, sizeof(got->sel.dst));
	assert_int_equal(got->sel.src_prefix, want->sel.src_prefix);
	assert_int_equal(got->sel.dst_prefix, want->sel.dst_prefix);
	assert_int_equal(got->sel.proto, want->sel.proto);
	assert_int_equal(got->sel.sport_min, want->sel.sport_min);
	assert_int_equal(got->sel.sport_max, want->sel.sport_max);
	assert_int_equal(got->sel.dport_min, want->sel.dport_min);
	assert_int_equal(got->sel.dport_max, want->sel.dport_max);
}
