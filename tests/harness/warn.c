// SPDX-License-Identifier: GPL-2.0
/* A module that WARNs on load and refuses to stay: the guest runner must fail the run. */
#include <linux/module.h>

static int __init warn_init(void)
{
	WARN(1, "nfsec harness self-test: deliberate WARN\n");
	return -EAGAIN;
}
module_init(warn_init);
MODULE_LICENSE("GPL");
