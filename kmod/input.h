/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NFSEC_INPUT_H
#define _NFSEC_INPUT_H

#include <linux/skbuff.h>

struct nfsec_net;

unsigned int nfsec_input(struct nfsec_net *nn, struct sk_buff *skb, unsigned int off);
unsigned int nfsec_input_udp(struct nfsec_net *nn, struct sk_buff *skb, unsigned int off,
			     __be16 sport);
unsigned int nfsec_check_policy(struct nfsec_net *nn, struct sk_buff *skb, int dir);

#endif /* _NFSEC_INPUT_H */
