/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NFSEC_LIFETIME_H
#define _NFSEC_LIFETIME_H

#include "sad.h"

/* Packets before an outbound SA without ESN runs out of sequence numbers: soft EXPIRE. */
#define NFSEC_SEQ_SOFT_MARGIN	BIT_ULL(26)

void nfsec_lifetime_init(struct nfsec_sa *sa);
void nfsec_lifetime_stop(struct nfsec_sa *sa);
void nfsec_lifetime_start(struct nfsec_sa *sa);
bool nfsec_lifetime_account(struct nfsec_sa *sa, unsigned int bytes);
void nfsec_lifetime_kill(struct nfsec_sa *sa);
time64_t nfsec_lifetime_next(const struct nfsec_sa *sa);
unsigned long nfsec_lifetime_delay(time64_t left);

#endif /* _NFSEC_LIFETIME_H */
