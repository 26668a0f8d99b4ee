// SPDX-License-Identifier: GPL-2.0
/* KUnit: module init left every namespace with its state and the family registered. */

#include <kunit/test.h>
#include <net/genetlink.h>
#include <uapi/linux/nfsec.h>

#include "nfsec.h"
#include "netlink.h"

static void pernet_state_initialised(struct kunit *test)
{
	struct nfsec_net *nn = nfsec_net(&init_net);

	KUNIT_ASSERT_NOT_NULL(test, nn);
	KUNIT_EXPECT_PTR_EQ(test, nn->net, &init_net);
	KUNIT_EXPECT_FALSE(test, mutex_is_locked(&nn->lock));
	/* The writer lock is usable: lockdep would complain here if init skipped it. */
	mutex_lock(&nn->lock);
	KUNIT_EXPECT_TRUE(test, mutex_is_locked(&nn->lock));
	mutex_unlock(&nn->lock);
}

static void family_registered(struct kunit *test)
{
	KUNIT_EXPECT_GE(test, nfsec_genl_family.id, GENL_START_ALLOC);
	KUNIT_EXPECT_STREQ(test, nfsec_genl_family.name, "nfsec");
	KUNIT_EXPECT_EQ(test, nfsec_genl_family.version, NFSEC_GENL_VERSION);
	KUNIT_EXPECT_TRUE(test, nfsec_genl_family.netnsok);
}

static struct kunit_case main_cases[] = {
	KUNIT_CASE(pernet_state_initialised),
	KUNIT_CASE(family_registered),
	{}
};

static struct kunit_suite main_suite = {
	.name = "nfsec_main",
	.test_cases = main_cases,
};

kunit_test_suite(main_suite);
