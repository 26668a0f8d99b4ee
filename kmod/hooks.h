/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NFSEC_HOOKS_H
#define _NFSEC_HOOKS_H

#include <linux/skbuff.h>

struct nfsec_net;

int nfsec_hooks_register(struct nfsec_net *nn);
void nfsec_hooks_unregister(struct nfsec_net *nn);
void nfsec_hooks_drain(struct nfsec_net *nn);
unsigned int nfsec_output(struct nfsec_net *nn, struct sk_buff *skb, unsigned long deadline);
unsigned int nfsec_input(struct nfsec_net *nn, struct sk_buff *skb, unsigned int off);

#endif /* _NFSEC_HOOKS_H */
