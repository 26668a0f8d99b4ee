// SPDX-License-Identifier: GPL-2.0
/*
 * nfsec_kunit.ko: the module's KUnit suites. Each suite sits in <file>_test.c beside the
 * code it tests; this file only makes them one module. Load it after nfsec.ko.
 */

#include <linux/module.h>

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit suites for nfsec");
MODULE_IMPORT_NS(NFSEC_KUNIT);
