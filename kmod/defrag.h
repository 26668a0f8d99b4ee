/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NFSEC_DEFRAG_H
#define _NFSEC_DEFRAG_H

#include <net/net_namespace.h>

void nfsec_defrag_init(void);
void nfsec_defrag_exit(void);
int nfsec_defrag_enable(struct net *net);
void nfsec_defrag_disable(struct net *net);

#endif /* _NFSEC_DEFRAG_H */
