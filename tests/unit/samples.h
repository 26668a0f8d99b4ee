/* SPDX-License-Identifier: GPL-2.0 */
/* Policies the CLI and monitor tests print and decode (one of each family), and their check. */
#ifndef NFSEC_TEST_SAMPLES_H
#define NFSEC_TEST_SAMPLES_H

#include <nfsec.h>

struct nfsec_policy sample_v4(void);
struct nfsec_policy sample_v6(void);
void expect_policy(const struct nfsec_policy *got, const struct nfsec_policy *want);

#endif /* NFSEC_TEST_SAMPLES_H */
